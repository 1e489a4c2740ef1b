package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// serveFromEnv runs serve with the configuration read from the environment, as `dvkbot serve`
// does, team knowledge from dir, until the test ends. It returns the ops server's address.
func serveFromEnv(t *testing.T, fake *slackfake.Server, dir string) string {
	t.Helper()
	addr := freeAddr(t)
	t.Setenv("SLACK_APP_TOKEN", slackfake.AppToken)
	t.Setenv("SLACK_BOT_TOKEN", slackfake.BotToken)
	t.Setenv("SLACK_API_URL", fake.APIURL())
	t.Setenv("DVK_HTTP_ADDR", addr)
	t.Setenv("DVK_KNOWLEDGE_DIR", dir)
	cfg, err := loadServeConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return addr
}

// metric reads one sample, such as `dvkbot_knowledge_reloads_total{result="ok"}`, from the ops
// server's /metrics; a sample not yet exported reads 0.
func metric(t testing.TB, addr, sample string) float64 {
	t.Helper()
	code, body := get(addr, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics answered %d: %s", code, body)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if value, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return v
		}
	}
	return 0
}

// TestServeReloadsKnowledgeWithoutMissingAReply edits the team knowledge while the bot answers a
// steady stream of mentions: every mention gets its reply, from the old knowledge until the
// reload is done and from the new one after.
func TestServeReloadsKnowledgeWithoutMissingAReply(t *testing.T) {
	fake := slackfake.New(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "access.md")
	write(t, file, replaceVersion(teamEntry, "v1"))
	addr := serveFromEnv(t, fake, dir)
	fake.WaitConnections(t, 1, hangTimeout)

	asked := 0
	ask := func() string {
		asked++
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how do i get a kubeconfig for our clusters", fake.NextTS(), ""))
		calls := fake.WaitCalls(t, "chat.postMessage", asked, hangTimeout)
		return string(calls[len(calls)-1].Blocks)
	}
	if got := ask(); !strings.Contains(got, "v1") {
		t.Fatalf("the team answer read from DVK_KNOWLEDGE_DIR was not served:\n%.300s", got)
	}
	write(t, file, replaceVersion(teamEntry, "v2"))
	edited := time.Now()
	for sent := 1; ; sent++ {
		reloaded := metric(t, addr, `dvkbot_knowledge_reloads_total{result="ok"}`) >= 1
		got := ask()
		switch {
		case strings.Contains(got, "v2"):
			t.Logf("answer changed %s after the edit; %d mentions asked meanwhile, all answered", time.Since(edited), sent)
			return
		case reloaded:
			t.Fatalf("mention %d, asked after the reload was done, was answered from the old knowledge:\n%.300s", sent, got)
		case !strings.Contains(got, "v1"):
			t.Fatalf("mention %d during the reload was answered with neither version:\n%.300s", sent, got)
		case time.Since(edited) > hangTimeout:
			t.Fatalf("no reload %s after the edit", hangTimeout)
		}
	}
}
