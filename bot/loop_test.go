package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// The knowledge loop, end to end through the fake Slack: questions the bot cannot answer reach
// the experts, an expert's answer comes back through the Answer modal, and the bot keeps it.

const (
	experts = "C0EXPERTS"
	expert  = "U0EXPERT"
	// unanswerable is a public question no built-in entry answers.
	unanswerable = "how do I bake sourdough bread"
)

// buttonsIn lists the buttons of a message's blocks whose action_id starts with prefix.
func buttonsIn(raw json.RawMessage, prefix string) []slackfake.Button {
	var found []slackfake.Button
	for _, b := range slackfake.Buttons(raw) {
		if strings.HasPrefix(b.ActionID, prefix) {
			found = append(found, b)
		}
	}
	return found
}

// oneButton is the only button of a message whose action_id starts with prefix.
func oneButton(t *testing.T, raw json.RawMessage, prefix string) slackfake.Button {
	t.Helper()
	found := buttonsIn(raw, prefix)
	if len(found) != 1 {
		t.Fatalf("%d buttons with action_id %s…, want 1:\n%s", len(found), prefix, raw)
	}
	return found[0]
}

// postsTo are the accepted chat.postMessage calls to channel, so far.
func (h *harness) postsTo(channel string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range okCalls(h.fake.Calls("chat.postMessage")) {
		if c.Channel == channel {
			out = append(out, c)
		}
	}
	return out
}

// waitPostTo waits for the n-th accepted post to channel and returns it.
func (h *harness) waitPostTo(t *testing.T, channel string, n int) slackfake.Call {
	t.Helper()
	var post slackfake.Call
	waitFor(t, "a post to "+channel, func() bool {
		posts := h.postsTo(channel)
		if len(posts) < n {
			return false
		}
		post = posts[n-1]
		return true
	})
	return post
}

// openModal clicks an Answer button on a message as user and returns the modal it opened, the
// n-th one.
func (h *harness) openModal(t *testing.T, channel, messageTS, user string, btn slackfake.Button, n int) slackfake.View {
	t.Helper()
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: user, ChannelID: channel, MessageTS: messageTS, ActionID: btn.ActionID, Value: btn.Value})
	return h.fake.WaitViews(t, n, wait)[n-1]
}

// submit submits a modal as user and returns the bot's ack payload ("" when it closes it).
func (h *harness) submit(t *testing.T, view slackfake.View, user string, values map[string]string) string {
	t.Helper()
	env := h.fake.SendViewSubmission(t, slackfake.ViewSubmission{View: view, UserID: user, Values: values})
	return string(h.fake.WaitAck(t, env, wait).Payload)
}

// checkAnswerModal checks the modal's contract: its callback_id and four plain-text inputs.
func checkAnswerModal(t *testing.T, view slackfake.View) {
	t.Helper()
	if view.CallbackID != bot.AnswerCallbackID {
		t.Errorf("callback_id = %q, want %q", view.CallbackID, bot.AnswerCallbackID)
	}
	for _, id := range []string{bot.BlockTitle, bot.BlockAnswer, bot.BlockQuestions, bot.BlockEntities} {
		if in, ok := view.Inputs[id]; !ok || in.Type != "plain_text_input" {
			t.Errorf("input block %q = %+v, want a plain_text_input", id, in)
		}
	}
}

