package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// The knowledge loop and the shared brain through the built binary, configured as an operator
// configures it: two `dvkbot serve` processes on one Redis, and one process with a data folder.

const (
	expertsChannel = "C0EXPERTS"
	// sourdough is a question no built-in entry answers.
	sourdough = "how do I bake sourdough bread"
)

// Log lines the tests wait on, each written once what it reports is done.
const (
	skippedLine     = "skipped an event already handled"
	brainFailedLine = "brain call failed; carrying on without it"
)

// startReplicas starts n serve processes on the fake with vars, one after the other: the fake's
// n-th open connection is the n-th process (see DeliverTo).
func startReplicas(t *testing.T, fake *slackfake.Server, n int, vars ...string) []*dvkbottest.Bot {
	t.Helper()
	var rs []*dvkbottest.Bot
	for i := range n {
		rs = append(rs, dvkbottest.Serve(t, fake, vars...))
		fake.WaitOpen(t, i+1, dvkbottest.Hang)
	}
	return rs
}

// stopReplicas stops each process with SIGTERM; every reply in flight is done once they exit.
func stopReplicas(t *testing.T, rs []*dvkbottest.Bot) {
	for _, r := range rs {
		r.Stop(t)
	}
}

// waitReload waits for b to log a reload serving captured entries captured from the brain.
func waitReload(t *testing.T, b *dvkbottest.Bot, captured int) {
	t.Helper()
	dvkbottest.Until(t, "a reload serving "+strconv.Itoa(captured)+" captured entries", func() bool {
		return slices.ContainsFunc(b.Logs.Lines(reloadedLine), func(line map[string]any) bool { return line["captured"] == float64(captured) })
	}, b.Logs.Changed)
}

// postsIn are the accepted posts to channel.
func postsIn(fake *slackfake.Server, channel string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range fake.Calls("chat.postMessage") {
		if c.OK() && c.Channel == channel {
			out = append(out, c)
		}
	}
	return out
}

// waitPost waits for the n-th accepted post to channel.
func waitPost(t *testing.T, fake *slackfake.Server, channel string, n int) slackfake.Call {
	t.Helper()
	dvkbottest.Until(t, "a post to "+channel, func() bool { return len(postsIn(fake, channel)) >= n }, fake.Changed)
	return postsIn(fake, channel)[n-1]
}

// answerButton is the Answer button of a message.
func answerButton(t *testing.T, raw json.RawMessage) (actionID, value string) {
	t.Helper()
	for _, b := range slackfake.Buttons(raw) {
		if strings.HasPrefix(b.ActionID, bot.ActionAnswer) {
			return b.ActionID, b.Value
		}
	}
	t.Fatalf("no Answer button in %s", raw)
	return "", ""
}

// answeredWith is the entry a reply answers with: the value of its 👍 button.
func answeredWith(raw json.RawMessage) string {
	for _, b := range slackfake.Buttons(raw) {
		if b.ActionID == bot.ActionFeedbackUp {
			return b.Value
		}
	}
	return ""
}

