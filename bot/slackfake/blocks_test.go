package slackfake_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

func TestBlockKitLimits(t *testing.T) {
	section := func(n int) string {
		return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, strings.Repeat("a", n))
	}
	button := func(text, actionID, value string) string {
		return fmt.Sprintf(`{"type":"button","text":{"type":"plain_text","text":%q},"action_id":%q,"value":%q}`, text, actionID, value)
	}
	list := func(n int, item string) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	ctxText := `{"type":"mrkdwn","text":"x"}`
	field := func(n int) string { return fmt.Sprintf(`{"type":"mrkdwn","text":%q}`, strings.Repeat("f", n)) }

	tests := []struct {
		name   string
		blocks string
		text   string
		want   string // error code; "" means accepted
		ptr    string // json-pointer expected in the reasons
	}{
		{"section at 3000", "[" + section(3000) + "]", "", "", ""},
		{"section over 3000", "[" + section(3001) + "]", "", "invalid_blocks", "/blocks/0/text/text"},
		{"empty section text", "[" + section(0) + "]", "", "invalid_blocks", "/blocks/0/text/text"},
		{"50 blocks", "[" + list(50, `{"type":"divider"}`) + "]", "", "", ""},
		{"51 blocks", "[" + list(51, `{"type":"divider"}`) + "]", "", "invalid_blocks", "/blocks"},
		{"unknown block type", `[{"type":"sectoin"}]`, "", "invalid_blocks", "/blocks/0/type"},
		{"header over 150", fmt.Sprintf(`[{"type":"header","text":{"type":"plain_text","text":%q}}]`, strings.Repeat("h", 151)), "", "invalid_blocks", "/blocks/0/text/text"},
		{"header in mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "", "invalid_blocks", "/blocks/0/text/type"},
		{"button text over 75", `[{"type":"actions","elements":[` + button(strings.Repeat("b", 76), "a", "v") + `]}]`, "", "invalid_blocks", "/blocks/0/elements/0/text/text"},
		{"button value over 2000", `[{"type":"actions","elements":[` + button("b", "a", strings.Repeat("v", 2001)) + `]}]`, "", "invalid_blocks", "/blocks/0/elements/0/value"},
		{"action_id over 255", `[{"type":"actions","elements":[` + button("b", strings.Repeat("a", 256), "v") + `]}]`, "", "invalid_blocks", "/blocks/0/elements/0/action_id"},
		{"duplicate action_id", `[{"type":"actions","elements":[` + button("b", "a", "v") + "," + button("c", "a", "w") + `]}]`, "", "invalid_blocks", "/blocks/0/elements/1/action_id"},
		{"block_id over 255", fmt.Sprintf(`[{"type":"divider","block_id":%q}]`, strings.Repeat("i", 256)), "", "invalid_blocks", "/blocks/0/block_id"},
		{"duplicate block_id", `[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]`, "", "invalid_blocks", "/blocks/1/block_id"},
		{"25 actions", `[{"type":"actions","elements":[` + list(25, button("b", "", "v")) + `]}]`, "", "", ""},
		{"26 actions", `[{"type":"actions","elements":[` + list(26, button("b", "", "v")) + `]}]`, "", "invalid_blocks", "/blocks/0/elements"},
		{"11 context elements", `[{"type":"context","elements":[` + list(11, ctxText) + `]}]`, "", "invalid_blocks", "/blocks/0/elements"},
		{"10 fields of 2000", `[{"type":"section","fields":[` + list(10, field(2000)) + `]}]`, "", "", ""},
		{"11 fields", `[{"type":"section","fields":[` + list(11, field(1)) + `]}]`, "", "invalid_blocks", "/blocks/0/fields"},
		{"field over 2000", `[{"type":"section","fields":[` + field(2001) + `]}]`, "", "invalid_blocks", "/blocks/0/fields/0/text"},
		{"blocks not JSON", `[{"type":`, "", "invalid_blocks_format", ""},
		{"text at 40000", "", strings.Repeat("t", 40000), "", ""},
		{"text over 40000", "", strings.Repeat("t", 40001), "msg_too_long", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slackfake.New(t)
			got := postForm(t, fake, url.Values{"channel": {"C1"}, "blocks": {tt.blocks}, "text": {firstNonEmpty(tt.text, "fallback")}})
			if got.Error != tt.want {
				t.Fatalf("error = %q (%v), want %q", got.Error, got.Errors, tt.want)
			}
			if tt.ptr != "" && !strings.Contains(strings.Join(got.Errors, "\n"), "[json-pointer:"+tt.ptr+"]") {
				t.Fatalf("reasons %q do not point at %s", got.Errors, tt.ptr)
			}
			if v := fake.Violations(); (tt.want == "") != (len(v) == 0) {
				t.Fatalf("violations = %q for error %q", v, tt.want)
			}
		})
	}
}

// The real client sees Slack's invalid_blocks error with its reasons.
func TestOverLimitBlocksRejectedForSlackGo(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	long := slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", 3001), false, false)
	_, _, err := api.PostMessage("C1", slack.MsgOptionBlocks(slack.NewSectionBlock(long, nil, nil)))
	var e slack.SlackErrorResponse
	if !errors.As(err, &e) || e.Err != "invalid_blocks" || len(e.ResponseMetadata.Messages) != 1 {
		t.Fatalf("err = %#v, want invalid_blocks with one message", err)
	}
	if want := "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"; e.ResponseMetadata.Messages[0] != want {
		t.Fatalf("message = %q, want %q", e.ResponseMetadata.Messages[0], want)
	}
	if v := fake.Violations(); len(v) != 1 || !strings.HasPrefix(v[0], "chat.postMessage: invalid_blocks") {
		t.Fatalf("violations = %q", v)
	}
}

type slackReply struct {
	OK     bool     `json:"ok"`
	Error  string   `json:"error"`
	Errors []string `json:"errors"`
}

// postForm posts chat.postMessage the way slack-go does: a form with the
// token in the body and blocks as a JSON string.
func postForm(t *testing.T, fake *slackfake.Server, v url.Values) slackReply {
	t.Helper()
	v.Set("token", slackfake.BotToken)
	resp, err := http.PostForm(fake.APIURL()+"chat.postMessage", v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r slackReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestHomeTabAllowsAHundredBlocks(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	publish := func(n int) error {
		blocks := make([]slack.Block, n)
		for i := range blocks {
			blocks[i] = slack.NewDividerBlock()
		}
		_, err := api.PublishView("U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}, "")
		return err
	}
	if err := publish(100); err != nil {
		t.Fatalf("100 blocks: %v", err)
	}
	var e slack.SlackErrorResponse
	if err := publish(101); !errors.As(err, &e) || !strings.Contains(e.ResponseMetadata.Messages[0], "[json-pointer:/view/blocks]") {
		t.Fatalf("101 blocks: %#v", err)
	}
}

// recordingTB captures what the fake reports at cleanup.
type recordingTB struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

func TestStrictFailsTheTestOnViolations(t *testing.T) {
	rec := &recordingTB{TB: t}
	fake := slackfake.New(rec, slackfake.WithStrict())
	postForm(t, fake, url.Values{"channel": {"C1"}, "blocks": {`[{"type":"nope"}]`}})
	for _, f := range rec.cleanups {
		f()
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "unsupported block type") {
		t.Fatalf("errors at cleanup = %q", rec.errs)
	}
}
