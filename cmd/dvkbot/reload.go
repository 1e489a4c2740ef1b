package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// reloadDelay gathers the events of one save (an editor's write and rename, a kubelet's
// ..data swap) into one reload.
const reloadDelay = 150 * time.Millisecond

// reloader keeps the index in service in step with the team knowledge folder: it watches the
// folder, rebuilds the index on every change and swaps it in whole. A broken file is reported
// and the last good knowledge keeps serving. A folder that cannot be watched (deleted, moved,
// refused by the system) is logged, counted and reported by ready until it is watched again.
type reloader struct {
	live    *index.Live
	dir     string
	log     *slog.Logger
	watcher *knowledge.Watcher // nil without a folder
	cancel  context.CancelFunc
	done    chan struct{} // closed when the watching goroutine has returned

	results       *prometheus.CounterVec
	entries       prometheus.Gauge
	watchFailures prometheus.Counter
	watched       prometheus.Gauge

	mu       sync.Mutex
	watchErr error         // why the folder is not watched; nil while it is
	changed  chan struct{} // closed at the next reload or change of watch status
}

// startReloader watches dir, then builds the index in service from it (and the built-in base),
// so that a change made meanwhile is not missed, and reloads on every change until stop.
// Without a dir it serves the built-in base alone.
func startReloader(ctx context.Context, dir string, log *slog.Logger, reg prometheus.Registerer) (*reloader, error) {
	r := &reloader{
		dir: dir, log: log, done: make(chan struct{}), changed: make(chan struct{}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_knowledge_reloads_total", Help: "Knowledge reloads after a change in DVK_KNOWLEDGE_DIR, by result (ok, error).",
		}, []string{"result"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_knowledge_entries", Help: "Entries in the knowledge being served.",
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
	ix, err := buildIndex(dir)
	if err != nil {
		if r.watcher != nil {
			_ = r.watcher.Close()
		}
		return nil, err
	}
	r.live = index.NewLive(ix)
	r.entries.Set(float64(len(ix.Entries())))
	reg.MustRegister(r.results, r.entries, r.watchFailures, r.watched, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dvkbot_knowledge_indexes_open", Help: "Indexes in memory: 1, plus replaced ones until the answers still using them are done.",
	}, func() float64 { return float64(r.live.Open()) }))

	ctx, r.cancel = context.WithCancel(ctx)
	go func() {
		defer close(r.done)
		if r.watcher != nil {
			r.watcher.Run(ctx)
		}
	}()
	return r, nil
}

// stop stops watching, waits for a reload under way, and closes the index once the answers in
// flight are done. Call it when nothing asks questions any more.
func (r *reloader) stop() {
	r.cancel()
	<-r.done
	if r.watcher != nil {
		_ = r.watcher.Close()
	}
	r.live.Close()
}

// reload builds a new index from the folder and swaps it in whole.
func (r *reloader) reload() {
	defer r.notify()
	began := time.Now()
	ix, err := buildIndex(r.dir)
	if err != nil {
		r.results.WithLabelValues("error").Inc()
		r.log.Error("knowledge reload failed; still serving the last good knowledge", "dir", r.dir, "err", err)
		return
	}
	r.live.Replace(ix)
	r.results.WithLabelValues("ok").Inc()
	r.entries.Set(float64(len(ix.Entries())))
	r.log.Info("knowledge reloaded", "dir", r.dir, "entries", len(ix.Entries()), "took", time.Since(began).Round(time.Millisecond).String())
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
