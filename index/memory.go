package index

import "github.com/dvkbot/dvkbot/knowledge"

// BuildMemory estimates how much memory building an index of entries takes on top of what is
// already in use, the entries included: the new index, and at the peak bleve's segment writer,
// which holds every term of every entry at once. A reload builds the new index while the old
// one serves, so it needs this much room beside the old one.
//
// It grows with the text to index. The figures are BenchmarkLadder's (the peak resident
// memory a build adds, from 121 to 30,000 entries), rounded up.
func BuildMemory(entries []knowledge.Entry) int64 {
	var text int64
	for _, e := range entries {
		text += textBytes(e)
	}
	return buildBytesPerTextByte*text + buildBytesPerEntry*int64(len(entries)) + buildBytesBase
}

// What a build takes: per byte of text, per entry, and whatever the size.
const (
	buildBytesPerTextByte = 10
	buildBytesPerEntry    = 1 << 10
	buildBytesBase        = 4 << 20
)

// textBytes is the size of the text of e that is indexed: its title, listed questions, names
// and body.
func textBytes(e knowledge.Entry) int64 {
	n := len(e.Title) + len(e.Body)
	for _, list := range [][]string{e.Questions, e.Entities, e.Aspects} {
		for _, s := range list {
			n += len(s)
		}
	}
	return int64(n)
}
