package index

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/dvkbot/dvkbot/knowledge"
)

// phrase is a title, listed or learned question, analysed, with its terms' total weight
// computed once at Build. It lives only while building: once every weight is known, an entry's
// phrasings are kept as a phraseSet.
type phrase struct {
	ids []termID
	// cues are the kinds of answer its wording asks for (see intentOf).
	cues uint
	// weight adds up the terms' phrasing weights, plainWeight their weights.
	weight, plainWeight float64
}

// key identifies the phrase's terms, for finding phrasings that analyse the same.
func (p phrase) key() string {
	return fmt.Sprint(p.ids)
}

// asked is a question's terms with their weights, looked up once per question rather than
// once per candidate.
type asked struct {
	terms []askedTerm
	// cues are the kinds of answer the question asks for (see Question.Cues).
	cues uint
	// total and plainTotal add up the terms' phrasing weights and weights; known adds up the
	// weights of the terms some entry uses, rare those of the rarest half of them.
	total, plainTotal, known, rare float64
	// byID are the known terms sorted by id, the order lookUp finds them in an entry, in one
	// pass over its terms.
	byID []knownTerm
}

// knownTerm is where a known term is among a question's terms (at) and among its known terms
// alone (place).
type knownTerm struct {
	at, place int32
}

// askedTerm is one term of a question with its weights; id is -1 for a term no entry uses.
type askedTerm struct {
	id termID
	termWeights
	// fieldIDF is the term's BM25 idf in each field.
	fieldIDF [numFields]float64
	rare     bool
}

// asked looks up the weights of terms. They are computed here, once per question, rather than
// kept for every term of the knowledge base.
func (ix *Index) asked(terms []string) asked {
	a := asked{terms: make([]askedTerm, len(terms))}
	for i, t := range terms {
		unknown := ix.unknownIDF()
		at := askedTerm{id: -1, termWeights: termWeights{idf: unknown, weight: unknown, phraseWeight: unknown}}
		if id, ok := ix.usedID(t); ok {
			at = askedTerm{id: id, termWeights: ix.termWeights(id)}
			for f := range numFields {
				at.fieldIDF[f] = bm25IDF(ix.stats[f].df[id], len(ix.entries))
			}
		}
		a.terms[i] = at
		a.total += at.phraseWeight
		a.plainTotal += at.weight
		if at.id >= 0 {
			a.known += at.weight
		}
	}
	a.markRare()
	a.orderKnown()
	return a
}

// orderKnown sets byID.
func (a *asked) orderKnown() {
	a.byID = make([]knownTerm, 0, len(a.terms))
	for i, t := range a.terms {
		if t.id >= 0 {
			a.byID = append(a.byID, knownTerm{at: int32(i), place: int32(len(a.byID))})
		}
	}
	slices.SortStableFunc(a.byID, func(x, y knownTerm) int {
		return cmp.Compare(a.terms[x.at].id, a.terms[y.at].id)
	})
}

// knownIDs are the ids of the terms some entry uses.
func (a asked) knownIDs() []termID {
	ids := make([]termID, 0, len(a.terms))
	for _, t := range a.terms {
		if t.id >= 0 {
			ids = append(ids, t.id)
		}
	}
	return ids
}

// markRare marks the known terms at least as rare as their median: the words that tell
// entries apart ("imagepullpolicy" in "what is imagepullpolicy in kubernetes").
func (a *asked) markRare() {
	var idfs []float64
	for _, t := range a.terms {
		if t.id >= 0 {
			idfs = append(idfs, t.idf)
		}
	}
	if len(idfs) == 0 {
		return
	}
	slices.Sort(idfs)
	median := idfs[len(idfs)/2]
	for i := range a.terms {
		if t := &a.terms[i]; t.id >= 0 && t.idf >= median {
			t.rare = true
			a.rare += t.weight
		}
	}
}

