package index

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A term table finds each of its terms at its place, and no other, with each field's count,
// whatever the gaps between ids (one-byte and multi-byte distances) and however many terms it
// holds (fewer than one mark's worth, or many marks).
func TestTermTableFindsItsTerms(t *testing.T) {
	for _, c := range []struct {
		name  string
		terms int
		gap   int // ids are at most this far apart
	}{
		{"empty", 0, 1},
		{"one", 1, 1},
		{"dense, within one mark", markEvery - 1, 2},
		{"dense, many marks", 40 * markEvery, 3},
		{"sparse, multi-byte distances", 5*markEvery + 3, 1 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(c.terms)))
			var ids []termID
			var seen []occurrence
			var counts [][numFields]uint16 // by place
			var lengths [numFields]uint32
			for id := termID(r.IntN(c.gap)); len(ids) < c.terms; id += termID(1 + r.IntN(c.gap)) {
				ids = append(ids, id)
				counts = append(counts, [numFields]uint16{})
				for range 1 + r.IntN(3) { // repeats, in one field or several
					f := field(r.IntN(int(numFields)))
					seen = append(seen, occurrenceOf(id, f))
					counts[len(counts)-1][f]++
					lengths[f]++
				}
			}
			r.Shuffle(len(seen), func(i, j int) { seen[i], seen[j] = seen[j], seen[i] })
			table := newTermTable(seen)

			var listed []termID
			for i, id := range table.all() {
				if i != len(listed) {
					t.Fatalf("all gave place %d after %d terms", i, len(listed))
				}
				listed = append(listed, id)
			}
			if !slices.Equal(listed, ids) {
				t.Fatalf("all gave %v, want %v", listed, ids)
			}
			if len(table.in) != len(ids) {
				t.Fatalf("%d field sets for %d terms", len(table.in), len(ids))
			}
			for i, want := range counts {
				if got := table.counts(i); got != want {
					t.Fatalf("term %d counts %v by field, want %v", ids[i], got, want)
				}
			}
			if table.lengths != lengths {
				t.Fatalf("field lengths %v, want %v", table.lengths, lengths)
			}

			// Present and absent ids, some twice, looked up in ascending order with one cursor.
			var asked []termID
			for _, id := range ids {
				asked = append(asked, id, id, id+1)
				if id > 0 {
					asked = append(asked, id-1)
				}
			}
			slices.Sort(asked)
			c := table.cursor()
			for _, id := range asked {
				want, wantOK := slices.BinarySearch(ids, id)
				got, ok := c.seek(id)
				if ok != wantOK || (ok && got != want) {
					t.Fatalf("seek(%d) = %d, %v; want %d, %v", id, got, ok, want, wantOK)
				}
				if !ok {
					continue
				}
				fresh := table.cursor()
				if got, _ := fresh.seek(id); got != want {
					t.Fatalf("seek(%d) from the start = %d, want %d", id, got, want)
				}
			}
		})
	}
}
