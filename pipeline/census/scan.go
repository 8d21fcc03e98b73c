package census

import (
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"
)

// span is a cell of a body s: s[lo:hi] ("" for null). Cells are held as
// spans, not strings, so that the millions of them hold no pointers: the
// collector does not scan them, and Decode makes strings only of the cells
// it keeps as strings (the Raw of a column that is not a number's).
type span struct{ lo, hi uint32 }

func (c span) of(s string) string { return s[c.lo:c.hi] }

// maxScanBytes is the largest body the fast path takes (a span's bounds
// are 32-bit); larger ones go through encoding/json.
const maxScanBytes = 1<<32 - 1

// scanString is the fast path of Decode: it parses s, a Census Data API
// response (a JSON array of arrays whose values are strings, numbers or
// null), into rows of cells without encoding/json. Cells are spans of s;
// a number keeps its literal text, as in Decode; null[k] marks a JSON null
// at the same flat position k as its cell.
//
// ok is false for anything outside that shape or not exactly valid JSON
// (syntax errors, truncation, booleans, objects, nested arrays, strings with
// escapes or control characters, invalid UTF-8), and for a body over
// maxScanBytes: Decode then decodes the body with encoding/json, which gives
// the precise error or, for escaped strings, the value. The fast path never
// accepts a body encoding/json would refuse.
//
// A body of at least splitBytes is cut into up to GOMAXPROCS parts at row
// boundaries, scanned in parallel (scanSplit); the answer is the same as
// scanning it whole (scanWhole).
func scanString(s string) (rows [][]span, null []bool, ok bool) {
	if len(s) == 0 || uint64(len(s)) > maxScanBytes {
		return nil, nil, false
	}
	if parts := min(runtime.GOMAXPROCS(0), len(s)/splitBytes); parts > 1 {
		if rows, null, ok := scanSplit(s, parts); ok {
			return rows, null, true
		}
	}
	return scanWhole(s)
}

// splitBytes is the least body size per part that scanString scans in
// parts.
var splitBytes = 1 << 20 // a variable so that tests can split small bodies

// scanWhole is scanString on one goroutine.
func scanWhole(s string) (rows [][]span, null []bool, ok bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return nil, nil, false
	}
	i = skipSpace(s, i+1)
	// Every cell but a row's last is followed by a comma: an upper bound
	// that saves growing the slices.
	commas := strings.Count(s, ",") + 1
	cells := make([]span, 0, commas)
	null = make([]bool, 0, commas)
	starts := make([]int, 0, strings.Count(s, "["))
	if i < len(s) && s[i] == ']' {
		i++
	} else {
		for {
			if i >= len(s) || s[i] != '[' {
				return nil, nil, false
			}
			starts = append(starts, len(cells))
			i = skipSpace(s, i+1)
			if i < len(s) && s[i] == ']' {
				i++
			} else {
				for {
					var c span
					var isNull bool
					var good bool
					c, isNull, i, good = scanCell(s, i)
					if !good {
						return nil, nil, false
					}
					cells = append(cells, c)
					null = append(null, isNull)
					i = skipSpace(s, i)
					if i >= len(s) {
						return nil, nil, false
					}
					if s[i] == ',' {
						i = skipSpace(s, i+1)
						continue
					}
					if s[i] != ']' {
						return nil, nil, false
					}
					i++
					break
				}
			}
			i = skipSpace(s, i)
			if i >= len(s) {
				return nil, nil, false
			}
			if s[i] == ',' {
				i = skipSpace(s, i+1)
				continue
			}
			if s[i] != ']' {
				return nil, nil, false
			}
			i++
			break
		}
	}
	if skipSpace(s, i) != len(s) {
		return nil, nil, false
	}
	rows = make([][]span, len(starts))
	for r, st := range starts {
		end := len(cells)
		if r+1 < len(starts) {
			end = starts[r+1]
		}
		rows[r] = cells[st:end:end]
	}
	return rows, null, true
}

// scanCell reads one value at s[i:] (no leading space): a string without
// escapes, null, or a JSON number. It returns the value's span (empty for
// null), whether it is null, the position after it, and false for anything
// else.
func scanCell(s string, i int) (span, bool, int, bool) {
	if i >= len(s) {
		return span{}, false, i, false
	}
	switch b := s[i]; {
	case b == '"':
		j := i + 1
		ascii := true
	loop:
		for j < len(s) {
			// One table load a byte for the usual bytes of a string.
			for j < len(s) && strClass[s[j]] == strPlain {
				j++
			}
			if j >= len(s) {
				break
			}
			switch strClass[s[j]] {
			case strQuote:
				break loop
			case strBad:
				return span{}, false, i, false
			}
			ascii = false // strHigh
			j++
		}
		if j >= len(s) {
			return span{}, false, i, false
		}
		if !ascii && !utf8.ValidString(s[i+1:j]) {
			return span{}, false, i, false
		}
		return span{uint32(i + 1), uint32(j)}, false, j + 1, true
	case b == 'n':
		if len(s)-i >= 4 && s[i:i+4] == "null" {
			return span{uint32(i), uint32(i)}, true, i + 4, true
		}
		return span{}, false, i, false
	case b == '-' || (b >= '0' && b <= '9'):
		j := scanNumber(s, i)
		if j < 0 {
			return span{}, false, i, false
		}
		return span{uint32(i), uint32(j)}, false, j, true
	}
	return span{}, false, i, false
}

