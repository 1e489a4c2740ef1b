package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// TestServeReloadsKnowledgeWithoutMissingAReply edits the team knowledge while the bot answers a
// steady stream of mentions: every mention gets its reply, from the old knowledge until the
// reload is done and from the new one after.
func TestServeReloadsKnowledgeWithoutMissingAReply(t *testing.T) {
	fake := slackfake.New(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "access.md")
	write(t, file, replaceVersion(teamEntry, "v1"))
	b := dvkbottest.Serve(t, fake, "DVK_KNOWLEDGE_DIR="+dir)

	asked := 0
	ask := func() string {
		asked++
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+kubeconfigQuestion, fake.NextTS(), ""))
		calls := fake.WaitCalls(t, "chat.postMessage", asked, dvkbottest.Hang)
		return string(calls[len(calls)-1].Blocks)
	}
	if got := ask(); !strings.Contains(got, "v1") {
		t.Fatalf("the team answer read from DVK_KNOWLEDGE_DIR was not served:\n%.300s", got)
	}
	write(t, file, replaceVersion(teamEntry, "v2"))
	hang := time.Now().Add(dvkbottest.Hang)
	for sent := 1; ; sent++ {
		reloaded := b.Logs.Count(reloadedLine) > 0 // logged once the new knowledge is in service
		got := ask()
		switch {
		case strings.Contains(got, "v2"):
			t.Logf("answer changed after the edit; %d mentions asked meanwhile, all answered", sent)
			return
		case reloaded:
			t.Fatalf("mention %d, asked after the reload was done, was answered from the old knowledge:\n%.300s", sent, got)
		case !strings.Contains(got, "v1"):
			t.Fatalf("mention %d during the reload was answered with neither version:\n%.300s", sent, got)
		case time.Now().After(hang):
			t.Fatalf("no reload within %s of the edit", dvkbottest.Hang)
		}
	}
}
