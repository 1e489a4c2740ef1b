package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Each file under testdata/bad has exactly one mistake; lint must point at its file and line.
func TestParseProblemNamesFileAndLine(t *testing.T) {
	tests := map[string]string{
		"no-opening.md":      `no-opening.md:1: no front matter: the file must start with a "---" line`,
		"empty-file.md":      `empty-file.md:1: no front matter: the file must start with a "---" line`,
		"not-closed.md":      `not-closed.md:1: front matter is not closed: add a "---" line after the fields`,
		"yaml-syntax.md":     `yaml-syntax.md:3: front matter: mapping values are not allowed in this context`,
		"unclosed-list.md":   `unclosed-list.md:5: front matter: did not find expected ',' or ']'`,
		"unclosed-map.md":    `unclosed-map.md:6: front matter: did not find expected ',' or '}'`,
		"questions-map.md":   `questions-map.md:6: front matter: cannot unmarshal !!map into []string`,
		"no-id.md":           `no-id.md:2: missing field id`,
		"no-title.md":        `no-title.md:2: missing field title`,
		"bad-kind.md":        `bad-kind.md:4: kind "tutorial" must be one of definition, difference, together, howto, faq`,
		"no-questions.md":    `no-questions.md:2: missing field questions: list at least one way people ask this`,
		"empty-question.md":  `empty-question.md:5: questions has an empty item`,
		"typo-field.md":      `typo-field.md:5: unknown field "question" (known: id, title, kind, entities, aspects, questions, related, sources)`,
		"bad-id.md":          `bad-id.md:2: id "Bad_ID" must be kebab-case: lower-case letters, digits and single dashes`,
		"empty-body.md":      `empty-body.md:7: empty body: write the answer below the front matter`,
		"crlf-empty-body.md": `crlf-empty-body.md:7: empty body: write the answer below the front matter`,
		"bad-source.md":      `bad-source.md:6: source "not-a-url" must be an http(s) URL such as https://kubernetes.io/docs/`,
		"no-summary.md":      `no-summary.md:8: the body must open with a one-line summary in bold, such as **Docker builds and runs containers.**`,
		"alias.md":           `alias.md:7: front matter: YAML alias *q is not allowed: write the value out`,
		"not-utf8.md":        `not-utf8.md:8: not UTF-8 text: byte 0xE9 at column 4; save the file as UTF-8`,
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/bad/" + file)
			if err != nil {
				t.Fatal(err)
			}
			_, ps := Parse(file, data)
			if len(ps) != 1 || ps[0].Error() != want {
				t.Errorf("Parse(%s) problems:\n%v\nwant exactly:\n%s", file, ps, want)
			}
		})
	}
}

func TestParseReadsFieldsAndBody(t *testing.T) {
	data, err := os.ReadFile("testdata/dangling/links.md")
	if err != nil {
		t.Fatal(err)
	}
	e, ps := Parse("links.md", data)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if e.ID != "links" || e.Kind != FAQ || e.File != "links.md" || e.Body != "**Body.**" || len(e.Related) != 2 {
		t.Errorf("Parse = %+v", e)
	}
	if e.line("related") != 6 {
		t.Errorf("related field on line %d, want 6", e.line("related"))
	}
}

// Load reports the problems of every file at once, not only the first.
func TestLoadReportsEveryBadFile(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.md")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Load(os.DirFS("testdata/bad"))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != len(files) || len(entries) != 0 {
		t.Errorf("Load(testdata/bad) = %d entries, err %v; want 0 entries and %d problems", len(entries), err, len(files))
	}
}

func TestProblemWithoutLine(t *testing.T) {
	if got := (Problem{File: "a.md", Msg: "unreadable"}).Error(); got != "a.md: unreadable" {
		t.Errorf("got %q", got)
	}
}

// The body opens with its summary in bold; the detail may follow on the same line.
func TestParseSummaryLine(t *testing.T) {
	tests := map[string]bool{
		"**Docker runs containers.**":                   true,
		"**A one-line answer first.** Then the detail.": true,
		"\n\n**After blank lines.**\nDetail.":           true,
		"Docker runs containers.":                       false,
		"** Not bold in Markdown.**":                    false,
		"**Never closed.":                               false,
		"Detail first.\n**Summary second.**":            false,
	}
	for body, ok := range tests {
		_, ps := Parse("e.md", []byte("---\nid: e\ntitle: E\nkind: faq\nquestions: [q]\n---\n"+body+"\n"))
		if got := len(ps) == 0; got != ok {
			t.Errorf("body %q: problems %v; want accepted %v", body, ps, ok)
		}
	}
}
