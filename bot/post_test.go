package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Every way Slack (the fake) can fail a chat.postMessage comes back from poster as an error the
// replier classifies right: waits for Retry-After, retries what is transient, gives up on what
// is not, and keeps Slack's reasons for the log.
func TestPosterFailuresClassified(t *testing.T) {
	cases := []struct {
		name          string
		fail          func(*slackfake.Server)
		wantTransient bool
		wantWait      time.Duration // 0: any back-off
		wantInError   string
	}{
		{"429 with Retry-After", func(f *slackfake.Server) { f.RateLimit("chat.postMessage", 1, 7*time.Second) }, true, 7 * time.Second, "retry after 7s"},
		{"503 with an HTML page", func(f *slackfake.Server) { f.Outage("chat.postMessage", time.Hour, slackfake.ServerError) }, true, 0, "503"},
		{"HTML page on 200", func(f *slackfake.Server) { f.Outage("chat.postMessage", time.Hour, slackfake.HTMLPage) }, true, 0, "invalid character '<'"},
		{"JSON body cut short", func(f *slackfake.Server) { f.Outage("chat.postMessage", time.Hour, slackfake.TruncatedBody) }, true, 0, "unexpected EOF"},
		{"internal_error", func(f *slackfake.Server) { f.FailNext("chat.postMessage", "internal_error", 1) }, true, 0, "internal_error"},
		{"channel_not_found", func(f *slackfake.Server) { f.FailNext("chat.postMessage", "channel_not_found", 1) }, false, 0, "channel_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := slackfake.New(t)
			c.fail(fake)
			_, err := newPoster(fake.APIURL(), slackfake.BotToken, http.DefaultClient).post(context.Background(), "C1", "", Message{Text: "hi"})
			if err == nil || !strings.Contains(err.Error(), c.wantInError) {
				t.Fatalf("error %v, want one saying %q", err, c.wantInError)
			}
			wait, transient := retryDelay(err, time.Millisecond)
			if transient != c.wantTransient || (c.wantWait != 0 && wait != c.wantWait) {
				t.Fatalf("%v: retried %v after %s, want retried %v (after %s)", err, transient, wait, c.wantTransient, c.wantWait)
			}
		})
	}
}

// A post Slack accepts returns the message's ts, and the request is what Slack wants: the bot
// token as a bearer token, the thread, the blocks, and no unfurling.
func TestPosterPostsAsSlackExpects(t *testing.T) {
	fake := slackfake.New(t, slackfake.WithStrict())
	msg := Message{Text: "A pod is a group of containers.", Blocks: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*A pod* is a group of containers.", false, false), nil, nil),
	}}
	ts, err := newPoster(fake.APIURL(), slackfake.BotToken, http.DefaultClient).post(context.Background(), "C1", "1700000000.000001", msg)
	if err != nil {
		t.Fatal(err)
	}
	call := fake.Calls("chat.postMessage")[0]
	if !call.OK() || ts == "" || ts != call.TS || call.ThreadTS != "1700000000.000001" || call.Text != msg.Text ||
		!strings.Contains(string(call.Blocks), "*A pod* is a group") {
		t.Fatalf("posted %s with ts %q", call, ts)
	}
	if call.Params.Get("unfurl_links") != "false" || call.Params.Get("unfurl_media") != "false" {
		t.Fatalf("unfurling not turned off: %v", call.Params)
	}
}

// Slack's reasons for refusing blocks (invalid_blocks) reach the error, and so the log.
func TestPosterKeepsSlacksReasons(t *testing.T) {
	fake := slackfake.New(t)
	msg := Message{Text: "x", Blocks: []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("long ", 40), false, false))}}
	_, err := newPoster(fake.APIURL(), slackfake.BotToken, http.DefaultClient).post(context.Background(), "C1", "", msg)
	var slackErr slack.SlackErrorResponse
	if !errors.As(err, &slackErr) || slackErr.Err != "invalid_blocks" || !strings.Contains(err.Error(), "[ERROR]") {
		t.Fatalf("error %v, want invalid_blocks with Slack's messages", err)
	}
	if _, transient := retryDelay(err, time.Millisecond); transient {
		t.Fatal("invalid_blocks retried: it fails the same way every time")
	}
}

// Answers Slack does not document but a proxy might give: a 429 without Retry-After is retried
// after the back-off; ok false without an error code is an error, not a post.
func TestPosterOddAnswers(t *testing.T) {
	cases := []struct {
		name          string
		status        int
		body          string
		wantTransient bool
	}{
		{"429 without Retry-After", http.StatusTooManyRequests, `{"ok":false,"error":"ratelimited"}`, true},
		{"ok false, no error code", http.StatusOK, `{"ok":false}`, false},
		{"empty 200", http.StatusOK, ``, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			_, err := newPoster(srv.URL+"/api/", slackfake.BotToken, srv.Client()).post(context.Background(), "C1", "", Message{Text: "hi"})
			if err == nil {
				t.Fatal("no error")
			}
			if wait, transient := retryDelay(err, 3*time.Second); transient != c.wantTransient || (transient && wait > 3*time.Second) {
				t.Fatalf("%v: retried %v after %s, want retried %v after the back-off", err, transient, wait, c.wantTransient)
			}
		})
	}
}

// BenchmarkPost posts a real answer (about 3 KB of blocks) to the fake, which echoes the message
// back as Slack does, through slack-go and through poster:
// `go test ./bot -run '^$' -bench BenchmarkPost -benchmem`.
func BenchmarkPost(b *testing.B) {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(entries)
	if err != nil {
		b.Fatal(err)
	}
	msg := AnswerMessage(ix.Answer("what is the difference between docker and kubernetes"), MessageOptions{})
	fake := slackfake.New(b)
	client := newHTTPClient(1)
	ctx := context.Background()
	b.Run("slack-go PostMessageContext", func(b *testing.B) {
		api := slack.New(slackfake.BotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionHTTPClient(client))
		for b.Loop() {
			if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...),
				slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl(), slack.MsgOptionTS("1700000000.000001")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("poster", func(b *testing.B) {
		p := newPoster(fake.APIURL(), slackfake.BotToken, client)
		for b.Loop() {
			if _, err := p.post(ctx, "C1", "1700000000.000001", msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
