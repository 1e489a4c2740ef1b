package fit

import (
	"fmt"
	"io"
	"sort"

	"github.com/dvkbot/dvkbot/index"
)

// Score counts right outcomes in one group of questions.
type Score struct {
	Topic string  `json:"topic"`
	Right int     `json:"right"`
	Total int     `json:"total"`
	Rate  float64 `json:"rate"`
}

func (s *Score) add(right bool) {
	s.Total++
	if right {
		s.Right++
	}
	s.Rate = float64(s.Right) / float64(s.Total)
}

// Below reports whether the share of right outcomes is under min; a group with no question (a
// set without off-topic questions, say) is not below anything.
func (s Score) Below(min float64) bool {
	return s.Total > 0 && s.Rate < min
}

// Share counts the questions with some outcome, out of all.
type Share struct {
	Count int     `json:"count"`
	Total int     `json:"total"`
	Rate  float64 `json:"rate"`
}

func (s *Share) add(counted bool) {
	s.Total++
	if counted {
		s.Count++
	}
	s.Rate = float64(s.Count) / float64(s.Total)
}

// Report is how an index did on a question set, judged by entry id.
type Report struct {
	// Topics are the answerable questions grouped by the kind of their first label, and the
	// abstentions as "abstain" and "off-topic".
	Topics []Score `json:"topics"`
	// Answers are the answerable questions: right means answered with an accepted entry.
	Answers Score `json:"answers"`
	// Abstention are the questions no entry answers: right means not answered.
	Abstention Score `json:"abstention"`
	// Overall is every question.
	Overall Score `json:"overall"`
	// Wrong counts answers with an entry the question does not accept, out of every question.
	Wrong Share `json:"wrong"`
	// OffTopicAnswered counts off-topic questions that were answered at all.
	OffTopicAnswered int `json:"off_topic_answered"`
	// Failures are the questions not handled right.
	Failures []Miss `json:"failures"`
}

// Miss is one wrong outcome, with what the engine saw, so it can be diagnosed.
type Miss struct {
	Q          string   `json:"q"`
	Want       []string `json:"want"`
	Got        string   `json:"got"`
	Confidence float64  `json:"confidence"`
	Reason     string   `json:"reason,omitempty"`
	Source     string   `json:"source,omitempty"`
}

// Evaluate answers every case with ix and scores the answers by entry id.
func Evaluate(ix *index.Index, cases []Case) Report {
	rep := Report{Answers: Score{Topic: "answers"}, Abstention: Score{Topic: "abstention"},
		Overall: Score{Topic: "overall"}}
	byTopic := map[string]*Score{}
	for _, c := range cases {
		a := ix.Answer(c.Q)
		got := ""
		if a.Answered {
			got = a.Entry.ID
		}
		rep.record(c, got, byTopic, topicOf(ix, c))
		if !c.Accepts(got) {
			rep.Failures = append(rep.Failures, Miss{Q: c.Q, Want: c.Want, Got: orAbstain(got),
				Confidence: round(a.Confidence), Reason: a.Match.Reason, Source: c.Source})
		}
	}
	for _, s := range byTopic {
		rep.Topics = append(rep.Topics, *s)
	}
	sort.Slice(rep.Topics, func(i, j int) bool { return rep.Topics[i].Topic < rep.Topics[j].Topic })
	return rep
}

func (rep *Report) record(c Case, got string, byTopic map[string]*Score, topic string) {
	right := c.Accepts(got)
	bucket := &rep.Answers
	if c.Abstains() {
		bucket = &rep.Abstention
	}
	if byTopic[topic] == nil {
		byTopic[topic] = &Score{Topic: topic}
	}
	for _, s := range []*Score{byTopic[topic], bucket, &rep.Overall} {
		s.add(right)
	}
	rep.Wrong.add(got != "" && !right)
	if c.OffTopic() && got != "" {
		rep.OffTopicAnswered++
	}
}

// topicOf groups a case: by the kind of the entry it wants, or as an abstention.
func topicOf(ix *index.Index, c Case) string {
	switch {
	case c.OffTopic():
		return "off-topic"
	case c.Abstains():
		return "abstain"
	}
	if e, ok := ix.Entry(c.Want[0]); ok {
		return string(e.Kind)
	}
	return "unknown-id"
}

func orAbstain(id string) string {
	if id == "" {
		return Abstain
	}
	return id
}

func round(x float64) float64 {
	return float64(int(x*1000+0.5)) / 1000
}

// Print writes the report for people: the failures, then a line per group.
func (rep Report) Print(w io.Writer) {
	for _, m := range rep.Failures {
		fmt.Fprintf(w, "MISS want=%v got=%s conf=%.2f %s\n     %q\n", m.Want, m.Got, m.Confidence, m.Reason, m.Q)
	}
	fmt.Fprintln(w)
	rep.PrintSummary(w)
}

// PrintSummary writes a line per group and the wrong and off-topic counts.
func (rep Report) PrintSummary(w io.Writer) {
	for _, s := range append(rep.Topics, rep.Answers, rep.Abstention, rep.Overall) {
		fmt.Fprintf(w, "%-12s %4d/%-4d %6.1f%%\n", s.Topic, s.Right, s.Total, 100*s.Rate)
	}
	fmt.Fprintf(w, "%-12s %4d/%-4d %6.1f%%\n", "wrong", rep.Wrong.Count, rep.Wrong.Total, 100*rep.Wrong.Rate)
	fmt.Fprintf(w, "off-topic answered: %d\n", rep.OffTopicAnswered)
}

// Ranking is how well the model orders candidates, whatever the threshold: for the answerable
// questions, how often an accepted entry is first, among the first three, or retrieved at all.
type Ranking struct {
	Answerable, First, Top3, Retrieved int
}

// Rank measures the ranking of ix on the answerable cases.
func Rank(ix *index.Index, cases []Case) Ranking {
	var r Ranking
	for _, c := range cases {
		if c.Abstains() {
			continue
		}
		r.Answerable++
		for i, h := range ix.Match(c.Q).Hits {
			if c.Accepts(h.Entry.ID) {
				r.Retrieved++
				if i < 3 {
					r.Top3++
				}
				if i == 0 {
					r.First++
				}
				break
			}
		}
	}
	return r
}

// String reads as a line of a report.
func (r Ranking) String() string {
	pct := func(n int) float64 { return 100 * float64(n) / float64(max(r.Answerable, 1)) }
	return fmt.Sprintf("ranking: first %.1f%%, top 3 %.1f%%, retrieved %.1f%% of %d answerable",
		pct(r.First), pct(r.Top3), pct(r.Retrieved), r.Answerable)
}
