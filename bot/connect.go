package bot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Reconnect back-off. slack-go's socketmode client reconnects at once after a connection that
// opened and then dropped, and its own back-off for failed attempts has no jitter: a socket
// that says hello and closes made it open about a thousand connections a second. So every
// apps.connections.open call waits first, unless the previous connection lasted stableAfter:
// the first retry waits about reconnectFirst, each further one twice as long up to
// reconnectMax, jittered.
const (
	reconnectFirst = time.Second
	reconnectMax   = 30 * time.Second
	stableAfter    = time.Minute
	// maxFrame bounds one Socket Mode message. Slack's largest envelopes (a 40,000-character
	// message with its blocks) stay well below it.
	maxFrame = 4 << 20
)

// reconnectGate paces the opening of Socket Mode connections: it sits in the HTTP transport of
// the client that calls apps.connections.open, the one step every connection attempt starts
// with, so it covers attempts that failed and connections that opened and dropped at once.
type reconnectGate struct {
	clock    Clock
	log      *slog.Logger
	throttle *logThrottle

	mu       sync.Mutex
	opened   bool      // a connection was opened before
	lastOpen time.Time // when the last attempt started
	attempts int       // attempts since the last connection that held
}

// wait blocks until the next connection attempt may start, or ctx is done.
func (g *reconnectGate) wait(ctx context.Context) error {
	g.mu.Lock()
	var delay time.Duration
	if g.opened && g.clock.Now().Sub(g.lastOpen) < stableAfter {
		g.attempts++
		delay = backoff(reconnectFirst, reconnectMax, g.attempts)
	} else {
		g.attempts = 0
	}
	attempts := g.attempts
	g.mu.Unlock()
	if delay > 0 {
		if ok, held := g.throttle.allow("reconnect_wait"); ok {
			g.log.Warn("Slack connection did not hold: waiting before reconnecting",
				"wait", delay.String(), "attempt", attempts, "similar_lines_held_back", held)
		}
		if err := g.clock.Sleep(ctx, delay); err != nil {
			return err
		}
	}
	g.mu.Lock()
	g.opened, g.lastOpen = true, g.clock.Now()
	g.mu.Unlock()
	return nil
}

// gatedTransport makes each request wait for the gate. The client it serves makes only
// apps.connections.open calls.
type gatedTransport struct {
	gate *reconnectGate
	next http.RoundTripper
}

func (t gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.gate.wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// newSocket is the Socket Mode client: its own slack.Client, whose HTTP transport passes each
// apps.connections.open through the gate, and a bound on the size of a frame.
func newSocket(opts Options, httpClient *http.Client, gate *reconnectGate) *socketmode.Client {
	next := httpClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	// The client's timeout counts the wait at the gate too: allow for the longest one.
	gated := &http.Client{Transport: gatedTransport{gate: gate, next: next}, Timeout: httpClient.Timeout + reconnectMax}
	api := slack.New(opts.BotToken, slack.OptionAppLevelToken(opts.AppToken), slack.OptionAPIURL(opts.APIURL),
		slack.OptionHTTPClient(gated))
	return socketmode.New(api, socketmode.OptionReadLimit(maxFrame))
}
