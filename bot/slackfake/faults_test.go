package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// Each kind of outage reaches slack-go as the error a real one would, and ends after its
// duration on the fake's clock.
func TestOutageFailsEachWayUntilItEnds(t *testing.T) {
	cases := []struct {
		name    string
		failure slackfake.Failure
		is      func(error) bool
	}{
		{"server error", slackfake.ServerError, func(err error) bool {
			var e slack.StatusCodeError
			return errors.As(err, &e) && e.Code == 503
		}},
		{"HTML page on 200", slackfake.HTMLPage, func(err error) bool {
			var e *json.SyntaxError
			return errors.As(err, &e)
		}},
		{"truncated body", slackfake.TruncatedBody, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := slackfake.NewClock()
			fake := slackfake.New(t, slackfake.WithClock(clock))
			api := newAPI(t, fake)
			fake.Outage("chat.postMessage", time.Minute, c.failure)
			for _, at := range []time.Duration{0, 59 * time.Second} {
				clock.Advance(at)
				if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); !c.is(err) {
					t.Fatalf("%s into the outage: err = %#v", at, err)
				}
			}
			clock.Advance(time.Second)
			if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
				t.Fatalf("after the outage: %v", err)
			}
			calls := fake.Calls("chat.postMessage")
			if len(calls) != 3 || calls[0].OK() || calls[1].OK() || !calls[2].OK() || !calls[2].Time.Equal(clock.Now()) {
				t.Fatalf("calls = %v, want two failures then one accepted, timed on the fake's clock", calls)
			}
		})
	}
}

func TestClockSleepsWithoutWaiting(t *testing.T) {
	clock := slackfake.NewClock()
	start := clock.Now()
	if err := clock.Sleep(context.Background(), time.Hour); err != nil || clock.Now().Sub(start) != time.Hour {
		t.Fatalf("Sleep(1h): err %v, clock moved %s", err, clock.Now().Sub(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep with a cancelled context: %v", err)
	}
	if got := clock.Slept(); len(got) != 1 || got[0] != time.Hour {
		t.Fatalf("Slept() = %v, want the one completed sleep", got)
	}
}

// conversations.info answers in Slack's shape, which slack-go decodes into the flags a client
// decides on; a private channel may have a C id.
func TestConversationInfoDescribesEachKind(t *testing.T) {
	fake := slackfake.New(t)
	fake.SetChannel("C0SECRET", slackfake.PrivateChannel)
	fake.SetChannel("G0GROUP", slackfake.GroupDM)
	api := newAPI(t, fake)
	cases := []struct {
		id                            string
		channel, private, im, groupDM bool
	}{
		{"C0PUBLIC", true, false, false, false},
		{"C0SECRET", true, true, false, false},
		{"G0OLD", true, true, false, false},
		{"G0GROUP", false, true, false, true},
		{"D0ALICE", false, false, true, false},
	}
	for _, c := range cases {
		info, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: c.id})
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if info.ID != c.id || info.IsChannel != c.channel || info.IsPrivate != c.private || info.IsIM != c.im || info.IsMpIM != c.groupDM {
			t.Errorf("%s: channel %v private %v im %v mpim %v", c.id, info.IsChannel, info.IsPrivate, info.IsIM, info.IsMpIM)
		}
	}
	if _, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "X1"}); errString(err) != "channel_not_found" {
		t.Fatalf("unknown channel: %v", err)
	}
}

// A flapping socket counts every connection it greets and closes; slack-go sees each as a
// connection that opened.
func TestSocketFaultsCloseEachNewConnection(t *testing.T) {
	for _, fault := range []slackfake.SocketFault{slackfake.CloseAfterHello, slackfake.CloseMidFrame} {
		fake := slackfake.New(t)
		fake.SetSocketFault(fault)
		sock := runSocket(t, fake)
		fake.WaitConnections(t, 3, wait)
		for range 2 {
			sock.next(t, socketmode.EventTypeConnected)
		}
		fake.SetSocketFault(slackfake.Steady)
		env := fake.SendEventsAPI(t, slackfake.AppHomeOpened("U1"))
		sock.client.Ack(*sock.next(t, socketmode.EventTypeEventsAPI).Request)
		fake.WaitAck(t, env, wait)
	}
}

// A stalled method holds its calls in flight until released.
func TestStallHoldsCallsUntilReleased(t *testing.T) {
	fake := slackfake.New(t)
	api := newAPI(t, fake)
	release := fake.Stall("chat.postMessage")
	done := make(chan error, 2)
	for range 2 {
		go func() { _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); done <- err }()
	}
	fake.WaitStalled(t, "chat.postMessage", 2, wait)
	if n := len(fake.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d calls answered while stalled", n)
	}
	release()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(wait):
			t.Fatal("released calls did not return")
		}
	}
	fake.WaitCalls(t, "chat.postMessage", 2, wait)
}
