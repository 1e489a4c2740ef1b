package brain_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
)

// BenchmarkEventPath measures what the brain adds to one event, on each implementation (Redis
// on loopback): for an answered question the dedupe check, the thread lookup and the thread
// update; for an unanswered one the dedupe check, the thread lookup and the gap record (1,000
// questions in turn: past MaxGaps, each record also forgets the least recently asked).
//
//	go test -run '^$' -bench EventPath ./bot/brain
func BenchmarkEventPath(b *testing.B) {
	open := []struct {
		name string
		open func(b *testing.B) brain.Brain
	}{
		{"memory", func(b *testing.B) brain.Brain {
			m := brain.NewMemory(brain.Options{})
			b.Cleanup(func() { mustDo(b, m.Close()) })
			return m
		}},
		{"embedded", func(b *testing.B) brain.Brain {
			e, err := brain.OpenEmbedded(brain.Options{DataDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { mustDo(b, e.Close()) })
			return e
		}},
		{"redis", func(b *testing.B) brain.Brain { return startRedis(b).openShared(b, nil) }},
	}
	paths := map[string]func(ctx context.Context, br brain.Brain, i int) error{
		"answered": func(ctx context.Context, br brain.Brain, i int) error {
			return br.RememberThread(ctx, "C1", strconv.Itoa(i), "docker-swarm")
		},
		"unanswered": func(ctx context.Context, br brain.Brain, i int) error {
			return br.RecordGap(ctx, brain.Ask{Question: "question " + strconv.Itoa(i%1000), User: "U1", Channel: "C1", Public: true})
		},
	}
	for _, path := range []string{"answered", "unanswered"} {
		for _, impl := range open {
			b.Run(path+"/"+impl.name, func(b *testing.B) {
				eventPath(b, impl.open(b), paths[path])
			})
		}
	}
}

// eventPath runs the dedupe check, the thread lookup and then last, per event, and reports
// the p50 and p99 of an event's time.
func eventPath(b *testing.B, br brain.Brain, last func(ctx context.Context, br brain.Brain, i int) error) {
	ctx := b.Context()
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		first, err := br.MarkSeen(ctx, "event:"+strconv.Itoa(i))
		if err != nil || !first {
			b.Fatalf("event %d: first=%v err=%v", i, first, err)
		}
		if _, _, err := br.RecallThread(ctx, "C1", strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		if err := last(ctx, br, i); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds())/1e3, "p99-µs")
}
