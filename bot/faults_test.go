package bot_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Slack down for a minute, whichever way it fails: the reply is retried through it and arrives
// once, and nothing is counted lost. The clock is simulated, so the minute takes no real time.
func TestRepliesSurviveAMinuteOutage(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		failure slackfake.Failure
	}{
		{"5xx with an HTML page", "chat.postMessage", slackfake.ServerError},
		{"HTML page on 200", "chat.postMessage", slackfake.HTMLPage},
		{"JSON body cut short", "chat.postMessage", slackfake.TruncatedBody},
		{"response_url answering 5xx", "response_url", slackfake.ServerError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := start(t)
			h.fake.Outage(c.method, time.Minute, c.failure)
			began := h.clock.Now()
			if c.method == "response_url" {
				h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "what is a pod"})
			} else {
				h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
			}
			reply := h.fake.WaitCalls(t, c.method, 1, wait)[0]
			if reply.Time.Sub(began) < time.Minute {
				t.Fatalf("reply accepted %s into a 1m outage", reply.Time.Sub(began))
			}
			h.settled(t, c.method, 1)
			if tries := len(h.fake.Calls(c.method)); tries < 3 {
				t.Fatalf("%d tries, want several through the outage", tries)
			}
			if lost := h.counter(t, "dvkbot_replies_lost_total"); lost != 0 {
				t.Fatalf("replies lost = %v through a 1m outage, want 0", lost)
			}
			for _, w := range h.clock.Slept() {
				if w > time.Minute {
					t.Fatalf("waited %s between tries: a reply must not sleep past the outage", w)
				}
			}
		})
	}
}

// outageWall runs TestMentionsThroughAnOutage on the wall clock, as a measurement:
// `go test ./bot -run TestMentionsThroughAnOutage -v -outage.wall` (takes a minute and more).
var outageWall = flag.Bool("outage.wall", false, "run the outage measurement on the wall clock")

// TestMentionsThroughAnOutage sends mentions into a minute of Slack answering 5xx and counts the
// replies that arrive and the ones lost.
func TestMentionsThroughAnOutage(t *testing.T) {
	var opts []option
	if *outageWall {
		opts = append(opts, withWallClock())
	}
	h := start(t, opts...)
	const mentions = 20
	h.fake.Outage("chat.postMessage", time.Minute, slackfake.ServerError)
	began := time.Now()
	for range mentions {
		h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
	}
	h.fake.WaitCalls(t, "chat.postMessage", mentions, 3*time.Minute) // a minute of outage, and then some
	h.settled(t, "chat.postMessage", mentions)
	lost := h.counter(t, "dvkbot_replies_lost_total")
	t.Logf("%d mentions into a 1m outage (wall clock: %v): %d answered after %d failed tries, %v lost, in %s",
		mentions, *outageWall, mentions, len(h.fake.Calls("chat.postMessage"))-mentions, lost, time.Since(began).Round(time.Second))
	if lost != 0 {
		t.Fatalf("%v replies lost through a 1m outage", lost)
	}
}

// An outage longer than the retry budget: the reply is given up only after well over a
// minute of tries, then counted and logged as lost.
func TestReplyLostOnlyAfterTheRetryBudget(t *testing.T) {
	h := start(t)
	h.fake.Outage("chat.postMessage", time.Hour, slackfake.ServerError)
	h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
	h.waitCounter(t, 1, "dvkbot_replies_lost_total", "method", "chat.postMessage")
	h.settled(t, "chat.postMessage", 0)
	tries := h.fake.Calls("chat.postMessage")
	if span := tries[len(tries)-1].Time.Sub(tries[0].Time); span < time.Minute {
		t.Fatalf("gave up after trying for %s, want more than a minute", span)
	}
	if !strings.Contains(h.logs(t), "lost after") {
		t.Fatalf("the lost reply is not logged:\n%s", h.logs(t))
	}
}

func TestRetryAfterHonouredUpToAMinute(t *testing.T) {
	cases := []struct{ retryAfter, want time.Duration }{
		{60 * time.Second, 60 * time.Second},
		{5 * time.Minute, 60 * time.Second}, // past a minute, try again after a minute
	}
	for _, c := range cases {
		t.Run(c.retryAfter.String(), func(t *testing.T) {
			h := start(t)
			h.fake.RateLimit("chat.postMessage", 1, c.retryAfter)
			h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
			h.replies(t, 1)
			if waits := h.clock.Slept(); !slices.Equal(waits, []time.Duration{c.want}) {
				t.Fatalf("Retry-After %s: waited %v, want %v", c.retryAfter, waits, c.want)
			}
		})
	}
}

