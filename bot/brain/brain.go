// Package brain is what dvkbot remembers between one Slack event and the next: which events it
// has already handled, the answer each thread is about, the questions it could not answer, the
// votes on its answers, the entries experts captured in Slack and the questions waiting for an
// expert.
//
// One interface, Brain, has three implementations, chosen by Open:
//   - memory, when neither a data folder nor Redis is configured: lost on exit;
//   - embedded, a single bbolt file in a data folder: one process, survives a restart;
//   - shared, Redis: every replica of the bot sees the same memory, and a change to captured
//     entries on one replica reaches the others through pub/sub, with a revision key polled as
//     the fallback for a missed message.
//
// Dedupe and thread context are short-lived and on the path of every reply, so the embedded
// brain keeps them in bounded memory rather than paying a disk sync per event; everything a
// team would miss after a restart (gaps, votes, captured entries, pending questions) is on disk.
package brain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Brain is everything the bot remembers. Every method is safe for concurrent use. A store that
// cannot be reached (Redis down) makes methods return errors, never block for long or panic, so
// the bot can keep answering from its index and count the failures.
type Brain interface {
	Deduper
	ThreadMemory
	GapLog
	VoteBox
	EntryStore
	ExpertQueue
	// Ping checks that the store answers: the readiness of a bot that requires its brain.
	Ping(ctx context.Context) error
	// Close stops watchers and releases the store. The Brain must not be used afterwards.
	Close() error
}

// Deduper tells a first delivery of an event from a repeat: Slack retries events, and with
// several replicas a retry may land on another one.
type Deduper interface {
	// MarkSeen records key and reports whether this is the first time it was seen within
	// DedupeWindow. Of any number of concurrent calls with one key, on any replica sharing the
	// brain, exactly one gets true.
	MarkSeen(ctx context.Context, key string) (first bool, err error)
}

// ThreadMemory keeps the context of a conversation: the last entry answered in a thread, so a
// follow-up question there is read in its light.
type ThreadMemory interface {
	// RememberThread records entryID as the last answer in a thread (or a DM's top level, with an
	// empty threadTS) for ThreadTTL.
	RememberThread(ctx context.Context, channel, threadTS, entryID string) error
	// RecallThread returns the last entry answered in a thread; ok is false when none is
	// remembered.
	RecallThread(ctx context.Context, channel, threadTS string) (entryID string, ok bool, err error)
}

// GapLog counts the questions the bot could not answer, so a team sees what to write next. It
// knows where each was asked: a question asked in private is shown to its asker only.
type GapLog interface {
	// RecordGap counts one unanswered question. Questions that differ only in case, spacing or
	// closing punctuation count as one. Ask.At is set to now when zero.
	RecordGap(ctx context.Context, ask Ask) error
	// ListGaps returns up to limit questions (all when limit <= 0) asked within GapWindow, most
	// asked first, then most recent. Only asks the viewer may see count: public ones, and the
	// viewer's own private ones (none when viewer is empty).
	ListGaps(ctx context.Context, viewer string, limit int) ([]Gap, error)
	// DeleteGap forgets a question, once it has been answered. question may be a Gap's Key or any
	// wording that normalises to it.
	DeleteGap(ctx context.Context, question string) error
}

// VoteBox keeps the 👍 and 👎 votes on answers.
type VoteBox interface {
	// Vote counts a vote unless the same user already voted on the same message; counted says
	// whether it did.
	Vote(ctx context.Context, v Vote) (counted bool, err error)
	// Tally returns the votes counted for an entry.
	Tally(ctx context.Context, entryID string) (Tally, error)
}

// EntryStore keeps the knowledge entries captured in Slack, each as the Markdown of a knowledge
// file plus who wrote it, when and where from. Every save makes a new version; the latest wins.
type EntryStore interface {
	// SaveEntry stores a new version of the entry whose id is in the draft's front matter. The
	// Markdown must parse as a knowledge entry; an error wrapping ErrInvalid (and the
	// knowledge.Problems found) says why not.
	SaveEntry(ctx context.Context, d Draft) (Captured, error)
	// Entry returns the latest version of an entry.
	Entry(ctx context.Context, id string) (c Captured, ok bool, err error)
	// Entries returns the latest version of every entry, by id.
	Entries(ctx context.Context) ([]Captured, error)
	// History returns the versions kept of an entry, oldest first (at most MaxVersions).
	History(ctx context.Context, id string) ([]Captured, error)
	// WithdrawEntry deletes an entry with all its versions; existed is false when there was none.
	WithdrawEntry(ctx context.Context, id string) (existed bool, err error)
	// Revision grows with every change to captured entries, on any replica sharing the brain.
	Revision(ctx context.Context) (uint64, error)
	// Watch returns a channel that receives a value after captured entries changed, here or on
	// another replica: time to rebuild the index from Entries. Signals coalesce (a slow reader
	// gets one for many changes), and one may come without a change (a replica's first look at
	// the revision): reading Entries again is always safe. The channel is closed when ctx is
	// done or the brain closes.
	Watch(ctx context.Context) <-chan struct{}
}

