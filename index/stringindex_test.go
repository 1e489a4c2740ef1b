package index

import (
	"fmt"
	"testing"
)

// Strings are numbered in the order they are first added, however many times the table grows,
// and only added strings are found.
func TestStringIndexNumbersInOrder(t *testing.T) {
	for _, n := range []int{0, 1, 47, 48, 49, 1000, 40000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var x stringIndex
			for i := range n {
				if got, added := x.add(fmt.Sprintf("term%d", i)); got != int32(i) || !added {
					t.Fatalf("add(term%d) = %d, %v; want %d, true", i, got, added, i)
				}
			}
			if n > 0 {
				if got, added := x.add("term0"); got != 0 || added {
					t.Errorf("adding term0 again = %d, %v; want 0, false", got, added)
				}
			}
			x.seal()
			if x.len() != n {
				t.Errorf("len = %d, want %d", x.len(), n)
			}
			for i := range n {
				if got, ok := x.find(fmt.Sprintf("term%d", i)); got != int32(i) || !ok {
					t.Fatalf("find(term%d) = %d, %v; want %d, true", i, got, ok, i)
				}
			}
			for _, missing := range []string{"", "term", fmt.Sprintf("term%d", n), "Term1"} {
				if got, ok := x.find(missing); ok {
					t.Errorf("find(%q) = %d, true; want not found", missing, got)
				}
			}
		})
	}
}

// A word's count is how many times it was added; a word never added counts 0.
func TestWordCounts(t *testing.T) {
	var c wordCounts
	for _, w := range []string{"docker", "pod", "docker", "", "docker"} {
		c.add(w)
	}
	c.seal()
	for w, want := range map[string]int{"docker": 3, "pod": 1, "": 1, "kubernetes": 0} {
		if got := c.count(w); got != want {
			t.Errorf("count(%q) = %d, want %d", w, got, want)
		}
	}
}
