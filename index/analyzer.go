package index

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// newAnalyzer is English analysis (possessives, lower case, stop words, Porter stems) with the
// lexicon's normalisation before the stop words, so "k8s" and "kube" meet "kubernetes" before
// stemming. It is the index's own, not registered with bleve: entries reach bleve already
// analysed, and each index may have its own vocabulary.
func newAnalyzer(lx *lexicon) (*analysis.DefaultAnalyzer, error) {
	cache := registry.NewCache()
	tokenizer, err := cache.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	filters := []analysis.TokenFilter{nil, nil, normalizeFilter{lx}, nil, nil}
	for i, name := range []string{en.PossessiveName, lowercase.Name, "", en.StopName, porter.Name} {
		if name == "" {
			continue
		}
		if filters[i], err = cache.TokenFilterNamed(name); err != nil {
			return nil, fmt.Errorf("token filter %s: %w", name, err)
		}
	}
	return &analysis.DefaultAnalyzer{
		CharFilters: []analysis.CharFilter{joinFilter{lx}}, Tokenizer: tokenizer, TokenFilters: filters,
	}, nil
}

// joinFilter writes the lexicon's hyphenated names as one word before tokenizing: the
// tokenizer would split "cri-o" into "cri" and a meaningless "o", and "cri" alone means the
// runtime interface.
type joinFilter struct{ lx *lexicon }

// Filter removes the hyphens of the joined names. Text without a hyphen is returned as it is,
// skipping the regular expression.
func (f joinFilter) Filter(input []byte) []byte {
	if f.lx.joined == nil || !bytes.Contains(input, []byte("-")) {
		return input
	}
	return f.lx.joined.ReplaceAllFunc(input, func(m []byte) []byte {
		return bytes.ReplaceAll(m, []byte("-"), nil)
	})
}

// normalizeFilter joins split compounds, applies the lexicon's synonyms and drops filler words.
type normalizeFilter struct{ lx *lexicon }

// Filter rewrites the stream. A compound written as two words ("stateful set") becomes the one
// word it names; a synonym of several words becomes several tokens. Positions are renumbered
// in order. Tokens are reused where they can be: bodies run through here at every Build.
func (f normalizeFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	lx := f.lx
	out := input[:0:0]
	for i := 0; i < len(input); i++ {
		tok := input[i]
		word := string(tok.Term)
		if i+1 < len(input) && lx.compoundStarts[word] {
			if joined, ok := lx.compounds[word+" "+string(input[i+1].Term)]; ok {
				i++
				word, tok.Term, tok.End = joined, []byte(joined), input[i].End
			}
		}
		if lx.filler[word] {
			continue
		}
		canon, ok := lx.synonyms[word]
		if !ok {
			tok.Position = len(out) + 1
			out = append(out, tok)
			continue
		}
		for _, part := range strings.Fields(canon) {
			out = append(out, &analysis.Token{
				Term: []byte(part), Start: tok.Start, End: tok.End, Position: len(out) + 1, Type: tok.Type,
			})
		}
	}
	return out
}
