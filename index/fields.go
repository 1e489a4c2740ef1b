package index

import (
	"math"
	"slices"
)

// field is one part of an entry that is indexed and scored on its own: where a question's word
// appears says how much it tells. A word in a listed question or the title names the entry's
// topic; one in the body may only be mentioned in passing.
type field int

const (
	fieldQuestions field = iota // the listed ways people ask for the entry
	fieldTitle
	fieldSummary // the body's one-line answer
	fieldBody    // the rest of the body
	fieldTags    // entities and aspects
	fieldLearned // real questions this entry answered, learned by fitting (see Model.Learned)
	numFields
)

// fieldNames are the bleve field names, in field order.
var fieldNames = [numFields]string{"questions", "title", "summary", "body", "names", "learned"}

// fieldBoosts weigh each field in the bleve query that retrieves candidates. Retrieval only
// has to bring the right entry among the candidates; ranking them is the model's job.
var fieldBoosts = [numFields]float64{3, 2, 1.5, 1, 2, 2}

// termID numbers the knowledge base's terms, so an entry's fields are compact sorted slices
// rather than maps.
type termID int32

// bag is the terms of one field of one entry with their counts, sorted by id.
type bag struct {
	ids    []termID
	counts []uint16
	length int
}

// newBag counts the terms of a field.
func newBag(seq []termID) bag {
	sorted := slices.Clone(seq)
	slices.Sort(sorted)
	b := bag{length: len(seq)}
	for i, id := range sorted {
		if i > 0 && sorted[i-1] == id {
			if c := &b.counts[len(b.counts)-1]; *c < math.MaxUint16 {
				*c++
			}
			continue
		}
		b.ids = append(b.ids, id)
		b.counts = append(b.counts, 1)
	}
	return b
}

// count is how many times the field holds id.
func (b bag) count(id termID) int {
	i, ok := slices.BinarySearch(b.ids, id)
	if !ok {
		return 0
	}
	return int(b.counts[i])
}

// has reports whether the field holds id.
func (b bag) has(id termID) bool {
	_, ok := slices.BinarySearch(b.ids, id)
	return ok
}

// union is the sorted set of terms of several bags.
func union(bags ...bag) []termID {
	var all []termID
	for _, b := range bags {
		all = append(all, b.ids...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// hasTerm reports whether the sorted set holds id.
func hasTerm(set []termID, id termID) bool {
	_, ok := slices.BinarySearch(set, id)
	return ok
}

// likelihoodWeights weigh each field in an entry's language model: how much a word there
// stands for what the entry is about.
var likelihoodWeights = [numFields]float64{3, 2, 1.5, 1, 2, 3}

// likelihoodMu is the Dirichlet prior of the entries' language models: how many weighted words
// of the whole knowledge base each entry's own words are mixed with.
const likelihoodMu = 50

// likelihood is the log-probability of the question's known terms under the entry's language
// model, its fields mixed by likelihoodWeights and smoothed towards the whole knowledge base.
// Unlike BM25 it also counts what the entry lacks: a question's word that the entry never uses
// lowers it.
func (ix *Index) likelihood(info *entryInfo, q []askedTerm) float64 {
	var length float64
	for f, b := range info.fields {
		length += likelihoodWeights[f] * float64(b.length)
	}
	score := 0.0
	for _, t := range q {
		if t.id < 0 {
			continue
		}
		var count float64
		for f, b := range info.fields {
			count += likelihoodWeights[f] * float64(b.count(t.id))
		}
		score += math.Log((count + likelihoodMu*ix.collection[t.id]) / (length + likelihoodMu))
	}
	return score
}

// fieldStats are what BM25 needs of a field across the knowledge base.
type fieldStats struct {
	df     []int32 // entries whose field holds each term, by termID
	avgLen float64
}

// BM25's parameters, bleve's and Lucene's defaults.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25 scores a field for the question's terms and divides by the best score the same terms
// could reach, so it reads from 0 to 1 and compares across questions: raw BM25 grows with the
// question's length and rarity.
func (s *fieldStats) bm25(b bag, q []askedTerm, entries int) float64 {
	if s.avgLen == 0 {
		return 0
	}
	var score, best float64
	norm := bm25K1 * (1 - bm25B + bm25B*float64(b.length)/s.avgLen)
	for _, t := range q {
		if t.id < 0 {
			continue
		}
		df := float64(s.df[t.id])
		idf := math.Log(1 + (float64(entries)-df+0.5)/(df+0.5))
		best += idf * (bm25K1 + 1)
		if tf := float64(b.count(t.id)); tf > 0 {
			score += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	if best == 0 {
		return 0
	}
	return score / best
}
