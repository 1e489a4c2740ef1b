package index

import (
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// The check that lets most texts skip the joined names' regular expression must never skip one
// the expression matches, case folding included (the Kelvin sign is a K, the long s an s).
func TestJoinedNamesCheckNeverSkipsAMatch(t *testing.T) {
	lx := newLexicon(knowledge.Vocabulary{Joined: []string{"cri-o", "kube-state"}})
	cases := []struct {
		text string
		may  bool // whether the check must let the expression run
	}{
		{"is cri-o a runtime", true},
		{"CRI-O or containerd", true},
		{"we run \u212Aube-\u017Ftate metrics", true},
		{"kube-state-metrics", true},
		{"(cri-o)", true},
		{"- a list item\n- another one", false},
		{"a built-in step-by-step guide", false},
		{"cri - o with spaces", false},
		{"no hyphen at all", false},
		{"cri-", false},
		{"-o", false},
	}
	for _, c := range cases {
		matches := lx.joined.MatchString(c.text)
		if may := lx.mayHoldJoined([]byte(c.text)); may != c.may || (matches && !may) {
			t.Errorf("mayHoldJoined(%q) = %v, want %v (the expression matches: %v)", c.text, may, c.may, matches)
		}
	}
}
