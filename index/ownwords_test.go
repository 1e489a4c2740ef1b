package index

import (
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// A team's entry asked in its own listed words is answered, and as sure, even when a word of
// the question belongs to another domain ("bake"), which the decision holds against it.
func TestAnEntryAskedInItsOwnWordsIsAnswered(t *testing.T) {
	team, problems := knowledge.Parse("baking-sourdough.md", []byte("---\nid: baking-sourdough\n"+
		"title: Baking sourdough\nkind: faq\nquestions:\n  - how do i bake sourdough bread\n---\n"+
		"**Feed the starter, then bake hot.**\n"))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	ix, err := Build(append(builtinEntries(t), team))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, question := range []string{
		"how do i bake sourdough bread",
		"How do I bake sourdough bread?",
		"hey all, how do i bake sourdough bread?", // the asking part is the listed question
	} {
		a := ix.Answer(question)
		if !a.Answered || !a.Sure || a.Entry.ID != "baking-sourdough" {
			t.Errorf("Answer(%q) = %q answered %v sure %v (%.2f), want baking-sourdough, answered as sure",
				question, a.Entry.ID, a.Answered, a.Sure, a.Confidence)
		}
	}
}

// Every listed question of the built-in entries, asked word for word, is answered as sure when
// its entry comes first with a phrasing of exactly its words: the rounding of the phrasings'
// stored weights must not cost it that.
func TestListedQuestionsAskedWordForWordAreSure(t *testing.T) {
	t.Parallel()
	entries := builtinEntries(t)
	ix, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	checked := 0
	for _, e := range entries {
		for _, q := range e.Questions {
			m := ix.Match(q)
			if len(m.Hits) == 0 || m.Hits[0].Entry.ID != e.ID || m.Hits[0].Features[wordingFeature] < 0.9999 {
				continue
			}
			checked++
			if !m.Sure {
				t.Errorf("%q: %s first with wording %.8f, confidence %.3f, not sure", q, e.ID,
					m.Hits[0].Features[wordingFeature], m.Confidence)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no listed question came first with its own words")
	}
}
