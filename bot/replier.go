package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
)

// SlackAPI is the part of Slack's Web API the bot calls through slack-go. *slack.Client
// satisfies it; owning the interface keeps the list of calls (and so of scopes) in one place.
// The one other call, chat.postMessage (scopes chat:write and im:write), is sent by poster.
type SlackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
}

var _ SlackAPI = (*slack.Client)(nil)

// Retry bounds. A reply outlives a Slack outage of a minute and more: transient failures are
// retried with a jittered back-off (doubling from firstBackoff up to maxBackoff) for up to
// retryBudget, Slack's Retry-After is honoured up to maxRetryAfter, and only then is the reply
// reported lost.
const (
	retryBudget   = 2 * time.Minute
	maxRetryAfter = 60 * time.Second
	firstBackoff  = 250 * time.Millisecond
	maxBackoff    = 10 * time.Second
)

// Slack's hosts for response_urls: the commercial one and GovSlack's.
var slackHookHosts = map[string]bool{"hooks.slack.com": true, "hooks.slack-gov.com": true}

// errUntrustedURL is returned for a response_url that Slack cannot have issued.
var errUntrustedURL = errors.New("response_url refused: not a Slack hooks host nor the configured Web API host")

// replier makes Web API calls that survive rate limits and outages: an HTTP 429 waits for
// Retry-After; a network error, a 5xx, an unreadable body or Slack's internal errors back off
// and retry.
type replier struct {
	api     SlackAPI
	poster  *poster
	http    *http.Client
	metrics *Metrics
	clock   Clock
	// apiHost is the configured Web API's scheme and host, trusted for response_urls.
	apiScheme, apiHost string
}

// newHTTPClient is the client for Slack's Web API: it keeps a warm connection per worker, since
// the default keeps two and every reply beyond them would pay for a new TLS handshake.
func newHTTPClient(workers int) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = workers + 2
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// newReplier wraps api; posts (with token) and webhook replies (response_url) go through
// httpClient, webhook replies only to Slack's hooks hosts or the host of apiURL.
func newReplier(api SlackAPI, httpClient *http.Client, metrics *Metrics, clock Clock, apiURL, token string) *replier {
	r := &replier{api: api, poster: newPoster(apiURL, token, httpClient), http: httpClient, metrics: metrics, clock: clock}
	if u, err := url.Parse(apiURL); err == nil {
		r.apiScheme, r.apiHost = u.Scheme, u.Host
	}
	return r
}

// Post sends m to channel, in the thread threadTS when it is set, and returns the message ts.
func (r *replier) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	var ts string
	err := r.retry(ctx, "chat.postMessage", func() error {
		var err error
		ts, err = r.poster.post(ctx, channel, threadTS, m)
		return err
	})
	return ts, err
}

// Update replaces the message at ts in channel with m.
func (r *replier) Update(ctx context.Context, channel, ts string, m Message) error {
	return r.retry(ctx, "chat.update", func() error {
		_, _, _, err := r.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...))
		return err
	})
}

// PublishHome publishes the App Home tab of user.
func (r *replier) PublishHome(ctx context.Context, user string, view slack.HomeTabViewRequest) error {
	return r.retry(ctx, "views.publish", func() error {
		_, err := r.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
}

// Respond posts to a response_url: the only way to answer a slash command or a button only
// the asker sees, since chat.postEphemeral fails where the bot is not a channel member.
func (r *replier) Respond(ctx context.Context, responseURL string, msg slack.WebhookMessage) error {
	if host, ok := r.trusted(responseURL); !ok {
		r.metrics.refusedURLs.Inc()
		return fmt.Errorf("%w (host %q)", errUntrustedURL, host)
	}
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

// trusted reports whether a response_url can be Slack's: https on Slack's hooks hosts, or the
// scheme and host of the configured Web API. A forged payload must not make the bot post
// anywhere else, such as to an address inside the cluster. It also returns the URL's host, the
// part that is safe to log.
func (r *replier) trusted(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if u.User != nil {
		return u.Host, false
	}
	if u.Scheme == "https" && slackHookHosts[u.Host] {
		return u.Host, true
	}
	return u.Host, r.apiHost != "" && u.Scheme == r.apiScheme && u.Host == r.apiHost
}

// retry runs call until it succeeds, fails for good, or the retry budget runs out; a call given
// up after transient failures (or cut short by shutdown) is counted as lost.
func (r *replier) retry(ctx context.Context, method string, call func() error) error {
	start := r.clock.Now()
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		wait, transient := retryDelay(err, backoff(firstBackoff, maxBackoff, attempt))
		if !transient {
			r.metrics.slackErrors.WithLabelValues(method).Inc()
			return fmt.Errorf("%s: %w", method, err)
		}
		if r.clock.Now().Add(wait).Sub(start) > retryBudget {
			r.metrics.lost.WithLabelValues(method).Inc()
			return fmt.Errorf("%s: lost after %d attempts over %s: %w", method, attempt, r.clock.Now().Sub(start).Round(time.Second), err)
		}
		r.metrics.slackRetries.WithLabelValues(method).Inc()
		if sleepErr := r.clock.Sleep(ctx, wait); sleepErr != nil {
			r.metrics.lost.WithLabelValues(method).Inc()
			return fmt.Errorf("%s: lost at shutdown: %w (last error: %v)", method, sleepErr, err)
		}
	}
}

// retryDelay says whether err is worth another try, and after how long (Retry-After, else
// backoff). A network error, a truncated body or an HTML page where JSON was due is retried even
// though Slack may have acted on the first try: a rare duplicate reply is the lesser harm next
// to a question left unanswered.
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
	var syntaxErr *json.SyntaxError
	if errors.As(err, &netErr) || errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
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

// OpenView opens a modal with a trigger_id, which Slack accepts once and within 3 seconds: there
// is no time for a retry, so a failure is counted and returned at once.
func (r *replier) OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	if _, err := r.api.OpenViewContext(ctx, triggerID, view); err != nil {
		r.metrics.slackErrors.WithLabelValues("views.open").Inc()
		return fmt.Errorf("views.open: %w", err)
	}
	return nil
}

// Permalink is the link to a message (or thread, with its root's ts).
func (r *replier) Permalink(ctx context.Context, channel, ts string) (string, error) {
	var link string
	err := r.retry(ctx, "chat.getPermalink", func() error {
		var err error
		link, err = r.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	return link, err
}
