package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// processWait bounds every wait on a dvkbot process: generous for a loaded machine, it only
// catches a hang.
const processWait = 60 * time.Second

// binDir is where the test run builds dvkbot; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dvkbot-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// binary is dvkbot built once for every test that runs it.
type binary struct {
	once sync.Once
	path string
	out  []byte
	err  error
}

func (b *binary) build(t *testing.T, name string, flags ...string) string {
	t.Helper()
	b.once.Do(func() {
		b.path = filepath.Join(binDir, name)
		cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", b.path, ".")...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build %v: %v\n%s", flags, b.err, b.out)
	}
	return b.path
}

var userBuild, imageBuild binary

// dvkbotBinary is dvkbot built as a user builds it (go build, go install).
func dvkbotBinary(t *testing.T) string { return userBuild.build(t, "dvkbot") }

// imageBinary is dvkbot built as the Dockerfile builds it for the container image.
func imageBinary(t *testing.T) string {
	return imageBuild.build(t, "dvkbot-image", "-tags", "noterm", "-trimpath", "-ldflags", "-s -w")
}

// dvkbotCmd is the built binary with args, its environment the test's own without any dvkbot or
// Slack variable of the machine running the tests, plus vars ("NAME=value").
func dvkbotCmd(t *testing.T, vars []string, args ...string) *exec.Cmd {
	t.Helper()
	return binaryCmd(dvkbotBinary(t), vars, args...)
}

func binaryCmd(bin string, vars []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DVK_") && !strings.HasPrefix(kv, "SLACK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, vars...)
	return cmd
}

// runDvkbot runs the built binary to its end with stdin as given and returns what it printed.
func runDvkbot(t *testing.T, stdin string, vars []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := dvkbotCmd(t, vars, args...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run dvkbot %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// servedBot is the built binary running `serve` against a fake Slack, as an operator runs it.
type servedBot struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// startServe starts `dvkbot serve` with the fake's tokens and API URL and vars, and waits until
// it has connected to the fake. It is killed at the end of the test if still running.
func startServe(t *testing.T, fake *slackfake.Server, vars ...string) *servedBot {
	t.Helper()
	return startServeBinary(t, dvkbotBinary(t), fake, vars...)
}

// startServeBinary is startServe with the binary bin.
func startServeBinary(t *testing.T, bin string, fake *slackfake.Server, vars ...string) *servedBot {
	t.Helper()
	env := append([]string{"SLACK_APP_TOKEN=" + slackfake.AppToken, "SLACK_BOT_TOKEN=" + slackfake.BotToken,
		"SLACK_API_URL=" + fake.APIURL()}, vars...)
	b := &servedBot{cmd: binaryCmd(bin, env, "serve"), logs: &syncBuffer{}, exited: make(chan struct{})}
	b.cmd.Stderr = b.logs
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		_ = b.cmd.Process.Kill()
		<-b.exited
		if t.Failed() {
			t.Logf("dvkbot serve logs:\n%s", b.logs.String())
		}
	})
	fake.WaitConnections(t, 1, processWait)
	return b
}

// stop sends SIGTERM and waits for dvkbot to exit; any exit but 0 fails the test.
func (b *servedBot) stop(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.exited:
	case <-time.After(processWait):
		t.Fatalf("no exit within %s of SIGTERM", processWait)
	}
	if b.err != nil {
		t.Fatalf("exit after SIGTERM: %v", b.err)
	}
}

// TestServeAsAProcess runs the binary the container image ships as an operator would: against
// Slack (the fake), answering a stream of mentions, then stopped with SIGTERM. It reports the
// memory the process holds while serving, read from /proc.
func TestServeAsAProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(t)
	addr := freeAddr(t)
	b := startServeBinary(t, imageBinary(t), fake, "DVK_HTTP_ADDR="+addr, "DVK_LOG_LEVEL=warn")
	waitUntil(t, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })

	const mentions = 200
	for i := 0; i < mentions; i++ {
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how does kubernetes scale pods", fake.NextTS(), ""))
	}
	fake.WaitCalls(t, "chat.postMessage", mentions, 20*time.Second)
	t.Logf("serving, after %d answers: %s", mentions, memory(t, b.cmd.Process.Pid))
	b.stop(t)
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
