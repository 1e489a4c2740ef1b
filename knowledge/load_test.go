package knowledge

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func ids(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

// testdata/load holds keep.md plus a hidden .md file and non-.md files that are not entries.
func TestLoadSkipsHiddenAndNonMarkdown(t *testing.T) {
	entries, err := Load(os.DirFS("testdata/load"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(entries); !reflect.DeepEqual(got, []string{"keep"}) {
		t.Errorf("Load = %v, want [keep]", got)
	}
}

// writeConfigMap lays out dir as the kubelet does: entry.md -> ..data/entry.md, and
// ..data -> a hidden timestamped folder holding the real file. Calling it again swaps ..data.
func writeConfigMap(t *testing.T, dir, stamp, title string) {
	t.Helper()
	real := filepath.Join(dir, stamp)
	body := "---\nid: team-entry\ntitle: " + title + "\nkind: faq\nquestions: [what changed]\n---\n**Body.**\n"
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "entry.md"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink(stamp, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "entry.md")
	if _, err := os.Lstat(link); os.IsNotExist(err) {
		if err := os.Symlink(filepath.Join("..data", "entry.md"), link); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadConfigMapVolume(t *testing.T) {
	dir := t.TempDir()
	writeConfigMap(t, dir, "..2026_11_25_12_00_00.123", "First")
	for _, want := range []string{"First", "Second"} {
		if want == "Second" {
			writeConfigMap(t, dir, "..2026_11_25_12_05_00.456", "Second")
		}
		entries, err, _ := checkDir(t, dir) // through OpenDir: the links stay inside the folder
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Title != want || entries[0].File != "entry.md" {
			t.Errorf("Load = %+v, want the one entry titled %q read through ..data", entries, want)
		}
	}
}

func TestMergeReplacesAndAdds(t *testing.T) {
	base := []Entry{{ID: "b", Title: "base b"}, {ID: "a", Title: "base a"}}
	team := []Entry{{ID: "c", Title: "team c"}, {ID: "b", Title: "team b"}}
	got := Merge(base, team)
	want := []Entry{{ID: "a", Title: "base a"}, {ID: "b", Title: "team b"}, {ID: "c", Title: "team c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %+v\nwant %+v", got, want)
	}
}
