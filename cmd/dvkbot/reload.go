package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Reload timing: events are debounced briefly (a save is several events), and a replaced index
// is closed only after every question that may still be using it has finished.
const (
	reloadDebounce = 150 * time.Millisecond
	retireAfter    = 30 * time.Second
)

// reloader rebuilds the index when the team knowledge folder changes. A broken file is
// reported and the last good knowledge keeps serving.
type reloader struct {
	live    *index.Live
	dir     string
	log     *slog.Logger
	results *prometheus.CounterVec
	entries prometheus.Gauge
}

func newReloader(live *index.Live, dir string, log *slog.Logger, reg prometheus.Registerer) *reloader {
	r := &reloader{
		live: live, dir: dir, log: log,
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_knowledge_reloads_total", Help: "Knowledge reloads after a change in DVK_KNOWLEDGE_DIR, by result (ok, error).",
		}, []string{"result"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_knowledge_entries", Help: "Entries in the knowledge being served.",
		}),
	}
	reg.MustRegister(r.results, r.entries)
	r.entries.Set(float64(len(live.Entries())))
	return r
}

// watch reloads on every change of the folder until ctx is done.
func (r *reloader) watch(ctx context.Context) {
	if r.dir == "" {
		return
	}
	if err := knowledge.Watch(ctx, r.dir, reloadDebounce, r.reload); err != nil {
		r.log.Error("knowledge folder not watched: changes need a restart", "dir", r.dir, "err", err)
	}
}

// reload builds a new index from the folder and swaps it in whole.
func (r *reloader) reload() {
	ix, err := buildIndex(r.dir)
	if err != nil {
		r.results.WithLabelValues("error").Inc()
		r.log.Error("knowledge reload failed; still serving the last good knowledge", "dir", r.dir, "err", err)
		return
	}
	old := r.live.Swap(ix)
	time.AfterFunc(retireAfter, func() { _ = old.Close() })
	r.results.WithLabelValues("ok").Inc()
	r.entries.Set(float64(len(ix.Entries())))
	r.log.Info("knowledge reloaded", "dir", r.dir, "entries", len(ix.Entries()))
}
