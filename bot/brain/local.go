package brain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dvkbot/dvkbot/bot/internal/ttl"
)

// local is the in-process brain, in memory or in a bbolt file: dedupe and thread context in
// bounded memory, everything else in the kv store.
type local struct {
	store   kv
	now     func() time.Time
	seen    *ttl.Cache[struct{}]
	threads *ttl.Cache[string]
	changes *notifier
}

var _ Brain = (*local)(nil)

// NewMemory makes a brain that lives in this process only: the bot's memory when no data
// folder or Redis is configured.
func NewMemory(opts Options) Brain {
	return newLocal(newMemKV(), opts)
}

// OpenEmbedded opens the brain in opts.DataDir (brain.db, created if missing): one process
// keeps gaps, votes, captured entries and pending questions across restarts.
func OpenEmbedded(opts Options) (Brain, error) {
	if opts.DataDir == "" {
		return nil, fmt.Errorf("brain: %w", invalid("no data folder given"))
	}
	wait := opts.LockWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	store, err := openBoltKV(opts.DataDir, wait)
	if err != nil {
		return nil, fmt.Errorf("brain: %w", err)
	}
	return newLocal(store, opts), nil
}

func newLocal(store kv, opts Options) *local {
	now := opts.clock()
	return &local{
		store: store, now: now,
		seen:    ttl.New[struct{}](maxHot, DedupeWindow, now),
		threads: ttl.New[string](maxHot, ThreadTTL, now),
		changes: newNotifier(),
	}
}

// MarkSeen implements Deduper.
func (l *local) MarkSeen(_ context.Context, key string) (bool, error) {
	if err := requireIDs(field{"event key", key}); err != nil {
		return false, fmt.Errorf("brain: mark seen: %w", err)
	}
	return l.seen.AddNew(key, struct{}{}), nil
}

// RememberThread implements ThreadMemory.
func (l *local) RememberThread(_ context.Context, channel, threadTS, entryID string) error {
	if err := checkThread(channel, threadTS, entryID); err != nil {
		return fmt.Errorf("brain: remember thread: %w", err)
	}
	l.threads.Set(threadKey(channel, threadTS), entryID)
	return nil
}

// RecallThread implements ThreadMemory.
func (l *local) RecallThread(_ context.Context, channel, threadTS string) (string, bool, error) {
	id, ok := l.threads.Get(threadKey(channel, threadTS))
	return id, ok, nil
}

// RecordGap implements GapLog.
func (l *local) RecordGap(_ context.Context, ask Ask) error {
	now := l.now()
	a, key, err := checkAsk(ask, now)
	if err != nil {
		return fmt.Errorf("brain: record gap: %w", err)
	}
	cutoff := now.Add(-GapWindow)
	err = l.store.update(func(tx txn) error {
		var asks []Ask
		known, err := getJSON(tx, bucketGaps, key, &asks)
		if err != nil {
			return err
		}
		asks = keepAsks(append(asks, a), cutoff)
		if err := putJSON(tx, bucketGaps, key, asks); err != nil {
			return err
		}
		last := strconv.AppendInt(nil, latestAsk(asks).UnixNano(), 10)
		if err := tx.put(bucketGapLast, key, last); err != nil {
			return err
		}
		if known {
			return nil
		}
		return evictGaps(tx)
	})
	if err != nil {
		return fmt.Errorf("brain: record gap: %w", err)
	}
	return nil
}

// evictGaps drops the least recently asked questions past MaxGaps. Questions asked before
// the window need no pruning of their own: listing skips them, and they are the first to go.
func evictGaps(tx txn) error {
	if n, err := count(tx, bucketGapLast); err != nil || n <= MaxGaps {
		return err
	}
	type last struct {
		key string
		at  int64
	}
	var all []last
	err := tx.each(bucketGapLast, func(key string, value []byte) error {
		at, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil {
			return fmt.Errorf("gap %q: last asked %q: %w", key, value, err)
		}
		all = append(all, last{key, at})
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at > all[j].at })
	for _, g := range all[MaxGaps:] {
		if err := deleteGap(tx, g.key); err != nil {
			return err
		}
	}
	return nil
}

// deleteGap forgets a question and when it was last asked.
func deleteGap(tx txn, key string) error {
	return errors.Join(tx.del(bucketGaps, key), tx.del(bucketGapLast, key))
}

