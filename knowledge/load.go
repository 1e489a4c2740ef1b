package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"sync"
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

// Load reads every visible *.md file at the top of fsys (see isEntryName), each parsed and
// checked on its own, and returns the entries without a problem, sorted by id, along with every
// problem found. Read a folder on disk through OpenDir, so that no file can lead the reading
// outside it or block it.
func Load(fsys fs.FS) ([]Entry, error) {
	parsed, problems, err := parseAll(fsys)
	if err != nil {
		return nil, err
	}
	return sound(parsed, problems), problems.errOrNil()
}

// Check reads fsys as Load does and reports every problem at once: each file's own and those
// across files (ids used twice, related ids that name no entry), whatever else is wrong.
// base holds the entries the files may link to besides their own: the built-in base under a
// team's folder, nil for the built-in base itself. The entries of fsys it returns are meant for
// use only when the error is nil.
func Check(fsys fs.FS, base []Entry) ([]Entry, error) {
	parsed, problems, err := parseAll(fsys)
	if err != nil {
		return nil, err
	}
	problems = append(problems, validate(parsed, Merge(base, parsed))...)
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return sound(parsed, problems), problems.errOrNil()
}

// parseAll parses every entry file of fsys. It returns each entry whose front matter could be
// read, problems or not, so that checks across files see them all, and every problem found.
func parseAll(fsys fs.FS) ([]Entry, Problems, error) {
	files, problems, err := readEntryFiles(fsys)
	if err != nil {
		return nil, nil, err
	}
	parsed := parseEach(files)
	var entries []Entry
	for _, p := range parsed {
		problems = append(problems, p.problems...)
		if p.entry.File != "" {
			entries = append(entries, p.entry)
		}
	}
	return entries, problems, nil
}

// parsedFile is what Parse made of one file.
type parsedFile struct {
	entry    Entry
	problems Problems
}

// parseEach parses the files on every core, each result in its file's place: reading the
// front matter is most of what starting up costs before indexing.
func parseEach(files []entryFile) []parsedFile {
	parsed := make([]parsedFile, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := range next {
				parsed[i].entry, parsed[i].problems = Parse(files[i].name, files[i].data)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return parsed
}

// sound keeps the entries of files without a problem of their own, sorted by id; duplicates
// stay in file order.
func sound(entries []Entry, problems Problems) []Entry {
	bad := make(map[string]bool, len(problems))
	for _, p := range problems {
		bad[p.File] = true
	}
	var out []Entry
	for _, e := range entries {
		if !bad[e.File] {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
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
