package brain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// kv is the little a local brain needs from its storage: atomic transactions over named
// buckets of keys. The memory and the bbolt brain differ only here, so they share every rule.
type kv interface {
	// update runs fn in a read-write transaction: all of its writes or, if it fails, none.
	update(fn func(tx txn) error) error
	// view runs fn in a read-only transaction.
	view(fn func(tx txn) error) error
	close() error
}

// txn reads and writes inside one transaction. Values returned by get and each are valid
// only until the transaction ends.
type txn interface {
	get(bucket, key string) []byte
	put(bucket, key string, value []byte) error
	del(bucket, key string) error
	each(bucket string, fn func(key string, value []byte) error) error
}

// buckets are every bucket a local brain uses; the bbolt file creates them on open.
var buckets = []string{bucketGaps, bucketGapLast, bucketVoters, bucketTallies, bucketEntries, bucketPending, bucketMeta}

const (
	bucketGaps    = "gaps"    // gap key -> JSON []Ask
	bucketGapLast = "gaplast" // gap key -> when last asked, decimal Unix nanoseconds
	bucketVoters  = "voters"  // entry id NUL channel/ts/user -> "up" or "down"
	bucketTallies = "tallies" // entry id -> JSON Tally
	bucketEntries = "entries" // entry id -> JSON []Captured, oldest first
	bucketPending = "pending" // pending id -> JSON Pending
	bucketMeta    = "meta"    // "revision" -> decimal revision of captured entries
)

// memKV keeps buckets in maps. A transaction's writes are undone if it fails.
type memKV struct {
	mu   sync.RWMutex
	data map[string]map[string][]byte
}

func newMemKV() *memKV {
	data := map[string]map[string][]byte{}
	for _, b := range buckets {
		data[b] = map[string][]byte{}
	}
	return &memKV{data: data}
}

func (m *memKV) update(fn func(tx txn) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTxn{data: m.data, writable: true}
	if err := fn(tx); err != nil {
		tx.rollback()
		return err
	}
	return nil
}

func (m *memKV) view(fn func(tx txn) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTxn{data: m.data})
}

func (m *memKV) close() error { return nil }

// memTxn writes straight into the maps and keeps what it overwrote, to roll back.
type memTxn struct {
	data     map[string]map[string][]byte
	writable bool
	undo     []func()
}

func (t *memTxn) get(bucket, key string) []byte {
	return t.data[bucket][key]
}

func (t *memTxn) put(bucket, key string, value []byte) error {
	if !t.writable {
		return errors.New("write in a read-only transaction")
	}
	t.remember(bucket, key)
	t.data[bucket][key] = append([]byte(nil), value...)
	return nil
}

func (t *memTxn) del(bucket, key string) error {
	if !t.writable {
		return errors.New("delete in a read-only transaction")
	}
	t.remember(bucket, key)
	delete(t.data[bucket], key)
	return nil
}

func (t *memTxn) each(bucket string, fn func(key string, value []byte) error) error {
	for k, v := range t.data[bucket] {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// remember records how to restore key as it is now.
func (t *memTxn) remember(bucket, key string) {
	old, had := t.data[bucket][key]
	t.undo = append(t.undo, func() {
		if had {
			t.data[bucket][key] = old
		} else {
			delete(t.data[bucket], key)
		}
	})
}

func (t *memTxn) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
}

// boltKV is the embedded brain's file.
type boltKV struct {
	db *bolt.DB
}

// fileName is the embedded brain's file inside the data folder.
const fileName = "brain.db"

// openBoltKV opens (or creates) the brain's file in dir, waiting up to lockWait for another
// process that holds it.
func openBoltKV(dir string, lockWait time.Duration) (*boltKV, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dir, fileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: another process holds it (several replicas need a shared brain: Redis): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return fmt.Errorf("bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("prepare %s: %w", path, err), db.Close())
	}
	return &boltKV{db: db}, nil
}

func (b *boltKV) update(fn func(tx txn) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(boltTxn{tx}) })
}

func (b *boltKV) view(fn func(tx txn) error) error {
	return b.db.View(func(tx *bolt.Tx) error { return fn(boltTxn{tx}) })
}

func (b *boltKV) close() error { return b.db.Close() }

// boltTxn maps buckets onto bbolt's; every bucket exists since open.
type boltTxn struct {
	tx *bolt.Tx
}

func (t boltTxn) get(bucket, key string) []byte {
	return t.tx.Bucket([]byte(bucket)).Get([]byte(key))
}

func (t boltTxn) put(bucket, key string, value []byte) error {
	return t.tx.Bucket([]byte(bucket)).Put([]byte(key), value)
}

func (t boltTxn) del(bucket, key string) error {
	return t.tx.Bucket([]byte(bucket)).Delete([]byte(key))
}

func (t boltTxn) each(bucket string, fn func(key string, value []byte) error) error {
	return t.tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error { return fn(string(k), v) })
}