// A public question the bot cannot answer goes to the experts' channel with a link to its
// thread and an Answer button; an expert's answer, submitted in the modal, is posted in the
// asker's thread naming the expert, kept in the brain, and the question leaves /dvk gaps.
func TestExpertAnswersAPublicQuestion(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	h := start(t, withBrain(mem), withLoop(experts))
	root := h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	reply := h.replies(t, 1)[0]
	if text := blocksText(t, reply.Blocks); !strings.Contains(text, "<#"+experts+">") {
		t.Errorf("the reply does not say the experts were asked:\n%s", text)
	}
	oneButton(t, reply.Blocks, bot.ActionAnswer) // whoever knows may answer in the thread

	post := h.waitPostTo(t, experts, 1)
	text := blocksText(t, post.Blocks)
	if !strings.Contains(text, unanswerable) || !strings.Contains(text, "https://fake.slack.com/archives/C1/p"+strings.ReplaceAll(root, ".", "")) {
		t.Fatalf("the experts' post lacks the question or the link to its thread:\n%s", text)
	}
	view := h.openModal(t, experts, post.TS, expert, oneButton(t, post.Blocks, bot.ActionAnswer), 1)
	checkAnswerModal(t, view)
	if view.Inputs[bot.BlockQuestions].InitialValue != unanswerable {
		t.Errorf("questions prefilled with %q, want the question", view.Inputs[bot.BlockQuestions].InitialValue)
	}

	ack := h.submit(t, view, expert, map[string]string{
		bot.BlockTitle: "Baking sourdough", bot.BlockAnswer: "Feed the starter the night before, then bake at 250 °C.",
		bot.BlockEntities: "bread, baking",
	})
	if ack != "" {
		t.Fatalf("a valid answer was acked with %s, want an empty ack that closes the modal", ack)
	}
	answer := h.waitPostTo(t, "C1", 2)
	if text := blocksText(t, answer.Blocks); answer.ThreadTS != root || !strings.Contains(text, "Feed the starter") || !strings.Contains(text, "<@"+expert+">") {
		t.Fatalf("the answer in the asker's thread (%q): %s", answer.ThreadTS, text)
	}
	saved, ok, err := mem.Entry(t.Context(), "baking-sourdough")
	if err != nil || !ok || saved.Author != expert || !strings.HasPrefix(saved.Permalink, "https://fake.slack.com/archives/C1/") {
		t.Fatalf("captured entry = %+v, %v, %v; want one by the expert linking the thread", saved, ok, err)
	}
	if e, err := saved.Knowledge(); err != nil || e.Summary() != "**Feed the starter the night before, then bake at 250 °C.**" {
		t.Errorf("captured entry reads as %+v, %v: the answer's first line is its bold summary", e, err)
	}
	if gaps := h.gaps(t, "U0BOB", 1); strings.Contains(gaps, "sourdough") {
		t.Errorf("the answered question is still in /dvk gaps:\n%s", gaps)
	}
	if waiting, _ := mem.ListPending(t.Context()); len(waiting) != 0 {
		t.Errorf("still waiting for an expert: %+v", waiting)
	}
}

// A question asked in private goes to the experts only when its asker clicks "Ask the experts";
// their answer comes back to the asker, and the experts never get a link into the DM.
func TestPrivateQuestionGoesToExpertsOnlyOnRequest(t *testing.T) {
	h := start(t, withLoop(experts), withPool(1, 16)) // one worker: each event is done before the next starts
	h.fake.SendEventsAPI(t, slackfake.Message("D0ALICE", "im", "U0ALICE", "how do I bake rye bread", h.fake.NextTS(), ""))
	reply := h.replies(t, 1)[0]
	ask := oneButton(t, reply.Blocks, bot.ActionAskExperts)
	if buttons := buttonsIn(reply.Blocks, bot.ActionAnswer); len(buttons) != 0 {
		t.Errorf("a private question offers to be answered by anyone: %+v", buttons)
	}
	h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	if first := blocksText(t, h.waitPostTo(t, experts, 1).Blocks); strings.Contains(first, "rye") {
		t.Fatalf("a DM question reached the experts before its asker asked:\n%s", first)
	}

	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0ALICE", ChannelID: "D0ALICE", MessageTS: reply.TS, ActionID: ask.ActionID, Value: ask.Value})
	post := h.waitPostTo(t, experts, 2)
	if text := blocksText(t, post.Blocks); !strings.Contains(text, "rye") || strings.Contains(text, "archives") {
		t.Fatalf("the experts' post of a private question:\n%s", text)
	}
	if confirm := h.fake.WaitCalls(t, "response_url", 1, wait)[0]; !strings.Contains(confirm.Text, "Sent to the experts") {
		t.Errorf("the asker was told %q", confirm.Text)
	}
	view := h.openModal(t, experts, post.TS, expert, oneButton(t, post.Blocks, bot.ActionAnswer), 1)
	if ack := h.submit(t, view, expert, map[string]string{bot.BlockTitle: "Baking rye bread", bot.BlockAnswer: "Use a sourdough starter."}); ack != "" {
		t.Fatalf("ack = %s", ack)
	}
	if answer := h.waitPostTo(t, "D0ALICE", 2); !strings.Contains(blocksText(t, answer.Blocks), "sourdough starter") {
		t.Fatalf("the answer in Alice's DM: %s", blocksText(t, answer.Blocks))
	}
}

