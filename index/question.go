package index

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// MaxQuestionBytes bounds the text analysed per question. People paste logs and long rambles;
// the question is nearly always in the first lines, and the cut keeps matching cost flat.
const MaxQuestionBytes = 4000

// maxTerms bounds the terms a query is built from, for the same reason.
const maxTerms = 48

// Question is a user's question analysed for matching: its content terms in the index's
// vocabulary, the entities and aspects it names and what kind of answer it asks for.
type Question struct {
	// Text is the question with Slack markup and greetings removed.
	Text string
	// Terms are the analysed content terms, deduplicated, in order of appearance.
	Terms []string
	// Unknown are the Terms the knowledge base never uses: most often a sign of another topic.
	Unknown []string
	// Corrected maps misspelt words to the words they were read as.
	Corrected map[string]string
	// Entities and Aspects are those of the knowledge base that the question names.
	Entities []string
	Aspects  []string
	// Intent is the kind of answer the wording asks for, if it says.
	Intent Intent
	// Anchored is true when the question names something only this domain talks about
	// ("docker", "kubectl"), not just words that are also everyday English ("node", "image").
	Anchored bool
}

// Intent is what a question's wording asks for.
type Intent int

// The intents question analysis tells apart.
const (
	AnyIntent Intent = iota
	DefineIntent
	CompareIntent
	HowToIntent
	TogetherIntent
)

var (
	slackMarkup = regexp.MustCompile(`<([^<>]*)>`)
	// emojiCode is a Slack emoji short code (":wave:", ":+1:"); "k8s:" or "8080:80" are not.
	emojiCode = regexp.MustCompile(`(^|\s):[a-z0-9_+'-]+:($|\s)`)
)

// cleanText removes what Slack adds around a question: user and channel mentions, broadcast
// mentions, link markup (keeping the label) and HTML escapes. It cuts long input on a rune
// boundary first, so nothing after depends on the input size.
func cleanText(s string) string {
	if len(s) > MaxQuestionBytes {
		cut := MaxQuestionBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		switch {
		case strings.HasPrefix(inner, "@"), strings.HasPrefix(inner, "#"), strings.HasPrefix(inner, "!"):
			return " "
		case strings.Contains(inner, "|"):
			return " " + inner[strings.Index(inner, "|")+1:] + " "
		default:
			return " "
		}
	})
	s = emojiCode.ReplaceAllString(emojiCode.ReplaceAllString(html.UnescapeString(s), " "), " ")
	return strings.Join(strings.Fields(s), " ")
}

// surfaceWords splits text into lower-case words the way the analyzer's tokenizer does.
func surfaceWords(tokenizer analysis.Tokenizer, text string) []string {
	stream := tokenizer.Tokenize([]byte(strings.ToLower(text)))
	words := make([]string, len(stream))
	for i, tok := range stream {
		words[i] = string(tok.Term)
	}
	return words
}

// The intent patterns run on the question's lower-case words joined by single spaces, before
// stop words go: "or", "what" and "how" are stop words but say what kind of answer is wanted.
var (
	comparePattern  = regexp.MustCompile(`\b(vs|versus|difference|differences|diff|diffs|differ|differs|differently|compare|compared|compares|comparing|comparison|different from|same as|same thing as|replacement for|replace|replaces)\b`)
	togetherPattern = regexp.MustCompile(`\b(together|complement|complements|complementary|alongside|with each other|fit|fits|role|relationship|relate|relates|combine|combined)\b|\bwork with\b|\buse (docker|it) with\b`)
	choicePattern   = regexp.MustCompile(`\b(or|better|instead|choose|pick|which one)\b`)
	howToPattern    = regexp.MustCompile(`\bhow (do|can|should|would) (i|we|you)\b|\bhow to\b|\bsteps? to\b|\bway to\b|\bstep by step\b`)
	definePattern   = regexp.MustCompile(`^(what|wat|wht|whats|what's)\b( is| are|s)?|\bwhat (is|are) (a|an|the|it|they)\b|\bdefine\b|\bmeaning of\b|\bexplain\b|\bexplained\b|\beli5\b|\bplain english\b|\bsimple terms\b|\bpoint of\b|\bused for\b|\bstand for\b|\brundown\b|\boverview\b|\bwhat (is|are) (it|they) for\b|\bwhat does (it|\w+) (even |actually )?do\b`)
)

// intentOf reads the kind of answer a question asks for from its wording. An explicit
// comparison ("vs", "difference") outranks "together", which outranks a mere choice ("or").
func intentOf(words []string) Intent {
	text := strings.Join(words, " ")
	switch {
	case comparePattern.MatchString(text):
		return CompareIntent
	case togetherPattern.MatchString(text):
		return TogetherIntent
	case choicePattern.MatchString(text):
		return CompareIntent
	case howToPattern.MatchString(text):
		return HowToIntent
	case definePattern.MatchString(text):
		return DefineIntent
	}
	return AnyIntent
}
