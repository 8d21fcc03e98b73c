package place

import (
	"container/heap"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
)

// unplacedRun is the number of records in one sorted run of Unplaced.
const unplacedRun = 1 << 16

// Unplaced holds the records a Placer could not place, to be read back in
// ID order (Each). A run over a points file much larger than its boundaries
// (a national file and one state's tracts) leaves millions of them, so
// they are kept packed: each record's ID, name and reason (or, for a point
// outside every boundary, its coordinates) in pointer-free bytes, 19 more
// than its ID and name (37 for the Ohio job's 9-character ones), in runs
// of unplacedRun records sorted by ID. As a result.Unplaced (48 bytes and
// three pointers) with its own ID, name and a 64-byte reason allocation
// they took about 140 bytes each, and the collector's time. The packed
// bytes are copies, so no chunk's buffers stay alive.
type Unplaced struct {
	runs [][]byte // full runs, each sorted by ID
	buf  []byte   // the current run, in the order added
	offs []int    // its records' offsets in buf
	n    int
}

// The byte after a packed record's ID and name: its reason follows, or
// (outside every boundary) its latitude and longitude, 8 bytes each.
const (
	packedOutside = iota
	packedReason
)

// Len is the number of records added.
func (u *Unplaced) Len() int { return u.n }

// addOutside adds record i of r, whose point at lat, lon is outside every
// boundary.
func (u *Unplaced) addOutside(r *frame.Table, i int, id, name string, lat, lon float64) {
	u.buf = u.appendHead(r, i, id, name)
	u.buf = append(u.buf, packedOutside)
	u.buf = binary.LittleEndian.AppendUint64(u.buf, math.Float64bits(lat))
	u.buf = binary.LittleEndian.AppendUint64(u.buf, math.Float64bits(lon))
	u.added()
}

// add adds record i of r, unplaced for reason.
func (u *Unplaced) add(r *frame.Table, i int, id, name, reason string) {
	u.buf = u.appendHead(r, i, id, name)
	u.buf = append(u.buf, packedReason)
	u.buf = appendString(u.buf, reason)
	u.added()
}

// appendHead notes a new record's offset and appends its ID (fmt.Sprint
// of its value in column id) and name (column name's text, "" if null).
func (u *Unplaced) appendHead(r *frame.Table, i int, id, name string) []byte {
	u.offs = append(u.offs, len(u.buf))
	b := appendString(u.buf, idText(r, i, id))
	return appendString(b, r.Str(i, name))
}

func (u *Unplaced) added() {
	if u.n++; len(u.offs) == unplacedRun {
		u.flush()
	}
}

// flush sorts the current run by ID (stably) into a run of its own.
func (u *Unplaced) flush() {
	if len(u.offs) == 0 {
		return
	}
	slices.SortStableFunc(u.offs, func(a, b int) int {
		return strings.Compare(packedID(u.buf[a:]), packedID(u.buf[b:]))
	})
	run := make([]byte, 0, len(u.buf))
	for _, off := range u.offs {
		_, rest := unpack(u.buf[off:], nil)
		run = append(run, u.buf[off:len(u.buf)-len(rest)]...)
	}
	u.runs = append(u.runs, run)
	u.buf, u.offs = u.buf[:0], u.offs[:0]
}

// Each calls f with every record, sorted by ID (records with the same ID
// in the order they were added), and stops at f's first error. The
// strings f is given are valid only during the call: f copies what it
// keeps. Records may not be added during or after Each.
func (u *Unplaced) Each(f func(result.Unplaced) error) error {
	u.flush()
	u.buf, u.offs = nil, nil
	h := make(runHeap, 0, len(u.runs))
	for i, run := range u.runs {
		if len(run) > 0 {
			h = append(h, runCursor{run: run, i: i})
		}
	}
	heap.Init(&h)
	var reason []byte
	for len(h) > 0 {
		c := &h[0]
		var x result.Unplaced
		x, c.run = unpack(c.run, &reason)
		if err := f(x); err != nil {
			return err
		}
		if len(c.run) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return nil
}

// unpack reads the packed record at the front of b and returns it and the
// bytes after it. Its ID and name share b's bytes (never changed once a
// run is made); an outside reason is formatted into *reason (reused: the
// record's Reason is valid until the next call), or not at all when reason
// is nil.
func unpack(b []byte, reason *[]byte) (u result.Unplaced, rest []byte) {
	u.ID, rest = readString(b)
	u.Name, rest = readString(rest)
	if rest[0] == packedReason {
		u.Reason, rest = readString(rest[1:])
		return u, rest
	}
	if reason != nil {
		lat := math.Float64frombits(binary.LittleEndian.Uint64(rest[1:]))
		lon := math.Float64frombits(binary.LittleEndian.Uint64(rest[9:]))
		*reason = appendOutsideReason((*reason)[:0], lat, lon)
		u.Reason = unsafe.String(unsafe.SliceData(*reason), len(*reason))
	}
	return u, rest[17:]
}

// runCursor is a sorted run's records not yet given by Each; i orders
// runs with the same next ID (the earlier run's first: a stable merge).
type runCursor struct {
	run []byte
	i   int
}

type runHeap []runCursor

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(a, b int) bool {
	if c := strings.Compare(packedID(h[a].run), packedID(h[b].run)); c != 0 {
		return c < 0
	}
	return h[a].i < h[b].i
}
func (h runHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(runCursor)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// readString reads a string appended by appendString from the front of b,
// the string sharing b's bytes (never changed once a run is made).
func readString(b []byte) (string, []byte) {
	n, k := binary.Uvarint(b)
	s := b[k : k+int(n)]
	return unsafe.String(unsafe.SliceData(s), len(s)), b[k+int(n):]
}

// packedID is the ID of the packed record at the front of b.
func packedID(b []byte) string {
	id, _ := readString(b)
	return id
}