// TestServeReplicasShareOneRedis runs two replicas on one Redis, as the Kubernetes install does,
// and checks what a user sees: one answer per event, thread context and gaps across replicas,
// an expert's answer saved on one served by the other within 2 s, and all of it kept while both
// restart.
func TestServeReplicasShareOneRedis(t *testing.T) {
	srv := braintest.StartRedis(t)
	fake := slackfake.New(t)
	vars := []string{"DVK_REDIS_URL=" + srv.URL(), "DVK_EXPERTS_CHANNEL=" + expertsChannel, "DVK_ADMINS=U0ADMIN,U0OTHER"}
	rs := startReplicas(t, fake, 2, vars...)

	// An event Slack delivers to both connections is answered once.
	ev := slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> docker vs kubernetes", fake.NextTS(), "")
	root := ev["ts"].(string)
	for _, env := range fake.SendEventsAPIToAll(t, ev, slackfake.Delivery{EventID: "Ev0BOTH"}) {
		fake.WaitAck(t, env, dvkbottest.Hang)
	}
	dvkbottest.Until(t, "one replica skipping the event", func() bool {
		return rs[0].Logs.Count(skippedLine)+rs[1].Logs.Count(skippedLine) > 0
	}, rs[0].Logs.Changed, rs[1].Logs.Changed)
	waitPost(t, fake, "C1", 1)
	if n := rs[0].Metric(t, "dvkbot_duplicate_events_total") + rs[1].Metric(t, "dvkbot_duplicate_events_total"); n != 1 {
		t.Fatalf("%v replicas skipped the event delivered to both, want one", n)
	}

	// The follow-up lands on the other replica and keeps the thread's context.
	fake.DeliverTo(2)
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what about networking?", fake.NextTS(), root))
	if follow := waitPost(t, fake, "C1", 2); answeredWith(follow.Blocks) != "difference-networking" {
		t.Fatalf("the follow-up on the other replica was answered with %q", answeredWith(follow.Blocks))
	}

	// A question unanswered on the first is in /dvk gaps on the second, and waits for experts.
	fake.DeliverTo(1)
	asked := fake.NextTS()
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U0ASKER", "<@U0DVKBOT> "+sourdough, asked, ""))
	waitPost(t, fake, "C1", 3)
	fake.DeliverTo(2)
	fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0BOB", Text: "gaps"})
	if gaps := string(fake.WaitCalls(t, "response_url", 1, dvkbottest.Hang)[0].Blocks); !strings.Contains(gaps, sourdough) {
		t.Fatalf("/dvk gaps on the other replica lacks the question:\n%s", gaps)
	}
	question := waitPost(t, fake, expertsChannel, 1)

	// An expert answers in the modal, on the first replica; the second answers with it.
	fake.DeliverTo(1)
	actionID, value := answerButton(t, question.Blocks)
	fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0EXPERT", ChannelID: expertsChannel, MessageTS: question.TS, ActionID: actionID, Value: value})
	view := fake.WaitViews(t, 1, dvkbottest.Hang)[0]
	env := fake.SendViewSubmission(t, slackfake.ViewSubmission{View: view, UserID: "U0EXPERT", Values: map[string]string{
		bot.BlockTitle: "Baking sourdough", bot.BlockAnswer: "Feed the starter the night before, then bake at 250 °C.",
	}})
	if ack := fake.WaitAck(t, env, dvkbottest.Hang); len(ack.Payload) != 0 {
		t.Fatalf("the valid answer was acked with %s", ack.Payload)
	}
	saved := time.Now()
	waitReload(t, rs[1], 1)
	// Measured, not asserted: how long it takes depends on the machine, not on the code alone.
	t.Logf("an answer saved on one replica was served by the other %v later", time.Since(saved))
	if answer := waitPost(t, fake, "C1", 4); answer.ThreadTS != asked || !strings.Contains(string(answer.Blocks), "U0EXPERT") {
		t.Fatalf("the expert's answer was posted in %q: %s", answer.ThreadTS, answer.Blocks)
	}
	fake.DeliverTo(2)
	fake.SendEventsAPI(t, slackfake.AppMention("C2", slackfake.DefaultUserID, "<@U0DVKBOT> "+sourdough, fake.NextTS(), ""))
	if reply := waitPost(t, fake, "C2", 1); answeredWith(reply.Blocks) != "baking-sourdough" {
		t.Fatalf("the other replica answered with %q, want the captured entry", answeredWith(reply.Blocks))
	}
	fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0BOB", ChannelID: "C2", MessageTS: postsIn(fake, "C2")[0].TS, ActionID: bot.ActionFeedbackUp, Value: "baking-sourdough"})
	fake.WaitCalls(t, "chat.update", 1, dvkbottest.Hang)

	// Both replicas restart: the captured entry, a gap and the vote are still there.
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U0ASKER", "<@U0DVKBOT> how do I knit socks", fake.NextTS(), ""))
	waitPost(t, fake, "C1", 5)
	stopReplicas(t, rs)
	fake.DeliverTo(0)
	rs = startReplicas(t, fake, 2, vars...)
	if n := rs[0].Metric(t, "dvkbot_knowledge_captured_entries"); n != 1 {
		t.Fatalf("%v captured entries served after the restart, want 1", n) // read before it connected
	}
	fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0BOB", Text: "gaps"})
	if gaps := string(fake.WaitCalls(t, "response_url", 2, dvkbottest.Hang)[1].Blocks); !strings.Contains(gaps, "knit socks") {
		t.Fatalf("/dvk gaps after the restart lacks the question:\n%s", gaps)
	}
	shared, err := brain.Open(brain.Options{RedisURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	if tally, err := shared.Tally(context.Background(), "baking-sourdough"); err != nil || tally.Up != 1 {
		t.Fatalf("votes after the restart: %+v, %v", tally, err)
	}

	// With a shared brain, topics and export read it while the replicas run.
	code, out, errOut := dvkbottest.Run(t, "", vars, "topics", "--json")
	var rows []struct{ ID, Source string }
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || !slices.Contains(rows, struct{ ID, Source string }{"baking-sourdough", "captured"}) {
		t.Fatalf("topics --json: exit %d, %v\n%.300s%s", code, err, out, errOut)
	}
	exported := t.TempDir()
	if code, _, errOut := dvkbottest.Run(t, "", vars, "export", exported); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	if code, out, _ := dvkbottest.Run(t, "", nil, "lint", exported); code != 0 {
		t.Fatalf("lint of the export: %s", out)
	}

	// Only an admin (or its author) may withdraw it; then no replica answers with it.
	fake.DeliverTo(1)
	for i, step := range []struct{ user, want string }{{"U0BOB", "Only who wrote"}, {"U0ADMIN", "Withdrawn"}} {
		fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: step.user, Text: "forget baking-sourdough"})
		if got := string(fake.WaitCalls(t, "response_url", 3+i, dvkbottest.Hang)[2+i].Blocks); !strings.Contains(got, step.want) {
			t.Fatalf("/dvk forget by %s: %s", step.user, got)
		}
	}
	waitReload(t, rs[1], 0)
	if entries, err := shared.Entries(context.Background()); err != nil || len(entries) != 0 {
		t.Fatalf("entries after an admin's /dvk forget: %+v, %v", entries, err)
	}
}

