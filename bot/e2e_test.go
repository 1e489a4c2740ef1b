package bot_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/index"
)

func TestMentionAnsweredInThread(t *testing.T) {
	h := start(t)
	ts := h.mention(t, "C1", "<@U0DVKBOT> what is the difference between docker and kubernetes?", "")
	reply := h.replies(t, 1)[0]
	if reply.Channel != "C1" || reply.ThreadTS != ts {
		t.Fatalf("reply in %s thread %q, want C1 thread %q", reply.Channel, reply.ThreadTS, ts)
	}
	if text := blocksText(t, reply.Blocks); !strings.Contains(text, "Kubernetes") || !strings.Contains(text, "Docker") {
		t.Fatalf("answer does not talk about Docker and Kubernetes:\n%s", text)
	}
	if reply.Params.Get("unfurl_links") != "false" || reply.Params.Get("unfurl_media") != "false" {
		t.Fatalf("unfurling not turned off: %v", reply.Params)
	}
}

func TestMentionInThreadAnsweredInThatThread(t *testing.T) {
	h := start(t)
	h.mention(t, "C1", "<@U0DVKBOT> what is a pod", "1700000000.000001")
	if got := h.replies(t, 1)[0].ThreadTS; got != "1700000000.000001" {
		t.Fatalf("thread_ts = %q, want the thread asked in", got)
	}
}

func TestDirectMessageAnsweredInDM(t *testing.T) {
	h := start(t)
	h.fake.SendEventsAPI(t, slackfake.Message("D1", "im", slackfake.DefaultUserID, "what is kubernetes", h.fake.NextTS(), ""))
	reply := h.replies(t, 1)[0]
	if reply.Channel != "D1" || reply.ThreadTS != "" {
		t.Fatalf("reply in %s thread %q, want the DM itself", reply.Channel, reply.ThreadTS)
	}
}

func TestFollowUpKeepsThreadContext(t *testing.T) {
	h := start(t)
	root := h.mention(t, "C1", "<@U0DVKBOT> docker vs kubernetes", "")
	h.replies(t, 1)
	h.mention(t, "C1", "<@U0DVKBOT> what about networking?", root)
	follow := h.replies(t, 2)[1]
	if follow.ThreadTS != root {
		t.Fatalf("follow-up answered outside the thread: %q", follow.ThreadTS)
	}
	if text := blocksText(t, follow.Blocks); !strings.Contains(strings.ToLower(text), "network") || !strings.Contains(text, "Docker") {
		t.Fatalf("follow-up did not answer the networking difference:\n%.400s", text)
	}
}

func TestRetriedEventAnsweredOnce(t *testing.T) {
	h := start(t)
	ev := slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is helm", h.fake.NextTS(), "")
	first := h.fake.SendEventsAPI(t, ev, slackfake.Delivery{EventID: "Ev0RETRY"})
	h.fake.WaitAck(t, first, wait)
	retry := h.fake.SendEventsAPI(t, ev, slackfake.Delivery{EventID: "Ev0RETRY", RetryAttempt: 1, RetryReason: "timeout"})
	h.fake.WaitAck(t, retry, wait)
	h.waitCounter(t, 1, "dvkbot_duplicate_events_total")
	h.replies(t, 1)
	h.settled(t, "chat.postMessage", 1)
}

func TestMentionAndMessageOfOneMessageAnsweredOnce(t *testing.T) {
	h := start(t)
	ts := h.fake.NextTS()
	h.fake.SendEventsAPI(t, slackfake.AppMention("D1", slackfake.DefaultUserID, "<@U0DVKBOT> what is minikube", ts, ""))
	h.fake.SendEventsAPI(t, slackfake.Message("D1", "im", slackfake.DefaultUserID, "<@U0DVKBOT> what is minikube", ts, ""))
	h.waitCounter(t, 1, "dvkbot_duplicate_events_total")
	h.replies(t, 1)
	h.settled(t, "chat.postMessage", 1)
}

