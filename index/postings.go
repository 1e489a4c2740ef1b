package index

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segmentPostings reads the postings of the segments bleve writes for a knowledge base (one
// per part of the entries that indexTerms gives it, see segmentCount), held open for as long
// as the index serves. Through bleve's IndexReader, every question took a snapshot reference,
// and every term and field of it a term-field reader, a dictionary with its FST reader, a
// postings list and an iterator, all new: a quarter of what a question allocated and a tenth
// of its time. Here the dictionaries, lists and iterators are kept in cursors and reused from
// question to question, as zap's own prealloc arguments allow; a cursor serves one question
// at a time, since a dictionary's FST reader is not safe for concurrent use.
type segmentPostings struct {
	reader bleveindex.IndexReader // the snapshot the segments are read from
	parts  []segmentPart          // none when the knowledge base is empty
	docs   uint64
	// cursors are the *postingsCursor not in use.
	cursors sync.Pool
}

// segmentPart is one segment and the document number its first document has in the index:
// scorch numbers the documents of its segments one after the other, in the snapshot's order.
type segmentPart struct {
	seg    segment.Segment
	offset uint64
}

// postingsCursor is one question's way into the segments, a partCursor for each.
type postingsCursor struct {
	parts []partCursor
	at    int // the part whose postings next reads
}

// partCursor is a question's way into one segment, and the postings of its current term there.
type partCursor struct {
	dicts  [numRetrievalFields]segment.TermDictionary
	list   segment.PostingsList
	iter   segment.PostingsIterator
	offset uint64
	count  uint64 // the current term's documents in this segment
}

// openPostings opens the segments of bi.
func openPostings(bi bleve.Index) (*segmentPostings, error) {
	advanced, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	reader, err := advanced.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	p := &segmentPostings{reader: reader}
	snapshot, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		_ = reader.Close()
		return nil, fmt.Errorf("open index reader: got %T, want scorch's snapshot", reader)
	}
	for _, s := range snapshot.Segments() {
		seg := s.Segment()
		p.parts = append(p.parts, segmentPart{seg: seg, offset: p.docs})
		p.docs += seg.Count()
	}
	return p, nil
}

// cursor gives a cursor for one question; put it back with done.
func (p *segmentPostings) cursor() (*postingsCursor, error) {
	if c, ok := p.cursors.Get().(*postingsCursor); ok {
		return c, nil
	}
	c := &postingsCursor{parts: make([]partCursor, len(p.parts))}
	for i, part := range p.parts {
		c.parts[i].offset = part.offset
		for rf, name := range retrievalNames {
			dict, err := part.seg.Dictionary(name)
			if err != nil {
				return nil, fmt.Errorf("dictionary of %s: %w", name, err)
			}
			c.parts[i].dicts[rf] = dict
		}
	}
	return c, nil
}

// done takes a cursor back.
func (p *segmentPostings) done(c *postingsCursor) {
	p.cursors.Put(c)
}

// seek finds the postings of term in retrieval field rf in every segment, and returns the
// number of entries using it; next then walks them.
func (c *postingsCursor) seek(term []byte, rf int) (uint64, error) {
	var n uint64
	c.at = 0
	for i := range c.parts {
		p := &c.parts[i]
		list, err := p.dicts[rf].PostingsList(term, nil, p.list)
		if err != nil {
			return 0, fmt.Errorf("postings of %q in %s: %w", term, retrievalNames[rf], err)
		}
		if p.count = list.Count(); p.count > 0 {
			p.list = list
			p.iter = list.Iterator(true, false, false, p.iter)
		}
		n += p.count
	}
	return n, nil
}

// next returns the next entry of the postings seek found, by its document number in the
// index, and how often it holds the term; ok is false once all are read.
func (c *postingsCursor) next() (doc, freq uint64, ok bool, err error) {
	for ; c.at < len(c.parts); c.at++ {
		p := &c.parts[c.at]
		if p.count == 0 {
			continue
		}
		d, err := p.iter.Next()
		if err != nil {
			return 0, 0, false, err
		}
		if d != nil {
			return p.offset + d.Number(), d.Frequency(), true, nil
		}
	}
	return 0, 0, false, nil
}

// Close releases the snapshot.
func (p *segmentPostings) Close() error {
	return p.reader.Close()
}
