package slackfake_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

func TestHelloAndEventsAPIRoundTrip(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)

	hello := sock.next(t, socketmode.EventTypeHello)
	if hello.Request.ConnectionInfo.AppID != slackfake.AppID || hello.Request.NumConnections != 1 {
		t.Fatalf("hello = %+v", hello.Request)
	}
	ts := fake.NextTS()
	env := fake.SendEventsAPI(t, slackfake.AppMention("C1", "U1", "<@U0DVKBOT> what is a pod?", ts, ""))

	ev := sock.next(t, socketmode.EventTypeEventsAPI)
	outer := ev.Data.(slackevents.EventsAPIEvent)
	mention, ok := outer.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.Channel != "C1" || mention.User != "U1" || mention.TimeStamp != ts || ev.Request.EnvelopeID != env {
		t.Fatalf("event = %#v", outer.InnerEvent.Data)
	}
	if err := sock.client.Ack(*ev.Request, map[string]string{"text": "got it"}); err != nil {
		t.Fatal(err)
	}
	ack := fake.WaitAck(t, env, wait)
	if string(ack.Payload) != `{"text":"got it"}` || ack.Latency <= 0 {
		t.Fatalf("ack = %+v", ack)
	}
	if v := fake.Violations(); len(v) != 0 {
		t.Fatalf("violations: %q", v)
	}
}

// Every inner event builder must parse in slack-go as the type a bot expects.
func TestInnerEventBuildersParseInSlackGo(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	tests := []struct {
		name  string
		event map[string]any
		check func(any) bool
	}{
		{"mention in thread", slackfake.AppMention("C1", "U1", "hi <@U0DVKBOT>!", "1700000001.000100", "1700000000.000100"),
			func(d any) bool {
				e, ok := d.(*slackevents.AppMentionEvent)
				return ok && e.ThreadTimeStamp == "1700000000.000100"
			}},
		{"DM", slackfake.Message("D1", "im", "U1", "what is k8s", "1700000001.000200", ""),
			func(d any) bool {
				e, ok := d.(*slackevents.MessageEvent)
				return ok && e.ChannelType == "im" && e.BotID == ""
			}},
		{"other bot", slackfake.BotMessage("D1", "im", "B0OTHER", "beep", "1700000001.000300", ""),
			func(d any) bool {
				e, ok := d.(*slackevents.MessageEvent)
				return ok && e.SubType == "bot_message" && e.BotID == "B0OTHER"
			}},
		{"own message", slackfake.OwnMessage("D1", "im", "answer", "1700000001.000400", ""),
			func(d any) bool {
				e, ok := d.(*slackevents.MessageEvent)
				return ok && e.User == slackfake.BotUserID && e.BotID == slackfake.BotID
			}},
		{"home opened", slackfake.AppHomeOpened("U1"),
			func(d any) bool {
				e, ok := d.(*slackevents.AppHomeOpenedEvent)
				return ok && e.User == "U1" && e.Tab == "home"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fake.SendEventsAPI(t, tt.event)
			ev := sock.next(t, socketmode.EventTypeEventsAPI)
			if data := ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data; ev.Request.EnvelopeID != env || !tt.check(data) {
				t.Fatalf("got %#v", data)
			}
			sock.client.Ack(*ev.Request)
			fake.WaitAck(t, env, wait)
		})
	}
}

func TestRetriedDeliveryKeepsEventID(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	event := slackfake.Message("D1", "im", "U1", "hello", fake.NextTS(), "")
	fake.SendEventsAPI(t, event, slackfake.Delivery{EventID: "Ev0RETRY"})
	fake.SendEventsAPI(t, event, slackfake.Delivery{EventID: "Ev0RETRY", RetryAttempt: 1, RetryReason: "timeout"})

	for attempt := range 2 {
		ev := sock.next(t, socketmode.EventTypeEventsAPI)
		cb := ev.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
		if cb.EventID != "Ev0RETRY" || ev.Request.RetryAttempt != attempt {
			t.Fatalf("delivery %d: event_id %q retry_attempt %d", attempt, cb.EventID, ev.Request.RetryAttempt)
		}
	}
}

func TestSlashCommandAndResponseURL(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	env := fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "what is a pod"})

	ev := sock.next(t, socketmode.EventTypeSlashCommand)
	cmd := ev.Data.(slack.SlashCommand)
	if cmd.Command != "/dvk" || cmd.Text != "what is a pod" || cmd.UserID != slackfake.DefaultUserID ||
		!strings.HasPrefix(cmd.ResponseURL, strings.TrimSuffix(fake.APIURL(), "/api/")) || !ev.Request.AcceptsResponsePayload {
		t.Fatalf("slash command = %+v", cmd)
	}
	sock.client.Ack(*ev.Request)
	fake.WaitAck(t, env, wait)

	_, _, err := newAPI(t, fake).PostMessage("", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("A pod is…", false))
	if err != nil {
		t.Fatal(err)
	}
	got := fake.WaitCalls(t, "response_url", 1, wait)[0]
	if got.Channel != slackfake.DefaultChannelID || got.User != slackfake.DefaultUserID || got.Text != "A pod is…" {
		t.Fatalf("response_url call = %+v", got)
	}
}