// A socket that closes right after hello, or in the middle of a frame: the bot backs off, with
// jitter, instead of reconnecting at once; once the socket holds again it answers.
func TestFlappingSocketBacksOffWithJitter(t *testing.T) {
	faults := []struct {
		name  string
		fault slackfake.SocketFault
	}{{"hello then close", slackfake.CloseAfterHello}, {"close mid-frame", slackfake.CloseMidFrame}}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			h := start(t)
			began := time.Now()
			h.fake.SetSocketFault(f.fault)
			h.fake.DropConnection(t)
			const flaps = 12
			h.fake.WaitCalls(t, "apps.connections.open", 1+flaps, wait)
			h.fake.SetSocketFault(slackfake.Steady)
			h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
			h.replies(t, 1)
			h.stopBot()

			opens := h.fake.Calls("apps.connections.open")[1 : 1+flaps] // the first was the steady one
			var gaps []time.Duration
			for i := 1; i < len(opens); i++ {
				gaps = append(gaps, opens[i].Time.Sub(opens[i-1].Time))
			}
			if rate := float64(len(gaps)) / opens[len(opens)-1].Time.Sub(opens[0].Time).Minutes(); rate > 10 {
				t.Fatalf("%.1f reconnects a minute while flapping, want at most 10; gaps %v", rate, gaps)
			}
			late := gaps[len(gaps)-4:] // at the ceiling: spread, not in lockstep
			if slices.Min(late) == slices.Max(late) {
				t.Fatalf("waits between reconnects are not jittered: %v", late)
			}
			assertThrottled(t, h.logs(t), "Slack connection did not hold", time.Since(began))
			assertThrottled(t, h.logs(t), "connecting to Slack", time.Since(began))
		})
	}
}

// flapReconnects is how many reconnects the wall-clock flapping measurement waits for:
// `go test ./bot -run TestFlappingSocketReconnectRate -v -flap.reconnects 8` (minutes: the waits
// between reconnects grow to 30 s).
var flapReconnects = flag.Int("flap.reconnects", 3, "how many reconnects the flapping-socket measurement waits for")

// TestFlappingSocketReconnectRate measures, on the wall clock, how often the bot opens a Socket
// Mode connection while every connection closes right after hello, and how many log lines that
// costs. It waits for a number of reconnects, not for a time, and bounds their rate over the
// time they took: a slower machine only spreads them further apart, so the bound (one a second)
// can only get easier to meet.
func TestFlappingSocketReconnectRate(t *testing.T) {
	h := start(t, withWallClock())
	h.fake.SetSocketFault(slackfake.CloseAfterHello)
	began := time.Now()
	h.fake.DropConnection(t)
	// Each reconnect waits at most 30 s, the back-off's ceiling.
	hang := max(wait, time.Duration(*flapReconnects)*time.Minute)
	opens := h.fake.WaitCalls(t, "apps.connections.open", 1+*flapReconnects, hang)[1:] // the first was the steady one
	took := opens[len(opens)-1].Time.Sub(began)
	h.stopBot()
	lines := strings.Count(h.logs(t), "\n")
	t.Logf("flapping socket on the wall clock: %d reconnects in %s (%.1f a minute), %d log lines",
		len(opens), took.Round(time.Millisecond), float64(len(opens))/took.Minutes(), lines)
	if most := 1 + int(took.Seconds()); len(opens) > most {
		t.Fatalf("%d reconnects in %s, want at most %d", len(opens), took, most)
	}
}

// assertThrottled checks a repeated log line came at most once per 10s of real time (plus the
// first): however slowly the machine ran, more lines than that mean the logs are not limited.
func assertThrottled(t *testing.T, logs, line string, elapsed time.Duration) {
	t.Helper()
	if n, most := strings.Count(logs, line), 2+int(elapsed/(10*time.Second)); n > most {
		t.Fatalf("%q logged %d times in %s, want at most %d", line, n, elapsed.Round(time.Millisecond), most)
	}
}

