package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// freeAddr picks a loopback port for the ops server.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestServeReadyMetricsHealthcheckAndSIGTERM(t *testing.T) {
	fake := slackfake.New(t)
	addr := freeAddr(t)
	t.Setenv("SLACK_APP_TOKEN", slackfake.AppToken)
	t.Setenv("SLACK_BOT_TOKEN", slackfake.BotToken)
	t.Setenv("SLACK_API_URL", strings.TrimSuffix(fake.APIURL(), "/"))
	t.Setenv("DVK_HTTP_ADDR", addr)
	var logs syncBuffer
	exit := make(chan int, 1)
	go func() { exit <- run([]string{"serve"}, stdio{in: strings.NewReader(""), out: io.Discard, err: &logs}) }()

	waitUntil(t, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == http.StatusOK })
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is docker", fake.NextTS(), ""))
	fake.WaitCalls(t, "chat.postMessage", 1, 10*time.Second)
	waitUntil(t, "/metrics counting the answer", func() bool {
		code, body := get(addr, "/metrics")
		return code == 200 && strings.Contains(body, `dvkbot_answers_total{outcome="answered",source="mention"} 1`)
	})
	var hc bytes.Buffer
	if code := run([]string{"healthcheck"}, stdio{out: &hc, err: &hc}); code != 0 {
		t.Fatalf("healthcheck exit %d: %s", code, hc.String())
	}

	began := time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("serve exited %d after SIGTERM; logs:\n%s", code, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not exit within 10s of SIGTERM")
	}
	t.Logf("exited %s after SIGTERM", time.Since(began))
	if strings.Contains(logs.String(), slackfake.BotToken) || strings.Contains(logs.String(), slackfake.AppToken) {
		t.Fatal("a token appears in the logs")
	}
}

// waitUntil polls cond until it holds; the timeout only catches a hang.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	hang := time.Now().Add(hangTimeout)
	for !cond() {
		if time.Now().After(hang) {
			t.Fatalf("still no %s after %s", what, hangTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines and the test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
