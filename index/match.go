package index

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/dvkbot/dvkbot/knowledge"
)

// candidates is how many bleve hits the model ranks.
const candidates = 20

// Hit is one ranked entry with the evidence behind its rank.
type Hit struct {
	// Entry is the index's own entry, not a copy: read it, never change it.
	Entry *knowledge.Entry
	// Score is the model's score; comparable only within one Match.
	Score float64
	// Probability is the model's probability that this entry is the answer.
	Probability float64
	// Features are what the model scored, named by FeatureNames.
	Features []float64
}

// Match is the outcome for one question: the hits in rank order and the decision to answer.
type Match struct {
	Question Question
	Hits     []Hit
	// NullProbability is the model's probability that no entry answers the question.
	NullProbability float64
	// QuestionFeatures are what the model scored the "none of these" option on, named by
	// QuestionFeatureNames.
	QuestionFeatures []float64
	// DecisionFeatures are what the decision weighed, named by DecisionFeatureNames.
	DecisionFeatures []float64
	// Answered is true when Hits[0] is confident enough to give as the answer.
	Answered bool
	// Confidence is the probability that answering with Hits[0] is right; Answered means it
	// reached the threshold.
	Confidence float64
	// Threshold is the least Confidence the model answers with, SureThreshold the least it
	// answers with as sure.
	Threshold, SureThreshold float64
	// Sure is true when the answer reached SureThreshold; an answer that is not sure is the
	// closest the bot has, offered as such.
	Sure bool
	// Reason says why the question was not answered, for logs and eval output.
	Reason string
}

// Explain lists the features of a hit by name, leaving out those that are zero.
func (h Hit) Explain() map[string]float64 {
	return describe(candidateFeatures, h.Features)
}

// ExplainQuestion lists the question's features by name, leaving out those that are zero.
func (m Match) ExplainQuestion() map[string]float64 {
	return describe(questionFeatures, m.QuestionFeatures)
}

// ExplainDecision lists the decision's features by name, leaving out those that are zero.
func (m Match) ExplainDecision() map[string]float64 {
	return describe(decisionFeatures, m.DecisionFeatures)
}

// Match answers text: the question is analysed, searched, ranked and judged.
func (ix *Index) Match(text string) Match {
	return ix.MatchQuestion(ix.Analyze(text))
}

// MatchQuestion ranks entries for an analysed question and decides whether to answer.
func (ix *Index) MatchQuestion(q Question) Match {
	m := Match{Question: q, Threshold: ix.model.Threshold, SureThreshold: ix.model.SureThreshold}
	if len(q.Terms) == 0 {
		m.Reason = "no content words"
		return m
	}
	raw, err := ix.search(q)
	if err != nil {
		m.Reason = fmt.Sprintf("search: %v", err)
		return m
	}
	a, asking := ix.asked(q.Terms), ix.asked(q.asking)
	a.cues, asking.cues = q.Cues, q.Cues
	m.QuestionFeatures = ix.questionVector(q, a)
	m.Hits = ix.rank(q, a, asking, ix.withSamePhrasing(ix.withNamedEntries(q, raw), a, asking))
	ix.judge(&m)
	return m
}

// rank scores each candidate with the model, best first.
func (ix *Index) rank(q Question, a, asking asked, raw []rawHit) []Hit {
	if len(raw) == 0 {
		return nil
	}
	top := max(raw[0].score, 1e-9) // bleve's best score; the named entries that follow have none
	hits := make([]Hit, len(raw))
	features := make([]float64, 0, len(raw)*len(candidateFeatures)) // one allocation for all hits
	scratch := scratches.Get().(*phraseScratch)
	best := math.Inf(-1)
	for i, r := range raw {
		c := candidate{info: ix.entries[r.id], relevance: r.score / top, rank: i}
		start := len(features)
		features = ix.features(features, q, &a, &asking, c, scratch)
		hits[i] = Hit{Entry: c.info.entry, Features: features[start:len(features):len(features)]}
		best = max(best, hits[i].Features[likelihoodFeature])
	}
	// Given back only once ranking is done: after a panic, sums left half-added must not reach
	// another question.
	scratches.Put(scratch)
	// The likelihood says something only against the other candidates': per known term, how
	// far below the best one each candidate is.
	known := float64(max(len(a.terms), 1))
	for i := range hits {
		hits[i].Features[likelihoodFeature] = (hits[i].Features[likelihoodFeature] - best) / known
	}
	ix.keepRarestDefined(hits)
	return hits
}

