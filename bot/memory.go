package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
)

// brainTimeout bounds one call to the brain on the path of a reply. The shared brain fails a
// call on its own within seconds when Redis is down; this bounds whatever else could stall.
const brainTimeout = 3 * time.Second

// The bot remembers through its brain, and a brain that fails (Redis unreachable, a disk
// error) never costs a reply: each helper below counts and logs the failure and carries on as if
// the brain had nothing to say. An error caused by the input itself (brain.ErrInvalid: an id
// longer than Slack's) is no failure of the brain and is only logged at debug level.

// brainFailed counts and logs a failed call to the brain.
func (b *Bot) brainFailed(op string, err error, attrs ...any) {
	if errors.Is(err, brain.ErrInvalid) {
		b.log.Debug("brain refused the input", append(attrs, "op", op, "err", err)...)
		return
	}
	b.metrics.brainErrors.WithLabelValues(op).Inc()
	b.logThrottled(slog.LevelWarn, "brain_"+op, "brain call failed; carrying on without it", append(attrs, "op", op, "err", err)...)
}

// firstDelivery reports whether key (an event id, or a message's channel and ts) is seen for the
// first time by any replica sharing the brain. When the brain cannot tell, the event is
// handled: a rare duplicate answer is the lesser harm next to a question never answered.
func (b *Bot) firstDelivery(ctx context.Context, key string) bool {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	first, err := b.brain.MarkSeen(ctx, key)
	if err != nil {
		b.brainFailed("mark_seen", err, "key", key)
		return true
	}
	if !first {
		b.metrics.duplicates.Inc()
		b.log.Info("skipped an event already handled", "key", key)
	}
	return first
}

// recallThread returns the last entry answered in a conversation, if any is remembered.
func (b *Bot) recallThread(ctx context.Context, channel, threadTS string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	id, ok, err := b.brain.RecallThread(ctx, channel, threadTS)
	if err != nil {
		b.brainFailed("recall_thread", err, "channel", channel, "thread_ts", threadTS)
		return "", false
	}
	return id, ok
}

// rememberThread records the entry answered in a conversation, so a follow-up there, on any
// replica, is read in its light.
func (b *Bot) rememberThread(ctx context.Context, channel, threadTS, entryID string) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	if err := b.brain.RememberThread(ctx, channel, threadTS, entryID); err != nil {
		b.brainFailed("remember_thread", err, "channel", channel, "thread_ts", threadTS)
	}
}

// recordGap keeps an unanswered question for /dvk gaps, with where it was asked.
func (b *Bot) recordGap(ctx context.Context, ask brain.Ask) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	if err := b.brain.RecordGap(ctx, ask); err != nil {
		b.brainFailed("record_gap", err, "channel", ask.Channel)
	}
}

// vote counts a 👍 or 👎 on an answer, once per person and message; counted is false for a
// repeated vote, and true when the brain could not tell.
func (b *Bot) vote(ctx context.Context, v brain.Vote) (counted bool) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	counted, err := b.brain.Vote(ctx, v)
	if err != nil {
		b.brainFailed("vote", err, "entry", v.EntryID)
		return true
	}
	return counted
}
