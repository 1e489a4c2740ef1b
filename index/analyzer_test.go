package index

import (
	"path/filepath"
	"slices"
	"testing"
)

// A build's analysis, which remembers each word's terms, reads every text as a question's
// analysis does: the same words and the same terms in the same order. One analyzer reads all
// the texts, as a build's goroutine does, so words it met before are read from what it
// remembers; compounds, whose terms depend on the words after them, are among them.
func TestTextAnalyzerReadsAsQuestionsDo(t *testing.T) {
	ix := testIndex(t)
	texts := []string{
		"stateful set", "what is a stateful set", "a stateful set stateful set pods",
		"is docker in docker safe", "Docker-in-Docker vs docker in", "docker in",
		"the StatefulSet's volumes", "Kubernetes's scheduler", "k8s and kube and K8S",
		"“latest” doesn’t mean newest", "deployment.yaml and docker-compose.yml", "",
	}
	for _, e := range ix.ordered {
		for _, ft := range entryTexts(e, ix.model.Learned[e.ID]) {
			texts = append(texts, ft.text)
		}
	}
	files, err := filepath.Glob("testdata/real/*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		texts = append(texts, corpusQuestions(t, path)...)
	}
	ta := newTextAnalyzer(ix.analyzer)
	for _, text := range texts {
		surface, terms := ta.words(text)
		if want := ix.surfaceWords(text); !slices.Equal(surface, want) {
			t.Fatalf("%q: words %q, want %q", text, surface, want)
		}
		if want := ix.sequence(text); !slices.Equal(terms, want) {
			t.Fatalf("%q: terms %q, want %q", text, terms, want)
		}
	}
	if len(texts) < 10000 {
		t.Fatalf("only %d texts read", len(texts))
	}
}
