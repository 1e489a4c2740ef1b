package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// dispatch handles one socket event on the reader goroutine: connection state is recorded,
// envelopes are acked at once and their work queued.
func (b *Bot) dispatch(ctx context.Context, evt socketmode.Event) {
	received := time.Now()
	b.metrics.events.WithLabelValues(string(evt.Type)).Inc()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.connected.Store(false) // a reconnect is under way: not ready until it is done
		b.logThrottled(slog.LevelInfo, "connecting", "connecting to Slack")
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok && ce.ConnectionCount > 0 {
			b.metrics.reconnects.Inc()
			b.logThrottled(slog.LevelInfo, "connected", "reconnected to Slack", "connection", ce.ConnectionCount)
		} else {
			b.logThrottled(slog.LevelInfo, "connected", "connected to Slack")
		}
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		b.logThrottled(slog.LevelWarn, "connection_error", "connection to Slack failed", "type", evt.Type, "data", fmtData(evt.Data))
	case socketmode.EventTypeIncomingError:
		b.logThrottled(slog.LevelWarn, "incoming_error", "unreadable frame from Slack", "data", fmtData(evt.Data))
	case socketmode.EventTypeErrorBadMessage:
		b.badMessage(ctx, evt)
	case socketmode.EventTypeEventsAPI:
		if !b.hasRoom(evt) {
			return
		}
		b.ack(ctx, evt.Request.EnvelopeID, nil)
		b.eventsAPI(evt, received)
	case socketmode.EventTypeSlashCommand:
		if !b.hasRoom(evt) {
			return
		}
		b.ack(ctx, evt.Request.EnvelopeID, nil)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			b.enqueue(job{name: "slash_command", run: func(ctx context.Context) { b.slash(ctx, cmd, received) }})
		}
	case socketmode.EventTypeInteractive:
		if !b.hasRoom(evt) {
			return
		}
		cb, ok := evt.Data.(slack.InteractionCallback)
		if ok && cb.Type == slack.InteractionTypeViewSubmission {
			b.enqueue(job{name: "view_submission", run: func(ctx context.Context) { b.viewSubmission(ctx, evt.Request.EnvelopeID, cb) }})
			return
		}
		b.ack(ctx, evt.Request.EnvelopeID, nil)
		if ok {
			b.enqueue(job{name: "interactive", run: func(ctx context.Context) { b.interactive(ctx, cb) }})
		}
	}
}

// viewSubmission answers a modal's submission. Slack shows the problems found in it from the
// ack itself, so the ack waits for the answer to be checked and saved (well within Slack's 3 s),
// and what follows a save runs after it.
func (b *Bot) viewSubmission(ctx context.Context, envelopeID string, cb slack.InteractionCallback) {
	if cb.View.CallbackID != AnswerCallbackID {
		b.ack(ctx, envelopeID, nil)
		b.log.Warn("unknown view submitted", "callback_id", cb.View.CallbackID)
		return
	}
	payload, then := b.submitAnswer(ctx, cb)
	b.ack(ctx, envelopeID, payload)
	if then != nil {
		then(ctx)
	}
}

// badMessage acks an envelope slack-go could not decode (else Slack redelivers it) and logs it.
func (b *Bot) badMessage(ctx context.Context, evt socketmode.Event) {
	b.metrics.badEnvelopes.Inc()
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	id := envelopeID(bad.Message)
	b.ack(ctx, id, nil)
	b.log.Warn("acked an envelope that could not be decoded", "envelope_id", id, "err", bad.Cause)
}

// eventsAPI routes an Events API envelope. Every event id is answered once, by whichever replica
// sees it first: Slack redelivers events it thinks were not handled, maybe to another replica.
// The check is the worker's, since with a shared brain it is a call to Redis, and the socket
// reader must never wait on one.
func (b *Bot) eventsAPI(evt socketmode.Event, received time.Time) {
	outer, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return
	}
	eventKey := ""
	if cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		eventKey = "event:" + cb.EventID
	}
	switch ev := outer.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		// An app_mention says nothing of the channel's kind: whether it is public is looked up
		// only if the question goes unanswered.
		b.onMessage(eventKey, incoming{source: sourceMention, channel: ev.Channel, user: ev.User, botID: ev.BotID,
			text: ev.Text, ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp, received: received})
	case *slackevents.MessageEvent:
		if ev.ChannelType != "im" {
			return
		}
		b.onMessage(eventKey, incoming{source: sourceDM, channel: ev.Channel, channelType: ev.ChannelType, user: ev.User, botID: ev.BotID,
			subtype: ev.SubType, text: ev.Text, ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp, received: received})
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab == "home" {
			b.enqueue(job{name: "app_home", run: func(ctx context.Context) {
				if b.firstOnce(ctx, eventKey) {
					b.publishHome(ctx, ev.User)
				}
			}})
		}
	}
}

// firstOnce is firstDelivery for an event that may have no id to check (key "").
func (b *Bot) firstOnce(ctx context.Context, key string) bool {
	return key == "" || b.firstDelivery(ctx, key)
}

// incoming is a message that may need an answer, from a mention or a DM.
type incoming struct {
	source                        string
	channel, user, botID, subtype string
	text, ts, threadTS            string
	// channelType is the message event's channel_type ("channel", "group", "im", "mpim"); ""
	// for an app_mention, which does not carry it.
	channelType string
	received    time.Time
}

// Where a question came from, for metrics and logs.
const (
	sourceMention  = "mention"
	sourceDM       = "dm"
	sourceSlash    = "slash"
	sourceFollowUp = "followup"
	sourceRelated  = "related"
	sourceWhole    = "whole"
)

// onMessage filters what the bot must not answer, then queues the answer of an event seen for
// the first time (eventKey, "" when it has no id).
func (b *Bot) onMessage(eventKey string, m incoming) {
	if reason := b.ignoreReason(m); reason != "" {
		b.metrics.ignoredEvents.WithLabelValues(reason).Inc()
		b.log.Debug("ignored message", "reason", reason, "channel", m.channel, "ts", m.ts)
		return
	}
	b.enqueue(job{name: m.source, run: func(ctx context.Context) {
		// One mention can arrive both as app_mention and as message: answer the message once.
		if b.firstOnce(ctx, eventKey) && b.firstDelivery(ctx, "msg:"+m.channel+":"+m.ts) {
			b.answerMessage(ctx, m)
		}
	}})
}

// ignoreReason says why a message gets no answer, or "" when it should get one. The bot never
// answers itself, Slackbot or any other bot, which rules out reply loops.
func (b *Bot) ignoreReason(m incoming) string {
	switch {
	case m.botID != "" || m.subtype == "bot_message":
		return "bot"
	case m.user == "" || m.user == b.selfUser || m.user == "USLACKBOT":
		return "self_or_slackbot"
	case m.subtype != "" && m.subtype != "thread_broadcast" && m.subtype != "file_share":
		return "subtype"
	case m.source == sourceMention && len(b.allowed) > 0 && !b.allowed[m.channel]:
		return "channel_not_allowed"
	}
	return ""
}

func fmtData(data any) any {
	if err, ok := data.(error); ok {
		return err.Error()
	}
	return data
}
