package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

const teamEntry = `---
id: our-cluster-access
title: Getting access to our Kubernetes clusters
kind: howto
entities: [kubernetes, kubeconfig]
aspects: [configuration]
questions:
  - how do i get a kubeconfig for our clusters
  - how do i get access to the prod kubeconfig
  - who gives me kubeconfig access
related: [kubectl]
sources: [https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/]
---
**Ask in #platform for a kubeconfig: VERSION.**
`

// watchFolder serves the built-in knowledge plus dir and reloads it on every change, as serve
// does, with an in-memory brain. Its logs go to logs when given.
func watchFolder(t *testing.T, dir string, logs *dvkbottest.Logs) *reloader {
	t.Helper()
	return watchKnowledge(t, dir, brain.NewMemory(brain.Options{}), nil, logs)
}

// watchKnowledge is watchFolder with the captured entries of store; failed counts the brain's
// failures (none when nil).
func watchKnowledge(t *testing.T, dir string, store brain.EntryStore, failed func(string), logs *dvkbottest.Logs) *reloader {
	t.Helper()
	if logs == nil {
		logs = dvkbottest.NewLogs()
	}
	if failed == nil {
		failed = func(string) {}
	}
	r, err := startReloader(context.Background(), dir, store, failed, slog.New(slog.NewJSONHandler(logs, nil)), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.stop)
	return r
}

// waitFor checks cond after every reload and change of watch status until it holds.
func waitFor(t *testing.T, r *reloader, what string, cond func() bool) {
	t.Helper()
	dvkbottest.Until(t, what, cond, r.changes)
}

// answers tells whether question is answered with the team entry holding want.
func answers(r *reloader, question, want string) func() bool {
	return func() bool {
		a := r.live.Answer(question)
		return a.Answered && a.Entry.ID == "our-cluster-access" && strings.Contains(a.Entry.Body, want)
	}
}

// reloads reads the reloader's count of reloads with result (ok, error).
func reloads(r *reloader, result string) float64 {
	return testutil.ToFloat64(r.results.WithLabelValues(result))
}

// write replaces a file at once, as editors do: written elsewhere, then renamed into place, so
// that a reload never sees it half written.
func write(t testing.TB, path, text string) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

const kubeconfigQuestion = "how do i get a kubeconfig for our clusters"

func TestReloadOnFileEditAndBrokenFileKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	r := watchFolder(t, dir, nil)
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	waitFor(t, r, "answer v1", answers(r, kubeconfigQuestion, "**Ask in #platform for a kubeconfig: v1.**"))
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	waitFor(t, r, "answer v2", answers(r, kubeconfigQuestion, "**Ask in #platform for a kubeconfig: v2.**"))
	if n := r.live.Open(); n != 1 {
		t.Errorf("after two reloads %d indexes are open, want 1: a replaced index must be closed once unused", n)
	}

	write(t, filepath.Join(dir, "broken.md"), "---\nid: Not Kebab\n---\n")
	waitFor(t, r, "failed reload", func() bool { return reloads(r, "error") >= 1 })
	if !answers(r, kubeconfigQuestion, "v2")() {
		t.Error("after a broken file the last good knowledge is no longer served")
	}

	for _, name := range []string{"broken.md", "access.md"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, r, "deleted entry gone", func() bool { return !answers(r, kubeconfigQuestion, "")() })
}

