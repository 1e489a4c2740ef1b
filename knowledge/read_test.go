package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// hangTimeout only catches a read that blocks for good, as a named pipe once did.
const hangTimeout = 2 * time.Minute

const goodEntry = "---\nid: good\ntitle: A good entry\nkind: faq\nquestions: [is this read]\n---\n**Yes.**\n"

// checkDir runs Check on dir through OpenDir, as the bot and lint read a team's folder. It fails
// the test if the read blocks, and reports the bytes it allocated.
func checkDir(t *testing.T, dir string) (entries []Entry, err error, allocated uint64) {
	t.Helper()
	type result struct {
		entries []Entry
		err     error
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan result, 1)
	go func() {
		folder, err := OpenDir(dir)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer folder.Close()
		entries, err := Check(folder, nil)
		done <- result{entries, err}
	}()
	select {
	case r := <-done:
		runtime.ReadMemStats(&after)
		return r.entries, r.err, after.TotalAlloc - before.TotalAlloc
	case <-time.After(hangTimeout):
		t.Fatalf("reading %s blocked for %s", dir, hangTimeout)
		return nil, nil, 0
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// aliasBomb is front matter whose anchor is referenced refs times: a few hundred kilobytes that
// a YAML decoder expands into gigabytes of questions.
func aliasBomb(refs int) []byte {
	var b strings.Builder
	b.WriteString("---\nid: bomb\ntitle: Billion laughs\nkind: faq\nquestions: [&a \"" + strings.Repeat("lol ", 256) + "\"")
	b.WriteString(strings.Repeat(",*a", refs))
	b.WriteString("]\n---\n**Boom.**\n")
	return []byte(b.String())
}

// Each hostile file is refused with its name and the reason, the read neither blocks nor
// swallows memory, and the good entry beside it is still read.
func TestOpenDirRefusesHostileFiles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.md")
	writeFile(t, outside, []byte(strings.Replace(goodEntry, "id: good", "id: secret", 1)))
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"pipe.md", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "pipe.md: a named pipe (FIFO), not a regular file: only regular files, or symlinks to them inside the folder, are read"},
		{"outside.md", func(t *testing.T, path string) {
			if err := os.Symlink(outside, path); err != nil {
				t.Fatal(err)
			}
		}, fmt.Sprintf("outside.md: symlink to %q leads outside the knowledge folder: only files inside it are read", outside)},
		{"relative.md", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join("..", filepath.Base(filepath.Dir(outside)), "secret.md"), path); err != nil {
				t.Fatal(err)
			}
		}, "relative.md: symlink to \"../"},
		{"zero.md", func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}, `zero.md: symlink to "/dev/zero" leads outside the knowledge folder`},
		{"dangling.md", func(t *testing.T, path string) {
			if err := os.Symlink("nothing-here.md", path); err != nil {
				t.Fatal(err)
			}
		}, `dangling.md: symlink to "nothing-here.md" leads to nothing: the file does not exist`},
		{"folder.md", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "folder.md: a folder, not a regular file"},
		{"big.md", func(t *testing.T, path string) {
			writeFile(t, path, []byte(goodEntry))
			if err := os.Truncate(path, 50<<20); err != nil { // 50 MB, sparse on disk
				t.Fatal(err)
			}
		}, "big.md: file is larger than 256 KiB, the most an entry file may hold: split it"},
		{"bomb.md", func(t *testing.T, path string) { // ~300 KB, 100,000 references
			writeFile(t, path, aliasBomb(100_000))
		}, "bomb.md: file is larger than 256 KiB"},
		{"small-bomb.md", func(t *testing.T, path string) { // under the size limit
			writeFile(t, path, aliasBomb(80_000))
		}, "small-bomb.md:5: front matter: YAML alias *a is not allowed: write the value out"},
		{"latin1.md", func(t *testing.T, path string) {
			writeFile(t, path, []byte(strings.Replace(goodEntry, "**Yes.**", "**Yes.**\n\nCaf\xe9.", 1)))
		}, "latin1.md:9: not UTF-8 text: byte 0xE9 at column 4; save the file as UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "good.md"), []byte(goodEntry))
			c.make(t, filepath.Join(dir, c.name))
			entries, err, allocated := checkDir(t, dir)
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || !strings.HasPrefix(ps[0].Error(), c.want) {
				t.Errorf("Check = %v\nwant one problem starting %q", err, c.want)
			}
			if len(entries) != 1 || entries[0].ID != "good" {
				t.Errorf("entries = %v, want the good entry beside the hostile file", ids(entries))
			}
			if allocated > 32<<20 { // parsing YAML costs tens of times the file size, which the size limit bounds
				t.Errorf("reading the folder allocated %d MiB; a hostile file must cost little more than its size limit", allocated>>20)
			}
		})
	}
}

