package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

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
	all := t.TempDir()
	var wants []string
	for name, h := range hostileFiles(t) {
		h.create(t, filepath.Join(all, name))
		wants = append(wants, h.want)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
			h.create(t, filepath.Join(dir, name))
			if code, out, errOut := dvkbottest.Run(t, "", nil, "lint", dir); code != 1 || !strings.Contains(out, h.want) {
				t.Errorf("lint: exit %d, want 1; stdout:\n%s\nwant it to contain %q; stderr:\n%s", code, out, h.want, errOut)
			}
			if code, _, errOut := dvkbottest.Run(t, "", []string{"DVK_KNOWLEDGE_DIR=" + dir}, "ask", "--json", kubeconfigQuestion); code == 0 || !strings.Contains(errOut, h.want) {
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
	code, out, errOut := dvkbottest.Run(t, "", nil, "lint", all)
	if code != 1 {
		t.Errorf("lint of the folder holding everything: exit %d, want 1; stderr:\n%s", code, errOut)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("one lint run of the folder holding everything does not report %q; stdout:\n%s", want, out)
		}
	}
	if code, out, _ := dvkbottest.Run(t, "", nil, "lint"); code != 0 || out != fmt.Sprintf("%d entries ok\n", builtinCount(t)) {
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

// Log lines of the reloader, written once what they report is done: a reload's new knowledge
// in service, a watch status on /readyz and in the metrics.
const (
	reloadedLine   = "knowledge reloaded"
	refusedLine    = "knowledge reload refused: building it beside the knowledge in service would not fit under the memory limit; still serving the last good knowledge (raise the memory limit or trim the knowledge)"
	failedLine     = "knowledge reload failed; still serving the last good knowledge"
	unwatchedLine  = "knowledge folder not watched: changes are missed until it can be watched again"
	rewatchedLine  = "knowledge folder watched again"
	failuresMetric = "dvkbot_knowledge_watch_failures_total"
)

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
	dir := filepath.Join(t.TempDir(), "knowledge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cm := &configMapFolder{t: t, dir: dir}
	cm.publish(replaceVersion(teamEntry, "v1"))
	b := dvkbottest.Serve(t, fake, "DVK_KNOWLEDGE_DIR="+dir)
	asked := 0
	answer := func() string {
		t.Helper()
		asked++
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+kubeconfigQuestion, fake.NextTS(), ""))
		calls := fake.WaitCalls(t, "chat.postMessage", asked, dvkbottest.Hang)
		return string(calls[len(calls)-1].Blocks)
	}
	expect := func(when, want string) {
		t.Helper()
		if got := answer(); !strings.Contains(got, want) {
			t.Fatalf("%s: answer lacks %q:\n%.400s", when, want, got)
		}
	}
	ready := func(when string, wantCode int, wantBody string) {
		t.Helper()
		if code, body := b.Get(t, "/readyz"); code != wantCode || !strings.Contains(body, wantBody) {
			t.Fatalf("%s: /readyz answered %d %q, want %d %q", when, code, body, wantCode, wantBody)
		}
	}

	expect("at start", "v1")
	ready("at start", 200, "ready")
	cm.publish(replaceVersion(teamEntry, "v2"))
	// The kubelet's update is several changes, and a reload may come between them: after each
	// reload, good or failed, ask again until the answer is the new one.
	for seen := 1; !strings.Contains(answer(), "v2"); seen++ {
		b.Logs.WaitCount(t, seen, reloadedLine, failedLine)
	}

	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Logs.WaitCount(t, b.Logs.Count(failedLine)+1, failedLine)
	expect("with a named pipe in the folder", "v2")
	if !strings.Contains(b.Logs.String(), "pipe.md: a named pipe (FIFO)") {
		t.Errorf("the failed reload does not name the pipe")
	}
	if err := os.Remove(filepath.Join(dir, "pipe.md")); err != nil {
		t.Fatal(err)
	}
	b.Logs.WaitCount(t, b.Logs.Count(reloadedLine)+1, reloadedLine)

	removeFolder(t, dir)
	b.Logs.Wait(t, unwatchedLine)
	ready("with the folder gone", 503, "knowledge folder not watched")
	if n := b.Metric(t, failuresMetric); n != 1 {
		t.Errorf("%s = %v, want 1", failuresMetric, n)
	}
	expect("with the folder gone", "v2")
	reloaded := b.Logs.Count(reloadedLine)
	staged := filepath.Join(filepath.Dir(dir), "staged") // the folder comes back whole, its entry in it
	if err := os.Mkdir(staged, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(staged, "access.md"), replaceVersion(teamEntry, "v3"))
	if err := os.Rename(staged, dir); err != nil {
		t.Fatal(err)
	}
	b.Logs.Wait(t, rewatchedLine)
	ready("with the folder back", 200, "ready")
	b.Logs.WaitCount(t, reloaded+1, reloadedLine)
	expect("with the folder back", "v3")

	const more = 10 // BenchmarkServeReloads measures memory over hundreds
	reloaded = b.Logs.Count(reloadedLine)
	for i := 1; i <= more; i++ {
		write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, fmt.Sprintf("edit %d", i)))
		b.Logs.WaitCount(t, reloaded+i, reloadedLine)
	}
	if n := b.Metric(t, "dvkbot_knowledge_indexes_open"); n != 1 {
		t.Errorf("after %d reloads %v indexes are in memory, want 1", more, n)
	}
	t.Logf("after %d reloads: %s", b.Logs.Count(reloadedLine), memory(t, b.Pid()))
	b.Stop(t)
}

