package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// reloadDelay gathers the events of one save (an editor's write and rename, a kubelet's
// ..data swap) into one reload.
const reloadDelay = 150 * time.Millisecond

// reloader keeps the index in service in step with the team knowledge folder and with the
// entries experts capture in Slack: it watches the folder and the brain, rebuilds the index on
// every change (here or, through a shared brain, on any replica) and swaps it in whole. A broken
// file is reported and the last good knowledge keeps serving; so does a reload that would not
// fit in memory beside it (see room); a brain that cannot be read leaves the captured entries
// last read in service. A folder that cannot be watched (deleted,
// moved, refused by the system) is logged, counted and reported by ready until it is watched
// again.
type reloader struct {
	live    *index.Live
	dir     string
	log     *slog.Logger
	watcher *knowledge.Watcher // nil without a folder
	store   brain.EntryStore   // where captured entries are kept
	failed  func(op string)    // counts a failed call to the brain
	cancel  context.CancelFunc
	done    sync.WaitGroup // the watching goroutines

	results       *prometheus.CounterVec
	entries       prometheus.Gauge
	capturedGauge prometheus.Gauge
	watchFailures prometheus.Counter
	watched       prometheus.Gauge

	// building serialises rebuilds, so a slower one never swaps in knowledge older than a
	// quicker one after it; it guards captured and revision.
	building sync.Mutex
	captured []brain.Captured // the captured entries last read
	revision uint64           // the brain's revision of captured entries when they were read

	mu       sync.Mutex
	watchErr error         // why the folder is not watched; nil while it is
	changed  chan struct{} // closed at the next reload or change of watch status
}

// capturedTimeout bounds reading the captured entries for a rebuild.
const capturedTimeout = 5 * time.Second

// startReloader watches dir and the captured entries of store, then builds the index in service
// from them (and the built-in base), so that a change made meanwhile is not missed, and reloads
// on every change until stop. Without a dir it serves the built-in base and captured entries.
// failed counts a failed call to the brain.
func startReloader(ctx context.Context, dir string, store brain.EntryStore, failed func(op string), log *slog.Logger, reg prometheus.Registerer) (*reloader, error) {
	r := &reloader{
		dir: dir, log: log, store: store, failed: failed, changed: make(chan struct{}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_knowledge_reloads_total", Help: "Knowledge reloads after a change in DVK_KNOWLEDGE_DIR or in the entries captured in Slack, by result (ok, error, refused: it would not fit in memory).",
		}, []string{"result"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_knowledge_entries", Help: "Entries in the knowledge being served.",
		}),
		capturedGauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_knowledge_captured_entries", Help: "Entries captured in Slack in the knowledge being served (not counting those a team entry replaces).",
		}),
		watchFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_knowledge_watch_failures_total", Help: "Times DVK_KNOWLEDGE_DIR stopped being watched (deleted, moved, refused by the system).",
		}),
		watched: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_knowledge_watched", Help: "1 while DVK_KNOWLEDGE_DIR is watched for changes; 0 without a folder or while its changes are missed.",
		}),
	}
	if dir != "" {
		r.watcher = knowledge.NewWatcher(dir, reloadDelay, knowledge.WatchHooks{Changed: r.reload, Status: r.setWatchStatus})
	}
	ctx, r.cancel = context.WithCancel(ctx)
	changes := store.Watch(ctx) // before the first read: a change made meanwhile is signalled
	r.readCaptured(ctx)
	ix, skipped, err := buildIndex(dir, r.captured, nil)
	if err != nil {
		r.cancel()
		if r.watcher != nil {
			_ = r.watcher.Close()
		}
		return nil, err
	}
	r.live = index.NewLive(ix)
	r.served(ix, skipped)
	reg.MustRegister(r.results, r.entries, r.capturedGauge, r.watchFailures, r.watched, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dvkbot_knowledge_indexes_open", Help: "Indexes in memory: 1, plus replaced ones until the answers still using them are done.",
	}, func() float64 { return float64(r.live.Open()) }))

	if r.watcher != nil {
		r.done.Go(func() { r.watcher.Run(ctx) })
	}
	r.done.Go(func() {
		for range changes { // closed when ctx is done or the brain closes
			if r.capturedChanged(ctx) {
				r.reload()
			}
		}
	})
	return r, nil
}

// readCaptured reads the captured entries and their revision, or keeps those read before when
// the brain cannot be read. The caller holds building, or runs before any reload can.
func (r *reloader) readCaptured(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, capturedTimeout)
	defer cancel()
	rev, err := r.store.Revision(ctx) // first: a change after it is read again on its signal
	var captured []brain.Captured
	if err == nil {
		captured, err = r.store.Entries(ctx)
	}
	if err != nil {
		r.failed("entries")
		r.log.Error("could not read the entries captured in Slack; serving those read before", "entries", len(r.captured), "err", err)
		return
	}
	r.captured, r.revision = captured, rev
}

