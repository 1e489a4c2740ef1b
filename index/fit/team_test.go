package fit

import (
	"hash/fnv"
	"testing"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// A team's entries have no learned questions: the model learns those only for the built-in
// entries, from the real questions it is fitted on. They must still be found for the questions
// people ask about them. A fifth of the built-in entries, built without their learned
// questions as a team's would be, stand in for them: the dev questions they answer must find
// them first nearly as often as with their learned questions. With nothing in place of the
// learned questions, it was 59.3% against 78.2%.
func TestEntriesWithoutLearnedQuestionsAreFound(t *testing.T) {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	team := map[string]bool{}
	for _, e := range entries {
		h := fnv.New32a()
		h.Write([]byte(e.ID))
		team[e.ID] = h.Sum32()%5 == 0
	}
	dev, err := Read("../testdata/real/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var theirs []Case
	for _, c := range dev {
		if !c.Abstains() && team[c.Want[0]] {
			theirs = append(theirs, c)
		}
	}
	unlearned := index.DefaultModel()
	for id := range unlearned.Learned {
		if team[id] {
			delete(unlearned.Learned, id)
		}
	}
	with, without := rankWith(t, entries, index.DefaultModel(), theirs), rankWith(t, entries, unlearned, theirs)
	t.Logf("%d questions; with learned questions %v; without %v", len(theirs), with, without)
	if len(theirs) < 100 {
		t.Fatalf("only %d dev questions answered by the chosen entries, want at least 100", len(theirs))
	}
	if float64(without.First) < 0.88*float64(with.First) {
		t.Errorf("without learned questions the right entry is first for %d questions, with them %d: want at least 88%% as many",
			without.First, with.First)
	}
}

// rankWith ranks cases on entries indexed with model m.
func rankWith(t *testing.T, entries []knowledge.Entry, m *index.Model, cases []Case) Ranking {
	t.Helper()
	ix, err := index.Build(entries, index.WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	return Rank(ix, cases)
}
