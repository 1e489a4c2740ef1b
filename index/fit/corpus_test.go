package fit

import (
	"crypto/sha256"
	"math/big"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// The real corpus is split by source page, as its README says, and labelled with entries that
// exist: a renamed entry or a page in two splits would quietly make the figures lie. So would a
// question collected twice, word for word, from two pages (a duplicate issue, two pages asking
// "What is a container registry?"): in train and dev, dev would measure a question the model
// learned. The held-back rounds are split the same way and checked with the rest: their dev and
// test stand for questions the model has never seen.
func TestRealCorpusIsSplitBySource(t *testing.T) {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range entries {
		ids[e.ID] = true
	}
	seen := map[string]string{}
	asked := map[string]string{}
	for _, file := range []string{"train", "dev", "test", "held-back/train", "held-back/dev", "held-back/test"} {
		split := path.Base(file)
		cases, err := Read("../testdata/real/" + file + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) < 150 && file == split {
			t.Errorf("%s has %d questions, want at least 150", split, len(cases))
		}
		for _, c := range cases {
			if c.Source == "" || c.Kind == "" {
				t.Errorf("%s: %q has no source or kind", split, c.Q)
			}
			if want := splitOf(c.Source); want != split {
				t.Errorf("%s: %q is from %s, which belongs to %s", split, c.Q, c.Source, want)
			}
			page := pageOf(c.Source)
			if other, ok := seen[page]; ok && other != split {
				t.Errorf("%s is in both %s and %s", c.Source, other, split)
			}
			seen[page] = split
			q := normalized(c.Q)
			if other, ok := asked[q]; ok {
				t.Errorf("%q is in %s and again in %s", c.Q, other, split)
			}
			asked[q] = split
			for _, id := range c.Want {
				if id != Abstain && !ids[id] {
					t.Errorf("%s: %q wants %s, which is no entry", split, c.Q, id)
				}
			}
		}
	}
}

// readme is the address of a repository's README read at some branch.
var readme = regexp.MustCompile(`(?i)^(https://github\.com/[^/]+/[^/]+)/blob/[^/]+/readme\.md$`)

// pageOf is the page an address shows. A repository's README is the repository's own page:
// collected once under each address, one interview list's questions sat in two splits.
func pageOf(source string) string {
	if m := readme.FindStringSubmatch(source); m != nil {
		return m[1]
	}
	return strings.TrimSuffix(source, "/")
}

// splitOf is the split a source page belongs to: the SHA-256 of its address as a number,
// modulo 10: 0-5 train, 6-7 dev, 8-9 test.
func splitOf(source string) string {
	sum := sha256.Sum256([]byte(source))
	n := new(big.Int).Mod(new(big.Int).SetBytes(sum[:]), big.NewInt(10)).Int64()
	switch {
	case n < 6:
		return "train"
	case n < 8:
		return "dev"
	}
	return "test"
}

// The blind sets are a held-out check: questions written from the entries' titles alone and
// labelled from their bodies without running the bot. Their labels must name entries that
// exist, and the two sets kept untouched must stay so: none of their questions may turn up
// among an entry's listed questions, where it would be matched word for word. probes.jsonl
// was written and labelled the same way, round by round, and each round's misses were fixed:
// its labels must name entries too.
func TestBlindSetsStayHeldOut(t *testing.T) {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	listed := map[string]string{}
	for _, e := range entries {
		ids[e.ID] = true
		for _, q := range e.Questions {
			listed[normalized(q)] = e.ID
		}
	}
	for _, set := range []struct {
		name      string
		untouched bool
	}{{"docker", false}, {"workloads", true}, {"platform", true}, {"probes", false}} {
		cases, err := Read("../testdata/blind/" + set.name + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			for _, id := range c.Want {
				if id != Abstain && !ids[id] {
					t.Errorf("%s: %q wants %s, which is no entry", set.name, c.Q, id)
				}
			}
			if id, ok := listed[normalized(c.Q)]; ok && set.untouched {
				t.Errorf("%s: %q is a listed question of %s; the set is held out", set.name, c.Q, id)
			}
		}
	}
}

// normalized is q in lower case with its spaces collapsed.
func normalized(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}
