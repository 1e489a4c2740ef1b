package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/dvkbot/dvkbot/index"
)

// abstain is the expected answer of a question the bot must not answer.
const abstain = "abstain"

// evalCase is one line of a question set: the question and the entry that answers it, or
// "abstain"; also lists other entries that answer it equally well.
type evalCase struct {
	Q    string   `json:"q"`
	Want string   `json:"want"`
	Also []string `json:"also,omitempty"`
}

// evalScore counts right answers for one topic.
type evalScore struct {
	Topic string  `json:"topic"`
	Right int     `json:"right"`
	Total int     `json:"total"`
	Rate  float64 `json:"rate"`
}

// evalReport is the outcome of a run: per topic, answered questions, abstentions, overall.
type evalReport struct {
	Topics     []evalScore `json:"topics"`
	Answers    evalScore   `json:"answers"`
	Abstention evalScore   `json:"abstention"`
	Overall    evalScore   `json:"overall"`
	Failures   []evalMiss  `json:"failures"`
}

// evalMiss is one wrong outcome, with what the engine saw, so it can be diagnosed.
type evalMiss struct {
	Q          string  `json:"q"`
	Want       string  `json:"want"`
	Got        string  `json:"got"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason,omitempty"`
}

// runEval scores a question set and fails below --min on answers or on abstentions.
func runEval(args []string, s stdio) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	minRate := fs.Float64("min", 0.95, "lowest acceptable share of right answers and of right abstentions")
	if err := parseFlags(fs, flagsFirst(fs, args), s); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef(fs, "want one question set FILE, got %d arguments", fs.NArg())
	}
	cases, err := readEvalCases(fs.Arg(0))
	if err != nil {
		return err
	}
	ix, err := openIndex()
	if err != nil {
		return err
	}
	defer ix.Close()
	rep := score(ix, cases)
	if err := printReport(s.out, rep, *asJSON); err != nil {
		return err
	}
	if rep.Answers.below(*minRate) || rep.Abstention.below(*minRate) {
		return exitError{code: 1, msg: fmt.Sprintf("below --min %.2f: answers %.3f, abstention %.3f", *minRate, rep.Answers.Rate, rep.Abstention.Rate)}
	}
	return nil
}

func readEvalCases(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if c.Want == "" {
			return nil, fmt.Errorf("%s:%d: missing field want (an entry id or %q)", path, line, abstain)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return cases, nil
}

// score asks every question. A case's topic is the kind of its expected entry, "off-topic"
// for abstentions.
func score(ix *index.Index, cases []evalCase) evalReport {
	rep := evalReport{Answers: evalScore{Topic: "answers"}, Abstention: evalScore{Topic: "abstention"}, Overall: evalScore{Topic: "overall"}}
	byTopic := map[string]*evalScore{}
	for _, c := range cases {
		a := ix.Answer(c.Q)
		got := abstain
		if a.Answered {
			got = a.Entry.ID
		}
		right := got == c.Want || slices.Contains(c.Also, got)
		topic := "off-topic"
		bucket := &rep.Abstention
		if c.Want != abstain {
			bucket = &rep.Answers
			topic = "unknown-id"
			if e, ok := ix.Entry(c.Want); ok {
				topic = string(e.Kind)
			}
		}
		if byTopic[topic] == nil {
			byTopic[topic] = &evalScore{Topic: topic}
		}
		for _, sc := range []*evalScore{byTopic[topic], bucket, &rep.Overall} {
			sc.add(right)
		}
		if !right {
			rep.Failures = append(rep.Failures, evalMiss{Q: c.Q, Want: c.Want, Got: got, Confidence: round(a.Confidence), Reason: a.Match.Reason})
		}
	}
	for _, sc := range byTopic {
		rep.Topics = append(rep.Topics, *sc)
	}
	sort.Slice(rep.Topics, func(i, j int) bool { return rep.Topics[i].Topic < rep.Topics[j].Topic })
	return rep
}

// below reports whether the share of right outcomes is under min; a set with no case of this
// kind (no off-topic questions, say) is not below anything.
func (s evalScore) below(min float64) bool {
	return s.Total > 0 && s.Rate < min
}

func (s *evalScore) add(right bool) {
	s.Total++
	if right {
		s.Right++
	}
	s.Rate = float64(s.Right) / float64(s.Total)
}

func printReport(w io.Writer, rep evalReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	for _, m := range rep.Failures {
		fmt.Fprintf(w, "MISS want=%s got=%s conf=%.2f %s\n     %q\n", m.Want, m.Got, m.Confidence, m.Reason, m.Q)
	}
	fmt.Fprintln(w)
	for _, sc := range append(rep.Topics, rep.Answers, rep.Abstention, rep.Overall) {
		fmt.Fprintf(w, "%-12s %4d/%-4d %6.1f%%\n", sc.Topic, sc.Right, sc.Total, 100*sc.Rate)
	}
	return nil
}
