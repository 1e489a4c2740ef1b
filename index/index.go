// Package index is dvkbot's answer engine: it indexes knowledge entries in bleve with English
// analysis and the domain's synonyms, reads a question (entities, aspects, intent, typos),
// ranks entries and decides whether the best one is good enough to answer with.
package index

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/dvkbot/dvkbot/knowledge"
)

// fieldLead is the one field bleve indexes: what states an entry's topic in few words, its
// listed questions, title, entities and aspects. A body's many words would add posting lists to
// walk and build time but little that re-ranking does not already see (coverage reads the
// body's terms from memory).
const fieldLead = "lead"

// document is what bleve indexes for an entry.
type document struct {
	Lead string `json:"lead"`
}

// Index answers questions from a fixed set of entries. It is safe for concurrent use and never
// changes after Build: a reload builds a new Index and swaps it whole.
type Index struct {
	bleve     bleve.Index
	analyzer  analysis.Analyzer
	tokenizer analysis.Tokenizer
	entries   map[string]*entryInfo
	ordered   []knowledge.Entry
	// df is the number of entries using each term; its keys are the vocabulary.
	df map[string]int
	// known counts every surface word of the knowledge base: a word in it is no typo.
	known map[string]int
	// spellings are the domain's own words (titles, entities, aspects, the lexicon) by length:
	// what a misspelt word may be corrected to.
	spellings *spellings
	entities  *names
	aspects   *names
	// bySet lists the ids of the entries about each set of entities (see entitySet).
	bySet   map[string][]string
	anchors map[string]bool
	generic map[string]bool
	// topical are the terms of the entries' titles: the words that name topics, as opposed
	// to words that are merely rare ("better", "instead").
	topical map[string]bool
	// idfs, weights and phraseWeights are each known term's idf and weights, computed once at
	// Build.
	idfs, weights, phraseWeights map[string]float64
}

// entryInfo is an entry with the analysed forms matching needs, computed once at Build.
type entryInfo struct {
	entry knowledge.Entry
	// terms are every term of the entry; leadTerms those of its title, questions and names.
	terms     map[string]bool
	leadTerms map[string]bool
	title     phrase
	phrasings []phrase
	entities  map[string]bool
	aspects   map[string]bool
}

// Build indexes entries in memory. All entries go in one batch: one document at a time leaves
// many segments and makes every search slower.
func Build(entries []knowledge.Entry) (*Index, error) {
	m := newMapping()
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	ix, err := newIndex(bi, m, entries)
	if err == nil {
		err = ix.indexAll(entries)
	}
	if err != nil {
		_ = bi.Close() // a failed reload must not leave scorch's goroutines behind
		return nil, err
	}
	ix.learnLexicon()
	ix.dropSharedPhrasings()
	ix.dropPassingNames()
	ix.learnWeights()
	return ix, nil
}

func newIndex(bi bleve.Index, m *mapping.IndexMappingImpl, entries []knowledge.Entry) (*Index, error) {
	tokenizer, err := registry.NewCache().TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return &Index{
		bleve: bi, analyzer: m.AnalyzerNamed(analyzerName), tokenizer: tokenizer,
		entries: make(map[string]*entryInfo, len(entries)), ordered: entries,
		df: map[string]int{}, known: map[string]int{}, spellings: newSpellings(),
		entities: newNames(), aspects: newNames(), bySet: map[string][]string{},
		anchors: map[string]bool{}, generic: map[string]bool{}, topical: map[string]bool{},
	}, nil
}

// indexAll indexes entries in one batch and learns what matching needs of each.
func (ix *Index) indexAll(entries []knowledge.Entry) error {
	batch := ix.bleve.NewBatch()
	for _, e := range entries {
		doc := documentOf(e)
		if err := batch.Index(e.ID, doc); err != nil {
			return fmt.Errorf("index entry %s: %w", e.ID, err)
		}
		ix.learn(e, doc)
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("index %d entries: %w", len(entries), err)
	}
	return nil
}

// newMapping maps the lead field and nothing else: no _all field, no stored values, no term
// vectors. Matching reads only terms and BM25 scores, and each of those extras costs build time
// and memory.
func newMapping() *mapping.IndexMappingImpl {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = analyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldLead, text)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.ScoringModel = "bm25"
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

func documentOf(e knowledge.Entry) document {
	lead := append(append(append([]string{e.Title}, e.Questions...), e.Entities...), e.Aspects...)
	return document{Lead: strings.Join(lead, "\n")}
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
	return info.entry, true
}

// Close releases the bleve index.
func (ix *Index) Close() error {
	return ix.bleve.Close()
}
