// Package slackfake is a fake Slack for end-to-end tests of the bot.
//
// It serves the Web API and a Socket Mode websocket on loopback and speaks
// the real wire protocols, so the real slack-go client and its socketmode
// client run against it unchanged: form posts with the token in the body,
// JSON posts with a Bearer header, apps.connections.open handing out a
// ws:// URL, the hello frame, websocket pings, envelopes and acks.
//
// It checks what Slack checks (tokens, Block Kit limits, message length),
// records every call and ack, and injects the failures a bot must survive:
// HTTP 429 with Retry-After, error codes, outages of 5xx, HTML or truncated
// bodies lasting a given time (Outage), calls held until released (Stall),
// disconnects, dropped sockets, and sockets that close right after hello or
// in the middle of a frame (SetSocketFault). With a simulated Clock shared
// with the app (WithClock), a minute-long outage takes no real minute.
//
// It serves several Socket Mode connections at once, as Slack does for an
// app run as several processes: DeliverTo picks the connection an envelope
// goes to, and SendEventsAPIToAll sends one event to every one. Modals work
// as in Slack: every payload carries a trigger_id that views.open takes once
// (within 3 s on a simulated clock), WaitViews returns the modals opened, and
// SendViewSubmission and SendMessageAction send what a person's submit or
// message shortcut sends.
//
// A test starts one, points the bot at it and drives it:
//
//	fake := slackfake.New(t)
//	api := slack.New(slackfake.BotToken,
//		slack.OptionAPIURL(fake.APIURL()),
//		slack.OptionAppLevelToken(slackfake.AppToken))
//	// ... run the bot with api ...
//	fake.WaitConnections(t, 1, time.Minute)
//	ts := fake.NextTS()
//	env := fake.SendEventsAPI(t, slackfake.AppMention("C0FAKE", "U0FAKEUSER", "<@U0DVKBOT> what is a pod?", ts, ""))
//	fake.WaitAck(t, env, time.Minute)
//	reply := fake.WaitCalls(t, "chat.postMessage", 1, time.Minute)[0]
//	// reply.ThreadTS == ts, reply.Blocks holds the Block Kit JSON
//
// Every wait is bounded and fails the test on timeout, so call the methods
// that take a testing.TB from the test goroutine (they may call t.Fatal).
// The bounds only catch hangs: waits end on what the fake sees happen, never
// on a guess of how long something takes.
// Everything the fake started is stopped by t.Cleanup.
package slackfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The identity the fake reports. The bot under test must use these tokens;
// any other token is rejected as Slack would (invalid_auth).
const (
	AppToken  = "xapp-1-A0FAKE-1-fake" // app-level token, for apps.connections.open only
	BotToken  = "xoxb-fake"            // bot token, for every other method
	BotUserID = "U0DVKBOT"             // the bot's user ID (auth.test user_id, mentions)
	BotID     = "B0DVKBOT"             // the bot's bot_id, set on messages it posts
	TeamID    = "T0FAKE"               // the workspace
	AppID     = "A0FAKE"               // the app (hello connection_info.app_id, api_app_id)
)

// Defaults used by SendSlashCommand and SendBlockAction when the caller
// leaves the user or channel empty.
const (
	DefaultUserID    = "U0FAKEUSER"
	DefaultChannelID = "C0FAKE"
)

const (
	defaultPingInterval = 5 * time.Second
	// sendWait bounds how long Send* wait for the app to be connected, so a
	// test that sends before the bot has connected does not race it. It is
	// generous: an app backing off from a flapping socket may take a while.
	sendWait = time.Minute
)

// Server is a running fake Slack. All methods are safe for concurrent use.
type Server struct {
	srv          *httptest.Server
	pingInterval time.Duration
	strict       bool
	clock        clock

	// wg counts the goroutines serving websocket connections; Cleanup
	// waits for them so no goroutine outlives the test.
	wg sync.WaitGroup

	mu sync.Mutex
	// changed is closed and replaced on every recorded change; waiters
	// select on it with a deadline instead of polling.
	changed      chan struct{}
	closed       bool
	seq          int // source of unique ids
	tsSeq        int // source of message timestamps
	calls        []Call
	violations   []string
	faults       map[string][]*fault
	messages     map[string]map[string]any // channel+"/"+ts -> message the bot posted
	responseURLs map[string]*responseURL   // path -> response_url state
	tickets      map[string]bool           // unused websocket tickets
	conns        []*wsConn                 // live connections, oldest first
	connCount    int                       // connections made so far
	sent         map[string]time.Time      // envelope_id -> when it was sent
	acks         []Ack
	pongs        int                    // pongs received, on every connection
	socketFault  SocketFault            // what happens to new Socket Mode connections
	channels     map[string]ChannelKind // conversations set with SetChannel
	stalls       map[string]*stall      // method -> calls held until released
	route        int                    // which open connection gets envelopes: 0 the newest (see DeliverTo)
	triggers     map[string]trigger     // trigger_id -> when issued and whether used
	views        map[string]View        // view id -> modal opened with views.open
}

