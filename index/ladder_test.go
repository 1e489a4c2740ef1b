package index

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/knowledge"
)

// ladderSizes are the knowledge base sizes BenchmarkLadder measures, 0 standing for the
// built-in base.
var ladderSizes = flag.String("ladder.sizes", "0,1000,10000,30000", "comma-separated knowledge base sizes BenchmarkLadder measures (0: the built-in base)")

// ladderEnv names, in a ladder step's process, the size it measures.
const ladderEnv = "DVK_LADDER_STEP"

// TestMain runs a ladder step when the test binary is started as one, the tests otherwise.
func TestMain(m *testing.M) {
	if size, ok := os.LookupEnv(ladderEnv); ok {
		os.Exit(ladderStep(size))
	}
	os.Exit(m.Run())
}

// BenchmarkLadder measures the engine at each knowledge base size: what a build costs, what
// the index holds, how high memory goes while a reload builds a new index beside the one in
// service, and how fast a question is matched. Each size runs in a process of its own, so that
// its peak memory is its own; a GOMEMLIMIT in the environment applies to it, as it does to the
// bot. Run it with -benchtime 1x: one step builds twice.
func BenchmarkLadder(b *testing.B) {
	for _, s := range strings.Split(*ladderSizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			b.Fatalf("-ladder.sizes: %q is not a number", s)
		}
		b.Run(benchName(size), func(b *testing.B) {
			var step ladderResult
			for b.Loop() {
				step = runLadderStep(b, size)
			}
			for _, m := range []struct {
				value float64
				unit  string
			}{
				{float64(step.Entries), "entries"}, {step.KnowledgeMB, "knowledge-MB"}, {step.TextMB, "text-MB"},
				{step.BuildMs, "build-ms"}, {step.BuildCPUMs, "build-cpu-ms"},
				{step.HeapMB, "heap-MB"}, {step.IndexHeapMB, "index-heap-MB"},
				{step.ServeRSSMB, "serve-rss-MB"}, {step.ReloadPeakMB, "reload-peak-rss-MB"},
				{step.InUseMB, "in-use-MB"}, {step.BuildRiseMB, "build-rise-MB"}, {step.BuildEstimateMB, "build-estimate-MB"},
				{step.P50us, "p50-µs"}, {step.P99us, "p99-µs"},
			} {
				b.ReportMetric(m.value, m.unit)
			}
		})
	}
}

// ladderResult is what one step measured.
type ladderResult struct {
	Entries     int
	KnowledgeMB float64 // the entry files, as a knowledge folder holds them
	// BuildMs and BuildCPUMs are the wall-clock and CPU time of one Build.
	BuildMs, BuildCPUMs float64
	// HeapMB is the live heap after a build, the entries included; IndexHeapMB the index's
	// share of it.
	HeapMB, IndexHeapMB float64
	// ServeRSSMB is the process's resident memory while serving, ReloadPeakMB its peak while
	// a reload reads the knowledge again and builds a second index beside the first.
	ServeRSSMB, ReloadPeakMB float64
	// BuildRiseMB is how far the reload's build took resident memory above what it was with
	// both knowledge bases read; BuildEstimateMB is BuildMemory's estimate of it.
	BuildRiseMB, BuildEstimateMB float64
	// InUseMB is the memory the Go runtime held, reusable free heap left out, when the reload
	// was about to build: with BuildEstimateMB, what a bot weighs against its memory limit
	// before it builds.
	InUseMB      float64
	TextMB       float64 // the text indexed (see BuildMemory)
	P50us, P99us float64
}

// runLadderStep runs one step in a process of its own and reads what it measured.
func runLadderStep(b *testing.B, size int) ladderResult {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", ladderEnv, size))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("ladder step at %d entries: %v", size, err)
	}
	var r ladderResult
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("ladder step at %d entries printed %q: %v", size, out, err)
	}
	return r
}