// capturedChanged reports whether the captured entries may differ from those in service: a
// brain's signal can come without a change (a replica's first look at the revision), and a
// rebuild costs a second index in memory for a while. When the revision cannot be read, it
// rebuilds anyway.
func (r *reloader) capturedChanged(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, capturedTimeout)
	defer cancel()
	rev, err := r.store.Revision(ctx)
	r.building.Lock()
	defer r.building.Unlock()
	return err != nil || rev != r.revision
}

// served records what the index in service holds, and logs the captured entries left out.
func (r *reloader) served(ix *index.Index, skipped []error) {
	r.entries.Set(float64(len(ix.Entries())))
	r.capturedGauge.Set(float64(len(r.captured) - len(skipped)))
	for _, err := range skipped {
		r.log.Warn("captured entry left out of the knowledge", "err", err)
	}
}

// stop stops watching, waits for a reload under way, and closes the index once the answers in
// flight are done. Call it when nothing asks questions any more.
func (r *reloader) stop() {
	r.cancel()
	r.done.Wait()
	if r.watcher != nil {
		_ = r.watcher.Close()
	}
	r.live.Close()
}

// reload builds a new index from the folder and the captured entries and swaps it in whole.
func (r *reloader) reload() {
	defer r.notify()
	r.building.Lock()
	defer r.building.Unlock()
	began := time.Now()
	r.readCaptured(context.Background())
	ix, skipped, err := buildIndex(r.dir, r.captured, room)
	var full *noRoomError
	switch {
	case errors.As(err, &full):
		r.results.WithLabelValues("refused").Inc()
		r.log.Error("knowledge reload refused: building it beside the knowledge in service would not fit under the memory limit; still serving the last good knowledge (raise the memory limit or trim the knowledge)",
			"dir", r.dir, "entries", full.entries, "need_bytes", full.need, "in_use_bytes", full.used, "limit_bytes", full.limit)
		return
	case err != nil:
		r.results.WithLabelValues("error").Inc()
		r.log.Error("knowledge reload failed; still serving the last good knowledge", "dir", r.dir, "err", err)
		return
	}
	r.live.Replace(ix)
	r.results.WithLabelValues("ok").Inc()
	r.served(ix, skipped)
	r.log.Info("knowledge reloaded", "dir", r.dir, "entries", len(ix.Entries()), "captured", len(r.captured)-len(skipped),
		"took", time.Since(began).Round(time.Millisecond).String())
}

// room refuses a reload whose build would not fit in memory beside the index in service: the
// memory in use (index.MemoryInUse) and what the build takes (index.BuildMemory) must stay
// under the Go runtime's memory limit (GOMEMLIMIT, or the one set from the container's). A build
// past it would get the container killed for its memory, and the bot with it; refused, the last
// good knowledge keeps serving. Without a limit every reload is built.
func room(entries []knowledge.Entry) error {
	limit := debug.SetMemoryLimit(-1) // a negative limit only reads it
	if limit == math.MaxInt64 {
		return nil
	}
	need := index.BuildMemory(entries)
	used := index.MemoryInUse()
	if used+need <= limit {
		return nil
	}
	return &noRoomError{entries: len(entries), need: need, used: used, limit: limit}
}

// noRoomError is a reload refused for want of memory: building entries needs need bytes beside
// the used bytes in use, over limit.
type noRoomError struct {
	entries           int
	need, used, limit int64
}

func (e *noRoomError) Error() string {
	return fmt.Sprintf("building %d entries needs about %d MiB beside the %d MiB in use, over the memory limit of %d MiB",
		e.entries, e.need>>20, e.used>>20, e.limit>>20)
}

// setWatchStatus records whether the folder is watched, for ready, the logs and the metrics:
// metrics first, then ready, then the log line, so that whoever sees one of them change finds
// the ones before it already changed.
func (r *reloader) setWatchStatus(err error) {
	defer r.notify()
	if err != nil {
		r.watchFailures.Inc()
		r.watched.Set(0)
	} else {
		r.watched.Set(1)
	}
	r.mu.Lock()
	was := r.watchErr
	r.watchErr = err
	r.mu.Unlock()
	switch {
	case err != nil:
		r.log.Error("knowledge folder not watched: changes are missed until it can be watched again", "dir", r.dir, "err", err)
	case was != nil:
		r.log.Info("knowledge folder watched again", "dir", r.dir)
	}
}

// ready says why the bot is not ready as far as knowledge goes: a folder whose changes are missed.
func (r *reloader) ready() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchErr != nil {
		return fmt.Errorf("knowledge folder not watched: %w", r.watchErr)
	}
	return nil
}

// changes returns a channel closed at the next reload, good or failed, or change of watch
// status: what tests and tools wait on instead of guessing how long a reload takes.
func (r *reloader) changes() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

func (r *reloader) notify() {
	r.mu.Lock()
	defer r.mu.Unlock()
	close(r.changed)
	r.changed = make(chan struct{})
}
