package brain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// shared is the brain in Redis, shared by every replica of the bot. Dedupe is SET NX EX, thread
// context a key with a TTL, and a change to captured entries bumps a revision key and is
// published; each replica also polls the revision, so a message lost while its subscription
// was down is seen within pollInterval.
type shared struct {
	client  *redis.Client
	now     func() time.Time
	changes *notifier
	// seenRev is the newest revision of captured entries this replica has signalled.
	seenRev atomic.Uint64
	stop    context.CancelFunc
	done    sync.WaitGroup
}

var _ Brain = (*shared)(nil)

// Redis key names, all under one prefix so the brain can share a database.
const (
	keyPrefix      = "dvkbot:"
	keyRevision    = keyPrefix + "entries:revision"
	keyEntryIDs    = keyPrefix + "entries"
	keyGaps        = keyPrefix + "gaps"
	keyPending     = keyPrefix + "pending"
	channelChanges = keyPrefix + "entries:changed"
)

// Redis call bounds used unless the URL sets them: an outage fails a call at once (refused) or
// within seconds (unreachable), so the bot answers from its index instead of waiting on its
// memory.
const (
	redisTimeout = 2 * time.Second
	redisRetries = 1
	// pollInterval is how often the revision is read, the fallback for a missed publish.
	pollInterval = time.Second
	// maxTxRetries bounds optimistic transactions that lost a race with another replica.
	maxTxRetries = 16
)

// OpenRedis connects the shared brain to opts.RedisURL. It does not wait for Redis: calls fail
// while it is unreachable and work again once it is back.
func OpenRedis(opts Options) (Brain, error) {
	ro, err := redis.ParseURL(opts.RedisURL)
	if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
		err = urlErr.Err // url.Error quotes the URL, and with it the password
	}
	if err != nil {
		return nil, fmt.Errorf("brain: Redis URL: %w", err)
	}
	if ro.DialTimeout == 0 {
		ro.DialTimeout = redisTimeout
	}
	if ro.ReadTimeout == 0 {
		ro.ReadTimeout = redisTimeout
	}
	if ro.WriteTimeout == 0 {
		ro.WriteTimeout = redisTimeout
	}
	if ro.MaxRetries == 0 {
		ro.MaxRetries = redisRetries
	}
	if ro.DialerRetries == 0 {
		ro.DialerRetries = redisRetries
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	redis.SetLogger(redisLog{logger})
	ctx, stop := context.WithCancel(context.Background())
	s := &shared{client: redis.NewClient(ro), now: opts.clock(), changes: newNotifier(), stop: stop}
	s.done.Add(1)
	go s.follow(ctx)
	return s, nil
}

// redisLog passes the Redis client's messages to slog at debug level.
type redisLog struct {
	log *slog.Logger
}

// Printf implements the Redis client's logging interface.
func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// follow signals Watch channels when another replica changes captured entries: on a published
// revision, or when the polled revision moved.
func (s *shared) follow(ctx context.Context) {
	defer s.done.Done()
	sub := s.client.Subscribe(ctx, channelChanges)
	defer sub.Close()
	messages := sub.Channel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-messages:
			if !ok {
				return
			}
			if rev, err := strconv.ParseUint(m.Payload, 10, 64); err == nil {
				s.saw(rev)
			}
		case <-tick.C:
			if rev, err := s.Revision(ctx); err == nil {
				s.saw(rev)
			}
		}
	}
}

// saw signals watchers when rev differs from the last revision signalled. Different, not only
// newer: a Redis restarted without its data starts counting again.
func (s *shared) saw(rev uint64) {
	if s.seenRev.Swap(rev) != rev {
		s.changes.notify()
	}
}

// MarkSeen implements Deduper with SET NX EX: the first replica to set the key wins.
func (s *shared) MarkSeen(ctx context.Context, key string) (bool, error) {
	if err := requireIDs(field{"event key", key}); err != nil {
		return false, fmt.Errorf("brain: mark seen: %w", err)
	}
	first, err := s.client.SetNX(ctx, keyPrefix+"seen:"+key, 1, DedupeWindow).Result()
	if err != nil {
		return false, fmt.Errorf("brain: mark seen %q: %w", key, err)
	}
	return first, nil
}

// RememberThread implements ThreadMemory.
func (s *shared) RememberThread(ctx context.Context, channel, threadTS, entryID string) error {
	if err := checkThread(channel, threadTS, entryID); err != nil {
		return fmt.Errorf("brain: remember thread: %w", err)
	}
	if err := s.client.Set(ctx, threadRedisKey(channel, threadTS), entryID, ThreadTTL).Err(); err != nil {
		return fmt.Errorf("brain: remember thread %s: %w", threadKey(channel, threadTS), err)
	}
	return nil
}

