package index

import (
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/dvkbot/dvkbot/knowledge"
)

// learn records what matching needs to know of an entry beyond bleve's index: its vocabulary,
// the words a typo may stand for, the entities and aspects it names.
func (ix *Index) learn(e knowledge.Entry, doc document) {
	info := &entryInfo{
		entry: e, terms: map[string]bool{}, leadTerms: map[string]bool{},
		entities: map[string]bool{}, aspects: map[string]bool{},
	}
	ix.learnTerms(info, doc)
	ix.learnNames(info)
	key := entitySet(e.Entities)
	ix.bySet[key] = append(ix.bySet[key], e.ID)
	ix.entries[e.ID] = info
}

// learnTerms records the entry's terms, its title and listed questions as phrases, and its
// words as known spellings.
func (ix *Index) learnTerms(info *entryInfo, doc document) {
	e := info.entry
	for _, t := range ix.terms(doc.Lead) {
		info.leadTerms[t] = true
		info.terms[t] = true
	}
	surface, bodyTerms := ix.analyzeWords(e.Body)
	for _, t := range bodyTerms {
		info.terms[t] = true
	}
	for t := range info.terms {
		ix.df[t]++
	}
	info.title = phrase{terms: ix.terms(e.Title)}
	for _, t := range info.title.terms {
		ix.topical[t] = true
	}
	for _, q := range append([]string{e.Title}, e.Questions...) {
		info.phrasings = append(info.phrasings, phrase{terms: ix.terms(q)})
	}
	for _, w := range append(surfaceWords(ix.tokenizer, doc.Lead), surface...) {
		ix.known[w]++
	}
}

// learnNames records the entry's entities and aspects, and the words of its title and names as
// what typos may be corrected to.
func (ix *Index) learnNames(info *entryInfo) {
	e := info.entry
	ix.addSpellings(strings.Join(append(append([]string{e.Title}, e.Entities...), e.Aspects...), " "))
	for _, name := range e.Entities {
		info.entities[name] = true
		ix.entities.add(name, ix.sequence(name))
		ix.addAnchors(name)
	}
	for _, name := range e.Aspects {
		info.aspects[name] = true
		ix.aspects.add(name, ix.sequence(strings.ReplaceAll(name, "-", " ")))
	}
}

// entitySet is the key of a set of entity names: sorted, joined by a byte no name holds.
func entitySet(names []string) string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return strings.Join(slices.Compact(sorted), "\x00")
}

// learnLexicon adds the lexicon's words to the spellings and anchors, once every entry is
// known: a generic word is never an anchor, whichever entity or synonym brought it in.
func (ix *Index) learnLexicon() {
	for w := range genericWords {
		for _, t := range ix.terms(w) {
			ix.generic[t] = true
		}
	}
	for w := range anchorWords {
		ix.addAnchors(w)
	}
	for t := range ix.anchors {
		if ix.generic[t] {
			delete(ix.anchors, t)
		}
	}
	words := make([]string, 0, len(synonyms)+len(anchorWords)+len(genericWords))
	for w := range synonyms {
		words = append(words, w)
	}
	for _, set := range []map[string]bool{anchorWords, genericWords} {
		for w := range set {
			words = append(words, w)
		}
	}
	ix.addSpellings(strings.Join(words, " "))
}

// addAnchors marks the terms of text's non-generic words as anchors of the domain.
func (ix *Index) addAnchors(text string) {
	for _, w := range surfaceWords(ix.tokenizer, text) {
		if genericWords[w] {
			continue
		}
		for _, t := range ix.terms(w) {
			ix.anchors[t] = true
		}
	}
}

// addSpellings adds text's words to the words a typo may be corrected to.
func (ix *Index) addSpellings(text string) {
	for _, w := range surfaceWords(ix.tokenizer, text) {
		if len(w) >= minCorrectable && correctable(w) {
			ix.spellings.add(w)
		}
	}
}

// analyzeWords is terms and surfaceWords in one pass, for long texts: it tokenizes once and
// runs the analyzer's token filters on a copy of the words.
func (ix *Index) analyzeWords(text string) (surface, terms []string) {
	da, ok := ix.analyzer.(*analysis.DefaultAnalyzer)
	if !ok {
		return surfaceWords(ix.tokenizer, text), ix.terms(text)
	}
	stream := da.Tokenizer.Tokenize(joinFilter{}.Filter([]byte(text)))
	surface = make([]string, len(stream))
	for i, tok := range stream {
		surface[i] = strings.ToLower(string(tok.Term))
	}
	for _, f := range da.TokenFilters {
		stream = f.Filter(stream)
	}
	seq := make([]string, len(stream))
	for i, tok := range stream {
		seq[i] = string(tok.Term)
	}
	return surface, dedupe(seq, len(seq))
}

// sequence analyses text into its terms in order, duplicates kept, for matching names of
// several words ("docker desktop") only where the words stand together.
func (ix *Index) sequence(text string) []string {
	stream := ix.analyzer.Analyze([]byte(text))
	out := make([]string, len(stream))
	for i, tok := range stream {
		out[i] = string(tok.Term)
	}
	return out
}

