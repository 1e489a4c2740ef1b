// Package braintest starts what tests of the brain need: a real redis-server on a loopback
// port, started by the test and killed when it ends, and brains closed when the test ends.
//
//	srv := braintest.StartRedis(t) // skips without redis-server, unless DVK_REQUIRE_REDIS=1
//	b := braintest.Open(t, brain.Options{RedisURL: srv.URL()})
package braintest

import (
	"bufio"
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
)

// startWait bounds how long a redis-server may take to say it is ready: long enough to only
// ever catch a hang.
const startWait = 60 * time.Second

// Redis is a real redis-server this test started on a loopback port, without persistence.
type Redis struct {
	// Port is the loopback port it listens on.
	Port int
	cmd  *exec.Cmd
	// exited is closed once the process has been waited for.
	exited chan struct{}
}

// StartRedis starts a redis-server for this test, killed when it ends. Without redis-server
// the test is skipped, unless DVK_REQUIRE_REDIS=1 (as in CI) makes that a failure.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("DVK_REQUIRE_REDIS") == "1" {
			t.Fatalf("DVK_REQUIRE_REDIS=1 but redis-server is not installed: %v", err)
		}
		t.Skip("redis-server is not installed: skipping the shared brain's tests (apt-get install redis-server runs them)")
	}
	var failures []string
	for range 5 { // another process may take the free port before the server binds it
		s, err := StartRedisOn(t, FreePort(t))
		if err == nil {
			return s
		}
		failures = append(failures, err.Error())
	}
	t.Fatalf("redis-server did not start:\n%s", strings.Join(failures, "\n"))
	return nil
}

// URL is the server's address as DVK_REDIS_URL would give it.
func (s *Redis) URL() string {
	return "redis://127.0.0.1:" + strconv.Itoa(s.Port) + "/0"
}

// Client is a plain Redis client on the server, for looking behind the brain; closed when the
// test ends.
func (s *Redis) Client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.Port)})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Kill stops the server and waits for it to exit.
func (s *Redis) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// FreePort is a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartRedisOn starts redis-server on port (again, after Kill, to test a recovery), and
// returns once its log says it accepts connections and it answers PING.
func StartRedisOn(t testing.TB, port int) (*Redis, error) {
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
	s := &Redis{Port: port, cmd: cmd, exited: make(chan struct{})}
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
	t.Cleanup(s.Kill)
	select {
	case ok := <-ready:
		if !ok {
			<-s.exited
			return nil, errors.New("redis-server on port " + strconv.Itoa(port) + " exited:\n" + log.String())
		}
	case <-time.After(startWait):
		s.Kill()
		return nil, errors.New("redis-server did not get ready in " + startWait.String())
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer client.Close()
	if err := client.Ping(t.Context()).Err(); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

// Open opens the brain opts name (see brain.Open), closed when the test ends; a failure to open
// or to close fails the test.
func Open(t testing.TB, opts brain.Options) brain.Brain {
	t.Helper()
	b, err := brain.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}
