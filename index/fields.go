package index

import (
	"cmp"
	"encoding/binary"
	"iter"
	"math"
	"slices"
	"sort"
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
	// ids are the entry's term ids in ascending order, each written as a uvarint of its
	// distance from the one before (the first from -1). Most distances take one or two bytes
	// against four for a termID: at 10,000 entries this saves 2.9 MB of a 60 MB heap. They are only
	// ever read in order (see all and termCursor).
	ids []byte
	// marks are where every markEvery-th term stands in ids.
	marks []termMark
	// in holds, for the i-th term, the fields holding it, and manyFlag when a count is above
	// one; its length is the number of terms.
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

// occurrence is one term of one field, as the entry's texts are read: the term's id above the
// field, so that occurrences sort as plain integers, by term and then field. A comparison
// function over a struct made that sort 7% of a build's CPU.
type occurrence uint64

// fieldBits is how many low bits of an occurrence hold its field; the constant below fails to
// compile if the fields outgrow them.
const fieldBits = 3

const _ = uint(1<<fieldBits - numFields)

func occurrenceOf(id termID, f field) occurrence {
	return occurrence(uint64(id)<<fieldBits | uint64(f))
}

func (o occurrence) id() termID   { return termID(o >> fieldBits) }
func (o occurrence) field() field { return field(o & (1<<fieldBits - 1)) }

// newTermTable counts the terms of an entry's fields. It sorts seen, which the caller reuses.
func newTermTable(seen []occurrence) termTable {
	slices.Sort(seen)
	var t termTable
	distinct, size, prev := 0, 0, termID(-1)
	var scratch [binary.MaxVarintLen64]byte
	for _, o := range seen {
		t.lengths[o.field()]++
		if id := o.id(); id != prev {
			distinct++
			size += binary.PutUvarint(scratch[:], uint64(id-prev))
			prev = id
		}
	}
	t.ids, t.in = make([]byte, 0, size), make([]fieldSet, 0, distinct)
	t.marks = make([]termMark, 0, (distinct+markEvery-1)/markEvery)
	prev = -1
	for i := 0; i < len(seen); {
		o, n := seen[i], 1
		for i+n < len(seen) && seen[i+n] == o {
			n++
		}
		id, f := o.id(), o.field()
		if id != prev {
			t.ids, t.in = binary.AppendUvarint(t.ids, uint64(id-prev)), append(t.in, 0)
			if (len(t.in)-1)%markEvery == 0 {
				t.marks = append(t.marks, termMark{id, uint32(len(t.ids))})
			}
			prev = id
		}
		last := len(t.in) - 1
		t.in[last] |= 1 << f
		if n > 1 {
			t.in[last] |= manyFlag
			t.many = append(t.many, termCount{key: uint32(last)*uint32(numFields) + uint32(f), n: uint32(n)})
		}
		i += n
	}
	t.many = slices.Clip(t.many)
	return t
}

// all yields the table's terms in ascending order, with their places.
func (t *termTable) all() iter.Seq2[int, termID] {
	return func(yield func(int, termID) bool) {
		c := t.cursor()
		for c.next() {
			if !yield(c.i, c.id) {
				return
			}
		}
	}
}

// markEvery is how many terms apart a termTable marks where it stands, so a lookup decodes at
// most this many ids: built-in entries hold thousands of terms, and reading them all from the
// start made Match a tenth slower than a binary search of plain ids.
const markEvery = 16

// termMark is the id of a termTable's term at a place that is a multiple of markEvery, and
// where the ids after it start.
type termMark struct {
	id   termID
	next uint32
}

// termCursor reads a termTable's ids in order: a question's terms looked up in ascending
// order cost a search of the marks and a few ids each.
type termCursor struct {
	t  *termTable
	at int    // where the ids after id start
	i  int    // the place of id among the terms; -1 before the first
	id termID // the current term, -1 before the first
}

// cursor starts before the table's first term.
func (t *termTable) cursor() termCursor {
	return termCursor{t: t, i: -1, id: -1}
}

// next moves to the following term, reporting whether there is one.
func (c *termCursor) next() bool {
	if c.at == len(c.t.ids) {
		return false
	}
	d, n := binary.Uvarint(c.t.ids[c.at:])
	c.at, c.i, c.id = c.at+n, c.i+1, c.id+termID(d)
	return true
}

// seek moves to id, or past it to the first larger term, and returns the place of id if the
// table holds it. id is not negative, and calls must not go down: a cursor never moves back.
func (c *termCursor) seek(id termID) (int, bool) {
	if c.id < id {
		marks := c.t.marks
		k := sort.Search(len(marks), func(k int) bool { return marks[k].id > id }) - 1
		if k >= 0 && k*markEvery > c.i {
			c.at, c.i, c.id = int(marks[k].next), k*markEvery, marks[k].id
		}
	}
	for c.id < id && c.next() {
	}
	return c.i, c.id == id
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
