package bot

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Answerer is the answer engine as the bot sees it. *index.Live satisfies it.
type Answerer interface {
	// Answer answers a question on its own.
	Answer(question string) index.Answer
	// FollowUp answers a question in a conversation whose last answer was the entry previous.
	FollowUp(question, previous string) index.Answer
	// Explain is the answer made of one entry, for a topic picked from buttons.
	Explain(id string) (index.Answer, bool)
	// Entry looks an entry up by id.
	Entry(id string) (knowledge.Entry, bool)
	// Entries lists every entry, for help and the App Home.
	Entries() []knowledge.Entry
}

var _ Answerer = (*index.Live)(nil)

// Options configure a Bot. The tokens and Answerer are required.
type Options struct {
	// AppToken is the app-level token (xapp-…) that opens Socket Mode connections.
	AppToken string
	// BotToken is the bot token (xoxb-…) for Web API calls.
	BotToken string
	// APIURL is the Web API base, ending in a slash; Slack's own when empty. Besides Slack's
	// hooks hosts, its host is the only one response_urls may point at (GovSlack, a proxy, or a
	// fake Slack in tests).
	APIURL string
	// Answerer answers questions (an *index.Live).
	Answerer Answerer
	// Logger gets JSON lines with event ids; slog.Default() when nil.
	Logger *slog.Logger
	// Metrics are registered where the ops server exposes them; unexposed ones when nil.
	Metrics *Metrics
	// SlashCommand is the command's name as configured in the Slack app, e.g. "/dvk".
	SlashCommand string
	// AllowedChannels, when not empty, are the only channels the bot answers mentions in.
	AllowedChannels []string
	// Workers answer events; QueueSize events may wait for them. Past that, envelopes are left
	// un-acked for Slack to deliver again later.
	Workers   int
	QueueSize int
	// DrainTimeout bounds how long replies in flight may take once Run's context is done.
	DrainTimeout time.Duration
	// Brain is what the bot remembers: events handled, thread context, unanswered questions,
	// votes. Replicas sharing one (Redis) answer each event once and keep each other's threads.
	// An in-memory brain on Clock when nil.
	Brain brain.Brain
	// ExpertsChannel is the channel id where questions the bot could not answer are posted
	// for an expert to answer; none when empty.
	ExpertsChannel string
	// Admins are the user ids who may withdraw any captured entry, besides its author.
	Admins []string
	// Clock times retries and reconnects; the wall clock when nil.
	Clock Clock
}

// Memory bounds: whether a channel is public is asked again after an hour, since a channel can
// be made private.
const (
	channelMemory = time.Hour
	maxRemembered = 20000
	ackTimeout    = 2 * time.Second
)

// Bot is dvkbot in Slack: it reads Socket Mode envelopes, acks each at once, and answers on a
// bounded pool of workers so a slow reply never stalls the socket reader (a stalled reader
// misses Slack's pings and the connection is dropped).
type Bot struct {
	opts     Options
	log      *slog.Logger
	metrics  *Metrics
	api      SlackAPI
	socket   *socketmode.Client
	replier  *replier
	throttle *logThrottle
	brain    brain.Brain
	channels *channelVisibility
	allowed  map[string]bool
	// queue holds the jobs waiting for a worker. Only the socket reader sends on it, so room
	// seen by the reader is still there when it sends.
	queue chan job
	// selfUser is the bot's own user id, learnt with auth.test: it never answers itself.
	selfUser  string
	connected atomic.Bool
	inFlight  sync.WaitGroup
}

// job is one event's work, run by a worker after the envelope was acked.
type job struct {
	name string
	run  func(ctx context.Context)
}

// New prepares a bot; Run connects it.
func New(opts Options) *Bot {
	opts = withDefaults(opts)
	httpClient := newHTTPClient(opts.Workers)
	api := slack.New(opts.BotToken, slack.OptionAPIURL(opts.APIURL), slack.OptionHTTPClient(httpClient))
	throttle := newLogThrottle(logEvery)
	gate := &reconnectGate{clock: opts.Clock, log: opts.Logger, throttle: throttle}
	b := &Bot{
		opts: opts, log: opts.Logger, metrics: opts.Metrics, api: api,
		socket:   newSocket(opts, httpClient, gate),
		replier:  newReplier(api, httpClient, opts.Metrics, opts.Clock, opts.APIURL, opts.BotToken),
		throttle: throttle, brain: opts.Brain,
		channels: newChannelVisibility(api, opts.Logger),
		queue:    make(chan job, opts.QueueSize),
		allowed:  map[string]bool{},
	}
	for _, c := range opts.AllowedChannels {
		b.allowed[c] = true
	}
	return b
}

