package index

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxQuestionBytes bounds the text analysed per question. People paste logs and long rambles;
// the question is nearly always in the first lines, and the cut keeps matching cost flat.
const MaxQuestionBytes = 4000

// maxTerms bounds the terms a query is built from, for the same reason.
const maxTerms = 48

// Question is a user's question analysed for matching: its content terms in the index's
// vocabulary, the entities and aspects it names and what kind of answer it asks for.
type Question struct {
	// Text is the question with Slack markup and emoji codes removed, cut to MaxQuestionBytes.
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
	// Intent is the kind of answer the wording asks for, if it says: the first of its Cues in
	// the order intentCues tries them.
	Intent Intent
	// Cues has bit i set when the wording holds a cue of Intent i (AnyIntent's bit when none).
	Cues uint
	// Anchored is true when the question names something only this domain talks about
	// ("docker", "kubectl"), not just words that are also everyday English ("node", "image").
	Anchored bool
	// Foreign counts the question's words that give the domain's words another sense ("ship",
	// "bees"); Instructed is true when it holds a phrase that instructs rather than asks.
	Foreign    int
	Instructed bool
	// Topical is true when some term names a topic of the knowledge base, everyday word or not
	// ("limits", "volume"): a question with none ("what time is it") is about something else.
	Topical bool
	// asking are the terms of the sentences that ask, when a ramble also has others.
	asking []string
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
	ShouldIntent
	ProblemIntent
)

// intentNames name the intents, by Intent, in features and explanations.
var intentNames = []string{"any", "define", "compare", "howto", "together", "should", "problem"}

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
	// Most questions hold neither markup nor emoji codes: the regular expressions, which cost
	// a third of the question's analysis, run only on those that may.
	if strings.IndexByte(s, '<') >= 0 {
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
	}
	s = html.UnescapeString(s)
	if strings.IndexByte(s, ':') >= 0 {
		s = emojiCode.ReplaceAllString(emojiCode.ReplaceAllString(s, " "), " ")
	}
	return strings.Join(strings.Fields(sizesAsWords(withoutGeneratedText(s))), " ")
}

// byteSize is an amount of bytes as people write it: "1.4gb", "18 MB", "512MiB".
// Kubernetes quantities without the b ("512Mi", "250m") are not: entries use those.
var byteSize = regexp.MustCompile(`(?i)\b\d+(?:[.,]\d+)?\s?[kmgtp]i?b\b`)

// sizesAsWords reads an amount of bytes as the word "size". Every amount is a word no entry
// shares, so "our image is 1.4gb, how do i slim it down" looked like a question about
// something else; what it says is that something is big.
func sizesAsWords(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	return byteSize.ReplaceAllString(s, "size")
}

var (
	// generatedName is a name Kubernetes made up for a pod: its owner's name, the ReplicaSet's
	// pod-template hash or a Job's number, and five random characters from an alphabet with no
	// vowels ("web-7f9c6d8b5-k2xqp", "fluent-bit-x2k9q"). Only the owner's name is kept.
	generatedName = regexp.MustCompile(`\b([a-z][a-z0-9]*(?:-[a-z0-9]+)*?)(?:-[a-z0-9]{6,10})?-[bcdfghjklmnpqrstvwxz2456789]{5}\b`)
	// hexID is a container or image id (minHexID digits at least) or a digest.
	hexID = regexp.MustCompile(fmt.Sprintf(`\b(?:sha256:)?[0-9a-f]{%d,64}\b`, minHexID))
	// outputAge is an AGE column or a restart's "(90s ago)" in pasted kubectl output.
	outputAge = regexp.MustCompile(`\(\d+(?:[smhd]\d*)+ ago\)|\b\d+(?:[smhd]\d*)*[smhd]\b`)
)

// minHexID is the fewest hex digits read as an id: `docker ps` shortens ids to 12.
const minHexID = 12