// BenchmarkServeReloads edits the team knowledge of the built binary b.N times, waiting for each
// reload, and reports the process's resident memory at start and after the reloads. Memory must
// stay flat: run it with -benchtime 500x.
func BenchmarkServeReloads(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read the process's memory")
	}
	fake := slackfake.New(b)
	dir := b.TempDir()
	file := filepath.Join(dir, "access.md")
	write(b, file, replaceVersion(teamEntry, "start"))
	bot := dvkbottest.Serve(b, fake, "DVK_KNOWLEDGE_DIR="+dir)
	start := memoryKB(b, bot.Pid(), "VmRSS")
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		write(b, file, replaceVersion(teamEntry, fmt.Sprintf("edit %d", i)))
		bot.Logs.WaitCount(b, i, reloadedLine)
	}
	b.StopTimer()
	b.ReportMetric(float64(start)/1024, "MiB-RSS-at-start")
	b.ReportMetric(float64(memoryKB(b, bot.Pid(), "VmRSS"))/1024, "MiB-RSS-after")
	b.ReportMetric(float64(memoryKB(b, bot.Pid(), "VmHWM"))/1024, "MiB-RSS-peak")
	b.ReportMetric(bot.Metric(b, "dvkbot_knowledge_indexes_open"), "indexes-open")
}

// TestServeRefusesAReloadThatWouldNotFit runs the built binary under a memory limit, set with
// GOMEMLIMIT as a container's limit sets it: an edit is loaded, then a folder grown past what can
// be built beside the knowledge in service is refused, with a log line and a metric, and the bot
// answers on from the knowledge it has.
func TestServeRefusesAReloadThatWouldNotFit(t *testing.T) {
	fake := slackfake.New(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v1"))
	// With 320 built-in entries the bot holds about 37 MB once it serves, and an edit of the
	// small folder needs about 27 MB more; the limit grows with the built-in base (60 MiB
	// stopped fitting at 320 entries), so keep some 15 MB of room above their sum.
	b := dvkbottest.Serve(t, fake, "DVK_KNOWLEDGE_DIR="+dir, "GOMEMLIMIT=80MiB")

	write(t, filepath.Join(dir, "access.md"), replaceVersion(teamEntry, "v2"))
	b.Logs.Wait(t, reloadedLine)

	// 4 MB of answers: building them takes some 55 MB beside what is in use, over the limit.
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
	refused := b.Logs.Wait(t, refusedLine)
	if got := b.Metric(t, `dvkbot_knowledge_reloads_total{result="refused"}`); got < 1 {
		t.Errorf("refused reloads counted %v, want at least 1 (log: %v)", got, refused)
	}
	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+kubeconfigQuestion, fake.NextTS(), ""))
	if got := string(fake.WaitCalls(t, "chat.postMessage", 1, dvkbottest.Hang)[0].Blocks); !strings.Contains(got, "v2") {
		t.Errorf("after the refused reload the answer is not the last good one:\n%.400s", got)
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
