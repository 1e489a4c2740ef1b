package deploy_test

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// stage is one FROM and the instructions under it.
type stage struct {
	name, image  string
	instructions []instruction
}

// find returns the args of every instruction cmd of the stage.
func (s stage) find(cmd string) []string {
	var out []string
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// parseDockerfile reads ../Dockerfile into its stages, as BuildKit would: comment lines are
// dropped, also inside continued instructions.
func parseDockerfile(t *testing.T) []stage {
	t.Helper()
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if more, ok := strings.CutSuffix(line, `\`); ok {
			cur += more
			continue
		}
		cmd, args, _ := strings.Cut(cur+line, " ")
		cur = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			var fields []string
			for _, f := range strings.Fields(in.args) {
				if !strings.HasPrefix(f, "--") {
					fields = append(fields, f)
				}
			}
			s := stage{image: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				s.name = fields[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before FROM", in.cmd)
		}
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build and a runtime stage", len(stages))
	}
	return stages
}

// goBuild is the build stage's RUN line that calls go build.
func goBuild(t *testing.T, s stage) string {
	t.Helper()
	for _, run := range s.find("RUN") {
		if strings.Contains(run, "go build") {
			return run
		}
	}
	t.Fatalf("stage %q has no RUN ... go build", s.name)
	return ""
}

func TestDockerfileStages(t *testing.T) {
	stages := parseDockerfile(t)
	build, runtime := stages[0], stages[len(stages)-1]
	run := goBuild(t, build)
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	labels := strings.Join(runtime.find("LABEL"), " ")
	runChecks(t, []check{
		{"build image", build.image, "golang:" + string(goVersion[1])},
		// Modules are downloaded in a layer keyed only on go.mod and go.sum, before the sources.
		{"first build layers", layers(build, 3), []string{"COPY go.mod go.sum ./", "RUN go mod download", "COPY . ."}},
		{"static build", strings.Contains(run, "CGO_ENABLED=0"), true},
		{"trimpath", strings.Contains(run, "-trimpath"), true},
		{"version stamp", strings.Contains(run, "-X main.version=$VERSION"), true},
		// Debian 13: distroless stops updating its Debian 12 images in September 2026.
		{"runtime image", runtime.image, "gcr.io/distroless/static-debian13:nonroot"},
		{"base image label", strings.Contains(labels, `org.opencontainers.image.base.name="`+runtime.image+`"`), true},
		{"runtime user", runtime.find("USER"), []string{"65532:65532"}},
		{"binary copied from build", runtime.find("COPY"), []string{"--from=" + build.name + " /out/dvkbot /dvkbot",
			// DVK_DATA_DIR's folder, owned by the runtime user: a volume mounted there starts so.
			"--from=" + build.name + " --chown=65532:65532 /out/data " + dataDir}},
		{"entrypoint", execForm(t, runtime.find("ENTRYPOINT")), []string{"/dvkbot"}},
		{"cmd", execForm(t, runtime.find("CMD")), []string{"serve"}},
	})
	for _, label := range []string{"title", "description", "source", "version"} {
		if !strings.Contains(labels, "org.opencontainers.image."+label+"=") {
			t.Errorf("no OCI label org.opencontainers.image.%s", label)
		}
	}
	// No secret baked into a layer: tokens come from the environment at run time.
	for _, s := range stages {
		for _, in := range s.instructions {
			if (in.cmd == "ENV" || in.cmd == "ARG") && regexp.MustCompile(`(?i)token|secret|password`).MatchString(in.args) {
				t.Errorf("stage %q: %s %s looks like a secret", s.name, in.cmd, in.args)
			}
		}
	}
}

// layers is the first n COPY and RUN instructions of a stage, as "CMD args".
func layers(s stage, n int) []string {
	var out []string
	for _, in := range s.instructions {
		if (in.cmd == "COPY" || in.cmd == "RUN") && len(out) < n {
			out = append(out, in.cmd+" "+in.args)
		}
	}
	return out
}

// execForm decodes the JSON form of the one ENTRYPOINT or CMD given.
func execForm(t *testing.T, args []string) []string {
	t.Helper()
	if len(args) != 1 {
		t.Errorf("%d instructions, want 1", len(args))
		return nil
	}
	var argv []string
	if err := json.Unmarshal([]byte(args[0]), &argv); err != nil {
		t.Errorf("%s is not in exec (JSON) form: %v", args[0], err)
	}
	return argv
}

// TestDockerfileBuildsStaticBinary runs the build stage's exact go build line, with its ARGs,
// and checks the binary the image would ship.
func TestDockerfileBuildsStaticBinary(t *testing.T) {
	if mains, _ := filepath.Glob("../cmd/dvkbot/*.go"); len(mains) == 0 {
		t.Skip("./cmd/dvkbot does not exist yet")
	}
	build := parseDockerfile(t)[0]
	const version = "0.0.0-deploytest"
	bin := filepath.Join(t.TempDir(), "dvkbot")
	out := regexp.MustCompile(`-o\s+\S+`)
	if !out.MatchString(goBuild(t, build)) {
		t.Fatal("go build has no -o OUTPUT")
	}
	cmd := exec.Command("sh", "-c", out.ReplaceAllLiteralString(goBuild(t, build), "-o "+bin))
	cmd.Dir = ".." // the Dockerfile builds from the repository root
	cmd.Env = os.Environ()
	for _, arg := range build.find("ARG") {
		if name, value, ok := strings.Cut(arg, "="); ok {
			cmd.Env = append(cmd.Env, name+"="+value)
		}
	}
	cmd.Env = append(cmd.Env, "VERSION="+version, "TARGETOS="+runtime.GOOS, "TARGETARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	interp := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("dvkbot version: %v\n%s", err, got)
	}
	runChecks(t, []check{
		{"PT_INTERP (dynamic loader)", interp, false},
		{"DT_NEEDED libraries", len(libs), 0},
		{"stripped (-s)", f.Section(".symtab") == nil, true},
		// The bar is on the code: the built-in knowledge grows by design (2.4 MB embedded in
		// November 2026), while a new dependency or lost stripping shows up here. The Redis
		// client of the shared brain is about 4 MB of the code; distroless/static adds about
		// 2 MB to the image (about 14 MB compressed).
		{"binary less its embedded knowledge under 31 MiB", info.Size()-embeddedKnowledge(t) < 31<<20, true},
		{"version stamped", strings.Contains(string(got), version), true},
	})
}

// embeddedKnowledge is the size of the files the binary embeds: the built-in entries, the
// vocabulary and the answer model.
func embeddedKnowledge(t *testing.T) int64 {
	t.Helper()
	files, err := filepath.Glob("../knowledge/entries/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, f := range append(files, "../knowledge/vocabulary.yaml", "../index/model.json") {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		size += info.Size()
	}
	return size
}

// TestDockerignore checks that the build context is an allowlist holding every package the
// binary is built from, and never token files.
func TestDockerignore(t *testing.T) {
	patterns := lines(t, "../.dockerignore")
	var active, allowed []string
	for _, p := range patterns {
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		active = append(active, p)
		if name, ok := strings.CutPrefix(p, "!"); ok {
			allowed = append(allowed, strings.TrimSuffix(name, "/"))
		}
	}
	if len(active) == 0 || active[0] != "*" {
		t.Fatalf(".dockerignore must start with * (allowlist), starts with %v", active)
	}
	for _, want := range []string{"**/*.env", "!go.mod", "!go.sum", "!cmd/"} {
		if !slices.Contains(active, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	if slices.Contains(allowed, "deploy") || slices.Contains(allowed, ".git") {
		t.Errorf(".dockerignore lets deploy/ or .git/ into the build context: %v", allowed)
	}
	if mains, _ := filepath.Glob("../cmd/dvkbot/*.go"); len(mains) == 0 {
		t.Skip("./cmd/dvkbot does not exist yet")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := goOutput(t, root, "list", "-deps", "-f", `{{if and .Module .Module.Main}}{{.Dir}}{{range .EmbedFiles}} {{.}}{{end}}{{end}}`, "./cmd/dvkbot")
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, embeds, _ := strings.Cut(line, " ")
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		if !slices.Contains(allowed, top) {
			t.Errorf("package %s is not in the build context: add !%s/ to .dockerignore", rel, top)
		}
		for _, f := range strings.Fields(embeds) {
			if strings.Contains(f, "testdata/") || strings.HasSuffix(f, ".env") {
				t.Errorf("%s embeds %s, which .dockerignore leaves out", rel, f)
			}
		}
	}
}

// TestBotModuleLeavesOutDeployLibraries checks that the libraries only these tests import
// (Kubernetes types, kustomize, YAML) stay out of the bot's module graph, so neither `go test` at
// the root nor the image build's `go mod download` fetches them.
func TestBotModuleLeavesOutDeployLibraries(t *testing.T) {
	var deployMod struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.Unmarshal(goOutput(t, ".", "mod", "edit", "-json"), &deployMod); err != nil {
		t.Fatalf("go mod edit -json: %v", err)
	}
	botModules := strings.Fields(string(goOutput(t, "..", "list", "-m", "-f", "{{.Path}}", "all")))
	bot := botModules[0] // the main module is listed first
	var checked int
	for _, r := range deployMod.Require {
		if r.Indirect || r.Path == bot {
			continue
		}
		checked++
		if slices.Contains(botModules, r.Path) {
			t.Errorf("the bot's module graph (go list -m all at the root) holds %s, which only deploy/ needs", r.Path)
		}
	}
	if checked == 0 {
		t.Error("deploy/go.mod requires no library of its own: nothing was checked")
	}
}

// goOutput runs the go command in dir and returns its standard output.
func goOutput(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.Bytes())
	}
	return out
}
