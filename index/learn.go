package index

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"

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

// analyseAll analyses every entry's texts, on as many cores as there are: analysis is most of
// the cost of a build, and each text's is independent of the others'.
func (ix *Index) analyseAll(entries []knowledge.Entry) [][]analysedText {
	out := make([][]analysedText, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				texts := entryTexts(entries[i], ix.model.Learned[entries[i].ID])
				out[i] = make([]analysedText, len(texts))
				for j, t := range texts {
					out[i][j].surface, out[i][j].terms = ix.analyzeWords(t.text)
				}
			}
		})
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// learn records what matching needs to know of an entry beyond bleve's index, from its
// analysed texts: its fields' terms, its phrasings, the words a typo may stand for, the
// entities and aspects it names. It returns the document bleve indexes: each bleve field's
// terms, already analysed.
func (ix *Index) learn(e knowledge.Entry, analysed []analysedText) *document.Document {
	info := &entryInfo{entry: e}
	var seqs [numFields][]termID
	var retrieved [numRetrievalFields][]string
	for i, t := range entryTexts(e, ix.model.Learned[e.ID]) {
		a := analysed[i]
		for _, w := range a.surface {
			ix.known[w]++
		}
		ids := ix.idsOf(a.terms)
		seqs[t.f] = append(seqs[t.f], ids...)
		retrieved[retrievalField[t.f]] = append(retrieved[retrievalField[t.f]], a.terms...)
		switch t.f {
		case fieldTitle:
			info.title = phrase{ids: distinct(ids)}
			info.phrasings = append(info.phrasings, info.title)
			for _, term := range a.terms {
				ix.topical[term] = true // the words that name topics
			}
		case fieldQuestions:
			info.phrasings = append(info.phrasings, phrase{ids: distinct(ids)})
		case fieldLearned:
			info.learned = append(info.learned, phrase{ids: distinct(ids)})
		}
	}
	for f := range numFields {
		info.fields[f] = newBag(seqs[f])
	}
	info.terms = union(info.fields[:]...)
	info.leadTerms = union(info.fields[fieldQuestions], info.fields[fieldTitle], info.fields[fieldTags])
	ix.learnNames(info)
	key := entitySet(e.Entities)
	ix.bySet[key] = append(ix.bySet[key], e.ID)
	if len(e.Entities) > 0 {
		ix.byPrimary[e.Entities[0]] = append(ix.byPrimary[e.Entities[0]], e.ID)
	}
	ix.entries[e.ID] = info
	doc := document.NewDocument(e.ID)
	for f, seq := range retrieved {
		doc.AddField(document.NewTextFieldCustom(retrievalNames[f], nil, nil, bleveindex.IndexField, preAnalysedText(seq)))
	}
	return doc
}

