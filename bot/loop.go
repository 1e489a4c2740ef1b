package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// The knowledge loop: a question the bot could not answer goes to the experts (a public one at
// once, a private one when its asker asks for it); an expert answers it in the Answer modal, or
// saves a message of theirs with the "Save as dvkbot answer" shortcut; the answer is checked as
// `dvkbot lint` checks knowledge files, kept in the brain as a captured entry and posted where
// the question was asked. cmd/dvkbot rebuilds the index from the brain's entries on every
// change, on every replica.

// modalTarget is what an Answer modal answers and where its answer goes. It travels in the
// modal's private_metadata, which only the app can set, from opening to submission.
type modalTarget struct {
	// Pending is the id of the question waiting for an expert that it answers.
	Pending string `json:"p,omitempty"`
	// Gap is the key of the /dvk gaps question it answers.
	Gap string `json:"g,omitempty"`
	// Entry is the id of the entry it improves (after a 👎), kept as the new answer's id.
	Entry string `json:"e,omitempty"`
	// Channel and Thread are where the answer is posted; none when Channel is empty.
	Channel string `json:"c,omitempty"`
	Thread  string `json:"t,omitempty"`
	// Question is the question answered, repeated above the posted answer.
	Question string `json:"q,omitempty"`
	// Source is the message saved with the shortcut, "channel/ts": the entry links to it.
	Source string `json:"s,omitempty"`
}

// Bounds of the loop's Slack calls and texts.
const (
	// linkTimeout bounds looking up a permalink before saving: the submission's ack is due
	// within 3 s, and a link is a nicety.
	linkTimeout = time.Second
	// saveTimeout bounds saving an answer, for the same ack.
	saveTimeout = 1500 * time.Millisecond
	// maxTargetQuestion bounds the question a modal's metadata carries (3000 characters in all).
	maxTargetQuestion = 500
	// maxAskQuestion bounds the question an "Ask the experts" button carries: the value, JSON
	// escaped, stays within 2000 characters.
	maxAskQuestion = 900
)

// loopOffer is what a reply the bot could not answer offers: for a public question, an Answer
// button on the question now waiting for an expert; for a private one, with an experts'
// channel set, the asker's choice to send it there. thread is where an answer will go.
func (b *Bot) loopOffer(question, asker, channel, thread string, public bool) LoopOffer {
	if public {
		return LoopOffer{Pending: brain.PendingID(channel, thread), ExpertsChannel: b.opts.ExpertsChannel}
	}
	if b.opts.ExpertsChannel == "" {
		return LoopOffer{}
	}
	value, err := json.Marshal(askValue{Question: cut(question, maxAskQuestion), Thread: thread, Asker: asker})
	if err != nil {
		return LoopOffer{}
	}
	return LoopOffer{AskExperts: string(value)}
}

// askValue is the value of an "Ask the experts" button.
type askValue struct {
	Question string `json:"q"`
	Thread   string `json:"t"`
	// Asker is who asked: only they may send it (in a private channel, others see the button).
	Asker string `json:"a"`
}

// askExperts sends a privately asked question to the experts, at its asker's request (the
// button is only ever shown to them). A question asked with the slash command has no thread:
// its answer goes to the asker's direct messages with the bot.
func (b *Bot) askExperts(ctx context.Context, cb slack.InteractionCallback, value string) {
	var v askValue
	if err := json.Unmarshal([]byte(value), &v); err != nil || strings.TrimSpace(v.Question) == "" {
		b.log.Warn("unreadable Ask the experts button", "err", err)
		return
	}
	if b.opts.ExpertsChannel == "" {
		b.tell(ctx, cb, "No experts' channel is set up for me, so I cannot pass questions on.")
		return
	}
	if cb.User.ID != v.Asker {
		b.tell(ctx, cb, "Only who asked this question can send it to the experts: it was asked in private.")
		return
	}
	channel, thread := cb.Channel.ID, v.Thread
	if thread == "" {
		note := TextMessage("You asked the experts", "“"+EscapeText(oneLine(v.Question))+"”\n\nTheir answer will be posted in this thread.")
		ts, err := b.replier.Post(ctx, cb.User.ID, "", note)
		if err != nil {
			b.log.Error("could not open a thread for the experts' answer", "user", cb.User.ID, "err", err)
			b.tell(ctx, cb, "I could not send it just now. Please try again.")
			return
		}
		channel, thread = cb.User.ID, ts
	}
	p := b.addPending(ctx, brain.Pending{Question: v.Question, Channel: channel, ThreadTS: thread, Asker: cb.User.ID})
	if p == nil {
		b.tell(ctx, cb, "I cannot reach my memory right now, so I could not pass it on: try again in a moment.")
		return
	}
	b.postToExperts(ctx, *p, "")
	b.tell(ctx, cb, "Sent to the experts in <#"+b.opts.ExpertsChannel+">. Their answer will be posted "+answerPlace(thread == v.Thread)+".")
}