// With every worker stuck on a slow Slack and the queue full, envelopes are left un-acked for
// Slack to deliver again, with no goroutine per event; once Slack answers, every event is
// answered, the redelivered ones included.
func TestFullQueueLeavesEventsToSlackWithoutAGoroutineEach(t *testing.T) {
	began := time.Now()
	h := start(t, withPool(2, 4))
	release := h.fake.Stall("chat.postMessage")
	for range 2 {
		h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
	}
	h.fake.WaitStalled(t, "chat.postMessage", 2, wait)
	for range 4 {
		h.fake.WaitAck(t, h.fake.SendEventsAPI(t, mentionEvent(h)), wait)
	}
	goroutines := runtime.NumGoroutine()
	const burst = 100
	events := map[string]map[string]any{}
	for i := range burst {
		id := fmt.Sprintf("Ev0BURST%03d", i)
		events[id] = mentionEvent(h)
		h.fake.SendEventsAPI(t, events[id], slackfake.Delivery{EventID: id})
	}
	h.waitCounter(t, burst, "dvkbot_envelopes_refused_total")
	if n := len(h.fake.Acks()); n != 6 {
		t.Fatalf("%d envelopes acked, want the 6 the pool could take: the rest must wait in Slack", n)
	}
	if grew := runtime.NumGoroutine() - goroutines; grew > 20 {
		t.Fatalf("%d more goroutines after %d refused events: overflow must not cost a goroutine each", grew, burst)
	}
	assertThrottled(t, h.logs(t), "worker queue full", time.Since(began))
	release()
	h.replies(t, 6)
	redeliverUntilAcked(t, h, events)
	h.replies(t, 6+burst)
	h.settled(t, "chat.postMessage", 6+burst)
}

// redeliverUntilAcked plays Slack: it delivers again every event whose envelope was not acked,
// round after round, until all were taken.
func redeliverUntilAcked(t *testing.T, h *harness, events map[string]map[string]any) {
	t.Helper()
	pending := slices.Sorted(func(yield func(string) bool) {
		for id := range events {
			if !yield(id) {
				return
			}
		}
	})
	for round := 1; len(pending) > 0; round++ {
		if round > 50 {
			t.Fatalf("%d events still refused after 50 rounds of redelivery", len(pending))
		}
		refusedBefore := h.counter(t, "dvkbot_envelopes_refused_total")
		envelopes := map[string]string{}
		for _, id := range pending {
			envelopes[id] = h.fake.SendEventsAPI(t, events[id], slackfake.Delivery{EventID: id, RetryAttempt: 1, RetryReason: "timeout"})
		}
		// Each envelope is either acked or counted refused; wait until all are one or the other.
		var next []string
		h.waitFor(t, "every redelivered envelope acked or refused", func() bool {
			next = next[:0]
			for _, id := range pending {
				if !acked(h, envelopes[id]) {
					next = append(next, id)
				}
			}
			return h.counter(t, "dvkbot_envelopes_refused_total")-refusedBefore == float64(len(next))
		})
		pending = slices.Clone(next)
	}
}

func acked(h *harness, envelope string) bool {
	return slices.ContainsFunc(h.fake.Acks(), func(a slackfake.Ack) bool { return a.EnvelopeID == envelope })
}

func mentionEvent(h *harness) map[string]any {
	return slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is a pod", h.fake.NextTS(), "")
}

// Slack redelivers an event for minutes; the bot remembers it for 15, by time, not by how many
// events came since.
func TestRedeliveryWithinFifteenMinutesAnsweredOnce(t *testing.T) {
	h := start(t)
	ev := mentionEvent(h)
	h.fake.SendEventsAPI(t, ev, slackfake.Delivery{EventID: "Ev0LATE"})
	h.replies(t, 1)
	h.clock.Advance(14 * time.Minute)
	h.fake.SendEventsAPI(t, ev, slackfake.Delivery{EventID: "Ev0LATE", RetryAttempt: 3, RetryReason: "timeout"})
	h.waitCounter(t, 1, "dvkbot_duplicate_events_total")
	h.clock.Advance(2 * time.Minute)
	h.fake.SendEventsAPI(t, ev, slackfake.Delivery{EventID: "Ev0LATE", RetryAttempt: 4, RetryReason: "timeout"})
	h.replies(t, 2) // past the window it is a new event to the bot
	h.settled(t, "chat.postMessage", 2)
}

