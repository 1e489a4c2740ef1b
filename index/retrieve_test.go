package index

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Retrieval walks bleve's postings itself; what it finds must be what bleve's own BM25 query of
// the same terms, fields and boosts finds, on every question of the dev split: the same entries
// above the cut, in the same order, with the same scores relative to the best.
func TestRetrievalScoresAsBleveDoes(t *testing.T) {
	ix := testIndex(t)
	questions := 0
	for _, text := range corpusQuestions(t, "testdata/real/dev.jsonl") {
		q := ix.Analyze(text)
		ours, err := ix.search(q)
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		theirs := bleveSearch(t, ix, q)
		if len(ours) != len(theirs) {
			t.Fatalf("%q: %d hits, bleve finds %d", text, len(ours), len(theirs))
		}
		if len(ours) == 0 {
			continue
		}
		theirScore := map[string]float64{}
		for _, h := range theirs {
			theirScore[h.id] = h.score / theirs[0].score
		}
		last := ours[len(ours)-1].score / ours[0].score
		for i, h := range ours {
			got, want := h.score/ours[0].score, theirs[i].score/theirs[0].score
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("%q: hit %d scores %.6f of the best, bleve's %.6f", text, i, got, want)
			}
			// Entries tied at the cut may be kept in either order; every other one must be
			// bleve's too.
			if s, ok := theirScore[h.id]; got > last+1e-9 && (!ok || math.Abs(s-got) > 1e-9) {
				t.Errorf("%q: %s scores %.6f of the best, bleve's %.6f (found: %v)", text, h.id, got, s, ok)
			}
		}
		questions++
	}
	if questions < 300 {
		t.Fatalf("compared %d questions, want the whole dev split", questions)
	}
}

// bleveSearch is retrieval through bleve's own query: a disjunction of a term query per known
// term and bleve field that holds it, each boosted by the field's weight.
func bleveSearch(t *testing.T, ix *Index, q Question) []rawHit {
	t.Helper()
	var clauses []query.Query
	for _, term := range ix.queryTerms(q.Terms) {
		for rf, name := range retrievalNames {
			if ix.inRetrievalField(ix.ids[term], rf) {
				tq := bleve.NewTermQuery(term)
				tq.SetField(name)
				tq.SetBoost(retrievalBoosts[rf])
				clauses = append(clauses, tq)
			}
		}
	}
	if len(clauses) == 0 {
		return nil
	}
	res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), candidates, 0, false))
	if err != nil {
		t.Fatalf("bleve search: %v", err)
	}
	hits := make([]rawHit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = rawHit{id: h.ID, score: h.Score}
	}
	return hits
}

// corpusQuestions reads the questions of a JSON-lines question set.
func corpusQuestions(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var questions []string
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var row struct{ Q string }
		if err := json.Unmarshal(lines.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		questions = append(questions, row.Q)
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return questions
}

// The same knowledge base gives the same answers, to the last digit, however bleve numbers its
// documents in a build: otherwise a question near the threshold is answered in one process and
// not in the next, and refitting the model prints other figures each time.
func TestEveryBuildAnswersAlike(t *testing.T) {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	first := testIndex(t)
	for range 2 {
		again, err := Build(entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range corpusQuestions(t, "testdata/real/dev.jsonl") {
			a, b := first.Match(text), again.Match(text)
			if a.Confidence != b.Confidence || len(a.Hits) != len(b.Hits) || len(a.Hits) > 0 && a.Hits[0].Entry.ID != b.Hits[0].Entry.ID {
				t.Errorf("%q: confidence %v then %v", text, a.Confidence, b.Confidence)
			}
		}
		again.Close()
	}
}

// An entry's term counts read all at once are those read field by field.
func TestTermCountsReadTogether(t *testing.T) {
	ix := testIndex(t)
	terms := 0
	for _, info := range ix.entries {
		table := &info.terms
		for i := range table.ids {
			all := table.counts(i)
			for f := range numFields {
				if all[f] != table.count(i, f) {
					t.Fatalf("%s, term %d, field %d: %d counted together, %d alone", info.entry.ID, i, f, all[f], table.count(i, f))
				}
			}
			terms++
		}
	}
	if terms < 1000 {
		t.Fatalf("read %d terms, want every term of the built-in base", terms)
	}
}
