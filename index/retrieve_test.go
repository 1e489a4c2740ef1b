package index

import (
	"bufio"
	"cmp"
	"encoding/json"
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Retrieval walks bleve's postings itself; what it finds must be what bleve's own BM25 queries
// of the same terms, fields and boosts find, on every question of the dev split: the best
// entries of the query over both fields and, in the last leadSlots places, the best of the
// query over the lead field alone that are not among them, each with its score over both fields
// relative to the best.
func TestRetrievalScoresAsBleveDoes(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	questions, byLead := 0, 0
	for _, text := range corpusQuestions(t, "testdata/real/dev.jsonl") {
		q := ix.Analyze(text)
		ours, err := ix.search(q)
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		all := bleveSearch(t, ix, q, leadField, textField)
		want := retrievedByBleve(ix, all, bleveSearch(t, ix, q, leadField))
		if len(ours) != len(want) {
			t.Fatalf("%q: %d hits, bleve finds %d", text, len(ours), len(want))
		}
		if len(ours) == 0 {
			continue
		}
		// Scores equal but for the last bit (the same terms' scores summed in another order)
		// are a tie on both sides, whichever the floating point puts first: at the last place
		// retrieval keeps, either of two tied entries may be the one kept.
		bleveScore := map[string]float64{}
		for _, h := range all {
			bleveScore[h.id] = h.score / all[0].score
		}
		for i, h := range inEntryOrder(ix, ours) {
			got, theirs := h.score/ours[0].score, want[i].score/all[0].score
			if math.Abs(got-theirs) > 1e-9 {
				t.Errorf("%q: hit %d scores %.6f of the best, bleve's %.6f", text, i, got, theirs)
			}
			if h.id != want[i].id && math.Abs(bleveScore[h.id]-theirs) > 1e-9 {
				t.Errorf("%q: hit %d is %s, bleve's %s", text, i, h.id, want[i].id)
			}
		}
		top := inEntryOrder(ix, all)[:min(len(all), candidates)]
		if slices.ContainsFunc(ours, func(h rawHit) bool {
			return !slices.ContainsFunc(top, func(x rawHit) bool { return x.id == h.id })
		}) {
			byLead++
		}
		questions++
	}
	if questions < 300 {
		t.Fatalf("compared %d questions, want the whole dev split", questions)
	}
	if byLead == 0 {
		t.Errorf("no question retrieved an entry by its lead field alone")
	}
}

// retrievedByBleve are the candidates from bleve's hits for a query over both fields and for
// one over the lead field alone, as retrieval chooses them, best first, scored over both fields:
// the best over both, the best entries without learned questions that score at least
// unlearnedFloor of the last in place of the lowest with some, then the best of the lead. Of equal scores, the earlier entry comes first, as in
// retrieval.
func retrievedByBleve(ix *Index, all, lead []rawHit) []rawHit {
	all, lead = inEntryOrder(ix, all), inEntryOrder(ix, lead)
	got := slices.Clone(all[:min(len(all), candidates-leadSlots)])
	unlearned := func(h rawHit) bool { return ix.entries[h.id].learned == nil }
	var extra []rawHit
	for _, h := range all[len(got):] {
		if len(extra) < unlearnedSlots && unlearned(h) && h.score >= got[len(got)-1].score*unlearnedFloor {
			extra = append(extra, h)
		}
	}
	for i := len(got) - 1; i >= 0 && len(extra) > 0; i-- {
		if !unlearned(got[i]) {
			got[i], extra = extra[0], extra[1:]
		}
	}
	score := map[string]float64{}
	for _, h := range all {
		score[h.id] = h.score
	}
	for _, h := range lead {
		if len(got) == candidates {
			break
		}
		if !slices.ContainsFunc(got, func(x rawHit) bool { return x.id == h.id }) {
			got = append(got, rawHit{id: h.id, score: score[h.id]})
		}
	}
	return inEntryOrder(ix, got)
}

// inEntryOrder sorts hits best first and, of scores equal but for float rounding, the
// earlier entry first.
func inEntryOrder(ix *Index, hits []rawHit) []rawHit {
	place := map[string]int{}
	for i, e := range ix.ordered {
		place[e.ID] = i
	}
	hits = slices.Clone(hits)
	slices.SortFunc(hits, func(x, y rawHit) int {
		if math.Abs(x.score-y.score) > 1e-12*max(x.score, y.score) {
			return cmp.Compare(y.score, x.score)
		}
		return cmp.Compare(place[x.id], place[y.id])
	})
	return hits
}

// bleveSearch is retrieval through bleve's own query: a disjunction of a term query per known
// term and bleve field of fields that holds it, each boosted by the field's weight. It returns
// every hit, best first.
func bleveSearch(t *testing.T, ix *Index, q Question, fields ...int) []rawHit {
	t.Helper()
	var clauses []query.Query
	for _, term := range ix.queryTerms(q.Terms) {
		for _, rf := range fields {
			if ix.inRetrievalField(term.id, rf) {
				tq := bleve.NewTermQuery(term.text)
				tq.SetField(retrievalNames[rf])
				tq.SetBoost(retrievalBoosts[rf])
				clauses = append(clauses, tq)
			}
		}
	}
	if len(clauses) == 0 {
		return nil
	}
	res, err := ix.bleve.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), len(ix.entries), 0, false))
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
	t.Parallel()
	entries := builtinEntries(t)
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
		for i := range table.in {
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

// Questions matched at once, each goroutine reading the postings with its own cursor, are
// answered as they are one at a time: a cursor shared by two questions would mix their
// postings.
func TestConcurrentQuestionsAnswerAsAlone(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	questions := corpusQuestions(t, "testdata/real/dev.jsonl")
	alone := make([]Match, len(questions))
	for i, text := range questions {
		alone[i] = ix.Match(text)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(questions); i += 4 {
				m := ix.Match(questions[i])
				if m.Confidence != alone[i].Confidence || len(m.Hits) != len(alone[i].Hits) {
					t.Errorf("%q: confidence %v with %d hits at once, %v with %d alone",
						questions[i], m.Confidence, len(m.Hits), alone[i].Confidence, len(alone[i].Hits))
				}
			}
		})
	}
	wg.Wait()
}

// An index of no entries has no segment to read: it answers nothing, and says why.
func TestEmptyIndexAnswersNothing(t *testing.T) {
	ix, err := Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	m := ix.Match("what is a pod")
	if m.Answered || len(m.Hits) > 0 || m.Reason != "nothing matched" {
		t.Errorf("empty index: answered %v, %d hits, reason %q; want nothing matched", m.Answered, len(m.Hits), m.Reason)
	}
}

// A team's entry has no learned questions, which are most of a built-in entry's lead, so
// retrieval keeps it places among the candidates: the example team's entry on cluster access
// is retrieved for a question whose word "request" only its body uses, and comes first.
func TestEntriesWithoutLearnedQuestionsAreRetrieved(t *testing.T) {
	team, err := knowledge.Load(os.DirFS("../deploy/knowledge"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(append(builtinEntries(t), team...))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	const question, want = "how to request kubernetes access", "our-cluster-access"
	raw, err := ix.search(ix.Analyze(question))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(raw, func(h rawHit) bool { return h.id == want }) {
		t.Errorf("%q: %s not among the %d candidates %v", question, want, len(raw), raw)
	}
	if m := ix.Match(question); len(m.Hits) == 0 || m.Hits[0].Entry.ID != want {
		t.Errorf("%q: best candidate is not %s: %+v", question, want, m.Hits)
	}
}
