package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// clock is a settable time for the stores under test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestGapsCountsBoundsAndForgets(t *testing.T) {
	g := NewGaps(2, time.Hour)
	clk := &clock{t: time.Unix(0, 0)}
	g.now = clk.now
	everyone := Asker{User: "U1", Public: true}
	g.Record("How do I bake bread", everyone)
	g.Record("how  do i bake   BREAD", Asker{User: "U2", Public: true})
	g.Record("what is the meaning of life", everyone)
	g.Record("", everyone)
	top := g.Top(10)
	if len(top) != 2 || top[0].Count != 2 || top[0].Question != "How do I bake bread" {
		t.Fatalf("top = %+v, want the bread question twice first", top)
	}
	g.Record("a third question pushes out the least asked", everyone)
	if top := g.Top(10); len(top) != 2 || top[0].Count != 2 {
		t.Fatalf("bound not kept or the most asked lost: %+v", top)
	}
	clk.t = clk.t.Add(2 * time.Hour)
	if top := g.Top(10); len(top) != 0 {
		t.Fatalf("questions older than the window kept: %+v", top)
	}
}

func TestGapsCutsLongQuestions(t *testing.T) {
	g := NewGaps(10, time.Hour)
	g.Record(strings.Repeat("é", 500), Asker{Public: true})
	if q := g.Top(1)[0].Question; utf8.RuneCountInString(q) > maxGapText || !utf8.ValidString(q) {
		t.Fatalf("kept %d characters (valid UTF-8: %v), want at most %d", utf8.RuneCountInString(q), utf8.ValidString(q), maxGapText)
	}
}

func TestGapsKeepPrivateQuestionsForTheirAsker(t *testing.T) {
	g := NewGaps(10, time.Hour)
	g.Record("how do I rotate our vault token", Asker{User: "U1"})
	g.Record("how do I rotate our vault token", Asker{User: "U1"})
	g.Record("my prod db password is hunter2", Asker{User: "U2"})
	g.Record("what is a service mesh", Asker{User: "U3", Public: true})
	g.Record("a question with no asker", Asker{})
	if top := g.Top(10); len(top) != 1 || top[0].Question != "what is a service mesh" {
		t.Fatalf("everyone's gaps = %+v, want only the public question", top)
	}
	if own := g.Own("U1", 10); len(own) != 1 || own[0].Count != 2 || !strings.Contains(own[0].Question, "vault") {
		t.Fatalf("U1's own gaps = %+v, want the vault question twice", own)
	}
	if own := g.Own("U3", 10); len(own) != 0 {
		t.Fatalf("U3's own private gaps = %+v, want none (their question was public)", own)
	}
	if own := g.Own("", 10); len(own) != 1 || own[0].Question != "a question with no asker" {
		t.Fatalf("a private question without an asker = %+v; it must stay out of everyone's list", own)
	}
}

func TestSeenSetRemembersByTimeWithinAHardCap(t *testing.T) {
	clk := &fixedClock{t: time.Unix(0, 0)}
	s := newSeenSet(clk, dedupeWindow, dedupeMax)
	if !s.AddNew("event:first") || s.AddNew("event:first") {
		t.Fatal("AddNew must take a key once")
	}
	// 20,000 events (two keys each) within the window: far more than the old LRU kept, and
	// the first is still remembered.
	for i := range 40000 {
		s.AddNew(fmt.Sprint("event:", i))
	}
	clk.t = clk.t.Add(dedupeWindow - time.Second)
	if s.AddNew("event:first") {
		t.Fatal("an event 14m59s old was forgotten because other events came in")
	}
	clk.t = clk.t.Add(2 * time.Second)
	if !s.AddNew("event:first") {
		t.Fatal("an event older than the window is still remembered")
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("%d keys kept after the window passed, want 1", n)
	}
	small := newSeenSet(clk, dedupeWindow, 100)
	for i := range 1000 {
		small.AddNew(fmt.Sprint(i))
	}
	if n := small.Len(); n != 100 {
		t.Fatalf("%d keys kept with a cap of 100", n)
	}
	small.Forget("999")
	if !small.AddNew("999") {
		t.Fatal("a forgotten key must be new again")
	}
}

// fixedClock is a Clock that moves only when a test sets it.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time                             { return c.t }
func (c *fixedClock) Sleep(context.Context, time.Duration) error { return nil }

func TestRetryDelay(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		retry bool
		wait  time.Duration
	}{
		{"429 honours Retry-After", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, true, 3 * time.Second},
		{"429 Retry-After is bounded", &slack.RateLimitedError{RetryAfter: time.Hour}, true, maxRetryAfter},
		{"5xx backs off", slack.StatusCodeError{Code: 503}, true, time.Second},
		{"429 from a response_url", slack.StatusCodeError{Code: http.StatusTooManyRequests}, true, time.Second},
		{"4xx is final", slack.StatusCodeError{Code: 404}, false, time.Second},
		{"internal_error retried", slack.SlackErrorResponse{Err: "internal_error"}, true, time.Second},
		{"HTML where JSON was due", fmt.Errorf("decode: %w", &json.SyntaxError{Offset: 1}), true, time.Second},
		{"truncated body", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, time.Second},
		{"channel_not_found is final", slack.SlackErrorResponse{Err: "channel_not_found"}, false, time.Second},
		{"other errors are final", errors.New("invalid_blocks"), false, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wait, retry := retryDelay(c.err, time.Second)
			if retry != c.retry || (retry && wait != c.wait) {
				t.Fatalf("retryDelay = %v, %v; want %v, %v", wait, retry, c.wait, c.retry)
			}
		})
	}
}

func TestResponseURLNeverInErrors(t *testing.T) {
	err := withoutURL(&url.Error{Op: "Post", URL: "https://hooks.slack.com/commands/T1/2/s3cr3t", Err: errors.New("connection refused")})
	if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("error %q must keep the cause and drop the URL", err)
	}
}