// ladderStep measures one knowledge base size and prints the result as JSON. The entries are
// read from their files, as the bot reads a knowledge folder, and read again for the reload.
// Heap figures leave out what the step itself holds before the entries are read.
func ladderStep(sizeText string) int {
	size, err := strconv.Atoi(sizeText)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dir, err := os.MkdirTemp("", "dvkbot-ladder-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	var r ladderResult
	r.KnowledgeMB = writeLadderFiles(dir, size)
	baseHeap := liveHeap()
	entries := readLadderFiles(dir)
	withEntries := liveHeap()

	start, cpu := time.Now(), cpuTime()
	ix, err := Build(entries)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r.BuildMs, r.BuildCPUMs = ms(time.Since(start)), ms(cpuTime()-cpu)
	heap := liveHeap()
	r.Entries = len(entries)
	for _, e := range entries {
		r.TextMB += float64(textBytes(e)) / 1e6
	}
	r.HeapMB, r.IndexHeapMB = float64(heap-baseHeap)/1e6, float64(heap-withEntries)/1e6
	r.P50us, r.P99us = matchPercentiles(ix)

	debug.FreeOSMemory()
	r.ServeRSSMB = procStatus("VmRSS")
	resetPeak()
	live := NewLive(ix)
	fresh := readLadderFiles(dir)
	r.InUseMB = float64(MemoryInUse()) / 1e6
	debug.FreeOSMemory()
	loaded := procStatus("VmRSS")
	next, err := Build(fresh)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	live.Replace(next)
	r.ReloadPeakMB = procStatus("VmHWM")
	r.BuildRiseMB, r.BuildEstimateMB = r.ReloadPeakMB-loaded, float64(BuildMemory(fresh))/1e6
	live.Close()

	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// writeLadderFiles writes the entry files of a knowledge base of size entries into dir: the
// built-in base grown with synthetic entries. It returns their size in MB.
func writeLadderFiles(dir string, size int) float64 {
	base, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		panic(err)
	}
	entries := base
	if size > len(base) {
		entries = append(base, syntheticEntries(base, size-len(base))...)
	}
	total := 0
	for i, e := range entries {
		data := knowledge.Format(e, "")
		total += len(data)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("entry-%05d.md", i)), data, 0o600); err != nil {
			panic(err)
		}
	}
	return float64(total) / 1e6
}

// readLadderFiles reads the entry files of dir one at a time, as loading a knowledge folder
// does. The synthetic entries break content rules (their bodies open with no bold summary),
// which the engine does not care about: only entries that cannot be read at all stop it.
func readLadderFiles(dir string) []knowledge.Entry {
	names, err := os.ReadDir(dir)
	if err != nil {
		panic(err)
	}
	entries := make([]knowledge.Entry, len(names))
	for i, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n.Name()))
		if err != nil {
			panic(err)
		}
		e, problems := knowledge.Parse(n.Name(), data)
		if e.ID == "" {
			panic(problems)
		}
		entries[i] = e
	}
	return entries
}

// matchPercentiles times Match on the benchmark questions, after a first round to warm up.
func matchPercentiles(ix *Index) (p50, p99 float64) {
	for _, q := range benchQuestions {
		ix.Match(q)
	}
	took := make([]time.Duration, 0, 50*len(benchQuestions))
	for range 50 {
		for _, q := range benchQuestions {
			start := time.Now()
			ix.Match(q)
			took = append(took, time.Since(start))
		}
	}
	return float64(percentile(took, 50)) / 1e3, float64(percentile(took, 99)) / 1e3
}

// liveHeap is the heap in use once garbage is collected. Two collections: buffers that bleve
// keeps in a sync.Pool are only let go at the second.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads a memory figure of /proc/self/status ("VmRSS", "VmHWM") in MB.
func procStatus(name string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), name+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				panic(err)
			}
			return float64(kb) * 1024 / 1e6
		}
	}
	panic("no " + name + " in /proc/self/status")
}

// resetPeak starts the peak resident memory (VmHWM) anew from the current one.
func resetPeak() {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		panic(err)
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
