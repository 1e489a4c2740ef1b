package brain_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/knowledge"
)

// The contract every Brain keeps, run against each implementation by TestMemoryContract,
// TestEmbeddedContract and TestRedisContract.

// opener makes a fresh, empty brain on clock, closed when the test ends. The clock is the
// fake Slack's simulated one: windows are crossed by advancing it, never by waiting.
type opener func(t *testing.T, clock *slackfake.Clock) brain.Brain

// patience bounds every wait for an event: long enough to only ever catch a hang.
const patience = 60 * time.Second

// runContract runs the contract, each case on a fresh brain; in parallel when the brains
// share nothing.
func runContract(t *testing.T, open opener, parallel bool) {
	tests := []struct {
		name string
		run  func(t *testing.T, b brain.Brain, clock *slackfake.Clock)
	}{
		{"MarkSeenFirstWins", contractMarkSeenFirstWins},
		{"ThreadContext", contractThreadContext},
		{"GapsCountPerNormalisedQuestion", contractGapsCountPerNormalisedQuestion},
		{"GapsPrivateStayPrivate", contractGapsPrivateStayPrivate},
		{"GapsWindow", contractGapsWindow},
		{"GapsDeleteAnswered", contractGapsDeleteAnswered},
		{"GapsBounded", contractGapsBounded},
		{"GapsRejectBadInput", contractGapsRejectBadInput},
		{"VotesOncePerUserPerMessage", contractVotesOncePerUserPerMessage},
		{"EntriesVersioned", contractEntriesVersioned},
		{"EntriesRejectInvalid", contractEntriesRejectInvalid},
		{"EntriesWithdraw", contractEntriesWithdraw},
		{"EntriesWatch", contractEntriesWatch},
		{"PendingQueue", contractPendingQueue},
		{"PendingResolvedOnce", contractPendingResolvedOnce},
		{"PendingBounded", contractPendingBounded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			clock := slackfake.NewClock()
			tc.run(t, open(t, clock), clock)
		})
	}
}

// concurrently runs fn n times at once and counts the calls that returned true.
func concurrently(t *testing.T, n int, fn func() (bool, error)) int {
	t.Helper()
	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn()
			if err != nil {
				errs <- err
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return int(wins.Load())
}

func contractMarkSeenFirstWins(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	wins := concurrently(t, 16, func() (bool, error) { return b.MarkSeen(ctx, "event:Ev1") })
	if wins != 1 {
		t.Fatalf("16 concurrent deliveries of one event: %d were first, want 1", wins)
	}
	if first := must(b.MarkSeen(ctx, "event:Ev1"))(t); first {
		t.Error("a repeat of a seen event was first again")
	}
	if first := must(b.MarkSeen(ctx, "event:Ev2"))(t); !first {
		t.Error("another event was not first")
	}
	if _, err := b.MarkSeen(ctx, ""); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("empty key: err = %v, want ErrInvalid", err)
	}
}

func contractThreadContext(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	if _, ok, err := b.RecallThread(ctx, "C1", "100.1"); err != nil || ok {
		t.Fatalf("new thread: ok=%v err=%v, want nothing remembered", ok, err)
	}
	mustDo(t, b.RememberThread(ctx, "C1", "100.1", "docker-compose"))
	mustDo(t, b.RememberThread(ctx, "C1", "100.1", "kubernetes-hpa"))
	mustDo(t, b.RememberThread(ctx, "C1", "200.2", "docker-swarm"))
	mustDo(t, b.RememberThread(ctx, "D9", "", "containers-vs-vms")) // a DM's top level
	for _, c := range []struct{ channel, ts, want string }{
		{"C1", "100.1", "kubernetes-hpa"}, {"C1", "200.2", "docker-swarm"}, {"D9", "", "containers-vs-vms"},
	} {
		id, ok, err := b.RecallThread(ctx, c.channel, c.ts)
		if err != nil || !ok || id != c.want {
			t.Errorf("thread %s/%s: %q ok=%v err=%v, want %q", c.channel, c.ts, id, ok, err, c.want)
		}
	}
	if err := b.RememberThread(ctx, "C1", "300.3", ""); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("empty entry id: err = %v, want ErrInvalid", err)
	}
}