// terms analyses text into index terms, deduplicated, in order of appearance.
func (ix *Index) terms(text string) []string {
	stream := ix.analyzer.Analyze([]byte(text))
	seen := make(map[string]bool, len(stream))
	out := make([]string, 0, len(stream))
	for _, tok := range stream {
		t := string(tok.Term)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// dropSharedPhrasings settles phrasings that analyse the same in several entries, as "do i
// really need kubernetes" and "what is kubernetes" do once filler and stop words go: such a
// phrasing stays only with the entries whose title it wholly contains, which it names best.
// When none has such a title, all keep it.
func (ix *Index) dropSharedPhrasings() {
	owners := map[string][]*entryInfo{}
	for _, info := range ix.entries {
		for _, p := range info.phrasings[1:] { // [0] is the title itself
			k := strings.Join(p.terms, " ")
			if !slices.Contains(owners[k], info) {
				owners[k] = append(owners[k], info)
			}
		}
	}
	for k, infos := range owners {
		if len(infos) < 2 {
			continue
		}
		var naming []*entryInfo
		for _, info := range infos {
			if allIn(info.title.terms, strings.Fields(k)) {
				naming = append(naming, info)
			}
		}
		for _, info := range infos {
			if len(naming) > 0 && !slices.Contains(naming, info) {
				info.phrasings = slices.DeleteFunc(info.phrasings, func(p phrase) bool {
					return strings.Join(p.terms, " ") == k
				})
			}
		}
	}
}

// allIn reports whether every one of terms is in set.
func allIn(terms, set []string) bool {
	for _, t := range terms {
		if !slices.Contains(set, t) {
			return false
		}
	}
	return true
}

// dropPassingNames drops from each entry's terms the domain's names that only its body
// mentions: the Docker entry that says "Kubernetes" in passing does not cover a question about
// Kubernetes. Document frequencies still count them.
func (ix *Index) dropPassingNames() {
	for _, info := range ix.entries {
		for t := range info.terms {
			if ix.anchors[t] && !info.leadTerms[t] {
				delete(info.terms, t)
			}
		}
	}
}

// learnWeights computes every term's idf and weight once the document frequencies are final,
// and the weight of each title and listed question, so ranking only adds up numbers.
func (ix *Index) learnWeights() {
	ix.idfs = make(map[string]float64, len(ix.df))
	ix.weights = make(map[string]float64, len(ix.df))
	ix.phraseWeights = make(map[string]float64, len(ix.df))
	for t, n := range ix.df {
		idf := math.Log(1 + float64(len(ix.entries))/float64(1+n))
		ix.idfs[t], ix.weights[t] = idf, idf
		if ix.topical[t] {
			ix.weights[t] = topicalBoost * idf
		}
		ix.phraseWeights[t] = ix.weights[t]
		if ix.anchors[t] {
			ix.phraseWeights[t] = max(ix.weights[t], minAnchorWeight)
		}
	}
	for _, info := range ix.entries {
		info.title.idf = ix.sum(info.title.terms, ix.idf)
		for i := range info.phrasings {
			info.phrasings[i].weight = ix.sum(info.phrasings[i].terms, ix.phraseWeight)
			info.phrasings[i].plainWeight = ix.sum(info.phrasings[i].terms, ix.weight)
		}
	}
}

func (ix *Index) sum(terms []string, f func(string) float64) float64 {
	total := 0.0
	for _, t := range terms {
		total += f(t)
	}
	return total
}

// idf is how telling a term is: rare terms say more about which entry is meant. A term no
// entry uses is as rare as can be.
func (ix *Index) idf(term string) float64 {
	if idf, ok := ix.idfs[term]; ok {
		return idf
	}
	return math.Log(1 + float64(len(ix.entries)))
}

// weight is how much a term counts when measuring how much of a question an entry covers: its
// idf, doubled for words that name topics. Rarity alone overrates everyday words that only a
// few entries happen to use ("play", "better").
func (ix *Index) weight(term string) float64 {
	if w, ok := ix.weights[term]; ok {
		return w
	}
	return ix.idf(term)
}

// phraseWeight is how much a term counts when comparing a question with a listed phrasing: its
// weight, but at least minAnchorWeight for the domain's names, which tell phrasings apart.
func (ix *Index) phraseWeight(term string) float64 {
	if w, ok := ix.phraseWeights[term]; ok {
		return w
	}
	return ix.idf(term)
}

// topicalBoost is how much more a topic word counts than another word of the same rarity.
const topicalBoost = 2

// minAnchorWeight is the least a domain name ("docker", "kubectl") weighs in a phrasing. The main
// names are in most entries, so their idf is low, yet a question about Kubernetes is not one
// about Docker: "what problem does kubernetes solve" must not take the Docker entry's phrasing.
const minAnchorWeight = 4
