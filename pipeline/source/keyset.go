package source

import (
	"hash/maphash"
	"strings"
)

// hashSet is a set of 64-bit hashes: open addressing with linear probing
// over one pointer-free slice, so that it costs 8 bytes a slot (10.7 to 21
// bytes a key: the table doubles when three quarters full, and holds the
// old table while it does) and nothing for the collector to scan. 0 marks an empty slot; a hash of 0 is stored as 1
// (a collision more, which the caller resolves like any other).
type hashSet struct {
	slots []uint64
	n     int
}

// add inserts h and reports whether it was already in the set.
func (s *hashSet) add(h uint64) (seen bool) {
	if h == 0 {
		h = 1
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			s.slots[i] = h
			s.n++
			return false
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}

// keyCheck finds duplicate keys in one pass over a file holding only a hash
// of each key. Two keys with the same hash are a suspect, not yet a
// duplicate: the first key's text is gone. check records the suspect (its
// line, its key, copied) and the caller confirms the suspects it holds with
// resolve, which re-reads the file up to the last suspect's row and looks
// for an earlier row with the very same key: found, it is a duplicate and
// the earliest such row is the "first on line" of the error; not found, it
// was a collision of two different keys and is dropped. A collision
// therefore never produces an error, whatever the hash.
//
// Memory is the set's (13.4 bytes a key at 10 million keys, against 52.7
// for a map of the keys: BenchmarkKeyCheck) plus the pending suspects, at
// most maxErrors of them (the caller resolves when it holds that many
// problems). The hash is maphash with a seed drawn per file, so that a file
// cannot be crafted to collide; with 64 bits, a collision among 10 million
// distinct keys has a probability of about 3 in a million, so a re-read
// happens, in practice, only for a file that has real duplicates (one or
// two re-reads of the file up to the last suspect: at the chunk that must
// not be handed on if its duplicate is real, and at the end).
type keyCheck struct {
	hash    func(string) uint64
	set     hashSet
	pending []suspect
}

// suspect is a row whose key's hash was seen on an earlier row.
type suspect struct {
	row, line int
	key       string
	err       int // index of its placeholder in the caller's error list
	first     int // line of the earliest row with the same key; 0: none
}

// newKeyCheck is a keyCheck hashing with hash, or with maphash under a
// fresh seed when hash is nil (tests pass a hash that collides).
func newKeyCheck(hash func(string) uint64) *keyCheck {
	if hash == nil {
		seed := maphash.MakeSeed()
		hash = func(s string) uint64 { return maphash.String(seed, s) }
	}
	return &keyCheck{hash: hash}
}

// check records key on row (line) and reports whether it is a suspect; then
// the caller appends a placeholder to its errors at index err, which
// resolve replaces by the duplicate's error or removes.
func (k *keyCheck) check(key string, row, line, err int) bool {
	if !k.set.add(k.hash(key)) {
		return false
	}
	k.pending = append(k.pending, suspect{row: row, line: line, key: strings.Clone(key), err: err})
	return true
}

// resolve confirms the pending suspects. rows calls fn with the key (ok
// false for a null or missing key) and line of every data row of the file,
// from the first, in the order the main pass saw them, until fn returns
// false. resolve sets each suspect's first line, or 0 for a collision, and
// returns the suspects; the pending list is then empty.
func (k *keyCheck) resolve(rows func(fn func(key string, ok bool, line int) bool) error) ([]suspect, error) {
	sus := k.pending
	k.pending = nil
	if len(sus) == 0 {
		return nil, nil
	}
	byHash := map[uint64][]int{}
	last := 0
	for i, s := range sus {
		h := k.hash(s.key)
		byHash[h] = append(byHash[h], i)
		last = max(last, s.row)
	}
	row := 0
	err := rows(func(key string, ok bool, line int) bool {
		row++
		if row >= last {
			return false
		}
		if !ok {
			return true
		}
		for _, i := range byHash[k.hash(key)] {
			if s := &sus[i]; s.first == 0 && row < s.row && s.key == key {
				s.first = line
			}
		}
		return true
	})
	return sus, err
}
