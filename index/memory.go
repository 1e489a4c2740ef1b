package index

import (
	"runtime"
	"runtime/metrics"

	"github.com/dvkbot/dvkbot/knowledge"
)

// BuildMemory estimates how much memory building an index of entries takes on top of what is
// already in use, the entries being read already: the new index, and at the peak bleve's
// segment writer, which holds every term of every entry at once. A reload builds the new index
// while the old one serves, so it needs this much room beside the old one.
//
// It grows with the text to index: BenchmarkLadder measured 5.5 MB for the built-in base's
// 0.4 MB of text, 17.6 MB for 1,000 entries (1.6 MB), 38 MB for 3,000 (4.4 MB), 135 MB for 10,000
// (14 MB) and 379 MB for 30,000 (42 MB): the peak resident memory a build added, collecting
// garbage as fast as it could. The estimate is 10 bytes per byte of text and 4 MB, 8 to 50%
// above those.
func BuildMemory(entries []knowledge.Entry) int64 {
	var text int64
	for _, e := range entries {
		text += textBytes(e)
	}
	return buildBytesPerTextByte*text + buildBytesBase
}

// What a build takes per byte of text, and whatever the size.
const (
	buildBytesPerTextByte = 10
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

// MemoryInUse is the memory the Go runtime holds that a build cannot reuse, as the runtime's
// memory limit (GOMEMLIMIT) counts it: all it has mapped, less what it gave back to the system
// and less the free heap. It collects garbage first, so that memory only a finished build held
// is not counted. BuildMemory's estimate is what a build adds to it.
func MemoryInUse() int64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(sample)
	return int64(sample[0].Value.Uint64() - sample[1].Value.Uint64() - sample[2].Value.Uint64())
}
