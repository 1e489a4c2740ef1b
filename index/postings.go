package index

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segmentPostings reads the postings of the one segment bleve writes for a knowledge base
// (indexTerms gives it every entry in one batch), held open for as long as the index serves.
// Through bleve's IndexReader, every question took a snapshot reference, and every term and
// field of it a term-field reader, a dictionary with its FST reader, a postings list and an
// iterator, all new: a quarter of what a question allocated and a tenth of its time. Here the
// dictionaries, lists and iterators are kept in cursors and reused from question to question,
// as zap's own prealloc arguments allow; a cursor serves one question at a time, since a
// dictionary's FST reader is not safe for concurrent use.
type segmentPostings struct {
	reader bleveindex.IndexReader // the snapshot the segment is read from
	seg    segment.Segment        // nil when the knowledge base is empty
	docs   uint64
	// cursors are the *postingsCursor not in use.
	cursors sync.Pool
}

// postingsCursor is one question's way into the segment.
type postingsCursor struct {
	dicts [numRetrievalFields]segment.TermDictionary
	list  segment.PostingsList
	iter  segment.PostingsIterator
}

// openPostings opens the segment of bi, which must have at most one: more would mean the
// entries were not indexed in one batch, and retrieval would miss all but the first's.
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
	switch segs := snapshot.Segments(); len(segs) {
	case 0:
	case 1:
		p.seg = segs[0].Segment()
		p.docs = p.seg.Count()
	default:
		_ = reader.Close()
		return nil, fmt.Errorf("open index reader: %d segments, want one", len(segs))
	}
	return p, nil
}

// cursor gives a cursor for one question; put it back with done.
func (p *segmentPostings) cursor() (*postingsCursor, error) {
	if c, ok := p.cursors.Get().(*postingsCursor); ok {
		return c, nil
	}
	c := &postingsCursor{}
	for rf, name := range retrievalNames {
		dict, err := p.seg.Dictionary(name)
		if err != nil {
			return nil, fmt.Errorf("dictionary of %s: %w", name, err)
		}
		c.dicts[rf] = dict
	}
	return c, nil
}

// done takes a cursor back.
func (p *segmentPostings) done(c *postingsCursor) {
	p.cursors.Put(c)
}

// postings are the entries using term in retrieval field rf, with the number of them. The
// iterator is the cursor's own, valid until its next call.
func (c *postingsCursor) postings(term []byte, rf int) (segment.PostingsIterator, uint64, error) {
	list, err := c.dicts[rf].PostingsList(term, nil, c.list)
	if err != nil {
		return nil, 0, fmt.Errorf("postings of %q in %s: %w", term, retrievalNames[rf], err)
	}
	n := list.Count()
	if n == 0 {
		return nil, 0, nil // nothing to walk
	}
	c.list = list
	c.iter = list.Iterator(true, false, false, c.iter)
	return c.iter, n, nil
}

// Close releases the snapshot.
func (p *segmentPostings) Close() error {
	return p.reader.Close()
}
