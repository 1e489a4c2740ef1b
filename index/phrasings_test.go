package index

import (
	"math"
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

// A phrase set with more term uses than its offsets can count (see phraseUses) keeps the
// phrasings that fit, and counts every term's users right: an entry with tens of thousands of
// listed questions must not rank on wrapped offsets.
func TestAnOverlongPhraseSetCountsItsUsersRight(t *testing.T) {
	var list []phrase
	for i := range phraseUses / 3 {
		id := termID(1 + 5*i)
		list = append(list, phrase{ids: []termID{0, id, id + 1, id + 2, id + 3, id + 4}, weight: 1})
	}
	ps := newPhraseSet(list)
	kept := len(ps.weights)
	if kept == 0 || kept == len(list) {
		t.Fatalf("kept %d of %d phrasings, want some but not all", kept, len(list))
	}
	if got := ps.users(0); got != int32(kept) {
		t.Errorf("users of the term every phrasing has = %d, want %d", got, kept)
	}
	for id := termID(1); id <= termID(5*kept); id++ {
		if got := ps.users(id); got != 1 {
			t.Fatalf("users of term %d, used by one phrasing, = %d", id, got)
		}
	}
	if got := ps.users(termID(1 + 5*kept)); got != 0 {
		t.Errorf("users of a dropped phrasing's term = %d, want 0", got)
	}
}

// Phrasings of no known term count against the bound on phrasings too: a term's users must
// name its own phrasing's weights, never another's by a wrapped place.
func TestPhrasingsPastTheBoundAreDropped(t *testing.T) {
	list := make([]phrase, math.MaxUint16+1, math.MaxUint16+2)
	for i := range list {
		list[i].weight = 1
	}
	list = append(list, phrase{ids: []termID{7}, weight: 2})
	ps := newPhraseSet(list)
	i, ok := slices.BinarySearch(ps.terms, 7)
	if !ok {
		return // dropped, as it should be
	}
	for _, p := range ps.at[ps.start[i]:ps.start[i+1]] {
		if w := ps.weights[p].weight; w != 2 {
			t.Errorf("term 7's phrasing has weight %v, another phrasing's", w)
		}
	}
}
