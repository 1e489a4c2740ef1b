package bot

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire: the bot's memory of threads answered and of
// which channels are public. When full, the least recently set key goes first, so memory stays flat
// however busy the workspace is.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	order *list.List // front: most recently set
	items map[string]*list.Element
}

type ttlItem[V any] struct {
	key     string
	value   V
	expires time.Time
}

func newTTLCache[V any](maxItems int, ttl time.Duration) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: maxItems, now: time.Now, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the live value for key.
func (c *ttlCache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	it := el.Value.(*ttlItem[V])
	if c.now().After(it.expires) {
		c.remove(el)
		return zero, false
	}
	return it.value, true
}

// Set stores value under key for the cache's TTL.
func (c *ttlCache[V]) Set(key string, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set(key, value)
}

func (c *ttlCache[V]) set(key string, value V) {
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&ttlItem[V]{key: key, value: value, expires: c.now().Add(c.ttl)})
	for c.order.Len() > c.max {
		c.remove(c.order.Back())
	}
}

func (c *ttlCache[V]) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*ttlItem[V]).key)
}
