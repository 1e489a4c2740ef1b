package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
)

// capturedEntry is an entry as the Answer modal saves it: id, a question, a bold summary.
func capturedEntry(id, question, summary string) string {
	return "---\nid: " + id + "\ntitle: " + summary + "\nkind: faq\nquestions:\n  - " + question + "\n---\n**" + summary + ".**\n"
}

// save captures an entry in b, as an expert's answer does.
func save(t *testing.T, b brain.Brain, markdown string) {
	t.Helper()
	if _, err := b.SaveEntry(context.Background(), brain.Draft{Markdown: markdown, Author: "U0EXPERT"}); err != nil {
		t.Fatal(err)
	}
}

// servedBody is a function telling whether question is answered with entry id, its body
// holding want.
func servedBody(r *reloader, question, id, want string) func() bool {
	return func() bool {
		a := r.live.Answer(question)
		return a.Answered && a.Entry.ID == id && strings.Contains(a.Entry.Body, want)
	}
}

// Captured entries are answered from as soon as they are saved; one with a built-in id replaces
// the built-in answer; one with a team entry's id does not replace the team's; a withdrawn one
// is gone.
func TestCapturedEntriesJoinTheKnowledge(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "from the folder"))
	mem := brain.NewMemory(brain.Options{})
	r := watchKnowledge(t, dir, mem, nil, nil)

	save(t, mem, capturedEntry("baking-sourdough", "how do i bake sourdough bread", "Feed the starter, then bake hot"))
	waitFor(t, r, "the captured entry answered", servedBody(r, "how do i bake sourdough bread", "baking-sourdough", "Feed the starter"))

	// A better answer keeps the entry's kind and what it is about, as the Answer modal does.
	better := "---\nid: what-is-docker\ntitle: What is Docker\nkind: definition\nentities: [docker]\nquestions:\n  - what is docker\n---\n**Docker runs containers, says our expert.**\n"
	save(t, mem, better)
	waitFor(t, r, "the built-in entry replaced", servedBody(r, "what is docker", "what-is-docker", "says our expert"))

	save(t, mem, capturedEntry("our-cluster-access", "how do i get a kubeconfig for our clusters", "Captured in Slack"))
	waitFor(t, r, "the third save reloaded", func() bool { return reloads(r, "ok") >= 3 })
	if !answers(r, "how do i get a kubeconfig for our clusters", "from the folder")() {
		t.Fatal("a captured entry replaced the team folder's entry of the same id")
	}

	if _, err := mem.WithdrawEntry(context.Background(), "what-is-docker"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, "the built-in entry back", func() bool {
		a := r.live.Answer("what is docker")
		return a.Entry.ID == "what-is-docker" && !strings.Contains(a.Entry.Body, "says our expert")
	})
}

// An entry saved on one replica is answered on the other, through one Redis: its rebuild is
// triggered by the brain's signal, waited for here as an event.
func TestCapturedEntryReachesTheOtherReplica(t *testing.T) {
	srv := braintest.StartRedis(t)
	a, b := braintest.Open(t, brain.Options{RedisURL: srv.URL()}), braintest.Open(t, brain.Options{RedisURL: srv.URL()})
	other := watchKnowledge(t, "", b, nil, nil)
	began := time.Now()
	save(t, a, capturedEntry("baking-sourdough", "how do i bake sourdough bread", "Feed the starter, then bake hot"))
	waitFor(t, other, "the entry saved on the other replica answered", servedBody(other, "how do i bake sourdough bread", "baking-sourdough", "Feed the starter"))
	t.Logf("answered on the other replica %v after the save (an index rebuild included)", time.Since(began))
}

// flakyEntries is a brain whose captured entries cannot be read while broken is set.
type flakyEntries struct {
	brain.Brain
	broken atomic.Bool
}

func (f *flakyEntries) Entries(ctx context.Context) ([]brain.Captured, error) {
	if f.broken.Load() {
		return nil, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	}
	return f.Brain.Entries(ctx)
}

// A brain that cannot be read during a reload leaves the captured entries read before in
// service, and the failure is counted.
func TestCapturedEntriesKeptWhenTheBrainFails(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "access.md")
	write(t, file, replaceVersion(teamEntry, "v1"))
	flaky := &flakyEntries{Brain: brain.NewMemory(brain.Options{})}
	save(t, flaky, capturedEntry("baking-sourdough", "how do i bake sourdough bread", "Feed the starter, then bake hot"))
	var failures atomic.Int32
	r := watchKnowledge(t, dir, flaky, func(op string) {
		if op == "entries" {
			failures.Add(1)
		}
	}, nil)
	flaky.broken.Store(true)
	write(t, file, replaceVersion(teamEntry, "v2"))
	waitFor(t, r, "the folder's change served", answers(r, "how do i get a kubeconfig for our clusters", "v2"))
	if !servedBody(r, "how do i bake sourdough bread", "baking-sourdough", "Feed the starter")() {
		t.Fatal("the captured entry left the knowledge when the brain could not be read")
	}
	if failures.Load() == 0 {
		t.Fatal("the failed read was not counted")
	}
}

// topics says where each entry comes from, and why a captured one is not answered with.
func TestTopicRowsSayTheSource(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	l, err := loadLayers(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.captured = []brain.Captured{
		{ID: "baking-sourdough", Version: 2, Author: "U0EXPERT", Markdown: capturedEntry("baking-sourdough", "how do i bake", "Bake it")},
		{ID: "our-cluster-access", Version: 1, Author: "U0EXPERT", Markdown: capturedEntry("our-cluster-access", "how do i get a kubeconfig", "Ask")},
	}
	got := map[string]topicRow{}
	var shadowed []topicRow
	for _, r := range topicRows(l) {
		if r.Captured != nil && r.Captured.NotServed != "" {
			shadowed = append(shadowed, r)
			continue
		}
		got[r.ID] = r
	}
	if got["docker-swarm"].Source != sourceBuiltin || got["our-cluster-access"].Source != sourceTeam ||
		got["baking-sourdough"].Source != sourceCaptured || got["baking-sourdough"].Captured.Version != 2 {
		t.Fatalf("sources: %+v %+v %+v", got["docker-swarm"], got["our-cluster-access"], got["baking-sourdough"])
	}
	if len(shadowed) != 1 || shadowed[0].ID != "our-cluster-access" || !strings.Contains(shadowed[0].Captured.NotServed, "team entry") {
		t.Fatalf("captured entries not answered with: %+v", shadowed)
	}
}

// export keeps a file of the same name unless told to replace it.
func TestExportKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "baking-sourdough.md")
	write(t, file, "reviewed by hand")
	captured := []brain.Captured{{ID: "baking-sourdough", Version: 1, Author: "U0EXPERT", Markdown: capturedEntry("baking-sourdough", "how do i bake", "Bake it")}}
	var out strings.Builder
	if err := exportCaptured(dir, captured, false, &out); err != nil || readFile(t, file) != "reviewed by hand" {
		t.Fatalf("export without --force replaced a file (%v):\n%s", err, out.String())
	}
	if err := exportCaptured(dir, captured, true, &out); err != nil || !strings.Contains(readFile(t, file), "# Captured in Slack by U0EXPERT") {
		t.Fatalf("export --force: %v\n%s", err, readFile(t, file))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