// Option configures a Server.
type Option func(*Server)

// WithPingInterval sets how often the fake sends websocket pings on each
// connection (default 5s). slack-go reconnects when no ping arrives within
// its own interval (30s by default), so d <= 0 turns pings off to exercise
// that reconnect.
func WithPingInterval(d time.Duration) Option {
	return func(s *Server) { s.pingInterval = d }
}

// WithStrict makes the test fail at cleanup if any violation was recorded
// (see Violations), so an end-to-end test catches over-limit blocks or late
// acks without asserting on them explicitly.
func WithStrict() Option {
	return func(s *Server) { s.strict = true }
}

// New starts a fake Slack on loopback. It is closed by t.Cleanup, after
// cleanups registered later (such as stopping the bot) have run.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		pingInterval: defaultPingInterval,
		clock:        wallClock{},
		changed:      make(chan struct{}),
		faults:       map[string][]*fault{},
		messages:     map[string]map[string]any{},
		responseURLs: map[string]*responseURL{},
		tickets:      map[string]bool{},
		sent:         map[string]time.Time{},
		channels:     map[string]ChannelKind{},
		stalls:       map[string]*stall{},
		triggers:     map[string]trigger{},
		views:        map[string]View{},
	}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(apiPath, s.serveAPI)
	mux.HandleFunc(linkPath, s.serveLink)
	mux.HandleFunc("/commands/", s.serveResponseURL)
	mux.HandleFunc("/actions/", s.serveResponseURL)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() { s.close(t) })
	return s
}

// APIURL is the Web API base with its trailing slash, for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.srv.URL + apiPath }

// NextTS returns a fresh message timestamp ("1700000000.000100" style),
// unique and increasing together with the ts of messages the bot posts, for
// building user events that cannot collide with the bot's own messages.
func (s *Server) NextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTSLocked()
}

// Violations lists what the app did that real Slack rejects or punishes:
// Block Kit over limits, over-long or invalid UTF-8 text, oversized or
// duplicate acks, frames Slack would not understand. Each entry names the
// method or "socket". A late ack is not one (see Ack.Latency): how late an
// ack is depends on how busy the machine is.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// WaitViolations waits until at least n violations were recorded and
// returns them, failing the test after timeout.
func (s *Server) WaitViolations(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	if !s.await(timeout, func() bool { return len(s.violations) >= n }) {
		t.Fatalf("slackfake: %d violations after %v, want %d; saw %s", len(s.Violations()), timeout, n, s.summary())
	}
	return s.Violations()
}

func (s *Server) nextTSLocked() string {
	s.tsSeq++
	micros := s.tsSeq * 100
	return fmt.Sprintf("%d.%06d", 1700000000+micros/1000000, micros%1000000)
}

func (s *Server) nextIDLocked() int {
	s.seq++
	return s.seq
}

func (s *Server) violateLocked(where string, msgs ...string) {
	for _, m := range msgs {
		s.violations = append(s.violations, where+": "+m)
	}
	s.notifyLocked()
}

func (s *Server) violate(where string, msgs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violateLocked(where, msgs...)
}

// notifyLocked wakes every waiter; they re-check their condition.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// await blocks until cond (called with s.mu held) is true or timeout passes.
func (s *Server) await(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// close shuts the fake down: no new connections, live ones closed, the
// HTTP server stopped, and every connection goroutine waited for.
func (s *Server) close(t testing.TB) {
	s.releaseStalls()
	s.mu.Lock()
	s.closed = true
	conns := append([]*wsConn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.shut()
	}
	s.srv.Close()
	if !waitGroupWithin(&s.wg, sendWait) {
		t.Errorf("slackfake: connection goroutines still running %v after close", sendWait)
	}
	if s.strict {
		for _, v := range s.Violations() {
			t.Errorf("slackfake violation: %s", v)
		}
	}
}

// waitGroupWithin waits for wg, giving up after timeout so a bug here
// fails the test instead of hanging it.
func waitGroupWithin(wg *sync.WaitGroup, timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// summary describes what the fake saw, for timeout messages.
func (s *Server) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%d calls", len(s.calls))
	for _, c := range s.calls {
		fmt.Fprintf(&b, "\n  %s", c)
	}
	fmt.Fprintf(&b, "\n%d acks, %d connections made, %d live", len(s.acks), s.connCount, len(s.conns))
	for _, v := range s.violations {
		fmt.Fprintf(&b, "\n  violation: %s", v)
	}
	return b.String()
}
