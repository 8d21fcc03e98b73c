package source

import (
	"hash/maphash"
	"io"
	"strings"
	"sync/atomic"
)

// fpSet is a set of 64-bit hashes kept as 32-bit fingerprints: a hash's
// low half picks its home slot (by multiply-shift over the level's size, a
// power of two or not), its high half is what the slot holds (0 marks an
// empty slot; a high half of 0 is stored as 1). add can be wrong in one
// direction only: a hash never added may be reported as seen when an
// earlier hash in its probe run has the same high half (a false suspect,
// which the caller resolves like any collision); a hash added is always
// seen again.
//
// Slots are in levels, each an open-addressing table with linear probing
// over one pointer-free []uint32 filled to at most fpMaxLoad, never grown:
// a full level is kept and a new one made, sized for the keys the caller
// expects still to come (expect). Sized from the file, a large file's keys
// fit in two levels (the first small): about 4/fpMaxLoad bytes a key, 6.3
// at 10 million keys with the caller's 10% margin, and no table is ever
// copied (the 64-bit set this replaced held 13.4 bytes a key, and 19 while
// doubling). A lookup probes every level, the small first one in cache.
//
// False suspects: a lookup compares its fingerprint with the slots of its
// probe run, on average about 2.2 slots over a level's filling, so 10
// million distinct keys give about 10e6 x 2.2 / 2^32 = 0.005 false
// suspects: one re-read of the file up to the suspect's row in about 200
// such files.
type fpSet struct {
	levels []fpLevel
	sink   uint32 // touch's loads, kept so that they are not dropped
}

type fpLevel struct {
	slots []uint32
	n     int // hashes held
	max   int // hashes it takes: fpMaxLoad of its slots
}

const (
	// fpMaxLoad is the share of a level's slots that may be filled.
	fpMaxLoad = 0.7
	// fpMinLevel is the fewest keys a level is made for.
	fpMinLevel = 1 << 16
)

// add inserts h and reports whether it was (probably) already in the set.
// expect is called when a new level is needed, with the number of hashes
// held: it returns how many more the caller expects (at least
// fpMinLevel are made room for, and at least as many as are held, so a
// wrong guess costs a few levels, not one per key).
func (s *fpSet) add(h uint64, expect func(held int) int) (seen bool) {
	fp := uint32(h >> 32)
	if fp == 0 {
		fp = 1
	}
	home := uint64(uint32(h))
	held := 0
	for k := range s.levels {
		l := &s.levels[k]
		held += l.n
		for i := int(home * uint64(len(l.slots)) >> 32); ; {
			switch l.slots[i] {
			case fp:
				return true
			case 0:
				if k == len(s.levels)-1 && l.n < l.max {
					l.slots[i] = fp
					l.n++
					return false
				}
			default:
				if i++; i == len(l.slots) {
					i = 0
				}
				continue
			}
			break
		}
	}
	want := fpMinLevel
	if len(s.levels) > 0 {
		want = max(want, held, expect(held))
	}
	slots := int(float64(want)/fpMaxLoad) + 1
	s.levels = append(s.levels, fpLevel{slots: make([]uint32, slots), max: want})
	l := &s.levels[len(s.levels)-1]
	l.slots[int(home*uint64(slots)>>32)] = fp
	l.n = 1
	return false
}

// touch loads the home slot of each of hs in every level, changing
// nothing: the loads of one call do not depend on each other, so the
// processor waits for their cache misses together, and the adds of the
// same hashes that follow find their slots in cache (add, one hash at a
// time, waits for each miss in turn: a level of 10 million keys is 64 MB).
func (s *fpSet) touch(hs []uint64) {
	var x uint32
	for k := range s.levels {
		slots := s.levels[k].slots
		n := uint64(len(slots))
		for _, h := range hs {
			x += slots[uint64(uint32(h))*n>>32]
		}
	}
	s.sink += x
}

// bytes is the memory the set holds.
func (s *fpSet) bytes() int {
	n := 0
	for _, l := range s.levels {
		n += 4 * len(l.slots)
	}
	return n
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
// Memory is the set's (fpSet: 6.3 bytes a key at 10 million keys with the
// file's size known, against 13.4 for the 64-bit set it replaced and 52.7
// for a map of the keys: BenchmarkKeyCheck) plus the pending suspects, at
// most maxErrors of them (the caller resolves when it holds that many
// problems). The hash is maphash with a seed drawn per file, so that a file
// cannot be crafted to collide; a false suspect among 10 million distinct
// keys has a probability of about 5 in a thousand (see fpSet), so a
// re-read happens, in practice, only for a file that has real duplicates
// (one or two re-reads of the file up to the last suspect: at the chunk
// that must not be handed on if its duplicate is real, and at the end).
type keyCheck struct {
	hash    func(string) uint64
	expect  func(held int) int
	set     fpSet
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
// fresh seed when hash is nil (tests pass a hash that collides). expect,
// given the number of keys seen, estimates how many are still to come (the
// set's levels are sized with it); nil guesses as many again.
func newKeyCheck(hash func(string) uint64, expect func(held int) int) *keyCheck {
	if hash == nil {
		seed := maphash.MakeSeed()
		hash = func(s string) uint64 { return maphash.String(seed, s) }
	}
	if expect == nil {
		expect = func(held int) int { return held }
	}
	return &keyCheck{hash: hash, expect: expect}
}

// rowsLeft estimates the rows still to come in a file of size bytes (-1:
// not known) of which the first read bytes held at least rows rows (the
// reader may have read ahead): the rest at the same bytes per row, plus
// 10%, never more than one a byte; as many again when the size is not
// known.
func rowsLeft(size, read int64, rows int) int {
	if size < 0 || read <= 0 || rows <= 0 {
		return rows
	}
	left := max(0, size-read)
	return int(min(float64(left), float64(left)/(float64(read)/float64(rows))*1.1))
}

// countReader counts the bytes read through it; Count may be called from
// another goroutine (ScanCSV's blocks are read ahead of the key check).
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Count is the number of bytes read so far.
func (c *countReader) Count() int64 { return c.n.Load() }

// check records key on row (line) and reports whether it is a suspect; then
// the caller appends a placeholder to its errors at index err, which
// resolve replaces by the duplicate's error or removes.
func (k *keyCheck) check(key string, row, line, err int) bool {
	return k.checkHash(k.hash(key), key, row, line, err)
}

// checkHash is check of key whose hash, k.hash(key), is h.
func (k *keyCheck) checkHash(h uint64, key string, row, line, err int) bool {
	if !k.set.add(h, k.expect) {
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
