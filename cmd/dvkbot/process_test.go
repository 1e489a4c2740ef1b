package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// TestServeAsAProcess runs the built binary as an operator would: against Slack (the fake),
// answering a stream of mentions, then stopped with SIGTERM. It reports the memory the process
// holds while serving, read from /proc.
func TestServeAsAProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(t)
	addr := freeAddr(t)
	cmd, logs := startProcess(t, buildDvkbot(t), []string{"serve"}, "SLACK_APP_TOKEN="+slackfake.AppToken, "SLACK_BOT_TOKEN="+slackfake.BotToken,
		"SLACK_API_URL="+fake.APIURL(), "DVK_HTTP_ADDR="+addr, "DVK_LOG_LEVEL=warn")
	waitUntil(t, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })

	const mentions = 200
	for i := 0; i < mentions; i++ {
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how does kubernetes scale pods", fake.NextTS(), ""))
	}
	fake.WaitCalls(t, "chat.postMessage", mentions, 20*time.Second)
	t.Logf("serving, after %d answers: %s", mentions, memory(t, cmd.Process.Pid))

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10s of SIGTERM")
	}
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

// buildDvkbot builds the binary as a user does.
func buildDvkbot(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dvkbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess starts bin with args and env added to the test's environment, killed when the
// test ends. Its stderr is returned for the test to read.
func startProcess(t testing.TB, bin string, args []string, env ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, logs
}
