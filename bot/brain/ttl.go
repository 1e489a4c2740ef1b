package brain

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire: an in-process brain's memory of events seen
// and of threads answered. When full, the least recently set key goes first, so memory stays
// flat however busy the workspace is.
type ttlCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	order *list.List // front: most recently set
	items map[string]*list.Element
}

// ttlItem is one key of a ttlCache, with when it stops being live.
type ttlItem struct {
	key     string
	value   string
	expires time.Time
}

func newTTLCache(maxItems int, ttl time.Duration, now func() time.Time) *ttlCache {
	return &ttlCache{ttl: ttl, max: maxItems, now: now, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the live value for key.
func (c *ttlCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.live(key)
	if !ok {
		return "", false
	}
	return el.Value.(*ttlItem).value, true
}

// set stores value under key for the cache's TTL.
func (c *ttlCache) set(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(key, value)
}

// addNew stores key only if it is not already live, and reports whether it did: the atomic
// check-and-set that dedupe needs when two workers see the same event at once.
func (c *ttlCache) addNew(key, value string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.live(key); ok {
		return false
	}
	c.put(key, value)
	return true
}

// live finds key's element, dropping it if expired. The caller holds mu.
func (c *ttlCache) live(key string) (*list.Element, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(el.Value.(*ttlItem).expires) {
		c.remove(el)
		return nil, false
	}
	return el, true
}

// put stores key at the front and evicts past the bound. The caller holds mu.
func (c *ttlCache) put(key, value string) {
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&ttlItem{key: key, value: value, expires: c.now().Add(c.ttl)})
	for c.order.Len() > c.max {
		c.remove(c.order.Back())
	}
}

func (c *ttlCache) remove(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*ttlItem).key)
}
