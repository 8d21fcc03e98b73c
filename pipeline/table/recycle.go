package table

import "sync"

// Columns handed back by Recycle, by Type, for NewColumn to reuse: the
// chunks of a one-pass run are made and dropped at the rate of tens a
// second, each a few megabytes of column slices.
var spare [Bool + 1]sync.Pool

// NewColumn returns a column named name of type t holding n nulls (the
// type's zero value, not valid) with room for at least room values (room
// below n counts as n): one handed back by Recycle when one of the type
// has the room, otherwise a new one.
func NewColumn(name string, t Type, n, room int) *Column {
	room = max(room, n)
	if t >= 0 && int(t) < len(spare) {
		for {
			c, _ := spare[t].Get().(*Column)
			if c == nil {
				break
			}
			if cap(c.Valid) < room || c.room() < room {
				continue // too small: dropped
			}
			c.Name = name
			c.Valid = c.Valid[:n]
			clear(c.Valid)
			switch t {
			case Float:
				c.Floats = c.Floats[:n]
				clear(c.Floats)
			case Int:
				c.Ints = c.Ints[:n]
				clear(c.Ints)
			case Bool:
				c.Bools = c.Bools[:n]
				clear(c.Bools)
			default:
				c.Strings = c.Strings[:n] // cleared by Recycle
			}
			return c
		}
	}
	c := &Column{Name: name, Type: t, Valid: make([]bool, n, room)}
	switch t {
	case Float:
		c.Floats = make([]float64, n, room)
	case Int:
		c.Ints = make([]int64, n, room)
	case Bool:
		c.Bools = make([]bool, n, room)
	default:
		c.Strings = make([]string, n, room)
	}
	return c
}

// room is the capacity of c's value slice.
func (c *Column) room() int {
	switch c.Type {
	case Float:
		return cap(c.Floats)
	case Int:
		return cap(c.Ints)
	case Bool:
		return cap(c.Bools)
	}
	return cap(c.Strings)
}

// Recycle hands c back for NewColumn to reuse. The caller promises that
// nothing reads or writes c, or a slice of it, afterwards: a column
// recycled too early is another's, and its values change under its
// reader without an error. A build with the gwpoison tag overwrites a
// recycled column with values no input holds instead of reusing it, so
// that a too-early Recycle shows in every output that reads it (the
// pipeline's one-pass tests run so).
func Recycle(c *Column) {
	if c == nil || c.Type < 0 || int(c.Type) >= len(spare) {
		return
	}
	if poisonRecycled {
		poison(c)
		return
	}
	clear(c.Strings[:cap(c.Strings)]) // let the strings go
	c.Strings = c.Strings[:0]
	spare[c.Type].Put(c)
}

// poison overwrites c's values, whole capacity, with values no input
// holds (gwpoison builds).
func poison(c *Column) {
	v := c.Valid[:cap(c.Valid)]
	for i := range v {
		v[i] = i%3 != 0
	}
	for i := range c.Floats[:cap(c.Floats)] {
		c.Floats[:cap(c.Floats)][i] = -987654.321
	}
	for i := range c.Ints[:cap(c.Ints)] {
		c.Ints[:cap(c.Ints)][i] = -987654321
	}
	for i := range c.Bools[:cap(c.Bools)] {
		c.Bools[:cap(c.Bools)][i] = i%2 == 0
	}
	for i := range c.Strings[:cap(c.Strings)] {
		c.Strings[:cap(c.Strings)][i] = "\u2620 recycled"
	}
}
