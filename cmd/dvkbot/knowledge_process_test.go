package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// runProcess runs bin to the end and returns its exit code and output. A run that blocks is
// killed after hangTimeout, which fails the test.
func runProcess(t *testing.T, bin string, args []string, env ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("dvkbot %s did not finish within %s: it blocked", strings.Join(args, " "), hangTimeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// hostileFiles are the files that once hung lint, took gigabytes or leaked a file from outside
// the folder, with what lint must say of each.
func hostileFiles(t *testing.T) map[string]struct {
	create func(t testing.TB, path string)
	want   string
} {
	outside := filepath.Join(t.TempDir(), "secret.md")
	write(t, outside, strings.Replace(teamEntry, "our-cluster-access", "secret", 1))
	symlink := func(target string) func(testing.TB, string) {
		return func(t testing.TB, path string) {
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}
	}
	return map[string]struct {
		create func(t testing.TB, path string)
		want   string
	}{
		"pipe.md": {func(t testing.TB, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "pipe.md: a named pipe (FIFO), not a regular file"},
		"outside.md": {symlink(outside), `outside.md: symlink to "` + outside + `" leads outside the knowledge folder`},
		"zero.md":    {symlink("/dev/zero"), `zero.md: symlink to "/dev/zero" leads outside the knowledge folder`},
		"big.md": {func(t testing.TB, path string) {
			write(t, path, replaceVersion(teamEntry, "big"))
			if err := os.Truncate(path, 50<<20); err != nil {
				t.Fatal(err)
			}
		}, "big.md: file is larger than 256 KiB"},
		"bomb.md": {func(t testing.TB, path string) { // about 300 KB; its anchor referenced 100,000 times
			write(t, path, "---\nid: bomb\ntitle: Bomb\nkind: faq\nquestions: [&a \""+strings.Repeat("lol ", 256)+"\""+strings.Repeat(",*a", 100_000)+"]\n---\n**Boom.**\n")
		}, "bomb.md: file is larger than 256 KiB"},
		"small-bomb.md": {func(t testing.TB, path string) { // under the size limit
			write(t, path, "---\nid: small-bomb\ntitle: Bomb\nkind: faq\nquestions: [&a \""+strings.Repeat("lol ", 256)+"\""+strings.Repeat(",*a", 80_000)+"]\n---\n**Boom.**\n")
		}, "small-bomb.md:5: front matter: YAML alias *a is not allowed"},
		"latin1.md": {func(t testing.TB, path string) {
			write(t, path, strings.Replace(teamEntry, "#platform", "#plat\xe9form", 1))
		}, "latin1.md:14: not UTF-8 text: byte 0xE9"},
	}
}

// TestLintHostileFolderAsAProcess runs the built binary on folders holding each hostile file
// beside a good entry: lint names the file and exits 1 without blocking, and ask, reading the
// folder from DVK_KNOWLEDGE_DIR, refuses it. Then one folder holds them all, with mistakes
// across files: one lint run reports every problem.
func TestLintHostileFolderAsAProcess(t *testing.T) {
	bin := buildDvkbot(t)
	all := t.TempDir()
	var wants []string
	for name, h := range hostileFiles(t) {
		h.create(t, filepath.Join(all, name))
		wants = append(wants, h.want)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
			h.create(t, filepath.Join(dir, name))
			if code, out, errOut := runProcess(t, bin, []string{"lint", dir}); code != 1 || !strings.Contains(out, h.want) {
				t.Errorf("lint: exit %d, want 1; stdout:\n%s\nwant it to contain %q; stderr:\n%s", code, out, h.want, errOut)
			}
			if code, _, errOut := runProcess(t, bin, []string{"ask", "--json", kubeconfigQuestion}, "DVK_KNOWLEDGE_DIR="+dir); code == 0 || !strings.Contains(errOut, h.want) {
				t.Errorf("ask with DVK_KNOWLEDGE_DIR: exit %d, want non-zero with stderr containing %q; stderr:\n%s", code, h.want, errOut)
			}
		})
	}

	write(t, filepath.Join(all, "a-dup.md"), strings.Replace(replaceVersion(teamEntry, "a"), "kind: howto", "kind: guide", 1))
	write(t, filepath.Join(all, "b-dup.md"), replaceVersion(teamEntry, "b"))
	write(t, filepath.Join(all, "c-links.md"), "---\nid: c-links\ntitle: Links\nkind: faq\nquestions: [q]\nrelated: [nowhere]\nsources: [not-a-url]\n---\nNo summary.\n")
	wants = append(wants,
		`a-dup.md:4: kind "guide" must be one of`,
		`b-dup.md:2: duplicate id "our-cluster-access": also used by a-dup.md`,
		`c-links.md:6: related id "nowhere" does not exist`,
		`c-links.md:7: source "not-a-url" must be an http(s) URL`,
		`c-links.md:9: the body must open with a one-line summary in bold`)
	code, out, errOut := runProcess(t, bin, []string{"lint", all})
	if code != 1 {
		t.Errorf("lint of the folder holding everything: exit %d, want 1; stderr:\n%s", code, errOut)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("one lint run of the folder holding everything does not report %q; stdout:\n%s", want, out)
		}
	}
	if code, out, _ := runProcess(t, bin, []string{"lint"}); code != 0 || out != fmt.Sprintf("%d entries ok\n", builtinCount(t)) {
		t.Errorf("lint of the built-in base: exit %d, %q; want 0 and all %d entries ok", code, out, builtinCount(t))
	}
}

