package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// wait bounds every wait in these tests. It only catches hangs: each wait ends on something the
// fake Slack or the bot exposes (a call, an ack, a metric), never on a guess of how long it takes.
const wait = time.Minute

var (
	builtinOnce sync.Once
	builtinIx   *index.Index
)

// builtinIndex is the real engine on the built-in knowledge, built once for all tests.
func builtinIndex(t testing.TB) *index.Index {
	builtinOnce.Do(func() {
		entries, err := knowledge.Load(knowledge.Builtin())
		if err != nil {
			t.Fatalf("load knowledge: %v", err)
		}
		if builtinIx, err = index.Build(entries); err != nil {
			t.Fatalf("build index: %v", err)
		}
	})
	return builtinIx
}

// harness is the real bot connected to a fake Slack over loopback. Both keep time on one
// simulated clock unless the test asked for the wall clock, so retries and back-offs of minutes
// take no real time.
type harness struct {
	fake    *slackfake.Server
	bot     *bot.Bot
	metrics *prometheus.Registry
	clock   *slackfake.Clock // nil on the wall clock
	logFile string           // the bot's JSON logs
	stopBot func()
}

// setup is how a test wants its bot.
type setup struct {
	opts      bot.Options
	logLevel  slog.Level
	wallClock bool
}

type option func(*setup)

// withAnswerer replaces the real engine.
func withAnswerer(a bot.Answerer) option { return func(s *setup) { s.opts.Answerer = a } }

// withPool sizes the worker pool and its queue.
func withPool(workers, queue int) option {
	return func(s *setup) { s.opts.Workers, s.opts.QueueSize = workers, queue }
}

// withLogLevel sets the level of the logs the harness keeps (info by default).
func withLogLevel(l slog.Level) option { return func(s *setup) { s.logLevel = l } }

// withWallClock runs the bot and the fake on real time, for measurements.
func withWallClock() option { return func(s *setup) { s.wallClock = true } }

// withBrain gives the bot a brain: a shared one makes replicas of one bot.
func withBrain(b brain.Brain) option { return func(s *setup) { s.opts.Brain = b } }

// withLoop configures the knowledge loop: the experts' channel and the admins.
func withLoop(expertsChannel string, admins ...string) option {
	return func(s *setup) { s.opts.ExpertsChannel, s.opts.Admins = expertsChannel, admins }
}

// start runs the bot against a fresh fake Slack until the test ends.
func start(t *testing.T, options ...option) *harness {
	t.Helper()
	su := newSetup(t, options)
	var fakeOpts []slackfake.Option
	var clock *slackfake.Clock
	if !su.wallClock {
		clock = slackfake.NewClock()
		fakeOpts = append(fakeOpts, slackfake.WithClock(clock))
	}
	return runBot(t, slackfake.New(t, fakeOpts...), clock, su)
}

// replica starts another process of the same bot on h's fake Slack and clock, and waits until
// it has connected: from then on the fake has one connection per process (see DeliverTo).
func (h *harness) replica(t *testing.T, options ...option) *harness {
	t.Helper()
	r := runBot(t, h.fake, h.clock, newSetup(t, options))
	h.fake.WaitOpen(t, 2, wait)
	return r
}

func newSetup(t *testing.T, options []option) setup {
	su := setup{opts: bot.Options{Answerer: index.NewLive(builtinIndex(t)), SlashCommand: "/dvk"}}
	for _, o := range options {
		o(&su)
	}
	return su
}

// runBot runs a bot as su says against fake until the test ends, and waits until it is
// connected.
func runBot(t *testing.T, fake *slackfake.Server, clock *slackfake.Clock, su setup) *harness {
	t.Helper()
	reg := prometheus.NewRegistry()
	su.opts.Metrics = bot.NewMetrics(reg)
	h := &harness{fake: fake, metrics: reg, clock: clock, logFile: filepath.Join(t.TempDir(), "bot.log")}
	logs, err := os.Create(h.logFile)
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		su.opts.Clock = clock
	}
	su.opts.AppToken, su.opts.BotToken, su.opts.APIURL = slackfake.AppToken, slackfake.BotToken, fake.APIURL()
	su.opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: su.logLevel}))
	h.bot = bot.New(su.opts)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx) }()
	var once sync.Once
	h.stopBot = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("bot.Run: %v", err)
				}
			case <-time.After(wait):
				t.Error("bot did not stop within the wait")
			}
		})
	}
	t.Cleanup(func() {
		h.stopBot()
		_ = logs.Close() // after the bot, which writes to it, has stopped
		if v := h.fake.Violations(); len(v) > 0 {
			t.Errorf("Slack would have rejected: %v", v)
		}
	})
	waitFor(t, "bot connected", h.bot.Connected)
	return h
}

// mention sends an app_mention and returns its ts.
func (h *harness) mention(t *testing.T, channel, text, threadTS string) string {
	t.Helper()
	ts := h.fake.NextTS()
	h.fake.SendEventsAPI(t, slackfake.AppMention(channel, slackfake.DefaultUserID, text, ts, threadTS))
	return ts
}

// replies waits for n accepted chat.postMessage calls.
func (h *harness) replies(t *testing.T, n int) []slackfake.Call {
	t.Helper()
	return h.fake.WaitCalls(t, "chat.postMessage", n, wait)
}

// settled stops the bot, letting every reply in flight finish, and then checks that exactly n
// calls to method were accepted: after Run returns nothing more can be sent, so the count is
// final without waiting on a clock.
func (h *harness) settled(t *testing.T, method string, n int) {
	t.Helper()
	h.stopBot()
	if got := len(okCalls(h.fake.Calls(method))); got != n {
		t.Fatalf("%s calls = %d, want %d", method, got, n)
	}
}

func okCalls(calls []slackfake.Call) []slackfake.Call {
	var ok []slackfake.Call
	for _, c := range calls {
		if c.OK() {
			ok = append(ok, c)
		}
	}
	return ok
}

// counter reads a counter of the bot's metrics.
func (h *harness) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	families, err := h.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		var sum float64
		for _, m := range f.GetMetric() {
			if hasLabels(m.GetLabel(), labels) {
				sum += m.GetCounter().GetValue()
			}
		}
		return sum
	}
	return 0
}

// hasLabels reports whether pairs ("name", "value", ...) are all among a metric's labels.
func hasLabels(have []*dto.LabelPair, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range have {
			if l.GetName() == pairs[i] && l.GetValue() == pairs[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// blocksText is everything a person would read in a message's blocks.
func blocksText(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var sb strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				sb.WriteString(s + "\n")
			}
			for _, child := range x {
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	walk(v)
	return sb.String()
}

// waitFor polls cond until it holds, failing the test if it does not within the wait. It is for
// state the bot exposes only by value (readiness, metrics).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // the poll interval, not a guess at when cond holds
	}
}

// logs is what the bot has logged so far. They go to a file, which the test may read while the
// bot writes.
func (h *harness) logs(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(h.logFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// waitCounter waits until a counter of the bot's metrics reaches want.
func (h *harness) waitCounter(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s%v to reach %v", name, labels, want), func() bool { return h.counter(t, name, labels...) >= want })
}

// answeredEntry is the entry a reply answers with: the value of its 👍 button ("" when none).
func answeredEntry(raw json.RawMessage) string {
	for _, b := range slackfake.Buttons(raw) {
		if b.ActionID == bot.ActionFeedbackUp {
			return b.Value
		}
	}
	return ""
}