// withoutGeneratedText removes what people paste along with their question and no entry can
// share: made-up pod names' random parts, hex ids, and the ages in rows of `kubectl get`
// output. Left in, they are words the knowledge base never uses, and each one makes the
// question look more like one about something else ("web-7f9c6d8b5-k2xqp 0/1
// CrashLoopBackOff 6 (90s ago) 9m" got no answer; "CrashLoopBackOff" alone gets one).
func withoutGeneratedText(s string) string {
	if strings.IndexByte(s, '-') >= 0 {
		s = generatedName.ReplaceAllString(s, "$1")
	}
	if hasHexRun(s, minHexID) {
		s = hexID.ReplaceAllString(s, " ")
	}
	if !strings.Contains(s, "  ") && strings.IndexByte(s, '\t') < 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if isOutputRow(line) {
			lines[i] = outputAge.ReplaceAllString(line, " ")
		}
	}
	return strings.Join(lines, "\n")
}

// isOutputRow reports whether a line looks like a row of a command's table output: columns
// apart by runs of spaces or tabs. An age ("9m", "41d") is read as one only there, since in a
// sentence "250m" may be a CPU request.
func isOutputRow(line string) bool {
	return strings.IndexByte(line, '\t') >= 0 || strings.Count(line, "  ") >= 2
}

// hasHexRun reports whether s holds n hexadecimal digits in a row.
func hasHexRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// surfaceWords splits text into lower-case words the way the analyzer's char filters and
// tokenizer do.
func (ix *Index) surfaceWords(text string) []string {
	input := []byte(strings.ToLower(text))
	for _, f := range ix.analyzer.CharFilters {
		input = f.Filter(input)
	}
	stream := ix.tokenizer.Tokenize(input)
	words := make([]string, len(stream))
	for i, tok := range stream {
		words[i] = string(tok.Term)
	}
	return words
}

// intentCue is how wording asks for one kind of answer: words, phrases anywhere, and phrases
// that open the question. Cues are matched on the question's lower-case words before stop
// words go: "or", "what" and "how" are stop words but say what kind of answer is wanted.
type intentCue struct {
	intent  Intent
	words   map[string]bool
	phrases []string
	opens   []string
	// except are phrases that hold one of the cue's phrases but ask for something else: "why do
	// we need kubernetes" asks what it is for, not whether to use it.
	except []string
}

// intentCues are tried in order: an explicit comparison ("vs", "difference") outranks
// "together", which outranks a mere choice ("or", "better").
var intentCues = []intentCue{
	{intent: CompareIntent, words: setOf("vs", "versus", "difference", "differences", "diff", "diffs",
		"differ", "differs", "differently", "compare", "compared", "compares", "comparing",
		"comparison", "replace", "replaces"),
		phrases: padded("different from", "same as", "same thing as", "replacement for")},
	{intent: TogetherIntent, words: setOf("together", "complement", "complements", "complementary",
		"alongside", "fit", "fits", "role", "relationship", "relate", "relates", "combine", "combined"),
		phrases: padded("with each other", "work with", "use docker with", "use it with")},
	{intent: CompareIntent, words: setOf("or", "better", "instead", "choose", "pick"), phrases: padded("which one")},
	{intent: ShouldIntent, words: setOf("should", "worth", "overkill", "recommended", "advisable", "necessary"),
		except: padded("why do i need", "why do we need", "why do you need", "why would i need", "why would we need", "why would you need"),
		phrases: padded("do i need", "do we need", "do you need", "don't need", "dont need", "do not need", "good idea", "bad idea", "is it ok",
			"is it okay", "when to use", "best practice", "best practices", "pros and cons", "is it possible")},
	{intent: ProblemIntent, words: setOf("error", "errors", "fails", "failed", "failing", "failure", "stuck",
		"broken", "crash", "crashes", "crashing", "unable", "cannot", "can't", "cant", "wont", "won't", "issue",
		"problem", "troubleshoot", "troubleshooting", "debug"),
		phrases: padded("not working", "doesn't work", "does not work", "why is my", "why does my", "why are my")},
	{intent: HowToIntent, phrases: padded("how do i", "how do we", "how do you", "how can i", "how can we",
		"how can you", "how should i", "how should we", "how would i", "how would we", "how would you",
		"how to", "step to", "steps to", "way to", "step by step")},
	{intent: DefineIntent, words: setOf("define", "explain", "explained", "eli5", "rundown", "overview"),
		phrases: padded("what is a", "what is an", "what is the", "what is it", "what is this", "what is that", "what are the",
			"what are they", "meaning of", "plain english", "simple terms", "point of", "used for", "stand for"),
		opens: padded("whats", "what's", "wats", "what is", "what are", "wat is", "wht is")},
}

