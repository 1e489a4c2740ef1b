// Package index is dvkbot's answer engine: it indexes knowledge entries in bleve with English
// analysis and the domain's synonyms, reads a question (entities, aspects, intent, typos),
// ranks entries and decides whether the best one is good enough to answer with.
package index

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Index answers questions from a fixed set of entries. It is safe for concurrent use and never
// changes after Build: a reload builds a new Index and swaps it whole.
type Index struct {
	bleve bleve.Index
	// postings are what retrieval reads of bleve's index.
	postings *segmentPostings
	// byDoc is, by bleve's document number, the entry's place in ordered.
	byDoc []int32
	// unlearned is, by bleve's document number, whether the entry has no learned questions.
	unlearned []bool
	lx        *lexicon
	analyzer  *analysis.DefaultAnalyzer
	tokenizer analysis.Tokenizer
	model     *Model
	entries   map[string]*entryInfo
	ordered   []knowledge.Entry
	// ids numbers every term of the knowledge base; df counts the entries using each.
	ids stringIndex
	df  []int32
	// stats are each field's document frequencies and average length, for BM25.
	stats [numFields]fieldStats
	// askedIn counts, by termID, the phrasings of all entries that use each term.
	askedIn []int32
	// termFlags says, by termID, what else is known of each term (see termFlag).
	termFlags []termFlag
	// collection is each term's share of the knowledge base's weighted words, by termID: the
	// background the entries' language models are smoothed towards. A float32 holds a share
	// well enough for a smoothing term, in half the memory of a float64 per term of the
	// vocabulary.
	collection []float32
	// known counts every surface word of the knowledge base: a word in it is no typo.
	known wordCounts
	// spellings are the domain's own words (titles, entities, aspects, the lexicon) by length:
	// what a misspelt word may be corrected to.
	spellings *spellings
	entities  *names
	aspects   *names
	// bySet lists the ids of the entries about each set of entities (see entitySet).
	bySet map[string][]string
	// named counts, for each entity, the entries that name it; nil once the index is built.
	named map[string]int32
	// byPrimary lists, for each entity, the ids of the entries that name it first, the most
	// focused (fewest entities) first, at most maxPrimary of them.
	byPrimary map[string][]string
	// byPhrasing lists the entries by the terms of each of their titles, listed questions and
	// learned questions (see phrasings): a question that analyses the same as one of them.
	byPhrasing phrasings
	anchors    map[string]bool
	// anchorWords are the vocabulary's anchor words by their terms; the entities' names are
	// in entities (see anchorWord).
	anchorWords map[string][]string
	generic     map[string]bool
}

// termFlag is a fact about a term of the knowledge base, one bit each.
type termFlag uint8

const (
	// ledTerm marks the terms some entry's lead uses (listed and learned questions, title,
	// names).
	ledTerm termFlag = 1 << iota
	// topicalTerm marks the terms of the entries' titles: the words that name topics, as
	// opposed to words that are merely rare ("better", "instead").
	topicalTerm
	// anchorTerm marks the terms that name something only this domain talks about (see
	// Question.Anchored).
	anchorTerm
)

// entryInfo is an entry with the analysed forms matching needs, computed once at Build. It is
// kept for every entry for as long as the index serves, so it holds only what ranking reads,
// in compact form.
type entryInfo struct {
	entry *knowledge.Entry // in Index.ordered
	terms termTable
	// titleIDs are the title's distinct terms, titleIDF their idfs added up.
	titleIDs []termID
	titleIDF float64
	// phrased indexes the title and listed questions by term, learned the learned questions;
	// nil when there are none.
	phrased, learned *phraseSet
	// weightedLength is the entry's length in its language model (see likelihoodWeights).
	weightedLength float64
	// defines is, for a definition, the place in its entities of the one it defines (see
	// learnDefined), and definedIn the number of entries naming that one; -1 and 0 for other
	// kinds.
	defines   int8
	definedIn int32
	// building holds what only building needs; nil once the index is built.
	building *entryBuild
}

// entryBuild is what Build needs of an entry until every entry is known: its phrasings with
// their terms, before they are weighed and indexed by term.
type entryBuild struct {
	phrasings, learned []phrase
}

// Option changes how Build indexes and matches.
type Option func(*options)

type options struct {
	vocabulary knowledge.Vocabulary
	model      *Model
	// segments is how many segments bleve writes the entries in; 0 leaves it to segmentCount.
	segments int
}

// WithVocabulary matches with v instead of the built-in vocabulary: a team's words laid over
// the built-in ones (see knowledge.Vocabulary.Extend).
func WithVocabulary(v knowledge.Vocabulary) Option {
	return func(o *options) { o.vocabulary = v }
}

// WithModel ranks and decides with m instead of the built-in model, as fitting does.
func WithModel(m *Model) Option {
	return func(o *options) { o.model = m }
}