// ListGaps implements GapLog.
func (l *local) ListGaps(_ context.Context, viewer string, limit int) ([]Gap, error) {
	cutoff := l.now().Add(-GapWindow)
	var gaps []Gap
	err := l.store.view(func(tx txn) error {
		return tx.each(bucketGaps, func(key string, value []byte) error {
			var asks []Ask
			if err := json.Unmarshal(value, &asks); err != nil {
				return fmt.Errorf("gap %q: %w", key, err)
			}
			if g, ok := summarise(key, asks, viewer, cutoff); ok {
				gaps = append(gaps, g)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("brain: list gaps: %w", err)
	}
	return topGaps(gaps, limit), nil
}

// DeleteGap implements GapLog.
func (l *local) DeleteGap(_ context.Context, question string) error {
	key := gapKey(question)
	if key == "" {
		return fmt.Errorf("brain: delete gap: %w", invalid("empty question"))
	}
	if err := l.store.update(func(tx txn) error { return deleteGap(tx, key) }); err != nil {
		return fmt.Errorf("brain: delete gap: %w", err)
	}
	return nil
}

// Vote implements VoteBox.
func (l *local) Vote(_ context.Context, v Vote) (bool, error) {
	if err := v.check(); err != nil {
		return false, fmt.Errorf("brain: vote: %w", err)
	}
	counted := false
	err := l.store.update(func(tx txn) error {
		voter := v.EntryID + "\x00" + v.voter()
		if tx.get(bucketVoters, voter) != nil {
			return nil
		}
		if err := tx.put(bucketVoters, voter, []byte(v.side())); err != nil {
			return err
		}
		var t Tally
		if _, err := getJSON(tx, bucketTallies, v.EntryID, &t); err != nil {
			return err
		}
		if v.Up {
			t.Up++
		} else {
			t.Down++
		}
		counted = true
		return putJSON(tx, bucketTallies, v.EntryID, t)
	})
	if err != nil {
		return false, fmt.Errorf("brain: vote on %q: %w", v.EntryID, err)
	}
	return counted, nil
}

// Tally implements VoteBox.
func (l *local) Tally(_ context.Context, entryID string) (Tally, error) {
	var t Tally
	err := l.store.view(func(tx txn) error {
		_, err := getJSON(tx, bucketTallies, entryID, &t)
		return err
	})
	if err != nil {
		return Tally{}, fmt.Errorf("brain: tally of %q: %w", entryID, err)
	}
	return t, nil
}

// SaveEntry implements EntryStore.
func (l *local) SaveEntry(_ context.Context, d Draft) (Captured, error) {
	id, err := checkDraft(d)
	if err != nil {
		return Captured{}, fmt.Errorf("brain: save entry: %w", err)
	}
	var saved Captured
	err = l.store.update(func(tx txn) error {
		var history []Captured
		known, err := getJSON(tx, bucketEntries, id, &history)
		if err != nil {
			return err
		}
		if !known {
			if err := checkRoom(tx); err != nil {
				return err
			}
		}
		saved, history = nextVersion(history, id, d, l.now())
		if err := putJSON(tx, bucketEntries, id, history); err != nil {
			return err
		}
		return bumpRevision(tx)
	})
	if err != nil {
		return Captured{}, fmt.Errorf("brain: save entry %q: %w", id, err)
	}
	l.changes.notify()
	return saved, nil
}

// checkRoom refuses a new entry past MaxEntries.
func checkRoom(tx txn) error {
	n, err := count(tx, bucketEntries)
	if err != nil {
		return err
	}
	if n >= MaxEntries {
		return invalid("%d entries are captured already, the most kept: withdraw some first", n)
	}
	return nil
}

// Entry implements EntryStore.
func (l *local) Entry(ctx context.Context, id string) (Captured, bool, error) {
	return latest(l.History(ctx, id))
}

// Entries implements EntryStore.
func (l *local) Entries(_ context.Context) ([]Captured, error) {
	var latest []Captured
	err := l.store.view(func(tx txn) error {
		return tx.each(bucketEntries, func(id string, value []byte) error {
			var history []Captured
			if err := json.Unmarshal(value, &history); err != nil {
				return fmt.Errorf("entry %q: %w", id, err)
			}
			if len(history) > 0 {
				latest = append(latest, history[len(history)-1])
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("brain: list entries: %w", err)
	}
	sort.Slice(latest, func(i, j int) bool { return latest[i].ID < latest[j].ID })
	return latest, nil
}

// History implements EntryStore.
func (l *local) History(_ context.Context, id string) ([]Captured, error) {
	var history []Captured
	err := l.store.view(func(tx txn) error {
		_, err := getJSON(tx, bucketEntries, id, &history)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brain: history of entry %q: %w", id, err)
	}
	return history, nil
}

// WithdrawEntry implements EntryStore.
func (l *local) WithdrawEntry(_ context.Context, id string) (bool, error) {
	existed := false
	err := l.store.update(func(tx txn) error {
		if tx.get(bucketEntries, id) == nil {
			return nil
		}
		existed = true
		if err := tx.del(bucketEntries, id); err != nil {
			return err
		}
		return bumpRevision(tx)
	})
	if err != nil {
		return false, fmt.Errorf("brain: withdraw entry %q: %w", id, err)
	}
	if existed {
		l.changes.notify()
	}
	return existed, nil
}

// revisionKey holds the captured entries' revision in bucketMeta.
const revisionKey = "revision"

// bumpRevision counts one more change to captured entries.
func bumpRevision(tx txn) error {
	rev, err := readRevision(tx)
	if err != nil {
		return err
	}
	return tx.put(bucketMeta, revisionKey, strconv.AppendUint(nil, rev+1, 10))
}

func readRevision(tx txn) (uint64, error) {
	raw := tx.get(bucketMeta, revisionKey)
	if raw == nil {
		return 0, nil
	}
	rev, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("revision %q: %w", raw, err)
	}
	return rev, nil
}

// Revision implements EntryStore.
func (l *local) Revision(_ context.Context) (uint64, error) {
	var rev uint64
	err := l.store.view(func(tx txn) (err error) {
		rev, err = readRevision(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("brain: revision: %w", err)
	}
	return rev, nil
}

// Watch implements EntryStore.
func (l *local) Watch(ctx context.Context) <-chan struct{} {
	return l.changes.watch(ctx)
}

// AddPending implements ExpertQueue.
func (l *local) AddPending(_ context.Context, p Pending) (Pending, error) {
	p, err := checkPending(p, l.now())
	if err != nil {
		return Pending{}, fmt.Errorf("brain: add pending question: %w", err)
	}
	err = l.store.update(func(tx txn) error {
		known := tx.get(bucketPending, p.ID) != nil
		if err := putJSON(tx, bucketPending, p.ID, p); err != nil {
			return err
		}
		if known {
			return nil
		}
		return evictPending(tx)
	})
	if err != nil {
		return Pending{}, fmt.Errorf("brain: add pending question %q: %w", p.ID, err)
	}
	return p, nil
}

// evictPending drops the oldest questions past MaxPending.
func evictPending(tx txn) error {
	if n, err := count(tx, bucketPending); err != nil || n <= MaxPending {
		return err
	}
	all, err := pendingIn(tx)
	if err != nil {
		return err
	}
	for _, p := range all[:len(all)-MaxPending] {
		if err := tx.del(bucketPending, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// pendingIn lists the waiting questions, oldest first.
func pendingIn(tx txn) ([]Pending, error) {
	var all []Pending
	err := tx.each(bucketPending, func(id string, value []byte) error {
		var p Pending
		if err := json.Unmarshal(value, &p); err != nil {
			return fmt.Errorf("pending question %q: %w", id, err)
		}
		all = append(all, p)
		return nil
	})
	sortPending(all)
	return all, err
}

// PendingQuestion implements ExpertQueue.
func (l *local) PendingQuestion(_ context.Context, id string) (Pending, bool, error) {
	var p Pending
	var ok bool
	err := l.store.view(func(tx txn) (err error) {
		ok, err = getJSON(tx, bucketPending, id, &p)
		return err
	})
	if err != nil {
		return Pending{}, false, fmt.Errorf("brain: pending question %q: %w", id, err)
	}
	return p, ok, nil
}

// ListPending implements ExpertQueue.
func (l *local) ListPending(_ context.Context) ([]Pending, error) {
	var all []Pending
	err := l.store.view(func(tx txn) (err error) {
		all, err = pendingIn(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brain: list pending questions: %w", err)
	}
	return all, nil
}

// ResolvePending implements ExpertQueue.
func (l *local) ResolvePending(_ context.Context, id string) (Pending, bool, error) {
	var p Pending
	var ok bool
	err := l.store.update(func(tx txn) (err error) {
		if ok, err = getJSON(tx, bucketPending, id, &p); err != nil || !ok {
			return err
		}
		return tx.del(bucketPending, id)
	})
	if err != nil {
		return Pending{}, false, fmt.Errorf("brain: resolve pending question %q: %w", id, err)
	}
	return p, ok, nil
}

// Ping implements Brain: an in-process store is always there.
func (l *local) Ping(context.Context) error { return nil }

// Close implements Brain.
func (l *local) Close() error {
	l.changes.close()
	if err := l.store.close(); err != nil {
		return fmt.Errorf("brain: close: %w", err)
	}
	return nil
}

// count is the number of keys in a bucket.
func count(tx txn, bucket string) (int, error) {
	n := 0
	err := tx.each(bucket, func(string, []byte) error { n++; return nil })
	return n, err
}

// getJSON decodes the value at key into v; found is false (and v untouched) when there is none.
func getJSON(tx txn, bucket, key string, v any) (found bool, err error) {
	raw := tx.get(bucket, key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("%s %q: %w", bucket, key, err)
	}
	return true, nil
}

// putJSON stores v encoded at key.
func putJSON(tx txn, bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s %q: %w", bucket, key, err)
	}
	return tx.put(bucket, key, raw)
}
