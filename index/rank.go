package index

import (
	"sort"

	"github.com/dvkbot/dvkbot/knowledge"
)

// phrase is a title or listed question, analysed, with its terms' total weight (or idf, for
// a title) computed once at Build.
type phrase struct {
	terms []string
	// weight adds up the terms' phrasing weights, plainWeight their weights, idf their idfs.
	weight, plainWeight, idf float64
}

// asked is a question's terms with their weights, looked up once per question rather than
// once per candidate.
type asked struct {
	terms []askedTerm
	at    map[string]int // index of each term in terms
	// total and plainTotal add up the terms' phrasing weights and weights; known adds up the
	// weights of the terms some entry uses.
	total, plainTotal, known float64
}

// askedTerm is one term of a question with its weights.
type askedTerm struct {
	term                      string
	weight, phraseWeight, idf float64
	known                     bool
}

// asked looks up the weights of terms.
func (ix *Index) asked(terms []string) asked {
	a := asked{terms: make([]askedTerm, len(terms)), at: make(map[string]int, len(terms))}
	for i, t := range terms {
		at := askedTerm{
			term: t, weight: ix.weight(t), phraseWeight: ix.phraseWeight(t), idf: ix.idf(t), known: ix.df[t] > 0,
		}
		a.terms[i], a.at[t] = at, i
		a.total += at.phraseWeight
		a.plainTotal += at.weight
		if at.known {
			a.known += at.weight
		}
	}
	return a
}

// rerank scores bleve's candidates with what bleve cannot see: which entities and aspects the
// question names, what kind of answer it wants and how close it is to a listed phrasing, as a
// whole or in the sentences of a ramble that ask.
func (ix *Index) rerank(q Question, raw []rawHit) []Hit {
	if len(raw) == 0 {
		return nil
	}
	a, asking := ix.asked(q.Terms), ix.asked(q.asking)
	top := max(raw[0].score, 1e-9) // bleve's best score; the named entries that follow have none
	hits := make([]Hit, 0, len(raw))
	for _, r := range raw {
		info := ix.entries[r.id]
		phrasing, wording := a.phrasing(info.phrasings)
		if len(asking.terms) > 0 {
			p, w := asking.phrasing(info.phrasings)
			phrasing, wording = max(phrasing, p), max(wording, w)
		}
		ev := Evidence{
			Relevance: r.score / top,
			Phrasing:  phrasing,
			Wording:   wording,
			Coverage:  a.coverage(info.terms),
			Lead:      a.coverage(info.leadTerms),
			Focus:     a.focus(info.title),
			Entities:  entityFit(q.Entities, info.entities),
			Aspects:   aspectFit(q.Aspects, info.aspects),
			Kind:      kindFit(q.Intent, info.entry.Kind),
		}
		hits = append(hits, Hit{Entry: info.entry, Score: weigh(ev), Evidence: ev})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits
}

// weigh combines the evidence into one ranking score. The weights were fitted on the project's
// question set and checked on an independent one: closeness to a listed phrasing says most,
// bleve's own relevance least, since it is blind to what the question is about.
func weigh(ev Evidence) float64 {
	return 0.10*ev.Relevance + 0.46*ev.Phrasing + 0.15*ev.Coverage + 0.05*ev.Focus +
		0.13*ev.Entities + 0.04*ev.Aspects + 0.06*ev.Kind
}

// phrasing is the weighted Dice overlap of the question with the closest listed phrasing, in
// two weightings. In the first the domain's names weigh at least minAnchorWeight, which tells
// apart phrasings about different things; in the second (wording) every word weighs as in
// coverage, which says how much of the question a phrasing accounts for: "docker pants sizing"
// is one word of three, however weighty "docker" is.
func (a asked) phrasing(phrasings []phrase) (best, wording float64) {
	for _, p := range phrasings {
		var shared, plainShared float64
		for _, t := range p.terms {
			if i, ok := a.at[t]; ok {
				shared += a.terms[i].phraseWeight
				plainShared += a.terms[i].weight
			}
		}
		if sum := a.total + p.weight; sum > 0 {
			best = max(best, 2*shared/sum)
		}
		if sum := a.plainTotal + p.plainWeight; sum > 0 {
			wording = max(wording, 2*plainShared/sum)
		}
	}
	return best, wording
}

// coverage is the weighted share of the question's known terms that the entry uses.
func (a asked) coverage(entryTerms map[string]bool) float64 {
	if a.known == 0 {
		return 0
	}
	covered := 0.0
	for _, t := range a.terms {
		if entryTerms[t.term] {
			covered += t.weight
		}
	}
	return covered / a.known
}

// focus is the IDF-weighted share of the entry's title terms that the question uses: titles name
// an entry's topic, so a question missing a title's word ("scaling") is likely about another.
func (a asked) focus(title phrase) float64 {
	if title.idf == 0 {
		return 0
	}
	used := 0.0
	for _, t := range title.terms {
		if i, ok := a.at[t]; ok {
			used += a.terms[i].idf
		}
	}
	return used / title.idf
}

// entityFit is how well the entry's entities agree with those the question names, as an F2
// score: an entry that leaves out something the question names ("docker" in "kubernetes or
// docker?") is a worse fit than one that adds a neighbour of it. A question that names none
// leaves it neutral.
func entityFit(asked []string, entry map[string]bool) float64 {
	if len(asked) == 0 || len(entry) == 0 {
		return 0
	}
	shared := 0
	for _, e := range asked {
		if entry[e] {
			shared++
		}
	}
	if shared == 0 {
		return 0
	}
	recall := float64(shared) / float64(len(asked))
	precision := float64(shared) / float64(len(entry))
	return 5 * precision * recall / (4*precision + recall)
}

// aspectFit is the share of the aspects asked about that the entry covers.
func aspectFit(asked []string, entry map[string]bool) float64 {
	if len(asked) == 0 {
		return 0
	}
	shared := 0
	for _, a := range asked {
		if entry[a] {
			shared++
		}
	}
	return float64(shared) / float64(len(asked))
}

// kindFit is 1 when the entry is the kind of answer the wording asks for.
func kindFit(intent Intent, kind knowledge.Kind) float64 {
	if want, ok := kindOfIntent[intent]; ok && want == kind {
		return 1
	}
	return 0
}

// kindOfIntent is the kind of entry each intent asks for; any kind may answer AnyIntent.
var kindOfIntent = map[Intent]knowledge.Kind{
	DefineIntent: knowledge.Definition, CompareIntent: knowledge.Difference,
	HowToIntent: knowledge.HowTo, TogetherIntent: knowledge.Together,
}
