package index

// minCorrectable is the shortest word typo correction touches: shorter words have too many
// neighbours one edit away to guess from ("lead" is one edit from "load").
const minCorrectable = 5

// maxEdits is how many edits a misspelling of a word of n letters may have: two only for long
// words, where two edits still leave most of the word intact.
func maxEdits(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// correct returns the domain word w most likely stands for, or "" when there is none close
// enough. Distances count a swap of two neighbouring letters as one edit ("dokcer"). Only the
// domain's own words are candidates, so an everyday word the knowledge base happens not to use
// ("bother", "night") is not bent into one it does ("other", "right").
func (ix *Index) correct(w string) string {
	if len(w) < minCorrectable || !correctable(w) {
		return ""
	}
	limit := maxEdits(len(w))
	best, bestDist, bestFreq := "", limit+1, -1
	for _, cand := range ix.spellings.near(w, limit) {
		if !sameStart(w, cand) {
			continue
		}
		d := editDistance(w, cand, limit)
		freq := ix.known.count(cand)
		if d < bestDist || (d == bestDist && freq > bestFreq) {
			best, bestDist, bestFreq = cand, d, freq
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// spellings are the words a typo may be corrected to, by first letter and length: a typo keeps
// its first letter (or swaps it with the second) and its length within the edits allowed, so
// only a few buckets are compared with it however large the vocabulary.
type spellings struct {
	buckets map[spellKey][]string
	has     map[string]bool // nil once the words are final
}

type spellKey struct {
	first byte
	n     int
}

func newSpellings() *spellings {
	return &spellings{buckets: map[spellKey][]string{}, has: map[string]bool{}}
}

func (s *spellings) add(w string) {
	if s.has[w] {
		return
	}
	s.has[w] = true
	k := spellKey{w[0], len(w)}
	s.buckets[k] = append(s.buckets[k], w)
}

// seal drops what only adding words needs, once they are final.
func (s *spellings) seal() {
	s.has = nil
}

// near returns the words that start with w's first or second letter and whose length is within
// limit of w's.
func (s *spellings) near(w string, limit int) []string {
	var out []string
	for _, first := range []byte{w[0], w[1]} {
		for n := len(w) - limit; n <= len(w)+limit; n++ {
			out = append(out, s.buckets[spellKey{first, n}]...)
		}
		if w[1] == w[0] {
			break
		}
	}
	return out
}

// correctable reports whether w looks like a word at all: version numbers, ports and file
// names are left alone.
func correctable(w string) bool {
	for _, r := range w {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// sameStart reports whether a typo w may stand for cand: people rarely get the first letter
// wrong, except by swapping the first two ("dcoker" keeps its d, "odcker" swaps it).
func sameStart(w, cand string) bool {
	return w[0] == cand[0] || (len(cand) > 1 && w[0] == cand[1] && w[1] == cand[0])
}

// editDistance is the optimal string alignment distance between a and b, giving up (returning
// limit+1) as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	// Three rows on the stack: words are short, and correction runs for every unknown word.
	const width = 40
	var buf [3 * width]int
	var prev2, prev, cur []int
	if len(b) < width {
		prev2, prev, cur = buf[:len(b)+1], buf[width:width+len(b)+1], buf[2*width:2*width+len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