// cueLookup is intentCues by word: the cues a word is, and the cue phrases that open with it.
// Each of a question's words is looked up once, however many cues there are: thousands of
// phrasings are read for their cues at every build.
type cueLookup map[string]cueWord

// cueWord is what a word is to the cues: bits of the cues it is a word of, by their place in
// intentCues, and the cue phrases that open with it.
type cueWord struct {
	cues   uint
	starts []cuePhrase
}

// cuePhrase is a phrase of the cue at intentCues[cue].
type cuePhrase struct {
	cue    int
	phrase string
}

var cuesByWord = lookupCues(intentCues)

func lookupCues(cues []intentCue) cueLookup {
	l := cueLookup{}
	for i, c := range cues {
		for w := range c.words {
			cw := l[w]
			cw.cues |= 1 << i
			l[w] = cw
		}
		for _, p := range c.phrases {
			first, _, _ := strings.Cut(strings.TrimSpace(p), " ")
			cw := l[first]
			cw.starts = append(cw.starts, cuePhrase{cue: i, phrase: p})
			l[first] = cw
		}
	}
	return l
}

// intensifiers are left out before cues are matched: "do you really need kubernetes" asks what
// "do you need kubernetes" asks.
var intensifiers = setOf("really", "actually", "even", "truly", "honestly", "still", "ever", "seriously")

func isIntensifier(w string) bool { return intensifiers[w] }

// whatDoes is the one cue that needs a pattern: "what does kubernetes (even) do", its
// intensifiers already gone.
var whatDoes = regexp.MustCompile(`\bwhat does \S+ do\b`)

// intentOf reads the kinds of answer a question asks for from its wording: the first one the
// cues find, and all of them as bits.
func intentOf(words []string) (Intent, uint) {
	// Thousands of phrasings are read at every build, few with an intensifier.
	if slices.ContainsFunc(words, isIntensifier) {
		words = slices.DeleteFunc(slices.Clone(words), isIntensifier)
	}
	text := spaced(words)
	found := foundCues(words, text)
	first, cues := AnyIntent, uint(0)
	for i, cue := range intentCues {
		if found&(1<<i) != 0 {
			if cues == 0 {
				first = cue.intent
			}
			cues |= 1 << cue.intent
		}
	}
	if strings.Contains(text, " what does ") && whatDoes.MatchString(text) {
		if cues == 0 {
			first = DefineIntent
		}
		cues |= 1 << DefineIntent
	}
	if cues == 0 {
		cues = 1 << AnyIntent
	}
	return first, cues
}

// cuesOf is the cues of intentOf.
func cuesOf(words []string) uint {
	_, cues := intentOf(words)
	return cues
}

// foundCues are the cues the question holds, as words and as " "-padded text: bits by their
// place in intentCues.
func foundCues(words []string, text string) uint {
	found := uint(0)
	var buf [32]cueWord // the words' entries, each word looked up once; few phrasings are longer
	looked := buf[:0]
	for _, w := range words {
		cw := cuesByWord[w]
		found |= cw.cues
		looked = append(looked, cw)
	}
	// A phrase is tried only for a cue that no word or earlier phrase found, and against the
	// text without the cue's exceptions only when the text holds it at all.
	for _, cw := range looked {
		for _, p := range cw.starts {
			if found&(1<<p.cue) == 0 && strings.Contains(text, p.phrase) &&
				strings.Contains(intentCues[p.cue].without(text), p.phrase) {
				found |= 1 << p.cue
			}
		}
	}
	for i, c := range intentCues {
		for _, p := range c.opens {
			if found&(1<<i) == 0 && strings.HasPrefix(text, p) {
				found |= 1 << i
			}
		}
	}
	return found
}

// without is text with the cue's except phrases blanked out.
func (c intentCue) without(text string) string {
	for _, p := range c.except {
		text = strings.ReplaceAll(text, p, " ")
	}
	return text
}

// padded are phrases with a space either side, as they stand in a question's " "-padded text.
func padded(phrases ...string) []string {
	out := make([]string, len(phrases))
	for i, p := range phrases {
		out[i] = " " + p + " "
	}
	return out
}
