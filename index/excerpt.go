package index

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Excerpts: entries grew into pages that answer many questions about one topic (a median of
// 4 KB, 16 KB at most), and a reply that is the whole page makes the asker hunt for the part they
// asked about. An answer to a question therefore shows the entry's opening line and the parts of
// its body that hold the question's words, and offers the whole entry beside them.
const (
	// wholeBodyBytes is the longest body shown whole: about one screen of a Slack thread.
	wholeBodyBytes = 3500
	// excerptBytes is how much of the body an excerpt holds besides its opening line. The part
	// that matches best is shown even when it is longer.
	excerptBytes = 2800
	// keptShare is the least share of the best part's score another part needs to be shown:
	// a part holding only the question's commonest word is not about the question.
	keptShare = 0.4
	// headingBonus is how much more a term counts in a part's heading, the line that says what
	// the part is about ("Backup by mounting the volume in a throwaway container:").
	headingBonus = 0.5
	// maxHeadingBytes is the longest first line read as a heading.
	maxHeadingBytes = 200
	// mostlyWhole is the share of the body past which an excerpt is not worth it: the whole
	// body is shown instead.
	mostlyWhole = 0.75
)

// excerpt is the parts of body that bear on the question q: its opening line, then, in the
// body's order, the parts holding the most weight of q's terms, within excerptBytes. It is ""
// when the whole body should be shown: a short body, a question without terms (a topic picked
// from a list), one whose words no part holds, or parts that would be most of the body anyway.
func (ix *Index) excerpt(body string, q Question) string {
	if len(body) <= wholeBodyBytes || len(q.Terms) == 0 {
		return ""
	}
	parts := bodyParts(body)
	if len(parts) < 3 {
		return ""
	}
	weights := ix.termIDFs(q.Terms)
	type scored struct {
		at    int
		score float64
	}
	var ranked []scored
	for i, p := range parts[1:] {
		if s := partScore(p, weights); s > 0 {
			ranked = append(ranked, scored{i + 1, s})
		}
	}
	if len(ranked) == 0 {
		return ""
	}
	slices.SortStableFunc(ranked, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	shown := []int{0}
	size := 0
	for i, r := range ranked {
		if i > 0 && (r.score < keptShare*ranked[0].score || size+len(parts[r.at]) > excerptBytes) {
			continue
		}
		shown = append(shown, r.at)
		size += len(parts[r.at])
	}
	if float64(size+len(parts[0])) > mostlyWhole*float64(len(body)) {
		return ""
	}
	slices.Sort(shown)
	out := make([]string, len(shown))
	for i, at := range shown {
		out[i] = parts[at]
	}
	return strings.Join(out, "\n\n")
}

// weightedTerm is a question's term and its idf.
type weightedTerm struct {
	term string
	idf  float64
}

// termIDFs are the terms the knowledge base uses, with their idfs, in the order of terms: a
// fixed order of adding up keeps equal scores equal from run to run.
func (ix *Index) termIDFs(terms []string) []weightedTerm {
	a := ix.asked(terms)
	var weights []weightedTerm
	for i, t := range a.terms {
		if t.id >= 0 {
			weights = append(weights, weightedTerm{terms[i], t.idf})
		}
	}
	return weights
}

// partScore adds up the weights of the question's terms that part holds, each once: a part is
// about the question when it holds its rare words, however often. The terms of its heading
// count headingBonus more. A term is found as the start of a word of the text in lower case
// ("delet" in "deleted", "kubernet" in "Kubernetes"), since the terms are stems: analysing every
// part of a long body as the index does took 1.2 ms an answer, eight times a match.
func partScore(part string, weights []weightedTerm) float64 {
	score := termsScore(strings.ToLower(part), weights)
	if heading, _, more := strings.Cut(part, "\n"); more && len(heading) <= maxHeadingBytes {
		score += headingBonus * termsScore(strings.ToLower(heading), weights)
	}
	return score
}

// termsScore adds up the weights of the terms that begin a word of text.
func termsScore(text string, weights []weightedTerm) float64 {
	score := 0.0
	for _, w := range weights {
		if startsWord(text, w.term) {
			score += w.idf
		}
	}
	return score
}

// startsWord reports whether term begins some word of text.
func startsWord(text, term string) bool {
	for at := 0; ; {
		i := strings.Index(text[at:], term)
		if i < 0 {
			return false
		}
		if at+i == 0 || !isWordByte(text[at+i-1]) {
			return true
		}
		at += i + 1
	}
}

// isWordByte reports whether b belongs to a word: a letter, a digit, or part of a multi-byte
// letter.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= utf8.RuneSelf
}

// bodyParts splits a Markdown body at its blank lines, the way its writers group a topic's
// sentences, lists and examples, except inside a fenced code block. A part that is only a code
// block belongs to the part before it, which introduces it.
func bodyParts(body string) []string {
	var parts []string
	var cur []string
	fenced := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		part := strings.Join(cur, "\n")
		cur = cur[:0]
		if strings.HasPrefix(part, "```") && len(parts) > 0 {
			parts[len(parts)-1] += "\n\n" + part
			return
		}
		parts = append(parts, part)
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if strings.TrimSpace(line) == "" && !fenced {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return parts
}
