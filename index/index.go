// Package index is dvkbot's answer engine: it indexes knowledge entries in bleve with English
// analysis and the domain's synonyms, reads a question (entities, aspects, intent, typos),
// ranks entries and decides whether the best one is good enough to answer with.
package index

import (
	"fmt"
	"math"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Field names and their boosts: a question that reads like one of an entry's listed phrasings
// is the strongest evidence, its title and tags next, the body last.
const (
	fieldQuestions = "questions"
	fieldTitle     = "title"
	fieldTags      = "tags"
	fieldBody      = "body"
)

var fieldBoosts = map[string]float64{fieldQuestions: 3, fieldTitle: 2, fieldTags: 2, fieldBody: 1}

// document is what bleve stores for an entry.
type document struct {
	Questions string `json:"questions"`
	Title     string `json:"title"`
	Tags      string `json:"tags"`
	Body      string `json:"body"`
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
	spellings map[int][]string
	entities  map[string][]string
	aspects   map[string][]string
	anchors   map[string]bool
	generic   map[string]bool
	// topical are the terms of the entries' titles: the words that name topics, as opposed
	// to words that are merely rare ("better", "instead").
	topical map[string]bool
}

// entryInfo is an entry with the analysed forms matching needs, computed once at Build.
type entryInfo struct {
	entry     knowledge.Entry
	terms     map[string]bool
	tagTerms  map[string]bool
	title     []string
	phrasings [][]string
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
	if err != nil {
		return nil, err
	}
	batch := bi.NewBatch()
	for _, e := range entries {
		doc := documentOf(e)
		if err := batch.Index(e.ID, doc); err != nil {
			return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
		}
		ix.learn(e, doc)
	}
	if err := bi.Batch(batch); err != nil {
		return nil, fmt.Errorf("index %d entries: %w", len(entries), err)
	}
	ix.learnLexicon()
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
		df: map[string]int{}, known: map[string]int{}, spellings: map[int][]string{},
		entities: map[string][]string{}, aspects: map[string][]string{},
		anchors: map[string]bool{}, generic: map[string]bool{}, topical: map[string]bool{},
	}, nil
}

func newMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = analyzerName
	m.ScoringModel = "bm25"
	m.StoreDynamic = false
	m.IndexDynamic = true
	m.DefaultMapping.Dynamic = true
	return m
}

func documentOf(e knowledge.Entry) document {
	return document{
		Questions: strings.Join(e.Questions, "\n"),
		Title:     e.Title,
		Tags:      strings.Join(append(append([]string{}, e.Entities...), e.Aspects...), " "),
		Body:      e.Body,
	}
}

// learn records what matching needs to know of an entry beyond bleve's index: its vocabulary,
// the words a typo may stand for, the entities and aspects it names.
func (ix *Index) learn(e knowledge.Entry, doc document) {
	info := &entryInfo{
		entry: e, terms: map[string]bool{}, tagTerms: map[string]bool{},
		entities: map[string]bool{}, aspects: map[string]bool{},
	}
	for _, t := range ix.terms(doc.Questions + " " + doc.Title + " " + doc.Tags) {
		info.tagTerms[t] = true
		info.terms[t] = true
	}
	for _, t := range ix.terms(doc.Body) {
		info.terms[t] = true
	}
	for t := range info.terms {
		ix.df[t]++
	}
	info.title = ix.terms(e.Title)
	for _, t := range info.title {
		ix.topical[t] = true
	}
	for _, q := range append([]string{e.Title}, e.Questions...) {
		info.phrasings = append(info.phrasings, ix.terms(q))
	}
	for _, w := range surfaceWords(ix.tokenizer, doc.Questions+" "+doc.Title+" "+doc.Tags+" "+doc.Body) {
		ix.known[w]++
	}
	ix.addSpellings(e.Title + " " + doc.Tags)
	for _, name := range e.Entities {
		info.entities[name] = true
		ix.entities[name] = ix.sequence(name)
		ix.addAnchors(name)
	}
	for _, name := range e.Aspects {
		info.aspects[name] = true
		ix.aspects[name] = ix.sequence(strings.ReplaceAll(name, "-", " "))
	}
	ix.entries[e.ID] = info
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
		if len(w) < minCorrectable || !correctable(w) || ix.isSpelling(w) {
			continue
		}
		ix.spellings[len(w)] = append(ix.spellings[len(w)], w)
	}
}

func (ix *Index) isSpelling(w string) bool {
	for _, s := range ix.spellings[len(w)] {
		if s == w {
			return true
		}
	}
	return false
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

// idf is how telling a term is: rare terms say more about which entry is meant.
func (ix *Index) idf(term string) float64 {
	return math.Log(1 + float64(len(ix.entries))/float64(1+ix.df[term]))
}

// weight is how much a term counts when comparing a question with an entry: its idf, doubled
// for words that name topics. Rarity alone overrates everyday words that only a few entries
// happen to use ("play", "better").
func (ix *Index) weight(term string) float64 {
	if ix.topical[term] {
		return topicalBoost * ix.idf(term)
	}
	return ix.idf(term)
}

// topicalBoost is how much more a topic word counts than another word of the same rarity.
const topicalBoost = 2

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
