package bot_test

import (
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// sharedBrain opens a brain on srv for one replica, on the harness's clock where there is one;
// closed when the test ends, after the bot using it (cleanups run last first).
func sharedBrain(t *testing.T, srv *braintest.Redis, clock *slackfake.Clock) brain.Brain {
	t.Helper()
	opts := brain.Options{RedisURL: srv.URL()}
	if clock != nil {
		opts.Now = clock.Now
	}
	return braintest.Open(t, opts)
}

// twoReplicas runs two processes of the bot on one fake Slack and one Redis, as a Deployment
// of two replicas runs: the first is h, the second r. The fake delivers to the first (DeliverTo
// switches).
func twoReplicas(t *testing.T, options ...option) (h, r *harness) {
	t.Helper()
	srv := braintest.StartRedis(t)
	h = start(t, append(options, withBrain(sharedBrain(t, srv, nil)))...)
	r = h.replica(t, append(options, withBrain(sharedBrain(t, srv, h.clock)))...)
	h.fake.DeliverTo(1)
	return h, r
}

// stopAll stops every replica, so every reply in flight is done: counts taken after are final.
func stopAll(rs ...*harness) {
	for _, r := range rs {
		r.stopBot()
	}
}

// Slack may hand a retried event to another connection of the app: answered once, whichever
// replica gets it first.
func TestReplicasAnswerAnEventDeliveredToBothOnce(t *testing.T) {
	h, r := twoReplicas(t)
	ev := slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is helm", h.fake.NextTS(), "")
	envs := h.fake.SendEventsAPIToAll(t, ev, slackfake.Delivery{EventID: "Ev0BOTH"})
	for _, env := range envs {
		h.fake.WaitAck(t, env, wait)
	}
	waitFor(t, "one replica to skip the event", func() bool {
		return h.counter(t, "dvkbot_duplicate_events_total")+r.counter(t, "dvkbot_duplicate_events_total") == 1
	})
	h.replies(t, 1)
	stopAll(h, r)
	if n := len(okCalls(h.fake.Calls("chat.postMessage"))); n != 1 {
		t.Fatalf("the event was answered %d times by two replicas, want once", n)
	}
}

// A follow-up that lands on the other replica keeps the thread's context.
func TestReplicasShareThreadContext(t *testing.T) {
	h, _ := twoReplicas(t)
	root := h.mention(t, "C1", "<@U0DVKBOT> docker vs kubernetes", "")
	h.replies(t, 1)
	h.fake.DeliverTo(2)
	h.mention(t, "C1", "<@U0DVKBOT> what about networking?", root)
	follow := h.replies(t, 2)[1]
	// On its own the question gets Docker networking; in the thread, the networking difference.
	if id := answeredEntry(follow.Blocks); follow.ThreadTS != root || id != "difference-networking" {
		t.Fatalf("the follow-up on the other replica lost the thread's context:\n%.400s", blocksText(t, follow.Blocks))
	}
}

// A question one replica could not answer is in /dvk gaps on the other; a private one only for
// its asker, there too.
func TestReplicasShareGapsPrivacyKept(t *testing.T) {
	h, _ := twoReplicas(t)
	h.mention(t, "C1", "<@U0DVKBOT> how do I bake sourdough bread", "")
	h.fake.SendEventsAPI(t, slackfake.Message("D0ALICE", "im", "U0ALICE", "my prod db password is hunter2", h.fake.NextTS(), ""))
	h.replies(t, 2)
	h.fake.DeliverTo(2)
	bob := h.gaps(t, "U0BOB", 1)
	if !strings.Contains(bob, "sourdough") || strings.Contains(bob, "hunter2") {
		t.Fatalf("Bob's /dvk gaps on the other replica:\n%s", bob)
	}
	if alice := h.gaps(t, "U0ALICE", 2); !strings.Contains(alice, "hunter2") {
		t.Fatalf("Alice's /dvk gaps on the other replica lacks her own question:\n%s", alice)
	}
}

// With Redis gone the bot keeps answering from its index: the failures are counted, no event is
// dropped, and a thread's follow-up is answered on its own.
func TestBrainDownStillAnswers(t *testing.T) {
	srv := braintest.StartRedis(t)
	h := start(t, withBrain(sharedBrain(t, srv, nil)))
	srv.Kill()
	root := h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	h.replies(t, 1)
	h.mention(t, "C1", "<@U0DVKBOT> how do I bake sourdough bread", root)
	h.replies(t, 2)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{Text: "gaps"})
	if text := blocksText(t, h.fake.WaitCalls(t, "response_url", 1, wait)[0].Blocks); !strings.Contains(text, "cannot reach my memory") {
		t.Fatalf("/dvk gaps with the brain down says:\n%s", text)
	}
	for _, op := range []string{"mark_seen", "recall_thread", "remember_thread", "record_gap", "list_gaps"} {
		if h.counter(t, "dvkbot_brain_errors_total", "op", op) == 0 {
			t.Errorf("brain errors of %s not counted", op)
		}
	}
}

// Votes are kept per entry in the brain, once per person and answer message.
func TestVotesCountedOncePerPersonInTheBrain(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	h := start(t, withBrain(mem))
	h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	reply := h.replies(t, 1)[0]
	for i, user := range []string{"U0ALICE", "U0ALICE", "U0BOB"} {
		h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: user, ChannelID: "C1", MessageTS: reply.TS, ActionID: bot.ActionFeedbackUp, Value: "what-is-docker"})
		h.fake.WaitCalls(t, "chat.update", i+1, wait)
	}
	tally, err := mem.Tally(t.Context(), "what-is-docker")
	if err != nil || tally != (brain.Tally{Up: 2}) {
		t.Fatalf("tally = %+v, %v; want 2 up: Alice's second click is not a second vote", tally, err)
	}
	if got := h.counter(t, "dvkbot_feedback_total", "entry", "what-is-docker", "vote", "up"); got != 2 {
		t.Fatalf("feedback counter = %v, want 2", got)
	}
}