// phraseSet is an entry's phrasings with, for each term, the phrasings that use it: a question
// shares terms with a few phrasings of an entry out of dozens, and only those can be closest.
// Of each phrasing only its weights are kept: its terms are in the index by term.
type phraseSet struct {
	weights []phraseWeights // by phrasing
	terms   []termID        // the distinct terms of the phrasings, sorted
	// The phrasings using terms[i] are at[start[i]:start[i+1]]. Two bytes a term rather than
	// four: at 10,000 entries this saves 0.6 MB of a 60 MB heap (see phraseUses).
	start []uint16
	at    []uint16
}

// phraseUses bounds the phrasings of a phraseSet by the terms they use, counted once per
// phrasing, so that start's offsets fit their two bytes; the phrasings past it are dropped.
// Real entries stay far below it: the built-in phrase set with the most uses has about 850.
const phraseUses = math.MaxUint16

// phraseWeights are a phrasing's weights (see phrase), kept in half the bytes of the sums
// they come from: an entry has dozens of phrasings, and at 10,000 entries this saves 0.8 MB
// of a 60 MB heap. A float32 keeps seven digits, far more than a closeness needs, but a
// phrasing of exactly the question's words may then score a hair under 1 (see ownWordsSlack).
type phraseWeights struct {
	weight, plainWeight float32
	cues                uint8
}

// Every intent's cue bit must fit in phraseWeights.cues.
const _ uint8 = 1 << ProblemIntent

// newPhraseSet indexes list by term; nil when the list is empty.
func newPhraseSet(list []phrase) *phraseSet {
	if len(list) == 0 {
		return nil
	}
	list = list[:min(len(list), math.MaxUint16)] // at holds a phrasing's place in two bytes too
	users := map[termID][]uint16{}
	weights := make([]phraseWeights, 0, len(list))
	uses := 0
	for i, p := range list {
		ids := slices.Compact(slices.Sorted(slices.Values(p.ids)))
		if uses += len(ids); uses > phraseUses {
			break
		}
		weights = append(weights, phraseWeights{float32(p.weight), float32(p.plainWeight), uint8(p.cues)})
		for _, id := range ids {
			users[id] = append(users[id], uint16(i))
		}
	}
	ps := &phraseSet{weights: slices.Clip(weights)}
	ps.terms = make([]termID, 0, len(users))
	for id := range users {
		ps.terms = append(ps.terms, id)
	}
	slices.Sort(ps.terms)
	ps.start = make([]uint16, 0, len(ps.terms)+1)
	for _, id := range ps.terms {
		ps.start = append(ps.start, uint16(len(ps.at)))
		ps.at = append(ps.at, users[id]...)
	}
	ps.start = append(ps.start, uint16(len(ps.at)))
	ps.at = slices.Clip(ps.at)
	return ps
}

// users is how many of the phrasings use id.
func (ps *phraseSet) users(id termID) int32 {
	if ps == nil {
		return 0
	}
	i, ok := slices.BinarySearch(ps.terms, id)
	if !ok {
		return 0
	}
	return ps.usersAt(i)
}

// usersAt is how many of the phrasings use terms[i].
func (ps *phraseSet) usersAt(i int) int32 {
	return int32(ps.start[i+1]) - int32(ps.start[i])
}

