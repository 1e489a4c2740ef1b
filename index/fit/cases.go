// Package fit measures and fits the answer engine on labelled questions: it reads question
// sets, scores an index on them by entry id, and fits the ranking model's weights and its
// answer threshold.
package fit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// Abstain is the label of a question no entry answers.
const Abstain = "abstain"

// OffTopic is the source kind of questions about something else altogether, which the bot must
// never answer.
const OffTopic = "offtopic"

// Case is one labelled question.
type Case struct {
	// Q is the question as it was asked.
	Q string `json:"q"`
	// Want lists the ids of the entries that answer it, best first, or holds only Abstain.
	Want Labels `json:"want"`
	// Also lists more ids that answer it (the older one-id format's way to add them).
	Also []string `json:"also,omitempty"`
	// Source is the address of the page the question was copied from.
	Source string `json:"source,omitempty"`
	// Kind is the kind of source (github-issue, qa, faq, offtopic…).
	Kind string `json:"kind,omitempty"`
}

// Labels are the ids a question accepts. In a file they are a list or a single string.
type Labels []string

// UnmarshalJSON reads a list of ids or one id.
func (l *Labels) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = Labels{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("want: a list of entry ids or %q", Abstain)
	}
	*l = many
	return nil
}

// Abstains reports whether no entry answers the case.
func (c Case) Abstains() bool {
	return len(c.Want) == 0 || c.Want[0] == Abstain
}

// OffTopic reports whether the case is about something else altogether: its source says so,
// or, in sets that do not record sources, it abstains.
func (c Case) OffTopic() bool {
	return c.Kind == OffTopic || (c.Kind == "" && c.Abstains())
}

// Accepts reports whether answering with id (or abstaining, for "") is right.
func (c Case) Accepts(id string) bool {
	if c.Abstains() {
		return id == ""
	}
	return id != "" && (slices.Contains(c.Want, id) || slices.Contains(c.Also, id))
}

// Read reads question sets, one JSON object per line; blank lines are skipped. Errors name the
// file and line.
func Read(paths ...string) ([]Case, error) {
	var cases []Case
	for _, path := range paths {
		cs, err := readFile(path)
		if err != nil {
			return nil, err
		}
		cases = append(cases, cs...)
	}
	return cases, nil
}

func readFile(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if c.Q == "" || len(c.Want) == 0 {
			return nil, fmt.Errorf("%s:%d: want fields q and want (entry ids or %q)", path, line, Abstain)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return cases, nil
}
