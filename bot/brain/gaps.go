package brain

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Ask is one time someone asked a question the bot could not answer.
type Ask struct {
	// Question is the question as asked, cleaned of Slack markup.
	Question string `json:"question"`
	// User is the asker's Slack user id.
	User string `json:"user"`
	// Channel and ThreadTS say where it was asked, so an answer can be posted there.
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts,omitempty"`
	// Public is true only for a public channel. A DM, a private channel or a slash command is
	// private: shown to nobody but the asker.
	Public bool `json:"public"`
	// At is when it was asked.
	At time.Time `json:"at"`
}

// Gap is an unanswered question as one viewer may see it.
type Gap struct {
	// Key is the normalised question: the same for every wording that counts as this question,
	// short enough for a button's value.
	Key string
	// Question is the most recent visible wording.
	Question string
	// Count is how many times it was asked within the window, of the asks the viewer may see
	// (at most MaxAsksPerGap).
	Count int
	// Public is true when at least one of those asks was public.
	Public bool
	// Latest is the most recent of those asks: where to post an answer.
	Latest Ask
}

// maxGapQuestion bounds a question counted as a gap, in runes: a pasted log is not a gap worth
// keeping whole, and the key must fit a button's value.
const maxGapQuestion = 200

// cleanQuestion collapses spacing and cuts a question to max runes.
func cleanQuestion(q string, max int) string {
	q = strings.Join(strings.Fields(q), " ")
	if utf8.RuneCountInString(q) <= max {
		return q
	}
	return strings.TrimSpace(string([]rune(q)[:max]))
}

// gapKey normalises a question so that its wordings differing in case, spacing or closing
// punctuation count as one.
func gapKey(q string) string {
	return strings.ToLower(strings.TrimRight(cleanQuestion(q, maxGapQuestion), "?!. "))
}

// checkAsk validates an ask and fills in its cleaned question and time.
func checkAsk(a Ask, now time.Time) (Ask, string, error) {
	a.Question = cleanQuestion(a.Question, maxGapQuestion)
	key := gapKey(a.Question)
	if key == "" {
		return a, "", invalid("empty question")
	}
	if err := requireIDs(field{"user", a.User}, field{"channel", a.Channel}); err != nil {
		return a, "", err
	}
	if len(a.ThreadTS) > maxID {
		return a, "", invalid("thread ts is %d bytes, more than %d", len(a.ThreadTS), maxID)
	}
	if a.At.IsZero() {
		a.At = now
	}
	a.At = stamp(a.At)
	return a, key, nil
}

// keepAsks drops asks from before the window and keeps the newest MaxAsksPerGap, in order.
func keepAsks(asks []Ask, cutoff time.Time) []Ask {
	kept := asks[:0:0]
	for _, a := range asks {
		if a.At.After(cutoff) {
			kept = append(kept, a)
		}
	}
	if len(kept) > MaxAsksPerGap {
		kept = kept[len(kept)-MaxAsksPerGap:]
	}
	return kept
}

// summarise is the gap key's asks as viewer sees them: only public asks and the viewer's own,
// within the window. ok is false when none is visible.
func summarise(key string, asks []Ask, viewer string, cutoff time.Time) (g Gap, ok bool) {
	g.Key = key
	for _, a := range asks {
		if !a.At.After(cutoff) || (!a.Public && (viewer == "" || a.User != viewer)) {
			continue
		}
		g.Count++
		g.Public = g.Public || a.Public
		if !a.At.Before(g.Latest.At) {
			g.Latest = a
		}
	}
	g.Question = g.Latest.Question
	return g, g.Count > 0
}

// topGaps sorts gaps most asked first, then most recent, and keeps limit of them (all when
// limit <= 0).
func topGaps(gaps []Gap, limit int) []Gap {
	sort.Slice(gaps, func(i, j int) bool {
		if gaps[i].Count != gaps[j].Count {
			return gaps[i].Count > gaps[j].Count
		}
		return gaps[i].Latest.At.After(gaps[j].Latest.At)
	})
	if limit > 0 && len(gaps) > limit {
		gaps = gaps[:limit]
	}
	return gaps
}

// latestAsk is when the question was last asked, by anyone.
func latestAsk(asks []Ask) time.Time {
	var last time.Time
	for _, a := range asks {
		if a.At.After(last) {
			last = a.At
		}
	}
	return last
}
