package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// wait bounds every wait in these tests: generous for a loaded CI machine, never a hang.
const wait = 10 * time.Second

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

// harness is the real bot connected to a fake Slack over loopback.
type harness struct {
	fake    *slackfake.Server
	bot     *bot.Bot
	metrics *prometheus.Registry
}

// start runs the bot against a fresh fake Slack until the test ends. answerer replaces the real
// engine when given.
func start(t *testing.T, answerer ...bot.Answerer) *harness {
	t.Helper()
	fake := slackfake.New(t)
	api := slack.New(slackfake.BotToken, slack.OptionAppLevelToken(slackfake.AppToken), slack.OptionAPIURL(fake.APIURL()),
		slack.OptionHTTPClient(bot.NewHTTPClient(8)))
	reg := prometheus.NewRegistry()
	var a bot.Answerer = index.NewLive(builtinIndex(t))
	if len(answerer) > 0 {
		a = answerer[0]
	}
	b := bot.New(bot.Options{
		API: api, Socket: socketmode.New(api), Answerer: a, Metrics: bot.NewMetrics(reg),
		SlashCommand: "/dvk", Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot.Run: %v", err)
			}
		case <-time.After(wait):
			t.Error("bot did not stop within the wait")
		}
		if v := fake.Violations(); len(v) > 0 {
			t.Errorf("Slack would have rejected: %v", v)
		}
	})
	fake.WaitConnections(t, 1, wait)
	waitFor(t, "bot connected", b.Connected)
	return &harness{fake: fake, bot: b, metrics: reg}
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

// quiet asserts that no more than n messages were posted after a short settling time.
func (h *harness) quiet(t *testing.T, method string, n int) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
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

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
