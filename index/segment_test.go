package index

import (
	"strings"
	"testing"

	zap "github.com/blevesearch/zapx/v17"
)

// A built index holds each segment in memory of the segment's own size: zap's doubling write
// buffer, kept whole, was an eighth of the index's heap at 10,000 entries.
func TestSegmentsHoldNoSpareMemory(t *testing.T) {
	for _, part := range segmentedIndex(t, 2).postings.parts {
		seg, ok := part.seg.(*zap.SegmentBase)
		if !ok {
			t.Fatalf("segment is a %T, want an in-memory zap segment", part.seg)
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