// configMapFolder lays dir out as the kubelet mounts a ConfigMap: access.md -> ..data/access.md,
// ..data -> a hidden timestamped folder. Each call writes a new timestamped folder and swaps
// ..data to it, as the kubelet does on an update.
type configMapFolder struct {
	t       *testing.T
	dir     string
	version int
}

func (c *configMapFolder) publish(text string) {
	c.t.Helper()
	c.version++
	stamp := fmt.Sprintf("..2026_11_25_10_00_00.%09d", c.version)
	if err := os.Mkdir(filepath.Join(c.dir, stamp), 0o755); err != nil {
		c.t.Fatal(err)
	}
	write(c.t, filepath.Join(c.dir, stamp, "access.md"), text)
	tmp := filepath.Join(c.dir, "..data_tmp")
	if err := os.Symlink(stamp, tmp); err != nil {
		c.t.Fatal(err)
	}
	old, _ := os.Readlink(filepath.Join(c.dir, "..data"))
	if err := os.Rename(tmp, filepath.Join(c.dir, "..data")); err != nil {
		c.t.Fatal(err)
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(c.dir, old)); err != nil {
			c.t.Fatal(err)
		}
		return
	}
	if err := os.Symlink(filepath.Join("..data", "access.md"), filepath.Join(c.dir, "access.md")); err != nil {
		c.t.Fatal(err)
	}
}