// withDefaults fills in the options left empty.
func withDefaults(opts Options) Options {
	if opts.APIURL == "" {
		opts.APIURL = slack.APIURL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 8 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Brain == nil {
		opts.Brain = brain.NewMemory(brain.Options{Now: opts.Clock.Now})
	}
	return opts
}

// Connected reports whether the Socket Mode connection is up: the bot's readiness.
func (b *Bot) Connected() bool {
	return b.connected.Load()
}

// Run learns the bot's identity, connects and answers until ctx is done; then it stops taking
// events, lets replies in flight finish (within DrainTimeout) and returns nil.
func (b *Bot) Run(ctx context.Context) error {
	auth, err := b.authenticate(ctx)
	if err != nil && ctx.Err() != nil {
		return nil // stopped before Slack could be reached: nothing to drain
	}
	if err != nil {
		return err
	}
	b.selfUser = auth.UserID
	b.log.Info("authenticated", "bot_user", auth.UserID, "team", auth.TeamID)

	replyCtx, cancelReplies := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReplies()
	workers := b.startWorkers(replyCtx)

	socketCtx, stopSocket := context.WithCancel(ctx)
	socketDone := make(chan error, 1)
	go func() { socketDone <- b.socket.RunContext(socketCtx) }()

	err = b.readEvents(ctx, socketDone)
	stopSocket()
	b.connected.Store(false)
	b.drain(workers, cancelReplies)
	select {
	case <-socketDone:
	case <-time.After(time.Second): // the socket client stops on its own; do not hold exit for it
	}
	return err
}

// authenticate learns the bot's identity with auth.test. While Slack cannot be reached (network
// errors, 5xx, rate limits, Slack's own "try again" codes) it tries again, waiting as between
// reconnects, for as long as ctx lasts: a bot started during a Slack or network outage comes up
// when it ends, not after its container's restarts have backed off for minutes. A refused
// token (invalid_auth, revoked), a host name that does not exist or a certificate that is not
// trusted stops it at once: those are configuration, which no retry fixes.
func (b *Bot) authenticate(ctx context.Context) (*slack.AuthTestResponse, error) {
	for attempt := 1; ; attempt++ {
		auth, err := b.api.AuthTestContext(ctx)
		if err == nil {
			return auth, nil
		}
		delay, transient := retryDelay(err, backoff(reconnectFirst, reconnectMax, attempt))
		if !transient || misconfigured(err) || ctx.Err() != nil {
			return nil, fmt.Errorf("auth.test: %w", err)
		}
		b.logThrottled(slog.LevelWarn, "auth_retry", "Slack could not be reached to authenticate: trying again",
			"error", err, "wait", delay.String(), "attempt", attempt)
		if err := b.opts.Clock.Sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("auth.test: %w", ctx.Err())
		}
	}
}

// misconfigured reports whether err says the Web API's address is wrong rather than unreachable:
// its host does not exist, or it presents a certificate that is not trusted.
func misconfigured(err error) bool {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	return errors.As(err, &dns) && dns.IsNotFound || errors.As(err, &cert) ||
		errors.As(err, &authority) || errors.As(err, &host)
}

// readEvents dispatches socket events until ctx is done or the socket client gives up.
func (b *Bot) readEvents(ctx context.Context, socketDone <-chan error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-socketDone:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-b.socket.Events:
			b.dispatch(ctx, evt)
		}
	}
}

func (b *Bot) startWorkers(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range b.opts.Workers {
		wg.Go(func() {
			for j := range b.queue {
				b.metrics.queueDepth.Set(float64(len(b.queue)))
				b.runJob(ctx, j)
			}
		})
	}
	return &wg
}

// hasRoom reports whether the queue can take another job. An envelope is acked only when it
// can: one left un-acked is delivered again by Slack later, so a burst beyond the queue waits
// in Slack rather than in a goroutine of ours.
func (b *Bot) hasRoom(evt socketmode.Event) bool {
	depth := len(b.queue)
	if depth < cap(b.queue) {
		if depth > 0 {
			b.logThrottled(slog.LevelInfo, "queue_waiting", "all workers busy: events are waiting for one",
				"waiting", depth, "queue_size", cap(b.queue), "workers", b.opts.Workers)
		}
		return true
	}
	b.metrics.refused.WithLabelValues(string(evt.Type)).Inc()
	b.logThrottled(slog.LevelWarn, "queue_full", "worker queue full: envelope left un-acked for Slack to deliver again",
		"type", evt.Type, "queue_size", cap(b.queue), "workers", b.opts.Workers)
	return false
}

// enqueue hands a job to the workers. Only the socket reader calls it, after hasRoom, so the
// send never blocks.
func (b *Bot) enqueue(j job) {
	b.inFlight.Add(1)
	b.queue <- j
	b.metrics.queueDepth.Set(float64(len(b.queue)))
}

// logThrottled writes a line of a repeated kind at most once per logEvery, saying how many
// were held back.
func (b *Bot) logThrottled(level slog.Level, kind, msg string, attrs ...any) {
	if ok, held := b.throttle.allow(kind); ok {
		b.log.Log(context.Background(), level, msg, append(attrs, "similar_lines_held_back", held)...)
	}
}

// runJob runs one job, recovering a panic so one bad event cannot take the bot down.
func (b *Bot) runJob(ctx context.Context, j job) {
	defer b.inFlight.Done()
	defer func() {
		if r := recover(); r != nil {
			b.metrics.panics.Inc()
			b.log.Error("handler panicked", "job", j.name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	j.run(ctx)
}

// drain waits for queued and running jobs, up to DrainTimeout, then cancels what is left.
func (b *Bot) drain(workers *sync.WaitGroup, cancel context.CancelFunc) {
	close(b.queue)
	done := make(chan struct{})
	go func() {
		b.inFlight.Wait()
		workers.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.log.Info("drained replies in flight")
	case <-time.After(b.opts.DrainTimeout):
		b.log.Warn("drain timeout: cancelling replies still in flight", "timeout", b.opts.DrainTimeout)
		cancel()
		<-done
	}
}

// ack acknowledges an envelope with a deadline: Ack blocks while the socket is down, and the
// reader must never wait on a lost connection.
func (b *Bot) ack(ctx context.Context, envelopeID string, payload any) {
	if envelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := b.socket.AckCtx(ctx, envelopeID, payload); err != nil {
		b.log.Warn("ack failed", "envelope_id", envelopeID, "err", err)
	}
}

// envelopeID reads the envelope_id of a raw Socket Mode message whose event slack-go could not
// decode, so it can still be acked and Slack stops redelivering it.
func envelopeID(raw json.RawMessage) string {
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(raw, &env) != nil {
		return ""
	}
	return env.EnvelopeID
}