// A payload whose response_url points anywhere but Slack (or the configured API host) gets no
// POST from the bot: a forged payload must not make it call into the network it runs in.
func TestResponseURLOutsideSlackRefused(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer elsewhere.Close()
	h := start(t)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "what is a pod", ResponseURL: elsewhere.URL + "/commands/T0FAKE/1/forged"})
	h.waitCounter(t, 1, "dvkbot_response_urls_refused_total")
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "what is a pod"})
	h.fake.WaitCalls(t, "response_url", 1, wait)
	h.stopBot()
	if n := hits.Load(); n != 0 {
		t.Fatalf("the bot posted %d times to a response_url outside Slack", n)
	}
	if logs := h.logs(t); !strings.Contains(logs, "response_url refused") || strings.Contains(logs, "forged") {
		t.Fatalf("the refusal is not logged, or the URL's secret path is:\n%s", logs)
	}
}

// Knowledge files are not always valid UTF-8; the notification text Slack gets must be.
func TestInvalidUTF8NeverReachesNotificationText(t *testing.T) {
	h := start(t, withAnswerer(brokenText{index.NewLive(builtinIndex(t))}))
	h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
	reply := h.replies(t, 1)[0]
	if !utf8.ValidString(reply.Text) || !strings.Contains(reply.Text, "Caf\uFFFD") {
		t.Fatalf("notification text %q: want valid UTF-8 with the bad byte replaced", reply.Text)
	}
}

// brokenText answers with an entry whose title and summary hold bytes that are not UTF-8.
type brokenText struct{ bot.Answerer }

func (brokenText) Answer(q string) index.Answer {
	return index.Answer{Question: q, Answered: true, Sure: true, Entry: knowledge.Entry{
		ID: "broken", Title: "Caf\xe9 pods", Body: "**A pod \xff\xfe is a group of containers.**\n\nMore."}}
}

// A bot started while Slack cannot be reached comes up once it can: auth.test is tried again
// through a minute of 503s (on the simulated clock), then the bot connects and answers.
func TestStartsThroughASlackOutage(t *testing.T) {
	clock := slackfake.NewClock()
	fake := slackfake.New(t, slackfake.WithClock(clock))
	fake.Outage("auth.test", time.Minute, slackfake.ServerError)
	h := runBot(t, fake, clock, newSetup(t, nil))
	fake.WaitOpen(t, 1, wait)
	if tries := len(fake.Calls("auth.test")); tries < 3 {
		t.Fatalf("auth.test tried %d times through a minute's outage, want several", tries)
	}
	h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "")
	h.replies(t, 1)
}

// A token Slack refuses stops the bot at once, naming Slack's error: no retry can fix it.
func TestRefusedTokenStopsTheBot(t *testing.T) {
	fake := slackfake.New(t, slackfake.WithClock(slackfake.NewClock()))
	fake.FailNext("auth.test", "invalid_auth", 1)
	opts := newSetup(t, nil).opts
	opts.AppToken, opts.BotToken, opts.APIURL = slackfake.AppToken, slackfake.BotToken, fake.APIURL()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := bot.New(opts).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || ctx.Err() != nil {
		t.Fatalf("Run with a refused token = %v (context %v), want the invalid_auth error at once", err, ctx.Err())
	}
	if tries := len(fake.Calls("auth.test")); tries != 1 {
		t.Fatalf("auth.test tried %d times with a refused token, want 1", tries)
	}
}

// A Web API address whose certificate is not trusted is configuration, not an outage: the bot
// stops at once naming the certificate, rather than never becoming ready.
func TestUntrustedSlackCertificateStopsTheBot(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	opts := newSetup(t, nil).opts
	opts.AppToken, opts.BotToken, opts.APIURL = slackfake.AppToken, slackfake.BotToken, srv.URL+"/api/"
	opts.Clock = slackfake.NewClock()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := bot.New(opts).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "certificate") || ctx.Err() != nil || calls.Load() != 0 {
		t.Fatalf("Run against an untrusted certificate = %v (context %v, %d calls answered), want the certificate error at once", err, ctx.Err(), calls.Load())
	}
}
