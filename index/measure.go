package index

import "math"

// termFound is where one known term of a question stands in one entry, looked up once per
// candidate so that every measure below is arithmetic.
type termFound struct {
	term   *askedTerm
	counts [numFields]uint16
	// in says whether the entry's terms (inTerms) and its lead (inLead) hold the term.
	in    [2]bool
	asked int32 // how many of the entry's phrasings use it
}

// Which set of an entry's terms a measure reads.
const (
	inTerms = iota
	inLead
)

// lookup is a question's known terms found in one entry.
type lookup struct {
	info  *entryInfo
	q     *asked
	found []termFound
}

// phrasingFields are the fields an entry's phrasings come from.
const phrasingFields fieldSet = 1<<fieldQuestions | 1<<fieldTitle | 1<<fieldLearned

// lookUp finds a's known terms in info, appending to found in the order of a's terms.
func (ix *Index) lookUp(info *entryInfo, a *asked, found []termFound) lookup {
	table := &info.terms
	base := len(found)
	for i := range a.terms {
		if a.terms[i].id >= 0 {
			found = append(found, termFound{term: &a.terms[i]})
		}
	}
	c := table.cursor()
	for _, k := range a.byID {
		tf := &found[base+int(k.place)]
		t := tf.term
		at, ok := c.seek(t.id)
		if !ok {
			continue
		}
		in := table.in[at]
		tf.counts = table.counts(at)
		lead := in&leadFields != 0
		// A domain name only the body mentions is not among the terms the entry covers: the
		// Docker entry that says "Kubernetes" in passing does not cover a question about
		// Kubernetes. Its counts still score BM25.
		tf.in = [2]bool{lead || ix.termFlags[t.id]&anchorTerm == 0, lead}
		if in&phrasingFields != 0 {
			tf.asked = info.phrased.users(t.id) + info.learned.users(t.id)
		}
	}
	return lookup{info: info, q: a, found: found}
}

// orAsking is measure of the whole question or of its asking part, whichever is higher: in a
// ramble, the entry that answers what is asked need not cover the story around it.
func (l lookup) orAsking(part lookup, measure func(lookup) float64) float64 {
	v := measure(l)
	if part.q != nil {
		v = max(v, measure(part))
	}
	return v
}

// BM25's parameters, bleve's and Lucene's defaults.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25 scores a field for the question's terms and divides by the best score the same terms
// could reach, so it reads from 0 to 1 and compares across questions: raw BM25 grows with the
// question's length and rarity.
func (l lookup) bm25(ix *Index, f field) float64 {
	s := &ix.stats[f]
	if s.avgLen == 0 {
		return 0
	}
	var score, best float64
	norm := bm25K1 * (1 - bm25B + bm25B*float64(l.info.terms.lengths[f])/s.avgLen)
	for _, tf := range l.found {
		idf := tf.term.fieldIDF[f]
		best += idf * (bm25K1 + 1)
		if c := float64(tf.counts[f]); c > 0 {
			score += idf * c * (bm25K1 + 1) / (c + norm)
		}
	}
	if best == 0 {
		return 0
	}
	return score / best
}

// likelihoodWeights weigh each field in an entry's language model: how much a word there
// stands for what the entry is about.
var likelihoodWeights = [numFields]float64{3, 2, 1.5, 1, 2, 3}

// likelihoodMu is the Dirichlet prior of the entries' language models: how many weighted words
// of the whole knowledge base each entry's own words are mixed with.
const likelihoodMu = 50

// likelihood is the log-probability of the question's known terms under the entry's language
// model, its fields mixed by likelihoodWeights and smoothed towards the whole knowledge base.
// Unlike BM25 it also counts what the entry lacks: a question's word that the entry never uses
// lowers it.
func (l lookup) likelihood(ix *Index) float64 {
	length := l.info.weightedLength
	score := 0.0
	for _, tf := range l.found {
		var count float64
		for f, c := range tf.counts {
			count += likelihoodWeights[f] * float64(c)
		}
		score += math.Log((count + likelihoodMu*float64(ix.collection[tf.term.id])) / (length + likelihoodMu))
	}
	return score
}

// coverage is the weighted share of the question's known terms that the entry's set holds, or
// the same share of its rare terms.
func (l lookup) coverage(set int, rare bool) float64 {
	total := l.q.known
	if rare {
		total = l.q.rare
	}
	if total == 0 {
		return 0
	}
	covered := 0.0
	for _, tf := range l.found {
		if tf.in[set] && (!rare || tf.term.rare) {
			covered += tf.term.weight
		}
	}
	return covered / total
}

// uncoveredRarest is the idf of the rarest known term of the question that the entry's set
// lacks: one telling word the entry never uses ("offline" in "can i use docker desktop
// offline") says the question asks about something the entry does not cover.
func (l lookup) uncoveredRarest(set int) float64 {
	rarest := 0.0
	for _, tf := range l.found {
		if !tf.in[set] {
			rarest = max(rarest, tf.term.idf)
		}
	}
	return rarest
}

// askedShare is, for the question's terms, the share of all the phrasings that use a term
// which are this entry's: at most and on average, weighted by the terms' weights. A term
// asked about under one entry far more than others points at it.
func (l lookup) askedShare(ix *Index) (most, mean float64) {
	var total, weights float64
	for _, tf := range l.found {
		share := float64(tf.asked) / float64(ix.askedIn[tf.term.id]+1)
		most = max(most, share)
		total += tf.term.weight * share
		weights += tf.term.weight
	}
	if weights > 0 {
		mean = total / weights
	}
	return most, mean
}
