package bot

import (
	"context"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
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
	source := m.source
	var a index.Answer
	if previous, ok := b.recallThread(ctx, m.channel, replyTS); ok {
		source = sourceFollowUp
		a = b.opts.Answerer.FollowUp(m.text, previous)
	} else {
		a = b.opts.Answerer.Answer(m.text)
	}
	// Remembered before replying: a person may ask the next question as soon as they see this
	// answer, before the post's response has come back to us.
	var opts MessageOptions
	public := false
	if a.Answered {
		b.rememberThread(ctx, m.channel, replyTS, a.Entry.ID)
	} else {
		public = b.channels.public(ctx, m.channel, m.channelType)
		b.asked(ctx, a, brain.Ask{User: m.user, Channel: m.channel, ThreadTS: replyTS, Public: public}, "ts", m.ts)
		opts.Loop = b.loopOffer(a.Match.Question.Text, m.user, m.channel, firstOf(replyTS, m.ts), public)
	}
	// A public question waits for an expert from before the reply offers to answer it.
	var waiting *brain.Pending
	if public {
		waiting = b.addPending(ctx, brain.Pending{Question: a.Match.Question.Text, Channel: m.channel, ThreadTS: replyTS, Asker: m.user})
	}
	if _, err := b.replier.Post(ctx, m.channel, replyTS, AnswerMessage(a, opts)); err != nil {
		b.log.Error("reply failed", "channel", m.channel, "ts", m.ts, "err", err)
		return
	}
	b.answered(a, source, m.received, "channel", m.channel, "ts", m.ts)
	if waiting != nil && b.opts.ExpertsChannel != "" {
		b.postToExperts(ctx, *waiting, b.permalink(ctx, m.channel, replyTS))
	}
}

// firstOf is the first of values that is not empty.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// asked records a question the bot could not answer, asked as ask says (its Question is filled
// in here): counted, kept for /dvk gaps and logged on its own, so a team knows what knowledge to
// write next. The text of a private question (DM, slash command, private channel) is logged at
// debug level only: it may hold what its asker would never post where others read, and logs are
// read by others.
func (b *Bot) asked(ctx context.Context, a index.Answer, ask brain.Ask, attrs ...any) {
	if a.Answered {
		return
	}
	b.metrics.unanswered.Inc()
	// The cleaned text: Slack's markup would count one question asked by mention, DM and
	// slash command as three, and show as escaped noise in /dvk gaps.
	question := a.Match.Question.Text
	ask.Question = question
	b.recordGap(ctx, ask)
	attrs = append(attrs, "channel", ask.Channel, "user", ask.User, "reason", a.Match.Reason, "public", ask.Public)
	if ask.Public {
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
