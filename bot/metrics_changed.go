package bot

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// counterVec is a *prometheus.CounterVec, or one whose counters signal their changes.
type counterVec interface {
	prometheus.Collector
	WithLabelValues(lvs ...string) prometheus.Counter
}

// Changed returns a channel closed the next time one of the bot's counters changes. Tests and
// tools that wait for a count (a reply lost, an envelope refused, a duplicate skipped) read the
// counters again each time it closes, instead of polling them.
func (m *Metrics) Changed() <-chan struct{} {
	return m.changed.next()
}

// watchCounters makes every counter signal its changes on m.changed.
func (m *Metrics) watchCounters() {
	m.changed = &signal{}
	for _, v := range []*counterVec{&m.events, &m.answers, &m.slackErrors, &m.slackRetries, &m.feedback,
		&m.refused, &m.lost, &m.ignoredEvents, &m.brainErrors} {
		*v = signallingVec{*v, m.changed}
	}
	for _, c := range []*prometheus.Counter{&m.reconnects, &m.unanswered, &m.panics, &m.refusedURLs,
		&m.badEnvelopes, &m.duplicates, &m.captured, &m.toExperts} {
		*c = signallingCounter{*c, m.changed}
	}
}

// signallingVec hands out counters that signal their changes.
type signallingVec struct {
	counterVec
	changed *signal
}

func (v signallingVec) WithLabelValues(lvs ...string) prometheus.Counter {
	return signallingCounter{v.counterVec.WithLabelValues(lvs...), v.changed}
}

// signallingCounter signals each change once it is counted.
type signallingCounter struct {
	prometheus.Counter
	changed *signal
}

func (c signallingCounter) Inc() {
	c.Counter.Inc()
	c.changed.notify()
}

func (c signallingCounter) Add(v float64) {
	c.Counter.Add(v)
	c.changed.notify()
}

// signal wakes whoever waits for the next change. Without a waiter a change costs one lock.
type signal struct {
	mu sync.Mutex
	ch chan struct{} // nil while no one waits
}

func (s *signal) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
