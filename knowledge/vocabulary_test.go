package knowledge

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinVocabularyParses(t *testing.T) {
	v := BuiltinVocabulary()
	if v.Synonyms["k8s"] != "kubernetes" || len(v.Starters) == 0 || !strings.Contains(v.Fallback, "Docker") || v.NearMiss == "" {
		t.Errorf("built-in vocabulary lacks k8s, starters or fallback: %d synonyms, starters %v", len(v.Synonyms), v.Starters)
	}
}

func TestParseVocabularyNamesTheLine(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"yaml", "synonyms:\n  k8s: kubernetes\nfiller: [a, b\n", "vocabulary.yaml:"},
		{"compound", "anchors: [docker]\ncompounds:\n  config map map map: configmap\n", "vocabulary.yaml:2: compounds: \"config map map map\" must be two or three words"},
		{"joined", "joined: [crio]\n", "vocabulary.yaml:1: joined: \"crio\" has no hyphen"},
		{"empty word", "filler: [hey, \"\"]\n", "vocabulary.yaml:1: filler: an empty word"},
		{"both senses", "anchors: [harbor]\nforeign: [ship, harbor]\n", "vocabulary.yaml:2: foreign: \"harbor\" is also in anchors"},
		{"everyday and foreign", "foreign: [node]\neveryday: [node]\n", "vocabulary.yaml:1: foreign: \"node\" is also in everyday"},
		{"type", "synonyms: [k8s]\n", "vocabulary.yaml:1:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseVocabulary("vocabulary.yaml", []byte(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseVocabulary = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// A team's vocabulary adds words, replaces what names the same word, and keeps the rest.
func TestExtendLaysTheTeamOverTheBase(t *testing.T) {
	base := Vocabulary{Synonyms: map[string]string{"k8s": "kubernetes", "lb": "load balancing"},
		Filler: []string{"hey"}, Starters: []string{"a"}, Fallback: "base"}
	team := Vocabulary{Synonyms: map[string]string{"lb": "load balancer", "kk": "kubernetes"}, Filler: []string{"yo"}, NearMiss: "team"}
	got := base.Extend(team)
	if got.Synonyms["k8s"] != "kubernetes" || got.Synonyms["lb"] != "load balancer" || got.Synonyms["kk"] != "kubernetes" {
		t.Errorf("synonyms = %v", got.Synonyms)
	}
	if !slices.Equal(got.Filler, []string{"hey", "yo"}) || !slices.Equal(got.Starters, []string{"a"}) || got.Fallback != "base" || got.NearMiss != "team" {
		t.Errorf("filler %v, starters %v, fallback %q, near miss %q", got.Filler, got.Starters, got.Fallback, got.NearMiss)
	}
	if base.Synonyms["lb"] != "load balancing" {
		t.Error("Extend changed the base")
	}
}

func TestLoadVocabularyFromAFolder(t *testing.T) {
	dir := t.TempDir()
	if v, err := LoadVocabulary(os.DirFS(dir)); err != nil || len(v.Synonyms) != 0 {
		t.Fatalf("a folder without vocabulary.yaml: %v, %v; want an empty vocabulary", v, err)
	}
	if err := os.WriteFile(filepath.Join(dir, VocabularyFile), []byte("synonyms:\n  kubbo: kubernetes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := LoadVocabulary(os.DirFS(dir)); err != nil || v.Synonyms["kubbo"] != "kubernetes" {
		t.Errorf("LoadVocabulary = %v, %v; want kubbo", v.Synonyms, err)
	}
}
