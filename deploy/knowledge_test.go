package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// TestTeamKnowledge checks the example team folder as `dvkbot lint deploy/knowledge` does: every
// entry file parses, and its related links resolve against the built-in base merged with it.
func TestTeamKnowledge(t *testing.T) {
	files, err := filepath.Glob("knowledge/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no entries in deploy/knowledge (%v)", err)
	}
	team, err := knowledge.Load(os.DirFS("knowledge"))
	if err != nil {
		t.Fatalf("deploy/knowledge:\n%v", err)
	}
	builtin, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatalf("built-in knowledge:\n%v", err)
	}
	if err := knowledge.Validate(team, knowledge.Merge(builtin, team)); err != nil {
		t.Errorf("deploy/knowledge:\n%v", err)
	}
	var teamIDs, builtinIDs []string
	for _, e := range team {
		teamIDs = append(teamIDs, e.ID)
		if filepath.Base(e.File) != e.ID+".md" {
			t.Errorf("%s holds id %q: name the file after the id", e.File, e.ID)
		}
	}
	for _, e := range builtin {
		builtinIDs = append(builtinIDs, e.ID)
	}
	runChecks(t, []check{
		{"entries loaded", len(team), len(files)},
		{"team ids", teamIDs, []string{"managed-kubernetes", "our-cluster-access"}},
		// The example of a team entry replacing a built-in one must really replace one.
		{"managed-kubernetes is built in", slices.Contains(builtinIDs, "managed-kubernetes"), true},
		{"our-cluster-access is new", slices.Contains(builtinIDs, "our-cluster-access"), false},
	})
}
