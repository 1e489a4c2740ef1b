package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/dvkbot/dvkbot/knowledge"
)

// candidates is how many bleve hits are re-ranked with the question's structure.
const candidates = 25

// Hit is one ranked entry with the evidence behind its score.
type Hit struct {
	Entry knowledge.Entry
	// Score ranks hits for this question; it is comparable only within one Match.
	Score float64
	// Evidence is what the score is made of, kept for eval output and logs.
	Evidence Evidence
}

// Evidence are the signals a hit was ranked and judged on, each from 0 to 1.
type Evidence struct {
	Relevance float64 // bleve's score relative to the best hit
	Phrasing  float64 // closeness to the nearest listed question, the domain's names weighing most
	Wording   float64 // the same closeness by the words' weights alone, for the decision
	Coverage  float64 // share of the question's known terms the entry uses
	Lead      float64 // share of the question's known terms in the entry's title, questions, tags
	Focus     float64 // share of the entry's title terms the question uses
	Entities  float64 // agreement of the entities named with the entry's
	Aspects   float64 // share of the aspects asked about that the entry covers
	Kind      float64 // 1 when the entry's kind is what the wording asks for
}

// Match is the outcome for one question: the hits in rank order and the decision to answer.
type Match struct {
	Question Question
	Hits     []Hit
	// Answered is true when Hits[0] is confident enough to give as the answer.
	Answered bool
	// Confidence is the decision's score from 0 to 1; Answered means it reached the threshold.
	Confidence float64
	// Reason says why the question was not answered, for logs and eval output.
	Reason string
}

// Match answers text: the question is analysed, searched, re-ranked and judged.
func (ix *Index) Match(text string) Match {
	return ix.MatchQuestion(ix.Analyze(text))
}

// MatchQuestion ranks entries for an analysed question and decides whether to answer.
func (ix *Index) MatchQuestion(q Question) Match {
	m := Match{Question: q}
	if len(q.Terms) == 0 {
		m.Reason = "no content words"
		return m
	}
	hits, err := ix.search(q)
	if err != nil {
		m.Reason = fmt.Sprintf("search: %v", err)
		return m
	}
	m.Hits = ix.rerank(q, ix.withNamedEntries(q, hits))
	m.Answered, m.Confidence, m.Reason = decide(q, m.Hits)
	return m
}

// search runs one bleve query built in code from the analysed terms: a term query per known
// term on the lead field. Nothing of the user's text is parsed as query syntax.
func (ix *Index) search(q Question) ([]rawHit, error) {
	clauses := make([]query.Query, 0, len(q.Terms))
	for _, t := range q.Terms {
		if ix.df[t] == 0 {
			continue
		}
		tq := bleve.NewTermQuery(t)
		tq.SetField(fieldLead)
		clauses = append(clauses, tq)
	}
	if len(clauses) == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), candidates, 0, false)
	res, err := ix.bleve.Search(req)
	if err != nil {
		return nil, err
	}
	raw := make([]rawHit, len(res.Hits))
	for i, h := range res.Hits {
		raw[i] = rawHit{id: h.ID, score: h.Score}
	}
	return raw, nil
}

// withNamedEntries adds to bleve's hits the entries all of whose entities the question names:
// "what does kubernetes do exactly?" in a ramble about standups is about what-is-kubernetes
// even when the ramble's other words lift a dozen other entries above it in bleve's ranking.
// They join with no bleve score. Each subset of the named entities is one lookup; a question
// naming very many entities is looked up by its first maxNamedSet only.
func (ix *Index) withNamedEntries(q Question, raw []rawHit) []rawHit {
	named := q.Entities[:min(len(q.Entities), maxNamedSet)]
	seen := make(map[string]bool, len(raw))
	for _, r := range raw {
		seen[r.id] = true
	}
	subset := make([]string, 0, len(named))
	for mask := 1; mask < 1<<len(named); mask++ {
		subset = subset[:0]
		for i, name := range named {
			if mask&(1<<i) != 0 {
				subset = append(subset, name)
			}
		}
		for _, id := range ix.bySet[entitySet(subset)] {
			if !seen[id] {
				seen[id] = true
				raw = append(raw, rawHit{id: id})
			}
		}
	}
	return raw
}

// maxNamedSet bounds the subsets withNamedEntries looks up (2^maxNamedSet - 1 of them).
const maxNamedSet = 6

type rawHit struct {
	id    string
	score float64
}