// Limits on the whole folder: its total size and its number of entries.
func TestCheckFolderLimits(t *testing.T) {
	padded := func(id string, size int) *fstest.MapFile {
		head := "---\nid: " + id + "\ntitle: T\nkind: faq\nquestions: [q]\n---\n**Long.**\n"
		return &fstest.MapFile{Data: []byte(head + strings.Repeat("x", size-len(head)))}
	}
	large := fstest.MapFS{}
	for i := range 70 { // 70 files of 250 KiB: 17.5 MiB
		large[fmt.Sprintf("e%02d.md", i)] = padded(fmt.Sprintf("e%02d", i), 250<<10)
	}
	_, err := Check(large, nil)
	if want := "e65.md: the folder's entry files pass 16 MiB, the most read from one folder: this file and the ones after it are not read"; err == nil || err.Error() != want {
		t.Errorf("Check(17.5 MiB folder) = %v\nwant %s", err, want)
	}

	many := fstest.MapFS{}
	for i := range MaxEntries + 1 {
		many[fmt.Sprintf("e%05d.md", i)] = &fstest.MapFile{Data: []byte(goodEntry)}
	}
	if _, err := Check(many, nil); err == nil || err.Error() != "more than 10000 entry files: a knowledge folder may hold at most 10000" {
		t.Errorf("Check(%d entries) = %.200v", MaxEntries+1, err)
	}
}

// Check finds every problem in one run: those across files are reported even when files have
// problems of their own, and the broken files take part in them.
func TestCheckReportsEveryProblemAtOnce(t *testing.T) {
	fsys := fstest.MapFS{
		"a-broken.md": {Data: []byte("---\nid: twice\ntitle: Broken\nkind: tutorial\nquestions: [q]\n---\n**Body.**\n")},
		"b-twice.md":  {Data: []byte("---\nid: twice\ntitle: Twice\nkind: faq\nquestions: [q]\n---\n**Body.**\n")},
		"c-links.md":  {Data: []byte("---\nid: links\ntitle: Links\nkind: faq\nquestions: [q]\nrelated: [nowhere]\nsources: [not-a-url]\n---\nNo summary.\n")},
		"d-yaml.md":   {Data: []byte("---\nid: yaml\ntitle: [unclosed\n---\n**Body.**\n")},
	}
	want := strings.Join([]string{
		`a-broken.md:4: kind "tutorial" must be one of definition, difference, together, howto, faq`,
		`b-twice.md:2: duplicate id "twice": also used by a-broken.md`,
		`c-links.md:6: related id "nowhere" does not exist`,
		`c-links.md:7: source "not-a-url" must be an http(s) URL such as https://kubernetes.io/docs/`,
		`c-links.md:9: the body must open with a one-line summary in bold, such as **Docker builds and runs containers.**`,
		`d-yaml.md:3: front matter: did not find expected ',' or ']'`,
	}, "\n")
	if _, err := Check(fsys, nil); err == nil || err.Error() != want {
		t.Errorf("Check =\n%v\nwant\n%s", err, want)
	}
}

// The built-in base passes every check lint makes.
func TestCheckBuiltin(t *testing.T) {
	entries, err := Check(Builtin(), nil)
	if err != nil {
		t.Fatalf("built-in knowledge:\n%v", err)
	}
	files, _ := fs.Glob(Builtin(), "*.md")
	if len(entries) != len(files) {
		t.Errorf("Check(builtin) = %d entries, want all %d", len(entries), len(files))
	}
}
