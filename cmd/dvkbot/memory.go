package main

import (
	"errors"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// MemoryConfig says how much memory the bot may use. Go's own GOMEMLIMIT and GOGC are read
// here only to learn that they were set: the Go runtime applies them itself, and they win over
// the settings derived from the container's limit.
type MemoryConfig struct {
	// Limit is the container's memory limit in bytes; Kubernetes passes it with the downward API.
	Limit int64 `envconfig:"DVK_MEMORY_LIMIT" desc:"the container's memory limit in bytes (a Kubernetes resourceFieldRef to limits.memory); the cgroup's own limit is read as well"`
	// GoMemLimit is Go's soft memory limit, such as 100MiB.
	GoMemLimit string `envconfig:"GOMEMLIMIT" desc:"Go's soft memory limit, such as 100MiB (default: 90% of the container's limit)"`
	// GoGC is Go's garbage collection target, in percent of the live heap.
	GoGC string `envconfig:"GOGC" desc:"Go's garbage collection target in percent (default: fitted to the memory limit, else 100)"`
}

func (c MemoryConfig) validate() []varError {
	var p problems
	if c.Limit < 0 {
		p.add("DVK_MEMORY_LIMIT", "want a number of bytes such as 134217728, got %d", c.Limit)
	}
	// The runtime reads GOGC before dvkbot starts and takes anything it cannot parse as 100,
	// silently. (A malformed GOMEMLIMIT it refuses itself: the process stops before main.)
	if _, err := strconv.ParseInt(c.GoGC, 10, 32); c.GoGC != "" && c.GoGC != "off" && err != nil {
		p.add("GOGC", "want a percentage such as 100, or off, got %q", c.GoGC)
	}
	return p
}

// Under a memory limit the runtime may use limitShare of it: the rest is left for what the Go
// runtime does not count, the binary's code and the kernel's file cache, which the container's
// limit counts too.
const limitShare = 0.9

// Under a memory limit the GC target lets the heap grow to a tenth of the soft limit between
// collections (11.5 MiB under 128 MiB): a heap of a few MB is then not collected every few MB
// allocated, as with Go's default (whose smallest goal is 4 MB), while most of the limit stays
// free for a reload, which holds two indexes at once, and serving the built-in knowledge stays
// about 40 MB resident (50 MB at its peak through a burst of 500 mentions). The target is never
// below Go's default, and at most 400%, since Go's smallest goal grows with the target (16 MB
// at 400%). GOMEMLIMIT bounds whatever it allows.
const (
	heapBudgetShare = 10
	minGCPercent    = 100
	maxGCPercent    = 400
)

// memorySettings are the Go runtime's memory settings serve runs with, and why.
type memorySettings struct {
	// containerLimit is the smaller of DVK_MEMORY_LIMIT and the cgroup's limit, 0 for none.
	containerLimit int64
	limitFrom      string // "DVK_MEMORY_LIMIT", "cgroup" or "none"
	memLimit       int64  // the runtime's soft limit; math.MaxInt64 for none
	memLimitFrom   string // "GOMEMLIMIT", "container limit" or "none"
	gcPercent      int64  // -1 for GOGC=off
	gcPercentFrom  string // "GOGC", "memory limit" or "default"
	liveHeap       int64  // the live heap the GC target was fitted to, in bytes; 0 if it was not
}

// applyMemorySettings sets GOMEMLIMIT from the container's limit, unless GOMEMLIMIT was set, and
// returns what is in force; fitGC then fits the GC target to it. cgroupLimit reads the cgroup's
// limit (memlimit.FromCgroup outside tests).
func applyMemorySettings(c MemoryConfig, cgroupLimit func() (uint64, error), log *slog.Logger) *memorySettings {
	s := &memorySettings{limitFrom: "none", memLimitFrom: "none", gcPercentFrom: "default"}
	s.containerLimit, s.limitFrom = containerLimit(c.Limit, cgroupLimit, log)
	switch {
	case c.GoMemLimit != "":
		s.memLimitFrom = "GOMEMLIMIT"
	case s.containerLimit > 0:
		debug.SetMemoryLimit(int64(float64(s.containerLimit) * limitShare))
		s.memLimitFrom = "container limit"
	}
	s.memLimit = debug.SetMemoryLimit(-1) // a negative limit only reads it
	switch {
	case c.GoGC != "":
		s.gcPercentFrom = "GOGC"
	case s.memLimit != math.MaxInt64:
		s.gcPercentFrom = "memory limit"
	}
	s.gcPercent = int64(readMetric("/gc/gogc:percent"))
	return s
}

// fitGC sets the GC target for the heap live now, when it is serve's to choose: call it once the
// knowledge is indexed, which is most of what the heap holds while serving. Not before: a higher
// target while indexing saved a dozen collections of a small heap, but spread the index over
// more memory pages, and serving a burst then held 4 to 5 MB more.
func (s *memorySettings) fitGC() {
	if s.gcPercentFrom == "memory limit" {
		s.liveHeap = liveHeap()
		debug.SetGCPercent(gcPercentFor(s.memLimit, s.liveHeap))
	}
	s.gcPercent = int64(readMetric("/gc/gogc:percent"))
}

// offlineGC sets the GC target of a command that indexes, answers and exits (ask, chat, eval),
// unless GOGC is set. What such a command builds stays live until it exits, so Go's default
// target collects a heap of a few MB again and again while it grows to the index's size; at
// maxGCPercent, building the built-in base takes a fifth less time.
func (c MemoryConfig) offlineGC() {
	if c.GoGC == "" {
		debug.SetGCPercent(maxGCPercent)
	}
}

// gcPercentFor is the GC target under the soft limit memLimit for a live heap of live bytes.
func gcPercentFor(memLimit, live int64) int {
	budget := memLimit / heapBudgetShare
	if live <= 0 || live*(100+maxGCPercent)/100 <= budget {
		return maxGCPercent
	}
	return int(max(100*(budget-live)/live, minGCPercent))
}

// containerLimit is the smaller of the limit given in DVK_MEMORY_LIMIT and the cgroup's, and
// where it came from. Without a limit on the pod, Kubernetes passes the node's memory in
// DVK_MEMORY_LIMIT, so the cgroup's limit is read even when the variable is set.
func containerLimit(fromEnv int64, cgroupLimit func() (uint64, error), log *slog.Logger) (int64, string) {
	limit, from := fromEnv, "DVK_MEMORY_LIMIT"
	if limit == 0 {
		from = "none"
	}
	cgroup, err := cgroupLimit()
	switch {
	case err == nil && cgroup <= math.MaxInt64 && (limit == 0 || int64(cgroup) < limit):
		limit, from = int64(cgroup), "cgroup"
	case err != nil && !errors.Is(err, memlimit.ErrNoLimit) && !errors.Is(err, memlimit.ErrNoCgroup) &&
		!errors.Is(err, memlimit.ErrCgroupsNotSupported):
		log.Warn("could not read the cgroup's memory limit", "err", err)
	}
	return limit, from
}

// liveHeap is the heap a collection finds live. One is run for it, since the last may have been
// in the middle of building the index, and the memory the build no longer needs is handed back
// to the system at once rather than over the next minutes.
func liveHeap() int64 {
	debug.FreeOSMemory()
	return int64(readMetric("/gc/heap/live:bytes"))
}

func readMetric(name string) uint64 {
	sample := []metrics.Sample{{Name: name}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// attrs are the settings as log attributes, limits in bytes.
func (s *memorySettings) attrs() []any {
	attrs := []any{"container_limit_bytes", s.containerLimit, "container_limit_from", s.limitFrom,
		"gomemlimit_from", s.memLimitFrom}
	if s.memLimit != math.MaxInt64 {
		attrs = append(attrs, "gomemlimit_bytes", s.memLimit)
	}
	attrs = append(attrs, "gogc", s.gcPercent, "gogc_from", s.gcPercentFrom)
	if s.liveHeap > 0 {
		attrs = append(attrs, "live_heap_bytes", s.liveHeap)
	}
	return attrs
}
