package index

import (
	"cmp"
	"slices"
)

// phrasings finds the entries one of whose phrasings (title, listed or learned question)
// analyses to a given set of terms. bleve scores a question's words one by one, wherever an
// entry's lead holds them, and cannot see that they stand together in one phrasing: "can
// kubernetes run without docker" is dockershim-removal's own phrasing, but its four words are
// common, a dozen entries' leads hold all four more often, and BM25 did not retrieve it. The
// phrasings are kept as sorted pairs of a hash of their terms and an entry: at 10,000 entries a
// map of term sets cost megabytes.
type phrasings struct {
	keys []phrasingKey
}

// phrasingKey is one phrasing: the hash of its terms, and its entry's place in the ordered
// entries.
type phrasingKey struct {
	hash  uint32
	entry int32
}

// add records that the entry at place entry has a phrasing of the terms ids.
func (p *phrasings) add(ids []termID, entry int32) {
	if len(ids) > 0 {
		p.keys = append(p.keys, phrasingKey{termSetHash(ids), entry})
	}
}

// seal sorts the phrasings for lookup, each entry once per hash.
func (p *phrasings) seal() {
	slices.SortFunc(p.keys, func(a, b phrasingKey) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.entry, b.entry))
	})
	p.keys = slices.Clip(slices.Compact(p.keys))
}

// of lists the places of the entries with a phrasing of exactly the terms ids. A hash
// collision adds an entry to the candidates, for the model to rank; it never loses one.
func (p *phrasings) of(ids []termID) []int32 {
	if len(ids) == 0 {
		return nil
	}
	h := termSetHash(ids)
	i, _ := slices.BinarySearchFunc(p.keys, h, func(k phrasingKey, h uint32) int { return cmp.Compare(k.hash, h) })
	var out []int32
	for ; i < len(p.keys) && p.keys[i].hash == h; i++ {
		out = append(out, p.keys[i].entry)
	}
	return out
}

// termSetHash is the FNV-1a hash of a set of terms, whatever their order and repeats.
func termSetHash(ids []termID) uint32 {
	h := uint32(2166136261)
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		for shift := 0; shift < 32; shift += 8 {
			h ^= uint32(byte(id >> shift))
			h *= 16777619
		}
	}
	return h
}
