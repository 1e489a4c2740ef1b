package knowledge

import (
	"fmt"
	"os"
	"testing"
	"testing/fstest"
)

func TestValidateNamesFileAndLine(t *testing.T) {
	tests := map[string]string{
		"dup":      `b.md:4: duplicate id "same-id": also used by a.md`,
		"dangling": `links.md:6: related id "no-such-entry" does not exist`,
	}
	for dir, want := range tests {
		t.Run(dir, func(t *testing.T) {
			entries, err := Load(os.DirFS("testdata/" + dir))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := Validate(entries, entries); err == nil || err.Error() != want {
				t.Errorf("Validate = %v\nwant %s", err, want)
			}
		})
	}
}

// A team entry may link to a built-in one when validated against the merge.
func TestValidateTeamLinksToBuiltin(t *testing.T) {
	base := loadBuiltin(t)
	team := []Entry{{ID: "team-runbook", File: "team-runbook.md", Related: []string{"what-is-docker"}}}
	if err := Validate(team, Merge(base, team)); err != nil {
		t.Errorf("against the merge: %v", err)
	}
	if err := Validate(team, team); err == nil {
		t.Error("against the team alone: want a dangling related id")
	}
}

// Among many files, a duplicate is reported on the later file and names the first one.
func TestValidateDuplicateNamesFirstFile(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("entry-%02d", i)
		if i%10 == 0 {
			id = "same"
		}
		fsys[fmt.Sprintf("f%02d.md", i)] = &fstest.MapFile{Data: []byte("---\nid: " + id + "\ntitle: T\nkind: faq\nquestions: [q]\n---\n**Body.**\n")}
	}
	entries, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := `f10.md:2: duplicate id "same": also used by f00.md
f20.md:2: duplicate id "same": also used by f00.md
f30.md:2: duplicate id "same": also used by f00.md`
	if err := Validate(entries, entries); err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
}
