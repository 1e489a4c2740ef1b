package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// TestServeAsAProcess runs the binary the container image ships as an operator would: against
// Slack (the fake), answering a stream of mentions, then stopped with SIGTERM. It reports the
// memory the process holds while serving, read from /proc.
func TestServeAsAProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(t)
	b := dvkbottest.ServeBinary(t, dvkbottest.ImageBinary(t), fake, "DVK_LOG_LEVEL=warn")

	const mentions = 200
	for i := 0; i < mentions; i++ {
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how does kubernetes scale pods", fake.NextTS(), ""))
	}
	fake.WaitCalls(t, "chat.postMessage", mentions, dvkbottest.Hang)
	if code, body := b.Get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz answered %d %q while serving", code, body)
	}
	t.Logf("serving, after %d answers: %s", mentions, memory(t, b.Pid()))
	b.Stop(t)
}

// memory reads the resident set size and its peak from /proc/PID/status.
func memory(t testing.TB, pid int) string {
	t.Helper()
	return fmt.Sprintf("VmRSS: %d kB, VmHWM: %d kB", memoryKB(t, pid, "VmRSS"), memoryKB(t, pid, "VmHWM"))
}

// memoryKB reads one memory field, such as VmRSS, from /proc/PID/status.
func memoryKB(t testing.TB, pid int, field string) int {
	t.Helper()
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestServeExcerptsALongAnswerAsAProcess asks the binary a question a long entry answers: the
// reply shows the parts about it, and its "Read the whole answer" button brings the whole entry
// into the thread.
func TestServeExcerptsALongAnswerAsAProcess(t *testing.T) {
	fake := slackfake.New(t)
	dvkbottest.ServeBinary(t, dvkbottest.ImageBinary(t), fake, "DVK_LOG_LEVEL=warn")
	root := fake.NextTS()
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> docker compose down deleted my database", root, ""))
	reply := fake.WaitCalls(t, "chat.postMessage", 1, dvkbottest.Hang)[0]
	var whole []slackfake.Button
	for _, b := range slackfake.Buttons(reply.Blocks) {
		if strings.HasPrefix(b.ActionID, "dvk_whole") {
			whole = append(whole, b)
		}
	}
	if len(whole) != 1 || whole[0].Value != "docker-volumes" || strings.Contains(string(reply.Blocks), "Network shares") {
		t.Fatalf("reply is not an excerpt of docker-volumes with one whole-answer button (%v):\n%.600s", whole, reply.Blocks)
	}
	fake.SendBlockAction(t, slackfake.BlockAction{ChannelID: "C1", MessageTS: reply.TS, ThreadTS: root, ActionID: whole[0].ActionID, Value: whole[0].Value})
	posted := fake.WaitCalls(t, "chat.postMessage", 2, dvkbottest.Hang)[1]
	if posted.ThreadTS != root || !strings.Contains(string(posted.Blocks), "Network shares") {
		t.Fatalf("the whole entry was not posted in the thread: %s", posted)
	}
}
