package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

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