// Build indexes entries in memory, in as few batches as segmentCount says: one document at a
// time would leave a segment each and make every search slower.
func Build(entries []knowledge.Entry, opts ...Option) (*Index, error) {
	o := options{vocabulary: knowledge.BuiltinVocabulary(), model: DefaultModel()}
	for _, opt := range opts {
		opt(&o)
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	ix, err := newIndex(bi, entries, o)
	if err == nil {
		err = ix.indexAll(entries, cmp.Or(o.segments, segmentCount(len(entries))))
	}
	if err == nil {
		ix.postings, err = openPostings(bi)
	}
	if err == nil {
		err = ix.numberDocs()
	}
	if err != nil {
		if ix != nil && ix.postings != nil {
			_ = ix.postings.Close()
		}
		_ = bi.Close() // a failed reload must not leave scorch's goroutines behind
		return nil, err
	}
	return ix, nil
}

func newIndex(bi bleve.Index, entries []knowledge.Entry, o options) (*Index, error) {
	lx := newLexicon(o.vocabulary)
	analyzer, err := newAnalyzer(lx)
	if err != nil {
		return nil, err
	}
	return &Index{
		bleve: bi, lx: lx, analyzer: analyzer, tokenizer: analyzer.Tokenizer, model: o.model,
		entries: make(map[string]*entryInfo, len(entries)), ordered: entries,
		spellings: newSpellings(), entities: newNames(), aspects: newNames(), bySet: map[string][]string{}, byPrimary: map[string][]string{}, named: map[string]int32{},
		anchors: map[string]bool{}, anchorWords: map[string][]string{}, generic: map[string]bool{},
	}, nil
}

// indexAll learns what matching needs of each entry, and gives bleve every entry's terms in
// one batch per segment. Once the entries' terms are counted, bleve writes its segments while
// the rest is learned: the two read the same term tables and nothing else of each other, and
// in sequence they were a third of a build.
func (ix *Index) indexAll(entries []knowledge.Entry, segments int) error {
	var seen []occurrence // reused: each entry's terms, as its texts are read
	ix.analyseEach(entries, func(i int, analysed []analysedText) {
		seen = ix.learn(&entries[i], analysed, seen[:0])
	})
	indexed := make(chan error, 1)
	go func(v vocabulary) { indexed <- ix.indexTerms(entries, v, segments) }(ix.vocabulary())
	ix.learnLexicon()
	ix.spellings.seal()
	ix.dropSharedPhrasings()
	ix.learnAnchors()
	ix.learnStats()
	ix.keepFocused()
	ix.learnDefined()
	ix.learnPhrasings()
	ix.learnWeights()
	ix.learnAsked()
	ix.ids.seal()
	ix.known.seal()
	return <-indexed
}

// indexTerms gives bleve the counted terms of every entry, in as many batches as segments,
// written at once: bleve writes a batch's segment on one core, and at 10,000 entries that was
// the longest step of a build.
func (ix *Index) indexTerms(entries []knowledge.Entry, v vocabulary, segments int) error {
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for i := range segments {
		part := entries[i*len(entries)/segments : (i+1)*len(entries)/segments]
		wg.Go(func() { errs[i] = ix.indexBatch(part, v.forBatch()) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// indexBatch gives bleve the counted terms of entries in one batch, which it writes as one
// segment.
func (ix *Index) indexBatch(entries []knowledge.Entry, v vocabulary) error {
	batch := ix.bleve.NewBatch()
	for _, e := range entries {
		if err := batch.IndexAdvanced(ix.entries[e.ID].document(v)); err != nil {
			return fmt.Errorf("index entry %s: %w", e.ID, err)
		}
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("index %d entries: %w", len(entries), err)
	}
	return nil
}

// segmentCount is how many segments a knowledge base of n entries is written in: one per
// core, each of at least entriesPerSegment entries. Every question looks its terms up in
// each segment's dictionary, so a small knowledge base keeps one.
func segmentCount(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/entriesPerSegment))
}

// entriesPerSegment is the fewest entries a segment is written for when there are more.
const entriesPerSegment = 4000

// numberDocs finds each entry's bleve document number. bleve numbers the documents of a batch
// in no set order, and retrieval breaks ties between equal scores by the entries' order
// instead: the same knowledge base then always gives the same answers, to the last digit. It
// marks, by the same numbers, the entries without learned questions (see unlearnedSlots).
func (ix *Index) numberDocs() error {
	reader := ix.postings.reader
	ix.byDoc = make([]int32, len(ix.ordered))
	for i, e := range ix.ordered {
		id, err := reader.InternalID(e.ID)
		if err != nil || id == nil {
			return fmt.Errorf("document number of %s: %v", e.ID, err)
		}
		doc := id.Value()
		if doc >= uint64(len(ix.byDoc)) {
			ix.byDoc = append(ix.byDoc, make([]int32, doc+1-uint64(len(ix.byDoc)))...)
		}
		ix.byDoc[doc] = int32(i)
	}
	ix.unlearned = make([]bool, len(ix.byDoc))
	for doc, place := range ix.byDoc {
		ix.unlearned[doc] = ix.entries[ix.ordered[place].ID].learned == nil
	}
	return nil
}

// termsAnalyzer splits on spaces and nothing more: entries reach bleve already analysed, so
// each text is analysed once, by the same code as questions.
const termsAnalyzer = "dvk_terms"

// newMapping maps the fields and nothing else: no _all field, no stored values, no term
// vectors. Matching reads only terms and BM25 scores, and each of those extras costs build time
// and memory.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer(termsAnalyzer, map[string]any{
		"type": custom.Name, "tokenizer": whitespace.Name,
	}); err != nil {
		return nil, fmt.Errorf("terms analyzer: %w", err)
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range retrievalNames {
		text := bleve.NewTextFieldMapping()
		text.Analyzer = termsAnalyzer
		text.Store = false
		text.IncludeInAll = false
		text.IncludeTermVectors = false
		text.DocValues = false
		doc.AddFieldMappingsAt(name, text)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = termsAnalyzer
	m.ScoringModel = "bm25"
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// Entries returns every indexed entry, sorted by id.
func (ix *Index) Entries() []knowledge.Entry {
	return ix.ordered
}

// Entry returns the entry with id, if there is one.
func (ix *Index) Entry(id string) (knowledge.Entry, bool) {
	info, ok := ix.entries[id]
	if !ok {
		return knowledge.Entry{}, false
	}
	return *info.entry, true
}

// Close releases the bleve index.
func (ix *Index) Close() error {
	return errors.Join(ix.postings.Close(), ix.bleve.Close())
}