// The classes of a byte inside a JSON string for scanCell: the closing
// quote, a byte the fast path refuses (an escape, a control character),
// a byte of a multi-byte UTF-8 sequence, anything else.
const (
	strPlain = iota
	strQuote
	strBad
	strHigh
)

var strClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case c == '"':
			t[c] = strQuote
		case c == '\\' || c < 0x20:
			t[c] = strBad
		case c >= utf8.RuneSelf:
			t[c] = strHigh
		}
	}
	return t
}()

// scanNumber returns the end of the JSON number at s[i:], or -1 if there
// is none (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
func scanNumber(s string, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanSplit scans s in up to parts parts, cut before the '[' of a row
// that follows "]," (spaces allowed), each part on its own goroutine. ok
// is false when a part is refused or no cut is found: the caller then
// scans s whole, which decides. When every part is accepted the answer is
// scanWhole's: the first part starts where a whole scan starts, so it
// reads s as the whole scan does and, accepted, ends where the whole scan
// is between two rows; so does every later part, from there.
func scanSplit(s string, parts int) ([][]span, []bool, bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return nil, nil, false
	}
	cuts := []int{skipSpace(s, i+1)}
	for k := 1; k < parts; k++ {
		c := rowCut(s, max(cuts[len(cuts)-1]+1, len(s)*k/parts))
		if c < 0 {
			break
		}
		cuts = append(cuts, c)
	}
	if len(cuts) < 2 {
		return nil, nil, false
	}
	cuts = append(cuts, len(s))
	type part struct {
		cells  []span
		null   []bool
		starts []int
		ok     bool
	}
	got := make([]part, len(cuts)-1)
	var wg sync.WaitGroup
	for k := range got {
		wg.Go(func() {
			p := &got[k]
			p.cells, p.null, p.starts, p.ok = scanPart(s, cuts[k], cuts[k+1], k == len(got)-1)
		})
	}
	wg.Wait()
	nrows, ncells := 0, 0
	for _, p := range got {
		if !p.ok {
			return nil, nil, false
		}
		nrows += len(p.starts)
		ncells += len(p.cells)
	}
	rows := make([][]span, 0, nrows)
	null := make([]bool, 0, ncells)
	for _, p := range got {
		for r, st := range p.starts {
			end := len(p.cells)
			if r+1 < len(p.starts) {
				end = p.starts[r+1]
			}
			rows = append(rows, p.cells[st:end:end])
		}
		null = append(null, p.null...)
	}
	return rows, null, true
}

// rowCut returns the position, at from or after it, of a '[' that follows
// "]," with only spaces between, or -1.
func rowCut(s string, from int) int {
	for j := from; j < len(s); j++ {
		k := strings.IndexByte(s[j:], '[')
		if k < 0 {
			return -1
		}
		j += k
		b := j - 1
		for b >= 0 && isSpace(s[b]) {
			b--
		}
		if b < 1 || s[b] != ',' {
			continue
		}
		b--
		for b >= 0 && isSpace(s[b]) {
			b--
		}
		if b >= 0 && s[b] == ']' {
			return j
		}
	}
	return -1
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// scanPart scans the rows of s[from:to], from a row's '['. A part that is
// not the last must end with the comma (and spaces) after a row, where the
// next part starts; the last must end with the closing bracket of the
// whole array and nothing but spaces after it.
func scanPart(s string, from, to int, last bool) (cells []span, null []bool, starts []int, ok bool) {
	seg := s[from:to]
	commas := strings.Count(seg, ",") + 1
	cells = make([]span, 0, commas)
	null = make([]bool, 0, commas)
	starts = make([]int, 0, strings.Count(seg, "["))
	i := from
	for {
		if i >= to || s[i] != '[' {
			return nil, nil, nil, false
		}
		starts = append(starts, len(cells))
		i = skipSpace(s, i+1)
		if i < to && s[i] == ']' {
			i++
		} else {
			for {
				var c span
				var isNull, good bool
				c, isNull, i, good = scanCell(s[:to], i)
				if !good {
					return nil, nil, nil, false
				}
				cells = append(cells, c)
				null = append(null, isNull)
				i = skipSpace(s[:to], i)
				if i >= to {
					return nil, nil, nil, false
				}
				if s[i] == ',' {
					i = skipSpace(s[:to], i+1)
					continue
				}
				if s[i] != ']' {
					return nil, nil, nil, false
				}
				i++
				break
			}
		}
		i = skipSpace(s[:to], i)
		if i >= to {
			return nil, nil, nil, false
		}
		if s[i] == ',' {
			i = skipSpace(s[:to], i+1)
			if !last && i == to {
				return cells, null, starts, true
			}
			continue
		}
		if s[i] != ']' || !last {
			return nil, nil, nil, false
		}
		if skipSpace(s, i+1) != len(s) {
			return nil, nil, nil, false
		}
		return cells, null, starts, true
	}
}
