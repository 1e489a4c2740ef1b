package bot_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// Alice asks one question in a DM, one in a private channel whose id starts with C (as a newer
// or shared private channel's does), one through /dvk, and Carol one in a public channel. Bob's
// /dvk gaps shows only Carol's; Alice's shows hers too, for her alone; the info logs hold none
// of Alice's words.
func TestPrivateQuestionsNeverShownToOthers(t *testing.T) {
	h := start(t)
	h.fake.SetChannel("C0SECRET", slackfake.PrivateChannel)
	h.fake.SendEventsAPI(t, slackfake.Message("D0ALICE", "im", "U0ALICE", "my prod db password is hunter2", h.fake.NextTS(), ""))
	h.fake.SendEventsAPI(t, slackfake.AppMention("C0SECRET", "U0ALICE", "<@U0DVKBOT> what is the codename of project bluebird", h.fake.NextTS(), ""))
	h.fake.SendEventsAPI(t, slackfake.AppMention("C0SECRET", "U0ALICE", "<@U0DVKBOT> who owns project bluebird", h.fake.NextTS(), ""))
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0ALICE", ChannelID: "C1", Text: "what is the zorblax quota"})
	h.fake.SendEventsAPI(t, slackfake.AppMention("C1", "U0CAROL", "<@U0DVKBOT> how do I bake sourdough bread", h.fake.NextTS(), ""))
	h.replies(t, 4)
	h.fake.WaitCalls(t, "response_url", 1, wait)
	h.waitCounter(t, 5, "dvkbot_unanswered_questions_total") // private questions still count

	bob := h.gaps(t, "U0BOB", 2)
	if !strings.Contains(bob, "sourdough") {
		t.Fatalf("Bob's /dvk gaps lacks the public question:\n%s", bob)
	}
	for _, private := range []string{"hunter2", "bluebird", "zorblax"} {
		if strings.Contains(bob, private) {
			t.Errorf("Bob's /dvk gaps shows Alice's private question (%s):\n%s", private, bob)
		}
	}
	alice := h.gaps(t, "U0ALICE", 3)
	for _, own := range []string{"sourdough", "hunter2", "bluebird", "zorblax", "Your own"} {
		if !strings.Contains(alice, own) {
			t.Errorf("Alice's /dvk gaps lacks %q:\n%s", own, alice)
		}
	}
	logs := h.logs(t)
	for _, private := range []string{"hunter2", "bluebird", "zorblax"} {
		if strings.Contains(logs, private) {
			t.Errorf("a private question (%s) is in the info logs", private)
		}
	}
	if !strings.Contains(logs, "sourdough") {
		t.Error("the public unanswered question is not logged")
	}
	if n := len(h.fake.Calls("conversations.info")); n != 2 {
		t.Errorf("conversations.info called %d times, want once per channel (C0SECRET, C1): the answer is cached", n)
	}
}

// At debug level the private text is there for whoever debugs: the info-level absence above is
// the level's doing, not a question that was never recorded.
func TestPrivateQuestionTextOnlyAtDebug(t *testing.T) {
	h := start(t, withLogLevel(slog.LevelDebug))
	h.fake.SendEventsAPI(t, slackfake.Message("D0ALICE", "im", "U0ALICE", "my prod db password is hunter2", h.fake.NextTS(), ""))
	h.replies(t, 1)
	h.stopBot()
	for line := range strings.Lines(h.logs(t)) {
		if strings.Contains(line, "hunter2") && !strings.Contains(line, `"level":"DEBUG"`) {
			t.Fatalf("private text logged above debug: %s", line)
		}
	}
	if !strings.Contains(h.logs(t), "hunter2") {
		t.Fatal("the private question is not logged at debug level either")
	}
}

// A channel Slack will not describe (not found, no scope) or cannot be asked about is private.
func TestUnknownChannelCountsAsPrivate(t *testing.T) {
	h := start(t)
	h.fake.FailNext("conversations.info", "500", 1)
	h.mention(t, "C0FLAKY", "<@U0DVKBOT> how do I bake sourdough bread", "")
	h.replies(t, 1)
	h.mention(t, "X0NOWHERE", "<@U0DVKBOT> how do I knit socks", "")
	h.replies(t, 2)
	if got := h.gaps(t, "U0BOB", 1); strings.Contains(got, "sourdough") || strings.Contains(got, "socks") {
		t.Fatalf("a question from a channel of unknown kind is shown to others:\n%s", got)
	}
}

// gaps runs /dvk gaps as user and returns what it shows; n counts the response_url calls so far.
func (h *harness) gaps(t *testing.T, user string, n int) string {
	t.Helper()
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: user, Text: "gaps"})
	return blocksText(t, h.fake.WaitCalls(t, "response_url", n, wait)[n-1].Blocks)
}