// answerPlace says where an experts' answer to a private question will appear.
func answerPlace(inThread bool) string {
	if inThread {
		return "in this thread"
	}
	return "in your direct messages with me"
}

// addPending queues a question for the experts; nil when the brain could not.
func (b *Bot) addPending(ctx context.Context, p brain.Pending) *brain.Pending {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	queued, err := b.brain.AddPending(ctx, p)
	if err != nil {
		b.brainFailed("add_pending", err, "channel", p.Channel)
		return nil
	}
	return &queued
}

// postToExperts posts a waiting question in the experts' channel, with an Answer button.
func (b *Bot) postToExperts(ctx context.Context, p brain.Pending, link string) {
	if _, err := b.replier.Post(ctx, b.opts.ExpertsChannel, "", ExpertsMessage(p, link)); err != nil {
		b.log.Error("could not post a question to the experts", "channel", b.opts.ExpertsChannel, "err", err)
		return
	}
	b.metrics.toExperts.Inc()
}

// permalink is the link to a message, or "" when Slack gives none: a link is a nicety, never
// worth a retry.
func (b *Bot) permalink(ctx context.Context, channel, ts string) string {
	ctx, cancel := context.WithTimeout(ctx, linkTimeout)
	defer cancel()
	link, err := b.replier.Permalink(ctx, channel, ts)
	if err != nil {
		b.log.Debug("no permalink", "channel", channel, "ts", ts, "err", err)
		return ""
	}
	return link
}

// tell says something to the person who clicked or ran a shortcut, for their eyes only.
func (b *Bot) tell(ctx context.Context, cb slack.InteractionCallback, text string) {
	if cb.ResponseURL == "" {
		return
	}
	b.respondWith(ctx, cb.ResponseURL, slack.WebhookMessage{Text: text, ResponseType: slack.ResponseTypeEphemeral})
}

// openAnswer opens the Answer modal for what an Answer button names (see ActionAnswer).
func (b *Bot) openAnswer(ctx context.Context, cb slack.InteractionCallback, value string) {
	kind, arg, _ := strings.Cut(value, ":")
	var (
		d      answerDraft
		target modalTarget
		note   string
		ok     bool
	)
	switch kind {
	case "pending":
		d, target, note, ok = b.pendingTarget(ctx, cb, arg)
	case "gap":
		d, target, note, ok = b.gapTarget(ctx, cb, arg)
	case "entry":
		d, target, note, ok = b.entryTarget(ctx, cb, arg)
	default:
		b.log.Warn("unknown Answer button", "value", value)
	}
	if ok {
		b.openModal(ctx, cb, d, target, note)
	}
}

// pendingTarget answers a question waiting for an expert, in its asker's thread.
func (b *Bot) pendingTarget(ctx context.Context, cb slack.InteractionCallback, id string) (answerDraft, modalTarget, string, bool) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	p, found, err := b.brain.PendingQuestion(ctx, id)
	switch {
	case err != nil:
		b.brainFailed("pending_question", err)
		b.tell(ctx, cb, "I cannot reach my memory right now: try again in a moment.")
		return answerDraft{}, modalTarget{}, "", false
	case !found:
		b.tell(ctx, cb, "That question has been answered already, or has waited too long.")
		return answerDraft{}, modalTarget{}, "", false
	}
	target := modalTarget{Pending: p.ID, Channel: p.Channel, Thread: p.ThreadTS, Question: cut(p.Question, maxTargetQuestion)}
	return answerDraft{Questions: []string{p.Question}}, target, answeringNote(p.Question), true
}