// phrasing is the weighted Dice overlap of the question with the closest phrasing of ps, in
// two weightings. In the first the domain's names weigh at least minAnchorWeight, which tells
// apart phrasings about different things; in the second (wording) every word weighs as in
// coverage, which says how much of the question a phrasing accounts for: "docker pants sizing"
// is one word of three, however weighty "docker" is. scratch holds a sum per phrasing; it is
// left zeroed. An entry without phrasings (nil) has no closest one. cued is best among the
// phrasings that ask for a kind of answer the question asks for: "should we use kubernetes"
// and "what is kubernetes used for" share their content words, not what they ask.
func (a asked) phrasing(ps *phraseSet, scratch *phraseScratch) (best, wording, cued float64) {
	if ps == nil {
		return 0, 0, 0
	}
	shared, plain := scratch.sized(len(ps.weights))
	touched := scratch.touched[:0]
	for _, t := range a.terms {
		i, ok := slices.BinarySearch(ps.terms, t.id)
		if t.id < 0 || !ok {
			continue
		}
		for _, p := range ps.at[ps.start[i]:ps.start[i+1]] {
			if shared[p] == 0 && plain[p] == 0 {
				touched = append(touched, p)
			}
			shared[p] += t.phraseWeight
			plain[p] += t.weight
		}
	}
	for _, p := range touched {
		ph := ps.weights[p]
		if sum := a.total + float64(ph.weight); sum > 0 {
			dice := 2 * shared[p] / sum
			best = max(best, dice)
			if uint(ph.cues)&a.cues != 0 {
				cued = max(cued, dice)
			}
		}
		if sum := a.plainTotal + float64(ph.plainWeight); sum > 0 {
			wording = max(wording, 2*plain[p]/sum)
		}
		shared[p], plain[p] = 0, 0
	}
	scratch.touched = touched
	return best, wording, cued
}

// phraseScratch is the buffers ranking works in, reused across the candidates of one
// question and from question to question (see scratches): the sums phrasing adds up, the
// phrasings it touched, and the terms a lookup finds.
type phraseScratch struct {
	shared, plain []float64
	touched       []uint16
	whole, part   []termFound
}

// scratches are the *phraseScratch not in use: made anew for each question, they were a
// sixth of what ranking allocated.
var scratches = sync.Pool{New: func() any { return new(phraseScratch) }}

// sized returns the sums for n phrasings, all zero.
func (s *phraseScratch) sized(n int) (shared, plain []float64) {
	if len(s.shared) < n {
		s.shared, s.plain = make([]float64, n), make([]float64, n)
	}
	return s.shared[:n], s.plain[:n]
}

// closest is phrasing for the whole question and for its asking part, whichever is closer.
func (a asked) closest(asking asked, ps *phraseSet, scratch *phraseScratch) (best, wording, cued float64) {
	best, wording, cued = a.phrasing(ps, scratch)
	if len(asking.terms) > 0 {
		p, w, c := asking.phrasing(ps, scratch)
		best, wording, cued = max(best, p), max(wording, w), max(cued, c)
	}
	return best, wording, cued
}

