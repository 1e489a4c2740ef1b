package bot_test

import (
	"flag"
	"sort"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
)

// loadEvents is the load driver's size: `go test ./bot -run TestLoad -v -load.events 500`.
var (
	loadEvents   = flag.Int("load.events", 50, "mentions the load driver sends through the fake Slack")
	loadInterval = flag.Duration("load.interval", 0, "pause between mentions; 0 sends them as one burst")
)

// TestLoad is the load driver: it sends a burst of mentions through the fake Slack and reports
// event-to-reply latency (from the envelope leaving the fake to the reply reaching it) and lost
// or duplicate replies. Latency figures are reported, not asserted: speed is measured here, and
// correctness (every event answered exactly once) is what fails the test.
func TestLoad(t *testing.T) {
	h := start(t)
	questions := []string{"docker vs kubernetes", "what is a pod", "how does k8s autoscale", "kubernets ingress", "what is docker swarm"}
	sent := map[string]time.Time{}
	for i := 0; i < *loadEvents; i++ {
		ts := h.fake.NextTS()
		time.Sleep(*loadInterval)
		sent[ts] = time.Now()
		h.fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> "+questions[i%len(questions)], ts, ""))
	}
	replies := h.replies(t, *loadEvents)
	h.quiet(t, "chat.postMessage", *loadEvents)
	var latencies []time.Duration
	seen := map[string]int{}
	for _, c := range replies {
		seen[c.ThreadTS]++
		latencies = append(latencies, c.Time.Sub(sent[c.ThreadTS]))
	}
	for ts := range sent {
		if seen[ts] != 1 {
			t.Errorf("event %s answered %d times, want once", ts, seen[ts])
		}
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	t.Logf("load: %d events %s apart, lost 0, duplicates 0; event-to-reply p50 %s p99 %s max %s",
		len(latencies), *loadInterval, pct(0.50), pct(0.99), latencies[len(latencies)-1])
}
