package index

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// compactSegments is bleve's own segment format (zap), except that a new segment's bytes are
// moved into a slice of their own size. zap writes a segment into a buffer that doubles as it
// grows and keeps that buffer for as long as the segment lives: at 10,000 entries it held
// 16 MiB for a 9.5 MB segment, and the 7 MB unused were a sixth of the index's heap.
type compactSegments struct {
	zap.ZapPlugin
}

// compactSegmentType names the format in scorch's registry; zap's own entry stays as it is.
const compactSegmentType = "dvk-compact-zap"

func init() {
	scorch.RegisterSegmentPlugin(&compactSegments{}, false)
}

// scorchConfig makes scorch write its segments with compactSegments.
func scorchConfig() map[string]any {
	return map[string]any{"forceSegmentType": compactSegmentType, "forceSegmentVersion": int(zap.Version)}
}

// Type is the format's name in scorch's registry.
func (*compactSegments) Type() string { return compactSegmentType }

// New writes documents into a new segment of exactly its size.
func (p *compactSegments) New(docs []bleveindex.Document) (segment.Segment, uint64, error) {
	return p.NewUsing(docs, nil)
}

// NewUsing writes documents into a new segment with zap, then copies it, as zap would write
// it to a file, into a slice of its size and reads it back from there: two passes over the
// segment (one to size it) and a checksum. zap's buffer is garbage once the build ends.
func (p *compactSegments) NewUsing(docs []bleveindex.Document, config map[string]any) (segment.Segment, uint64, error) {
	seg, written, err := p.ZapPlugin.NewUsing(docs, config)
	if err != nil {
		return nil, 0, err
	}
	base, ok := seg.(*zap.SegmentBase)
	if !ok {
		return seg, written, nil
	}
	compact, err := copySegment(base, config)
	if err != nil {
		return nil, 0, fmt.Errorf("copy segment of %d documents: %w", len(docs), err)
	}
	return compact, written, nil
}

// copySegment writes base in zap's file format into a slice of exactly its size, and opens
// the copy in memory from the offsets its footer records.
func copySegment(base *zap.SegmentBase, config map[string]any) (*zap.SegmentBase, error) {
	var counted countingWriter
	if _, err := base.WriteTo(&counted); err != nil {
		return nil, err
	}
	file := bytes.NewBuffer(make([]byte, 0, counted))
	if _, err := base.WriteTo(file); err != nil {
		return nil, err
	}
	data := file.Bytes()
	f, err := readFooter(data)
	if err != nil {
		return nil, err
	}
	stats, _ := config[segment.StatsKey].(*segment.Stats)
	if stats == nil {
		stats = new(segment.Stats)
	}
	mem := data[:f.start]
	return zap.InitSegmentBase(mem, crc32.ChecksumIEEE(mem), f.chunkMode, f.numDocs, f.storedIndexOffset,
		f.sectionsIndexOffset, config, stats)
}

// footer is what zap's file footer records of a segment that opening it needs. Its checksum
// covers the footer too: the segment's own is computed anew, as zap computes it when writing.
type footer struct {
	start                                           int // where the footer begins
	numDocs, storedIndexOffset, sectionsIndexOffset uint64
	chunkMode                                       uint32
}

// readFooter reads the footer zap writes after a segment: its writer id and the id's length,
// the number of documents, the stored-field and sections offsets (8 bytes each), the chunk
// mode, the format version and the checksum (4 bytes each), all big-endian.
func readFooter(data []byte) (footer, error) {
	end := len(data)
	if end < zap.FooterSize {
		return footer{}, fmt.Errorf("segment of %d bytes has no footer", end)
	}
	u32 := func(at int) uint32 { return binary.BigEndian.Uint32(data[at:]) }
	u64 := func(at int) uint64 { return binary.BigEndian.Uint64(data[at:]) }
	if v := u32(end - 8); v != zap.Version {
		return footer{}, fmt.Errorf("segment format version %d, want %d", v, zap.Version)
	}
	idLen := int(u32(end - zap.FooterSize))
	f := footer{
		start: end - zap.FooterSize - idLen, chunkMode: u32(end - 12),
		sectionsIndexOffset: u64(end - 20), storedIndexOffset: u64(end - 28), numDocs: u64(end - 36),
	}
	if f.start < 0 {
		return footer{}, fmt.Errorf("segment footer names a writer id of %d bytes", idLen)
	}
	return f, nil
}

// countingWriter counts what is written to it and keeps nothing.
type countingWriter int

var _ io.Writer = (*countingWriter)(nil)

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
