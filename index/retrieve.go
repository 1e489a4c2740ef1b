package index

import (
	"container/heap"
	"context"
	"fmt"

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

// bm25Context tells bleve's scorers to score with BM25, as the index mapping says: outside
// Index.Search, nothing else does.
var bm25Context = context.WithValue(context.Background(), search.GetScoringModelCallbackKey,
	search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))

// query is the disjunction of a term query per known term of q and bleve field that holds it,
// or nil when no term is known.
func (ix *Index) query(q Question) query.Query {
	clauses := make([]query.Query, 0, len(q.Terms)*numRetrievalFields)
	for _, t := range q.Terms {
		id, ok := ix.ids[t]
		if !ok {
			continue
		}
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