// judge scores the hits with the model, sorts them and decides whether the best one answers.
func (ix *Index) judge(m *Match) {
	if len(m.Hits) == 0 {
		m.Reason = "nothing matched"
		return
	}
	vectors := make([][]float64, len(m.Hits))
	for i, h := range m.Hits {
		vectors[i] = h.Features
	}
	scores, null := ix.model.Scores(vectors, m.QuestionFeatures)
	probs, pNull := Probabilities(scores, null)
	for i := range m.Hits {
		m.Hits[i].Score, m.Hits[i].Probability = scores[i], probs[i]
	}
	sort.SliceStable(m.Hits, func(i, j int) bool { return m.Hits[i].Score > m.Hits[j].Score })
	m.NullProbability = pNull
	m.DecisionFeatures = DecisionVector(m.Hits, pNull, m.QuestionFeatures)
	m.Confidence = ix.model.Confidence(m.DecisionFeatures)
	own := askedInItsOwnWords(m.Hits[0])
	m.Answered = m.Confidence >= ix.model.Threshold || own
	m.Sure = m.Confidence >= ix.model.SureThreshold || own
	if !m.Answered {
		m.Reason = fmt.Sprintf("not confident: %.2f, best candidate %.2f, none of these %.2f",
			m.Confidence, m.Hits[0].Probability, pNull)
	}
}

// askedInItsOwnWords reports whether the question, or its asking part, is word for word one
// of the hit's listed questions or its title, once analysed: whoever wrote the entry said it
// answers that question, so it is answered, and as sure. A team's entry on baking sourdough,
// asked as its author listed it, is answered although "bake" is a word of another domain,
// which the decision holds against a question; no real or written question of the sets
// fitted on, dev or test is answered only by this.
func askedInItsOwnWords(h Hit) bool {
	return h.Features[wordingFeature] >= 1-ownWordsSlack
}

// ownWordsSlack is how far under 1 a phrasing of exactly the question's words may score: the
// phrasings' weights are kept as float32 (see phraseWeights), and a sum rounded up by a hair
// gave "best operating system for kubernetes nodes", word for word a listed question, a
// wording of 0.99999997, and no longer as sure. Any other difference in words costs far more.
const ownWordsSlack = 1e-6

// wordingFeature is where the closeness to the nearest listed question or title, every word
// weighed as in coverage, sits among a hit's features.
var wordingFeature = featureIndex(candidateFeatures, "wording")

// withNamedEntries adds to bleve's hits the entries all of whose entities the question names,
// and the few entries most about each entity it names (see byPrimary): "what does kubernetes
// do exactly?" in a ramble about standups is about what-is-kubernetes even when the ramble's
// other words lift a dozen other entries above it in bleve's ranking, and "how does a pod
// work" is about the entry on pods however many others mention pods in passing.
// They join with no bleve score. Each subset of the named entities is one lookup; a question
// naming very many entities is looked up by its first maxNamedSet only.
func (ix *Index) withNamedEntries(q Question, raw []rawHit) []rawHit {
	named := q.Entities[:min(len(q.Entities), maxNamedSet)]
	seen := make(map[string]bool, len(raw))
	for _, r := range raw {
		seen[r.id] = true
	}
	subset := make([]string, 0, len(named))
	for mask := 1; mask < 1<<len(named); mask++ {
		subset = subset[:0]
		for i, name := range named {
			if mask&(1<<i) != 0 {
				subset = append(subset, name)
			}
		}
		for _, id := range ix.bySet[entitySet(subset)] {
			if !seen[id] {
				seen[id] = true
				raw = append(raw, rawHit{id: id})
			}
		}
	}
	for _, name := range named {
		for _, id := range ix.byPrimary[name] {
			if !seen[id] {
				seen[id] = true
				raw = append(raw, rawHit{id: id})
			}
		}
	}
	return raw
}

// withSamePhrasing adds to the candidates the entries with a phrasing (title, listed or
// learned question) of exactly the question's known terms, or of its asking part's: a question
// that is one of an entry's own phrasings is always ranked, however common its words.
func (ix *Index) withSamePhrasing(raw []rawHit, questions ...asked) []rawHit {
	for _, a := range questions {
		for _, place := range ix.byPhrasing.of(a.knownIDs()) {
			id := ix.ordered[place].ID
			if !slices.ContainsFunc(raw, func(r rawHit) bool { return r.id == id }) {
				raw = append(raw, rawHit{id: id})
			}
		}
	}
	return raw
}

// maxNamedSet bounds the subsets withNamedEntries looks up (2^maxNamedSet - 1 of them).
const maxNamedSet = 6

type rawHit struct {
	id    string
	score float64
}
