package index

import (
	"sync"
	"testing"
)

// helmIndex builds the built-in knowledge with the helm entry titled title.
func helmIndex(t *testing.T, title string) *Index {
	t.Helper()
	entries := builtinEntries(t)
	for i, e := range entries {
		if e.ID == "helm" {
			e.Title = title
			entries[i] = e
		}
	}
	ix, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// closed tells whether ix has been closed: bleve refuses every call on a closed index.
func closed(ix *Index) bool {
	_, err := ix.bleve.DocCount()
	return err != nil
}

// A reload replaces the whole index while questions are being answered: every answer must come
// whole from one index, never from one already closed, and the race detector must find nothing.
func TestLiveReplaceWhileAnswering(t *testing.T) {
	t.Parallel()
	titles := []string{"Helm, the package manager", "Helm, as the team runs it"}
	live := NewLive(helmIndex(t, titles[0]))
	defer live.Close()
	const replacements = 4
	next := make(chan *Index)
	go func() { // built beforehand, so that replacements come fast while questions run
		defer close(next)
		for i := 1; i <= replacements; i++ {
			next <- helmIndex(t, titles[i%2])
		}
	}()
	done := make(chan struct{})
	var wg sync.WaitGroup
	answered := make([]int, 4)
	for r := range answered {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				a := live.Answer("what is helm")
				if !a.Answered || (a.Entry.Title != titles[0] && a.Entry.Title != titles[1]) {
					t.Errorf("Answer(what is helm) during a replacement = answered %v, %q %q (%s)", a.Answered, a.Entry.ID, a.Entry.Title, a.Match.Reason)
					return
				}
				if len(live.Entries()) == 0 {
					t.Error("Entries() during a replacement is empty")
					return
				}
				answered[r]++
			}
		}()
	}
	for ix := range next {
		live.Replace(ix)
	}
	close(done)
	wg.Wait()
	t.Logf("answers per reader while %d replacements happened: %v", replacements, answered)
	if n := live.Open(); n != 1 {
		t.Errorf("after the replacements %d indexes are open, want 1: replaced ones must be closed", n)
	}
	if a := live.Answer("what is helm"); a.Entry.Title != titles[replacements%2] {
		t.Errorf("after the replacements the answer is %q, want the last index's %q", a.Entry.Title, titles[replacements%2])
	}
	if a, ok := live.Explain("helm"); !ok || a.Entry.ID != "helm" {
		t.Errorf("Live.Explain(helm) = %q, %v", a.Entry.ID, ok)
	}
	if a := live.FollowUp("what about networking?", "docker-vs-kubernetes"); a.Entry.ID != "difference-networking" {
		t.Errorf("Live.FollowUp = %q, want difference-networking", a.Entry.ID)
	}
	if e, ok := live.Entry("helm"); !ok || e.Title != titles[replacements%2] {
		t.Errorf("Live.Entry(helm) = %q, %v", e.Title, ok)
	}
}

// A replaced index is closed by the last call still using it, not before and not later.
func TestLiveClosesReplacedIndexWhenLastCallReturns(t *testing.T) {
	first, second := helmIndex(t, "first"), helmIndex(t, "second")
	live := NewLive(first)
	inFlight := live.hold() // an answer under way on the first index
	live.Replace(second)
	if closed(first) || live.Open() != 2 {
		t.Fatalf("replaced while an answer ran on it: closed %v, %d open; want it open until the answer is done", closed(first), live.Open())
	}
	if e, _ := live.Entry("helm"); e.Title != "second" {
		t.Errorf("after Replace the current index serves %q, want second", e.Title)
	}
	inFlight.release()
	if !closed(first) || live.Open() != 1 {
		t.Errorf("the last answer on the replaced index returned: closed %v, %d open; want it closed", closed(first), live.Open())
	}
	third := helmIndex(t, "third")
	live.Replace(third)
	if !closed(second) || live.Open() != 1 {
		t.Errorf("replaced with no answer in flight: closed %v, %d open; want it closed at once", closed(second), live.Open())
	}
	live.Close()
	if !closed(third) || live.Open() != 0 {
		t.Errorf("after Close: closed %v, %d open; want the current index closed", closed(third), live.Open())
	}
}