// TestServeDataDirKeepsWhatItLearnt runs one process with DVK_DATA_DIR: a captured entry, a gap
// and a vote survive its restart; then topics lists the entry as captured, and export writes it
// as a knowledge file that lint passes.
func TestServeDataDirKeepsWhatItLearnt(t *testing.T) {
	data := t.TempDir()
	fake := slackfake.New(t)
	vars := []string{"DVK_DATA_DIR=" + data}
	rs := startReplicas(t, fake, 1, vars...)
	asked := fake.NextTS()
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U0ASKER", "<@U0DVKBOT> "+sourdough, asked, ""))
	reply := waitPost(t, fake, "C1", 1)
	actionID, value := answerButton(t, reply.Blocks)
	fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0EXPERT", ChannelID: "C1", MessageTS: reply.TS, ThreadTS: asked, ActionID: actionID, Value: value})
	view := fake.WaitViews(t, 1, dvkbottest.Hang)[0]
	fake.WaitAck(t, fake.SendViewSubmission(t, slackfake.ViewSubmission{View: view, UserID: "U0EXPERT", Values: map[string]string{
		bot.BlockTitle: "Baking sourdough", bot.BlockAnswer: "Feed the starter the night before, then bake at 250 °C.", bot.BlockEntities: "bread",
	}}), dvkbottest.Hang)
	answer := waitPost(t, fake, "C1", 2)
	fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0BOB", ChannelID: "C1", MessageTS: answer.TS, ActionID: bot.ActionFeedbackUp, Value: "baking-sourdough"})
	fake.WaitCalls(t, "chat.update", 1, dvkbottest.Hang)
	fake.SendEventsAPI(t, slackfake.AppMention("C1", "U0ASKER", "<@U0DVKBOT> how do I knit socks", fake.NextTS(), ""))
	waitPost(t, fake, "C1", 3)
	stopReplicas(t, rs)

	rs = startReplicas(t, fake, 1, vars...)
	fake.SendEventsAPI(t, slackfake.AppMention("C2", slackfake.DefaultUserID, "<@U0DVKBOT> "+sourdough, fake.NextTS(), ""))
	if got := answeredWith(waitPost(t, fake, "C2", 1).Blocks); got != "baking-sourdough" {
		t.Fatalf("after a restart the question was answered with %q, want the captured entry", got)
	}
	fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0BOB", Text: "gaps"})
	if gaps := string(fake.WaitCalls(t, "response_url", 1, dvkbottest.Hang)[0].Blocks); !strings.Contains(gaps, "knit socks") || strings.Contains(gaps, "sourdough") {
		t.Fatalf("/dvk gaps after the restart:\n%s", gaps)
	}
	// The running bot holds its data folder: topics says so, naming the variable, and fails;
	// ask says so too, and answers without the captured entries.
	if code, _, errOut := dvkbottest.Run(t, "", vars, "topics"); code != 1 || !strings.Contains(errOut, "DVK_DATA_DIR") || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("topics while the bot runs: exit %d, %s", code, errOut)
	}
	askedWith(t, vars, "", "DVK_DATA_DIR")
	stopReplicas(t, rs)

	// Stopped, ask answers as the bot did, from the captured entry.
	askedWith(t, vars, "baking-sourdough", "")

	code, out, errOut := dvkbottest.Run(t, "", vars, "topics")
	if code != 0 || !regexpLine(out, `^baking-sourdough\s+faq\s+captured\s+Baking sourdough\s+\(by U0EXPERT, .*version 1, https://fake.slack.com/archives/C1/p`) {
		t.Fatalf("topics: exit %d\n%s%s", code, out, errOut)
	}
	exported := filepath.Join(t.TempDir(), "captured")
	if code, out, errOut := dvkbottest.Run(t, "", vars, "export", exported); code != 0 || !strings.Contains(out, "baking-sourdough.md") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := dvkbottest.Run(t, "", nil, "lint", exported); code != 0 {
		t.Fatalf("lint of the exported entries: exit %d\n%s%s", code, out, errOut)
	}
	stored, err := brain.OpenEmbedded(brain.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer stored.Close()
	if tally, err := stored.Tally(context.Background(), "baking-sourdough"); err != nil || tally.Up != 1 {
		t.Fatalf("votes kept in the data folder: %+v, %v", tally, err)
	}
}

