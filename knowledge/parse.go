package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// frontMatterDelimiter opens and closes the YAML front matter of an entry file.
const frontMatterDelimiter = "---"

// Parse reads one entry file. It reports every problem it can find in the file, each with its
// line, and checks the fields that need no other entry to judge. The entry is returned whenever
// its front matter could be read, problems or not, so that checks across files can see its id.
func Parse(file string, data []byte) (Entry, Problems) {
	if p := checkUTF8(file, data); p != nil {
		return Entry{}, Problems{*p}
	}
	front, body, err := splitFrontMatter(data)
	if err != nil {
		return Entry{}, Problems{{File: file, Line: 1, Msg: err.Error()}}
	}
	fields, p := decodeMapping(file, front, frontLine, "front matter")
	if p != nil {
		return Entry{}, Problems{*p}
	}
	var e Entry
	if err := fields.Decode(&e); err != nil {
		return Entry{}, Problems{yamlProblem(file, err, frontLine, "front matter")}
	}
	if i := slices.Index(Kinds, e.Kind); i >= 0 {
		e.Kind = Kinds[i] // the constant's text, shared, rather than 16 bytes of heap an entry
	}
	e.File = file
	e.Body = strings.TrimSpace(string(body))
	e.lines = readFieldLines(fields)
	return e, checkFields(e, textLine(front, body))
}

// decodeMapping parses YAML that must be a mapping, refusing aliases. The YAML starts at file
// line first; what names the part of the file it is for ("front matter").
func decodeMapping(file string, data []byte, first int, what string) (*yaml.Node, *Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p := yamlProblem(file, err, first, what)
		return nil, &p
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Problem{File: file, Line: first, Msg: what + " must be a YAML mapping of fields"}
	}
	if alias := findAlias(&doc); alias != nil {
		return nil, &Problem{File: file, Line: first + alias.Line - 1, Msg: fmt.Sprintf("%s: YAML alias *%s is not allowed: write the value out", what, alias.Value)}
	}
	return doc.Content[0], nil
}

// textLine is the file line of the body's first text, or of the body itself when it is empty.
func textLine(front, body []byte) int {
	line := frontLine + bytes.Count(front, []byte("\n")) + 2 // past the closing delimiter
	text := bytes.TrimLeft(body, " \t\n")
	if len(text) == 0 {
		return line
	}
	return line + bytes.Count(body[:len(body)-len(text)], []byte("\n"))
}

// checkUTF8 points at the first byte that is not UTF-8: YAML and Slack take nothing else, and
// such a byte would reach a reply as garbage.
func checkUTF8(file string, data []byte) *Problem {
	if utf8.Valid(data) {
		return nil
	}
	line, column := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return &Problem{File: file, Line: line, Msg: fmt.Sprintf("not UTF-8 text: byte 0x%02X at column %d; save the file as UTF-8", data[i], column)}
		}
		column++
		if r == '\n' {
			line, column = line+1, 1
		}
		i += size
	}
	return nil // unreachable: utf8.Valid found an invalid byte
}

// findAlias returns the first YAML alias (*name) under n. An entry needs none, and aliases are
// how a few hundred kilobytes of YAML stand for gigabytes of text ("billion laughs"), so they
// are refused before anything expands them.
func findAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, child := range n.Content {
		if alias := findAlias(child); alias != nil {
			return alias
		}
	}
	return nil
}

// readFieldLines finds the line in the file of each top-level key of the front matter.
func readFieldLines(fields *yaml.Node) fieldLines {
	var lines fieldLines
	for i := 0; i+1 < len(fields.Content); i += 2 {
		key, line := fields.Content[i].Value, frontLine+fields.Content[i].Line-1
		if k := slices.Index(frontFields[:], key); k >= 0 {
			lines.known[k] = int32(line)
		} else {
			lines.unknown = append(lines.unknown, namedLine{key, line})
		}
	}
	return lines
}

// frontLine is the file line where the YAML starts, just after the opening delimiter: YAML's
// line numbers plus frontLine-1 are file line numbers.
const frontLine = 2

// splitFrontMatter cuts a file into its YAML front matter and Markdown body.
func splitFrontMatter(data []byte) (front, body []byte, err error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if strings.TrimSpace(lines[0]) != frontMatterDelimiter {
		return nil, nil, fmt.Errorf("no front matter: the file must start with a %q line", frontMatterDelimiter)
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == frontMatterDelimiter {
			return []byte(strings.Join(lines[1:i], "\n")), []byte(strings.Join(lines[i+1:], "\n")), nil
		}
	}
	return nil, nil, fmt.Errorf("front matter is not closed: add a %q line after the fields", frontMatterDelimiter)
}

// yamlProblem turns a YAML error into a Problem on the right file line.
func yamlProblem(file string, err error, first int, what string) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := first
	var n int
	// yaml.v3 reports the line only inside its message text.
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &n); scanErr == nil {
		msg = strings.TrimSpace(strings.SplitN(msg, ":", 2)[1]) // the YAML line is not the file line
		if yamlParserProblems[msg] {
			n++
		}
		line = first + n - 1
	}
	return Problem{File: file, Line: line, Msg: what + ": " + msg}
}

// yamlParserProblems are the problems yaml.v3's parser reports, as opposed to its scanner: it
// gives their line counted from 0, one line early ("entities: [docker" left unclosed on line 5
// was reported on line 4), where the scanner's lines count from 1.
var yamlParserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// checkFields judges the fields of one entry on their own. bodyLine is where its text starts.
func checkFields(e Entry, bodyLine int) Problems {
	var ps Problems
	for _, u := range e.lines.unknown {
		ps = append(ps, Problem{File: e.File, Line: u.line, Msg: fmt.Sprintf("unknown field %q (known: %s)", u.name, strings.Join(frontFields[:], ", "))})
	}
	add := func(key, format string, args ...any) {
		line := e.line(key)
		if line == 0 {
			line = frontLine
		}
		ps = append(ps, Problem{File: e.File, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case e.ID == "":
		add("id", "missing field id")
	case !idPattern.MatchString(e.ID):
		add("id", "id %q must be kebab-case: lower-case letters, digits and single dashes", e.ID)
	}
	if strings.TrimSpace(e.Title) == "" {
		add("title", "missing field title")
	}
	if !validKind(e.Kind) {
		add("kind", "kind %q must be one of %s", e.Kind, kindList())
	}
	if len(e.Questions) == 0 {
		add("questions", "missing field questions: list at least one way people ask this")
	}
	for _, q := range e.Questions {
		if strings.TrimSpace(q) == "" {
			add("questions", "questions has an empty item")
		}
	}
	for _, s := range e.Sources {
		if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("sources", "source %q must be an http(s) URL such as https://kubernetes.io/docs/", s)
		}
	}
	switch {
	case e.Body == "":
		ps = append(ps, Problem{File: e.File, Line: bodyLine, Msg: "empty body: write the answer below the front matter"})
	case !boldSummary.MatchString(e.Body):
		ps = append(ps, Problem{File: e.File, Line: bodyLine, Msg: "the body must open with a one-line summary in bold, such as **Docker builds and runs containers.**"})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return ps
}

// boldSummary is the body's opening: a one-line summary in bold, which previews and fallbacks
// show on its own.
var boldSummary = regexp.MustCompile(`^\*\*\S(.*\S)?\*\*`)

func validKind(k Kind) bool {
	for _, known := range Kinds {
		if k == known {
			return true
		}
	}
	return false
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
