package census

import (
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// scanTable is Decode's fastest path: one pass over a response body that
// checks its syntax as scanString does and types each cell into its column
// as it goes (an estimate's or MOE's number parsed from its bytes where
// they are read; no list of cells made first, no second pass over them).
// It takes only the common shape of a good response: a header of distinct,
// non-empty names, at least one data row, every row as long as the header,
// every value a cell scanCell accepts that its column can type. For
// anything else ok is false and Decode takes scanString and buildRows,
// which give the table or the error; when ok is true the table is the one
// they give (TestScanTableMatchesRows, FuzzScanTableMatchesRows).
//
// A large body is cut at row boundaries into up to GOMAXPROCS parts, typed
// in parallel (scanSplit's cuts and its argument: when every part is
// accepted, each cut is where the whole scan is between two rows). A part
// does not know how many rows come before it until the parts before it are
// done, so it writes its rows from an upper bound of that number, the
// count of '[' before its cut (exact unless strings hold brackets), and
// its rows are moved down into place afterwards when the bound was high.
func scanTable(body string) (*Table, bool) { return scanTableOf(body, false) }

// scanTableOf is scanTable; with mapped, body is a file's memory mapping
// (mapped.go), and a fault reading it (the file cut short meanwhile) in
// any of the parts' goroutines leaves ok false instead of ending the
// process (withFaults). The caller's goroutine is the caller's to guard.
func scanTableOf(body string, mapped bool) (*Table, bool) {
	if len(body) == 0 || uint64(len(body)) > maxScanBytes {
		return nil, false
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '[' {
		return nil, false
	}
	i = skipSpace(body, i+1)
	// The header row.
	if i >= len(body) || body[i] != '[' {
		return nil, false
	}
	i = skipSpace(body, i+1)
	var head []span
	for {
		c, isNull, next, good := scanCell(body, i)
		if !good || isNull || c.lo == c.hi {
			return nil, false
		}
		head = append(head, c)
		i = skipSpace(body, next)
		if i >= len(body) {
			return nil, false
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
			continue
		}
		if body[i] != ']' {
			return nil, false
		}
		i = skipSpace(body, i+1)
		break
	}
	// At least one data row.
	if i >= len(body) || body[i] != ',' {
		return nil, false
	}
	data := skipSpace(body, i+1)
	width := len(head)
	// The parts: cut before the '[' of a row that follows "],".
	cuts := []int{data}
	if parts := min(runtime.GOMAXPROCS(0), (len(body)-data)/splitBytes); parts > 1 {
		for k := 1; k < parts; k++ {
			c := rowCut(body, max(cuts[len(cuts)-1]+1, data+(len(body)-data)*k/parts))
			if c < 0 {
				break
			}
			cuts = append(cuts, c)
		}
	}
	cuts = append(cuts, len(body))
	type part struct {
		first, rows int // the row the part wrote its first at, its rows
		ok          bool
		odd         []oddText
	}
	// Every row starts with '[': a part's count of them is at least its
	// rows, and their sum, bound, at least the number of data rows. Each
	// row takes at least 2 bytes a cell ("1,"), so a bound far above that
	// is brackets in strings: left to the other path, so that memory stays
	// in proportion to the body.
	got := make([]part, len(cuts)-1)
	bound := 0
	for k := range got {
		got[k].first = bound
		bound += strings.Count(body[cuts[k]:cuts[k+1]], "[")
	}
	if bound == 0 || bound > len(body)/(2*width)+1 {
		return nil, false
	}
	d := &typing{body: body, width: width}
	t := &Table{rows: bound}
	seen := make(map[string]bool, width)
	for _, c := range head {
		s := c.of(body)
		if seen[s] {
			return nil, false
		}
		seen[s] = true
		// A copy: the record's schema outlives the table, and a
		// substring would hold the whole response in memory.
		name := strings.Clone(s)
		k := KindOf(name)
		if k == KindEstimate || k == KindMOE {
			c := newColumnText(name, k, bound, false)
			c.derived = true
			t.Columns = append(t.Columns, c)
			continue
		}
		t.Columns = append(t.Columns, newColumnKind(name, k, bound))
	}
	d.cols = t.Columns
	d.codes = make([][]TopCode, width)
	for j, c := range t.Columns {
		d.codes[j] = c.codes()
	}

	if len(got) == 1 {
		got[0].rows, got[0].ok = d.part(cuts[0], cuts[1], 0, bound, true, &got[0].odd)
	} else {
		var wg sync.WaitGroup
		for k := range got {
			wg.Go(func() {
				limit := bound
				if k+1 < len(got) {
					limit = got[k+1].first
				}
				p := &got[k]
				typePart := func() {
					p.rows, p.ok = d.part(cuts[k], cuts[k+1], p.first, limit, k == len(got)-1, &p.odd)
				}
				if !mapped {
					typePart()
				} else if withFaults(typePart) != nil {
					p.ok = false
				}
			})
		}
		wg.Wait()
	}
	n := 0
	for _, p := range got {
		if !p.ok {
			return nil, false
		}
		if p.first != n {
			d.move(p.first, n, p.rows)
		}
		for _, o := range p.odd {
			t.Columns[o.col].keepOdd(n+o.row-p.first, o.text)
		}
		n += p.rows
	}
	t.rows = n
	for _, c := range t.Columns {
		c.trim(n)
	}
	for j, c := range t.Columns {
		c.fillWords(d.codes[j])
	}
	t.settle()
	return t, true
}

// typing is the state of scanTable that its parts share: each writes its
// own rows of cells and of the columns.
type typing struct {
	body  string
	width int
	cols  []*Column
	codes [][]TopCode // cols[j].codes()
}

// oddText is the text of an estimate or MOE cell that is not the
// canonical form of its value (Column.odd), a copy: row is where part
// wrote it.
type oddText struct {
	row, col int
	text     string
}

// keepText notes the text of row r's cell in column j in *odd unless it
// is the canonical form of the value typed from it.
func keepText(odd *[]oddText, r, j int, text string) {
	if isCanonical(text) {
		return
	}
	*odd = append(*odd, oddText{r, j, strings.Clone(text)})
}

// part types the rows of body[from:to] (from a row's '['), writing the
// first at row r0, at most limit-r0 of them, and returns how many it typed;
// ok is scanPart's (the same ends, the last part ending with the outer
// array) and false, too, for a row whose length is not the header's or a
// cell its column cannot type. The texts of estimates and MOEs that are
// not the canonical form of their values go to *odd (keepText): the
// table keeps no reference to the body.
func (d *typing) part(from, to, r0, limit int, last bool, odd *[]oddText) (rows int, ok bool) {
	s := d.body[:to]
	width := d.width
	i, r := from, r0
	// The texts of string columns are copied out of the body, one after
	// the other as they are read, so that the passes over them later
	// (GEOIDs, the record's string arrays) read a few compact MB, not
	// the body's cache lines, 21 MB at national size.
	var texts []byte
	for {
		if i >= to || s[i] != '[' || r >= limit {
			return 0, false
		}
		i = skipSpace(s, i+1)
		for j, c := range d.cols {
			next := 0 // the position after the cell, once typed
			if c.Values != nil && c.Raw == nil && i < to && s[i] == '"' {
				// An estimate or MOE sent as a string, the usual case,
				// parsed as its bytes are read: an integer of up to 7
				// digits here (intRun, inlined), any other number of
				// fastNumber's shape by quotedNumber.
				v, k, ok := 0.0, i+1, false
				if k+9 <= to {
					neg := s[k] == '-'
					if neg {
						k++
					}
					if m, n := intRun(le64(s, k)); n > 0 && s[k+n] == '"' {
						if n > 1 && s[k] == '0' { // a leading zero
							keepText(odd, r, j, s[i+1:k+n])
						}
						v, k, ok = float64(m), k+n, true
						if neg {
							v = -v
						}
					}
				}
				if !ok {
					if v, k, ok = quotedNumber(s, i+1); ok && !canonical(s[i+1:k]) {
						keepText(odd, r, j, s[i+1:k])
					}
				}
				if ok {
					next = k + 1
					if v > maxAnnotationCode {
						c.setValue(d.codes[j], r, v)
					} else if c.setCoded(d.codes[j], r, s[i+1:k], false) != nil {
						return 0, false
					}
				}
			}
			if next == 0 {
				sp, isNull, nx, good := scanCell(s, i)
				if !good {
					return 0, false
				}
				next = nx
				switch {
				case c.Values == nil:
					if sp.lo == sp.hi {
						c.Null[r] = isNull
						break
					}
					n := int(sp.hi - sp.lo)
					if len(texts)+n > cap(texts) {
						texts = make([]byte, 0, max(textChunk, n))
					}
					texts = append(texts, s[sp.lo:sp.hi]...)
					c.Raw[r], c.Null[r] = unsafe.String(&texts[len(texts)-n], n), isNull
				case isNull:
					c.Null[r] = true
				default:
					if c.setCoded(d.codes[j], r, sp.of(s), false) != nil {
						return 0, false
					}
					keepText(odd, r, j, sp.of(s))
				}
			}
			i = skipSpace(s, next)
			if i >= to {
				return 0, false
			}
			if j+1 < width {
				if s[i] != ',' {
					return 0, false
				}
				i = skipSpace(s, i+1)
				continue
			}
			if s[i] != ']' {
				return 0, false
			}
			i++
		}
		r++
		i = skipSpace(s, i)
		if i >= to {
			return 0, false
		}
		if s[i] == ',' {
			i = skipSpace(s, i+1)
			if !last && i == to {
				return r - r0, true
			}
			continue
		}
		if s[i] != ']' || !last || skipSpace(d.body, i+1) != len(d.body) {
			return 0, false
		}
		return r - r0, true
	}
}

// textChunk is the size of the buffers a part copies its string cells into
// (the bytes before a buffer's length are never written again, so the
// strings made of them stay fixed).
const textChunk = 64 << 10

// quotedNumber parses the string cell whose text starts at s[i] (after
// its opening quote) when the text is fastNumber's shape,
// -?[0-9]+(.[0-9]+)? with at most 15 digits: it returns fastNumber's value
// and the position of the closing quote. ok is false for any other text.
func quotedNumber(s string, i int) (v float64, end int, ok bool) {
	if v, end, ok := shortInt(s, i); ok {
		return v, end, true
	}
	k := i
	if k < len(s) && s[k] == '-' {
		k++
	}
	for k < len(s) && (s[k] >= '0' && s[k] <= '9' || s[k] == '.') {
		k++
	}
	if k >= len(s) || s[k] != '"' {
		return 0, 0, false
	}
	v, ok = fastNumber(s[i:k])
	return v, k, ok
}

// shortInt is quotedNumber for -?[0-9]{1,7} followed by the closing quote
// within the 9 bytes at i, read 8 bytes at a time; ok is false for
// anything else (quotedNumber decides).
func shortInt(s string, i int) (v float64, end int, ok bool) {
	k := i
	if k < len(s) && s[k] == '-' {
		k++
	}
	if k+8 > len(s) {
		return 0, 0, false
	}
	m, n := intRun(le64(s, k))
	if n == 0 || s[k+n] != '"' {
		return 0, 0, false
	}
	v = float64(m)
	if k > i {
		v = -v
	}
	return v, k + n, true
}

// intRun is the value and the length of the run of 1 to 7 digits that x
// (le64's) starts with; n is 0 for a run of none or 8.
func intRun(x uint64) (m uint64, n int) {
	n = digitRun(x)
	if n == 0 || n == 8 {
		return 0, 0
	}
	return eightDigits(x, n), n
}

// le64 is the 8 bytes of s at i as a little-endian integer (s[i] lowest).
func le64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// digitRun is the number of ASCII digits x (le64's) starts with, 0 to 8.
// A byte is a digit when its high nibble is 3 and adding 6 keeps it so
// (low nibble at most 9); the add carries into the next byte only from a
// byte of 0xfa or more, not a digit, so the bytes before the first
// non-digit are judged right.
func digitRun(x uint64) int {
	const high, threes, sixes = 0xf0f0f0f0f0f0f0f0, 0x3030303030303030, 0x0606060606060606
	bad := (x&high ^ threes) | ((x+sixes)&high ^ threes)
	return bits.TrailingZeros64(bad) >> 3
}

// eightDigits is the value of the first n (1 to 8) digits of x (le64's),
// converted two, four, then eight at a time (the digits are moved to the
// high bytes first: the low ones then read as leading zeros).
func eightDigits(x uint64, n int) uint64 {
	x = (x & 0x0f0f0f0f0f0f0f0f) << (8 * (8 - n))
	x = x * (10<<8 + 1) >> 8 & 0x00ff00ff00ff00ff
	x = x * (100<<16 + 1) >> 16 & 0x0000ffff0000ffff
	return x * (10000<<32 + 1) >> 32
}

// move moves the rows [from, from+n) of every column to
// [to, to+n), to < from.
func (d *typing) move(from, to, n int) {
	for _, c := range d.cols {
		c.moveRows(from, to, n)
	}
}

// moveRows moves rows [from, from+n) of c's slices to [to, to+n).
func (c *Column) moveRows(from, to, n int) {
	if c.Raw != nil {
		copy(c.Raw[to:], c.Raw[from:from+n])
	}
	copy(c.Null[to:], c.Null[from:from+n])
	if c.Values != nil {
		copy(c.Values[to:], c.Values[from:from+n])
		copy(c.Valid[to:], c.Valid[from:from+n])
		copy(c.Annotation[to:], c.Annotation[from:from+n])
		copy(c.Coding[to:], c.Coding[from:from+n])
	}
}

// trim cuts c's slices to n rows.
func (c *Column) trim(n int) {
	if c.Raw != nil {
		c.Raw = c.Raw[:n:n]
	}
	c.Null = c.Null[:n:n]
	if c.Values != nil {
		c.Values = c.Values[:n:n]
		c.Valid = c.Valid[:n:n]
		c.Annotation = c.Annotation[:n:n]
		c.Coding = c.Coding[:n:n]
	}
}