func TestOwnAndOtherBotsMessagesIgnored(t *testing.T) {
	h := start(t)
	h.fake.SendEventsAPI(t, slackfake.OwnMessage("D1", "im", "what is docker", h.fake.NextTS(), ""))
	h.fake.SendEventsAPI(t, slackfake.BotMessage("D1", "im", "B0OTHER", "what is docker", h.fake.NextTS(), ""))
	bySlackbot := slackfake.Message("D1", "im", "USLACKBOT", "what is docker", h.fake.NextTS(), "")
	h.fake.SendEventsAPI(t, bySlackbot)
	// Ignoring happens as an envelope is read, before any reply could be queued: once all
	// three are counted, none of them can still be answered.
	h.waitCounter(t, 3, "dvkbot_ignored_events_total")
	if n := len(h.fake.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d replies to bots or to itself", n)
	}
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
	h.settled(t, "chat.postMessage", 1)
}

func TestUndecodableEnvelopeStillAcked(t *testing.T) {
	h := start(t)
	bad := h.fake.SendEventsAPI(t, json.RawMessage(`{"type":"app_mention","text":12,"channel":["x"]}`))
	h.fake.WaitAck(t, bad, wait)
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
}

func TestGarbageFramesDoNotKillTheConnection(t *testing.T) {
	h := start(t)
	for _, frame := range []string{"not json at all", `{"type":"no_such_type"}`, `[]`, `{"envelope_id":5}`} {
		h.fake.SendRaw(t, frame)
	}
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
	if n := h.fake.Connections(); n != 1 {
		t.Fatalf("connections = %d, want the first one kept", n)
	}
}

func TestReconnectsAfterRefreshAndDrop(t *testing.T) {
	h := start(t)
	h.fake.Disconnect(t, "refresh_requested")
	h.fake.WaitConnections(t, 2, wait)
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
	h.fake.DropConnection(t)
	h.fake.WaitConnections(t, 3, wait)
	h.mention(t, "C1", "<@U0DVKBOT> what is kubernetes", "")
	h.replies(t, 2)
	h.waitCounter(t, 2, "dvkbot_socket_reconnects_total")
}

func TestRateLimitedReplyRetriedNotLost(t *testing.T) {
	h := start(t)
	h.fake.RateLimit("chat.postMessage", 2, 7*time.Second)
	h.mention(t, "C1", "<@U0DVKBOT> what is docker swarm", "")
	h.replies(t, 1)
	if got := len(h.fake.Calls("chat.postMessage")); got != 3 {
		t.Fatalf("chat.postMessage tried %d times, want 2 rate-limited + 1 accepted", got)
	}
	if waits := h.clock.Slept(); slices.Index(waits, 7*time.Second) < 0 || len(waits) != 2 || waits[0] != waits[1] {
		t.Fatalf("waits before retrying = %v, want Retry-After's 7s twice", waits)
	}
}

func TestBroadcastMentionsNeverEchoed(t *testing.T) {
	h := start(t)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "<!channel> <!here> @everyone what is a pod"})
	call := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>"} {
		if strings.Contains(string(call.Blocks)+call.Text, bad) {
			t.Fatalf("reply echoes %s:\n%s", bad, call.Blocks)
		}
	}
}

func TestHugeQuestionAnsweredWithinSlackLimits(t *testing.T) {
	h := start(t)
	h.mention(t, "C1", "<@U0DVKBOT> "+strings.Repeat("how do kubernetes services load balance ", 1000), "")
	h.replies(t, 1)
}

func TestBurstAllAnsweredOnce(t *testing.T) {
	h := start(t)
	threads := map[string]bool{}
	for i := 0; i < 50; i++ {
		threads[h.mention(t, "C1", "<@U0DVKBOT> what is the difference between docker and kubernetes", "")] = true
	}
	h.replies(t, 50)
	h.settled(t, "chat.postMessage", 50)
	got := map[string]int{}
	for _, c := range okCalls(h.fake.Calls("chat.postMessage")) {
		got[c.ThreadTS]++
	}
	for ts := range threads {
		if got[ts] != 1 {
			t.Fatalf("thread %s got %d replies, want 1", ts, got[ts])
		}
	}
}