// askedWith runs `ask --json` on the sourdough question with env and checks that it is answered
// with entry want ("" for not at all) and that stderr names warning (is empty when "").
func askedWith(t *testing.T, env []string, want, warning string) {
	t.Helper()
	code, out, errOut := dvkbottest.Run(t, "", env, "ask", "--json", sourdough)
	var got struct{ ID string }
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.ID != want {
		t.Fatalf("ask with %q: exit %d, answered with %q, want %q\n%s%s", env, code, got.ID, want, out, errOut)
	}
	if (warning == "") != (errOut == "") || !strings.Contains(errOut, warning) {
		t.Fatalf("ask with %q: stderr %q, want a warning naming %q", env, errOut, warning)
	}
}

// A bot that requires Redis says so in /readyz while it is down, and answers all the same.
func TestServeNotReadyWithoutItsRedis(t *testing.T) {
	srv := braintest.StartRedis(t)
	fake := slackfake.New(t)
	rs := startReplicas(t, fake, 1, "DVK_REDIS_URL="+srv.URL())
	srv.Kill() // returns once redis-server has exited: the next ping fails
	if code, body := rs[0].Get(t, "/readyz"); code != 503 || !strings.Contains(body, "DVK_REDIS_URL") {
		t.Fatalf("/readyz with Redis down answered %d %q, want 503 naming DVK_REDIS_URL", code, body)
	}
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is docker", fake.NextTS(), ""))
	if got := answeredWith(waitPost(t, fake, "C1", 1).Blocks); got != "what-is-docker" {
		t.Fatalf("answered with %q while Redis is down", got)
	}
	rs[0].Logs.Wait(t, brainFailedLine)
	if n := rs[0].Metric(t, `dvkbot_brain_errors_total{op="mark_seen"}`); n < 1 {
		t.Fatalf("dvkbot_brain_errors_total{op=\"mark_seen\"} = %v with Redis down, want it counted", n)
	}
}

// regexpLine reports whether a line of out matches pattern.
func regexpLine(out, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for line := range strings.Lines(out) {
		if re.MatchString(strings.TrimRight(line, "\n")) {
			return true
		}
	}
	return false
}