// gapTarget answers a question of /dvk gaps, in the thread where it was last asked in public.
func (b *Bot) gapTarget(ctx context.Context, cb slack.InteractionCallback, key string) (answerDraft, modalTarget, string, bool) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	gaps, err := b.brain.ListGaps(ctx, "", 0) // public asks only: the answer is posted where one was
	if err != nil {
		b.brainFailed("list_gaps", err)
		b.tell(ctx, cb, "I cannot reach my memory right now: try again in a moment.")
		return answerDraft{}, modalTarget{}, "", false
	}
	for _, g := range gaps {
		if g.Key == key {
			target := modalTarget{Gap: g.Key, Channel: g.Latest.Channel, Thread: g.Latest.ThreadTS, Question: cut(g.Question, maxTargetQuestion)}
			return answerDraft{Questions: []string{g.Question}}, target, answeringNote(g.Question), true
		}
	}
	b.tell(ctx, cb, "That question has been answered already, or was asked too long ago.")
	return answerDraft{}, modalTarget{}, "", false
}

// entryTarget suggests a better answer for an entry, posted where its answer got the 👎.
func (b *Bot) entryTarget(ctx context.Context, cb slack.InteractionCallback, id string) (answerDraft, modalTarget, string, bool) {
	e, ok := b.opts.Answerer.Entry(id)
	if !ok {
		b.tell(ctx, cb, "That answer no longer exists.")
		return answerDraft{}, modalTarget{}, "", false
	}
	target := modalTarget{Entry: e.ID}
	if !cb.Container.IsEphemeral {
		target.Channel, target.Thread = cb.Channel.ID, cb.Message.ThreadTimestamp
		if target.Thread == "" && !isDM(cb.Channel.ID) {
			target.Thread = cb.Message.Timestamp
		}
	}
	d := answerDraft{Title: e.Title, Answer: e.Body, Questions: e.Questions, Entities: e.Entities}
	note := "Suggesting a better answer for “" + oneLine(e.Title) + "”: once saved, everyone who asks gets yours."
	return d, target, note, true
}

// answeringNote heads the modal with the question it answers.
func answeringNote(question string) string {
	return "Answering: “" + cut(oneLine(question), maxTargetQuestion) + "”"
}

// saveMessage opens the Answer modal on a message, through the "Save as dvkbot answer"
// shortcut: its text, back in Markdown, is the answer. When a question waits for an expert in
// the message's thread, this answers it.
func (b *Bot) saveMessage(ctx context.Context, cb slack.InteractionCallback) {
	msg := cb.Message
	thread := msg.ThreadTimestamp
	if thread == "" {
		thread = msg.Timestamp
	}
	d := answerDraft{Answer: MarkdownFromMrkdwn(msg.Text)}
	target := modalTarget{Channel: cb.Channel.ID, Thread: thread, Source: cb.Channel.ID + "/" + msg.Timestamp}
	note := "Saving this message as an answer: edit it as you like before saving."
	pctx, cancel := context.WithTimeout(ctx, brainTimeout)
	p, found, err := b.brain.PendingQuestion(pctx, brain.PendingID(cb.Channel.ID, thread))
	cancel()
	switch {
	case err != nil:
		b.brainFailed("pending_question", err)
	case found:
		d.Title, d.Questions = cut(oneLine(p.Question), maxTitleInput), []string{p.Question}
		target.Pending, target.Question = p.ID, cut(p.Question, maxTargetQuestion)
		note = answeringNote(p.Question)
	}
	b.openModal(ctx, cb, d, target, note)
}

// openModal opens the Answer modal with cb's trigger_id.
func (b *Bot) openModal(ctx context.Context, cb slack.InteractionCallback, d answerDraft, target modalTarget, note string) {
	meta, err := json.Marshal(target)
	if err == nil {
		err = b.replier.OpenView(ctx, cb.TriggerID, AnswerModal(d, note, string(meta)))
	}
	if err != nil {
		b.log.Error("could not open the Answer modal", "user", cb.User.ID, "err", err)
		b.tell(ctx, cb, "I could not open the answer form: please try again.")
	}
}

