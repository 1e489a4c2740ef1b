package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// answerJSON is one line of `ask --json`, as fixed by DESIGN.md §2.
type answerJSON struct {
	Question    string      `json:"question"`
	Answered    bool        `json:"answered"`
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Kind        string      `json:"kind,omitempty"`
	Text        string      `json:"text"`
	Score       float64     `json:"score"`
	Related     []topicJSON `json:"related"`
	Suggestions []topicJSON `json:"suggestions,omitempty"`
}

// topicJSON names an entry.
type topicJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind,omitempty"`
}

func toJSON(a index.Answer) answerJSON {
	j := answerJSON{
		Question: a.Question, Answered: a.Answered, Text: a.Markdown(),
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
		out[i] = topicJSON{ID: e.ID, Title: e.Title}
	}
	return out
}

func round(f float64) float64 {
	return float64(int(f*1000+0.5)) / 1000
}

// runAsk answers the question on the command line, or each line of stdin when there is none.
func runAsk(args []string, s stdio) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(s.err)
	asJSON := fs.Bool("json", false, "print one JSON object per question (DESIGN.md §2)")
	if err := fs.Parse(flagsFirst(args)); err != nil {
		return err
	}
	cfg, err := loadEngineConfig()
	if err != nil {
		return err
	}
	ix, err := buildIndex(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	defer ix.Close()
	if q := joinArgs(fs.Args()); q != "" {
		return printAnswer(s.out, ix.Answer(q), *asJSON)
	}
	return askEachLine(ix, s, *asJSON)
}

// askEachLine answers stdin line by line, in order, one answer per line read.
func askEachLine(ix *index.Index, s stdio, asJSON bool) error {
	r := bufio.NewReader(s.in)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			if perr := printAnswer(s.out, ix.Answer(strings.TrimRight(line, "\r\n")), asJSON); perr != nil {
				return perr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	}
}

func printAnswer(w io.Writer, a index.Answer, asJSON bool) error {
	if asJSON {
		data, err := json.Marshal(toJSON(a))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	}
	if a.Answered {
		fmt.Fprintf(w, "# %s\n\n", a.Entry.Title)
	}
	_, err := fmt.Fprintln(w, a.Markdown())
	return err
}

// flagsFirst moves flags written after the question ("ask what is k8s --json") in front of it,
// where the flag package looks for them.
func flagsFirst(args []string) []string {
	var flags, words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
		} else {
			words = append(words, a)
		}
	}
	return append(flags, words...)
}
