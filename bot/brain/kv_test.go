package brain

import (
	"errors"
	"testing"
	"time"
)

// TestKVTransactionsAreAllOrNothing: a failed update leaves the store as it was, in memory
// as in the bbolt file, and a read-only transaction cannot write.
func TestKVTransactionsAreAllOrNothing(t *testing.T) {
	stores := map[string]func(t *testing.T) kv{
		"memory": func(*testing.T) kv { return newMemKV() },
		"bbolt": func(t *testing.T) kv {
			store, err := openBoltKV(t.TempDir(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return store
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			defer store.close()
			err := store.update(func(tx txn) error {
				return errors.Join(tx.put(bucketMeta, "a", []byte("1")), tx.put(bucketMeta, "gone", []byte("1")))
			})
			if err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			err = store.update(func(tx txn) error {
				if err := errors.Join(tx.put(bucketMeta, "a", []byte("2")), tx.put(bucketMeta, "b", []byte("1")),
					tx.del(bucketMeta, "gone")); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("update err = %v, want the function's", err)
			}
			err = store.view(func(tx txn) error {
				got := map[string]string{}
				if err := tx.each(bucketMeta, func(k string, v []byte) error { got[k] = string(v); return nil }); err != nil {
					return err
				}
				if len(got) != 2 || got["a"] != "1" || got["gone"] != "1" {
					t.Errorf("after a failed update: %v, want a=1 gone=1", got)
				}
				if tx.put(bucketMeta, "c", []byte("1")) == nil {
					t.Error("a write inside view succeeded")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
