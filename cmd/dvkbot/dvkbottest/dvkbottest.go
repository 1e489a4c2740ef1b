// Package dvkbottest runs the dvkbot binary in tests as a person runs it: built once per test
// binary, given only the variables the test names, and, for serve, pointed at the fake Slack
// on loopback. Each end-to-end test is then a few lines of "run this, expect that":
//
//	func TestMain(m *testing.M) { dvkbottest.Main(m) }
//
//	func TestAsk(t *testing.T) {
//		code, stdout, stderr := dvkbottest.Run(t, "", nil, "ask", "--json", "what is docker")
//		// ...
//	}
//
//	func TestServe(t *testing.T) {
//		fake := slackfake.New(t)
//		bot := dvkbottest.Serve(t, fake, "DVK_LOG_LEVEL=debug")
//		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is docker", fake.NextTS(), ""))
//		reply := fake.WaitCalls(t, "chat.postMessage", 1, dvkbottest.Hang)[0]
//		bot.Logs.Wait(t, "replied")
//		bot.Stop(t)
//	}
//
// Every wait ends on something the process shows: a log line, a call to the fake Slack, its
// exit. Hang only catches a process that hangs, however slow the machine.
package dvkbottest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain/braintest"
	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// Hang bounds every wait on a dvkbot process. It is generous for a loaded machine: it only
// catches a hang, never decides how fast something must be.
const Hang = 2 * time.Minute

// mainPackage is what the tests build: the dvkbot command.
const mainPackage = "github.com/dvkbot/dvkbot/cmd/dvkbot"

// binDir is where Main has the binaries built; it removes it when the tests are done.
var binDir string

// Main runs the tests of a package that uses dvkbottest, from its TestMain, and removes the
// binaries they built.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "dvkbot-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dvkbottest:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// build is one way of building dvkbot, done once for every test that asks for it.
type build struct {
	name  string
	flags []string

	once sync.Once
	path string
	out  []byte
	err  error
}

func (b *build) binary(t testing.TB) string {
	t.Helper()
	if binDir == "" {
		t.Fatal("dvkbottest: the package's TestMain must call dvkbottest.Main")
	}
	b.once.Do(func() {
		b.path = filepath.Join(binDir, b.name)
		args := append(append([]string{"build"}, b.flags...), "-o", b.path, mainPackage)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build %v: %v\n%s", b.flags, b.err, b.out)
	}
	return b.path
}

var (
	userBuild  = &build{name: "dvkbot"}
	imageBuild = &build{name: "dvkbot-image", flags: []string{"-tags", "noterm", "-trimpath", "-ldflags", "-s -w"}}
)

// Binary is dvkbot built as a person builds it (go build, go install).
func Binary(t testing.TB) string { t.Helper(); return userBuild.binary(t) }

// ImageBinary is dvkbot built as the Dockerfile builds it for the container image.
func ImageBinary(t testing.TB) string { t.Helper(); return imageBuild.binary(t) }

// Command is the built binary with args. Its environment is the test's own without any DVK_ or
// SLACK_ variable of the machine running the tests, plus env ("NAME=value"): a test sees the
// effect of the variables it sets and of no others.
func Command(t testing.TB, env []string, args ...string) *exec.Cmd {
	t.Helper()
	return command(Binary(t), env, args...)
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DVK_") && !strings.HasPrefix(kv, "SLACK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// Run runs the built binary with args to its end, stdin as given and env added (see Command),
// and returns its exit code and what it printed. A run still going after Hang is killed and
// fails the test: it blocked.
func Run(t testing.TB, stdin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return run(t, Binary(t), stdin, env, args...)
}

// RunImage is Run with the binary the container image ships (see ImageBinary).
func RunImage(t testing.TB, stdin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return run(t, ImageBinary(t), stdin, env, args...)
}

func run(t testing.TB, bin, stdin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := command(bin, env, args...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hang := time.AfterFunc(Hang, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	if !hang.Stop() {
		t.Fatalf("dvkbot %s did not end within %s: it blocked", strings.Join(args, " "), Hang)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("dvkbot %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// Bot is `dvkbot serve` running against a fake Slack, as an operator runs it.
type Bot struct {
	// Addr is where its ops server listens (/healthz, /readyz, /metrics).
	Addr string
	// Logs are its JSON log lines.
	Logs *Logs

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// Serve starts `dvkbot serve` with the fake's tokens and API URL, its ops server on a free
// loopback port unless env sets DVK_HTTP_ADDR, and env, and returns once it has opened a
// Socket Mode connection to the fake (one more than the fake had seen: another process may be
// connected already, as a replica is). It is killed at the end of the test if still running,
// and its logs are shown if the test failed.
func Serve(t testing.TB, fake *slackfake.Server, env ...string) *Bot {
	t.Helper()
	return ServeBinary(t, Binary(t), fake, env...)
}

// ServeBinary is Serve with the binary bin, such as ImageBinary.
func ServeBinary(t testing.TB, bin string, fake *slackfake.Server, env ...string) *Bot {
	t.Helper()
	b := &Bot{Logs: NewLogs(), exited: make(chan struct{})}
	for _, kv := range env {
		if addr, ok := strings.CutPrefix(kv, "DVK_HTTP_ADDR="); ok {
			b.Addr = addr
		}
	}
	if b.Addr == "" {
		b.Addr = FreeAddr(t)
	}
	vars := append([]string{"SLACK_APP_TOKEN=" + slackfake.AppToken, "SLACK_BOT_TOKEN=" + slackfake.BotToken,
		"SLACK_API_URL=" + fake.APIURL(), "DVK_HTTP_ADDR=" + b.Addr}, env...)
	b.cmd = command(bin, vars, "serve")
	b.cmd.Stderr = b.Logs
	connections := fake.Connections()
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
			t.Logf("dvkbot serve logs:\n%s", b.Logs.String())
		}
	})
	b.waitConnected(t, fake, connections)
	return b
}

// waitConnected waits until fake has seen more than connections Socket Mode connections, or
// the bot has exited.
func (b *Bot) waitConnected(t testing.TB, fake *slackfake.Server, connections int) {
	t.Helper()
	hang := time.After(Hang)
	for {
		changed := fake.Changed()
		if fake.Connections() > connections {
			return
		}
		select {
		case <-changed:
		case <-b.exited:
			t.Fatalf("dvkbot serve exited before connecting to Slack: %v\n%s", b.err, b.Logs.String())
		case <-hang:
			t.Fatalf("dvkbot serve did not connect to Slack within %s", Hang)
		}
	}
}

// Pid is the process id.
func (b *Bot) Pid() int { return b.cmd.Process.Pid }

// Stop sends SIGTERM and waits for the bot to exit; any exit but 0 fails the test.
func (b *Bot) Stop(t testing.TB) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.exited:
	case <-time.After(Hang):
		t.Fatalf("no exit within %s of SIGTERM", Hang)
	}
	if b.err != nil {
		t.Fatalf("exit after SIGTERM: %v", b.err)
	}
}

// Get asks the ops server for path and returns the status code and body.
func (b *Bot) Get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + b.Addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// Metric reads one sample, such as `dvkbot_knowledge_reloads_total{result="ok"}`, from
// /metrics; a sample not exported yet reads 0.
func (b *Bot) Metric(t testing.TB, sample string) float64 {
	t.Helper()
	code, body := b.Get(t, "/metrics")
	if code != http.StatusOK {
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

// FreeAddr is a loopback address for an ops server whose port was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(braintest.FreePort(t)))
}
