package index

import (
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName is the bleve analyzer every text field and every question goes through.
const analyzerName = "dvk"

// normalizeFilterName is dvkbot's token filter: synonyms to canonical words, filler dropped.
const normalizeFilterName = "dvk_normalize"

func init() {
	registry.RegisterTokenFilter(normalizeFilterName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return normalizeFilter{}, nil
	})
	registry.RegisterAnalyzer(analyzerName, newAnalyzer)
}

// newAnalyzer is English analysis (possessives, lower case, stop words, Porter stems) with our
// normalisation before the stop words, so "k8s" and "kube" meet "kubernetes" before stemming.
func newAnalyzer(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	tokenizer, err := cache.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, err
	}
	var filters []analysis.TokenFilter
	for _, name := range []string{en.PossessiveName, lowercase.Name, normalizeFilterName, en.StopName, porter.Name} {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		filters = append(filters, f)
	}
	return &analysis.DefaultAnalyzer{Tokenizer: tokenizer, TokenFilters: filters}, nil
}

// normalizeFilter applies the lexicon's synonyms and drops filler words.
type normalizeFilter struct{}

// Filter rewrites the stream; a synonym of several words becomes several tokens at successive
// positions, so phrase-like matching still lines up.
func (normalizeFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(input))
	shift := 0
	for _, tok := range input {
		word := string(tok.Term)
		if fillerWords[word] {
			continue
		}
		canon, ok := synonyms[word]
		if !ok {
			tok.Position += shift
			out = append(out, tok)
			continue
		}
		for i, part := range strings.Fields(canon) {
			out = append(out, &analysis.Token{
				Term: []byte(part), Start: tok.Start, End: tok.End,
				Position: tok.Position + shift + i, Type: tok.Type,
			})
		}
		shift += len(strings.Fields(canon)) - 1
	}
	return out
}
