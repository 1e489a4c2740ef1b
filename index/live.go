package index

import (
	"sync/atomic"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Live is the index in service. A knowledge reload builds a whole new Index and swaps it in
// at once, so a question is matched against the old knowledge or the new, never half of each.
type Live struct {
	current atomic.Pointer[Index]
}

// NewLive serves ix.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.current.Store(ix)
	return l
}

// Swap serves next from now on and returns the index it replaces. The caller closes the old
// one when no question can still be using it.
func (l *Live) Swap(next *Index) *Index {
	return l.current.Swap(next)
}

// Current is the index in service.
func (l *Live) Current() *Index {
	return l.current.Load()
}

// Answer answers question with the current index.
func (l *Live) Answer(question string) Answer {
	return l.Current().Answer(question)
}

// FollowUp answers a question in a conversation; see Index.FollowUp.
func (l *Live) FollowUp(question, previous string) Answer {
	return l.Current().FollowUp(question, previous)
}

// Explain is the answer made of one entry; see Index.Explain.
func (l *Live) Explain(id string) (Answer, bool) {
	return l.Current().Explain(id)
}

// Entries lists the entries of the current index.
func (l *Live) Entries() []knowledge.Entry {
	return l.Current().Entries()
}

// Entry looks an entry up by id in the current index.
func (l *Live) Entry(id string) (knowledge.Entry, bool) {
	return l.Current().Entry(id)
}
