package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// TestServeReloadsKnowledgeWithoutMissingAReply edits the team knowledge while the bot answers a
// steady stream of mentions: the answer changes within 2 s and every mention gets its reply.
func TestServeReloadsKnowledgeWithoutMissingAReply(t *testing.T) {
	fake := slackfake.New(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "access.md")
	write(t, file, replaceVersion(teamEntry, "v1"))
	cfg := serveConfig{
		EngineConfig: EngineConfig{KnowledgeDir: dir},
		AppToken:     slackfake.AppToken, BotToken: slackfake.BotToken, APIURL: fake.APIURL(),
		HTTPAddr: freeAddr(t), LogLevel: "info", SlashCommand: "/dvk", Workers: 4, ShutdownTimeout: 5 * time.Second,
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
	fake.WaitConnections(t, 1, 10*time.Second)

	asked := 0
	ask := func() string {
		asked++
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how do i get a kubeconfig for our clusters", fake.NextTS(), ""))
		calls := fake.WaitCalls(t, "chat.postMessage", asked, 10*time.Second)
		return string(calls[len(calls)-1].Blocks)
	}
	if got := ask(); !strings.Contains(got, "v1") {
		t.Fatalf("before the edit the team answer was not served:\n%.300s", got)
	}
	write(t, file, replaceVersion(teamEntry, "v2"))
	edited := time.Now()
	for sent := 1; ; sent++ {
		if strings.Contains(ask(), "v2") {
			t.Logf("answer changed %s after the edit; %d mentions asked meanwhile, all answered", time.Since(edited), sent)
			break
		}
		if time.Since(edited) > 2*time.Second {
			t.Fatalf("answer unchanged 2s after the edit")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
