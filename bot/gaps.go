package bot

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Gap is a question the bot could not answer, with how often it was asked.
type Gap struct {
	Question string
	Count    int
	Last     time.Time
}

// Gaps remembers the questions the bot could not answer in the last days, so a team can see
// what to write next (/dvk gaps). Memory is bounded: past maxGaps distinct questions the
// least asked, oldest one is forgotten.
type Gaps struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	now    func() time.Time
	byKey  map[string]*Gap
}

// maxGapText bounds each remembered question: a pasted log is not a gap worth keeping whole.
const maxGapText = 200

// NewGaps keeps up to maxGaps questions seen within window.
func NewGaps(maxGaps int, window time.Duration) *Gaps {
	return &Gaps{window: window, max: maxGaps, now: time.Now, byKey: map[string]*Gap{}}
}

// Record counts one unanswered question. Questions differing only in case and spacing count
// as one.
func (g *Gaps) Record(question string) {
	text := strings.Join(strings.Fields(question), " ")
	if text == "" {
		return
	}
	text = cut(text, maxGapText)
	key := strings.ToLower(text)
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if gap, ok := g.byKey[key]; ok {
		gap.Count++
		gap.Last = now
		return
	}
	g.byKey[key] = &Gap{Question: text, Count: 1, Last: now}
	if len(g.byKey) > g.max {
		g.evict(now)
	}
}

// Top returns up to n questions of the window, most asked first.
func (g *Gaps) Top(n int) []Gap {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expire(g.now())
	out := make([]Gap, 0, len(g.byKey))
	for _, gap := range g.byKey {
		out = append(out, *gap)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Last.After(out[j].Last)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// expire drops the questions last asked before the window.
func (g *Gaps) expire(now time.Time) {
	for key, gap := range g.byKey {
		if now.Sub(gap.Last) > g.window {
			delete(g.byKey, key)
		}
	}
}

// evict drops expired questions, then the least asked, oldest one until within bounds.
func (g *Gaps) evict(now time.Time) {
	g.expire(now)
	for len(g.byKey) > g.max {
		var worstKey string
		var worst *Gap
		for key, gap := range g.byKey {
			if worst == nil || gap.Count < worst.Count || (gap.Count == worst.Count && gap.Last.Before(worst.Last)) {
				worstKey, worst = key, gap
			}
		}
		delete(g.byKey, worstKey)
	}
}