// TestReloadOnConfigMapSymlinkSwap lays the folder out as the kubelet does for a ConfigMap
// volume and updates it as the kubelet does: a new hidden folder, and ..data swapped to it.
func TestReloadOnConfigMapSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(name, v string) {
		data := filepath.Join(dir, name)
		if err := os.Mkdir(data, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(data, "access.md"), replaceVersion(teamEntry, v))
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(name, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	version("..2026_11_25_10_00_00.000000001", "v1")
	if err := os.Symlink(filepath.Join("..data", "access.md"), filepath.Join(dir, "access.md")); err != nil {
		t.Fatal(err)
	}
	r := watchFolder(t, dir, nil)
	q := "who gives me kubeconfig access"
	if !answers(r, q, "v1")() {
		t.Fatal("the ConfigMap's entry is not served at start")
	}
	version("..2026_11_25_10_05_00.000000002", "v2")
	waitFor(t, r, "answer v2 after the ..data swap", answers(r, q, "v2"))
}

// The folder deleted and created again: the watcher says so while it is gone (log, metric,
// readiness), the last good knowledge keeps serving, and the new folder is watched and loaded.
func TestReloadSurvivesFolderDeletedAndRecreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "knowledge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	logs := dvkbottest.NewLogs()
	r := watchFolder(t, dir, logs)
	if err := r.ready(); err != nil {
		t.Fatalf("ready at start: %v", err)
	}

	removeFolder(t, dir)
	waitFor(t, r, "watch failure reported", func() bool { return r.ready() != nil })
	if err := r.ready(); !strings.Contains(err.Error(), "deleted or moved") {
		t.Errorf("ready() = %v, want it to say the folder was deleted or moved", err)
	}
	if got := testutil.ToFloat64(r.watchFailures); got != 1 {
		t.Errorf("dvkbot_knowledge_watch_failures_total = %v, want 1", got)
	}
	waitFor(t, r, "the lost watch logged", func() bool { return logs.Line(unwatchedLine) != nil })
	if !answers(r, kubeconfigQuestion, "v1")() {
		t.Error("with the folder gone the last good knowledge is no longer served")
	}

	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	waitFor(t, r, "answer v2 from the new folder", answers(r, kubeconfigQuestion, "v2"))
	waitFor(t, r, "ready again", func() bool { return r.ready() == nil })

	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v3"))
	waitFor(t, r, "answer v3: edits in the new folder are seen", answers(r, kubeconfigQuestion, "v3"))
}

// Special files (a named pipe, a symlink to /dev/zero) fail the reload with their name, and
// the watcher goes on: once they are gone, edits are loaded again.
func TestReloadSurvivesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	logs := dvkbottest.NewLogs()
	r := watchFolder(t, dir, logs)
	specials := map[string]func(string) error{
		"pipe.md": func(path string) error { return syscall.Mkfifo(path, 0o644) },
		"zero.md": func(path string) error { return os.Symlink("/dev/zero", path) },
	}
	for name, create := range specials {
		failed := reloads(r, "error")
		if err := create(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, r, "failed reload naming "+name, func() bool { return reloads(r, "error") > failed && strings.Contains(logs.String(), name) })
		if !answers(r, kubeconfigQuestion, "v1")() {
			t.Errorf("after %s the last good knowledge is no longer served", name)
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	waitFor(t, r, "answer v2 after the special files", answers(r, kubeconfigQuestion, "v2"))
	if err := r.ready(); err != nil {
		t.Errorf("ready() = %v after special files came and went", err)
	}
}

// A reload that would not fit in memory beside the knowledge in service is refused with a log
// line and a metric, the last good knowledge keeps serving, and once there is room again the
// next change is loaded.
func TestReloadRefusedWhenItWouldNotFitInMemory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	logs := dvkbottest.NewLogs()
	r := watchFolder(t, dir, logs)

	// A limit 1 MiB above the heap in use: no knowledge base builds in that.
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	unlimited := debug.SetMemoryLimit(int64(m.HeapAlloc) + 1<<20)
	t.Cleanup(func() { debug.SetMemoryLimit(unlimited) })
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	waitFor(t, r, "refused reload", func() bool { return reloads(r, "refused") >= 1 })
	if !answers(r, kubeconfigQuestion, "v1")() {
		t.Error("after a refused reload the last good knowledge is no longer served")
	}
	debug.SetMemoryLimit(unlimited)
	if !strings.Contains(logs.String(), "knowledge reload refused") || !strings.Contains(logs.String(), `"need_bytes":`) {
		t.Errorf("the refused reload is not logged with what it needs:\n%s", logs.String())
	}
	if n := reloads(r, "error"); n != 0 {
		t.Errorf("%v reloads counted as failed, want the refused one counted as refused only", n)
	}

	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v3"))
	waitFor(t, r, "answer v3 with the limit lifted", answers(r, kubeconfigQuestion, "v3"))
}

// removeFolder deletes dir at once: moved aside, then deleted, so that no reload sees it half
// removed.
func removeFolder(t testing.TB, dir string) {
	t.Helper()
	aside := dir + ".removed"
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(aside); err != nil {
		t.Fatal(err)
	}
}

func replaceVersion(s, v string) string {
	return strings.ReplaceAll(s, "VERSION", v)
}
