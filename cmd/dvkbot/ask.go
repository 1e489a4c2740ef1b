package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// answerJSON is one line of `ask --json`: its fields are a contract other tools rely on.
type answerJSON struct {
	Question string `json:"question"`
	Answered bool   `json:"answered"`
	Sure     bool   `json:"sure"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	Kind     string `json:"kind,omitempty"`
	Text     string `json:"text"`
	// Excerpt is what a Slack reply shows of a long entry: the parts about the question.
	Excerpt     string       `json:"excerpt,omitempty"`
	Score       float64      `json:"score"`
	Related     []topicJSON  `json:"related"`
	Suggestions []topicJSON  `json:"suggestions,omitempty"`
	Explain     *explainJSON `json:"explain,omitempty"`
}

// explainJSON is the ranker's view of a question, for debugging a wrong answer: what the
// question looked like, how sure the decision was, and the best candidates with their
// features and probabilities.
type explainJSON struct {
	Terms      []string `json:"terms"`
	Confidence float64  `json:"confidence"`
	// Threshold is the least confidence answered with, SureThreshold the least answered as sure;
	// a question asked in an entry's own words is answered as sure below both.
	Threshold     float64                `json:"threshold"`
	SureThreshold float64                `json:"sure_threshold"`
	NoneOf        float64                `json:"none_of_these"`
	Reason        string                 `json:"reason,omitempty"`
	Question      map[string]float64     `json:"question_features"`
	Decision      map[string]float64     `json:"decision_features"`
	Candidates    []candidateExplanation `json:"candidates"`
}

// candidateExplanation is one ranked entry in an explanation.
type candidateExplanation struct {
	ID          string             `json:"id"`
	Probability float64            `json:"probability"`
	Score       float64            `json:"score"`
	Features    map[string]float64 `json:"features"`
}

// explainedCandidates is how many of the best candidates an explanation shows.
const explainedCandidates = 5

func explain(m index.Match) *explainJSON {
	e := &explainJSON{Terms: m.Question.Terms, Confidence: round(m.Confidence),
		Threshold: m.Threshold, SureThreshold: m.SureThreshold, NoneOf: round(m.NullProbability),
		Reason: m.Reason, Question: m.ExplainQuestion(), Decision: m.ExplainDecision()}
	for _, h := range m.Hits[:min(len(m.Hits), explainedCandidates)] {
		e.Candidates = append(e.Candidates, candidateExplanation{ID: h.Entry.ID,
			Probability: round(h.Probability), Score: round(h.Score), Features: h.Explain()})
	}
	return e
}

// topicJSON names an entry.
type topicJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind,omitempty"`
}

func toJSON(a index.Answer) answerJSON {
	j := answerJSON{
		Question: a.Question, Answered: a.Answered, Sure: a.Sure, Text: a.Markdown(), Excerpt: a.Excerpt,
		Score: round(a.Confidence), Related: topics(a.Related), Suggestions: topics(a.Suggestions),
	}
	if a.Answered {
		j.ID, j.Title, j.Kind = a.Entry.ID, a.Entry.Title, string(a.Entry.Kind)
	}
	return j
}

func topics(entries []knowledge.Entry) []topicJSON {
	out := make([]topicJSON, len(entries))
	for i, e := range entries {
		out[i] = topicJSON{ID: e.ID, Title: e.Title, Kind: string(e.Kind)}
	}
	return out
}

func round(f float64) float64 {
	return math.Round(f*1000) / 1000
}

// runAsk answers the question on the command line, or each line of stdin when there is none.
func runAsk(args []string, s stdio) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	explainFlag := fs.Bool("explain", false, "with --json: add the ranker's view (features, probabilities of the best candidates)")
	whole := fs.Bool("whole", false, "print a long answer whole, not only the parts about the question that Slack shows")
	if err := parseFlags(fs, flagsFirst(fs, args), s); err != nil {
		return err
	}
	if joinArgs(fs.Args()) == "" && isTerminal(s.in) {
		return usagef(fs, "no question: give one, or pipe questions in, one per line")
	}
	ix, err := openIndex(s.err)
	if err != nil {
		return err
	}
	defer ix.Close()
	p := printer{w: s.out, asJSON: *asJSON, explain: *explainFlag, whole: *whole}
	if q := joinArgs(fs.Args()); q != "" {
		return p.print(ix.Answer(q))
	}
	return askEachLine(ix, s.in, p)
}

// askEachLine answers stdin line by line, one answer per line read, printed in the order the
// lines came. Questions are answered on every core while the answers are printed in order: a
// batch of thousands finishes in a fraction of the time one core would take. Output is flushed
// whenever no answer is waiting, so a person piping questions in one by one sees each answer
// at once.
func askEachLine(ix *index.Index, in io.Reader, p printer) error {
	out := bufio.NewWriter(p.w)
	p.w = out
	answers := make(chan chan index.Answer, askAhead)
	readErr := make(chan error, 1)
	go func() {
		defer close(answers)
		readErr <- readLines(in, func(line string) {
			answer := make(chan index.Answer, 1)
			answers <- answer
			go func() { answer <- ix.Answer(line) }()
		})
	}()
	for answer := range answers {
		if err := p.print(<-answer); err != nil {
			return err
		}
		if len(answers) == 0 {
			if err := out.Flush(); err != nil {
				return err
			}
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	return <-readErr
}

// askAhead bounds the questions answered ahead of the one being printed.
const askAhead = 64

// readLines calls each for every line of in, without its line ending.
func readLines(in io.Reader, each func(string)) error {
	r := bufio.NewReader(in)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			each(strings.TrimRight(line, "\r\n"))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	}
}

// printer writes answers as ask's flags say.
type printer struct {
	w                      io.Writer
	asJSON, explain, whole bool
}

func (p printer) print(a index.Answer) error {
	if p.asJSON {
		j := toJSON(a)
		if p.explain {
			j.Explain = explain(a.Match)
		}
		data, err := json.Marshal(j)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", data)
		return err
	}
	more := "`dvkbot ask --whole` prints the whole answer."
	if p.whole {
		more = ""
	}
	return printAnswer(p.w, a, more)
}

// printAnswer writes an answer for a person: its title and Markdown, formatted for a terminal.
// With more, which says how to see the whole entry, a long entry is shown as Slack shows it,
// by its excerpt, and more follows; without, the whole entry is shown.
func printAnswer(w io.Writer, a index.Answer, more string) error {
	md := a.Markdown()
	if more != "" && a.Excerpt != "" {
		md = a.ExcerptMarkdown() + "\n\n_" + more + "_"
	}
	if a.Answered {
		md = "# " + a.Entry.Title + "\n\n" + md
	}
	return writeMarkdown(w, md)
}

// flagsFirst moves the flags fs defines, with their values, in front of the other words, where
// the flag package looks for them: "ask what is k8s --json" works, and a question's own dashes
// ("what does docker run -it do") stay in the question. Before the first word, every dash is a
// flag, so that --help and unknown flags reach the flag package. "--" ends the flags.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if a == "-" || !strings.HasPrefix(a, "-") || (f == nil && len(words) > 0) {
			words = append(words, a)
			continue
		}
		flags = append(flags, a)
		if f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), words...)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
