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

// answerJSON is one line of `ask --json`: its fields are a contract other tools rely on.
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
		out[i] = topicJSON{ID: e.ID, Title: e.Title, Kind: string(e.Kind)}
	}
	return out
}

func round(f float64) float64 {
	return float64(int(f*1000+0.5)) / 1000
}

// runAsk answers the question on the command line, or each line of stdin when there is none.
func runAsk(args []string, s stdio) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	if err := parseFlags(fs, flagsFirst(fs, args), s); err != nil {
		return err
	}
	if joinArgs(fs.Args()) == "" && isTerminal(s.in) {
		return usagef(fs, "no question: give one, or pipe questions in, one per line")
	}
	ix, err := openIndex()
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
	md := a.Markdown()
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
