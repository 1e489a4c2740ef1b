package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
)

// SlackAPI is the part of Slack's Web API the bot calls. *slack.Client satisfies it; owning the
// interface keeps the list of calls (and so of scopes) in one place.
type SlackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
}

var _ SlackAPI = (*slack.Client)(nil)

// Retry bounds: Slack's Retry-After is honoured up to maxRetryAfter, and a call is tried at most
// maxAttempts times, so a reply is delayed but never dropped by a short outage or rate limit.
const (
	maxAttempts   = 6
	maxRetryAfter = 30 * time.Second
	firstBackoff  = 100 * time.Millisecond
)

// Replier makes Web API calls that survive rate limits and transient failures: an HTTP 429 waits
// for Retry-After, a network error, a 5xx or Slack's internal errors back off and retry.
type Replier struct {
	api     SlackAPI
	http    *http.Client
	metrics *Metrics
}

// NewHTTPClient is the client for Slack's Web API: it keeps a warm connection per worker, since
// the default keeps two and every reply beyond them would pay for a new TLS handshake.
func NewHTTPClient(workers int) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = workers + 2
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// NewReplier wraps api; webhook replies (response_url) go through httpClient.
func NewReplier(api SlackAPI, httpClient *http.Client, metrics *Metrics) *Replier {
	return &Replier{api: api, http: httpClient, metrics: metrics}
}

// messageOptions are the options of every message the bot sends: blocks, the notification
// text, and no unfurling, since an answer's source links would otherwise expand into cards.
func messageOptions(m Message, threadTS string) []slack.MsgOption {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionBlocks(m.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts
}

// Post sends m to channel, in the thread threadTS when it is set, and returns the message ts.
func (r *Replier) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	var ts string
	err := r.retry(ctx, "chat.postMessage", func() error {
		var err error
		_, ts, err = r.api.PostMessageContext(ctx, channel, messageOptions(m, threadTS)...)
		return err
	})
	return ts, err
}

// Update replaces the message at ts in channel with m.
func (r *Replier) Update(ctx context.Context, channel, ts string, m Message) error {
	return r.retry(ctx, "chat.update", func() error {
		_, _, _, err := r.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...))
		return err
	})
}

// PublishHome publishes the App Home tab of user.
func (r *Replier) PublishHome(ctx context.Context, user string, view slack.HomeTabViewRequest) error {
	return r.retry(ctx, "views.publish", func() error {
		_, err := r.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
}

// Respond posts to a response_url: the only way to answer a slash command or a button only
// the asker sees, since chat.postEphemeral fails where the bot is not a channel member.
func (r *Replier) Respond(ctx context.Context, responseURL string, msg slack.WebhookMessage) error {
	off := false
	msg.UnfurlLinks, msg.UnfurlMedia = &off, &off
	return r.retry(ctx, "response_url", func() error {
		return withoutURL(slack.PostWebhookCustomHTTPContext(ctx, responseURL, r.http, &msg))
	})
}

// withoutURL drops the address from a failed request's error: a response_url is a credential
// (anyone holding it can post for 30 minutes) and errors end up in logs.
func withoutURL(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return fmt.Errorf("%s response_url: %w", urlErr.Op, urlErr.Err)
	}
	return err
}

// retry runs call until it succeeds, fails for good, or runs out of attempts.
func (r *Replier) retry(ctx context.Context, method string, call func() error) error {
	backoff := firstBackoff
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err = call(); err == nil {
			return nil
		}
		wait, ok := retryDelay(err, backoff)
		if !ok || attempt == maxAttempts {
			break
		}
		r.metrics.slackRetries.WithLabelValues(method).Inc()
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			r.metrics.slackErrors.WithLabelValues(method).Inc()
			return fmt.Errorf("%s: %w (last error: %v)", method, ctx.Err(), err)
		}
		backoff *= 2
	}
	r.metrics.slackErrors.WithLabelValues(method).Inc()
	return fmt.Errorf("%s: %w", method, err)
}

// retryDelay says whether err is worth another try, and after how long. A network error is
// retried even though Slack may have received the first try: a rare duplicate reply is the
// lesser harm next to a question left unanswered.
func retryDelay(err error, backoff time.Duration) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return min(max(rl.RetryAfter, firstBackoff), maxRetryAfter), true
	}
	var status slack.StatusCodeError
	if errors.As(err, &status) {
		return backoff, status.Code >= 500 || status.Code == http.StatusTooManyRequests
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return backoff, true
	}
	var slackErr slack.SlackErrorResponse
	if errors.As(err, &slackErr) {
		return backoff, transientSlackErrors[slackErr.Err]
	}
	return backoff, transientSlackErrors[err.Error()]
}

// transientSlackErrors are Slack error codes that mean "try again", per the Web API docs.
var transientSlackErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true,
}
