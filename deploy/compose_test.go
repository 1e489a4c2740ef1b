package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"
)

// composeService is the part of a Compose service the checks below read.
type composeService struct {
	Build struct {
		Context    string `json:"context"`
		Dockerfile string `json:"dockerfile"`
	} `json:"build"`
	EnvFile     []string          `json:"env_file"`
	Environment map[string]string `json:"environment"`
	Volumes     []struct {
		Type     string `json:"type"`
		Source   string `json:"source"`
		Target   string `json:"target"`
		ReadOnly bool   `json:"read_only"`
	} `json:"volumes"`
	Ports       []string `json:"ports"`
	User        string   `json:"user"`
	ReadOnly    bool     `json:"read_only"`
	CapDrop     []string `json:"cap_drop"`
	SecurityOpt []string `json:"security_opt"`
	Restart     string   `json:"restart"`
	Healthcheck struct {
		Test []string `json:"test"`
	} `json:"healthcheck"`
}

// dataDir is where the image keeps DVK_DATA_DIR's folder, owned by its user.
const dataDir = "/var/lib/dvkbot"

// withDefault expands ${VAR:-default} to its default, as Compose does with VAR unset.
var withDefault = regexp.MustCompile(`\$\{[A-Z_]+:-([^}]*)\}`)

func TestCompose(t *testing.T) {
	data, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `json:"services"`
		Volumes  map[string]any            `json:"volumes"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode compose.yaml: %v", err)
	}
	s, ok := f.Services["dvkbot"]
	if !ok {
		t.Fatal("no dvkbot service")
	}
	knowledge := "no bind mount at DVK_KNOWLEDGE_DIR"
	for _, v := range s.Volumes {
		if v.Type == "bind" && v.Target == s.Environment["DVK_KNOWLEDGE_DIR"] && v.ReadOnly {
			knowledge = withDefault.ReplaceAllString(v.Source, "$1")
		}
	}
	dataVolume := "no named volume at DVK_DATA_DIR"
	for _, v := range s.Volumes {
		if _, declared := f.Volumes[v.Source]; v.Type == "volume" && declared && v.Target == s.Environment["DVK_DATA_DIR"] && !v.ReadOnly {
			dataVolume = v.Target
		}
	}
	entries, _ := filepath.Glob(filepath.Join(knowledge, "*.md"))
	_, dockerfileErr := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile))
	runChecks(t, []check{
		{"Dockerfile found", dockerfileErr, nil},
		{"env_file", s.EnvFile, []string{"dvkbot.env"}},
		{"DVK_KNOWLEDGE_DIR", s.Environment["DVK_KNOWLEDGE_DIR"], "/etc/dvkbot/knowledge"},
		{"knowledge folder has entries", len(entries) > 0, true},
		{"healthcheck", s.Healthcheck.Test, []string{"CMD", "/dvkbot", "healthcheck"}},
		{"read_only", s.ReadOnly, true},
		{"cap_drop", s.CapDrop, []string{"ALL"}},
		{"no-new-privileges", slices.Contains(s.SecurityOpt, "no-new-privileges:true"), true},
		{"user", s.User, "65532:65532"},
		{"restart", s.Restart, "unless-stopped"},
		{"metrics port", s.Ports, []string{"127.0.0.1:8080:8080"}},
		{"DVK_HTTP_ADDR", s.Environment["DVK_HTTP_ADDR"], ":8080"},
		// The image makes this folder for the runtime user, so the volume starts writable by it.
		{"data volume", dataVolume, dataDir},
	})
}
