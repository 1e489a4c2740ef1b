package main

import (
	"bytes"
	"strings"
	"testing"
)

// questionSetBar is the lowest share of right answers and of right abstentions CI accepts on
// the project's own question set (index/testdata/questions.jsonl): DESIGN.md §6.
const questionSetBar = "0.95"

// TestQuestionSetMeetsTheBar is CI's accuracy gate: the engine must keep answering the
// project's real phrasings right, and keep abstaining on off-topic ones.
func TestQuestionSetMeetsTheBar(t *testing.T) {
	t.Setenv("DVK_KNOWLEDGE_DIR", "")
	var out, errOut bytes.Buffer
	code := run([]string{"eval", "--min", questionSetBar, "../../index/testdata/questions.jsonl"}, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	if code != 0 {
		t.Fatalf("eval below the bar (%s):\n%s\n%s", questionSetBar, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String()[strings.LastIndex(out.String(), "\n\n")+1:])
}
