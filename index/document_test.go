package index

import (
	"fmt"
	"testing"
)

// withSegments writes the entries in n segments, whatever their number.
func withSegments(n int) Option {
	return func(o *options) { o.segments = n }
}

// segmentedIndex builds the built-in entries in n segments.
func segmentedIndex(t *testing.T, n int) *Index {
	t.Helper()
	ix, err := Build(builtinEntries(t), withSegments(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if got := len(ix.postings.parts); got != n {
		t.Fatalf("built in %d segments, want %d", got, n)
	}
	return ix
}

// What bleve wrote is what the entries hold: every term of every entry is in its postings for
// each bleve field with the count the entry's term table gives, and the postings hold no entry
// that lacks the term. The counts bleve is handed are made in buffers reused from document to
// document; one still read after the next document's were made would show here as a wrong count.
// Written in several segments at once, each batch's buffers are its own.
func TestBleveHoldsEachEntrysTermCounts(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("segments=%d", n), func(t *testing.T) {
			checkTermCounts(t, segmentedIndex(t, n))
		})
	}
}

func checkTermCounts(t *testing.T, ix *Index) {
	want := map[[2]int]map[int32]int{} // by term and bleve field: by entry place, the count
	for place, e := range ix.ordered {
		table := &ix.entries[e.ID].terms
		for i, id := range table.all() {
			for f := range numFields {
				if n := table.exactCount(i, f); n > 0 {
					key := [2]int{int(id), retrievalField[f]}
					if want[key] == nil {
						want[key] = map[int32]int{}
					}
					want[key][int32(place)] += n
				}
			}
		}
	}
	cursor, err := ix.postings.cursor()
	if err != nil {
		t.Fatal(err)
	}
	defer ix.postings.done(cursor)
	for id, term := range ix.ids.strings {
		for rf, name := range retrievalNames {
			got := map[int32]int{}
			if _, err := cursor.seek([]byte(term), rf); err != nil {
				t.Fatal(err)
			}
			for {
				doc, freq, ok, err := cursor.next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				got[ix.byDoc[doc]] = int(freq)
			}
			counts := want[[2]int{int(id), rf}]
			if len(got) != len(counts) {
				t.Fatalf("%q in %s: %d entries in bleve's postings, %d use it", term, name, len(got), len(counts))
			}
			for place, n := range counts {
				if got[place] != n {
					t.Fatalf("%q in %s of %s: bleve counts %d, the entry %d", term, name, ix.ordered[place].ID, got[place], n)
				}
			}
		}
	}
}

// However many segments the entries are written in, every question gets the same candidates
// with the same scores and the same confidence, to the last digit.
func TestSegmentsDoNotChangeAnswers(t *testing.T) {
	// This and the package's other slow tests run side by side: one after another they took
	// most of the 4 minutes the package takes under -race on two cores.
	t.Parallel()
	one, three := segmentedIndex(t, 1), segmentedIndex(t, 3)
	questions := 0
	for _, e := range one.ordered {
		for _, q := range e.Questions {
			questions++
			a, b := one.Match(q), three.Match(q)
			if a.Confidence != b.Confidence || len(a.Hits) != len(b.Hits) {
				t.Fatalf("%q: confidence %v and %d hits in one segment, %v and %d in three",
					q, a.Confidence, len(a.Hits), b.Confidence, len(b.Hits))
			}
			for i := range a.Hits {
				if a.Hits[i].Entry.ID != b.Hits[i].Entry.ID || a.Hits[i].Score != b.Hits[i].Score {
					t.Fatalf("%q: hit %d is %s (%v) in one segment, %s (%v) in three",
						q, i, a.Hits[i].Entry.ID, a.Hits[i].Score, b.Hits[i].Entry.ID, b.Hits[i].Score)
				}
			}
		}
	}
	if questions < 1000 {
		t.Fatalf("only %d listed questions asked", questions)
	}
}
