package slackfake_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// wait bounds every wait: it only catches hangs, so it is generous for a loaded machine.
const wait = time.Minute

// newAPI returns the real slack-go client pointed at fake, with its own
// transport so idle connections close at cleanup.
func newAPI(t *testing.T, fake *slackfake.Server, opts ...slack.Option) *slack.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	base := []slack.Option{
		slack.OptionAPIURL(fake.APIURL()),
		slack.OptionAppLevelToken(slackfake.AppToken),
		slack.OptionHTTPClient(&http.Client{Transport: tr}),
	}
	return slack.New(slackfake.BotToken, append(base, opts...)...)
}

// socket is a running socketmode client and the events it emitted.
type socket struct {
	client *socketmode.Client
	events chan socketmode.Event
}

// runSocket starts the real socketmode client against fake; cleanup stops
// it and waits for its goroutines.
func runSocket(t *testing.T, fake *slackfake.Server, opts ...socketmode.Option) *socket {
	t.Helper()
	client := socketmode.New(newAPI(t, fake), opts...)
	s := &socket{client: client, events: make(chan socketmode.Event, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	ran, forwarded := make(chan struct{}), make(chan struct{})
	go func() { defer close(ran); _ = client.RunContext(ctx) }()
	go func() { defer close(forwarded); s.forward(ctx) }()
	t.Cleanup(func() {
		cancel()
		for _, done := range []chan struct{}{ran, forwarded} {
			select {
			case <-done:
			case <-time.After(wait):
				t.Errorf("socketmode client did not stop within %v", wait)
			}
		}
	})
	return s
}

// forward drains client.Events (as a bot must) into s.events.
func (s *socket) forward(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.client.Events:
			select {
			case s.events <- ev:
			case <-ctx.Done():
				return
			}
		}
	}
}

// next returns the next event of type typ, skipping others.
func (s *socket) next(t *testing.T, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-s.events:
			if ev.Type == typ {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within %v", typ, wait)
		}
	}
}
