package index

import (
	"sync"
	"testing"

	"github.com/dvkbot/dvkbot/knowledge"
)

// A reload swaps the whole index while questions are being answered: every answer must come
// whole from the old index or the new one, and the race detector must find nothing.
func TestLiveSwapConcurrently(t *testing.T) {
	base := testIndex(t)
	entries := append([]knowledge.Entry(nil), base.Entries()...)
	for i, e := range entries {
		if e.ID == "helm" {
			e.Title = "Helm, as the team runs it"
			entries[i] = e
		}
	}
	team, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	defer team.Close()

	live := NewLive(base)
	titles := map[string]bool{"Helm, the Kubernetes package manager": true, "Helm, as the team runs it": true}
	done := make(chan struct{})
	swapped := make(chan int)
	go func() { // swaps until the readers are done, an even number of times
		n := 0
		for {
			select {
			case <-done:
				if n%2 == 1 {
					live.Swap(base)
					n++
				}
				swapped <- n
				return
			default:
				next := team
				if n%2 == 1 {
					next = base
				}
				if old := live.Swap(next); old != base && old != team {
					t.Errorf("Swap returned an index that was never served")
				}
				n++
			}
		}
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				a := live.Answer("what is helm")
				if !a.Answered || !titles[a.Entry.Title] {
					t.Errorf("Answer(what is helm) during swaps = %q %q", a.Entry.ID, a.Entry.Title)
					return
				}
				if len(live.Entries()) != len(entries) {
					t.Errorf("Entries() during swaps = %d entries, want %d", len(live.Entries()), len(entries))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	if n := <-swapped; n < 2 {
		t.Errorf("only %d swaps happened while questions were answered", n)
	}
	if live.Current() != base {
		t.Errorf("after an even number of swaps Current() is not the first index")
	}
	if a, ok := live.Explain("helm"); !ok || a.Entry.ID != "helm" {
		t.Errorf("Live.Explain(helm) = %q, %v", a.Entry.ID, ok)
	}
	if a := live.FollowUp("what about networking?", "docker-vs-kubernetes"); a.Entry.ID != "difference-networking" {
		t.Errorf("Live.FollowUp = %q, want difference-networking", a.Entry.ID)
	}
}