// TestServeTeamKnowledgeAsAProcess runs the built binary with DVK_KNOWLEDGE_DIR set to a
// ConfigMap-style folder and changes the folder the ways that once stopped reloads for good: a
// ConfigMap update, a named pipe, the folder deleted and created again. Every change is seen,
// failures are reported on /readyz and /metrics, the last good knowledge keeps answering, and
// replaced indexes are freed.
func TestServeTeamKnowledgeAsAProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(t)
	addr := freeAddr(t)
	dir := filepath.Join(t.TempDir(), "knowledge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cm := &configMapFolder{t: t, dir: dir}
	cm.publish(replaceVersion(teamEntry, "v1"))
	cmd, logs := startProcess(t, buildDvkbot(t), []string{"serve"}, "SLACK_APP_TOKEN="+slackfake.AppToken, "SLACK_BOT_TOKEN="+slackfake.BotToken,
		"SLACK_API_URL="+fake.APIURL(), "DVK_HTTP_ADDR="+addr, "DVK_KNOWLEDGE_DIR="+dir)
	waitMetric := func(what, sample string, atLeast float64) {
		t.Helper()
		waitUntil(t, what, func() bool { return metric(t, addr, sample) >= atLeast })
	}
	asked := 0
	answer := func() string {
		t.Helper()
		asked++
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+kubeconfigQuestion, fake.NextTS(), ""))
		calls := fake.WaitCalls(t, "chat.postMessage", asked, hangTimeout)
		return string(calls[len(calls)-1].Blocks)
	}
	expect := func(when, want string) {
		t.Helper()
		if got := answer(); !strings.Contains(got, want) {
			t.Fatalf("%s: answer lacks %q:\n%.400s\nlogs:\n%s", when, want, got, logs.String())
		}
	}
	const reloaded = `dvkbot_knowledge_reloads_total{result="ok"}`
	const failed = `dvkbot_knowledge_reloads_total{result="error"}`

	waitUntil(t, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })
	expect("at start", "v1")
	cm.publish(replaceVersion(teamEntry, "v2"))
	// The kubelet's update is several changes; a reload may come between them, so wait for the answer.
	waitUntil(t, "answer v2 after the ConfigMap update", func() bool {
		return metric(t, addr, reloaded) >= 1 && strings.Contains(answer(), "v2")
	})

	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitMetric("failed reload with a named pipe", failed, 1)
	expect("with a named pipe in the folder", "v2")
	if !strings.Contains(logs.String(), "pipe.md: a named pipe (FIFO)") {
		t.Errorf("the failed reload does not name the pipe; logs:\n%s", logs.String())
	}
	if err := os.Remove(filepath.Join(dir, "pipe.md")); err != nil {
		t.Fatal(err)
	}
	pipeGone := metric(t, addr, reloaded) + 1
	waitMetric("reload once the pipe is gone", reloaded, pipeGone)

	removeFolder(t, dir)
	waitUntil(t, "/readyz 503 with the folder gone", func() bool {
		code, body := get(addr, "/readyz")
		return code == 503 && strings.Contains(body, "knowledge folder not watched")
	})
	if n := metric(t, addr, "dvkbot_knowledge_watch_failures_total"); n != 1 {
		t.Errorf("dvkbot_knowledge_watch_failures_total = %v, want 1", n)
	}
	expect("with the folder gone", "v2")
	staged := filepath.Join(filepath.Dir(dir), "staged") // the folder comes back whole, its entry in it
	if err := os.Mkdir(staged, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(staged, "access.md"), replaceVersion(teamEntry, "v3"))
	if err := os.Rename(staged, dir); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "/readyz 200 with the folder back", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })
	waitMetric("reload of the folder back", reloaded, pipeGone+1)
	expect("with the folder back", "v3")

	const more = 50
	before := metric(t, addr, reloaded)
	for i := 1; i <= more; i++ {
		write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, fmt.Sprintf("edit %d", i)))
		waitMetric("reload after an edit", reloaded, before+float64(i))
	}
	if n := metric(t, addr, "dvkbot_knowledge_indexes_open"); n != 1 {
		t.Errorf("after %d reloads %v indexes are in memory, want 1", more, n)
	}
	t.Logf("after %v reloads: %s", metric(t, addr, reloaded), memory(t, cmd.Process.Pid))

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
}

