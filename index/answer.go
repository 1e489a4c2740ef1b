package index

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dvkbot/dvkbot/knowledge"
)

// maxRelated is how many related entries an answer offers.
const maxRelated = 3

// Answer is what the bot says to a question, whatever the channel: the entry it answers with
// and its related entries, or, when it does not know, the closest topics to suggest.
type Answer struct {
	Question string
	Answered bool
	// Entry is the answer; zero when not Answered.
	Entry knowledge.Entry
	// Excerpt is the parts of the entry's body about the question, when the body is long
	// enough to hide them (see excerpt); "" when the whole body is the answer to show.
	Excerpt string
	// Confidence is the match decision's score from 0 to 1.
	Confidence float64
	// Sure is false for an answer that is only the closest the bot has: it should be offered
	// as such, with the other candidates.
	Sure bool
	// Related are up to three entries to read next.
	Related []knowledge.Entry
	// Suggestions are the closest entries when the question was not answered.
	Suggestions []knowledge.Entry
	// Fallback is what to say, in Markdown, when the question was not answered: what the bot
	// can answer and how to ask.
	Fallback string
	// Match is the ranking behind the answer, for logs and eval output.
	Match Match
}

// Answer matches question and turns the outcome into an Answer.
func (ix *Index) Answer(question string) Answer {
	return ix.answerFor(question, ix.Match(question))
}

// FollowUp answers question asked in a conversation whose last answer was the entry previous:
// "what about networking?" after the Docker vs Kubernetes answer means the networking
// difference. A question that stands on its own is answered as it is: only one that reads as a
// follow-up ("what about…", "and…", or a word or two naming no entity) borrows the previous
// answer's entities, and its kind of answer when the wording asks for none.
func (ix *Index) FollowUp(question, previous string) Answer {
	alone := ix.Match(question)
	prev, ok := ix.Entry(previous)
	if !ok || !followsUp(alone.Question) {
		return ix.answerFor(question, alone)
	}
	// Cleaned (and so cut) first: the context must survive a long question's cut.
	q := ix.Analyze(cleanText(question) + " " + strings.Join(prev.Entities, " "))
	if q.Intent == AnyIntent {
		q.Intent = intentFor(prev.Kind)
	}
	withContext := ix.MatchQuestion(q)
	if !withContext.Answered || !ix.leadCovers(withContext.Hits[0].Entry.ID, alone.Question.Terms) {
		return ix.answerFor(question, alone)
	}
	return ix.answerFor(question, withContext)
}

// leadCovers reports whether the entry's title, questions and names hold most of terms: the
// previous answer's context may pick among entries about networking, not turn "what about my
// cat?" into a question about Docker.
func (ix *Index) leadCovers(id string, terms []string) bool {
	info, ok := ix.entries[id]
	if !ok {
		return false
	}
	a := ix.asked(terms)
	return ix.lookUp(info, &a, nil).coverage(inLead, false) >= minFollowUpCoverage
}

// followUpPattern is how a question that leans on the previous answer starts.
var followUpPattern = regexp.MustCompile(`(?i)^(what|how) about\b|^and\b|^also\b|^same (for|with)\b|^what of\b|^in terms of\b`)

// followsUp reports whether q reads as a follow-up rather than a question of its own: it has
// words of the domain's vocabulary, none unknown ("thanks!" and "what about lunch?" are not
// follow-ups), and a follow-up phrase or only a word or two naming no entity.
func followsUp(q Question) bool {
	if len(q.Terms) == 0 || len(q.Unknown) > 0 {
		return false
	}
	return followUpPattern.MatchString(q.Text) || (len(q.Entities) == 0 && len(q.Terms) <= maxFollowUpTerms)
}

// The follow-up thresholds: a follow-up without a follow-up phrase has at most
// maxFollowUpTerms content words ("networking?", "scaling too?"), and the entry it is answered
// with must hold at least minFollowUpCoverage of them in its lead.
const (
	maxFollowUpTerms    = 2
	minFollowUpCoverage = 0.5
)

// kindOfIntent is the kind of entry each intent asks for, in follow-ups.
var kindOfIntent = map[Intent]knowledge.Kind{
	DefineIntent: knowledge.Definition, CompareIntent: knowledge.Difference,
	HowToIntent: knowledge.HowTo, TogetherIntent: knowledge.Together,
}

// intentFor is the intent that asks for entries of kind, the reverse of kindOfIntent.
func intentFor(kind knowledge.Kind) Intent {
	for intent, k := range kindOfIntent {
		if k == kind {
			return intent
		}
	}
	return AnyIntent
}