// ask is a public question by user in channel C1.
func ask(question, user string) brain.Ask {
	return brain.Ask{Question: question, User: user, Channel: "C1", ThreadTS: "1.0", Public: true}
}

// privately is a question asked in a DM.
func privately(question, user string) brain.Ask {
	return brain.Ask{Question: question, User: user, Channel: "D" + user}
}

func contractGapsCountPerNormalisedQuestion(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	for _, a := range []brain.Ask{
		ask("How do I scale Swarm?", "U1"), ask("a lonely question", "U2"),
		ask("how do i   scale swarm", "U2"), ask("HOW DO I SCALE SWARM!", "U3"),
	} {
		clock.Advance(time.Minute)
		mustDo(t, b.RecordGap(ctx, a))
	}
	gaps := must(b.ListGaps(ctx, "", 10))(t)
	if len(gaps) != 2 {
		t.Fatalf("gaps = %+v, want 2 questions", gaps)
	}
	top := gaps[0]
	if top.Count != 3 || top.Question != "HOW DO I SCALE SWARM!" || top.Key != "how do i scale swarm" || !top.Public {
		t.Errorf("top gap = %+v, want 3 asks of one question, latest wording shown", top)
	}
	if top.Latest.User != "U3" || top.Latest.Channel != "C1" || !top.Latest.At.Equal(clock.Now()) {
		t.Errorf("latest ask = %+v, want U3's in C1 at %v", top.Latest, clock.Now())
	}
	if gaps[1].Count != 1 || gaps[1].Question != "a lonely question" {
		t.Errorf("second gap = %+v", gaps[1])
	}
	if one := must(b.ListGaps(ctx, "", 1))(t); len(one) != 1 || one[0].Key != top.Key {
		t.Errorf("limit 1: %+v, want the most asked only", one)
	}
}

