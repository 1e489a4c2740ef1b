package index

import (
	"cmp"
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

// termID numbers the knowledge base's terms, so an entry's terms are a compact sorted slice
// rather than maps.
type termID int32

// fieldSet is a set of fields, bit f for field f.
type fieldSet uint8

// has reports whether the set holds f.
func (s fieldSet) has(f field) bool { return s&(1<<f) != 0 }

// leadFields are where an entry's lead is written: the words that name its topic.
const leadFields fieldSet = 1<<fieldQuestions | 1<<fieldTitle | 1<<fieldTags

// manyFlag marks, in a term's fields, a term some field of the entry holds more than once.
const manyFlag fieldSet = 1 << numFields

// termTable is every term of one entry, with the fields that hold it and how often. Nearly all
// of an entry's terms appear once, in one field, so each term costs its id and a byte of field
// bits; the few counts above one are listed apart. At 10,000 entries this is a fifth of the
// memory of a sorted slice and a count per field and term.
type termTable struct {
	ids []termID // sorted
	// in holds, for ids[i], the fields holding it, and manyFlag when a count is above one.
	in []fieldSet
	// many are the counts above one, sorted by key: i*numFields + field.
	many []termCount
	// lengths are each field's number of terms, repeats counted.
	lengths [numFields]uint32
}

// termCount is how often the field of a termTable's key holds its term, when more than once.
type termCount struct {
	key, n uint32
}

// occurrence is one term of one field, as the entry's texts are read.
type occurrence struct {
	id termID
	f  field
}

// newTermTable counts the terms of an entry's fields. It sorts seen, which the caller reuses.
func newTermTable(seen []occurrence) termTable {
	slices.SortFunc(seen, func(a, b occurrence) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.f, b.f))
	})
	var t termTable
	distinct := 0
	for i, o := range seen {
		t.lengths[o.f]++
		if i == 0 || o.id != seen[i-1].id {
			distinct++
		}
	}
	t.ids, t.in = make([]termID, 0, distinct), make([]fieldSet, 0, distinct)
	for i := 0; i < len(seen); {
		o, n := seen[i], 1
		for i+n < len(seen) && seen[i+n] == o {
			n++
		}
		if len(t.ids) == 0 || t.ids[len(t.ids)-1] != o.id {
			t.ids, t.in = append(t.ids, o.id), append(t.in, 0)
		}
		last := len(t.ids) - 1
		t.in[last] |= 1 << o.f
		if n > 1 {
			t.in[last] |= manyFlag
			t.many = append(t.many, termCount{key: uint32(last)*uint32(numFields) + uint32(o.f), n: uint32(n)})
		}
		i += n
	}
	t.many = slices.Clip(t.many)
	return t
}

// find returns where the table holds id, if it does.
func (t *termTable) find(id termID) (int, bool) {
	return slices.BinarySearch(t.ids, id)
}

// exactCount is how often field f holds the table's i-th term.
func (t *termTable) exactCount(i int, f field) int {
	in := t.in[i]
	if !in.has(f) {
		return 0
	}
	if in&manyFlag == 0 {
		return 1
	}
	key := uint32(i)*uint32(numFields) + uint32(f)
	if j, ok := slices.BinarySearchFunc(t.many, key, func(c termCount, k uint32) int { return cmp.Compare(c.key, k) }); ok {
		return int(t.many[j].n)
	}
	return 1
}

// count is exactCount capped at what ranking counts to: a word repeated more than 65,535
// times in one field tells nothing more.
func (t *termTable) count(i int, f field) uint16 {
	return uint16(min(t.exactCount(i, f), math.MaxUint16))
}

// counts is count for every field of the table's i-th term, with one search: the counts
// above one of a term sit side by side in many.
func (t *termTable) counts(i int) (c [numFields]uint16) {
	in := t.in[i]
	for f := range numFields {
		if in.has(f) {
			c[f] = 1
		}
	}
	if in&manyFlag == 0 {
		return c
	}
	first := uint32(i) * uint32(numFields)
	j, _ := slices.BinarySearchFunc(t.many, first, func(c termCount, k uint32) int { return cmp.Compare(c.key, k) })
	for ; j < len(t.many) && t.many[j].key < first+uint32(numFields); j++ {
		c[t.many[j].key-first] = uint16(min(t.many[j].n, math.MaxUint16))
	}
	return c
}

// fieldStats are what BM25 needs of a field across the knowledge base.
type fieldStats struct {
	df     []int32 // entries whose field holds each term, by termID
	avgLen float64
}

// bm25IDF is BM25's idf of a term held by df of the field's entries, of which there are entries.
func bm25IDF(df int32, entries int) float64 {
	n := float64(df)
	return math.Log(1 + (float64(entries)-n+0.5)/(n+0.5))
}
