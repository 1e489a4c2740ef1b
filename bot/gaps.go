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

// Asker says who asked an unanswered question and whether everyone could see it: a mention in
// a public channel is public; a DM, a slash command or a private channel is not.
type Asker struct {
	User   string
	Public bool
}

// Gaps remembers the questions the bot could not answer in the last days, so a team can see
// what to write next (/dvk gaps). Private stays private: a question asked where not everyone
// could see it is kept for its asker alone. Memory is bounded: past maxGaps questions the least
// asked, oldest one is forgotten.
type Gaps struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	now    func() time.Time
	byKey  map[gapKey]*Gap
}

// gapKey files a question under everyone ("" owner) or under its asker when it was private.
type gapKey struct {
	owner string
	text  string
}

// maxGapText bounds each remembered question: a pasted log is not a gap worth keeping whole.
const maxGapText = 200

// NewGaps keeps up to maxGaps questions seen within window.
func NewGaps(maxGaps int, window time.Duration) *Gaps {
	return &Gaps{window: window, max: maxGaps, now: time.Now, byKey: map[gapKey]*Gap{}}
}

// Record counts one unanswered question. Questions differing only in case and spacing count
// as one.
func (g *Gaps) Record(question string, who Asker) {
	text := strings.Join(strings.Fields(question), " ")
	if text == "" {
		return
	}
	text = cut(text, maxGapText)
	key := gapKey{text: strings.ToLower(text)}
	if !who.Public {
		key.owner = "user:" + who.User // never "": a private question is never everyone's
	}
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

// Top returns up to n questions of the window that were asked where everyone could see them,
// most asked first.
func (g *Gaps) Top(n int) []Gap {
	return g.list("", n)
}

// Own returns up to n questions of the window that user asked privately, most asked first:
// for that user's eyes only.
func (g *Gaps) Own(user string, n int) []Gap {
	return g.list("user:"+user, n)
}

func (g *Gaps) list(owner string, n int) []Gap {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expire(g.now())
	var out []Gap
	for key, gap := range g.byKey {
		if key.owner == owner {
			out = append(out, *gap)
		}
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
		var worstKey gapKey
		var worst *Gap
		for key, gap := range g.byKey {
			if worst == nil || gap.Count < worst.Count || (gap.Count == worst.Count && gap.Last.Before(worst.Last)) {
				worstKey, worst = key, gap
			}
		}
		delete(g.byKey, worstKey)
	}
}
