// Package knowledge holds dvkbot's knowledge base: the Entry type, the built-in entries embedded
// in the binary, loading from any fs.FS (a team's folder or ConfigMap volume, opened with OpenDir
// so that nothing in it can lead the reading outside it, block it or exhaust memory), validation
// whose errors name the file and line a writer has to fix, and a Watcher for live reload.
package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind says what sort of answer an entry gives; the index uses it to match the intent of a
// question ("what is" wants a definition, "vs" wants a difference).
type Kind string

// The kinds an entry may have.
const (
	Definition Kind = "definition"
	Difference Kind = "difference"
	Together   Kind = "together"
	HowTo      Kind = "howto"
	FAQ        Kind = "faq"
)

// Kinds lists every valid Kind, in the order help texts show them.
var Kinds = []Kind{Definition, Difference, Together, HowTo, FAQ}

// Entry is one answer of the knowledge base: a Markdown body with the front matter that says what
// it is about and how people ask for it.
type Entry struct {
	// ID is unique, kebab-case and stable: feedback, links and team overrides use it.
	ID string `yaml:"id"`
	// Title heads the answer.
	Title string `yaml:"title"`
	// Kind is the sort of answer it gives.
	Kind Kind `yaml:"kind"`
	// Entities are what it is about (docker, kubernetes, swarm…).
	Entities []string `yaml:"entities"`
	// Aspects are the facets it covers (scaling, networking…).
	Aspects []string `yaml:"aspects"`
	// Questions are how people ask for it; matched with a high weight.
	Questions []string `yaml:"questions"`
	// Related are the ids of entries to read next.
	Related []string `yaml:"related"`
	// Sources are the official pages behind the answer.
	Sources []string `yaml:"sources"`
	// Body is the answer in Markdown; its first line is a one-line summary.
	Body string `yaml:"-"`
	// File is where the entry was read from, for error messages and logs.
	File string `yaml:"-"`
	// lines says where each front matter field stands in File, so later checks can point at it.
	lines fieldLines
}

// fieldLines says where each front matter field stands in an entry's file. Every loaded entry
// keeps one, so the known fields' lines are an array rather than a map: at 10,000 entries a map
// and the YAML keys it held cost 2.5 MB.
type fieldLines struct {
	known [len(frontFields)]int32 // by place in frontFields; 0 when the field is missing
	// unknown are the keys an entry may not have, kept to be reported.
	unknown []namedLine
}

// namedLine is a front matter key and its line.
type namedLine struct {
	name string
	line int
}

// frontFields are the front matter keys an entry may have; anything else is most likely a typo
// that would silently drop data.
var frontFields = [...]string{"id", "title", "kind", "entities", "aspects", "questions", "related", "sources"}

// line is where field stands in the entry's file, or 0 when unknown.
func (e Entry) line(field string) int {
	if i := slices.Index(frontFields[:], field); i >= 0 {
		return int(e.lines.known[i])
	}
	return 0
}

// Summary is the body's first non-empty line: the one-line answer shown in previews and fallbacks.
func (e Entry) Summary() string {
	for _, line := range strings.Split(e.Body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// Problem is one thing wrong with a knowledge file, located so a writer can go straight to it.
type Problem struct {
	File string
	Line int
	Msg  string
}

// Error is "file:line: message", the form editors and CI logs link to. A problem of the whole
// folder has no file.
func (p Problem) Error() string {
	if p.File == "" {
		return p.Msg
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems collects every Problem found, so one lint run reports them all at once.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// errOrNil returns nil for an empty list, so callers can test `err != nil` as usual.
func (ps Problems) errOrNil() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
