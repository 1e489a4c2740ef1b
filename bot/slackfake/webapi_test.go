package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

var tsRE = regexp.MustCompile(`^\d{10}\.\d{6}$`)

func TestTokensAreCheckedLikeSlack(t *testing.T) {
	fake := slackfake.New(t)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"no token", func() error { _, err := newAPIWithToken(t, fake, "").AuthTest(); return err }, "not_authed"},
		{"wrong token", func() error { _, err := newAPIWithToken(t, fake, "xoxb-other").AuthTest(); return err }, "invalid_auth"},
		{"app token on a bot method", func() error {
			_, err := newAPIWithToken(t, fake, slackfake.AppToken).AuthTest()
			return err
		}, "not_allowed_token_type"},
		{"bot token on apps.connections.open", func() error {
			api := newAPI(t, fake, slack.OptionAppLevelToken(slackfake.BotToken))
			_, _, err := api.StartSocketModeContext(context.Background())
			return err
		}, "not_allowed_token_type"},
		{"right tokens", func() error {
			_, _, err := newAPI(t, fake).StartSocketModeContext(context.Background())
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := errString(err); got != tt.want {
				t.Fatalf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnknownMethod(t *testing.T) {
	fake := slackfake.New(t)
	resp, err := http.PostForm(fake.APIURL()+"chat.postMesage", url.Values{"token": {slackfake.BotToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK        bool   `json:"ok"`
		Error     string `json:"error"`
		ReqMethod string `json:"req_method"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.OK || body.Error != "unknown_method" || body.ReqMethod != "chat.postMesage" {
		t.Fatalf("got %+v, want unknown_method for chat.postMesage", body)
	}
}

func TestAuthTestReportsTheBot(t *testing.T) {
	fake := slackfake.New(t)
	got, err := newAPI(t, fake).AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != slackfake.BotUserID || got.BotID != slackfake.BotID || got.TeamID != slackfake.TeamID {
		t.Fatalf("auth.test = %+v", got)
	}
}

func TestPostMessageIsRecordedAndAnsweredLikeSlack(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	blocks := slack.MsgOptionBlocks(
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Pods", false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "A *pod* is…", false, false), nil, nil),
	)
	var last string
	for i := range 3 {
		channel, ts, err := api.PostMessage("C1", blocks, slack.MsgOptionText("A pod is…", false),
			slack.MsgOptionTS("1700000000.000001"), slack.MsgOptionDisableLinkUnfurl())
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if channel != "C1" || !tsRE.MatchString(ts) || ts <= last {
			t.Fatalf("post %d: channel %q ts %q (previous %q)", i, channel, ts, last)
		}
		last = ts
	}
	call := fake.WaitCalls(t, "chat.postMessage", 3, wait)[2]
	if call.Channel != "C1" || call.ThreadTS != "1700000000.000001" || call.Text != "A pod is…" ||
		call.TS != last || call.Token != slackfake.BotToken || call.Params.Get("unfurl_links") != "false" {
		t.Fatalf("recorded %+v", call)
	}
	var got slack.Blocks
	if err := json.Unmarshal(call.Blocks, &got); err != nil || len(got.BlockSet) != 2 {
		t.Fatalf("recorded blocks %s: %v", call.Blocks, err)
	}
}

func TestEphemeralUpdateAndViews(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("first", false))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"ephemeral", func() error {
			ets, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("only you", false))
			if err == nil && !tsRE.MatchString(ets) {
				t.Errorf("message_ts %q", ets)
			}
			return err
		}, ""},
		{"update own message", func() error {
			_, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("edited", false))
			return err
		}, ""},
		{"update unknown message", func() error {
			_, _, _, err := api.UpdateMessage("C1", "1600000000.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"publish home", func() error {
			view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
			resp, err := api.PublishView("U1", view, "")
			if err == nil && (resp.View.Type != slack.VTHomeTab || len(resp.View.Blocks.BlockSet) != 1) {
				t.Errorf("view %+v", resp.View)
			}
			return err
		}, ""},
		{"post nothing", func() error { _, _, err := api.PostMessage("C1"); return err }, "no_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errString(tt.call()); got != tt.want {
				t.Fatalf("error = %q, want %q", got, tt.want)
			}
		})
	}
	if c := fake.Calls("views.publish")[0]; c.User != "U1" || len(c.Blocks) == 0 || c.Token != slackfake.BotToken {
		t.Fatalf("views.publish recorded as %+v", c)
	}
}

func TestRateLimitReturnsRateLimitedError(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	fake.RateLimit("chat.postMessage", 1, 1500*time.Millisecond)

	_, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("first post: err = %v, want RateLimitedError after 2s (rounded up)", err)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("second post: %v", err)
	}
	calls := fake.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || !calls[1].OK() {
		t.Fatalf("calls = %v", calls)
	}
	if got := fake.WaitCalls(t, "chat.postMessage", 1, wait); len(got) != 1 {
		t.Fatalf("accepted calls = %v, want the retry only", got)
	}
}

// slack-go's optional retry waits Retry-After (at least 1s) and resends.
func TestRateLimitWithSlackGoRetry(t *testing.T) {
	fake := slackfake.New(t)
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries, cfg.RetryAfterJitter = 1, 0
	api := newAPI(t, fake, slack.OptionRetryConfig(cfg))
	fake.RateLimit("chat.postMessage", 1, 0)

	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("post with retry: %v", err)
	}
	calls := fake.Calls("chat.postMessage")
	if len(calls) != 2 || calls[1].Time.Sub(calls[0].Time) < time.Second {
		t.Fatalf("calls = %v, want a 429 then a retry at least 1s later", calls)
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		code string
		want func(error) bool
	}{
		{"channel_not_found", func(err error) bool {
			var e slack.SlackErrorResponse
			return errors.As(err, &e) && e.Err == "channel_not_found"
		}},
		{"503", func(err error) bool {
			var e slack.StatusCodeError
			return errors.As(err, &e) && e.Code == 503
		}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			fake := slackfake.New(t)
			api := newAPI(t, fake)
			fake.FailNext("chat.postMessage", tt.code, 2)
			for i := range 2 {
				if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); !tt.want(err) {
					t.Fatalf("call %d: err = %#v", i, err)
				}
			}
			if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
				t.Fatalf("third call: %v", err)
			}
		})
	}
}

func TestResponseURL(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	u := fake.ResponseURL()
	post := func() error {
		_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(u, slack.ResponseTypeEphemeral),
			slack.MsgOptionText("only you", false))
		return err
	}
	for i := range 5 {
		if err := post(); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if err := post(); errString(err) != "used_url" {
		t.Fatalf("sixth post: %v, want used_url", err)
	}
	c := fake.Calls("response_url")[0]
	if c.ResponseURL != u || c.Params.Get("response_type") != "ephemeral" || c.Text != "only you" {
		t.Fatalf("recorded %+v", c)
	}
}

func newAPIWithToken(t *testing.T, fake *slackfake.Server, token string) *slack.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return slack.New(token, slack.OptionAPIURL(fake.APIURL()), slack.OptionHTTPClient(&http.Client{Transport: tr}))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return strings.TrimSpace(err.Error())
}
