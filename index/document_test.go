package index

import "testing"

// What bleve wrote is what the entries hold: every term of every entry is in its postings for
// each bleve field with the count the entry's term table gives, and the postings hold no entry
// that lacks the term. The counts bleve is handed are made in buffers reused from document to
// document; one still read after the next document's were made would show here as a wrong count.
func TestBleveHoldsEachEntrysTermCounts(t *testing.T) {
	ix := testIndex(t)
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
	for term, id := range ix.ids {
		for rf, name := range retrievalNames {
			got := map[int32]int{}
			postings, _, err := cursor.postings([]byte(term), rf)
			if err != nil {
				t.Fatal(err)
			}
			for postings != nil {
				d, err := postings.Next()
				if err != nil {
					t.Fatal(err)
				}
				if d == nil {
					break
				}
				got[ix.byDoc[d.Number()]] = int(d.Frequency())
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