func contractGapsPrivateStayPrivate(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	for _, a := range []brain.Ask{
		ask("what is a pod", "U1"),
		privately("is my cluster hacked", "U2"),
		privately("what is a pod", "U3"),
		{Question: "private channel question", User: "U1", Channel: "G1"},
	} {
		clock.Advance(time.Minute)
		mustDo(t, b.RecordGap(ctx, a))
	}
	want := map[string]map[string]int{ // viewer -> question -> count seen
		"":   {"what is a pod": 1},
		"U4": {"what is a pod": 1},
		"U2": {"what is a pod": 1, "is my cluster hacked": 1},
		"U3": {"what is a pod": 2},
		"U1": {"what is a pod": 1, "private channel question": 1},
	}
	for viewer, questions := range want {
		got := map[string]int{}
		for _, g := range must(b.ListGaps(ctx, viewer, 0))(t) {
			got[g.Question] = g.Count
			if g.Public != (g.Key == "what is a pod") {
				t.Errorf("viewer %q: %q Public=%v", viewer, g.Question, g.Public)
			}
			if !g.Latest.Public && g.Latest.User != viewer {
				t.Errorf("viewer %q sees %s's private ask %+v", viewer, g.Latest.User, g.Latest)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(questions) {
			t.Errorf("viewer %q sees %v, want %v", viewer, got, questions)
		}
	}
}

func contractGapsWindow(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	mustDo(t, b.RecordGap(ctx, ask("old question", "U1")))
	mustDo(t, b.RecordGap(ctx, ask("asked twice", "U1")))
	clock.Advance(brain.GapWindow - time.Hour)
	mustDo(t, b.RecordGap(ctx, ask("asked twice", "U2")))
	if n := len(must(b.ListGaps(ctx, "", 0))(t)); n != 2 {
		t.Fatalf("within the window: %d gaps, want 2", n)
	}
	clock.Advance(2 * time.Hour)
	gaps := must(b.ListGaps(ctx, "", 0))(t)
	if len(gaps) != 1 || gaps[0].Question != "asked twice" || gaps[0].Count != 1 {
		t.Fatalf("past the window: %+v, want only the recent ask of %q", gaps, "asked twice")
	}
}

func contractGapsDeleteAnswered(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	mustDo(t, b.RecordGap(ctx, ask("What is Helm?", "U1")))
	mustDo(t, b.RecordGap(ctx, ask("what is kustomize", "U1")))
	mustDo(t, b.DeleteGap(ctx, "what is helm"))
	gaps := must(b.ListGaps(ctx, "", 0))(t)
	if len(gaps) != 1 || gaps[0].Key != "what is kustomize" {
		t.Fatalf("after deleting the answered gap: %+v", gaps)
	}
	mustDo(t, b.DeleteGap(ctx, "never asked"))
}

func contractGapsBounded(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	for i := range brain.MaxGaps + 1 {
		clock.Advance(time.Second)
		mustDo(t, b.RecordGap(ctx, ask(fmt.Sprintf("question number %d", i), "U1")))
	}
	gaps := must(b.ListGaps(ctx, "", 0))(t)
	if len(gaps) != brain.MaxGaps {
		t.Fatalf("%d gaps kept, want MaxGaps=%d", len(gaps), brain.MaxGaps)
	}
	for _, g := range gaps {
		if g.Key == "question number 0" {
			t.Fatal("the least recently asked question was kept past the bound")
		}
	}
	for range brain.MaxAsksPerGap + 5 {
		mustDo(t, b.RecordGap(ctx, ask("asked a lot", "U1")))
	}
	if top := must(b.ListGaps(ctx, "", 1))(t); top[0].Count != brain.MaxAsksPerGap {
		t.Errorf("a question asked %d times counts %d, want the bound %d", brain.MaxAsksPerGap+5, top[0].Count, brain.MaxAsksPerGap)
	}
}

func contractGapsRejectBadInput(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	for name, a := range map[string]brain.Ask{
		"blank question": ask("  ?  ", "U1"),
		"no user":        ask("a question", ""),
		"no channel":     {Question: "a question", User: "U1"},
	} {
		if err := b.RecordGap(ctx, a); !errors.Is(err, brain.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if gaps := must(b.ListGaps(ctx, "U1", 0))(t); len(gaps) != 0 {
		t.Errorf("rejected asks were counted: %+v", gaps)
	}
}

func contractVotesOncePerUserPerMessage(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	vote := func(user, ts string, up bool) brain.Vote {
		return brain.Vote{EntryID: "docker-swarm", User: user, Channel: "C1", MessageTS: ts, Up: up}
	}
	for _, c := range []struct {
		v    brain.Vote
		want bool
	}{
		{vote("U1", "1.1", true), true},
		{vote("U1", "1.1", true), false},  // the same click again
		{vote("U1", "1.1", false), false}, // a change of mind on the same message
		{vote("U1", "2.2", false), true},  // another answer message
		{vote("U2", "1.1", true), true},
	} {
		if counted := must(b.Vote(ctx, c.v))(t); counted != c.want {
			t.Errorf("%+v: counted=%v, want %v", c.v, counted, c.want)
		}
	}
	wins := concurrently(t, 8, func() (bool, error) { return b.Vote(ctx, vote("U3", "1.1", true)) })
	if wins != 1 {
		t.Errorf("8 concurrent identical votes: %d counted, want 1", wins)
	}
	if got := must(b.Tally(ctx, "docker-swarm"))(t); got != (brain.Tally{Up: 3, Down: 1}) {
		t.Errorf("tally = %+v, want 3 up, 1 down", got)
	}
	if got := must(b.Tally(ctx, "never-voted"))(t); got != (brain.Tally{}) {
		t.Errorf("tally of an entry without votes = %+v", got)
	}
	if _, err := b.Vote(ctx, brain.Vote{User: "U1", Channel: "C1", MessageTS: "1.1"}); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("vote without entry: err = %v, want ErrInvalid", err)
	}
}

// entryMarkdown is a valid knowledge file.
func entryMarkdown(id, title string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\nkind: howto\nentities: [docker]\n" +
		"questions:\n  - how do i " + title + "\n---\n**" + title + ":** do it like this.\n"
}

func contractEntriesVersioned(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	first := must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune images"), Author: "U1",
		Permalink: "https://example.slack.com/archives/C1/p100"}))(t)
	if first.ID != "prune-images" || first.Version != 1 || !first.Saved.Equal(clock.Now()) {
		t.Errorf("first save = %+v, want version 1 of prune-images saved now", first)
	}
	clock.Advance(time.Hour)
	second := must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune old images"), Author: "U2"}))(t)
	must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("attach-volume", "attach a volume"), Author: "U1"}))(t)

	got, ok, err := b.Entry(ctx, "prune-images")
	if err != nil || !ok || got != second || got.Version != 2 || got.Author != "U2" {
		t.Fatalf("latest = %+v ok=%v err=%v, want version 2 by U2", got, ok, err)
	}
	e, err := got.Knowledge()
	if err != nil || e.Title != "prune old images" || e.File != "prune-images.md" {
		t.Errorf("as knowledge: %+v, %v", e, err)
	}
	history := must(b.History(ctx, "prune-images"))(t)
	if len(history) != 2 || history[0] != first || history[1] != second {
		t.Errorf("history = %+v, want both versions, oldest first", history)
	}
	list := must(b.Entries(ctx))(t)
	if len(list) != 2 || list[0].ID != "attach-volume" || list[1] != second {
		t.Errorf("entries = %+v, want the latest of each, by id", list)
	}
	if _, ok, err := b.Entry(ctx, "never-saved"); ok || err != nil {
		t.Errorf("unknown entry: ok=%v err=%v", ok, err)
	}

	for range brain.MaxVersions {
		must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("attach-volume", "attach a volume"), Author: "U1"}))(t)
	}
	history = must(b.History(ctx, "attach-volume"))(t)
	if len(history) != brain.MaxVersions || history[0].Version != 2 || history[len(history)-1].Version != brain.MaxVersions+1 {
		t.Errorf("after %d saves: %d versions kept, %d..%d", brain.MaxVersions+1, len(history),
			history[0].Version, history[len(history)-1].Version)
	}
}

