package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
)

// wordTokenizer splits text into words as bleve's unicode tokenizer does, by the Unicode word
// boundary rules (UAX #29), and gives the same tokens. Text of ASCII alone, which is nearly all
// of the knowledge base and of what people ask, is split here by those rules as they apply to
// ASCII; other text goes to bleve's tokenizer. The general segmenter was the largest single
// cost of indexing and a tenth of a question's analysis.
type wordTokenizer struct {
	unicode analysis.Tokenizer
	// reuse, when set, keeps the stream and the first slab of tokens from call to call: for one
	// goroutine that is done with each stream before it asks for the next (see textAnalyzer).
	reuse *tokenSlab
}

// tokenSlab is a stream and the tokens it points to, kept for the next call.
type tokenSlab struct {
	stream analysis.TokenStream
	tokens []analysis.Token
}

// Tokenize splits input into word tokens.
func (t wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if !isASCII(input) {
		return t.unicode.Tokenize(input)
	}
	// Tokens are allocated in slabs, the first one sized for words of about six characters.
	guess := len(input)/6 + 1
	stream, tokens := t.slab(guess)
	first := tokens
	for start := 0; start < len(input); {
		end := start + 1
		for end < len(input) && !wordBreak(input, end) {
			end++
		}
		if typ, ok := wordType(input[start:end]); ok {
			if len(tokens) == cap(tokens) {
				tokens = make([]analysis.Token, 0, min(len(stream), 1024))
			}
			tokens = append(tokens, analysis.Token{Term: input[start:end], Start: start, End: end,
				Position: len(stream) + 1, Type: typ})
			stream = append(stream, &tokens[len(tokens)-1])
		}
		start = end
	}
	if t.reuse != nil {
		t.reuse.stream = stream[:0]
		if len(stream) > cap(first) { // the next text of this size fits one slab
			first = make([]analysis.Token, 0, len(stream))
		}
		t.reuse.tokens = first[:0]
	}
	return stream
}

// slab returns an empty stream and slab of tokens with room for about n tokens: those of the
// previous call when they are kept.
func (t wordTokenizer) slab(n int) (analysis.TokenStream, []analysis.Token) {
	if t.reuse == nil {
		return make(analysis.TokenStream, 0, n), make([]analysis.Token, 0, n)
	}
	if cap(t.reuse.tokens) < n {
		t.reuse.tokens = make([]analysis.Token, 0, n)
	}
	return t.reuse.stream[:0], t.reuse.tokens[:0]
}

// isASCII reports whether b is ASCII alone.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// The word-break classes of ASCII characters (UAX #29).
const (
	wbOther     = iota
	wbLetter    // ALetter: A-Z, a-z
	wbNumeric   // 0-9
	wbMidLetter // ':'
	wbMidNumLet // '.' and the apostrophe (MidNumLet and Single_Quote)
	wbMidNum    // ',' and ';'
	wbExtendNum // '_' (ExtendNumLet)
)

var wbClass = func() (c [128]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = wbLetter, wbLetter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = wbNumeric
	}
	c[':'], c['.'], c['\''], c[','], c[';'], c['_'] = wbMidLetter, wbMidNumLet, wbMidNumLet, wbMidNum, wbMidNum, wbExtendNum
	return c
}()

// class is the word-break class of the ASCII character at i, wbOther outside s.
func class(s []byte, i int) uint8 {
	if i < 0 || i >= len(s) {
		return wbOther
	}
	return wbClass[s[i]]
}

// wordBreak reports whether the rules put a word boundary before s[i] (0 < i < len(s)).
func wordBreak(s []byte, i int) bool {
	before, after := class(s, i-1), class(s, i)
	alnum := func(c uint8) bool { return c == wbLetter || c == wbNumeric }
	switch {
	case alnum(before) && alnum(after): // WB5, WB8, WB9, WB10
		return false
	case before == wbLetter && (after == wbMidLetter || after == wbMidNumLet) && class(s, i+1) == wbLetter: // WB6
		return false
	case (before == wbMidLetter || before == wbMidNumLet) && class(s, i-2) == wbLetter && after == wbLetter: // WB7
		return false
	case before == wbNumeric && (after == wbMidNum || after == wbMidNumLet) && class(s, i+1) == wbNumeric: // WB12
		return false
	case (before == wbMidNum || before == wbMidNumLet) && class(s, i-2) == wbNumeric && after == wbNumeric: // WB11
		return false
	case (alnum(before) || before == wbExtendNum) && after == wbExtendNum: // WB13a
		return false
	case before == wbExtendNum && alnum(after): // WB13b
		return false
	}
	return true
}

// wordType is the token type of a segment, as bleve's segmenter types it, and false for a
// segment that is not a word (spaces, punctuation).
func wordType(seg []byte) (analysis.TokenType, bool) {
	var letter, digit, extend bool
	for _, c := range seg {
		switch wbClass[c] {
		case wbLetter:
			letter = true
		case wbNumeric:
			digit = true
		case wbExtendNum:
			extend = true
		}
	}
	switch {
	case letter:
		return analysis.AlphaNumeric, true
	case digit:
		return analysis.Numeric, true
	case extend:
		return analysis.AlphaNumeric, true
	}
	return 0, false
}