// BenchmarkServeReloads edits the team knowledge of the built binary b.N times, waiting for each
// reload, and reports the process's resident memory at start and after the reloads. Memory must
// stay flat: run it with -benchtime 500x.
func BenchmarkServeReloads(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(b)
	addr := freeAddr(b)
	dir := b.TempDir()
	file := filepath.Join(dir, "access.md")
	write(b, file, replaceVersion(teamEntry, "start"))
	cmd, _ := startProcess(b, buildDvkbot(b), []string{"serve"}, "SLACK_APP_TOKEN="+slackfake.AppToken, "SLACK_BOT_TOKEN="+slackfake.BotToken,
		"SLACK_API_URL="+fake.APIURL(), "DVK_HTTP_ADDR="+addr, "DVK_KNOWLEDGE_DIR="+dir, "DVK_LOG_LEVEL=warn")
	waitUntil(b, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })
	start := memoryKB(b, cmd.Process.Pid, "VmRSS")
	const reloaded = `dvkbot_knowledge_reloads_total{result="ok"}`
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		write(b, file, replaceVersion(teamEntry, fmt.Sprintf("edit %d", i)))
		waitUntil(b, "reload after an edit", func() bool { return metric(b, addr, reloaded) >= float64(i) })
	}
	b.StopTimer()
	b.ReportMetric(float64(start)/1024, "MiB-RSS-at-start")
	b.ReportMetric(float64(memoryKB(b, cmd.Process.Pid, "VmRSS"))/1024, "MiB-RSS-after")
	b.ReportMetric(float64(memoryKB(b, cmd.Process.Pid, "VmHWM"))/1024, "MiB-RSS-peak")
	b.ReportMetric(metric(b, addr, "dvkbot_knowledge_indexes_open"), "indexes-open")
}

// TestServeRefusesAReloadThatWouldNotFit runs the built binary under a memory limit, set with
// GOMEMLIMIT as a container's limit sets it: an edit is loaded, then a folder grown past what can
// be built beside the knowledge in service is refused, with a log line and a metric, and the bot
// answers on from the knowledge it has.
func TestServeRefusesAReloadThatWouldNotFit(t *testing.T) {
	fake := slackfake.New(t)
	addr := freeAddr(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	b := startServe(t, fake, "DVK_HTTP_ADDR="+addr, "DVK_KNOWLEDGE_DIR="+dir, "DVK_LOG_LEVEL=warn", "GOMEMLIMIT=40MiB")
	waitUntil(t, "/readyz 200", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })
	const reloaded = `dvkbot_knowledge_reloads_total{result="ok"}`
	const refused = `dvkbot_knowledge_reloads_total{result="refused"}`

	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	waitUntil(t, "reload of the edit", func() bool { return metric(t, addr, reloaded) >= 1 })

	// 4 MB of answers: building them takes some 50 MB, over the limit.
	staged := t.TempDir()
	const bulk = 20
	for i := range bulk {
		write(t, filepath.Join(staged, fmt.Sprintf("bulk-%02d.md", i)), bulkEntry(i, 200<<10))
	}
	for i := range bulk {
		name := fmt.Sprintf("bulk-%02d.md", i)
		if err := os.Rename(filepath.Join(staged, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "refused reload", func() bool { return metric(t, addr, refused) >= 1 })
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+kubeconfigQuestion, fake.NextTS(), ""))
	if got := string(fake.WaitCalls(t, "chat.postMessage", 1, hangTimeout)[0].Blocks); !strings.Contains(got, "v2") {
		t.Errorf("after the refused reload the answer is not the last good one:\n%.400s", got)
	}
	if logs := b.logs.String(); !strings.Contains(logs, "knowledge reload refused") {
		t.Errorf("the refused reload is not logged:\n%s", logs)
	}
}

// bulkEntry is a valid entry file of about size bytes, its body of words made up from n.
func bulkEntry(n, size int) string {
	var body strings.Builder
	fmt.Fprintf(&body, "**Bulk answer %d.**\n\n", n)
	for i := 0; body.Len() < size; i++ {
		fmt.Fprintf(&body, "bulk%dword%d ", n, i%5000)
		if i%20 == 19 {
			body.WriteString("\n")
		}
	}
	return fmt.Sprintf("---\nid: bulk-%02d\ntitle: Bulk answer %d\nkind: faq\nentities: [docker]\nquestions:\n  - what is bulk answer %d\n---\n%s\n", n, n, n, body.String())
}