func contractEntriesRejectInvalid(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	_, err := b.SaveEntry(ctx, brain.Draft{Markdown: "---\nid: Bad_ID\ntitle: x\nkind: howto\nquestions: [x]\n---\nbody", Author: "U1"})
	var problems knowledge.Problems
	if !errors.Is(err, brain.ErrInvalid) || !errors.As(err, &problems) || !slices.ContainsFunc(problems, func(p knowledge.Problem) bool {
		return p.Line == 2 && strings.Contains(p.Msg, "kebab-case")
	}) {
		t.Errorf("bad id: err = %v, want ErrInvalid with the id's problem on line 2", err)
	}
	if _, err := b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("no-author", "x")}); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("no author: err = %v, want ErrInvalid", err)
	}
	huge := entryMarkdown("huge", "x") + string(make([]byte, brain.MaxMarkdown))
	if _, err := b.SaveEntry(ctx, brain.Draft{Markdown: huge, Author: "U1"}); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("huge entry: err = %v, want ErrInvalid", err)
	}
	if list := must(b.Entries(ctx))(t); len(list) != 0 {
		t.Errorf("rejected drafts were saved: %+v", list)
	}
}

func contractEntriesWithdraw(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}))(t)
	must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}))(t)
	if existed := must(b.WithdrawEntry(ctx, "prune-images"))(t); !existed {
		t.Fatal("withdrawing a saved entry: existed = false")
	}
	if _, ok, err := b.Entry(ctx, "prune-images"); ok || err != nil {
		t.Errorf("withdrawn entry still there: ok=%v err=%v", ok, err)
	}
	if list := must(b.Entries(ctx))(t); len(list) != 0 {
		t.Errorf("entries after withdrawal = %+v", list)
	}
	if existed := must(b.WithdrawEntry(ctx, "prune-images"))(t); existed {
		t.Error("withdrawing twice: existed = true")
	}
	again := must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}))(t)
	if again.Version != 1 {
		t.Errorf("saved again after withdrawal: version %d, want 1", again.Version)
	}
}

