package table

import (
	"math/rand/v2"
	"testing"
)

// TestNewColumnRecycled: whether NewColumn reuses a recycled column or
// makes one, it holds n nulls (zero values, not valid) with room for room
// values, named and typed as asked, however the recycled columns were
// filled; a recycled column too small for the room asked is not reused.
func TestNewColumnRecycled(t *testing.T) {
	if poisonRecycled {
		t.Skip("gwpoison build: recycled columns are poisoned, not reused")
	}
	rng := rand.New(rand.NewPCG(6, 1))
	reused := 0
	var made []*Column
	for trial := range 5000 {
		typ := Type(rng.IntN(4))
		n, room := rng.IntN(300), rng.IntN(600)
		c := NewColumn("c", typ, n, room)
		for _, m := range made {
			if m == c {
				reused++
			}
		}
		if c.Name != "c" || c.Type != typ || c.Len() != n || cap(c.Valid) < max(n, room) || c.room() < max(n, room) {
			t.Fatalf("trial %d: NewColumn(%v, %d, %d) = %s %v, %d records, room %d/%d", trial, typ, n, room, c.Name, c.Type, c.Len(), cap(c.Valid), c.room())
		}
		for i := range n {
			if c.Valid[i] || typ == Float && c.Floats[i] != 0 || typ == Int && c.Ints[i] != 0 || typ == Bool && c.Bools[i] || typ == String && c.Strings[i] != "" {
				t.Fatalf("trial %d: record %d of a new %v column is not null", trial, i, typ)
			}
		}
		if l := len(c.Floats) + len(c.Ints) + len(c.Bools) + len(c.Strings); l != n {
			t.Fatalf("trial %d: %d values in the slices of a %v column of %d", trial, l, typ, n)
		}
		// Fill it, past its length too, and hand it back.
		for i := range cap(c.Valid) {
			c.Valid[:cap(c.Valid)][i] = true
		}
		switch typ {
		case Float:
			c.Floats = append(c.Floats, 1.5)
			for i := range c.Floats {
				c.Floats[i] = 2.5
			}
		case Int:
			c.Ints = append(c.Ints, 7)
			for i := range c.Ints {
				c.Ints[i] = 9
			}
		case Bool:
			c.Bools = append(c.Bools, true)
			for i := range c.Bools {
				c.Bools[i] = true
			}
		default:
			c.Strings = append(c.Strings, "x")
			for i := range c.Strings {
				c.Strings[i] = "y"
			}
		}
		made = append(made[max(0, len(made)-20):], c)
		Recycle(c)
	}
	if reused == 0 {
		t.Error("no recycled column was reused")
	}
}
