package index

import (
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	long := strings.Repeat("containerization", 4)
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"dokcer", "docker", 2, 1},
		{"kuberntes", "kubernetes", 2, 1},
		{"swarn", "swarm", 1, 1},
		{"docker", "docker", 1, 0},
		{"fish", "docker", 1, 2},
		{long + "x", long + "y", 2, 1}, // words longer than the stack rows must not panic
		{long, long[:len(long)-1], 2, 1},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}