func TestSlashCommandAnswersOnlyTheAsker(t *testing.T) {
	h := start(t)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "what is a daemonset"})
	call := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	if call.Params.Get("response_type") != "ephemeral" {
		t.Fatalf("response_type = %q, want ephemeral", call.Params.Get("response_type"))
	}
	if !strings.Contains(string(call.Blocks), bot.ActionShare) {
		t.Fatalf("no share button:\n%s", call.Blocks)
	}
	if len(h.fake.Calls("chat.postMessage")) != 0 {
		t.Fatal("a slash command answer was posted for everyone")
	}
}

func TestSlashHelpTopicsAndGaps(t *testing.T) {
	h := start(t)
	h.mention(t, "C1", "<@U0DVKBOT> how do I bake sourdough bread", "")
	h.replies(t, 1)
	cases := []struct{ text, want string }{
		{"", "/dvk topics"},
		{"help", "/dvk gaps"},
		{"topics", "Docker Swarm"},
		{"gaps", "sourdough"},
	}
	for i, c := range cases {
		h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: c.text})
		call := h.fake.WaitCalls(t, "response_url", i+1, wait)[i]
		if !strings.Contains(blocksText(t, call.Blocks), c.want) {
			t.Errorf("/dvk %s: reply lacks %q:\n%.600s", c.text, c.want, blocksText(t, call.Blocks))
		}
	}
}

func TestFeedbackButtonThanksAndCounts(t *testing.T) {
	h := start(t)
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	reply := h.replies(t, 1)[0]
	h.fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C1", MessageTS: reply.TS, ActionID: bot.ActionFeedbackUp, Value: "what-is-docker"})
	update := h.fake.WaitCalls(t, "chat.update", 1, wait)[0]
	if update.TS != reply.TS || !strings.Contains(blocksText(t, update.Blocks), "Thanks") {
		t.Fatalf("feedback did not thank on the answered message: %s", update)
	}
	if got := h.counter(t, "dvkbot_feedback_total", "entry", "what-is-docker", "vote", "up"); got != 1 {
		t.Fatalf("feedback counter = %v, want 1", got)
	}
}

func TestRelatedButtonPostsInThread(t *testing.T) {
	h := start(t)
	root := h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	reply := h.replies(t, 1)[0]
	h.fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C1", MessageTS: reply.TS, ThreadTS: root, ActionID: bot.ActionRelated + "_0", Value: "kubernetes-hpa"})
	related := h.replies(t, 2)[1]
	if related.ThreadTS != root || !strings.Contains(blocksText(t, related.Blocks), "Autoscaler") {
		t.Fatalf("related topic not posted in the thread: %s", related)
	}
}

// A long entry's answer shows the parts about the question; its "Read the whole answer" button
// posts the whole entry in the same thread, and privately when the answer was private.
func TestWholeAnswerButtonPostsTheWholeEntry(t *testing.T) {
	h := start(t)
	root := h.mention(t, "C1", "<@U0DVKBOT> docker compose down deleted my database", "")
	reply := h.replies(t, 1)[0]
	whole := oneButton(t, reply.Blocks, bot.ActionWhole)
	if whole.Value != "docker-volumes" || strings.Contains(blocksText(t, reply.Blocks), "Network shares") {
		t.Fatalf("answer is not an excerpt of docker-volumes with a whole-answer button (%s):\n%.600s", whole.Value, blocksText(t, reply.Blocks))
	}
	h.fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C1", MessageTS: reply.TS, ThreadTS: root, ActionID: whole.ActionID, Value: whole.Value})
	posted := h.replies(t, 2)[1]
	if posted.ThreadTS != root || !strings.Contains(blocksText(t, posted.Blocks), "Network shares") || len(buttonsIn(posted.Blocks, bot.ActionWhole)) != 0 {
		t.Fatalf("whole entry not posted in the thread: %s\n%.300s", posted, blocksText(t, posted.Blocks))
	}
	h.waitCounter(t, 1, "dvkbot_answers_total", "outcome", "answered", "source", "whole")

	h.fake.SendBlockAction(t, slackfake.BlockAction{Ephemeral: true, ActionID: bot.ActionWhole, Value: "docker-volumes"})
	private := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	if private.Params.Get("response_type") != "ephemeral" || !strings.Contains(blocksText(t, private.Blocks), "Network shares") {
		t.Fatalf("whole entry of a private answer: response_type %q\n%.300s", private.Params.Get("response_type"), blocksText(t, private.Blocks))
	}
}

