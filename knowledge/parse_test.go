package knowledge

import (
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
	if e.ID != "links" || e.Kind != FAQ || e.File != "links.md" || e.Body != "Body." || len(e.Related) != 2 {
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
	ps, ok := err.(Problems)
	if !ok || len(ps) != len(files) || len(entries) != 0 {
		t.Errorf("Load(testdata/bad) = %d entries, err %v; want 0 entries and %d problems", len(entries), err, len(files))
	}
}

func TestProblemWithoutLine(t *testing.T) {
	if got := (Problem{File: "a.md", Msg: "unreadable"}).Error(); got != "a.md: unreadable" {
		t.Errorf("got %q", got)
	}
}