// waitUntil waits for a signal on ch after which ok holds; a signal may come for an earlier
// change, so each is followed by a look.
func waitUntil(t *testing.T, ch <-chan struct{}, what string, ok func() bool) {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case _, open := <-ch:
			if !open {
				t.Fatalf("watch closed while waiting for %s", what)
			}
		case <-timeout:
			t.Fatalf("no change seen in %v: %s", patience, what)
		}
		if ok() {
			return
		}
	}
}

func contractEntriesWatch(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx, cancel := context.WithCancel(t.Context())
	changes := b.Watch(ctx)
	before := must(b.Revision(ctx))(t)
	must(b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}))(t)
	select {
	case <-changes:
	case <-time.After(patience):
		t.Fatal("no change signalled after a save")
	}
	afterSave := must(b.Revision(ctx))(t)
	if afterSave <= before {
		t.Errorf("revision %d after a save, was %d", afterSave, before)
	}
	must(b.WithdrawEntry(ctx, "prune-images"))(t)
	waitUntil(t, changes, "the withdrawal", func() bool { return must(b.Revision(ctx))(t) > afterSave })
	cancel()
	for range changes { // drained, then closed because ctx is done
	}
}

// question waits for an expert in thread ts of C1.
func question(text, ts string) brain.Pending {
	return brain.Pending{Question: text, Channel: "C1", ThreadTS: ts, Asker: "U1"}
}

func contractPendingQueue(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	first := must(b.AddPending(ctx, question("how do I rotate swarm certs", "1.1")))(t)
	if first.ID != brain.PendingID("C1", "1.1") || !first.Asked.Equal(clock.Now()) {
		t.Errorf("added = %+v", first)
	}
	clock.Advance(time.Minute)
	must(b.AddPending(ctx, question("what is a sidecar", "2.2")))(t)
	clock.Advance(time.Minute)
	must(b.AddPending(ctx, question("what is a sidecar container", "2.2")))(t) // asked again, same thread
	list := must(b.ListPending(ctx))(t)
	if len(list) != 2 || list[0] != first || list[1].Question != "what is a sidecar container" {
		t.Fatalf("pending = %+v, want two, oldest first, the second rewritten", list)
	}
	if p, ok, err := b.PendingQuestion(ctx, first.ID); err != nil || !ok || p != first {
		t.Errorf("lookup = %+v ok=%v err=%v", p, ok, err)
	}
	p, ok, err := b.ResolvePending(ctx, first.ID)
	if err != nil || !ok || p != first {
		t.Fatalf("resolve = %+v ok=%v err=%v", p, ok, err)
	}
	if _, ok, _ := b.PendingQuestion(ctx, first.ID); ok {
		t.Error("an answered question is still waiting")
	}
	if _, ok, err := b.ResolvePending(ctx, first.ID); ok || err != nil {
		t.Errorf("resolved twice: ok=%v err=%v", ok, err)
	}
	if _, err := b.AddPending(ctx, brain.Pending{Question: "q", Channel: "C1", ThreadTS: "1.1"}); !errors.Is(err, brain.ErrInvalid) {
		t.Errorf("no asker: err = %v, want ErrInvalid", err)
	}
}

func contractPendingResolvedOnce(t *testing.T, b brain.Brain, _ *slackfake.Clock) {
	ctx := t.Context()
	p := must(b.AddPending(ctx, question("two experts answer at once", "3.3")))(t)
	wins := concurrently(t, 8, func() (bool, error) {
		_, ok, err := b.ResolvePending(ctx, p.ID)
		return ok, err
	})
	if wins != 1 {
		t.Fatalf("8 concurrent answers: %d resolved the question, want 1", wins)
	}
}

func contractPendingBounded(t *testing.T, b brain.Brain, clock *slackfake.Clock) {
	ctx := t.Context()
	for i := range brain.MaxPending + 1 {
		clock.Advance(time.Second)
		must(b.AddPending(ctx, question("question", fmt.Sprint(i))))(t)
	}
	list := must(b.ListPending(ctx))(t)
	if len(list) != brain.MaxPending || list[0].ThreadTS != "1" {
		t.Fatalf("%d waiting, oldest %q; want MaxPending=%d with the oldest dropped", len(list), list[0].ThreadTS, brain.MaxPending)
	}
}

// must returns a check that fails the test on err and otherwise gives v.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