// distinct is ids without repeats, in order of first use.
func distinct(ids []termID) []termID {
	out := make([]termID, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// preAnalysedText is text already analysed, handed to bleve as the analyzer of its own field:
// bleve would otherwise tokenize again what learn has just analysed.
func preAnalysedText(terms []string) analysis.Analyzer {
	stream := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		stream[i] = &analysis.Token{Term: []byte(t), Position: i + 1, Type: analysis.AlphaNumeric}
	}
	return preAnalysed(stream)
}

// preAnalysed is an analyzer that returns its tokens whatever the input.
type preAnalysed analysis.TokenStream

// Analyze returns the tokens.
func (p preAnalysed) Analyze([]byte) analysis.TokenStream {
	return analysis.TokenStream(p)
}

// idsOf numbers terms, giving new terms the next free id.
func (ix *Index) idsOf(terms []string) []termID {
	out := make([]termID, len(terms))
	for i, t := range terms {
		id, ok := ix.ids[t]
		if !ok {
			id = termID(len(ix.ids))
			ix.ids[t] = id
		}
		out[i] = id
	}
	return out
}

// learnNames records the entry's entities and aspects, and the words of its title and names as
// what typos may be corrected to.
func (ix *Index) learnNames(info *entryInfo) {
	e := info.entry
	ix.addSpellings(strings.Join(append(append([]string{e.Title}, e.Entities...), e.Aspects...), " "))
	for _, name := range e.Entities {
		info.entities = append(info.entities, name)
		ix.entities.add(name, ix.sequence(name))
		ix.addAnchors(name)
	}
	for _, name := range e.Aspects {
		info.aspects = append(info.aspects, name)
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

// analyzeWords is sequence and surfaceWords in one pass: it tokenizes once and runs the
// analyzer's token filters on a copy of the words.
func (ix *Index) analyzeWords(text string) (surface, terms []string) {
	da := ix.analyzer
	stream := da.Tokenizer.Tokenize(joinFilter{ix.lx}.Filter([]byte(text)))
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
	return surface, seq
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
	shared := map[string][]termID{}
	for _, info := range ix.entries {
		for _, p := range info.phrasings[1:] { // [0] is the title itself
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
			if allIn(info.title.ids, shared[k]) {
				naming = append(naming, info)
			}
		}
		for _, info := range infos {
			if len(naming) > 0 && !slices.Contains(naming, info) {
				info.phrasings = slices.DeleteFunc(info.phrasings, func(p phrase) bool { return p.key() == k })
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

// dropPassingNames drops from each entry's terms the domain's names that only its body
// mentions: the Docker entry that says "Kubernetes" in passing does not cover a question about
// Kubernetes. Document frequencies and the body's BM25 still count them.
func (ix *Index) dropPassingNames() {
	anchor := make(map[termID]bool, len(ix.anchors))
	for t := range ix.anchors {
		if id, ok := ix.ids[t]; ok {
			anchor[id] = true
		}
	}
	for _, info := range ix.entries {
		info.terms = slices.DeleteFunc(info.terms, func(id termID) bool {
			return anchor[id] && !hasTerm(info.leadTerms, id)
		})
	}
}

// learnStats counts, once every entry is known, the entries using each term and each field's
// document frequencies and average length.
func (ix *Index) learnStats() {
	ix.df = make([]int32, len(ix.ids))
	for f := range ix.stats {
		ix.stats[f].df = make([]int32, len(ix.ids))
	}
	var lengths [numFields]int
	ix.collection = make([]float64, len(ix.ids))
	ix.led = make([]bool, len(ix.ids))
	total := 0.0
	for _, info := range ix.entries {
		for _, id := range union(info.fields[:]...) {
			ix.df[id]++
		}
		for _, id := range union(info.fields[fieldLearned], bag{ids: info.leadTerms}) {
			ix.led[id] = true
		}
		for f, b := range info.fields {
			lengths[f] += b.length
			info.weightedLength += likelihoodWeights[f] * float64(b.length)
			total += likelihoodWeights[f] * float64(b.length)
			for i, id := range b.ids {
				ix.stats[f].df[id]++
				ix.collection[id] += likelihoodWeights[f] * float64(b.counts[i])
			}
		}
	}
	for id := range ix.collection {
		ix.collection[id] /= max(total, 1)
	}
	for f := range ix.stats {
		if len(ix.entries) > 0 {
			ix.stats[f].avgLen = float64(lengths[f]) / float64(len(ix.entries))
		}
		ix.stats[f].learnIDF(len(ix.entries))
	}
}

// keepFocused keeps, for each entity, the maxPrimary entries naming it first that name the
// fewest entities: those most about it.
func (ix *Index) keepFocused() {
	for name, ids := range ix.byPrimary {
		slices.SortStableFunc(ids, func(a, b string) int {
			return len(ix.entries[a].entities) - len(ix.entries[b].entities)
		})
		ix.byPrimary[name] = ids[:min(len(ids), maxPrimary)]
	}
}

// maxPrimary bounds the entries added to a question's candidates for each entity it names.
const maxPrimary = 3

// learnAsked counts which entries' phrasings use each term: "logs" is asked about under one
// entry far more than under any other, and that says more than its rarity.
func (ix *Index) learnAsked() {
	ix.askedIn = make([]int32, len(ix.ids))
	for _, info := range ix.entries {
		var seq []termID
		for _, p := range append(slices.Clone(info.phrasings), info.learned...) {
			seq = append(seq, slices.Compact(slices.Sorted(slices.Values(p.ids)))...)
		}
		info.asked = newBag(seq)
		for i, id := range info.asked.ids {
			ix.askedIn[id] += int32(info.asked.counts[i])
		}
	}
}

// learnWeights computes every term's idf and weight once the document frequencies are final,
// and the weight of each title and listed question, so ranking only adds up numbers.
func (ix *Index) learnWeights() {
	n := len(ix.ids)
	ix.idfs, ix.weights, ix.phraseWeights = make([]float64, n), make([]float64, n), make([]float64, n)
	for t, id := range ix.ids {
		idf := math.Log(1 + float64(len(ix.entries))/float64(1+ix.df[id]))
		ix.idfs[id], ix.weights[id] = idf, idf
		if ix.topical[t] {
			ix.weights[id] = topicalBoost * idf
		}
		ix.phraseWeights[id] = ix.weights[id]
		if ix.anchors[t] {
			ix.phraseWeights[id] = max(ix.weights[id], minAnchorWeight)
		}
	}
	for _, info := range ix.entries {
		info.title.idf = sumOf(info.title.ids, ix.idfs)
		for _, phrases := range [][]phrase{info.phrasings, info.learned} {
			for i := range phrases {
				phrases[i].weight = sumOf(phrases[i].ids, ix.phraseWeights)
				phrases[i].plainWeight = sumOf(phrases[i].ids, ix.weights)
			}
		}
	}
}

// sumOf adds up the values of ids.
func sumOf(ids []termID, values []float64) float64 {
	total := 0.0
	for _, id := range ids {
		total += values[id]
	}
	return total
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
	id, ok := ix.ids[t]
	return ok && ix.df[id] > 0
}
