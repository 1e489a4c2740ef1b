package index

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dvkbot/dvkbot/knowledge"
)

// fieldText is one text of an entry and the field it goes in; analysedText is what analysing
// it gave: its words as written (lower case) and its terms.
type (
	fieldText struct {
		f    field
		text string
	}
	analysedText struct {
		f              field
		surface, terms []string
	}
)

// entryTexts are an entry's texts, each listed question and learned question on its own, in
// the order learn takes them.
func entryTexts(e knowledge.Entry, learned []string) []fieldText {
	summary := e.Summary()
	texts := []fieldText{{fieldTitle, e.Title}}
	for _, q := range e.Questions {
		texts = append(texts, fieldText{fieldQuestions, q})
	}
	for _, q := range learned {
		texts = append(texts, fieldText{fieldLearned, q})
	}
	return append(texts, fieldText{fieldSummary, summary},
		fieldText{fieldBody, strings.Replace(e.Body, summary, "", 1)},
		fieldText{fieldTags, strings.ReplaceAll(strings.Join(append(slices.Clone(e.Entities), e.Aspects...), "\n"), "-", " ")})
}

// analyseEach analyses every entry's texts, on as many cores as there are, and hands each
// entry's analysis to learn in entry order. Analysis is most of the cost of a build, and each
// text's is independent of the others'; learn only ever holds a few entries' analyses at once,
// because all of them at once would be most of a reload's memory.
func (ix *Index) analyseEach(entries []knowledge.Entry, learn func(i int, analysed []analysedText)) {
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		i    int
		done chan<- []analysedText
	}
	jobs := make(chan job)
	ahead := make(chan chan []analysedText, 4*workers) // the analyses not yet learned, in order
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ta := newTextAnalyzer(ix.analyzer)
			for j := range jobs {
				j.done <- ix.analyseEntry(ta, entries[j.i])
			}
		})
	}
	wg.Go(func() {
		defer close(jobs)
		defer close(ahead)
		for i := range entries {
			done := make(chan []analysedText, 1)
			ahead <- done
			jobs <- job{i, done}
		}
	})
	i := 0
	for done := range ahead {
		learn(i, <-done)
		i++
	}
	wg.Wait()
}

// analyseEntry analyses each of an entry's texts with ta.
func (ix *Index) analyseEntry(ta *textAnalyzer, e knowledge.Entry) []analysedText {
	texts := entryTexts(e, ix.model.Learned[e.ID])
	out := make([]analysedText, len(texts))
	for i, t := range texts {
		out[i].f = t.f
		out[i].surface, out[i].terms = ta.words(t.text)
	}
	return out
}

// learn records what matching needs to know of an entry beyond bleve's index, from its
// analysed texts: its terms in each field, its phrasings, the words a typo may stand for, the
// entities and aspects it names. seen is a buffer for the entry's terms, returned for reuse.
func (ix *Index) learn(e *knowledge.Entry, analysed []analysedText, seen []occurrence) []occurrence {
	info := &entryInfo{entry: e, building: &entryBuild{}}
	b := info.building
	for _, a := range analysed {
		// Learned questions are users' own words, typos and all: "statefullset" in one must
		// not stop the next "statefullset" from being read as statefulset.
		if a.f != fieldLearned {
			for _, w := range a.surface {
				ix.known.add(w)
			}
		}
		ids := ix.idsOf(a.terms)
		for _, id := range ids {
			seen = append(seen, occurrenceOf(id, a.f))
		}
		switch a.f {
		case fieldTitle:
			info.titleIDs = distinct(ids)
			b.phrasings = append(b.phrasings, phrase{ids: info.titleIDs, cues: cuesOf(a.surface)})
			for _, id := range ids {
				ix.termFlags[id] |= topicalTerm // the words that name topics
			}
		case fieldQuestions:
			b.phrasings = append(b.phrasings, phrase{ids: distinct(ids), cues: cuesOf(a.surface)})
		case fieldLearned:
			b.learned = append(b.learned, phrase{ids: distinct(ids), cues: cuesOf(a.surface)})
		}
	}
	info.terms = newTermTable(seen)
	ix.learnNames(info)
	for _, name := range slices.Compact(slices.Sorted(slices.Values(e.Entities))) {
		ix.named[name]++
	}
	key := entitySet(e.Entities)
	ix.bySet[key] = append(ix.bySet[key], e.ID)
	if len(e.Entities) > 0 {
		ix.byPrimary[e.Entities[0]] = append(ix.byPrimary[e.Entities[0]], e.ID)
	}
	ix.entries[e.ID] = info
	return seen
}

