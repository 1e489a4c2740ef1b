package brain_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// redisServer is a real redis-server this test started on a loopback port.
type redisServer struct {
	port int
	cmd  *exec.Cmd
	// exited is closed once the process has been waited for.
	exited chan struct{}
}

// url is the server's address as DVK_REDIS_URL would give it.
func (s *redisServer) url() string {
	return "redis://127.0.0.1:" + strconv.Itoa(s.port) + "/0"
}

// startRedis starts a redis-server for this test, killed when it ends. Without redis-server
// the test is skipped, unless DVK_REQUIRE_REDIS=1 (as in CI) makes that a failure.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("DVK_REQUIRE_REDIS") == "1" {
			t.Fatalf("DVK_REQUIRE_REDIS=1 but redis-server is not installed: %v", err)
		}
		t.Skip("redis-server is not installed: skipping the shared brain's tests (apt-get install redis-server runs them)")
	}
	var failures []string
	for range 5 { // another process may take the free port before the server binds it
		s, err := startRedisOn(t, freePort(t))
		if err == nil {
			return s
		}
		failures = append(failures, err.Error())
	}
	t.Fatalf("redis-server did not start:\n%s", strings.Join(failures, "\n"))
	return nil
}

// freePort is a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedisOn starts redis-server on port, without persistence, and returns once its log says
// it accepts connections and it answers PING.
func startRedisOn(t testing.TB, port int) (*redisServer, error) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &redisServer{port: port, cmd: cmd, exited: make(chan struct{})}
	ready := make(chan bool, 1)
	var log strings.Builder
	go func() {
		lines := bufio.NewScanner(out)
		said := false
		for lines.Scan() {
			log.WriteString(lines.Text() + "\n")
			if !said && strings.Contains(lines.Text(), "Ready to accept connections") {
				said = true
				ready <- true
				break
			}
		}
		if !said {
			ready <- false
		}
		_, _ = io.Copy(io.Discard, out) // keeps the server from blocking on a full pipe
		_ = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.kill)
	select {
	case ok := <-ready:
		if !ok {
			<-s.exited
			return nil, errors.New("redis-server on port " + strconv.Itoa(port) + " exited:\n" + log.String())
		}
	case <-time.After(patience):
		s.kill()
		return nil, errors.New("redis-server did not get ready in " + patience.String())
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer client.Close()
	if err := client.Ping(t.Context()).Err(); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// kill stops the server and waits for it to exit.
func (s *redisServer) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// client is a plain Redis client on the server, for looking behind the brain.
func (s *redisServer) client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.port)})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// openShared opens a shared brain on the server, closed when the test ends.
func (s *redisServer) openShared(t testing.TB, clock *slackfake.Clock) brain.Brain {
	t.Helper()
	opts := brain.Options{RedisURL: s.url()}
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
	raw := server.client(t)
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
	mustDo(t, server.client(t).Incr(ctx, "dvkbot:entries:revision").Err()) // a change, no publish
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
	raw := server.client(t)
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
		b, err := brain.Open(brain.Options{RedisURL: server.url(), Now: clock.Now})
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
	server.kill()
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
	if _, err := startRedisOn(t, server.port); err != nil {
		t.Skipf("could not restart redis-server on port %d to check the recovery: %v", server.port, err)
	}
	if first, err := b.MarkSeen(ctx, "event:Ev3"); err != nil || !first {
		t.Errorf("once Redis is back: first=%v err=%v", first, err)
	}
}