// RecallThread implements ThreadMemory.
func (s *shared) RecallThread(ctx context.Context, channel, threadTS string) (string, bool, error) {
	id, err := s.client.Get(ctx, threadRedisKey(channel, threadTS)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("brain: recall thread %s: %w", threadKey(channel, threadTS), err)
	}
	return id, true, nil
}

func threadRedisKey(channel, threadTS string) string {
	return keyPrefix + "thread:" + threadKey(channel, threadTS)
}

// gapRedisKey is the list of a question's asks; the sorted set keyGaps scores each question by
// when it was last asked.
func gapRedisKey(key string) string {
	return keyPrefix + "gap:" + key
}

// RecordGap implements GapLog.
func (s *shared) RecordGap(ctx context.Context, ask Ask) error {
	now := s.now()
	a, key, err := checkAsk(ask, now)
	if err != nil {
		return fmt.Errorf("brain: record gap: %w", err)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("brain: record gap: %w", err)
	}
	cutoff := now.Add(-GapWindow)
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, gapRedisKey(key), raw)
		p.LTrim(ctx, gapRedisKey(key), -MaxAsksPerGap, -1)
		p.PExpire(ctx, gapRedisKey(key), GapWindow)
		p.ZAddGT(ctx, keyGaps, redis.Z{Score: float64(a.At.UnixMilli()), Member: key})
		p.ZRemRangeByScore(ctx, keyGaps, "-inf", strconv.FormatInt(cutoff.UnixMilli(), 10))
		p.ZRemRangeByRank(ctx, keyGaps, 0, -MaxGaps-1) // keeps the MaxGaps most recently asked
		return nil
	})
	if err != nil {
		return fmt.Errorf("brain: record gap: %w", err)
	}
	return nil
}

// ListGaps implements GapLog.
func (s *shared) ListGaps(ctx context.Context, viewer string, limit int) ([]Gap, error) {
	cutoff := s.now().Add(-GapWindow)
	keys, err := s.client.ZRangeByScore(ctx, keyGaps, &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(cutoff.UnixMilli(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("brain: list gaps: %w", err)
	}
	lists := make([]*redis.StringSliceCmd, len(keys))
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			lists[i] = p.LRange(ctx, gapRedisKey(key), 0, -1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("brain: list gaps: %w", err)
	}
	var gaps []Gap
	for i, key := range keys {
		asks, err := decodeAll[Ask](lists[i].Val())
		if err != nil {
			return nil, fmt.Errorf("brain: list gaps: gap %q: %w", key, err)
		}
		if g, ok := summarise(key, asks, viewer, cutoff); ok {
			gaps = append(gaps, g)
		}
	}
	return topGaps(gaps, limit), nil
}

// DeleteGap implements GapLog.
func (s *shared) DeleteGap(ctx context.Context, question string) error {
	key := gapKey(question)
	if key == "" {
		return fmt.Errorf("brain: delete gap: %w", invalid("empty question"))
	}
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, keyGaps, key)
		p.Del(ctx, gapRedisKey(key))
		return nil
	})
	if err != nil {
		return fmt.Errorf("brain: delete gap: %w", err)
	}
	return nil
}

