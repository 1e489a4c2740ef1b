package bot

import (
	"hash/maphash"
	"sync"
	"time"
)

// Dedupe bounds. Slack redelivers an event it thinks was not acked after about 1 and 5 minutes,
// so an event is remembered for 15. Slack delivers at most 30,000 events an hour to an app, each
// remembered under two keys (event id, and channel+ts), so the cap holds every key of a busy
// window: memory stays bounded, and in any real workspace nothing is forgotten early.
const (
	dedupeWindow = 15 * time.Minute
	dedupeMax    = 1 << 16
)

// seenSet remembers keys for a fixed window of time: the bot's memory of the events it has
// handled. Keys are kept as 64-bit hashes in a ring ordered by time, so the oldest expire first
// and memory has a hard cap; a key is forgotten early only past the cap, never because other
// events came in.
type seenSet struct {
	mu      sync.Mutex
	clock   Clock
	window  time.Duration
	seed    maphash.Seed
	expires map[uint64]time.Time
	ring    []seenKey // time-ordered, oldest at head
	head    int
	size    int
}

type seenKey struct {
	hash    uint64
	expires time.Time
}

func newSeenSet(clock Clock, window time.Duration, maxKeys int) *seenSet {
	return &seenSet{clock: clock, window: window, seed: maphash.MakeSeed(),
		expires: map[uint64]time.Time{}, ring: make([]seenKey, maxKeys)}
}

// AddNew remembers key and reports whether it was new: the atomic check-and-set that dedupe
// needs when the same event arrives twice.
func (s *seenSet) AddNew(key string) bool {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.expire(now)
	if _, seen := s.expires[h]; seen {
		return false
	}
	if s.size == len(s.ring) {
		s.dropOldest()
	}
	k := seenKey{hash: h, expires: now.Add(s.window)}
	s.ring[(s.head+s.size)%len(s.ring)] = k
	s.size++
	s.expires[h] = k.expires
	return true
}

// Forget removes key, so a later delivery of the same event is handled: for an event the bot
// had to leave for Slack to redeliver.
func (s *seenSet) Forget(key string) {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.expires, h) // its ring slot expires on its own; dropOldest skips it
}

// Len is how many keys are remembered.
func (s *seenSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expires)
}

// expire drops the keys whose window has passed; they sit at the head of the ring.
func (s *seenSet) expire(now time.Time) {
	for s.size > 0 && !now.Before(s.ring[s.head].expires) {
		s.dropOldest()
	}
}

func (s *seenSet) dropOldest() {
	k := s.ring[s.head]
	// The map may hold a newer entry for the same hash (forgotten, then seen again): keep it.
	if exp, ok := s.expires[k.hash]; ok && exp.Equal(k.expires) {
		delete(s.expires, k.hash)
	}
	s.ring[s.head] = seenKey{}
	s.head = (s.head + 1) % len(s.ring)
	s.size--
}
