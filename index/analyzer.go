package index

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// normalizeAt is where newAnalyzer puts the normalizeFilter among the token filters: after
// possessives and lower case, before stop words and stems.
const normalizeAt = 2

// newAnalyzer is English analysis (possessives, lower case, stop words, Porter stems) with the
// lexicon's normalisation before the stop words, so "k8s" and "kube" meet "kubernetes" before
// stemming. It is the index's own, not registered with bleve: entries reach bleve already
// analysed, and each index may have its own vocabulary.
func newAnalyzer(lx *lexicon) (*analysis.DefaultAnalyzer, error) {
	cache := registry.NewCache()
	unicodeTokenizer, err := cache.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	tokenizer := wordTokenizer{unicode: unicodeTokenizer}
	filters := make([]analysis.TokenFilter, 5)
	filters[normalizeAt] = normalizeFilter{lx}
	for i, name := range []string{en.PossessiveName, lowercase.Name, "", en.StopName, porter.Name} {
		if name == "" {
			continue
		}
		if filters[i], err = cache.TokenFilterNamed(name); err != nil {
			return nil, fmt.Errorf("token filter %s: %w", name, err)
		}
	}
	return &analysis.DefaultAnalyzer{
		CharFilters: []analysis.CharFilter{quoteFilter{}, joinFilter{lx}}, Tokenizer: tokenizer, TokenFilters: filters,
	}, nil
}

// textAnalyzer analyses many texts in one goroutine, as a build does. A knowledge base repeats
// its words, and the token filters read each word on its own, but for the lexicon's compounds
// ("stateful set"): so it remembers what the filters make of each word it met, and runs them
// only on words new to it and on the words around a compound's first word. Looking each word
// up in each filter's own table (possessives, compounds, filler, synonyms, stop words, stems)
// was two fifths of a build's analysis. Each word and term is made a string once: a string for
// every word of every text was 3.9 million of the 10.1 million allocations of a build of 10,000
// entries. Not for questions, where the memory would grow with whatever people type.
type textAnalyzer struct {
	da *analysis.DefaultAnalyzer
	// compoundStarts are the first words of the lexicon's compounds (see lexicon).
	compoundStarts map[string]bool
	// known is what the filters make of each word met, by the word as tokenized.
	known map[string]wordAnalysis
	// stems is what the filters after the normalizeFilter make of each word it wrote: its
	// stem, or "" for a stop word.
	stems map[string]string
	// strings holds every word and term made a string, so that equal ones share one (see
	// string).
	strings map[string]string
}

// wordAnalysis is what the token filters make of one word on its own.
type wordAnalysis struct {
	surface string   // the word in lower case
	terms   []string // its terms: none for a filler or stop word, several for some synonyms
	// compound marks the words that may begin one of the lexicon's compounds, whose terms
	// depend on the words after them.
	compound bool
}

// newTextAnalyzer is da with a tokenizer that reuses its tokens from text to text.
func newTextAnalyzer(da *analysis.DefaultAnalyzer) *textAnalyzer {
	tokenizer := da.Tokenizer
	if words, ok := tokenizer.(wordTokenizer); ok {
		words.reuse = &tokenSlab{}
		tokenizer = words
	}
	return &textAnalyzer{
		da:             &analysis.DefaultAnalyzer{CharFilters: da.CharFilters, Tokenizer: tokenizer, TokenFilters: da.TokenFilters},
		compoundStarts: da.TokenFilters[normalizeAt].(normalizeFilter).lx.compoundStarts,
		known:          map[string]wordAnalysis{}, stems: map[string]string{}, strings: map[string]string{},
	}
}

// words is sequence and surfaceWords in one pass: it tokenizes once and gives each word the
// terms the analyzer's token filters would.
func (ta *textAnalyzer) words(text string) (surface, terms []string) {
	input := []byte(text)
	for _, f := range ta.da.CharFilters {
		input = f.Filter(input)
	}
	stream := ta.da.Tokenizer.Tokenize(input)
	surface = make([]string, len(stream))
	terms = make([]string, 0, len(stream))
	for i := 0; i < len(stream); {
		w := ta.word(stream[i])
		if !w.compound {
			surface[i] = w.surface
			terms = append(terms, w.terms...)
			i++
			continue
		}
		end := ta.compoundReach(stream, i)
		for j := i; j < end; j++ {
			surface[j] = ta.word(stream[j]).surface
		}
		terms = ta.stem(ta.normalize(stream[i:end]), terms)
		i = end
	}
	return surface, terms
}

// compoundReach is where the words that a compound beginning at stream[i] may join end: past
// the longest compound from each word that may begin one, until none reaches further.
func (ta *textAnalyzer) compoundReach(stream analysis.TokenStream, i int) int {
	end := i + 1
	for j := i; j < end && j < len(stream); j++ {
		if ta.word(stream[j]).compound {
			end = max(end, j+maxCompoundWords)
		}
	}
	return min(end, len(stream))
}

// word is what the token filters make of tok on its own, computed the first time the word is
// met.
func (ta *textAnalyzer) word(tok *analysis.Token) wordAnalysis {
	if w, ok := ta.known[string(tok.Term)]; ok {
		return w
	}
	key := string(tok.Term)
	alone := analysis.TokenStream{{Term: []byte(key), Start: tok.Start, End: tok.End, Position: 1, Type: tok.Type}}
	filters := ta.da.TokenFilters
	for _, f := range filters[:normalizeAt] {
		alone = f.Filter(alone)
	}
	w := wordAnalysis{surface: ta.string(lower(tok.Term))}
	if len(alone) == 1 {
		w.compound = ta.compoundStarts[string(alone[0].Term)]
	}
	w.terms = ta.stem(filters[normalizeAt].Filter(alone), nil)
	ta.known[key] = w
	return w
}

