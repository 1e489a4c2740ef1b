// Package ttl is a bounded map whose entries expire: what the bot and its in-process brain
// remember for a while (events seen, threads answered, which channels are public, rendered
// answers). When full, the least recently set key goes first, so memory stays flat however busy
// the workspace is.
package ttl

import (
	"container/list"
	"sync"
	"time"
)

// Cache maps keys to values for a fixed time after each is set. It is safe for concurrent use.
type Cache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	order *list.List // front: most recently set
	items map[string]*list.Element
}

// item is one key of a Cache, with when it stops being live.
type item[V any] struct {
	key     string
	value   V
	expires time.Time
}

// New keeps up to maxItems keys, each for ttl after it was set, on the clock now (time.Now
// when nil).
func New[V any](maxItems int, ttl time.Duration, now func() time.Time) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{ttl: ttl, max: maxItems, now: now, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the live value for key.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.live(key)
	if !ok {
		var zero V
		return zero, false
	}
	return el.Value.(*item[V]).value, true
}

// Set stores value under key for the cache's TTL.
func (c *Cache[V]) Set(key string, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(key, value)
}

// AddNew stores key only if it is not already live, and reports whether it did: the atomic
// check-and-set that dedupe needs when two workers see the same event at once.
func (c *Cache[V]) AddNew(key string, value V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.live(key); ok {
		return false
	}
	c.put(key, value)
	return true
}

// live finds key's element, dropping it if expired. The caller holds mu.
func (c *Cache[V]) live(key string) (*list.Element, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(el.Value.(*item[V]).expires) {
		c.remove(el)
		return nil, false
	}
	return el, true
}

// put stores key at the front and evicts past the bound. The caller holds mu.
func (c *Cache[V]) put(key string, value V) {
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&item[V]{key: key, value: value, expires: c.now().Add(c.ttl)})
	for c.order.Len() > c.max {
		c.remove(c.order.Back())
	}
}

func (c *Cache[V]) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*item[V]).key)
}
