package bot

import (
	"context"
	"time"

	"github.com/dvkbot/dvkbot/index"
)

// answerMessage answers a mention or a DM where it was asked: in the message's thread (or the
// thread it was asked in); a top-level DM is answered in the DM itself. A question in a thread
// the bot already answered is a follow-up and keeps that answer's context.
func (b *Bot) answerMessage(ctx context.Context, m incoming) {
	replyTS := m.threadTS
	if replyTS == "" && m.source == sourceMention {
		replyTS = m.ts
	}
	convo := conversationKey(m.channel, replyTS)
	source := m.source
	var a index.Answer
	if previous, ok := b.threads.Get(convo); ok {
		source = sourceFollowUp
		a = b.opts.Answerer.FollowUp(m.text, previous)
	} else {
		a = b.opts.Answerer.Answer(m.text)
	}
	// Remembered before replying: a person may ask the next question as soon as they see this
	// answer, before the post's response has come back to us.
	if a.Answered {
		b.threads.Set(convo, a.Entry.ID)
	}
	if !a.Answered {
		who := Asker{User: m.user, Public: b.channels.public(ctx, m.channel, m.channelType)}
		b.asked(a, who, "channel", m.channel, "ts", m.ts)
	}
	msg := AnswerMessage(a, MessageOptions{})
	if _, err := b.replier.Post(ctx, m.channel, replyTS, msg); err != nil {
		b.log.Error("reply failed", "channel", m.channel, "ts", m.ts, "err", err)
		return
	}
	b.answered(a, source, m.received, "channel", m.channel, "ts", m.ts)
}

// conversationKey names where a conversation's context is kept: a thread, or a DM's top level.
func conversationKey(channel, threadTS string) string {
	return channel + "/" + threadTS
}

// asked records a question the bot could not answer: counted, kept for /dvk gaps and logged on
// its own, so a team knows what knowledge to write next. The text of a private question (DM,
// slash command, private channel) is logged at debug level only: it may hold what its asker
// would never post where others read, and logs are read by others.
func (b *Bot) asked(a index.Answer, who Asker, attrs ...any) {
	if a.Answered {
		return
	}
	b.metrics.unanswered.Inc()
	// The cleaned text: Slack's markup would count one question asked by mention, DM and
	// slash command as three, and show as escaped noise in /dvk gaps.
	question := a.Match.Question.Text
	b.gaps.Record(question, who)
	attrs = append(attrs, "reason", a.Match.Reason, "public", who.Public)
	if who.Public {
		b.log.Info("unanswered question", append(attrs, "question", question)...)
		return
	}
	b.log.Info("unanswered question", attrs...)
	b.log.Debug("unanswered private question", append(attrs, "question", question)...)
}

// answered records a reply sent: metrics, the latency from the event, and a log line.
func (b *Bot) answered(a index.Answer, source string, received time.Time, attrs ...any) {
	outcome := "answered"
	if !a.Answered {
		outcome = "unanswered"
	}
	b.metrics.answers.WithLabelValues(outcome, source).Inc()
	latency := time.Since(received)
	b.metrics.latency.Observe(latency.Seconds())
	b.log.Info("replied", append(attrs, "source", source, "outcome", outcome, "entry", a.Entry.ID,
		"confidence", a.Confidence, "latency_ms", float64(latency.Microseconds())/1000)...)
}
