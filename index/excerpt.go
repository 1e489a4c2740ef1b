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
// body's order, the parts holding the most weight of q's terms, within excerptBytes; a list
// item comes with the line that introduces its list. It is "" when the whole body should be
// shown: a short body, a question without terms (a topic picked from a list), one whose words
// no part holds, or parts that would be most of the body anyway.
func (ix *Index) excerpt(body string, q Question) string {
	if len(body) <= wholeBodyBytes || len(q.Terms) == 0 {
		return ""
	}
	parts := bodyParts(body)
	if len(parts) < 3 {
		return ""
	}
	ranked := rankParts(parts, ix.termIDFs(q.Terms))
	if len(ranked) == 0 {
		return ""
	}
	shown, size := chooseParts(parts, ranked)
	if float64(size) > mostlyWhole*float64(len(body)) {
		return ""
	}
	return joinParts(parts, shown)
}

// scoredPart is a part of a body and how much of a question it holds.
type scoredPart struct {
	at    int
	score float64
}

// rankParts scores the parts after the opening one that hold some of weights, best first. An
// introduction to a list is not scored on its own: it counts headingBonus towards its items'.
// The opening part, shown whatever the question, counts towards none.
func rankParts(parts []bodyPart, weights []weightedTerm) []scoredPart {
	var ranked []scoredPart
	introScores := map[int]float64{}
	for i, p := range parts[1:] {
		if p.introduces {
			introScores[i+1] = termsScore(strings.ToLower(p.text), weights)
			continue
		}
		if s := partScore(p.text, weights) + headingBonus*introScores[p.intro]; s > 0 {
			ranked = append(ranked, scoredPart{i + 1, s})
		}
	}
	slices.SortStableFunc(ranked, func(a, b scoredPart) int { return cmp.Compare(b.score, a.score) })
	return ranked
}

// chooseParts takes the opening part, the best-ranked one, and the next ones while they score
// at least keptShare of the best and fit in excerptBytes, each list item with its introduction.
// It gives which parts are shown and their size.
func chooseParts(parts []bodyPart, ranked []scoredPart) (shown []bool, size int) {
	shown = make([]bool, len(parts))
	shown[0] = true
	for i, r := range ranked {
		need := []int{r.at}
		if in := parts[r.at].intro; in >= 0 && !shown[in] {
			need = append(need, in)
		}
		add := 0
		for _, at := range need {
			add += len(parts[at].text)
		}
		if i > 0 && (r.score < keptShare*ranked[0].score || size+add > excerptBytes) {
			continue
		}
		for _, at := range need {
			shown[at] = true
		}
		size += add
	}
	return shown, size + len(parts[0].text)
}

// joinParts writes the shown parts in the body's order: a list item right under its list's
// introduction or another item of it, other parts a blank line apart.
func joinParts(parts []bodyPart, shown []bool) string {
	var b strings.Builder
	last := -1
	for at, p := range parts {
		if !shown[at] {
			continue
		}
		if last >= 0 {
			if p.list >= 0 && parts[last].list == p.list {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(p.text)
		last = at
	}
	return b.String()
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

// bodyPart is a part of an entry's body that an excerpt shows or leaves out.
type bodyPart struct {
	text string
	// intro is, for an item of a long list, the part that introduces the list ("Where TLS
	// ends decides what the controller can still do:"), or -1.
	intro int
	// introduces marks such an introduction: it is shown with its items, not alone.
	introduces bool
	// list numbers the split list the part belongs to, items and introduction alike; -1 for
	// the others.
	list int
}

// bodyParts splits a Markdown body at its blank lines, the way its writers group a topic's
// sentences, lists and examples, except inside a fenced code block. A part that is only a code
// block belongs to the part before it, which introduces it. A long list is split further into
// its items (see listItems), so that one item is not shown only with all the others.
func bodyParts(body string) []bodyPart {
	var parts []bodyPart
	for list, block := range bodyBlocks(body) {
		intro, items := listItems(block)
		if items == nil {
			parts = append(parts, bodyPart{text: block, intro: -1, list: -1})
			continue
		}
		at := -1
		if intro != "" {
			at = len(parts)
			parts = append(parts, bodyPart{text: intro, intro: -1, introduces: true, list: list})
		}
		for _, item := range items {
			parts = append(parts, bodyPart{text: item, intro: at, list: list})
		}
	}
	return parts
}

// bodyBlocks splits body at the blank lines outside fenced code, with a block that is only code
// joined to the one before it. Blocks are substrings of body: an excerpt copies no text.
func bodyBlocks(body string) []string {
	body = strings.TrimSpace(body)
	type span struct{ start, end int }
	var blocks []span
	cur := span{-1, -1}
	fenced := false
	flush := func() {
		if cur.start < 0 {
			return
		}
		if strings.HasPrefix(body[cur.start:], "```") && len(blocks) > 0 {
			blocks[len(blocks)-1].end = cur.end
		} else {
			blocks = append(blocks, cur)
		}
		cur = span{-1, -1}
	}
	at := 0
	for line := range strings.Lines(body) {
		text := strings.TrimSpace(line)
		if strings.HasPrefix(text, "```") {
			fenced = !fenced
		}
		if text == "" && !fenced {
			flush()
		} else {
			if cur.start < 0 {
				cur.start = at
			}
			cur.end = at + len(strings.TrimSuffix(line, "\n"))
		}
		at += len(line)
	}
	flush()
	out := make([]string, len(blocks))
	for i, b := range blocks {
		out[i] = body[b.start:b.end]
	}
	return out
}

// Lists are split into items only when long: a short one reads best whole.
const (
	// splitListBytes is the shortest block whose list is split.
	splitListBytes = 1000
	// minListItems is the fewest items a list is split into.
	minListItems = 3
)

// listItems splits a block longer than splitListBytes that holds a list of at least
// minListItems items into the lines before the list and the items, each with the lines that
// continue it (indented text, code). Items are the lines that start with "- ", "* " or a
// number and ". " outside fenced code. A block that is not such a list gives nil items.
func listItems(block string) (intro string, items []string) {
	if len(block) <= splitListBytes {
		return "", nil
	}
	var starts []int // where each item begins in block
	fenced := false
	at := 0
	for line := range strings.Lines(block) {
		if !fenced && startsItem(line) {
			starts = append(starts, at)
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		at += len(line)
	}
	if len(starts) < minListItems {
		return "", nil
	}
	items = make([]string, len(starts))
	for i, at := range starts {
		end := len(block)
		if i+1 < len(starts) {
			end = starts[i+1] - 1 // the newline before the next item
		}
		items[i] = block[at:end]
	}
	return strings.TrimSuffix(block[:starts[0]], "\n"), items
}

// startsItem reports whether line begins a list item at the left margin.
func startsItem(line string) bool {
	if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") {
		return true
	}
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	return digits > 0 && strings.HasPrefix(line[digits:], ". ")
}
