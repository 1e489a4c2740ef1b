package index

import (
	"strings"
	"testing"

	zap "github.com/blevesearch/zapx/v17"
)

// A built index holds its segment in memory of the segment's own size: zap's doubling write
// buffer, kept whole, was an eighth of the index's heap at 10,000 entries.
func TestSegmentsHoldNoSpareMemory(t *testing.T) {
	ix, err := Build(builtinEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	seg, ok := ix.postings.seg.(*zap.SegmentBase)
	if !ok {
		t.Fatalf("segment is a %T, want an in-memory zap segment", ix.postings.seg)
	}
	var data countingWriter
	if _, err := seg.WriteTo(&data); err != nil {
		t.Fatal(err)
	}
	// Size counts the memory the segment holds, its field tables included: a few hundred
	// bytes more than its data. zap's buffer left 44 KB spare for the built-in base.
	if spare := seg.Size() - int(data); spare > 4<<10 {
		t.Errorf("segment holds %d bytes for %d of data: %d spare", seg.Size(), data, spare)
	}
}

func TestBrokenSegmentFootersAreRefused(t *testing.T) {
	for name, data := range map[string][]byte{
		"too short":     make([]byte, zap.FooterSize-1),
		"other version": make([]byte, 100),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := readFooter(data); err == nil || !strings.Contains(err.Error(), "segment") {
				t.Fatalf("readFooter = %v, want an error about the segment", err)
			}
		})
	}
}