func TestBlockActionCarriesTheBotMessage(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	btn := slack.NewButtonBlockElement("helpful", "difference-scaling", slack.NewTextBlockObject(slack.PlainTextType, "Helpful", false, false))
	_, ts, err := newAPI(t, fake).PostMessage("C1", slack.MsgOptionText("answer", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("feedback", btn)))
	if err != nil {
		t.Fatal(err)
	}
	fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C1", MessageTS: ts, ActionID: "helpful", BlockID: "feedback", Value: "difference-scaling"})

	cb := sock.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	act := cb.ActionCallback.BlockActions
	if cb.Type != slack.InteractionTypeBlockActions || len(act) != 1 || act[0].ActionID != "helpful" ||
		act[0].Value != "difference-scaling" || cb.Message.Timestamp != ts || cb.Container.ChannelID != "C1" ||
		len(cb.Message.Blocks.BlockSet) != 1 || cb.ResponseURL == "" {
		t.Fatalf("callback = %+v", cb)
	}
}

func TestReconnects(t *testing.T) {
	tests := []struct {
		name   string
		opts   []slackfake.Option
		client []socketmode.Option
		cause  func(*testing.T, *slackfake.Server)
	}{
		{"disconnect frame", nil, nil, func(t *testing.T, f *slackfake.Server) { f.Disconnect(t, "") }},
		{"dropped TCP", nil, nil, func(t *testing.T, f *slackfake.Server) { f.DropConnection(t) }},
		{"no pings", []slackfake.Option{slackfake.WithPingInterval(0)},
			[]socketmode.Option{socketmode.OptionPingInterval(300 * time.Millisecond)}, func(*testing.T, *slackfake.Server) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slackfake.New(t, tt.opts...)
			sock := runSocket(t, fake, tt.client...)
			fake.WaitConnections(t, 1, wait)
			tt.cause(t, fake)
			fake.WaitConnections(t, 2, wait)

			env := fake.SendEventsAPI(t, slackfake.AppHomeOpened("U1"))
			ev := sock.next(t, socketmode.EventTypeEventsAPI)
			sock.client.Ack(*ev.Request)
			fake.WaitAck(t, env, wait)
		})
	}
}

func TestPingsKeepTheClientConnected(t *testing.T) {
	// The client gives up after 2s without a ping; 30 pings 100ms apart outlast that, however
	// slowly the machine runs, since each pong proves the connection was alive then.
	fake := slackfake.New(t, slackfake.WithPingInterval(100*time.Millisecond))
	runSocket(t, fake, socketmode.OptionPingInterval(2*time.Second))
	fake.WaitConnections(t, 1, wait)
	fake.WaitPongs(t, 30, wait)
	if n := fake.Connections(); n != 1 {
		t.Fatalf("%d connections, want 1: pings did not keep it alive", n)
	}
}

func TestGarbageFramesDoNotBreakTheConnection(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	fake.WaitConnections(t, 1, wait)
	fake.SendRaw(t, "not json")
	fake.SendRaw(t, `{"type":"mystery","envelope_id":"x"}`)
	sock.next(t, socketmode.EventTypeErrorBadMessage)

	env := fake.SendEventsAPI(t, slackfake.AppHomeOpened("U1"))
	ev := sock.next(t, socketmode.EventTypeEventsAPI)
	sock.client.Ack(*ev.Request)
	fake.WaitAck(t, env, wait)
	if n := fake.Connections(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

func TestAckViolations(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	env := fake.SendEventsAPI(t, slackfake.AppHomeOpened("U1"))
	ev := sock.next(t, socketmode.EventTypeEventsAPI)
	sock.client.Ack(*ev.Request)
	sock.client.Ack(*ev.Request)
	sock.client.Ack(socketmode.Request{EnvelopeID: "never-sent"})
	fake.WaitAck(t, env, wait)

	got := strings.Join(fake.WaitViolations(t, 2, wait), "\n")
	if !strings.Contains(got, "acked twice") || !strings.Contains(got, "never sent") {
		t.Fatalf("violations = %q", got)
	}
}

func TestRawInnerEventPassesThrough(t *testing.T) {
	fake := slackfake.New(t)
	sock := runSocket(t, fake)
	// Valid JSON that slack-go cannot parse as a message: since v0.34 it
	// arrives as a bad message the bot must still ack, or Slack redelivers it.
	fake.SendEventsAPI(t, json.RawMessage(`{"type":"message","text":42}`))
	bad := sock.next(t, socketmode.EventTypeErrorBadMessage).Data.(*socketmode.ErrorBadMessage)
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if err := json.Unmarshal(bad.Message, &env); err != nil || env.EnvelopeID == "" {
		t.Fatalf("raw message %s: %v", bad.Message, err)
	}
}

// Everything the fake and the clients start is gone after cleanup.
func TestNoGoroutinesOutliveCleanup(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("session", func(t *testing.T) {
		fake := slackfake.New(t, slackfake.WithPingInterval(20*time.Millisecond))
		sock := runSocket(t, fake)
		env := fake.SendEventsAPI(t, slackfake.AppHomeOpened("U1"))
		sock.client.Ack(*sock.next(t, socketmode.EventTypeEventsAPI).Request)
		fake.WaitAck(t, env, wait)
		fake.Disconnect(t, "warning")
		fake.WaitConnections(t, 2, wait)
	})
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after cleanup, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