// ExpertQueue holds the questions waiting for an expert's answer.
type ExpertQueue interface {
	// AddPending queues a question, keyed by its channel and thread (PendingID): asking again in
	// the same thread replaces it. Pending.Asked is set to now when zero.
	AddPending(ctx context.Context, p Pending) (Pending, error)
	// PendingQuestion returns a waiting question by id.
	PendingQuestion(ctx context.Context, id string) (p Pending, ok bool, err error)
	// ListPending returns the waiting questions, oldest first.
	ListPending(ctx context.Context) ([]Pending, error)
	// ResolvePending removes a question once answered and returns it. Of concurrent calls with
	// one id, exactly one gets ok.
	ResolvePending(ctx context.Context, id string) (p Pending, ok bool, err error)
}

// How long things are remembered, and how much.
const (
	// DedupeWindow is how long an event key is remembered. Slack retries an event it saw no ack
	// for after about 1 and 5 minutes.
	DedupeWindow = 15 * time.Minute
	// ThreadTTL is how long a thread keeps its context after its last answer.
	ThreadTTL = time.Hour
	// GapWindow is how far back unanswered questions are counted.
	GapWindow = 7 * 24 * time.Hour
	// MaxGaps bounds the distinct unanswered questions kept; past it the least recently asked
	// is forgotten.
	MaxGaps = 500
	// MaxAsksPerGap bounds the asks kept per question (the newest), and so its count.
	MaxAsksPerGap = 100
	// MaxEntries bounds the captured entries; saving a new one past it fails.
	MaxEntries = 10000
	// MaxVersions is how many versions of a captured entry are kept, the newest.
	MaxVersions = 20
	// MaxMarkdown bounds a captured entry's Markdown, in bytes.
	MaxMarkdown = 64 << 10
	// MaxPending bounds the questions waiting for an expert; past it the oldest is dropped.
	MaxPending = 1000
	// maxHot bounds the event keys and thread contexts an in-process brain holds.
	maxHot = 20000
)

// ErrInvalid marks an error caused by what was passed in, not by the store: a caller shows it
// to the user rather than counting it as a brain failure.
var ErrInvalid = errors.New("invalid input")

// Options say which brain Open makes.
type Options struct {
	// RedisURL, when set, makes the shared brain, e.g. redis://:password@redis:6379/0. It wins
	// over DataDir. Timeouts not given in the URL default to 2 s and one retry (of the call
	// and of the dial), so an outage fails calls quickly instead of stalling replies.
	RedisURL string
	// DataDir, when set (and RedisURL not), makes the embedded brain: the file brain.db in this
	// folder, created if missing.
	DataDir string
	// LockWait bounds how long Open waits for another process to release the embedded brain's
	// file; 10 s when zero.
	LockWait time.Duration
	// Now is the clock for timestamps and windows; time.Now when nil. Expiry of dedupe keys and
	// thread context in Redis follows the server's clock.
	Now func() time.Time
	// Logger receives the Redis client's own messages (reconnects, failed dials) at debug
	// level: the brain's calls return their errors anyway. slog.Default() when nil. The Redis
	// client has one logger per process, so the last shared brain opened sets it.
	Logger *slog.Logger
}

// Open makes the brain the options ask for: shared (Redis), embedded (bbolt) or memory. A
// malformed RedisURL or an unusable DataDir is an error; an unreachable Redis is not (calls fail
// until it is back; see Ping).
func Open(opts Options) (Brain, error) {
	switch {
	case opts.RedisURL != "":
		return OpenRedis(opts)
	case opts.DataDir != "":
		return OpenEmbedded(opts)
	default:
		return NewMemory(opts), nil
	}
}

// clock returns the options' clock, time.Now by default.
func (o Options) clock() func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}

// stamp is a time as the brain stores it: UTC, without the monotonic reading, so a time read
// back from any store equals the one returned when it was written.
func stamp(t time.Time) time.Time {
	return t.UTC().Round(0)
}

// invalid builds an ErrInvalid error with a message naming what is wrong.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// maxID bounds an id taken from a Slack payload (entry, user, channel, ts), in bytes.
const maxID = 256

// field is a named value for requireIDs.
type field struct{ name, value string }

// requireIDs checks that each field is set and within maxID bytes.
func requireIDs(fields ...field) error {
	for _, f := range fields {
		if f.value == "" || len(f.value) > maxID {
			return invalid("%s must be 1 to %d bytes, got %d", f.name, maxID, len(f.value))
		}
	}
	return nil
}
