package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dvkbot/dvkbot/index"
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

// startReloader serves the built-in knowledge plus dir and watches dir, as serve does.
func startReloader(t *testing.T, dir string) (*index.Live, *reloader) {
	t.Helper()
	ix, err := buildIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	live := index.NewLive(ix)
	r := newReloader(live, dir, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.watch(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(50 * time.Millisecond) // let the watcher register before the test edits files
	return live, r
}

// answerBecomes waits up to 2 s (the promise to teams) for question to be answered with text.
func answerBecomes(t *testing.T, live *index.Live, question, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		a := live.Answer(question)
		if a.Answered && strings.Contains(a.Entry.Body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("within 2s %q was not answered with %q; got answered=%v id=%q", question, want, a.Answered, a.Entry.ID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReloadOnFileEditAndBrokenFileKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	live, r := startReloader(t, dir)
	q := "how do i get a kubeconfig for our clusters"
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	answerBecomes(t, live, q, "**Ask in #platform for a kubeconfig: v1.**")
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	answerBecomes(t, live, q, "**Ask in #platform for a kubeconfig: v2.**")

	write(t, filepath.Join(dir, "broken.md"), "---\nid: Not Kebab\n---\n")
	waitUntil(t, "reload error counted", func() bool { return testutil.ToFloat64(r.results.WithLabelValues("error")) >= 1 })
	answerBecomes(t, live, q, "v2")

	if err := os.Remove(filepath.Join(dir, "broken.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "access.md")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "deleted entry gone", func() bool { return !live.Answer(q).Answered || live.Answer(q).Entry.ID != "our-cluster-access" })
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
	live, _ := startReloader(t, dir)
	q := "who gives me kubeconfig access"
	answerBecomes(t, live, q, "v1")
	version("..2026_11_25_10_05_00.000000002", "v2")
	answerBecomes(t, live, q, "v2")
}

func replaceVersion(s, v string) string {
	return strings.ReplaceAll(s, "VERSION", v)
}
