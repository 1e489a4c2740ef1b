package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"testing"
	"time"
)

// Call is one request the app made to the fake: a Web API method or a
// POST to a response_url.
type Call struct {
	Method      string          // "chat.postMessage", ... or "response_url"
	Params      url.Values      // form fields, or top-level JSON fields (non-strings as JSON text); token removed
	Token       string          // the token presented (Bearer header or token field)
	Channel     string          // channel param
	User        string          // user or user_id param (ephemeral recipient, App Home owner)
	Text        string          // text param
	ThreadTS    string          // thread_ts param
	TS          string          // ts: the one assigned by chat.postMessage/postEphemeral, or the one given to chat.update
	Blocks      json.RawMessage // the Block Kit array (views.publish: view.blocks); nil when none
	ResponseURL string          // the URL posted to, for Method "response_url"
	Status      int             // HTTP status the fake answered
	Error       string          // Slack error code answered ("ratelimited" on 429); "" when accepted
	Time        time.Time       // when the fake received it
}

// OK reports whether Slack accepted the call.
func (c Call) OK() bool { return c.Error == "" && c.Status == 200 }

// String is a one-line description for failure messages.
func (c Call) String() string {
	outcome := "ok"
	if !c.OK() {
		outcome = fmt.Sprintf("%d %s", c.Status, c.Error)
	}
	return fmt.Sprintf("%s channel=%q thread_ts=%q text=%.60q -> %s", c.Method, c.Channel, c.ThreadTS, c.Text, outcome)
}

// Ack is an acknowledgement the app sent over Socket Mode.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // the optional payload; nil when the app sent none
	Time       time.Time       // when the fake received it
	Latency    time.Duration   // from sending the envelope to receiving the ack; Slack redelivers after about 3s
}

// Calls returns the calls made to method so far, failed ones included (a
// rate-limited attempt and its retry are two calls), oldest first.
// Method "" returns every call.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method, false)
}

// WaitCalls waits until Slack has accepted at least n calls to method and
// returns the accepted ones; failed attempts (429, errors) do not count, so
// a test can wait for "the reply" whatever retries it took. It fails the
// test if they do not arrive within timeout.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	var got []Call
	// Count before copying: a waiter woken on every call of a burst must stay cheap, or the
	// fake's own bookkeeping takes the CPU the app under test needs.
	ok := s.await(timeout, func() bool {
		if s.countLocked(method) < n {
			return false
		}
		got = s.callsLocked(method, true)
		return true
	})
	if !ok {
		t.Fatalf("slackfake: %d accepted %s calls after %v, want %d; saw %s", len(s.Calls(method)), method, timeout, n, s.summary())
	}
	return got
}

// Acks returns every ack received so far, oldest first.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// WaitAck waits for the app to ack envelopeID and returns the first ack. It
// fails the test if none arrives within timeout.
func (s *Server) WaitAck(t testing.TB, envelopeID string, timeout time.Duration) Ack {
	t.Helper()
	var ack Ack
	ok := s.await(timeout, func() bool {
		for _, a := range s.acks {
			if a.EnvelopeID == envelopeID {
				ack = a
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("slackfake: no ack for envelope %s within %v; saw %s", envelopeID, timeout, s.summary())
	}
	return ack
}

func (s *Server) callsLocked(method string, acceptedOnly bool) []Call {
	var out []Call
	for _, c := range s.calls {
		if (method == "" || c.Method == method) && (!acceptedOnly || c.OK()) {
			c.Params = maps.Clone(c.Params)
			out = append(out, c)
		}
	}
	return out
}

// countLocked counts the accepted calls to method.
func (s *Server) countLocked(method string) int {
	n := 0
	for _, c := range s.calls {
		if (method == "" || c.Method == method) && c.OK() {
			n++
		}
	}
	return n
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
}