func TestShareButtonPostsInChannel(t *testing.T) {
	h := start(t)
	h.fake.SendBlockAction(t, slackfake.BlockAction{Ephemeral: true, ActionID: bot.ActionShare, Value: "what-is-kubernetes"})
	call := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	if call.Params.Get("response_type") != "in_channel" {
		t.Fatalf("shared answer response_type = %q, want in_channel", call.Params.Get("response_type"))
	}
}

func TestAppHomePublished(t *testing.T) {
	h := start(t)
	h.fake.SendEventsAPI(t, slackfake.AppHomeOpened("U0HOME"))
	view := h.fake.WaitCalls(t, "views.publish", 1, wait)[0]
	if view.User != "U0HOME" || !strings.Contains(blocksText(t, view.Blocks), "/dvk") {
		t.Fatalf("home view: %s\n%.300s", view, blocksText(t, view.Blocks))
	}
}

// panicky is an engine that fails on one question, to prove one bad event cannot stop the bot.
type panicky struct{ bot.Answerer }

func (p panicky) Answer(q string) index.Answer {
	if strings.Contains(q, "boom") {
		panic("boom")
	}
	return p.Answerer.Answer(q)
}

func TestPanicInHandlerRecovered(t *testing.T) {
	h := start(t, withAnswerer(panicky{index.NewLive(builtinIndex(t))}))
	h.mention(t, "C1", "<@U0DVKBOT> boom", "")
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
	h.settled(t, "chat.postMessage", 1)
	if n := h.counter(t, "dvkbot_handler_panics_total"); n != 1 {
		t.Fatalf("%v panics counted, want 1", n)
	}
}

func TestFeedbackOnAMessageTheBotCannotEditGoesThroughResponseURL(t *testing.T) {
	h := start(t)
	h.mention(t, "C9", "<@U0DVKBOT> what is docker", "")
	reply := h.replies(t, 1)[0]
	// As for an answer shared through a response_url in a channel the bot is not a member of.
	h.fake.FailNext("chat.update", "channel_not_found", 1)
	h.fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C9", MessageTS: reply.TS, ActionID: bot.ActionFeedbackDown, Value: "what-is-docker"})
	call := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	if call.Params.Get("replace_original") != "true" || !strings.Contains(blocksText(t, call.Blocks), "Thanks") {
		t.Fatalf("feedback fallback did not replace the message with thanks: %s %v", call, call.Params)
	}
}

func TestRelatedButtonInADMAnswersInTheDM(t *testing.T) {
	h := start(t)
	h.fake.SendEventsAPI(t, slackfake.Message("D1", "im", slackfake.DefaultUserID, "what is docker", h.fake.NextTS(), ""))
	reply := h.replies(t, 1)[0]
	h.fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "D1", MessageTS: reply.TS, ActionID: bot.ActionRelated + "_0", Value: "kubernetes-hpa"})
	related := h.replies(t, 2)[1]
	if related.Channel != "D1" || related.ThreadTS != "" {
		t.Fatalf("related topic in a DM went to %s thread %q, want the DM itself", related.Channel, related.ThreadTS)
	}
}

func TestUnansweredQuestionCleanedForGaps(t *testing.T) {
	h := start(t)
	h.mention(t, "C1", "<@U0DVKBOT> how do I bake sourdough &amp; rye", "")
	h.replies(t, 1)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "gaps"})
	text := blocksText(t, h.fake.WaitCalls(t, "response_url", 1, wait)[0].Blocks)
	if !strings.Contains(text, "how do I bake sourdough &amp; rye") || strings.Contains(text, "U0DVKBOT") {
		t.Fatalf("gap not shown as the person asked it:\n%s", text)
	}
}
