package slackfake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// answerModal is a modal with one text input, as an app opens it.
func answerModal(initial string) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(nil, "answer_text")
	input.InitialValue = initial
	input.Multiline = true
	input.MaxLength = 3000
	block := slack.NewInputBlock("answer", slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false), nil, input)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "dvk_answer", PrivateMetadata: `{"pending":"C1/1.1"}`,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{block}},
	}
}

// A message shortcut gives a trigger_id; views.open takes it once; the submission carries the
// view back with what the person typed, and the app's ack answers it.
func TestShortcutModalSubmissionRoundTrip(t *testing.T) {
	clock := slackfake.NewClock()
	fake := slackfake.New(t, slackfake.WithClock(clock))
	sock := runSocket(t, fake)
	api := newAPI(t, fake)
	fake.SendMessageAction(t, slackfake.MessageAction{CallbackID: "dvk_save_answer", ChannelID: "C1",
		MessageTS: "1700000001.000100", ThreadTS: "1700000000.000100", Author: "U0EXPERT", Text: "*Use* `docker image prune`"})
	ev := sock.next(t, socketmode.EventTypeInteractive)
	cb := ev.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "dvk_save_answer" || cb.Channel.ID != "C1" ||
		cb.Message.Text != "*Use* `docker image prune`" || cb.Message.ThreadTimestamp != "1700000000.000100" || cb.TriggerID == "" {
		t.Fatalf("message action = %+v", cb)
	}
	opened, err := api.OpenViewContext(context.Background(), cb.TriggerID, answerModal("prefilled"))
	if err != nil || opened.ID == "" || opened.CallbackID != "dvk_answer" {
		t.Fatalf("views.open = %+v, %v", opened, err)
	}
	if _, err := api.OpenViewContext(context.Background(), cb.TriggerID, answerModal("")); errString(err) != "exchanged_trigger_id" {
		t.Fatalf("a trigger_id used twice: err = %v, want exchanged_trigger_id", err)
	}
	view := fake.WaitViews(t, 1, wait)[0]
	if view.Inputs["answer"].InitialValue != "prefilled" || view.PrivateMetadata != `{"pending":"C1/1.1"}` {
		t.Fatalf("view kept = %+v", view)
	}

	env := fake.SendViewSubmission(t, slackfake.ViewSubmission{View: view, UserID: "U0EXPERT", Values: map[string]string{"answer": "edited"}})
	sub := sock.next(t, socketmode.EventTypeInteractive)
	got := sub.Data.(slack.InteractionCallback)
	if got.Type != slack.InteractionTypeViewSubmission || got.View.CallbackID != "dvk_answer" || got.User.ID != "U0EXPERT" ||
		got.View.PrivateMetadata != view.PrivateMetadata || got.View.State.Values["answer"]["answer_text"].Value != "edited" {
		t.Fatalf("view submission = %+v", got)
	}
	errs := map[string]any{"response_action": "errors", "errors": map[string]string{"answer": "too short"}}
	if err := sock.client.Ack(*sub.Request, errs); err != nil {
		t.Fatal(err)
	}
	if ack := fake.WaitAck(t, env, wait); !strings.Contains(string(ack.Payload), `"response_action":"errors"`) {
		t.Fatalf("ack payload = %s", ack.Payload)
	}
	// Expired triggers are refused on a simulated clock, where time moves only when told to.
	fake.SendMessageAction(t, slackfake.MessageAction{CallbackID: "dvk_save_answer", MessageTS: "1700000002.000100"})
	late := sock.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	clock.Advance(4 * time.Second)
	if _, err := api.OpenViewContext(context.Background(), late.TriggerID, answerModal("")); errString(err) != "expired_trigger_id" {
		t.Fatalf("a trigger_id 4 s old: err = %v, want expired_trigger_id", err)
	}
	if v := fake.Violations(); len(v) != 2 {
		t.Fatalf("violations = %q, want the reused and the expired trigger", v)
	}
}

