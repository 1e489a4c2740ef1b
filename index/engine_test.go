package index

import (
	"os"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// fixtureIndex builds the small knowledge base in testdata/kb with the given options.
func fixtureIndex(t *testing.T, opts ...Option) *Index {
	t.Helper()
	entries, err := knowledge.Load(os.DirFS("testdata/kb"))
	if err != nil {
		t.Fatalf("load the fixture base: %v", err)
	}
	ix, err := Build(entries, opts...)
	if err != nil {
		t.Fatalf("build the fixture index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestFixtureAnswers(t *testing.T) {
	ix := fixtureIndex(t)
	for _, c := range []struct{ question, want string }{
		{"what is docker", "what-is-docker"},
		{"what is kubernetes", "what-is-kubernetes"},
		{"docker vs kubernetes", "docker-vs-kubernetes"},
		{"what is a helm chart", "helm"},
		{"how do i persist data in docker", "docker-volumes"},
		{"the weather in berlin tomorrow", ""},
	} {
		expectAnswer(t, ix, c.question, c.want)
	}
}

// A team's vocabulary teaches the matcher its words: a word no entry uses means nothing until
// the vocabulary says what it stands for.
func TestTeamVocabularyTeachesWords(t *testing.T) {
	plain := fixtureIndex(t)
	if q := plain.Analyze("what is kubbo"); len(q.Unknown) != 1 {
		t.Fatalf("without the team's vocabulary, %q has unknown terms %v, want kubbo", q.Text, q.Unknown)
	}
	team := knowledge.Vocabulary{Synonyms: map[string]string{"kubbo": "kubernetes"}}
	taught := fixtureIndex(t, WithVocabulary(knowledge.BuiltinVocabulary().Extend(team)))
	q := taught.Analyze("what is kubbo")
	if len(q.Unknown) != 0 || !contains(q.Entities, "kubernetes") {
		t.Errorf("with kubbo: kubernetes, Analyze = terms %v unknown %v entities %v; want kubernetes", q.Terms, q.Unknown, q.Entities)
	}
	expectAnswer(t, taught, "what is kubbo", "what-is-kubernetes")
}

// The starters, the fallback and the near-miss text come from the vocabulary too.
func TestVocabularyStartersAndFallback(t *testing.T) {
	team := knowledge.Vocabulary{Starters: []string{"helm"}, Fallback: "Ask the platform team in #help.", NearMiss: "Not sure; ask in #platform."}
	ix := fixtureIndex(t, WithVocabulary(knowledge.BuiltinVocabulary().Extend(team)))
	a := ix.Answer("what time is it")
	if a.Answered || len(a.Suggestions) != 1 || a.Suggestions[0].ID != "helm" {
		t.Fatalf("Answer(what time is it) = answered %v, suggestions %v; want only the helm starter", a.Answered, a.Suggestions)
	}
	if !strings.HasPrefix(a.Markdown(), "Ask the platform team in #help.") {
		t.Errorf("fallback = %q, want the team's text", a.Markdown())
	}
	m := ix.Match("how does kubernetes scale")
	m.Answered, m.NullProbability = false, 0
	m.Question.Topical = true
	if near := ix.answerFor("how does kubernetes scale", m); near.Fallback != team.NearMiss {
		t.Errorf("near-miss text = %q, want the team's", near.Fallback)
	}
}

// Words that only an entry's body holds still find it: the body is indexed and scored.
func TestBodyWordsAreFound(t *testing.T) {
	ix := fixtureIndex(t)
	m := ix.Match("imagepullpolicy")
	if len(m.Hits) == 0 || m.Hits[0].Entry.ID != "kubernetes-hpa" || m.Hits[0].Explain()["bm25_body"] <= 0 {
		t.Fatalf("Match(imagepullpolicy) hits = %v, want kubernetes-hpa first, found by its body", hitIDs(m.Hits))
	}
}

// Typo correction only bends a word the knowledge base does not know, and only towards the
// domain's own words.
func TestTyposAreCorrectedToDomainWords(t *testing.T) {
	ix := fixtureIndex(t)
	for _, c := range []struct{ typo, want string }{
		{"dokcer", "docker"},
		{"kuberntes", "kubernetes"},
		{"bother", ""},
		{"pizza", ""},
	} {
		if got := ix.correct(c.typo); got != c.want {
			t.Errorf("correct(%q) = %q, want %q", c.typo, got, c.want)
		}
	}
	if q := ix.Analyze("what is docker"); len(q.Corrected) > 0 {
		t.Errorf("Analyze(what is docker) corrected %v, want exact words left alone", q.Corrected)
	}
}

// User text never reaches a query parser, and nothing the user types breaks a search.
func TestFixtureQuerySyntaxIsWords(t *testing.T) {
	ix := fixtureIndex(t)
	for _, question := range []string{"Docker?", "k8s:", "helm*", "/.*/", "+foo -bar", "title:x", `"unterminated`, "docker^5", "NOT k8s AND", "\x00\xff"} {
		if m := ix.Match(question); strings.HasPrefix(m.Reason, "search") {
			t.Errorf("Match(%q) failed to search: %s", question, m.Reason)
		}
	}
}

// A match explains itself: each candidate's features and the decision's, by name.
func TestMatchExplainsItself(t *testing.T) {
	ix := fixtureIndex(t)
	m := ix.Match("what is the difference between docker and kubernetes")
	if len(m.Hits) < 2 || m.Hits[0].Entry.ID != "docker-vs-kubernetes" {
		t.Fatalf("hits = %v, want docker-vs-kubernetes first", hitIDs(m.Hits))
	}
	if len(m.Hits[0].Features) != len(FeatureNames()) || m.Hits[0].Explain()["phrasing"] <= 0 {
		t.Errorf("best hit features = %v, want every feature, phrasing above 0", m.Hits[0].Explain())
	}
	if m.ExplainDecision()["logit_top"] == 0 || m.Threshold <= 0 {
		t.Errorf("decision = %v, threshold %v; want the decision's features and the threshold", m.ExplainDecision(), m.Threshold)
	}
	total := m.NullProbability
	for _, h := range m.Hits {
		total += h.Probability
	}
	if total < 0.999 || total > 1.001 {
		t.Errorf("probabilities of the hits and of none of these add up to %v, want 1", total)
	}
}

// A model file names every weight's feature; a misspelt one would silently weigh nothing.
func TestModelFileIsChecked(t *testing.T) {
	for _, c := range []struct{ file, wantErr string }{
		{`{"weights":{"phrasing":1},"threshold":0.5}`, ""},
		{`{"weights":{"phrasnig":1},"threshold":0.5}`, `unknown feature "phrasnig"`},
		{`{"null_weights":{"bias":1},"decision":{"margin":1},"threshold":1.5}`, "threshold"},
		{`{"weights":`, "parse model"},
	} {
		_, err := ParseModel([]byte(c.file))
		if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("ParseModel(%s) = %v, want error containing %q", c.file, err, c.wantErr)
		}
	}
	if DefaultModel().Threshold <= 0 {
		t.Error("the built-in model has no threshold")
	}
}

func hitIDs(hits []Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Entry.ID
	}
	return ids
}
