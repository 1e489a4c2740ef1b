package main

import (
	"errors"
	"flag"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// The container's limit is the smaller of the two sources: without a limit on the pod,
// Kubernetes passes the node's memory in DVK_MEMORY_LIMIT while the cgroup has none, and a
// cgroup can be tighter than what the manifest says.
func TestContainerLimitIsTheSmallerOne(t *testing.T) {
	const mib = 1 << 20
	cgroup := func(limit uint64, err error) func() (uint64, error) {
		return func() (uint64, error) { return limit, err }
	}
	cases := []struct {
		name      string
		env       int64
		cgroup    func() (uint64, error)
		want      int64
		wantFrom  string
		wantWarns bool
	}{
		{"neither", 0, cgroup(0, memlimit.ErrNoLimit), 0, "none", false},
		{"variable only", 128 * mib, cgroup(0, memlimit.ErrNoLimit), 128 * mib, "DVK_MEMORY_LIMIT", false},
		{"cgroup only", 0, cgroup(96*mib, nil), 96 * mib, "cgroup", false},
		{"node memory in the variable, cgroup tighter", 16 << 30, cgroup(128*mib, nil), 128 * mib, "cgroup", false},
		{"variable tighter", 64 * mib, cgroup(128*mib, nil), 64 * mib, "DVK_MEMORY_LIMIT", false},
		{"no cgroups on this system", 64 * mib, cgroup(0, memlimit.ErrCgroupsNotSupported), 64 * mib, "DVK_MEMORY_LIMIT", false},
		{"unreadable cgroup", 64 * mib, cgroup(0, errors.New("failed to parse memory.max value")), 64 * mib, "DVK_MEMORY_LIMIT", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := dvkbottest.NewLogs()
			limit, from := containerLimit(c.env, c.cgroup, slog.New(slog.NewJSONHandler(logs, nil)))
			if limit != c.want || from != c.wantFrom {
				t.Errorf("limit %d from %s, want %d from %s", limit, from, c.want, c.wantFrom)
			}
			if warned := strings.Contains(logs.String(), "could not read the cgroup's memory limit"); warned != c.wantWarns {
				t.Errorf("warned %v, want %v: %s", warned, c.wantWarns, logs.String())
			}
		})
	}
}

// The GC target lets the heap grow to a tenth of the soft limit, between Go's default and 400%.
func TestGCPercentFitsTheLimit(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		memLimit, live int64
		want           int
	}{
		{115 * mib, 0, 400},        // nothing measured yet
		{115 * mib, 2 * mib, 400},  // a tiny heap: capped, Go's smallest goal is then 16 MB
		{115 * mib, 4 * mib, 187},  // a goal of 11.5 MiB
		{115 * mib, 7 * mib, 100},  // the built-in knowledge: Go's default already lets it double
		{115 * mib, 40 * mib, 100}, // a large knowledge base: Go's default, GOMEMLIMIT bounds it
		{64 * mib, 7 * mib, 100},
	}
	for _, c := range cases {
		if got := gcPercentFor(c.memLimit, c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB) = %d, want %d", c.memLimit/mib, c.live/mib, got, c.want)
		}
	}
}

// A command that indexes, answers and exits collects less often, unless GOGC says otherwise.
func TestOfflineCommandsCollectLessOften(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	cases := []struct {
		goGC string
		want int
	}{
		{"", maxGCPercent},
		{"150", 100}, // the runtime applied GOGC itself; nothing changes it
	}
	for _, c := range cases {
		debug.SetGCPercent(100)
		MemoryConfig{GoGC: c.goGC}.offlineGC()
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("GOGC=%q: GC target %d%%, want %d%%", c.goGC, got, c.want)
		}
	}
}

