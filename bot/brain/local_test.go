package brain_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

func openMemory(t *testing.T, clock *slackfake.Clock) brain.Brain {
	b := brain.NewMemory(brain.Options{Now: clock.Now})
	t.Cleanup(func() { mustDo(t, b.Close()) })
	return b
}

func openEmbedded(t *testing.T, clock *slackfake.Clock) brain.Brain {
	b, err := brain.OpenEmbedded(brain.Options{DataDir: t.TempDir(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mustDo(t, b.Close()) })
	return b
}

func TestMemoryContract(t *testing.T) {
	runContract(t, openMemory, true)
}

func TestEmbeddedContract(t *testing.T) {
	runContract(t, openEmbedded, true)
}

// TestLocalForgetsAfterTTL: an in-process brain forgets event keys after DedupeWindow and a
// thread's context after ThreadTTL (Redis expires them itself: TestRedisSetsTTLs).
func TestLocalForgetsAfterTTL(t *testing.T) {
	for name, open := range map[string]opener{"memory": openMemory, "embedded": openEmbedded} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			clock := slackfake.NewClock()
			b := open(t, clock)
			must(b.MarkSeen(ctx, "event:Ev1"))(t)
			mustDo(t, b.RememberThread(ctx, "C1", "1.1", "docker-swarm"))
			clock.Advance(brain.DedupeWindow - time.Second)
			if first := must(b.MarkSeen(ctx, "event:Ev1"))(t); first {
				t.Error("an event key was forgotten within DedupeWindow")
			}
			clock.Advance(2 * time.Second)
			if first := must(b.MarkSeen(ctx, "event:Ev1"))(t); !first {
				t.Error("an event key was remembered past DedupeWindow")
			}
			if _, ok, _ := b.RecallThread(ctx, "C1", "1.1"); !ok {
				t.Error("a thread's context was forgotten within ThreadTTL")
			}
			clock.Advance(brain.ThreadTTL)
			if _, ok, _ := b.RecallThread(ctx, "C1", "1.1"); ok {
				t.Error("a thread's context was remembered past ThreadTTL")
			}
		})
	}
}

// TestLocalDedupeMemoryIsBounded: however many events arrive, the in-process brain keeps a
// bounded number of keys, forgetting the oldest first.
func TestLocalDedupeMemoryIsBounded(t *testing.T) {
	ctx := t.Context()
	b := openEmbedded(t, slackfake.NewClock())
	const bound = 20000
	for i := range bound + 1 {
		must(b.MarkSeen(ctx, fmt.Sprint("event:", i)))(t)
	}
	if first := must(b.MarkSeen(ctx, "event:0"))(t); !first {
		t.Errorf("the oldest of %d keys was still held: memory is not bounded at %d", bound+1, bound)
	}
	if first := must(b.MarkSeen(ctx, fmt.Sprint("event:", bound)))(t); first {
		t.Error("the newest key was forgotten")
	}
}

// TestEmbeddedSurvivesRestart: gaps, votes, captured entries and pending questions written by
// one process are there when the next one opens the same folder.
func TestEmbeddedSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := slackfake.NewClock()
	checkSurvivesRestart(t, func() brain.Brain {
		b, err := brain.OpenEmbedded(brain.Options{DataDir: dir, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
	if _, err := os.Stat(filepath.Join(dir, "brain.db")); err != nil {
		t.Errorf("the brain's file: %v", err)
	}
}

// checkSurvivesRestart writes with one brain, closes it and reads with the next one open gives.
func checkSurvivesRestart(t *testing.T, open func() brain.Brain) {
	ctx := t.Context()
	before := open()
	must(before.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1", Permalink: "https://x.slack.com/p1"}))(t)
	must(before.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune images"), Author: "U2"}))(t)
	mustDo(t, before.RecordGap(ctx, ask("what is a pod", "U1")))
	mustDo(t, before.RecordGap(ctx, privately("is my cluster hacked", "U2")))
	must(before.Vote(ctx, brain.Vote{EntryID: "prune-images", User: "U1", Channel: "C1", MessageTS: "1.1", Up: true}))(t)
	pending := must(before.AddPending(ctx, question("what is a sidecar", "2.2")))(t)
	rev := must(before.Revision(ctx))(t)
	mustDo(t, before.Close())

	after := open()
	defer func() { mustDo(t, after.Close()) }()
	history := must(after.History(ctx, "prune-images"))(t)
	if len(history) != 2 || history[1].Author != "U2" || history[0].Permalink != "https://x.slack.com/p1" {
		t.Errorf("entry history after restart = %+v", history)
	}
	if got := must(after.Revision(ctx))(t); got != rev {
		t.Errorf("revision after restart = %d, want %d", got, rev)
	}
	if gaps := must(after.ListGaps(ctx, "", 0))(t); len(gaps) != 1 || gaps[0].Question != "what is a pod" {
		t.Errorf("public gaps after restart = %+v", gaps)
	}
	if gaps := must(after.ListGaps(ctx, "U2", 0))(t); len(gaps) != 2 {
		t.Errorf("U2's gaps after restart = %+v, want the public one and their own", gaps)
	}
	if tally := must(after.Tally(ctx, "prune-images"))(t); tally != (brain.Tally{Up: 1}) {
		t.Errorf("tally after restart = %+v", tally)
	}
	if counted := must(after.Vote(ctx, brain.Vote{EntryID: "prune-images", User: "U1", Channel: "C1", MessageTS: "1.1", Up: true}))(t); counted {
		t.Error("after restart, a repeated vote counted again")
	}
	if list := must(after.ListPending(ctx))(t); len(list) != 1 || list[0] != pending {
		t.Errorf("pending after restart = %+v, want %+v", list, pending)
	}
}

// TestEmbeddedFileInUse: a second process on the same folder gets a clear error, not a hang.
func TestEmbeddedFileInUse(t *testing.T) {
	dir := t.TempDir()
	holder, err := brain.OpenEmbedded(brain.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { mustDo(t, holder.Close()) }()
	_, err = brain.OpenEmbedded(brain.Options{DataDir: dir, LockWait: 10 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "another process holds it") || !strings.Contains(err.Error(), "brain.db") {
		t.Fatalf("second open: err = %v, want one naming the file and saying it is in use", err)
	}
}

// TestOpenChooses: Open makes the brain its options ask for.
func TestOpenChooses(t *testing.T) {
	ctx := t.Context()
	mem, err := brain.Open(brain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, mem.Ping(ctx))
	mustDo(t, mem.Close())

	dir := filepath.Join(t.TempDir(), "not", "yet")
	embedded, err := brain.Open(brain.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, embedded.Close())
	if _, err := os.Stat(filepath.Join(dir, "brain.db")); err != nil {
		t.Errorf("DataDir set: %v", err)
	}

	_, err = brain.Open(brain.Options{RedisURL: "redis://:s3cret@localhost:notaport/0", DataDir: dir})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("malformed Redis URL: err = %v, want an error that does not show the password", err)
	}
}

// TestWatchClosedOnClose: closing the brain closes its watchers' channels, so a consumer's
// loop ends.
func TestWatchClosedOnClose(t *testing.T) {
	b := brain.NewMemory(brain.Options{})
	changes := b.Watch(context.Background())
	mustDo(t, b.Close())
	select {
	case _, open := <-changes:
		if open {
			t.Fatal("a signal instead of the close")
		}
	case <-time.After(patience):
		t.Fatal("watch channel not closed by Close")
	}
	if _, open := <-b.Watch(context.Background()); open {
		t.Error("a watch after Close is not closed")
	}
}
