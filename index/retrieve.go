package index

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// search retrieves the candidates: one bleve query built in code from the analysed terms, a
// term query per known term and bleve field, each field boosted by its weight. Nothing of the
// user's text is parsed as query syntax.
//
// It runs bleve's searcher itself and keeps the best hits in a small heap rather than going
// through Index.Search: the request path allocates a document pool, a collector and field
// loading (even with no stored field) for every query, which cost more than the search.
func (ix *Index) search(q Question) ([]rawHit, error) {
	dq := ix.query(q)
	if dq == nil {
		return nil, nil
	}
	reader, err := ix.advanced.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	defer reader.Close()
	s, err := dq.Searcher(bm25Context, reader, ix.mapping, search.SearcherOptions{})
	if err != nil {
		return nil, fmt.Errorf("build searcher: %w", err)
	}
	defer s.Close()
	best, err := topHits(s, reader, candidates)
	if err != nil {
		return nil, err
	}
	raw := make([]rawHit, len(best))
	for i := len(best) - 1; i >= 0; i-- { // the heap pops worst first
		h := heap.Pop(&best).(scored)
		id, err := reader.ExternalID(h.id)
		if err != nil {
			return nil, fmt.Errorf("entry of a hit: %w", err)
		}
		raw[i] = rawHit{id: id, score: h.score}
	}
	return raw, nil
}

// Retrieval scores with BM25 without length normalisation (b = 0, bleve's default is 0.75). An
// entry's lead is its phrasings and the questions learned for it, and the entries people ask
// about most have the most of them: normalised by length, a new entry of a dozen phrasings
// outranked dockershim-removal, of eighty, for "can kubernetes run without docker", a question
// whose every word most entries use, and the right entry was not even retrieved. Chosen on dev
// after a refit each (b of 0.75, 0.5, 0.3, 0.1 and 0): at 0, dev answered 69.3% right and 10.6%
// wrong against 67.5% and 11.4%, and retrieved 97.8% against 97.1%. bleve keeps b in a package
// variable; dvkbot is its only user in the process.
func init() { search.BM25_b = 0 }

// bm25Context tells bleve's scorers to score with BM25, as the index mapping says: outside
// Index.Search, nothing else does.
var bm25Context = context.WithValue(context.Background(), search.GetScoringModelCallbackKey,
	search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))

// query is the disjunction of a term query per known term of q and bleve field that holds it,
// or nil when no term is known.
func (ix *Index) query(q Question) query.Query {
	terms := ix.queryTerms(q.Terms)
	clauses := make([]query.Query, 0, len(terms)*numRetrievalFields)
	for _, t := range terms {
		id := ix.ids[t]
		var in [numRetrievalFields]bool
		for f := range numFields {
			in[retrievalField[f]] = in[retrievalField[f]] || ix.stats[f].df[id] > 0
		}
		for rf, name := range retrievalNames {
			if in[rf] {
				tq := bleve.NewTermQuery(t)
				tq.SetField(name)
				tq.SetBoost(retrievalBoosts[rf])
				clauses = append(clauses, tq)
			}
		}
	}
	if len(clauses) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(clauses...)
}

// maxQueryTerms bounds the terms a retrieval query searches: a pasted log or a long ramble has
// dozens, and the posting lists of its everyday words cost the most and tell the least. The
// rarest ones find the candidates; ranking then reads every term.
const maxQueryTerms = 8

// queryTerms are the known terms of terms that retrieval searches: the rarest, at most
// maxQueryTerms of them, without the very common ones.
func (ix *Index) queryTerms(terms []string) []string {
	known := make([]string, 0, len(terms))
	for _, t := range terms {
		if ix.usedTerm(t) {
			known = append(known, t)
		}
	}
	slices.SortStableFunc(known, func(a, b string) int { return cmp.Compare(ix.df[ix.ids[a]], ix.df[ix.ids[b]]) })
	known = known[:min(len(known), maxQueryTerms)]
	// In a large knowledge base, a word in a large share of the entries finds nothing the
	// question's rarer words do not, at the cost of walking thousands of postings; it stays
	// only when it is all there is. In a small one its postings cost nothing and, with the
	// others, it still tells entries apart.
	common := max(int32(float64(len(ix.entries))*maxCommonShare), minCommonPostings)
	for i, t := range known {
		if i > 0 && ix.df[ix.ids[t]] > common {
			return known[:i]
		}
	}
	return known
}

// A word is left out of retrieval, when the question has a rarer one, if more than
// maxCommonShare of the entries and more than minCommonPostings entries use it.
const (
	maxCommonShare    = 0.2
	minCommonPostings = 1000
)

// scored is a hit while searching: bleve's internal id (copied: the match it came from goes
// back to the pool) and its score.
type scored struct {
	id    bleveindex.IndexInternalID
	score float64
}

// worstFirst is a min-heap of hits by score, so the worst of the best n is dropped first.
type worstFirst []scored

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return h[i].score < h[j].score }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topHits runs the searcher to the end and keeps its n best matches.
func topHits(s search.Searcher, reader bleveindex.IndexReader, n int) (worstFirst, error) {
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: reader}
	best := make(worstFirst, 0, n+1)
	for {
		dm, err := s.Next(sctx)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			return best, nil
		}
		if len(best) < n || dm.Score > best[0].score {
			heap.Push(&best, scored{id: append(bleveindex.IndexInternalID(nil), dm.IndexInternalID...), score: dm.Score})
			if len(best) > n {
				heap.Pop(&best)
			}
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}