// A /dvk question the bot cannot answer: on request, the answer comes to the asker's DM.
func TestSlashQuestionToExpertsAnsweredInTheAskersDM(t *testing.T) {
	h := start(t, withLoop(experts))
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0ALICE", Text: "how do I bake rye bread"})
	ask := oneButton(t, h.fake.WaitCalls(t, "response_url", 1, wait)[0].Blocks, bot.ActionAskExperts)
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0ALICE", Ephemeral: true, ActionID: ask.ActionID, Value: ask.Value})
	thread := h.waitPostTo(t, "U0ALICE", 1) // "You asked the experts", in the asker's DM
	post := h.waitPostTo(t, experts, 1)
	view := h.openModal(t, experts, post.TS, expert, oneButton(t, post.Blocks, bot.ActionAnswer), 1)
	h.submit(t, view, expert, map[string]string{bot.BlockTitle: "Baking rye bread", bot.BlockAnswer: "Use a sourdough starter."})
	if answer := h.waitPostTo(t, "U0ALICE", 2); answer.ThreadTS != thread.TS {
		t.Fatalf("the answer went to thread %q, want the asker's DM thread %q", answer.ThreadTS, thread.TS)
	}
}

// What lint would refuse comes back under the input to fix, and nothing is saved.
func TestAnswerModalShowsProblemsByInput(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	h := start(t, withBrain(mem))
	root := h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	reply := h.replies(t, 1)[0]
	view := h.openModal(t, "C1", reply.TS, expert, oneButton(t, reply.Blocks, bot.ActionAnswer), 1)
	ack := h.submit(t, view, expert, map[string]string{bot.BlockTitle: "", bot.BlockAnswer: "Bake it.", bot.BlockQuestions: ""})
	var got struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(ack), &got); err != nil || got.ResponseAction != "errors" {
		t.Fatalf("ack = %s, want response_action errors", ack)
	}
	if !strings.Contains(got.Errors[bot.BlockTitle], "title") || !strings.Contains(got.Errors[bot.BlockQuestions], "questions") {
		t.Fatalf("errors = %v, want the missing title and questions under their inputs", got.Errors)
	}
	if entries, _ := mem.Entries(t.Context()); len(entries) != 0 {
		t.Fatalf("an invalid answer was saved: %+v", entries)
	}
	if n := len(h.postsTo("C1")); n != 1 || root == "" {
		t.Fatalf("%d posts in the thread, want the first reply only", n)
	}
}

// The answer cannot be saved while the brain is down: the modal stays open with the text, and
// says so.
func TestAnswerModalKeptOpenWhenTheBrainIsDown(t *testing.T) {
	broken := failingSaves{brain.NewMemory(brain.Options{})}
	h := start(t, withBrain(broken))
	h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	reply := h.replies(t, 1)[0]
	view := h.openModal(t, "C1", reply.TS, expert, oneButton(t, reply.Blocks, bot.ActionAnswer), 1)
	ack := h.submit(t, view, expert, map[string]string{bot.BlockTitle: "Baking", bot.BlockAnswer: "Bake it."})
	if !strings.Contains(ack, `"response_action":"errors"`) || !strings.Contains(ack, "try Save again") {
		t.Fatalf("ack = %s", ack)
	}
	if h.counter(t, "dvkbot_brain_errors_total", "op", "save_entry") != 1 {
		t.Error("the failed save is not counted")
	}
}

// failingSaves is a brain whose saves fail, as when Redis is unreachable.
type failingSaves struct{ brain.Brain }

