package indicator

import (
	"strconv"
	"strings"
)

// Bound says whether a result is an estimate or only a bound on one: it is
// a bound when an input is a top- or bottom-coded median ("250,000 or
// more"), whose published value is the edge of an open-ended interval.
type Bound int8

// Bounds. AtLeast means the true value is at least the result (it came from
// a top-coded input through operations that increase with it), AtMost the
// reverse; Inexact means coded inputs pull in opposite directions, so the
// result is neither an estimate nor a one-sided bound.
const (
	Exact Bound = iota
	AtLeast
	AtMost
	Inexact
)

// Words returns the plain words of b before a value ("at least", "at most",
// "not exact:"), "" for Exact.
func (b Bound) Words() string {
	switch b {
	case AtLeast:
		return "at least"
	case AtMost:
		return "at most"
	case Inexact:
		return "not exact:"
	}
	return ""
}

// boundNote is the note of a result that is a bound; NoteBound reads it
// back from an output's <name>_note column.
var boundNote = map[Bound]string{
	AtLeast: "the result is at least the value shown (a top-coded input)",
	AtMost:  "the result is at most the value shown (a coded input)",
	Inexact: "the result is not exact: coded inputs pull it both ways",
}

// NoteBound returns the Bound an indicator's note states (Evaluate writes
// it into Result.Note and so into the <name>_note column), or, for a raw
// Census column's note (census.Column.Note: "top-coded: 250,000 or more
// (250001)"), AtLeast for a top code and AtMost for a bottom code. Any other
// note is Exact.
func NoteBound(note string) Bound {
	if b := codedNote(note); b != Exact {
		return b
	}
	for b, s := range boundNote {
		if strings.Contains(note, s) {
			return b
		}
	}
	return Exact
}

// CodeWords reads the Bureau's words for a top or bottom code ("250,000 or
// more", "50.0 or more", "1939 or earlier"): the edge of the open-ended
// interval (250000, 50, 1939) and the words after it ("or more", "or
// earlier"). ok is false for words that do not start with a number. The
// edge, not the value sent, is what a report shows: the API sends the edge
// plus or minus one for money (250001, 2499) and the edge itself for
// percentages, rooms and years (50, 9, 1939), so the edge cannot be had
// from the value.
func CodeWords(s string) (edge float64, words string, ok bool) {
	num, rest, found := strings.Cut(s, " ")
	if !found || rest == "" {
		return 0, "", false
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil {
		return 0, "", false
	}
	return x, rest, true
}

// NoteCode returns the Bureau's words of a raw Census column's note of a
// top- or bottom-coded value (census.Column.Note: "top-coded: 250,000 or
// more (250001)" gives "250,000 or more"), or "" and false for any other
// note.
func NoteCode(note string) (string, bool) {
	_, rest, ok := strings.Cut(note, ": ")
	if !ok || codedNote(note) == Exact {
		return "", false
	}
	if i := strings.LastIndex(rest, " ("); i >= 0 {
		rest = rest[:i]
	}
	if _, _, ok := CodeWords(rest); !ok {
		return "", false
	}
	return rest, true
}

// flip is the bound of -x (or of 1/x for x > 0) given that of x.
func (b Bound) flip() Bound {
	switch b {
	case AtLeast:
		return AtMost
	case AtMost:
		return AtLeast
	}
	return b
}

// times is the bound contributed by a term whose partial derivative has the
// sign of s.
func (b Bound) times(s float64) Bound {
	switch {
	case b == Exact || s == 0:
		return Exact
	case s < 0:
		return b.flip()
	}
	return b
}

// join combines the bounds of the terms of one expression.
func join(a, b Bound) Bound {
	switch {
	case a == Exact:
		return b
	case b == Exact || a == b:
		return a
	}
	return Inexact
}
