package index

import (
	"slices"
	"sort"
	"strings"
)

// Analyze reads a question: removes Slack markup, corrects misspelt words against the
// knowledge base's own vocabulary, analyses it into terms, and finds the entities, aspects and
// intent it names. User text only ever becomes terms: it never reaches a query syntax.
func (ix *Index) Analyze(text string) Question {
	q := Question{Text: cleanText(text)}
	words := surfaceWords(ix.tokenizer, q.Text)
	q.Intent = intentOf(words)
	for i, w := range words {
		if !ix.misspelt(w) {
			continue
		}
		if c := ix.correct(w); c != "" {
			if q.Corrected == nil {
				q.Corrected = map[string]string{}
			}
			q.Corrected[w] = c
			words[i] = c
		}
	}
	seq := ix.sequence(strings.Join(words, " "))
	q.Terms = dedupe(seq, maxTerms)
	for _, t := range q.Terms {
		if ix.df[t] == 0 {
			q.Unknown = append(q.Unknown, t)
		}
		if ix.anchors[t] {
			q.Anchored = true
		}
	}
	q.Entities = namedIn(ix.entities, seq)
	q.Aspects = namedIn(ix.aspects, seq)
	q.Aspects = slices.DeleteFunc(q.Aspects, func(a string) bool { return intentAspects[a] })
	return q
}

// intentAspects are aspects that say what kind of answer an entry gives rather than what it is
// about; the question's intent already weighs them, and "vs" alone must not count as an aspect.
var intentAspects = setOf("comparison", "definition", "purpose")

// misspelt reports whether w is a word the knowledge base does not know: not a stop word, not
// filler, and none of its terms used by any entry.
func (ix *Index) misspelt(w string) bool {
	if len(w) < minCorrectable || ix.known[w] > 0 || fillerWords[w] {
		return false
	}
	for _, t := range ix.terms(w) {
		if ix.df[t] == 0 {
			return true
		}
	}
	return false
}

// dedupe keeps the first of each term, at most limit of them.
func dedupe(seq []string, limit int) []string {
	seen := make(map[string]bool, len(seq))
	out := make([]string, 0, min(len(seq), limit))
	for _, t := range seq {
		if !seen[t] && len(out) < limit {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// namedIn lists, sorted, the names whose terms stand together in seq: "docker desktop" is
// named by "is docker desktop free", not by "docker on my windows desktop".
func namedIn(names map[string][]string, seq []string) []string {
	var found []string
	for name, terms := range names {
		if len(terms) > 0 && containsRun(seq, terms) {
			found = append(found, name)
		}
	}
	sort.Strings(found)
	return found
}

// containsRun reports whether run occurs in seq as consecutive elements.
func containsRun(seq, run []string) bool {
	for i := 0; i+len(run) <= len(seq); i++ {
		match := true
		for j, t := range run {
			if seq[i+j] != t {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
