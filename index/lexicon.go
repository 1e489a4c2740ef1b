package index

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/dvkbot/dvkbot/knowledge"
)

// lexicon is a knowledge.Vocabulary compiled for matching. It is applied the same way to
// entries when indexing and to questions when matching, so both meet in one vocabulary. Keys
// are lower-case surface words, before stemming.
type lexicon struct {
	synonyms  map[string]string
	compounds map[string]string
	// compoundStarts are the first words of the compounds, so most words skip the pair lookup.
	compoundStarts map[string]bool
	// joined matches the hyphenated names written as one word; nil when there are none.
	// joinedAt are the same names split at their first hyphen, nil when one has none (see
	// mayHoldJoined).
	joined   *regexp.Regexp
	joinedAt []hyphenated
	filler   map[string]bool
	everyday map[string]bool
	anchors  map[string]bool
	foreign  map[string]bool
	// foreignPhrases are the foreign entries of more than one word, space-padded like
	// instructions: "space probe" is another domain, though "space" and "probe" are not.
	foreignPhrases []string
	// instructions are the vocabulary's instruction phrases, lower case, space-padded for
	// matching whole words in a space-padded text.
	instructions []string
	brands       map[string]map[string]bool
	starters     []string
	fallback     string
	nearMiss     string
}

func newLexicon(v knowledge.Vocabulary) *lexicon {
	lx := &lexicon{
		synonyms: lowerKeys(v.Synonyms), compounds: map[string]string{}, compoundStarts: map[string]bool{},
		filler: setOf(v.Filler...), everyday: setOf(v.Everyday...), anchors: setOf(v.Anchors...),
		foreign: map[string]bool{},
		brands:  map[string]map[string]bool{}, starters: v.Starters, fallback: v.Fallback, nearMiss: v.NearMiss,
	}
	for pair, word := range v.Compounds {
		key := strings.Join(strings.Fields(strings.ToLower(pair)), " ")
		lx.compounds[key] = strings.ToLower(word)
		lx.compoundStarts[strings.Fields(key)[0]] = true
	}
	for _, f := range v.Foreign {
		if words := strings.Fields(strings.ToLower(f)); len(words) > 1 {
			lx.foreignPhrases = append(lx.foreignPhrases, spaced(words))
		} else if len(words) == 1 {
			lx.foreign[words[0]] = true
		}
	}
	for _, phrase := range v.Instructions {
		lx.instructions = append(lx.instructions, spaced(strings.Fields(strings.ToLower(phrase))))
	}
	for brand, products := range v.Brands {
		lx.brands[strings.ToLower(brand)] = setOf(products...)
	}
	if len(v.Joined) > 0 {
		quoted := make([]string, len(v.Joined))
		for i, j := range v.Joined {
			quoted[i] = regexp.QuoteMeta(j)
		}
		lx.joined = regexp.MustCompile(`(?i)\b(` + strings.Join(quoted, "|") + `)\b`)
		lx.joinedAt = splitAtHyphens(v.Joined)
	}
	return lx
}

// hyphenated is a name split at its first hyphen: the letters before it, last first, and those
// after it.
type hyphenated struct {
	before, after []rune
}

// splitAtHyphens splits each name at its first hyphen; nil when some name has none.
func splitAtHyphens(names []string) []hyphenated {
	out := make([]hyphenated, len(names))
	for i, name := range names {
		before, after, ok := strings.Cut(name, "-")
		if !ok {
			return nil
		}
		out[i] = hyphenated{before: []rune(before), after: []rune(after)}
		slices.Reverse(out[i].before)
	}
	return out
}

// mayHoldJoined reports whether text may hold a joined name, so that most texts skip the
// regular expression, which costs a fifth of analysing a knowledge base. A hyphen matches only
// a hyphen however case is folded, so a name can only stand around one of text's hyphens, with
// the name's letters, case folded as the expression folds them, on either side. It reports
// false only when the expression would find nothing.
func (lx *lexicon) mayHoldJoined(text []byte) bool {
	if lx.joinedAt == nil {
		return true
	}
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '-')
		if j < 0 {
			return false
		}
		for _, name := range lx.joinedAt {
			if name.around(text, i+j) {
				return true
			}
		}
		i += j + 1
	}
}

// around reports whether the name stands, case folded, around the hyphen at text[hyphen].
func (h hyphenated) around(text []byte, hyphen int) bool {
	i := hyphen
	for _, want := range h.before {
		r, size := utf8.DecodeLastRune(text[:i])
		if size == 0 || !sameFold(r, want) {
			return false
		}
		i -= size
	}
	i = hyphen + 1
	for _, want := range h.after {
		r, size := utf8.DecodeRune(text[i:])
		if size == 0 || !sameFold(r, want) {
			return false
		}
		i += size
	}
	return true
}

// sameFold reports whether a and b are the same letter under simple case folding, as a
// regular expression's (?i) has it.
func sameFold(a, b rune) bool {
	for r := a; ; {
		if r == b {
			return true
		}
		if r = unicode.SimpleFold(r); r == a {
			return false
		}
	}
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = strings.ToLower(v)
	}
	return out
}

func setOf(words ...string) map[string]bool {
	s := make(map[string]bool, len(words))
	for _, w := range words {
		s[strings.ToLower(w)] = true
	}
	return s
}

// maxCompoundWords is the most words compoundAt joins.
const maxCompoundWords = 3

// compoundAt is the compound the stream starts with, three words before two ("docker in
// docker" before "docker in"), and how many tokens it takes; 0 when none.
func (lx *lexicon) compoundAt(stream analysis.TokenStream) (string, int) {
	two := string(stream[0].Term) + " " + string(stream[1].Term)
	if len(stream) > 2 {
		if joined, ok := lx.compounds[two+" "+string(stream[2].Term)]; ok {
			return joined, 3
		}
	}
	if joined, ok := lx.compounds[two]; ok {
		return joined, 2
	}
	return "", 0
}

// foreignWords counts the distinct words and phrases of words that the vocabulary says belong
// to another domain.
func (lx *lexicon) foreignWords(words []string) int {
	seen := map[string]bool{}
	for _, w := range words {
		w = strings.TrimSuffix(w, "'s") // curly apostrophes are straight by now (see quoteFilter)
		if lx.foreign[w] {
			seen[w] = true
		}
	}
	if len(lx.foreignPhrases) > 0 {
		text := spaced(words)
		for _, phrase := range lx.foreignPhrases {
			if strings.Contains(text, phrase) {
				seen[phrase] = true
			}
		}
	}
	return len(seen)
}

// instructs reports whether words hold one of the vocabulary's instruction phrases.
func (lx *lexicon) instructs(words []string) bool {
	text := spaced(words)
	for _, phrase := range lx.instructions {
		if strings.Contains(text, phrase) {
			return true
		}
	}
	return false
}

// spaced joins words with a space between and one either side: a phrase spaced the same way
// is found in it only as whole words.
func spaced(words []string) string {
	return " " + strings.Join(words, " ") + " "
}
