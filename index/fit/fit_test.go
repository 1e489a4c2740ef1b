package fit

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

func TestReadAcceptsBothLabelForms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "set.jsonl")
	data := `{"q": "what is helm", "want": "helm", "also": ["what-is-kubernetes"]}

{"q": "docker vs k8s", "want": ["docker-vs-kubernetes", "what-is-docker"], "source": "https://example.com/a", "kind": "faq"}
{"q": "bees", "want": "abstain"}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cases, err := Read(path)
	if err != nil || len(cases) != 3 {
		t.Fatalf("Read = %d cases, %v; want 3", len(cases), err)
	}
	for _, c := range []struct {
		i    int
		id   string
		want bool
	}{
		{0, "helm", true}, {0, "what-is-kubernetes", true}, {0, "", false},
		{1, "what-is-docker", true}, {1, "helm", false},
		{2, "", true}, {2, "helm", false},
	} {
		if got := cases[c.i].Accepts(c.id); got != c.want {
			t.Errorf("case %d Accepts(%q) = %v, want %v", c.i, c.id, got, c.want)
		}
	}
	if !cases[2].OffTopic() || cases[1].OffTopic() {
		t.Error("an abstention without a source kind is off-topic; a labelled question is not")
	}
}

func TestReadNamesTheBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "set.jsonl")
	if err := os.WriteFile(path, []byte("{\"q\": \"a\", \"want\": \"x\"}\n{\"q\": \"b\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "set.jsonl:2") {
		t.Errorf("Read = %v, want an error naming line 2", err)
	}
}

// Fitting on labelled questions gives a model that answers them and keeps off-topic ones out:
// the whole loop (features, ranker, decision, threshold) on the fixture base.
func TestModelLearnsTheFixture(t *testing.T) {
	entries := fixtureEntries(t)
	var train []Case
	for _, e := range entries {
		for _, q := range e.Questions {
			train = append(train, Case{Q: q, Want: Labels{e.ID}})
		}
	}
	for _, q := range []string{"best pizza in town", "how tall is mount everest", "bees swarming in the garden", "weather tomorrow"} {
		train = append(train, Case{Q: q, Want: Labels{Abstain}})
	}
	dev := []Case{
		{Q: "what does docker do", Want: Labels{"what-is-docker"}},
		{Q: "football scores tonight", Want: Labels{Abstain}},
	}
	model, err := Model(entries, Sets{Train: train, Dev: dev}, Options{L2: 0.01, Steps: 300, Rate: 0.05}, SureBars, AnswerBars)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(entries, index.WithModel(model))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if rep := Evaluate(ix, train); rep.Answers.Rate < 0.8 {
		t.Errorf("fitted on the fixture: train answers %.2f, want at least 0.8\n%+v", rep.Answers.Rate, rep.Failures)
	}
	if rep := Evaluate(ix, dev); rep.Wrong.Count != 0 || rep.OffTopicAnswered != 0 {
		t.Errorf("dev: %d wrong, %d off-topic answered; the threshold chosen on dev must allow neither\n%+v",
			rep.Wrong.Count, rep.OffTopicAnswered, rep.Failures)
	}
	if len(model.Learned["helm"]) == 0 {
		t.Error("the model learned no question for helm")
	}
}

// fit lists the off-topic questions the model is surest of, surest first, each with the entry
// it comes closest to, and nothing of the questions on the domain.
func TestNearestOffTopicAreTheSurest(t *testing.T) {
	ix, err := index.Build(fixtureEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	cases := []Case{
		{Q: "what is docker", Want: Labels{"what-is-docker"}},
		{Q: "docker pants sizing", Want: Labels{Abstain}, Kind: OffTopic},
		{Q: "best pizza in town", Want: Labels{Abstain}, Kind: OffTopic},
		{Q: "helm of a sailing boat", Want: Labels{Abstain}, Kind: OffTopic},
	}
	near := NearestOffTopic(ix, cases, 2)
	if len(near) != 2 {
		t.Fatalf("NearestOffTopic(…, 2) = %+v, want 2", near)
	}
	if near[0].Confidence < near[1].Confidence {
		t.Errorf("not surest first: %+v", near)
	}
	for _, m := range near {
		got := ix.Match(m.Q)
		if m.Q == "what is docker" || len(got.Hits) == 0 || got.Hits[0].Entry.ID != m.Entry || got.Confidence != m.Confidence {
			t.Errorf("%+v: want an off-topic question with its best entry and confidence", m)
		}
	}
	all := NearestOffTopic(ix, cases, 10)
	if len(all) > 3 {
		t.Errorf("NearestOffTopic(…, 10) = %d questions, want at most the 3 off-topic ones", len(all))
	}
	for _, m := range all[len(near):] {
		if m.Confidence > near[1].Confidence {
			t.Errorf("%+v is surer than the second listed, %+v", m, near[1])
		}
	}
}

// The threshold is the least that keeps wrong answers within the bar: raising it past a wrong
// answer's confidence is what makes room.
func TestThresholdKeepsTheBars(t *testing.T) {
	outs := []outcome{
		{c: Case{Want: Labels{"a"}}, top: "a", confidence: 0.9},
		{c: Case{Want: Labels{"a"}}, top: "b", confidence: 0.6},
		{c: Case{Want: Labels{"a"}}, top: "a", confidence: 0.5},
		{c: Case{Want: Labels{Abstain}, Kind: OffTopic}, top: "a", confidence: 0.3},
	}
	if got := chooseThreshold(outs, 4, Bars{MaxWrong: 0, MaxOffTopic: 0}); got <= 0.6 || got > 0.9 {
		t.Errorf("no wrong answer allowed: threshold %v, want just above 0.6", got)
	}
	if got := chooseThreshold(outs, 4, Bars{MaxWrong: 0.25, MaxOffTopic: 0}); got <= 0.3 || got > 0.5 {
		t.Errorf("one wrong answer allowed, no off-topic: threshold %v, want just above 0.3", got)
	}
	if got := chooseThreshold(outs, 4, Bars{MaxWrong: 0.25, OffTopicMargin: 0.15}); got < 0.45-1e-9 || got > 0.5 {
		t.Errorf("off-topic margin 0.15: threshold %v, want 0.45", got)
	}
}

// A share of the guard's off-topic questions may stay above the answer threshold, and no
// more: the threshold clears the next one with the margin.
func TestGuardSparesOnlyItsShare(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i) / 200 // 0 to 0.495
	}
	cases := []struct {
		name     string
		offTopic []float64
		share    float64
		want     float64
	}{
		{"none spared: the highest", []float64{0.3, 0.68, 0.5}, 0, 0.73},
		{"a share too small to spare one of three", []float64{0.3, 0.68, 0.5}, 0.01, 0.73},
		{"1% of a hundred: the second highest", hundred, 0.01, 0.49 + 0.05},
		{"3% of a hundred: the fourth", hundred, 0.03, 0.48 + 0.05},
		{"all spared", []float64{0.68}, 1, 0},
	}
	for _, c := range cases {
		got := guardFloor(slices.Clone(c.offTopic), Bars{OffTopicMargin: 0.05, GuardShare: c.share})
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: floor %v, want %v", c.name, got, c.want)
		}
	}
}

// fixtureEntries are the small knowledge base of index/testdata/kb.
func fixtureEntries(t *testing.T) []knowledge.Entry {
	t.Helper()
	entries, err := knowledge.Load(os.DirFS("../testdata/kb"))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
