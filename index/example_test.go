package index_test

import (
	"fmt"
	"log"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Answer reads a question as people type it in Slack, mention, typo and shorthand included,
// and answers with an entry; a question about something else gets the fallback and the starter
// topics instead of a wrong answer.
func ExampleIndex_Answer() {
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		log.Fatal(err)
	}
	ix, err := index.Build(entries)
	if err != nil {
		log.Fatal(err)
	}
	defer ix.Close()

	a := ix.Answer("<@U0DVKBOT> k8s vs dokcer, whats the difference?")
	fmt.Println(a.Answered, a.Entry.ID)
	fmt.Println(a.Entry.Title)
	fmt.Println(a.Match.Question.Corrected)

	a = ix.Answer("how does the helm of a sailboat work")
	fmt.Println(a.Answered)
	for _, s := range a.Suggestions {
		fmt.Println("-", s.ID)
	}
	// Output:
	// true docker-vs-kubernetes
	// The difference between Docker and Kubernetes
	// map[dokcer:docker]
	// false
	// - docker-vs-kubernetes
	// - what-is-docker
	// - what-is-kubernetes
}
