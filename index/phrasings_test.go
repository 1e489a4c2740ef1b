package index

import (
	"slices"
	"testing"
)

// An entry is found by the terms of its phrasing in any order and with repeats, and only by
// exactly those terms: a subset or a superset is another question.
func TestPhrasingsFindExactlyATermSet(t *testing.T) {
	var p phrasings
	p.add([]termID{3, 1, 2}, 0)
	p.add([]termID{1, 2, 3}, 0) // the same set again: the entry is found once
	p.add([]termID{2, 1, 3}, 4)
	p.add([]termID{7}, 1)
	p.add(nil, 2) // a phrasing of no known term finds nothing
	p.seal()
	for _, c := range []struct {
		ids  []termID
		want []int32
	}{
		{[]termID{1, 2, 3}, []int32{0, 4}},
		{[]termID{3, 3, 2, 1}, []int32{0, 4}},
		{[]termID{1, 2}, nil},
		{[]termID{1, 2, 3, 7}, nil},
		{[]termID{7}, []int32{1}},
		{nil, nil},
	} {
		if got := p.of(c.ids); !slices.Equal(got, c.want) {
			t.Errorf("of(%v) = %v, want %v", c.ids, got, c.want)
		}
	}
}