// Explain is the answer made of one entry, as when a person picks a topic from a list.
func (ix *Index) Explain(id string) (Answer, bool) {
	e, ok := ix.Entry(id)
	if !ok {
		return Answer{}, false
	}
	m := Match{Hits: []Hit{{Entry: &e, Score: 1}}, Answered: true, Sure: true, Confidence: 1}
	return ix.answerFor(e.Title, m), true
}

func (ix *Index) answerFor(question string, m Match) Answer {
	a := Answer{Question: question, Answered: m.Answered, Sure: m.Sure, Confidence: m.Confidence, Match: m}
	if !m.Answered {
		a.Fallback = ix.lx.fallback
		if nearMisses(m) && ix.lx.nearMiss != "" {
			a.Fallback = ix.lx.nearMiss
		}
		a.Suggestions = ix.suggestions(m)
		return a
	}
	a.Entry = *m.Hits[0].Entry
	a.Excerpt = ix.excerpt(a.Entry.Body, m.Question)
	if !m.Sure {
		a.Suggestions = otherHits(m.Hits, maxUnsureAlternatives)
	}
	for _, id := range a.Entry.Related {
		if e, ok := ix.Entry(id); ok && len(a.Related) < maxRelated {
			a.Related = append(a.Related, e)
		}
	}
	return a
}

// suggestions are the hits worth offering to someone the bot could not answer: its near
// misses, or else the starter topics.
func (ix *Index) suggestions(m Match) []knowledge.Entry {
	if nearMisses(m) {
		return append([]knowledge.Entry{*m.Hits[0].Entry}, otherHits(m.Hits, maxRelated-1)...)
	}
	var out []knowledge.Entry
	for _, id := range ix.lx.starters {
		if e, ok := ix.Entry(id); ok {
			out = append(out, e)
		}
	}
	return out
}

// nearMisses reports whether an unanswered question's best hits are worth offering: only when
// the question is about the domain and merely far from every entry. A question with words of
// another domain ("docker pants sizing") or instructions gets none, and is told what the bot
// answers instead.
func nearMisses(m Match) bool {
	q := m.Question
	return q.Topical && q.Foreign == 0 && !q.Instructed && m.NullProbability < maxNullForSuggestions && len(m.Hits) > 0
}

// maxUnsureAlternatives is how many other candidates an answer that is not sure offers.
const maxUnsureAlternatives = 2

// otherHits are the entries of the hits after the first, at most n.
func otherHits(hits []Hit, n int) []knowledge.Entry {
	var out []knowledge.Entry
	for _, h := range hits[1:min(len(hits), n+1)] {
		out = append(out, *h.Entry)
	}
	return out
}

// UnsureNote opens an answer that is only the closest the bot has.
const UnsureNote = "_This is the closest answer I have; it may not be exactly what you asked._"

// maxNullForSuggestions is how sure the model may be that nothing answers a question before its
// near misses are no longer worth suggesting: past it, a question gets the starter topics.
const maxNullForSuggestions = 0.7

// Markdown is the answer as a person reads it: the entry's body and what to read next, or the
// fallback that says what the bot can answer.
func (a Answer) Markdown() string {
	return a.markdown(a.Entry.Body)
}

// ExcerptMarkdown is Markdown with the excerpt in place of a long body, as a Slack reply shows
// the answer; the same as Markdown when there is no excerpt.
func (a Answer) ExcerptMarkdown() string {
	if a.Excerpt == "" {
		return a.Markdown()
	}
	return a.markdown(a.Excerpt + "\n\n" + ExcerptNote)
}

// ExcerptNote ends an excerpt: the whole entry is longer.
const ExcerptNote = "_These are the parts of the answer about your question._"

// markdown is the answer's Markdown with body as the entry's body.
func (a Answer) markdown(body string) string {
	var b strings.Builder
	if !a.Answered {
		b.WriteString(a.Fallback)
		if len(a.Suggestions) > 0 {
			b.WriteString("\n\nClosest topics:\n")
			writeList(&b, a.Suggestions)
		}
		return b.String()
	}
	if !a.Sure {
		b.WriteString(UnsureNote + "\n\n")
	}
	b.WriteString(body)
	if len(a.Suggestions) > 0 {
		b.WriteString("\n\nOther topics that may fit:\n")
		writeList(&b, a.Suggestions)
	}
	if len(a.Related) > 0 {
		b.WriteString("\n\nRelated:\n")
		writeList(&b, a.Related)
	}
	if len(a.Entry.Sources) > 0 {
		b.WriteString("\nSources: ")
		for i, s := range a.Entry.Sources {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "<%s>", s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func writeList(b *strings.Builder, entries []knowledge.Entry) {
	for _, e := range entries {
		fmt.Fprintf(b, "- %s (`%s`)\n", e.Title, e.ID)
	}
}
