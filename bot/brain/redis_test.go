package brain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// startRedis starts a redis-server for this test (see braintest.StartRedis).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	return &redisServer{braintest.StartRedis(t)}
}

// redisServer is a real redis-server this test started, with the brain's helpers.
type redisServer struct {
	*braintest.Redis
}

// openShared opens a shared brain on the server, closed when the test ends.
func (s *redisServer) openShared(t testing.TB, clock *slackfake.Clock) brain.Brain {
	t.Helper()
	opts := brain.Options{RedisURL: s.URL()}
	if clock != nil {
		opts.Now = clock.Now
	}
	b, err := brain.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mustDo(t, b.Close()) })
	return b
}

func TestRedisContract(t *testing.T) {
	server := startRedis(t)
	raw := server.Client(t)
	runContract(t, func(t *testing.T, clock *slackfake.Clock) brain.Brain {
		mustDo(t, raw.FlushDB(t.Context()).Err())
		return server.openShared(t, clock)
	}, false) // one server, emptied for each case
}

// TestRedisReplicasShareOneBrain: two replicas on one Redis see one memory: an event is first
// on only one of them, a thread's context and gaps cross over, and a captured entry saved on
// one is signalled to the other.
func TestRedisReplicasShareOneBrain(t *testing.T) {
	server := startRedis(t)
	ctx := t.Context()
	a, b := server.openShared(t, nil), server.openShared(t, nil)

	wins := concurrently(t, 8, func() (bool, error) { return a.MarkSeen(ctx, "event:Ev1") })
	wins += concurrently(t, 8, func() (bool, error) { return b.MarkSeen(ctx, "event:Ev1") })
	if wins != 1 {
		t.Errorf("one event delivered 16 times to two replicas: first %d times, want 1", wins)
	}
	mustDo(t, a.RememberThread(ctx, "C1", "1.1", "docker-swarm"))
	if id, ok, err := b.RecallThread(ctx, "C1", "1.1"); err != nil || !ok || id != "docker-swarm" {
		t.Errorf("the other replica recalls %q ok=%v err=%v", id, ok, err)
	}
	mustDo(t, a.RecordGap(ctx, ask("what is a pod", "U1")))
	if gaps := must(b.ListGaps(ctx, "", 0))(t); len(gaps) != 1 {
		t.Errorf("the other replica lists gaps %+v", gaps)
	}

	changes := b.Watch(ctx)
	start := time.Now()
	saved := must(a.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}))(t)
	waitUntil(t, changes, "the entry saved on the other replica", func() bool {
		got, ok, err := b.Entry(ctx, "prune-images")
		return err == nil && ok && got == saved
	})
	t.Logf("a saved entry reached the other replica in %v", time.Since(start))
	must(a.WithdrawEntry(ctx, "prune-images"))(t)
	waitUntil(t, changes, "the entry withdrawn on the other replica", func() bool {
		_, ok, err := b.Entry(ctx, "prune-images")
		return err == nil && !ok
	})
}

// TestRedisMissedPublishIsCaught: a change whose publish never arrived (the subscriber was
// reconnecting) still reaches watchers, through the revision key.
func TestRedisMissedPublishIsCaught(t *testing.T) {
	server := startRedis(t)
	ctx := t.Context()
	b := server.openShared(t, nil)
	changes := b.Watch(ctx)
	mustDo(t, server.Client(t).Incr(ctx, "dvkbot:entries:revision").Err()) // a change, no publish
	select {
	case <-changes:
	case <-time.After(patience):
		t.Fatal("a revision bumped without a publish was never signalled")
	}
}

// TestRedisSetsTTLs: Redis itself forgets event keys after DedupeWindow and thread context after
// ThreadTTL.
func TestRedisSetsTTLs(t *testing.T) {
	server := startRedis(t)
	ctx := t.Context()
	b := server.openShared(t, nil)
	raw := server.Client(t)
	must(b.MarkSeen(ctx, "event:Ev1"))(t)
	mustDo(t, b.RememberThread(ctx, "C1", "1.1", "docker-swarm"))
	for key, max := range map[string]time.Duration{
		"dvkbot:seen:event:Ev1": brain.DedupeWindow, "dvkbot:thread:C1/1.1": brain.ThreadTTL,
	} {
		ttl := must(raw.PTTL(ctx, key).Result())(t)
		if ttl <= 0 || ttl > max {
			t.Errorf("%s expires in %v, want within %v", key, ttl, max)
		}
	}
}

// TestRedisSurvivesReplicaRestart: what one replica wrote is there for the replica that
// replaces it.
func TestRedisSurvivesReplicaRestart(t *testing.T) {
	server := startRedis(t)
	clock := slackfake.NewClock()
	checkSurvivesRestart(t, func() brain.Brain {
		b, err := brain.Open(brain.Options{RedisURL: server.URL(), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestRedisOutage: while Redis is down every call returns an error promptly and the brain can
// still be closed; once Redis is back, calls work again without reopening.
func TestRedisOutage(t *testing.T) {
	server := startRedis(t)
	ctx, cancel := context.WithTimeout(t.Context(), patience)
	defer cancel()
	b := server.openShared(t, nil)
	must(b.MarkSeen(ctx, "event:Ev1"))(t)
	server.Kill()
	start := time.Now()

	if err := b.Ping(ctx); err == nil {
		t.Error("Ping with Redis down: no error")
	}
	if _, err := b.MarkSeen(ctx, "event:Ev2"); err == nil || errors.Is(err, brain.ErrInvalid) {
		t.Errorf("MarkSeen with Redis down: err = %v, want a store error", err)
	}
	if err := b.RecordGap(ctx, ask("what is a pod", "U1")); err == nil {
		t.Error("RecordGap with Redis down: no error")
	}
	if _, err := b.SaveEntry(ctx, brain.Draft{Markdown: entryMarkdown("prune-images", "prune"), Author: "U1"}); err == nil {
		t.Error("SaveEntry with Redis down: no error")
	}
	if _, err := b.Entries(ctx); err == nil {
		t.Error("Entries with Redis down: no error")
	}

	t.Logf("five calls failed in %v with Redis down", time.Since(start))
	if _, err := braintest.StartRedisOn(t, server.Port); err != nil {
		t.Skipf("could not restart redis-server on port %d to check the recovery: %v", server.Port, err)
	}
	if first, err := b.MarkSeen(ctx, "event:Ev3"); err != nil || !first {
		t.Errorf("once Redis is back: first=%v err=%v", first, err)
	}
}
