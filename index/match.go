package index

import (
	"fmt"
	"slices"
	"sort"

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
	Phrasing  float64 // closeness to the nearest of the entry's listed questions
	Coverage  float64 // share of the question's known terms the entry uses
	Strong    float64 // share of the question's known terms in the entry's title, questions, tags
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

// Best is the answer when Answered, or the closest entry otherwise; ok is false when nothing
// matched at all.
func (m Match) Best() (Hit, bool) {
	if len(m.Hits) == 0 {
		return Hit{}, false
	}
	return m.Hits[0], true
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
	m.Hits = ix.rerank(q, hits)
	m.Answered, m.Confidence, m.Reason = decide(q, m.Hits)
	return m
}

// search runs one bleve query built in code from the analysed terms: each term on each field
// with the field's boost. Nothing of the user's text is parsed as query syntax.
func (ix *Index) search(q Question) ([]rawHit, error) {
	clauses := make([]query.Query, 0, len(q.Terms)*len(fieldBoosts))
	for _, t := range q.Terms {
		if ix.df[t] == 0 {
			continue
		}
		for field, boost := range fieldBoosts {
			tq := bleve.NewTermQuery(t)
			tq.SetField(field)
			tq.SetBoost(boost)
			clauses = append(clauses, tq)
		}
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

type rawHit struct {
	id    string
	score float64
}

// rerank scores bleve's candidates with what bleve cannot see: which entities and aspects the
// question names, what kind of answer it wants and how close it is to a listed phrasing.
func (ix *Index) rerank(q Question, raw []rawHit) []Hit {
	if len(raw) == 0 {
		return nil
	}
	hits := make([]Hit, 0, len(raw))
	for _, r := range raw {
		info := ix.entries[r.id]
		ev := Evidence{
			Relevance: r.score / raw[0].score,
			Phrasing:  ix.phrasing(q.Terms, info.phrasings),
			Coverage:  ix.coverage(q.Terms, info.terms),
			Strong:    ix.coverage(q.Terms, info.tagTerms),
			Focus:     ix.focus(q.Terms, info.title),
			Entities:  entityFit(q.Entities, info.entities),
			Aspects:   aspectFit(q.Aspects, info.aspects),
			Kind:      kindFit(q.Intent, info.entry.Kind),
		}
		hits = append(hits, Hit{Entry: info.entry, Score: weigh(ev), Evidence: ev})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits
}

// weigh combines the evidence into one ranking score. The weights were fitted on the project's
// question set and checked on an independent one: closeness to a listed phrasing says most,
// bleve's own relevance least, since it is blind to what the question is about.
func weigh(ev Evidence) float64 {
	return 0.06*ev.Relevance + 0.49*ev.Phrasing + 0.16*ev.Coverage + 0.07*ev.Focus +
		0.10*ev.Entities + 0.06*ev.Aspects + 0.07*ev.Kind
}

// phrasing is the IDF-weighted Dice overlap of the question with the closest listed phrasing.
func (ix *Index) phrasing(terms []string, phrasings [][]string) float64 {
	var qWeight float64
	in := make(map[string]bool, len(terms))
	for _, t := range terms {
		qWeight += ix.weight(t)
		in[t] = true
	}
	best := 0.0
	for _, p := range phrasings {
		var shared, pWeight float64
		for _, t := range p {
			w := ix.weight(t)
			pWeight += w
			if in[t] {
				shared += w
			}
		}
		if total := qWeight + pWeight; total > 0 {
			best = max(best, 2*shared/total)
		}
	}
	return best
}

// coverage is the IDF-weighted share of the question's known terms that the entry uses.
func (ix *Index) coverage(terms []string, entryTerms map[string]bool) float64 {
	var all, covered float64
	for _, t := range terms {
		if ix.df[t] == 0 {
			continue
		}
		w := ix.weight(t)
		all += w
		if entryTerms[t] {
			covered += w
		}
	}
	if all == 0 {
		return 0
	}
	return covered / all
}

// focus is the IDF-weighted share of the entry's title terms that the question uses: titles name
// an entry's topic, so a question missing a title's word ("scaling") is likely about another.
func (ix *Index) focus(terms, title []string) float64 {
	var all, used float64
	for _, t := range title {
		w := ix.idf(t)
		all += w
		if slices.Contains(terms, t) {
			used += w
		}
	}
	if all == 0 {
		return 0
	}
	return used / all
}

// entityFit is how well the entry's entities agree with those the question names, as an F2
// score: an entry that leaves out something the question names ("docker" in "kubernetes or
// docker?") is a worse fit than one that adds a neighbour of it. A question that names none
// leaves it neutral.
func entityFit(asked []string, entry map[string]bool) float64 {
	if len(asked) == 0 || len(entry) == 0 {
		return 0
	}
	shared := 0
	for _, e := range asked {
		if entry[e] {
			shared++
		}
	}
	if shared == 0 {
		return 0
	}
	recall := float64(shared) / float64(len(asked))
	precision := float64(shared) / float64(len(entry))
	return 5 * precision * recall / (4*precision + recall)
}

// aspectFit is the share of the aspects asked about that the entry covers.
func aspectFit(asked []string, entry map[string]bool) float64 {
	if len(asked) == 0 {
		return 0
	}
	shared := 0
	for _, a := range asked {
		if entry[a] {
			shared++
		}
	}
	return float64(shared) / float64(len(asked))
}

// kindFit is 1 when the entry is the kind of answer the wording asks for.
func kindFit(intent Intent, kind knowledge.Kind) float64 {
	want := map[Intent]knowledge.Kind{
		DefineIntent: knowledge.Definition, CompareIntent: knowledge.Difference,
		HowToIntent: knowledge.HowTo, TogetherIntent: knowledge.Together,
	}[intent]
	if want == kind {
		return 1
	}
	return 0
}
