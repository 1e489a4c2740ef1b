package index

import (
	"io/fs"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/dvkbot/dvkbot/knowledge"
)

// The word tokenizer gives exactly the tokens of bleve's unicode tokenizer: on every built-in
// entry file, every question of the question sets, and strings made of the characters the word
// rules treat apart; and so does one that keeps its tokens from call to call, as a build's
// analysis does, over texts long and short in turn.
func TestWordTokenizerSplitsAsBleveDoes(t *testing.T) {
	var texts []string
	files, err := fs.Glob(knowledge.Builtin(), "*.md")
	if err != nil || len(files) < 100 {
		t.Fatalf("built-in entries: %d files, %v", len(files), err)
	}
	for _, name := range files {
		data, err := fs.ReadFile(knowledge.Builtin(), name)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	for _, set := range []string{"real/train", "real/dev", "real/test", "questions", "dev", "fresh"} {
		texts = append(texts, corpusQuestions(t, "testdata/"+set+".jsonl")...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09_.':,;- \n\t\"!/é"
	for range 20000 {
		b := make([]rune, 1+r.IntN(12))
		for i := range b {
			b[i] = []rune(alphabet)[r.IntN(len([]rune(alphabet)))]
		}
		texts = append(texts, string(b))
	}
	theirs := unicode.NewUnicodeTokenizer()
	for _, ours := range []wordTokenizer{{unicode: theirs}, {unicode: theirs, reuse: &tokenSlab{}}} {
		for _, text := range texts {
			got, want := ours.Tokenize([]byte(text)), theirs.Tokenize([]byte(text))
			if !slices.EqualFunc(got, want, sameToken) {
				t.Fatalf("%q (kept tokens: %v):\n got  %v\n want %v", text, ours.reuse != nil, got, want)
			}
		}
	}
}

func sameToken(a, b *analysis.Token) bool {
	return string(a.Term) == string(b.Term) && a.Start == b.Start && a.End == b.End &&
		a.Position == b.Position && a.Type == b.Type
}
