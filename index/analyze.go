package index

import (
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
	q.Terms = ix.terms(strings.Join(words, " "))
	if len(q.Terms) > maxTerms {
		q.Terms = q.Terms[:maxTerms]
	}
	present := make(map[string]bool, len(q.Terms))
	for _, t := range q.Terms {
		present[t] = true
		if ix.df[t] == 0 {
			q.Unknown = append(q.Unknown, t)
		}
		if ix.anchors[t] {
			q.Anchored = true
		}
	}
	q.Entities = namedIn(ix.entities, present)
	q.Aspects = namedIn(ix.aspects, present)
	return q
}

// misspelt reports whether w is a word the knowledge base does not know: not a stop word, not
// filler, and none of its terms used by any entry.
func (ix *Index) misspelt(w string) bool {
	if len(w) < minCorrectable || ix.spelled[w] > 0 {
		return false
	}
	for _, t := range ix.terms(w) {
		if ix.df[t] == 0 {
			return true
		}
	}
	return false
}

// namedIn lists the names whose terms all appear in present, sorted.
func namedIn(names map[string][]string, present map[string]bool) []string {
	var found []string
	for name, terms := range names {
		if len(terms) > 0 && allIn(terms, present) {
			found = append(found, name)
		}
	}
	sort.Strings(found)
	return found
}

func allIn(terms []string, set map[string]bool) bool {
	for _, t := range terms {
		if !set[t] {
			return false
		}
	}
	return true
}
