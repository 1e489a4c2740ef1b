package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
	"github.com/dvkbot/dvkbot/index/fit"
)

// TestQuestionSetsMeetTheBar is CI's accuracy gate: the lowest share of right answers and of
// right abstentions accepted on each question set. questions.jsonl is the project's own set,
// held to 95%. dev.jsonl and fresh.jsonl were written by people who never saw the
// entries or our set (fresh.jsonl only once the engine was tuned); they stand for real users we
// have not met, and their bars guard against a change that fits our own set at their expense.
// basics.jsonl holds the first questions a new user tries (see TestBasicQuestionsAnsweredAsSure).
func TestQuestionSetsMeetTheBar(t *testing.T) {
	sets := []struct{ file, bar string }{
		{"../../index/testdata/questions.jsonl", "0.95"},
		{"../../index/testdata/dev.jsonl", "0.93"},
		{"../../index/testdata/fresh.jsonl", "0.90"},
		{basicsFile, "0.95"},
	}
	for _, set := range sets {
		t.Run(set.file[strings.LastIndex(set.file, "/")+1:], func(t *testing.T) {
			code, out, errOut := dvkbottest.Run(t, "", nil, "eval", "--min", set.bar, set.file)
			if code != 0 {
				t.Fatalf("eval below the bar (%s):\n%s\n%s", set.bar, out, errOut)
			}
			t.Logf("\n%s", out[strings.LastIndex(out, "\n\n")+1:])
		})
	}
}

// basicsFile holds the sixty most basic questions (what is docker, a pod, a deployment; docker vs
// kubernetes; what is dockershim…), labelled by a person who never saw the bot's answers and
// fitted on by nothing.
const basicsFile = "../../index/testdata/basics.jsonl"

// minSureBasics is how many of the basic questions must be answered right and as sure: the
// first questions a new user asks are where "the closest answer I have" costs the most trust.
// 56 of 60 were when the set was written (November 2026); the rest were right but not sure.
const minSureBasics = 0.9

// TestBasicQuestionsAnsweredAsSure asks the basic questions through the binary and counts the
// answers that are both right and given as sure.
func TestBasicQuestionsAnsweredAsSure(t *testing.T) {
	cases, err := fit.Read(basicsFile)
	if err != nil {
		t.Fatal(err)
	}
	var questions []string
	for _, c := range cases {
		questions = append(questions, c.Q)
	}
	code, out, errOut := dvkbottest.Run(t, strings.Join(questions, "\n")+"\n", nil, "ask", "--json")
	answers := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(answers) != len(cases) {
		t.Fatalf("ask: exit %d, %d answers to %d questions\n%s", code, len(answers), len(cases), errOut)
	}
	sure := 0
	for i, line := range answers {
		var a struct {
			ID             string
			Answered, Sure bool
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		if a.Answered && a.Sure && cases[i].Accepts(a.ID) {
			sure++
		} else {
			t.Logf("%q: %s (answered %v, sure %v), want %v", cases[i].Q, a.ID, a.Answered, a.Sure, cases[i].Want)
		}
	}
	if float64(sure) < minSureBasics*float64(len(cases)) {
		t.Errorf("%d of %d basic questions answered right and as sure, want at least %.0f%%", sure, len(cases), 100*minSureBasics)
	}
}
