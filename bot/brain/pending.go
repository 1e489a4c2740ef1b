package brain

import (
	"sort"
	"time"
)

// Pending is a question waiting for an expert's answer.
type Pending struct {
	// ID is PendingID(Channel, ThreadTS), set by AddPending.
	ID string `json:"id"`
	// Question is the question as asked.
	Question string `json:"question"`
	// Channel and ThreadTS are where it was asked: the answer is posted there.
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	// Asker is the asker's Slack user id.
	Asker string `json:"asker"`
	// Asked is when it was queued.
	Asked time.Time `json:"asked"`
}

// PendingID is the id of the question waiting in a thread: one per thread.
func PendingID(channel, threadTS string) string {
	return channel + "/" + threadTS
}

// maxPendingQuestion bounds a question sent to the experts, in runes: it fits a Slack section.
const maxPendingQuestion = 2000

// checkPending validates a question for the experts and fills in its id, cleaned text and time.
func checkPending(p Pending, now time.Time) (Pending, error) {
	p.Question = cleanQuestion(p.Question, maxPendingQuestion)
	if p.Question == "" {
		return p, invalid("empty question")
	}
	err := requireIDs(field{"channel", p.Channel}, field{"thread ts", p.ThreadTS}, field{"asker", p.Asker})
	if err != nil {
		return p, err
	}
	p.ID = PendingID(p.Channel, p.ThreadTS)
	if p.Asked.IsZero() {
		p.Asked = now
	}
	p.Asked = stamp(p.Asked)
	return p, nil
}

// sortPending orders questions oldest first, then by id.
func sortPending(ps []Pending) {
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].Asked.Equal(ps[j].Asked) {
			return ps[i].Asked.Before(ps[j].Asked)
		}
		return ps[i].ID < ps[j].ID
	})
}