// voteScript counts a vote once per voter: KEYS are the entry's voters hash and tally hash,
// ARGV the voter and the side ("up" or "down").
var voteScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1`)

// Vote implements VoteBox.
func (s *shared) Vote(ctx context.Context, v Vote) (bool, error) {
	if err := v.check(); err != nil {
		return false, fmt.Errorf("brain: vote: %w", err)
	}
	keys := []string{keyPrefix + "voters:" + v.EntryID, keyPrefix + "tally:" + v.EntryID}
	counted, err := voteScript.Run(ctx, s.client, keys, v.voter(), v.side()).Int()
	if err != nil {
		return false, fmt.Errorf("brain: vote on %q: %w", v.EntryID, err)
	}
	return counted == 1, nil
}

// Tally implements VoteBox.
func (s *shared) Tally(ctx context.Context, entryID string) (Tally, error) {
	counts, err := s.client.HMGet(ctx, keyPrefix+"tally:"+entryID, "up", "down").Result()
	if err != nil {
		return Tally{}, fmt.Errorf("brain: tally of %q: %w", entryID, err)
	}
	var n [2]int
	for i, c := range counts {
		if c == nil {
			continue
		}
		if n[i], err = strconv.Atoi(fmt.Sprint(c)); err != nil {
			return Tally{}, fmt.Errorf("brain: tally of %q: %w", entryID, err)
		}
	}
	return Tally{Up: n[0], Down: n[1]}, nil
}

// entryRedisKey holds an entry's versions, oldest first, as JSON.
func entryRedisKey(id string) string {
	return keyPrefix + "entry:" + id
}

// SaveEntry implements EntryStore: an optimistic transaction on the entry's key, so two
// replicas saving the same entry at once make two versions, never one lost.
func (s *shared) SaveEntry(ctx context.Context, d Draft) (Captured, error) {
	id, err := checkDraft(d)
	if err != nil {
		return Captured{}, fmt.Errorf("brain: save entry: %w", err)
	}
	var saved Captured
	var rev *redis.IntCmd
	err = s.transact(ctx, entryRedisKey(id), func(tx *redis.Tx) error {
		history, known, err := s.history(ctx, tx, id)
		if err != nil {
			return err
		}
		if !known {
			if err := s.checkRoom(ctx, tx); err != nil {
				return err
			}
		}
		saved, history = nextVersion(history, id, d, s.now())
		raw, err := json.Marshal(history)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, entryRedisKey(id), raw, 0)
			p.SAdd(ctx, keyEntryIDs, id)
			rev = p.Incr(ctx, keyRevision)
			return nil
		})
		return err
	})
	if err != nil {
		return Captured{}, fmt.Errorf("brain: save entry %q: %w", id, err)
	}
	s.published(ctx, uint64(rev.Val()))
	return saved, nil
}

// checkRoom refuses a new entry past MaxEntries.
func (s *shared) checkRoom(ctx context.Context, tx *redis.Tx) error {
	n, err := tx.SCard(ctx, keyEntryIDs).Result()
	if err != nil {
		return err
	}
	if n >= MaxEntries {
		return invalid("%d entries are captured already, the most kept: withdraw some first", n)
	}
	return nil
}

// published tells this replica's watchers and every other replica about a new revision. A
// failed publish is not an error: the others' poll of the revision catches up.
func (s *shared) published(ctx context.Context, rev uint64) {
	s.saw(rev)
	s.client.Publish(ctx, channelChanges, strconv.FormatUint(rev, 10))
}

// transact runs fn as an optimistic transaction watching key, again if another client changed
// the key meanwhile.
func (s *shared) transact(ctx context.Context, key string, fn func(*redis.Tx) error) error {
	for range maxTxRetries {
		err := s.client.Watch(ctx, fn, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return fmt.Errorf("%d concurrent changes in a row, gave up", maxTxRetries)
}

// history reads an entry's versions through c (the client, or a transaction watching the key).
func (s *shared) history(ctx context.Context, c redis.Cmdable, id string) ([]Captured, bool, error) {
	raw, err := c.Get(ctx, entryRedisKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var history []Captured
	if err := json.Unmarshal(raw, &history); err != nil {
		return nil, true, fmt.Errorf("entry %q: %w", id, err)
	}
	return history, true, nil
}

// Entry implements EntryStore.
func (s *shared) Entry(ctx context.Context, id string) (Captured, bool, error) {
	return latest(s.History(ctx, id))
}

// Entries implements EntryStore.
func (s *shared) Entries(ctx context.Context) ([]Captured, error) {
	ids, err := s.client.SMembers(ctx, keyEntryIDs).Result()
	if err != nil {
		return nil, fmt.Errorf("brain: list entries: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids)
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = entryRedisKey(id)
	}
	values, err := s.client.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("brain: list entries: %w", err)
	}
	var latest []Captured
	for i, v := range values {
		raw, ok := v.(string)
		if !ok {
			continue // withdrawn between the two reads
		}
		var history []Captured
		if err := json.Unmarshal([]byte(raw), &history); err != nil {
			return nil, fmt.Errorf("brain: list entries: entry %q: %w", ids[i], err)
		}
		if len(history) > 0 {
			latest = append(latest, history[len(history)-1])
		}
	}
	return latest, nil
}

// History implements EntryStore.
func (s *shared) History(ctx context.Context, id string) ([]Captured, error) {
	history, _, err := s.history(ctx, s.client, id)
	if err != nil {
		return nil, fmt.Errorf("brain: history of entry %q: %w", id, err)
	}
	return history, nil
}

// WithdrawEntry implements EntryStore.
func (s *shared) WithdrawEntry(ctx context.Context, id string) (bool, error) {
	existed := false
	var rev *redis.IntCmd
	err := s.transact(ctx, entryRedisKey(id), func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, entryRedisKey(id)).Result()
		if err != nil || n == 0 {
			return err
		}
		existed = true
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, entryRedisKey(id))
			p.SRem(ctx, keyEntryIDs, id)
			rev = p.Incr(ctx, keyRevision)
			return nil
		})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("brain: withdraw entry %q: %w", id, err)
	}
	if existed {
		s.published(ctx, uint64(rev.Val()))
	}
	return existed, nil
}

// Revision implements EntryStore.
func (s *shared) Revision(ctx context.Context) (uint64, error) {
	rev, err := s.client.Get(ctx, keyRevision).Uint64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("brain: revision: %w", err)
	}
	return rev, nil
}

// Watch implements EntryStore.
func (s *shared) Watch(ctx context.Context) <-chan struct{} {
	return s.changes.watch(ctx)
}

// AddPending implements ExpertQueue.
func (s *shared) AddPending(ctx context.Context, p Pending) (Pending, error) {
	p, err := checkPending(p, s.now())
	if err != nil {
		return Pending{}, fmt.Errorf("brain: add pending question: %w", err)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return Pending{}, fmt.Errorf("brain: add pending question %q: %w", p.ID, err)
	}
	added, err := s.client.HSet(ctx, keyPending, p.ID, raw).Result()
	if err != nil {
		return Pending{}, fmt.Errorf("brain: add pending question %q: %w", p.ID, err)
	}
	if added > 0 {
		if err := s.evictPending(ctx); err != nil {
			return Pending{}, fmt.Errorf("brain: add pending question %q: %w", p.ID, err)
		}
	}
	return p, nil
}

// evictPending drops the oldest questions past MaxPending.
func (s *shared) evictPending(ctx context.Context) error {
	n, err := s.client.HLen(ctx, keyPending).Result()
	if err != nil || n <= MaxPending {
		return err
	}
	all, err := s.pending(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(all)-MaxPending)
	for _, p := range all[:len(all)-MaxPending] {
		ids = append(ids, p.ID)
	}
	return s.client.HDel(ctx, keyPending, ids...).Err()
}

// pending lists the waiting questions, oldest first.
func (s *shared) pending(ctx context.Context) ([]Pending, error) {
	values, err := s.client.HVals(ctx, keyPending).Result()
	if err != nil {
		return nil, err
	}
	all, err := decodeAll[Pending](values)
	sortPending(all)
	return all, err
}

// PendingQuestion implements ExpertQueue.
func (s *shared) PendingQuestion(ctx context.Context, id string) (Pending, bool, error) {
	raw, err := s.client.HGet(ctx, keyPending, id).Bytes()
	if errors.Is(err, redis.Nil) {
		return Pending{}, false, nil
	}
	var p Pending
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil {
		return Pending{}, false, fmt.Errorf("brain: pending question %q: %w", id, err)
	}
	return p, true, nil
}

// ListPending implements ExpertQueue.
func (s *shared) ListPending(ctx context.Context) ([]Pending, error) {
	all, err := s.pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("brain: list pending questions: %w", err)
	}
	return all, nil
}

// ResolvePending implements ExpertQueue: read and delete in one transaction, and only the
// caller whose delete removed the question gets it.
func (s *shared) ResolvePending(ctx context.Context, id string) (Pending, bool, error) {
	var get *redis.StringCmd
	var del *redis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get = p.HGet(ctx, keyPending, id)
		del = p.HDel(ctx, keyPending, id)
		return nil
	})
	if errors.Is(err, redis.Nil) || (err == nil && del.Val() == 0) {
		return Pending{}, false, nil
	}
	var p Pending
	if err == nil {
		err = json.Unmarshal([]byte(get.Val()), &p)
	}
	if err != nil {
		return Pending{}, false, fmt.Errorf("brain: resolve pending question %q: %w", id, err)
	}
	return p, true, nil
}

// Ping implements Brain.
func (s *shared) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("brain: ping Redis: %w", err)
	}
	return nil
}

// Close implements Brain: it stops following changes and closes the connections.
func (s *shared) Close() error {
	s.stop()
	s.done.Wait()
	s.changes.close()
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("brain: close Redis client: %w", err)
	}
	return nil
}

// decodeAll decodes JSON values.
func decodeAll[T any](values []string) ([]T, error) {
	out := make([]T, 0, len(values))
	for _, v := range values {
		var t T
		if err := json.Unmarshal([]byte(v), &t); err != nil {
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}
