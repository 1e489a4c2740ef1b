package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed entries/*.md
var builtin embed.FS

// Builtin is the knowledge base shipped in the binary.
func Builtin() fs.FS {
	sub, err := fs.Sub(builtin, "entries")
	if err != nil {
		panic(fmt.Sprintf("embedded knowledge: %v", err)) // the embed pattern guarantees the folder
	}
	return sub
}

// Load reads every visible *.md file at the top of fsys. Names starting with "." are skipped:
// in a Kubernetes ConfigMap volume they are the kubelet's timestamped folders and the ..data
// link, while the visible files are symlinks through ..data. Each file is parsed and checked on
// its own; entries are returned sorted by id along with every problem found.
func Load(fsys fs.FS) ([]Entry, error) {
	dirents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read knowledge folder: %w", err)
	}
	var entries []Entry
	var problems Problems
	for _, d := range dirents {
		name := d.Name()
		if strings.HasPrefix(name, ".") || path.Ext(name) != ".md" {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: name, Msg: err.Error()})
			continue
		}
		e, ps := Parse(name, data)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			entries = append(entries, e)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID }) // stable: duplicates stay in file order
	return entries, problems.errOrNil()
}

// Merge lays team entries over base ones: a team entry with a built-in id replaces it, the
// others are added. The result is sorted by id.
func Merge(base, team []Entry) []Entry {
	byID := make(map[string]Entry, len(base)+len(team))
	for _, e := range base {
		byID[e.ID] = e
	}
	for _, e := range team {
		byID[e.ID] = e
	}
	merged := make([]Entry, 0, len(byID))
	for _, e := range byID {
		merged = append(merged, e)
	}
	sort.Slice(merged, func(i, j int) bool { return merged[i].ID < merged[j].ID })
	return merged
}
