package bot

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// clock is a settable time for the caches under test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTTLCacheExpiresAndStaysBounded(t *testing.T) {
	c := newTTLCache[string](3, time.Minute)
	clk := &clock{t: time.Unix(0, 0)}
	c.now = clk.now
	if !c.AddNew("a", "1") || c.AddNew("a", "2") {
		t.Fatal("AddNew must add a key once while it lives")
	}
	clk.t = clk.t.Add(2 * time.Minute)
	if _, ok := c.Get("a"); ok {
		t.Fatal("expired key still served")
	}
	if !c.AddNew("a", "3") {
		t.Fatal("an expired key must be addable again (Slack's retries come after minutes)")
	}
	for _, k := range []string{"b", "c", "d", "e"} {
		c.Set(k, k)
	}
	for _, evicted := range []string{"a", "b"} {
		if _, ok := c.Get(evicted); ok {
			t.Fatalf("%q kept: the cache must hold at most 3 keys, evicting the oldest first", evicted)
		}
	}
	if v, ok := c.Get("e"); !ok || v != "e" {
		t.Fatal("the newest key was lost")
	}
}

func TestGapsCountsBoundsAndForgets(t *testing.T) {
	g := NewGaps(2, time.Hour)
	clk := &clock{t: time.Unix(0, 0)}
	g.now = clk.now
	g.Record("How do I bake bread")
	g.Record("how  do i bake   BREAD")
	g.Record("what is the meaning of life")
	g.Record("")
	top := g.Top(10)
	if len(top) != 2 || top[0].Count != 2 || top[0].Question != "How do I bake bread" {
		t.Fatalf("top = %+v, want the bread question twice first", top)
	}
	g.Record("a third question pushes out the least asked")
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
	g.Record(strings.Repeat("é", 500))
	if q := g.Top(1)[0].Question; utf8.RuneCountInString(q) > maxGapText || !utf8.ValidString(q) {
		t.Fatalf("kept %d characters (valid UTF-8: %v), want at most %d", utf8.RuneCountInString(q), utf8.ValidString(q), maxGapText)
	}
}

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
