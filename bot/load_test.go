package bot_test

import (
	"context"
	"flag"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// The load driver's size: `go test ./bot -run TestLoad -v -load.events 500`.
var (
	loadEvents   = flag.Int("load.events", 50, "mentions the load driver sends through the fake Slack")
	loadInterval = flag.Duration("load.interval", 0, "pause between mentions; 0 sends them as one burst")
	loadBrains   = flag.String("load.brains", "memory", "the brains dvkbot runs with, comma-separated: memory, embedded (a bbolt file), redis (a redis-server on loopback)")
)

// TestLoad is the load driver: it sends mentions through the fake Slack and reports
// event-to-reply latency (from the envelope leaving the fake to the reply reaching it) and lost
// or duplicate replies, for dvkbot and for a floor: the same bot answering every question with
// a fixed one-line answer, which is what Socket Mode, slack-go and the fake cost on this machine
// without any matching. Latency is reported, not asserted: correctness (every event answered
// exactly once) is what fails the test.
//
// With -load.brains, dvkbot runs once per brain: the difference between two runs is what that
// brain adds to a reply (dedupe and thread context on every event).
func TestLoad(t *testing.T) {
	type run struct {
		name, label string
		opts        []option
	}
	var runs []run
	for _, kind := range strings.Split(*loadBrains, ",") {
		runs = append(runs, run{"dvkbot, " + kind + " brain", "dvkbot-" + kind, []option{withBrain(loadBrain(t, kind))}})
	}
	runs = append(runs, run{"floor (fixed answer, no matching)", "floor", []option{withAnswerer(fixedAnswer{index.NewLive(builtinIndex(t))})}})
	for _, r := range runs {
		var l []time.Duration
		var before, after runtime.MemStats
		// Labelled, the bot's and the fake's goroutines can be told apart in a CPU profile:
		// `go tool pprof -tagfocus load=dvkbot` (or load=floor).
		pprof.Do(context.Background(), pprof.Labels("load", r.label), func(context.Context) {
			// The wall clock: latency is measured between the fake's timestamps and the test's.
			h := start(t, append(r.opts, withWallClock())...)
			runtime.ReadMemStats(&before)
			l = drive(t, h)
			runtime.ReadMemStats(&after)
		})
		t.Logf("%s: %d events %s apart, lost 0, duplicates 0; event-to-reply p50 %s p99 %s max %s; "+
			"in this process (bot and fake): %d GCs, %d KB allocated per event",
			r.name, len(l), *loadInterval, l[len(l)/2], l[(len(l)-1)*99/100], l[len(l)-1],
			after.NumGC-before.NumGC, (after.TotalAlloc-before.TotalAlloc)/uint64(len(l))/1024)
	}
}

// loadBrain opens a brain of a kind for the load driver, closed when the test ends.
func loadBrain(t *testing.T, kind string) brain.Brain {
	t.Helper()
	switch kind {
	case "memory":
		return braintest.Open(t, brain.Options{})
	case "embedded":
		return braintest.Open(t, brain.Options{DataDir: t.TempDir()})
	case "redis":
		return braintest.Open(t, brain.Options{RedisURL: braintest.StartRedis(t).URL()})
	}
	t.Fatalf("-load.brains: unknown brain %q, want memory, embedded or redis", kind)
	return nil
}

// drive sends the mentions, checks each got exactly one reply and returns the sorted latencies.
func drive(t *testing.T, h *harness) []time.Duration {
	t.Helper()
	questions := []string{"docker vs kubernetes", "what is a pod", "how does k8s autoscale", "kubernets ingress", "what is docker swarm"}
	sent := map[string]time.Time{}
	for i := 0; i < *loadEvents; i++ {
		ts := h.fake.NextTS()
		time.Sleep(*loadInterval)
		sent[ts] = time.Now()
		h.fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+questions[i%len(questions)], ts, ""))
	}
	h.replies(t, *loadEvents)
	h.settled(t, "chat.postMessage", *loadEvents)
	replies := okCalls(h.fake.Calls("chat.postMessage"))
	seen := map[string]int{}
	var latencies []time.Duration
	for _, c := range replies {
		seen[c.ThreadTS]++
		latencies = append(latencies, c.Time.Sub(sent[c.ThreadTS]))
	}
	for ts := range sent {
		if seen[ts] != 1 {
			t.Errorf("event %s answered %d times, want once", ts, seen[ts])
		}
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return latencies
}

// fixedAnswer answers everything with one short entry: the floor of the load driver.
type fixedAnswer struct{ bot.Answerer }

func (fixedAnswer) Answer(q string) index.Answer {
	return index.Answer{Question: q, Answered: true, Sure: true, Entry: knowledge.Entry{ID: "fixed", Title: "Fixed", Body: "**A fixed answer.**"}}
}