func (failingSaves) SaveEntry(context.Context, brain.Draft) (brain.Captured, error) {
	return brain.Captured{}, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// "Save as dvkbot answer" on an expert's reply in the thread of a waiting question: the modal
// holds the reply in Markdown and the question; saving answers it in the thread.
func TestSaveAnswerShortcutOnAnExpertsReply(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	h := start(t, withBrain(mem))
	root := h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	h.replies(t, 1)
	reply := h.fake.NextTS()
	h.fake.SendMessageAction(t, slackfake.MessageAction{CallbackID: bot.SaveAnswerCallbackID, UserID: expert, ChannelID: "C1",
		MessageTS: reply, ThreadTS: root, Author: expert, Text: "*Feed the starter* the night before &amp; bake at 250 °C: see <https://example.com/bread|the recipe>"})
	view := h.fake.WaitViews(t, 1, wait)[0]
	checkAnswerModal(t, view)
	if got := view.Inputs[bot.BlockAnswer].InitialValue; got != "**Feed the starter** the night before & bake at 250 °C: see [the recipe](https://example.com/bread)" {
		t.Errorf("answer prefilled with %q, want the message as Markdown", got)
	}
	if got := view.Inputs[bot.BlockQuestions].InitialValue; got != unanswerable {
		t.Errorf("questions prefilled with %q, want the question waiting in the thread", got)
	}
	if ack := h.submit(t, view, expert, map[string]string{bot.BlockTitle: "Baking sourdough"}); ack != "" {
		t.Fatalf("ack = %s", ack)
	}
	if answer := h.waitPostTo(t, "C1", 2); answer.ThreadTS != root || !strings.Contains(blocksText(t, answer.Blocks), "<@"+expert+">") {
		t.Fatalf("the answer in the thread: %s", answer)
	}
	saved, ok, _ := mem.Entry(t.Context(), "baking-sourdough")
	if !ok || saved.Permalink != "https://fake.slack.com/archives/C1/p"+strings.ReplaceAll(reply, ".", "") {
		t.Fatalf("captured entry %+v, want it linked to the saved message", saved)
	}
}

// /dvk gaps shows each public question with an Answer button; answering one posts the answer
// where it was asked and takes it off the list.
func TestGapsAnswerButtons(t *testing.T) {
	h := start(t)
	root := h.mention(t, "C1", "<@U0DVKBOT> "+unanswerable, "")
	h.replies(t, 1)
	h.fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: "U0BOB", Text: "gaps"})
	list := h.fake.WaitCalls(t, "response_url", 1, wait)[0]
	btn := oneButton(t, list.Blocks, bot.ActionAnswer)
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: expert, Ephemeral: true, ActionID: btn.ActionID, Value: btn.Value})
	view := h.fake.WaitViews(t, 1, wait)[0]
	if view.Inputs[bot.BlockQuestions].InitialValue != unanswerable {
		t.Errorf("questions prefilled with %q", view.Inputs[bot.BlockQuestions].InitialValue)
	}
	h.submit(t, view, expert, map[string]string{bot.BlockTitle: "Baking sourdough", bot.BlockAnswer: "Bake it hot."})
	if answer := h.waitPostTo(t, "C1", 2); answer.ThreadTS != root {
		t.Fatalf("the answer went to thread %q, want %q", answer.ThreadTS, root)
	}
	if gaps := h.gaps(t, "U0BOB", 2); strings.Contains(gaps, "sourdough") {
		t.Fatalf("the answered question is still listed:\n%s", gaps)
	}
}

