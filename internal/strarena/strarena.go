// Package strarena makes many small strings from byte slices (the values
// of a Parquet page) without an allocation each.
package strarena

import "unsafe"

// Arena copies byte slices into shared blocks and returns strings that
// point into them. A block is never appended to past its capacity, so its
// bytes never move or change once a string points at them; a block lives
// as long as any of its strings. The zero Arena is ready to use; an Arena
// is not safe for concurrent use.
type Arena struct{ block []byte }

// String returns a string holding a copy of b ("" for an empty b).
func (a *Arena) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, max(64<<10, len(b)))
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], len(b))
}