// submitAnswer checks and saves what an expert submitted in the Answer modal. It returns the
// submission's ack: nil closes the modal; {"response_action":"errors"} keeps it open with each
// problem under its input. When the answer was saved, then publishes it, to run once the ack
// is sent.
func (b *Bot) submitAnswer(ctx context.Context, cb slack.InteractionCallback) (ack any, then func(context.Context)) {
	var target modalTarget
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &target); err != nil {
		return inputErrors(map[string]string{BlockAnswer: "This form is out of date: cancel it and start again."}), nil
	}
	e := b.draftEntry(readDraft(cb.View.State), target)
	md, problems := b.checkEntry(e)
	if len(problems) > 0 {
		return inputErrors(problems), nil
	}
	link := b.targetLink(ctx, target)
	saveCtx, cancel := context.WithTimeout(ctx, saveTimeout)
	defer cancel()
	saved, err := b.brain.SaveEntry(saveCtx, brain.Draft{Markdown: string(md), Author: cb.User.ID, Permalink: link})
	if err != nil {
		b.brainFailed("save_entry", err, "entry", e.ID)
		msg := "I could not save it just now (my memory is unreachable). Your text is still here: try Save again in a moment."
		if errors.Is(err, brain.ErrInvalid) {
			msg = cut(err.Error(), maxInputError)
		}
		return inputErrors(map[string]string{BlockAnswer: msg}), nil
	}
	b.metrics.captured.Inc()
	b.log.Info("answer captured", "entry", saved.ID, "version", saved.Version, "author", saved.Author, "permalink", saved.Permalink)
	return nil, func(ctx context.Context) { b.publishAnswer(ctx, cb.User.ID, e, target) }
}

// inputErrors is the ack that keeps a modal open with messages under its inputs, by block id.
func inputErrors(errs map[string]string) any {
	return map[string]any{"response_action": "errors", "errors": errs}
}

// targetLink is the permalink a captured entry keeps: the message saved with the shortcut, or
// the thread of a question asked in public. A private conversation is never linked.
func (b *Bot) targetLink(ctx context.Context, target modalTarget) string {
	if channel, ts, ok := strings.Cut(target.Source, "/"); ok {
		return b.permalink(ctx, channel, ts)
	}
	if target.Channel == "" || target.Thread == "" || (target.Pending == "" && target.Gap == "") {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, linkTimeout)
	defer cancel()
	if !b.channels.public(ctx, target.Channel, "") {
		return ""
	}
	return b.permalink(ctx, target.Channel, target.Thread)
}

// publishAnswer posts a saved answer where its question was asked, naming the expert, and
// clears the question from the experts' queue and from /dvk gaps.
func (b *Bot) publishAnswer(ctx context.Context, expert string, e knowledge.Entry, target modalTarget) {
	bctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	if target.Pending != "" {
		if _, _, err := b.brain.ResolvePending(bctx, target.Pending); err != nil {
			b.brainFailed("resolve_pending", err)
		}
	}
	for _, q := range append([]string{target.Gap, target.Question}, e.Questions...) {
		if q == "" {
			continue
		}
		if err := b.brain.DeleteGap(bctx, q); err != nil {
			b.brainFailed("delete_gap", err)
		}
	}
	if target.Channel == "" {
		return
	}
	msg := savedNote(expert, e)
	if target.Pending != "" || target.Gap != "" || target.Entry != "" {
		a := index.Answer{Question: target.Question, Answered: true, Sure: true, Entry: e}
		msg = AnswerMessage(a, MessageOptions{Question: target.Question, Expert: expert})
	}
	if _, err := b.replier.Post(ctx, target.Channel, target.Thread, msg); err != nil {
		b.log.Error("could not post the expert's answer", "channel", target.Channel, "err", err)
		return
	}
	b.rememberThread(ctx, target.Channel, target.Thread, e.ID)
}

// savedNote tells a thread that a message in it is now an answer the bot gives.
func savedNote(expert string, e knowledge.Entry) Message {
	text := fmt.Sprintf("📚 <@%s> saved this as an answer: *%s*. I will answer with it from now on.", expert, EscapeText(entryTitle(e)))
	if !userID.MatchString(expert) {
		text = fmt.Sprintf("📚 Saved as an answer: *%s*. I will answer with it from now on.", EscapeText(entryTitle(e)))
	}
	return Message{Text: fit(oneLine("Saved as an answer: "+entryTitle(e)), maxFallback, EscapeText), Blocks: []slack.Block{contextBlock("saved", text)}}
}
