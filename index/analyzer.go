package index

import (
	"bytes"
	"regexp"
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
	return &analysis.DefaultAnalyzer{
		CharFilters: []analysis.CharFilter{joinFilter{}}, Tokenizer: tokenizer, TokenFilters: filters,
	}, nil
}

// joinFilter writes hyphenated names as one word before tokenizing: the tokenizer would split
// "cri-o" into "cri" and a meaningless "o", and "cri" alone means the runtime interface.
type joinFilter struct{}

// joinedNames matches the names joinFilter joins, whatever their case.
var joinedNames = regexp.MustCompile(`(?i)\bcri-o\b`)

// Filter removes the hyphens of the names in joinedNames. Text without "-o" is returned as it
// is, skipping the regular expression: that is nearly all text, bodies included.
func (joinFilter) Filter(input []byte) []byte {
	if !bytes.Contains(input, []byte("-o")) && !bytes.Contains(input, []byte("-O")) {
		return input
	}
	return joinedNames.ReplaceAllFunc(input, func(m []byte) []byte {
		return bytes.ReplaceAll(m, []byte("-"), nil)
	})
}

// normalizeFilter joins split compounds, applies the lexicon's synonyms and drops filler words.
type normalizeFilter struct{}

// Filter rewrites the stream. A compound written as two words ("stateful set") becomes the one
// word it names; a synonym of several words becomes several tokens. Positions are renumbered
// in order. Tokens are reused where they can be: bodies run through here at every Build.
func (normalizeFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0:0]
	for i := 0; i < len(input); i++ {
		tok := input[i]
		word := string(tok.Term)
		if i+1 < len(input) && compoundStarts[word] {
			if joined, ok := compounds[word+" "+string(input[i+1].Term)]; ok {
				i++
				word, tok.Term, tok.End = joined, []byte(joined), input[i].End
			}
		}
		if fillerWords[word] {
			continue
		}
		canon, ok := synonyms[word]
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