// hasID reports whether the few ids of a phrase hold id.
func hasID(ids []termID, id termID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// focus is the IDF-weighted share of the entry's title terms that the question uses: titles name
// an entry's topic, so a question missing a title's word ("scaling") is likely about another.
func (a asked) focus(info *entryInfo) float64 {
	if info.titleIDF == 0 {
		return 0
	}
	used := 0.0
	for _, t := range a.terms {
		if t.id >= 0 && hasID(info.titleIDs, t.id) {
			used += t.idf
		}
	}
	return min(used/info.titleIDF, 1)
}

// overlap is the share of the question's names the entry has (recall) and the share of the
// entry's names the question has (precision).
func overlap(asked, entry []string) (recall, precision float64) {
	if len(asked) == 0 || len(entry) == 0 {
		return 0, 0
	}
	shared := 0
	for _, name := range asked {
		for _, e := range entry {
			if e == name {
				shared++
				break
			}
		}
	}
	return float64(shared) / float64(len(asked)), float64(shared) / float64(len(entry))
}

// The features the model ranks candidates on, each a number from 0 to 1 (the intent and kind
// pairs are 0 or 1). Their order is the order of a Hit's Features.
var candidateFeatures = append([]string{
	"bm25_questions", "bm25_title", "bm25_summary", "bm25_body", "bm25_names", "bm25_learned",
	"relevance", "retrieval_rank", "likelihood",
	"phrasing", "wording", "learned_phrasing", "learned_wording", "cued_phrasing", "cued_learned", "coverage", "lead_coverage", "rare_coverage", "rare_lead_coverage",
	"uncovered_rarest", "unled_rarest", "asked_max", "asked_mean",
	"focus", "entity_recall", "entity_precision", "aspect_recall", "defines_named",
}, intentKindFeatures()...)

// likelihoodFeature is where the likelihood stands among the candidate features: it is set
// once every candidate's is known.
var likelihoodFeature = featureIndex(candidateFeatures, "likelihood")

// questionFeatures describe the question alone: they score the "none of these" option, so the
// model learns when a question is about something the knowledge base does not hold.
var questionFeatures = append([]string{
	"bias", "anchored", "topical", "unknown_share", "unled_share", "known_terms", "entities_named", "typos",
	"foreign", "instructed",
}, intentFeatureNames()...)

// decisionFeatures are what the decision weighs: how sure the ranker is of its best candidate
// against the others and against "none of these" (rankingFeatures), how much of the question
// that candidate accounts for and how much of what it is about (its entities and aspects) the
// question names (decisionFrom, each prefixed "top_"), how clearly it leads on likelihood, and
// what the question alone says (decisionFromQuestion). The names follow DecisionVector's order
// because they are made from the same lists.
var decisionFeatures = slices.Concat(rankingFeatures, prefixed("top_", decisionFrom),
	[]string{"top_likelihood_gap"}, decisionFromQuestion)

// rankingFeatures are the decision's features read off the ranking. logit_top2 is the
// probability of the best two together: when two entries both answer ("restartPolicy Never vs
// OnFailure": restart-policies and kubernetes-jobs), the probability is often split between
// them, and the best one's alone understates how sure the ranker is of the pair.
var rankingFeatures = []string{"bias", "logit_top", "logit_null", "margin", "logit_top2"}

// DecisionFeatureNames are the names of a Match's DecisionFeatures, in order.
func DecisionFeatureNames() []string { return decisionFeatures }

// decisionFrom are the candidate features the decision reads off the best candidate.
var decisionFrom = []string{"phrasing", "wording", "coverage", "lead_coverage", "rare_coverage", "focus", "uncovered_rarest", "unled_rarest", "entity_recall", "entity_precision", "aspect_recall"}

// decisionFromQuestion are the question features it reads.
var decisionFromQuestion = []string{"unknown_share", "unled_share", "anchored", "known_terms", "foreign", "instructed"}

// decisionFromAt and decisionFromQuestionAt are where those features sit in a candidate's and
// a question's vectors, found once rather than on every match.
var (
	decisionFromAt         = featureIndexes(candidateFeatures, decisionFrom)
	decisionFromQuestionAt = featureIndexes(questionFeatures, decisionFromQuestion)
)

// DecisionVector computes the decision features from the ranked hits (best first), the
// probability of "none of these" and the question's features.
func DecisionVector(hits []Hit, pNull float64, question []float64) []float64 {
	top, second := hits[0].Probability, 0.0
	if len(hits) > 1 {
		second = hits[1].Probability
	}
	f := make([]float64, 0, len(decisionFeatures))
	f = append(f, 1, logit(top), logit(pNull), top-second, logit(top+second))
	for _, i := range decisionFromAt {
		f = append(f, hits[0].Features[i])
	}
	f = append(f, likelihoodGap(hits))
	for _, i := range decisionFromQuestionAt {
		f = append(f, question[i])
	}
	return f
}

// prefixed returns names, each with prefix before it.
func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// likelihoodGap is how far the runner-up's likelihood is below the best candidate's: a clear
// lead says the question's words point at one entry.
func likelihoodGap(hits []Hit) float64 {
	if len(hits) < 2 {
		return 1
	}
	return min(hits[0].Features[likelihoodFeature]-hits[1].Features[likelihoodFeature], 1)
}

// logit is the log-odds of p, kept finite.
func logit(p float64) float64 {
	p = min(max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

// intentKindFeatures are one feature per intent and kind of entry: whether the question's
// wording asks for that intent and the entry is of that kind.
func intentKindFeatures() []string {
	var out []string
	for _, intent := range intentNames {
		for _, kind := range knowledge.Kinds {
			out = append(out, intent+"_"+string(kind))
		}
	}
	return out
}

func intentFeatureNames() []string {
	out := make([]string, len(intentNames))
	for i, n := range intentNames {
		out[i] = "intent_" + n
	}
	return out
}

// FeatureNames are the names of a Hit's Features, in order.
func FeatureNames() []string { return candidateFeatures }

// QuestionFeatureNames are the names of a Match's QuestionFeatures, in order.
func QuestionFeatureNames() []string { return questionFeatures }

// candidate is what ranking knows of one retrieved entry before the model scores it.
type candidate struct {
	info      *entryInfo
	relevance float64 // bleve's score relative to the best
	rank      int     // bleve's rank, from 0; named entries come after its hits
}

// features appends to f the candidate features of c for the question, whose terms a and
// asking part (if any) were looked up once.
func (ix *Index) features(f []float64, q Question, a, asking *asked, c candidate, scratch *phraseScratch) []float64 {
	info := c.info
	whole := ix.lookUp(info, a, scratch.whole[:0])
	scratch.whole = whole.found
	part := lookup{}
	if len(asking.terms) > 0 {
		part = ix.lookUp(info, asking, scratch.part[:0])
		scratch.part = part.found
	}
	for fld := range numFields {
		from := info.readField(field(fld))
		f = append(f, whole.orAsking(part, func(l lookup) float64 { return l.bm25(ix, from) }))
	}
	phrasing, wording, cued := a.closest(*asking, info.phrased, scratch)
	learnedPhrasing, learnedWording, learnedCued := a.closest(*asking, info.learnedSet(), scratch)
	coverage := whole.orAsking(part, func(l lookup) float64 { return l.coverage(inTerms, false) })
	lead := whole.orAsking(part, func(l lookup) float64 { return l.coverage(inLead, false) })
	rare := whole.orAsking(part, func(l lookup) float64 { return l.coverage(inTerms, true) })
	rareLead := whole.orAsking(part, func(l lookup) float64 { return l.coverage(inLead, true) })
	focus := a.orAsking(*asking, func(x asked) float64 { return x.focus(info) })
	er, ep := overlap(q.Entities, info.entry.Entities)
	ar, _ := overlap(q.Aspects, info.entry.Aspects)
	askedMax, askedMean := whole.askedShare(ix)
	f = append(f, c.relevance, 1/float64(1+c.rank), whole.likelihood(ix), phrasing, wording,
		learnedPhrasing, learnedWording, cued, learnedCued, coverage, lead, rare, rareLead,
		whole.uncoveredRarest(inTerms)/ix.unknownIDF(), whole.uncoveredRarest(inLead)/ix.unknownIDF(),
		askedMax, askedMean, focus, er, ep, ar, bool01(definesNamed(q, info)))
	for i := range intentNames {
		on := q.Cues&(1<<i) != 0
		for _, kind := range knowledge.Kinds {
			f = append(f, bool01(on && info.entry.Kind == kind))
		}
	}
	return f
}

// definesNamed reports whether the question asks what something is and the entry is the
// definition of something it names (see keepRarestDefined). A casual question is mostly
// chatter, and closeness goes by the chatter: "what is dokcer for, in one sentence, for a non
// technical PM" was docker-vs-kubernetes', whose phrasings explain it to managers. With it, "what
// is an ingress" and "what is a service" are answered as sure, not as the closest answer.
func definesNamed(q Question, info *entryInfo) bool {
	return q.Cues&(1<<DefineIntent) != 0 && info.defines >= 0 && slices.Contains(q.Entities, info.defined())
}

// keepRarestDefined keeps defines_named for the definitions of the most specific thing the
// question names, the one the fewest entries name: "what is a namespace in kubernetes" asks
// what a namespace is, not what kubernetes is.
func (ix *Index) keepRarestDefined(hits []Hit) {
	rarest := int32(math.MaxInt32)
	for _, h := range hits {
		if h.Features[definesNamedFeature] > 0 {
			rarest = min(rarest, ix.entries[h.Entry.ID].definedIn)
		}
	}
	for _, h := range hits {
		if h.Features[definesNamedFeature] > 0 && ix.entries[h.Entry.ID].definedIn > rarest {
			h.Features[definesNamedFeature] = 0
		}
	}
}

// definesNamedFeature is where defines_named stands among the candidate features.
var definesNamedFeature = featureIndex(candidateFeatures, "defines_named")

// learnedSet is the entry's learned questions, or, when the model learned none for it (a
// team's entry, one captured from Slack, one newer than the model), its title and listed
// questions in their place. Nearly every built-in entry has learned questions, so the model
// trusts their closeness, and an entry without any lost to the entries that had them. On dev,
// for the questions of fifty built-in entries built without their learned questions, as a
// team's would be, the right entry came first for 59.3% of them (78.2% with their learned
// questions, 72.4% when no entry had any). With the listed questions read in their place (here
// and in readField), 72.4%, after a refit; indexed a second time as learned questions instead,
// 72.0%, for 14% more heap at 10,000 entries.
func (info *entryInfo) learnedSet() *phraseSet {
	if info.learned == nil {
		return info.phrased
	}
	return info.learned
}

// readField is the field whose terms a feature of field f reads: the listed questions for the
// learned ones when there are none (see learnedSet).
func (info *entryInfo) readField(f field) field {
	if f == fieldLearned && info.learned == nil {
		return fieldQuestions
	}
	return f
}

// orAsking is measure of the whole question or of its asking part, whichever is higher: in a
// ramble, the entry that answers what is asked need not cover the story around it.
func (a asked) orAsking(asking asked, measure func(asked) float64) float64 {
	v := measure(a)
	if len(asking.terms) > 0 {
		v = max(v, measure(asking))
	}
	return v
}

// questionVector computes the question features of q.
func (ix *Index) questionVector(q Question, a asked) []float64 {
	known := 0
	for _, t := range a.terms {
		if t.id >= 0 {
			known++
		}
	}
	unknown := 0.0
	if len(a.terms) > 0 {
		unknown = float64(len(a.terms)-known) / float64(len(a.terms))
	}
	f := []float64{1, bool01(q.Anchored), bool01(q.Topical), unknown, ix.unledShare(a), math.Log1p(float64(known)) / math.Log(8),
		min(float64(len(q.Entities)), 3) / 3, bool01(len(q.Corrected) > 0),
		min(float64(q.Foreign), 2) / 2, bool01(q.Instructed)}
	for i := range intentNames {
		f = append(f, bool01(q.Cues&(1<<i) != 0))
	}
	return f
}

// unledShare is the share of the question's terms that no entry's lead (its listed questions,
// title, names and learned questions) uses: words the knowledge base only mentions in passing,
// in a body, or never ("ship" in "what is a ship's helm").
func (ix *Index) unledShare(a asked) float64 {
	if len(a.terms) == 0 {
		return 0
	}
	unled := 0
	for _, t := range a.terms {
		if t.id < 0 || ix.termFlags[t.id]&ledTerm == 0 {
			unled++
		}
	}
	return float64(unled) / float64(len(a.terms))
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// describe lists features by name, for explanations.
func describe(names []string, values []float64) map[string]float64 {
	out := make(map[string]float64, len(values))
	for i, v := range values {
		if v != 0 {
			out[names[i]] = math.Round(v*1000) / 1000
		}
	}
	return out
}

// featureIndexes are featureIndex of each of wanted.
func featureIndexes(names, wanted []string) []int {
	out := make([]int, len(wanted))
	for i, w := range wanted {
		out[i] = featureIndex(names, w)
	}
	return out
}

// featureIndex finds a feature by name in names, once, when a package variable or a loaded
// model needs its place.
func featureIndex(names []string, name string) int {
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}
