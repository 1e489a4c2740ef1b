package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/brain"
)

// interactive handles button clicks on the bot's messages and its message shortcut. View
// submissions are not handled here: their ack carries the answer (see submitAnswer).
func (b *Bot) interactive(ctx context.Context, cb slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == SaveAnswerCallbackID {
			b.saveMessage(ctx, cb)
			return
		}
		b.log.Warn("unknown shortcut", "callback_id", cb.CallbackID)
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) > 0 {
			b.blockAction(ctx, cb, cb.ActionCallback.BlockActions[0])
		}
	}
}

// blockAction handles a click on one of the bot's buttons.
func (b *Bot) blockAction(ctx context.Context, cb slack.InteractionCallback, action *slack.BlockAction) {
	switch ActionKind(action.ActionID) {
	case ActionFeedbackUp, ActionFeedbackDown:
		b.feedback(ctx, cb, action.Value, ActionKind(action.ActionID) == ActionFeedbackUp)
	case ActionRelated:
		b.related(ctx, cb, action.Value, sourceRelated)
	case ActionWhole:
		b.related(ctx, cb, action.Value, sourceWhole)
	case ActionShare:
		b.share(ctx, cb, action.Value)
	case ActionAnswer:
		b.openAnswer(ctx, cb, action.Value)
	case ActionAskExperts:
		b.askExperts(ctx, cb, action.Value)
	default:
		b.log.Warn("unknown action", "action_id", action.ActionID)
	}
}

// feedback counts a vote for an entry, once per person and message (in the brain, which keeps
// the tally per entry), and replaces the buttons with a thank-you, so one person's click is
// visibly taken.
func (b *Bot) feedback(ctx context.Context, cb slack.InteractionCallback, entryID string, up bool) {
	vote := "down"
	if up {
		vote = "up"
	}
	counted := false
	if b.knownEntry(ctx, entryID) {
		counted = b.vote(ctx, brain.Vote{EntryID: entryID, User: cb.User.ID, Channel: cb.Channel.ID, MessageTS: cb.Message.Timestamp, Up: up})
	} else {
		entryID, counted = "unknown", true // keeps the metric's label set to real entries, whatever a payload says
	}
	if counted {
		b.metrics.feedback.WithLabelValues(entryID, vote).Inc()
	}
	b.log.Info("feedback", "entry", entryID, "vote", vote, "counted", counted, "user", cb.User.ID, "channel", cb.Channel.ID)
	original := Message{Text: cb.Message.Text, Blocks: cb.Message.Blocks.BlockSet}
	thanks := ThankYouMessage(original, up, entryID)
	err := b.replier.Update(ctx, cb.Channel.ID, cb.Message.Timestamp, thanks)
	if err == nil {
		return
	}
	// A shared answer was posted through a response_url, maybe where the bot is no member and
	// cannot edit; the click's own response_url can.
	wm := webhook(thanks, "")
	wm.ReplaceOriginal = true
	if cb.ResponseURL == "" || !b.respondWith(ctx, cb.ResponseURL, wm) {
		b.log.Error("feedback update failed", "err", err)
	}
}

// knownEntry reports whether id names an entry: one the bot answers with, or one just captured
// that the index is still being rebuilt with.
func (b *Bot) knownEntry(ctx context.Context, id string) bool {
	if _, ok := b.opts.Answerer.Entry(id); ok {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	_, ok, err := b.brain.Entry(ctx, id)
	if err != nil {
		b.brainFailed("entry", err)
	}
	return ok
}

// related answers with the topic a person picked, where they picked it: in the same thread,
// or privately when the buttons were on a message only they can see. The topic is shown whole,
// so it also serves the "Read the whole answer" button of an excerpt; source says which
// button it was, for the metrics.
func (b *Bot) related(ctx context.Context, cb slack.InteractionCallback, entryID, source string) {
	a, ok := b.opts.Answerer.Explain(entryID)
	if !ok {
		b.log.Warn("related entry no longer exists", "entry", entryID)
		return
	}
	if cb.Container.IsEphemeral {
		b.respond(ctx, cb.ResponseURL, AnswerMessage(a, MessageOptions{Ephemeral: true}), slack.ResponseTypeEphemeral)
		return
	}
	thread := cb.Message.ThreadTimestamp
	if thread == "" && !isDM(cb.Channel.ID) {
		thread = cb.Message.Timestamp // a DM is answered in the DM itself, a channel in the thread
	}
	b.rememberThread(ctx, cb.Channel.ID, thread, entryID) // before the reply, as for a mention
	msg := AnswerMessage(a, MessageOptions{})
	if _, err := b.replier.Post(ctx, cb.Channel.ID, thread, msg); err != nil {
		// Where the bot is no member (an answer shared there), the click's response_url still
		// reaches the channel.
		wm := webhook(msg, slack.ResponseTypeInChannel)
		wm.ThreadTimestamp = thread
		if cb.ResponseURL == "" || !b.respondWith(ctx, cb.ResponseURL, wm) {
			b.log.Error("related reply failed", "err", err)
			return
		}
	}
	b.metrics.answers.WithLabelValues("answered", source).Inc()
}

// isDM reports whether a channel id is a direct message with the bot: Slack's DM ids start
// with D.
func isDM(channel string) bool {
	return strings.HasPrefix(channel, "D")
}

// share posts a privately given answer in the channel for everyone, through the response_url
// (which works even where the bot is not a member), then removes the private copy.
func (b *Bot) share(ctx context.Context, cb slack.InteractionCallback, entryID string) {
	a, ok := b.opts.Answerer.Explain(entryID)
	if !ok {
		return
	}
	msg := AnswerMessage(a, MessageOptions{Asker: cb.User.ID})
	if !b.respond(ctx, cb.ResponseURL, msg, slack.ResponseTypeInChannel) {
		return
	}
	if err := b.replier.Respond(ctx, cb.ResponseURL, slack.WebhookMessage{DeleteOriginal: true}); err != nil {
		b.log.Warn("could not remove the private answer after sharing", "err", err)
	}
}
