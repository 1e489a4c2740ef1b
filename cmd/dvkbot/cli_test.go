package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
	"github.com/dvkbot/dvkbot/knowledge"
)

// answer is one line of `ask --json`, with the fields other tools rely on.
type answer struct {
	Question string  `json:"question"`
	Answered bool    `json:"answered"`
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Text     string  `json:"text"`
	Excerpt  string  `json:"excerpt"`
	Score    float64 `json:"score"`
	// Suggestions are the topics offered when the question was not answered.
	Suggestions []struct {
		ID string `json:"id"`
	} `json:"suggestions"`
	Related []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"related"`
}

// decodeAnswer parses one JSON line and checks every promised field is present.
func decodeAnswer(t *testing.T, line string) answer {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, line)
	}
	for _, f := range []string{"question", "answered", "id", "title", "text", "score", "related"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("field %q missing from %s", f, line)
		}
	}
	var a answer
	if err := json.Unmarshal([]byte(line), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAskJSON(t *testing.T) {
	code, out, errOut := dvkbottest.Run(t, "", nil, "ask", "--json", "what is docker")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, want 0 and one line; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	a := decodeAnswer(t, out)
	if a.Question != "what is docker" || !a.Answered || a.ID != "what-is-docker" || a.Title == "" || a.Text == "" || a.Score <= 0 {
		t.Errorf("got %+v", a)
	}
	if len(a.Related) == 0 || a.Related[0].ID == "" || a.Related[0].Title == "" {
		t.Errorf("related = %+v, want entries with id and title", a.Related)
	}
}

// askJSON pipes questions into `ask --json` and decodes one answer per question.
func askJSON(t *testing.T, questions ...string) []answer {
	t.Helper()
	_, out, errOut := dvkbottest.Run(t, strings.Join(questions, "\n")+"\n", nil, "ask", "--json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(questions) {
		t.Fatalf("%d lines for %d questions; stderr:\n%s", len(lines), len(questions), errOut)
	}
	answers := make([]answer, len(lines))
	for i, line := range lines {
		answers[i] = decodeAnswer(t, line)
	}
	return answers
}

// `ask --json` keeps the whole answer in text and adds the excerpt a Slack reply shows of a long
// entry; a short entry has none.
func TestAskJSONExcerpt(t *testing.T) {
	answers := askJSON(t, "docker compose down deleted my database", "what is docker")
	long, short := answers[0], answers[1]
	if long.Excerpt == "" || !strings.Contains(long.Text, "Network shares") || strings.Contains(long.Excerpt, "Network shares") {
		t.Errorf("long entry %s: text of %d bytes, excerpt of %d, want the whole text and a shorter excerpt", long.ID, len(long.Text), len(long.Excerpt))
	}
	if short.Excerpt != "" {
		t.Errorf("short entry %s has an excerpt of %d bytes", short.ID, len(short.Excerpt))
	}
}

// A question about the domain that the bot cannot answer surely is told so, with its closest
// topics; one about something else is told what the bot answers, with the starter topics.
func TestAskNearMissAndFallback(t *testing.T) {
	answers := askJSON(t, "kubernetes pod keeps getting error 42 from my app", "how do i bake bread")
	near, away := answers[0], answers[1]
	if near.Answered || !strings.HasPrefix(near.Text, "**I don't have an answer I'm sure of.**") || len(near.Suggestions) == 0 || near.Suggestions[0].ID == "docker-vs-kubernetes" {
		t.Errorf("near miss: answered %v, suggestions %v, text %.80q", near.Answered, near.Suggestions, near.Text)
	}
	if away.Answered || !strings.Contains(away.Text, "I answer questions about Docker and Kubernetes") || len(away.Suggestions) == 0 || away.Suggestions[0].ID != "docker-vs-kubernetes" {
		t.Errorf("off-topic: answered %v, suggestions %v, text %.80q", away.Answered, away.Suggestions, away.Text)
	}
}

func TestAskJSONStdinKeepsOrderAndAbstains(t *testing.T) {
	questions := []string{"what is docker", "what's for lunch", "what is k8s"}
	code, out, errOut := dvkbottest.Run(t, strings.Join(questions, "\n")+"\n", nil, "ask", "--json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines, want 0 and 3; stderr:\n%s", code, len(lines), errOut)
	}
	for i, line := range lines {
		if a := decodeAnswer(t, line); a.Question != questions[i] {
			t.Errorf("line %d answers %q, want %q", i+1, a.Question, questions[i])
		}
	}
	if a := decodeAnswer(t, lines[1]); a.Answered || a.ID != "" || strings.TrimSpace(a.Text) == "" {
		t.Errorf("off-topic: got answered=%v id=%q text=%q; want false, \"\" and a fallback", a.Answered, a.ID, a.Text)
	}
	if a := decodeAnswer(t, lines[2]); !a.Answered || a.ID != "what-is-kubernetes" {
		t.Errorf("k8s: got answered=%v id=%q", a.Answered, a.ID)
	}
}

func TestAskFlagAfterQuestion(t *testing.T) {
	code, out, errOut := dvkbottest.Run(t, "", nil, "ask", "what", "is", "k8s", "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if a := decodeAnswer(t, out); a.Question != "what is k8s" || a.ID != "what-is-kubernetes" {
		t.Errorf("got question %q id %q", a.Question, a.ID)
	}
}

func TestAskMarkdownShowsTitle(t *testing.T) {
	code, out, _ := dvkbottest.Run(t, "", nil, "ask", "what is docker")
	if want := "# " + builtinTitle(t, "what-is-docker") + "\n"; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d, output starts %.80q; want 0 and %q", code, out, want)
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"built-in", []string{"lint"}, 0, "entries ok"},
		{"team links to built-in", []string{"lint", "testdata/team"}, 0, "entries ok"},
		{"broken file", []string{"lint", "testdata/broken"}, 1, `broken.md:4: kind "guide" must be one of`},
		{"missing dir", []string{"lint", "testdata/no-such-dir"}, 1, "no-such-dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := dvkbottest.Run(t, "", nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Errorf("exit %d, want %d; stdout:\n%s\nwant it to contain %q; stderr:\n%s", code, tt.wantCode, out, tt.wantOut, errOut)
			}
		})
	}
}

func TestTopicsJSON(t *testing.T) {
	code, out, _ := dvkbottest.Run(t, "", nil, "topics", "--json")
	var list []struct{ ID, Title, Kind string }
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(list) < 60 {
		t.Errorf("%d topics, want >= 60", len(list))
	}
	for _, e := range list {
		if e.ID == "" || e.Title == "" || e.Kind == "" {
			t.Errorf("incomplete topic %+v", e)
		}
	}
}

func TestVersionAndDispatch(t *testing.T) {
	if code, out, _ := dvkbottest.Run(t, "", nil, "version"); code != 0 || !strings.HasPrefix(out, "dvkbot ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	if code, _, errOut := dvkbottest.Run(t, "", nil, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q; want 2", code, errOut)
	}
	if code, out, _ := dvkbottest.Run(t, "", nil); code != 0 || !strings.Contains(out, "Usage: dvkbot COMMAND") {
		t.Errorf("no command: exit %d, %q; want 0 and usage", code, out)
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
	}{
		{[]string{"eval", "testdata/eval-ok.jsonl"}, 0},
		{[]string{"eval", "--min", "1.0", "testdata/eval-ok.jsonl"}, 0},
		{[]string{"eval", "--min", "1.0", "testdata/eval-wrong.jsonl"}, 1},
		{[]string{"eval", "--min", "0.5", "testdata/eval-wrong.jsonl"}, 0},
		{[]string{"eval", "testdata/no-such-file.jsonl"}, 1},
		{[]string{"eval", "--min", "1.0", "testdata/eval-answers-only.jsonl"}, 0}, // no off-topic cases is no failure
	}
	for _, tt := range tests {
		code, out, errOut := dvkbottest.Run(t, "", nil, tt.args...)
		if code != tt.wantCode {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, out, errOut)
		}
	}
}

// fit names, under the threshold it chose, the dev off-topic questions the model is surest of,
// surest first: the first is the one that set the answer threshold.
func TestFitNamesTheNearestOffTopic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	train := write("train.jsonl",
		`{"q": "what is docker", "want": ["what-is-docker"]}`,
		`{"q": "what is kubernetes", "want": ["what-is-kubernetes"]}`,
		`{"q": "docker vs kubernetes", "want": ["docker-vs-kubernetes"]}`,
		`{"q": "best pizza in town", "want": ["abstain"], "kind": "offtopic"}`)
	dev := write("dev.jsonl",
		`{"q": "what does docker do", "want": ["what-is-docker"]}`,
		`{"q": "how do i steer a sailing boat with a tiller", "want": ["abstain"], "kind": "offtopic"}`,
		`{"q": "which coffee pods fit my machine", "want": ["abstain"], "kind": "offtopic"}`)
	code, out, errOut := dvkbottest.Run(t, "", nil, "fit", "--train", train, "--dev", dev, "--test", dev, "--extra", train, "--steps", "50")
	if code != 0 {
		t.Fatalf("fit: exit %d\n%s", code, errOut)
	}
	_, listed, ok := strings.Cut(out, "nearest off-topic questions of dev:\n")
	if !ok {
		t.Fatalf("fit printed no nearest off-topic questions:\n%s", out)
	}
	lines := strings.Split(listed, "\n")[:2]
	var confidences []float64
	for _, line := range lines {
		var confidence float64
		var entry, question string
		if _, err := fmt.Sscanf(line, "%f %s %q", &confidence, &entry, &question); err != nil || !strings.Contains(question, " ") {
			t.Fatalf("line %q: want confidence, entry and a dev off-topic question (%v)", line, err)
		}
		if !strings.Contains(question, "tiller") && !strings.Contains(question, "coffee") {
			t.Errorf("line %q lists a question that is not one of dev's off-topic ones", line)
		}
		confidences = append(confidences, confidence)
	}
	if confidences[0] < confidences[1] {
		t.Errorf("not surest first:\n%s", strings.Join(lines, "\n"))
	}
}

func builtinTitle(t *testing.T, id string) string {
	t.Helper()
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.ID == id {
			return e.Title
		}
	}
	t.Fatalf("no built-in entry %q", id)
	return ""
}
