package index

import (
	"sync/atomic"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Live is the index in service. A knowledge reload builds a whole new Index and swaps it in
// at once, so a question is matched against the old knowledge or the new, never half of each.
//
// Live owns the indexes it serves: each call holds the index it uses until it returns, and an
// index that has been replaced is closed by the last call still using it, at once if none is.
// Memory therefore stays flat however often knowledge is reloaded, and no answer ever runs on a
// closed index.
type Live struct {
	current atomic.Pointer[served]
	// open counts the indexes not yet closed: the current one and replaced ones still in use.
	open atomic.Int64
}

// served is an index with its count of holders: Live itself while it is current, plus each call
// in flight. The count only falls to zero once, after which the index is closed and never
// handed out again.
type served struct {
	ix    *Index
	holds atomic.Int64
	live  *Live
}

// NewLive serves ix and takes ownership of it.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.current.Store(l.serve(ix))
	return l
}

func (l *Live) serve(ix *Index) *served {
	s := &served{ix: ix, live: l}
	s.holds.Store(1)
	l.open.Add(1)
	return s
}

// Replace serves next from now on and takes ownership of it. The index it replaces is closed
// once the last call using it returns.
func (l *Live) Replace(next *Index) {
	l.current.Swap(l.serve(next)).release()
}

// Close stops serving and closes the current index once calls in flight are done. The Live
// must not be used afterwards.
func (l *Live) Close() {
	if s := l.current.Swap(nil); s != nil {
		s.release()
	}
}

// Open is the number of indexes not yet closed: 1 in steady service, more while answers still
// run on knowledge that has been replaced.
func (l *Live) Open() int {
	return int(l.open.Load())
}

// hold returns the current index, held until release. A replaced index whose last holder is
// gone is never held again: hold then reads the index that replaced it.
func (l *Live) hold() *served {
	for {
		s := l.current.Load()
		if s == nil {
			panic("index: Live used after Close")
		}
		for n := s.holds.Load(); n > 0; n = s.holds.Load() {
			if s.holds.CompareAndSwap(n, n+1) {
				return s
			}
		}
	}
}

func (s *served) release() {
	if s.holds.Add(-1) == 0 {
		_ = s.ix.Close() // an in-memory index: closing frees memory and cannot lose data
		s.live.open.Add(-1)
	}
}

// Answer answers question with the current index.
func (l *Live) Answer(question string) Answer {
	s := l.hold()
	defer s.release()
	return s.ix.Answer(question)
}

// FollowUp answers a question in a conversation; see Index.FollowUp.
func (l *Live) FollowUp(question, previous string) Answer {
	s := l.hold()
	defer s.release()
	return s.ix.FollowUp(question, previous)
}

// Explain is the answer made of one entry; see Index.Explain.
func (l *Live) Explain(id string) (Answer, bool) {
	s := l.hold()
	defer s.release()
	return s.ix.Explain(id)
}

// Entries lists the entries of the current index.
func (l *Live) Entries() []knowledge.Entry {
	s := l.hold()
	defer s.release()
	return s.ix.Entries()
}

// Entry looks an entry up by id in the current index.
func (l *Live) Entry(id string) (knowledge.Entry, bool) {
	s := l.hold()
	defer s.release()
	return s.ix.Entry(id)
}