// normalize runs the token filters up to the normalizeFilter's (see normalizeAt) over stream.
// Compounds are found there, filler dropped and synonyms written; after it, each token is
// filtered on its own.
func (ta *textAnalyzer) normalize(stream analysis.TokenStream) analysis.TokenStream {
	for _, f := range ta.da.TokenFilters[:normalizeAt+1] {
		stream = f.Filter(stream)
	}
	return stream
}

// stem appends to terms the terms the remaining token filters make of the normalized stream,
// each word's computed the first time it is met. It rewrites the stream's tokens.
func (ta *textAnalyzer) stem(stream analysis.TokenStream, terms []string) []string {
	for _, tok := range stream {
		stem, ok := ta.stems[string(tok.Term)]
		if !ok {
			word := string(tok.Term)
			alone := analysis.TokenStream{tok}
			for _, f := range ta.da.TokenFilters[normalizeAt+1:] {
				alone = f.Filter(alone)
			}
			if len(alone) == 1 {
				stem = ta.string(alone[0].Term)
			}
			ta.stems[word] = stem
		}
		if stem != "" {
			terms = append(terms, stem)
		}
	}
	return terms
}

// lower is b in lower case: b itself when it has no capital letter, or a copy.
func lower(b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return bytes.ToLower(b)
		}
	}
	return b
}

// string is b as a string, the same one each time.
func (ta *textAnalyzer) string(b []byte) string {
	if s, ok := ta.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	ta.strings[s] = s
	return s
}

// quoteFilter writes typographic quotes as typewriter ones. Text copied from web pages and
// written on phones has "doesn’t" and “latest”: with a curly apostrophe, "doesn’t" is a word of
// its own, not the filler "doesn't", and weighs as the rarest word of the question.
type quoteFilter struct{}

// typographic are the curly quotes and their typewriter forms.
var typographic = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`)

// Filter replaces the curly quotes of input. Text without one is returned as it is.
func (quoteFilter) Filter(input []byte) []byte {
	if !bytes.Contains(input, []byte("\xe2\x80")) { // the first two bytes of all four in UTF-8
		return input
	}
	return []byte(typographic.Replace(string(input)))
}

// joinFilter writes the lexicon's hyphenated names as one word before tokenizing: the
// tokenizer would split "cri-o" into "cri" and a meaningless "o", and "cri" alone means the
// runtime interface.
type joinFilter struct{ lx *lexicon }

// Filter removes the hyphens of the joined names. Text that cannot hold one is returned as it
// is, skipping the regular expression.
func (f joinFilter) Filter(input []byte) []byte {
	if f.lx.joined == nil || !f.lx.mayHoldJoined(input) {
		return input
	}
	return f.lx.joined.ReplaceAllFunc(input, func(m []byte) []byte {
		return bytes.ReplaceAll(m, []byte("-"), nil)
	})
}

// normalizeFilter joins split compounds, applies the lexicon's synonyms and drops filler words.
type normalizeFilter struct{ lx *lexicon }

// Filter rewrites the stream. A compound written as two or three words ("stateful set",
// "docker in docker") becomes the one word it names; a synonym of several words becomes
// several tokens. Positions are renumbered in order. Tokens are reused where they can be: bodies run through here at every Build.
func (f normalizeFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	lx := f.lx
	out := input[:0:0]
	for i := 0; i < len(input); i++ {
		tok := input[i]
		word := string(tok.Term)
		if i+1 < len(input) && lx.compoundStarts[word] {
			if joined, n := lx.compoundAt(input[i:]); n > 0 {
				i += n - 1
				word, tok.Term, tok.End = joined, []byte(joined), input[i].End
			}
		}
		if name, file, ok := configFile(word); ok {
			out = f.emit(out, tok, name, []byte(name))
			out = append(out, &analysis.Token{
				Term: []byte(file), Start: tok.Start, End: tok.End, Position: len(out) + 1, Type: tok.Type,
			})
			continue
		}
		out = f.emit(out, tok, word, tok.Term)
	}
	return out
}

// emit appends word, read at tok, to out: dropped when it is filler, its synonym's words when it
// has one, else tok itself with term.
func (f normalizeFilter) emit(out analysis.TokenStream, tok *analysis.Token, word string, term []byte) analysis.TokenStream {
	if f.lx.filler[word] {
		return out
	}
	canon, ok := f.lx.synonyms[word]
	if !ok {
		tok.Term, tok.Position = term, len(out)+1
		return append(out, tok)
	}
	for _, part := range strings.Fields(canon) {
		out = append(out, &analysis.Token{
			Term: []byte(part), Start: tok.Start, End: tok.End, Position: len(out) + 1, Type: tok.Type,
		})
	}
	return out
}

// configFile reads a configuration file's name ("deployment.yaml", the compose.yml of
// "docker-compose.yml") as the word it is named after and the file, its extension written one
// way (yml as yaml): the tokenizer keeps "deployment.yaml" whole, and a question about it did
// not meet the entries on Deployments, nor "compose.yml" the entries' "compose.yaml".
func configFile(word string) (name, file string, ok bool) {
	name, ext, found := strings.Cut(word, ".")
	if !found || name == "" || strings.Contains(ext, ".") {
		return "", "", false
	}
	switch ext {
	case "yml", "yaml":
		return name, name + ".yaml", true
	case "json", "toml", "conf":
		return name, word, true
	}
	return "", "", false
}