// distinct is ids without repeats, in order of first use.
func distinct(ids []termID) []termID {
	out := make([]termID, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return slices.Clip(out)
}

// idsOf numbers terms, giving new terms the next free id.
func (ix *Index) idsOf(terms []string) []termID {
	out := make([]termID, len(terms))
	for i, t := range terms {
		id, added := ix.ids.add(t)
		if added {
			ix.termFlags = append(ix.termFlags, 0)
		}
		out[i] = termID(id)
	}
	return out
}

// learnNames records the entry's entities and aspects, and the words of its title and names as
// what typos may be corrected to.
func (ix *Index) learnNames(info *entryInfo) {
	e := info.entry
	ix.addSpellings(strings.Join(append(append([]string{e.Title}, e.Entities...), e.Aspects...), " "))
	for _, name := range e.Entities {
		ix.entities.add(name, ix.sequence(name))
		// A name of one word is the domain's own ("karpenter"); the words of a longer one are
		// often everyday ones ("external-dns", "github-actions", "cert-manager") and would make
		// "what happens when the DNS record changes?" read as a question about the domain.
		if !strings.ContainsAny(name, "- ") {
			ix.addAnchors(name)
		}
	}
	for _, name := range e.Aspects {
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
	for w := range ix.lx.everyday {
		for _, t := range ix.terms(w) {
			ix.generic[t] = true
		}
	}
	for w := range ix.lx.anchors {
		ix.addAnchors(w)
		for _, t := range ix.terms(w) {
			ix.anchorWords[t] = append(ix.anchorWords[t], w)
		}
	}
	for t := range ix.anchors {
		if ix.generic[t] {
			delete(ix.anchors, t)
		}
	}
	words := make([]string, 0, len(ix.lx.synonyms)+len(ix.lx.anchors)+len(ix.lx.everyday))
	for w := range ix.lx.synonyms {
		words = append(words, w)
	}
	for _, set := range []map[string]bool{ix.lx.anchors, ix.lx.everyday} {
		for w := range set {
			words = append(words, w)
		}
	}
	ix.addSpellings(strings.Join(words, " "))
}

// addAnchors marks the terms of text's non-generic words as anchors of the domain.
func (ix *Index) addAnchors(text string) {
	for _, w := range ix.surfaceWords(text) {
		if ix.lx.everyday[w] {
			continue
		}
		for _, t := range ix.terms(w) {
			ix.anchors[t] = true
		}
	}
}

// addSpellings adds text's words to the words a typo may be corrected to.
func (ix *Index) addSpellings(text string) {
	for _, w := range ix.surfaceWords(text) {
		if len(w) >= minCorrectable && correctable(w) {
			ix.spellings.add(w)
		}
	}
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

// dropSharedPhrasings settles phrasings that analyse the same in several entries, as "why do we
// need kubernetes" (what-is-kubernetes) and "do you really need kubernetes" (is kubernetes
// overkill) do once stop words go: such a phrasing stays only with the entries whose title it
// wholly contains, which it names best. When none has such a title, all keep it. What they ask
// is not compared: the learned questions and the cued features tell such entries apart, and
// keeping both made the bare words "need kubernetes" lean to the entry with more of them.
func (ix *Index) dropSharedPhrasings() {
	owners := map[string][]*entryInfo{}
	shared := map[string][]termID{}
	for _, info := range ix.entries {
		for _, p := range info.building.phrasings[1:] { // [0] is the title itself
			k := p.key()
			shared[k] = p.ids
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
			if allIn(info.titleIDs, shared[k]) {
				naming = append(naming, info)
			}
		}
		for _, info := range infos {
			if len(naming) > 0 && !slices.Contains(naming, info) {
				b := info.building
				b.phrasings = slices.DeleteFunc(b.phrasings, func(p phrase) bool { return p.key() == k })
			}
		}
	}
}

// allIn reports whether every one of ids is in set.
func allIn(ids, set []termID) bool {
	for _, id := range ids {
		if !slices.Contains(set, id) {
			return false
		}
	}
	return true
}

// learnAnchors marks the terms of the domain's names, once the anchors are final. An entry
// whose body alone mentions one of them does not cover it (see lookUp): the Docker entry that
// says "Kubernetes" in passing does not cover a question about Kubernetes.
func (ix *Index) learnAnchors() {
	for t := range ix.anchors {
		if id, ok := ix.termID(t); ok {
			ix.termFlags[id] |= anchorTerm
		}
	}
}

// learnStats counts, once every entry is known, the entries using each term and each field's
// document frequencies and average length.
func (ix *Index) learnStats() {
	ix.df = make([]int32, ix.ids.len())
	for f := range ix.stats {
		ix.stats[f].df = make([]int32, ix.ids.len())
	}
	var lengths [numFields]int
	collection := make([]float64, ix.ids.len()) // summed in float64, kept as float32
	total := 0.0
	for _, e := range ix.ordered { // in order: sums of floats depend on it
		info := ix.entries[e.ID]
		t := &info.terms
		for f, n := range t.lengths {
			lengths[f] += int(n)
			info.weightedLength += likelihoodWeights[f] * float64(n)
			total += likelihoodWeights[f] * float64(n)
		}
		for i, id := range t.all() {
			ix.df[id]++
			in := t.in[i]
			if in&(leadFields|1<<fieldLearned) != 0 {
				ix.termFlags[id] |= ledTerm
			}
			for f := range numFields {
				if in.has(f) {
					ix.stats[f].df[id]++
					collection[id] += likelihoodWeights[f] * float64(t.count(i, f))
				}
			}
		}
	}
	ix.collection = make([]float32, len(collection))
	for id, c := range collection {
		ix.collection[id] = float32(c / max(total, 1))
	}
	for f := range ix.stats {
		if len(ix.entries) > 0 {
			ix.stats[f].avgLen = float64(lengths[f]) / float64(len(ix.entries))
		}
	}
}

// keepFocused keeps, for each entity, the maxPrimary entries naming it first that name the
// fewest entities: those most about it.
func (ix *Index) keepFocused() {
	for name, ids := range ix.byPrimary {
		slices.SortStableFunc(ids, func(a, b string) int {
			return len(ix.entries[a].entry.Entities) - len(ix.entries[b].entry.Entities)
		})
		ix.byPrimary[name] = ids[:min(len(ids), maxPrimary)]
	}
}

// learnDefined finds what each definition defines: of the entities its title names, the one
// the fewest entries name. Entity lists name what an entry mentions as well as what it is about
// (flux's names rbac), and the platform as often as the thing defined (kubernetes-namespace's
// title names kubernetes and namespace; most entries name kubernetes). A definition whose title
// names none of its entities defines none.
func (ix *Index) learnDefined() {
	for _, info := range ix.entries {
		info.defines = -1
		if info.entry.Kind != knowledge.Definition {
			continue
		}
		inTitle := ix.entities.in(ix.sequence(info.entry.Title))
		for i, name := range info.entry.Entities[:min(len(info.entry.Entities), math.MaxInt8)] {
			if slices.Contains(inTitle, name) && (info.defines < 0 || ix.named[name] < info.definedIn) {
				info.defines, info.definedIn = int8(i), ix.named[name]
			}
		}
	}
	ix.named = nil
}

// defined is the entity the entry defines, "" when it is not a definition.
func (info *entryInfo) defined() string {
	if info.defines < 0 {
		return ""
	}
	return info.entry.Entities[info.defines]
}

// maxPrimary bounds the entries added to a question's candidates for each entity it names.
const maxPrimary = 3

// learnWeights weighs each title and phrasing once the document frequencies are final, so
// ranking only adds up numbers, and indexes each entry's phrasings by term.
func (ix *Index) learnWeights() {
	for _, info := range ix.entries {
		b := info.building
		for _, id := range info.titleIDs {
			info.titleIDF += ix.termWeights(id).idf
		}
		for _, phrases := range [][]phrase{b.phrasings, b.learned} {
			for i := range phrases {
				for _, id := range phrases[i].ids {
					w := ix.termWeights(id)
					phrases[i].weight += w.phraseWeight
					phrases[i].plainWeight += w.weight
				}
			}
		}
		info.phrased, info.learned = newPhraseSet(b.phrasings), newPhraseSet(b.learned)
		info.building = nil
	}
}

// learnAsked counts which entries' phrasings use each term: "logs" is asked about under one
// entry far more than under any other, and that says more than its rarity.
func (ix *Index) learnAsked() {
	ix.askedIn = make([]int32, ix.ids.len())
	for _, info := range ix.entries {
		for _, ps := range []*phraseSet{info.phrased, info.learned} {
			if ps == nil {
				continue
			}
			for i, id := range ps.terms {
				ix.askedIn[id] += ps.usersAt(i)
			}
		}
	}
}

// termWeights are a term's idf and its weights in coverage (weight) and in phrasings
// (phraseWeight).
type termWeights struct {
	idf, weight, phraseWeight float64
}

// termWeights weighs a term of the knowledge base by its rarity, more when it names a topic,
// and at least minAnchorWeight in phrasings when it names something of the domain.
func (ix *Index) termWeights(id termID) termWeights {
	idf := math.Log(1 + float64(len(ix.entries))/float64(1+ix.df[id]))
	w := termWeights{idf: idf, weight: idf}
	if ix.termFlags[id]&topicalTerm != 0 {
		w.weight = topicalBoost * idf
	}
	w.phraseWeight = w.weight
	if ix.termFlags[id]&anchorTerm != 0 {
		w.phraseWeight = max(w.weight, minAnchorWeight)
	}
	return w
}

// termID is the number of term t, and whether some entry's text or phrasings hold it.
func (ix *Index) termID(t string) (termID, bool) {
	id, ok := ix.ids.find(t)
	return termID(id), ok
}

// hasFlag reports whether the term t is used by some entry and has flag.
func (ix *Index) hasFlag(t string, flag termFlag) bool {
	id, ok := ix.termID(t)
	return ok && ix.termFlags[id]&flag != 0
}

// unknownIDF is the idf of a term no entry uses: as rare as can be.
func (ix *Index) unknownIDF() float64 {
	return math.Log(1 + float64(len(ix.entries)))
}

// topicalBoost is how much more a topic word counts than another word of the same rarity.
const topicalBoost = 2

// minAnchorWeight is the least a domain name ("docker", "kubectl") weighs in a phrasing. The main
// names are in most entries, so their idf is low, yet a question about Kubernetes is not one
// about Docker: "what problem does kubernetes solve" must not take the Docker entry's phrasing.
const minAnchorWeight = 4

// usedTerm reports whether some entry uses the term.
func (ix *Index) usedTerm(t string) bool {
	_, ok := ix.usedID(t)
	return ok
}

// usedID is the number of the term t, and whether some entry uses it.
func (ix *Index) usedID(t string) (termID, bool) {
	id, ok := ix.termID(t)
	return id, ok && ix.df[id] > 0
}

// ownTerm reports whether some entry uses the term in its own text, not only in the questions
// learned for it.
func (ix *Index) ownTerm(t string) bool {
	id, ok := ix.termID(t)
	if !ok {
		return false
	}
	for f := range numFields {
		if f != fieldLearned && ix.stats[f].df[id] > 0 {
			return true
		}
	}
	return false
}

// learnPhrasings indexes every entry by the terms of its title, listed questions and learned
// questions, once shared phrasings are settled.
func (ix *Index) learnPhrasings() {
	for i := range ix.ordered {
		b := ix.entries[ix.ordered[i].ID].building
		for _, phrases := range [][]phrase{b.phrasings, b.learned} {
			for _, p := range phrases {
				ix.byPhrasing.add(p.ids, int32(i))
			}
		}
	}
	ix.byPhrasing.seal()
}
