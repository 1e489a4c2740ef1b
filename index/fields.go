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

// fieldNames name the fields in features and explanations, in field order.
var fieldNames = [numFields]string{"questions", "title", "summary", "body", "names", "learned"}

// retrievalField is the bleve field each field is indexed in. bleve needs only two: what names
// an entry's topic (its lead) and what explains it (its text). Retrieval only has to bring the
// right entry among the candidates, ranking them is the model's job, and every field a query
// searches costs a posting list per term.
var retrievalField = [numFields]int{leadField, leadField, textField, textField, leadField, leadField}

// The bleve fields, their names and their boosts in the query.
const (
	leadField = iota
	textField
	numRetrievalFields
)

var (
	retrievalNames  = [numRetrievalFields]string{"lead", "text"}
	retrievalBoosts = [numRetrievalFields]float64{2, 1}
)

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

// fieldStats are what BM25 needs of a field across the knowledge base.
type fieldStats struct {
	df     []int32   // entries whose field holds each term, by termID
	idf    []float64 // BM25's idf of each term in the field, by termID
	avgLen float64
}

// learnIDF computes the field's idfs once its document frequencies are final.
func (s *fieldStats) learnIDF(entries int) {
	s.idf = make([]float64, len(s.df))
	for id, n := range s.df {
		df := float64(n)
		s.idf[id] = math.Log(1 + (float64(entries)-df+0.5)/(df+0.5))
	}
}
