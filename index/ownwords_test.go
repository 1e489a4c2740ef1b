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