// views.open checks a modal against Slack's limits.
func TestModalLimits(t *testing.T) {
	long := strings.Repeat("x", 3001)
	tests := []struct {
		name   string
		modify func(*slack.ModalViewRequest)
		want   string
	}{
		{"title over 24", func(m *slack.ModalViewRequest) { m.Title.Text = strings.Repeat("t", 25) }, "/view/title/text"},
		{"inputs without submit", func(m *slack.ModalViewRequest) { m.Submit = nil }, "/view/submit"},
		{"metadata over 3000", func(m *slack.ModalViewRequest) { m.PrivateMetadata = long }, "/view/private_metadata"},
		{"initial value over max_length", func(m *slack.ModalViewRequest) {
			m.Blocks.BlockSet[0].(*slack.InputBlock).Element.(*slack.PlainTextInputBlockElement).InitialValue = long
		}, "/view/blocks/0/element/initial_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slackfake.New(t)
			sock := runSocket(t, fake)
			fake.SendMessageAction(t, slackfake.MessageAction{CallbackID: "x", MessageTS: "1700000001.000100"})
			cb := sock.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
			m := answerModal("")
			tt.modify(&m)
			if _, err := newAPI(t, fake).OpenViewContext(context.Background(), cb.TriggerID, m); err == nil {
				t.Fatal("views.open accepted it")
			}
			if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], tt.want) {
				t.Fatalf("violations = %q, want one at %s", v, tt.want)
			}
		})
	}
}

// Two processes of one app: Slack gives each envelope to one connection, the test picks which,
// and a redelivered event can reach both.
func TestEnvelopesToAChosenConnectionOrToAll(t *testing.T) {
	fake := slackfake.New(t)
	first := runSocket(t, fake)
	first.next(t, socketmode.EventTypeHello)
	second := runSocket(t, fake)
	second.next(t, socketmode.EventTypeHello)
	fake.WaitOpen(t, 2, wait)

	fake.DeliverTo(1)
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U1", "to the first", fake.NextTS(), ""))
	if got := mentionText(t, first); got != "to the first" {
		t.Fatalf("first connection got %q", got)
	}
	fake.DeliverTo(2)
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U1", "to the second", fake.NextTS(), ""))
	if got := mentionText(t, second); got != "to the second" {
		t.Fatalf("second connection got %q", got)
	}
	fake.DeliverTo(0)
	envs := fake.SendEventsAPIToAll(t, slackfake.AppMention("C1", "U1", "to both", fake.NextTS(), ""), slackfake.Delivery{EventID: "Ev0BOTH"})
	if len(envs) != 2 || envs[0] == envs[1] {
		t.Fatalf("envelopes = %q, want one per connection", envs)
	}
	for _, sock := range []*socket{first, second} {
		ev := sock.next(t, socketmode.EventTypeEventsAPI)
		if cb := ev.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent); cb.EventID != "Ev0BOTH" {
			t.Fatalf("event id = %q", cb.EventID)
		}
	}
}

func mentionText(t *testing.T, s *socket) string {
	t.Helper()
	ev := s.next(t, socketmode.EventTypeEventsAPI)
	return ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent).Text
}

func TestPermalinkAndPostToAUser(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	link, err := api.GetPermalinkContext(context.Background(), &slack.PermalinkParameters{Channel: "C1", Ts: "1700000000.000100"})
	if err != nil || link != "https://fake.slack.com/archives/C1/p1700000000000100" {
		t.Fatalf("permalink = %q, %v", link, err)
	}
	if _, err := api.GetPermalinkContext(context.Background(), &slack.PermalinkParameters{Channel: "X1", Ts: "1.1"}); errString(err) != "channel_not_found" {
		t.Fatalf("permalink of an unknown channel: %v", err)
	}
	channel, _, err := api.PostMessage("U0ALICE", slack.MsgOptionText("hello", false))
	if err != nil || channel != "D0ALICE" {
		t.Fatalf("a post to a user went to %q (%v), want their DM with the app", channel, err)
	}
}