// A 👎 offers "Suggest a better answer": the modal holds the entry, and the suggestion replaces
// it for everyone (the captured entry keeps the entry's id).
func TestThumbsDownSuggestsABetterAnswer(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	h := start(t, withBrain(mem))
	root := h.mention(t, "C1", "<@U0DVKBOT> what is docker", "")
	reply := h.replies(t, 1)[0]
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0BOB", ChannelID: "C1", MessageTS: reply.TS, ThreadTS: root, ActionID: bot.ActionFeedbackDown, Value: "what-is-docker"})
	update := h.fake.WaitCalls(t, "chat.update", 1, wait)[0]
	suggest := oneButton(t, update.Blocks, bot.ActionAnswer)
	view := h.openModal(t, "C1", reply.TS, "U0BOB", suggest, 1)
	if !strings.Contains(view.Inputs[bot.BlockTitle].InitialValue, "Docker") || view.Inputs[bot.BlockAnswer].InitialValue == "" {
		t.Fatalf("the modal does not hold the entry: %+v", view.Inputs)
	}
	better := "**Docker packages an app and everything it needs into an image, and runs it as a container.**"
	if ack := h.submit(t, view, "U0BOB", map[string]string{bot.BlockAnswer: better}); ack != "" {
		t.Fatalf("ack = %s", ack)
	}
	saved, ok, _ := mem.Entry(t.Context(), "what-is-docker")
	if !ok || saved.Author != "U0BOB" || !strings.Contains(saved.Markdown, better) {
		t.Fatalf("captured entry = %+v, want Bob's answer under the entry's id", saved)
	}
	if answer := h.waitPostTo(t, "C1", 2); answer.ThreadTS != root {
		t.Fatalf("the better answer went to thread %q, want %q", answer.ThreadTS, root)
	}
}

// /dvk forget withdraws an answer saved from Slack: its author or an admin may, nobody else.
func TestForgetOnlyByAuthorOrAdmin(t *testing.T) {
	mem := brain.NewMemory(brain.Options{})
	for _, id := range []string{"baking-sourdough", "baking-rye"} {
		md := "---\nid: " + id + "\ntitle: Baking\nkind: faq\nquestions: [how do I bake]\n---\n**Bake it.**\n"
		if _, err := mem.SaveEntry(t.Context(), brain.Draft{Markdown: md, Author: "U0AUTHOR"}); err != nil {
			t.Fatal(err)
		}
	}
	h := start(t, withBrain(mem), withLoop("", "U0ADMIN"))
	steps := []struct {
		user, id, want string
		left           int
	}{
		{"U0BOB", "baking-sourdough", "Only who wrote", 2},
		{"U0BOB", "what-is-docker", "No answer saved from Slack", 2},
		{"U0ADMIN", "baking-sourdough", "Withdrawn", 1},
		{"U0AUTHOR", "baking-rye", "Withdrawn", 0},
	}
	for i, s := range steps {
		h.fake.SendSlashCommand(t, slackfake.SlashCommand{UserID: s.user, Text: "forget " + s.id})
		text := blocksText(t, h.fake.WaitCalls(t, "response_url", i+1, wait)[i].Blocks)
		entries, err := mem.Entries(t.Context())
		if !strings.Contains(text, s.want) || err != nil || len(entries) != s.left {
			t.Fatalf("%s forgets %s: %q, %d entries left (%v); want %q and %d left", s.user, s.id, text, len(entries), err, s.want, s.left)
		}
	}
}

// In a private channel everyone there sees the reply, but only the asker may send the question
// to the experts.
func TestOnlyTheAskerSendsAPrivateQuestionToExperts(t *testing.T) {
	h := start(t, withLoop(experts))
	h.fake.SetChannel("C0SECRET", slackfake.PrivateChannel)
	h.fake.SendEventsAPI(t, slackfake.AppMention("C0SECRET", "U0ALICE", "<@U0DVKBOT> how do I bake rye bread", h.fake.NextTS(), ""))
	reply := h.replies(t, 1)[0]
	ask := oneButton(t, reply.Blocks, bot.ActionAskExperts)
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0BOB", ChannelID: "C0SECRET", MessageTS: reply.TS, ActionID: ask.ActionID, Value: ask.Value})
	if told := h.fake.WaitCalls(t, "response_url", 1, wait)[0]; !strings.Contains(told.Text, "Only who asked") {
		t.Fatalf("Bob was told %q", told.Text)
	}
	h.fake.SendBlockAction(t, slackfake.BlockAction{UserID: "U0ALICE", ChannelID: "C0SECRET", MessageTS: reply.TS, ActionID: ask.ActionID, Value: ask.Value})
	h.waitPostTo(t, experts, 1)
	h.stopBot()
	if n := len(h.postsTo(experts)); n != 1 {
		t.Fatalf("%d posts to the experts, want Alice's one", n)
	}
}
