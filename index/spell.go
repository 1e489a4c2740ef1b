package index

// minCorrectable is the shortest word typo correction touches: shorter words have too many
// neighbours one edit away to guess from.
const minCorrectable = 4

// maxEdits is how many edits a misspelling of a word of n letters may have.
func maxEdits(n int) int {
	if n >= 7 {
		return 2
	}
	return 1
}

// correct returns the known word w most likely stands for, or "" when there is none close
// enough. Distances count a swap of two neighbouring letters as one edit ("dokcer").
func (ix *Index) correct(w string) string {
	if len(w) < minCorrectable {
		return ""
	}
	limit := maxEdits(len(w))
	best, bestDist, bestDF := "", limit+1, -1
	for n := len(w) - limit; n <= len(w)+limit; n++ {
		for _, cand := range ix.spellings[n] {
			d := editDistance(w, cand, limit)
			df := ix.spelled[cand]
			if d < bestDist || (d == bestDist && df > bestDF) {
				best, bestDist, bestDF = cand, d, df
			}
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b, giving up (returning
// limit+1) as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