// TestServeSizesMemoryToTheContainer starts the binary as Kubernetes would (DVK_MEMORY_LIMIT
// from the downward API) and with Go's own variables: the runtime's settings, read back from
// /metrics, are what the start-up log says, and GOMEMLIMIT and GOGC win when set.
func TestServeSizesMemoryToTheContainer(t *testing.T) {
	const limit = 128 << 20
	// The machine running the tests may itself be in a cgroup with a limit.
	cgroup := int64(math.MaxInt64)
	if l, err := memlimit.FromCgroup(); err == nil && l < math.MaxInt64 {
		cgroup = int64(l)
	}
	const fitted = 0 // the GC target fitted to the live heap, as logged
	index := indexHeap(t)
	type memCase struct {
		name          string
		env           []string
		wantMemLimit  int64
		wantGCPercent int64
	}
	cases := []memCase{
		{"limit from the downward API", []string{"DVK_MEMORY_LIMIT=134217728"}, min(limit, cgroup) * 9 / 10, fitted},
		{"GOGC set", []string{"DVK_MEMORY_LIMIT=134217728", "GOGC=150"}, min(limit, cgroup) * 9 / 10, 150},
		{"GOMEMLIMIT set", []string{"DVK_MEMORY_LIMIT=134217728", "GOMEMLIMIT=64MiB"}, 64 << 20, fitted},
	}
	if cgroup == math.MaxInt64 {
		cases = append(cases, memCase{"no limit anywhere", nil, math.MaxInt64, 100})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := dvkbottest.Serve(t, slackfake.New(t), c.env...)
			logged := b.Logs.Wait(t, "memory settings") // logged once the settings are applied
			memLimit, gcPercent := b.Metric(t, "go_gc_gomemlimit_bytes"), b.Metric(t, "go_gc_gogc_percent")
			b.Stop(t)
			want := c.wantGCPercent
			if want == fitted {
				// Fitted once the knowledge is indexed: the live heap holds the index. Two
				// measures of the same index differ by a few percent from process to process
				// (and the first build in one reads a third lower), so half of it is the bar:
				// before indexing the heap holds none of it.
				live, _ := logged["live_heap_bytes"].(float64)
				if live < float64(index)/2 {
					t.Errorf("GC target fitted to a live heap of %.0f bytes, less than the index's %d: before indexing", live, index)
				}
				want = int64(gcPercentFor(c.wantMemLimit, int64(live)))
			}
			// Within a float64's precision: /metrics prints the limit as one.
			if math.Abs(memLimit-float64(c.wantMemLimit)) > 1024 || gcPercent != float64(want) {
				t.Errorf("the runtime runs with GOMEMLIMIT %.0f and GOGC %.0f, want %d and %d", memLimit, gcPercent, c.wantMemLimit, want)
			}
			if logged["gogc"] != gcPercent || (c.wantMemLimit != math.MaxInt64 && logged["gomemlimit_bytes"] != float64(c.wantMemLimit)) {
				t.Errorf("start-up logged %v; the runtime runs with GOMEMLIMIT %.0f and GOGC %.0f", logged, memLimit, gcPercent)
			}
		})
	}
}

// The burst measurement: `go test ./cmd/dvkbot -run TestServeBurstAsAProcess -v -burst.env
// "DVK_MEMORY_LIMIT=134217728"` (-burst.env "" for Go's defaults, or GOGC=200 and so on).
var (
	burstEnv    = flag.String("burst.env", "DVK_MEMORY_LIMIT=134217728", "variables, separated by spaces, for the serve process the burst measurement runs")
	burstEvents = flag.Int("burst.events", 500, "mentions the burst measurement sends at once")
)

// TestServeBurstAsAProcess runs the binary the image ships against the fake Slack on the wall
// clock, sends one burst of mentions and reports what the memory settings are for: collections
// while starting and during the burst, resident memory, and event-to-reply latency. Figures are
// reported, not asserted; every mention answered once is.
func TestServeBurstAsAProcess(t *testing.T) {
	fake := slackfake.New(t)
	began := time.Now()
	b := dvkbottest.ServeBinary(t, dvkbottest.ImageBinary(t), fake, append([]string{"DVK_LOG_LEVEL=warn"}, strings.Fields(*burstEnv)...)...)
	ready := time.Since(began) // connected to Slack: ready to answer
	gcReady, cpuReady := b.Metric(t, "go_gc_duration_seconds_count"), b.Metric(t, "process_cpu_seconds_total")
	gcPercent, memLimit := b.Metric(t, "go_gc_gogc_percent"), b.Metric(t, "go_gc_gomemlimit_bytes")
	rssReady := memoryKB(t, b.Pid(), "VmRSS")

	sent := map[string]time.Time{}
	for range *burstEvents {
		ts := fake.NextTS()
		sent[ts] = time.Now()
		fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> how does kubernetes scale pods", ts, ""))
	}
	replies := fake.WaitCalls(t, "chat.postMessage", *burstEvents, dvkbottest.Hang)
	gcBurst := b.Metric(t, "go_gc_duration_seconds_count") - gcReady
	cpuBurst := time.Duration((b.Metric(t, "process_cpu_seconds_total") - cpuReady) * float64(time.Second))
	rss, hwm := memoryKB(t, b.Pid(), "VmRSS"), memoryKB(t, b.Pid(), "VmHWM")
	b.Stop(t)

	var latencies []time.Duration
	for _, r := range replies {
		latencies = append(latencies, r.Time.Sub(sent[r.ThreadTS]))
		delete(sent, r.ThreadTS)
	}
	if len(sent) > 0 || len(fake.Calls("chat.postMessage")) != *burstEvents {
		t.Fatalf("%d mentions unanswered, %d posts for %d mentions", len(sent), len(fake.Calls("chat.postMessage")), *burstEvents)
	}
	slices.Sort(latencies)
	t.Logf("serve with %q (GOGC %.0f, GOMEMLIMIT %.0f MiB): ready in %s after %.0f GCs, RSS %d kB; a burst of %d: %.0f GCs, CPU %s (%s an event), p50 %s p99 %s, RSS %d kB, peak %d kB",
		*burstEnv, gcPercent, memLimit/(1<<20), ready.Round(time.Millisecond), gcReady, rssReady, len(latencies), gcBurst, cpuBurst.Round(time.Millisecond),
		(cpuBurst / time.Duration(len(latencies))).Round(time.Microsecond),
		latencies[len(latencies)/2].Round(time.Millisecond), latencies[(len(latencies)-1)*99/100].Round(time.Millisecond), rss, hwm)
}

// indexHeap is how much live heap the index of the built-in knowledge holds.
func indexHeap(t *testing.T) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, _, err := buildIndex("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ix)
	return after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
}
