package index

import (
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// vocabulary is every term of the knowledge base by termID, as text and as bytes: what bleve
// is given while building, dropped once it is built.
type vocabulary struct {
	text  []string
	bytes [][]byte
	// counts are the buffers the term counts handed to bleve are made in, one per bleve field
	// (see countedField.AnalyzedTokenFrequencies).
	counts []tokenCounts
}

// tokenCounts is a bleve field's term counts for one document, and the slab they live in,
// remade in place for each document.
type tokenCounts struct {
	freqs bleveindex.TokenFrequencies
	slab  []bleveindex.TokenFreq
}

// vocabulary lists the terms of the knowledge base by termID, without count buffers: each
// batch makes its own (see forBatch).
func (ix *Index) vocabulary() vocabulary {
	v := vocabulary{text: ix.ids.strings, bytes: make([][]byte, ix.ids.len())}
	for id, t := range ix.ids.strings {
		v.bytes[id] = []byte(t)
	}
	return v
}

// forBatch is the vocabulary for one batch: the same terms, with count buffers of its own, so
// that batches can be written at once.
func (v vocabulary) forBatch() vocabulary {
	v.counts = make([]tokenCounts, len(retrievalNames))
	for i := range v.counts {
		v.counts[i].freqs = bleveindex.TokenFrequencies{}
	}
	return v
}

// document is the entry as bleve indexes it: each bleve field with its terms already counted.
func (info *entryInfo) document(v vocabulary) *document.Document {
	doc := document.NewDocument(info.entry.ID)
	for rf, name := range retrievalNames {
		var of fieldSet
		for f, in := range retrievalField {
			if in == rf {
				of |= 1 << f
			}
		}
		doc.AddField(&countedField{name: name, of: of, terms: &info.terms, vocabulary: v, counts: &v.counts[rf]})
	}
	return doc
}

// countedField is a bleve field whose terms are those of some of an entry's fields, read from
// its termTable. bleve asks for them only while it writes its segment, one entry at a time:
// handing it the terms as text (a token each) would hold every entry's tokens in memory at
// once, several times what the index itself takes.
type countedField struct {
	name       string
	of         fieldSet
	terms      *termTable
	vocabulary vocabulary
	counts     *tokenCounts
}

var _ document.Field = (*countedField)(nil)

// Name is the bleve field's name.
func (c *countedField) Name() string { return c.name }

// ArrayPositions is nil: the field is not in an array.
func (c *countedField) ArrayPositions() []uint64 { return nil }

// Options says the field is indexed, and neither stored nor given term vectors or doc values.
func (c *countedField) Options() bleveindex.FieldIndexingOptions { return bleveindex.IndexField }

// Analyze does nothing: the terms are already analysed and counted.
func (c *countedField) Analyze() {}

// Value is nil: nothing is stored.
func (c *countedField) Value() []byte { return nil }

// NumPlainTextBytes is 0: the text is not kept.
func (c *countedField) NumPlainTextBytes() uint64 { return 0 }

// Size is roughly what the field holds, for bleve's statistics.
func (c *countedField) Size() int { return len(c.name) + 64 }

// EncodedFieldType is a text field's.
func (c *countedField) EncodedFieldType() byte { return 't' }

// AnalyzedLength is the number of the field's terms, repeats counted.
func (c *countedField) AnalyzedLength() int {
	n := 0
	for f, length := range c.terms.lengths {
		if c.of.has(field(f)) {
			n += int(length)
		}
	}
	return n
}

// AnalyzedTokenFrequencies counts each term of the field, in the field's buffers: the counts of
// the previous call are gone. zap asks for them twice per document, once to size its postings
// and once to fill them, in one goroutine, one document at a time, and lets go of a document's
// counts before it asks for the next one's. Made anew at each call, they were 318 MB of the
// 1,128 MB a build of 10,000 entries allocated. TestBleveHoldsEachEntrysTermCounts checks what
// zap wrote.
func (c *countedField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies {
	t := c.terms
	n := 0
	for _, in := range t.in {
		if in&c.of != 0 {
			n++
		}
	}
	freqs := c.counts.freqs
	clear(freqs)
	if cap(c.counts.slab) < n {
		c.counts.slab = make([]bleveindex.TokenFreq, n)
	}
	slab := c.counts.slab[:n]
	for i, id := range t.all() {
		in := t.in[i]
		if in&c.of == 0 {
			continue
		}
		count := 0
		for f := range numFields {
			if c.of.has(f) {
				count += t.exactCount(i, f)
			}
		}
		tf := &slab[len(slab)-n]
		n--
		tf.Term = c.vocabulary.bytes[id]
		tf.SetFrequency(count)
		freqs[c.vocabulary.text[id]] = tf
	}
	return freqs
}
