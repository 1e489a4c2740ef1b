package knowledge

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// frontMatter is an entry's front matter in the order entry files list it; empty lists are
// left out, but for questions, which every entry needs.
type frontMatter struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Kind      Kind     `yaml:"kind"`
	Entities  []string `yaml:"entities,omitempty,flow"`
	Aspects   []string `yaml:"aspects,omitempty,flow"`
	Questions []string `yaml:"questions"` // always written: a missing one is reported on its line
	Related   []string `yaml:"related,omitempty,flow"`
	Sources   []string `yaml:"sources,omitempty"`
}

// Format writes e as an entry file: YAML front matter, then its body. Parse reads back the same
// entry; values are quoted as YAML needs, so no text a person typed can add or change a field.
// comment, when not empty, goes in the front matter as YAML comment lines (who captured the
// entry, and where from).
func Format(e Entry, comment string) []byte {
	var b bytes.Buffer
	b.WriteString(frontMatterDelimiter + "\n")
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		if line != "" {
			fmt.Fprintf(&b, "# %s\n", line)
		}
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	fm := frontMatter{ID: e.ID, Title: e.Title, Kind: e.Kind, Entities: e.Entities, Aspects: e.Aspects,
		Questions: e.Questions, Related: e.Related, Sources: e.Sources}
	if err := enc.Encode(fm); err != nil {
		panic(fmt.Sprintf("knowledge: encode front matter: %v", err)) // strings and lists always encode
	}
	_ = enc.Close() // writes to a bytes.Buffer cannot fail
	b.WriteString(frontMatterDelimiter + "\n")
	b.WriteString(strings.TrimSpace(e.Body) + "\n")
	return b.Bytes()
}
