package index

import (
	"strings"
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

// Compounds of two or three words become the one word they name wherever they stand, the
// longest first, and a stream that ends inside one is left as it is.
func TestCompoundsJoined(t *testing.T) {
	ix := testIndex(t)
	for _, c := range []struct{ text, want string }{
		{"docker in", "docker"},
		{"docker in docker", "docker dind"},
		{"docker docker in docker", "docker docker dind"},
		{"docker in docker file", "docker dind file"},
		{"docker in stateful set", "docker statefulset"},
		{"Docker-in-Docker", "docker dind"},
	} {
		if got := strings.Join(ix.sequence(c.text), " "); got != c.want {
			t.Errorf("%q analysed to %q, want %q", c.text, got, c.want)
		}
	}
}

// A foreign entry of several words counts only where its words stand together: a space probe
// is another domain, disk space and a liveness probe are not.
func TestForeignPhrasesCountOnlyWhole(t *testing.T) {
	lx := newLexicon(knowledge.Vocabulary{Foreign: []string{"ship", "space probe", "Windows  Registry"}})
	for _, c := range []struct {
		words string
		want  int
	}{
		{"how does the space probe work", 1},
		{"what exactly is the windows registry", 1},
		{"the ship's space probe", 2},
		{"out of disk space after the liveness probe failed", 0},
		{"probe space", 0},
		{"private registry on windows server", 0},
	} {
		if got := lx.foreignWords(strings.Fields(c.words)); got != c.want {
			t.Errorf("foreignWords(%q) = %d, want %d", c.words, got, c.want)
		}
	}
}
