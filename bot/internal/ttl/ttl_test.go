package ttl

import (
	"testing"
	"time"
)

func TestCacheExpiresAndStaysBounded(t *testing.T) {
	now := time.Unix(0, 0)
	c := New[string](3, time.Minute, func() time.Time { return now })
	c.Set("a", "1")
	if v, ok := c.Get("a"); !ok || v != "1" {
		t.Fatal("a live key is not served")
	}
	now = now.Add(time.Minute)
	if _, ok := c.Get("a"); ok {
		t.Fatal("a key is still served once its TTL has passed")
	}
	c.Set("a", "3")
	for _, k := range []string{"b", "c", "d", "e"} {
		c.Set(k, k)
	}
	for _, evicted := range []string{"a", "b"} {
		if _, ok := c.Get(evicted); ok {
			t.Fatalf("%q kept: the cache must hold at most 3 keys, evicting the oldest first", evicted)
		}
	}
	if v, ok := c.Get("e"); !ok || v != "e" {
		t.Fatal("the newest key was lost")
	}
}

func TestCacheAddNewOnce(t *testing.T) {
	now := time.Unix(0, 0)
	c := New[struct{}](10, time.Minute, func() time.Time { return now })
	if !c.AddNew("k", struct{}{}) || c.AddNew("k", struct{}{}) {
		t.Fatal("AddNew must take a live key once")
	}
	now = now.Add(time.Minute)
	if !c.AddNew("k", struct{}{}) {
		t.Fatal("an expired key must be new again")
	}
}
