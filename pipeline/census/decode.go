// Package census is groundwork's client for the Census Data API
// (https://api.census.gov/data): the decoder of its array-of-arrays JSON
// responses with the ACS annotation values and top/bottom-coded medians, the
// dataset metadata (variables.json, groups.json, geography.json), request
// planning (for/in clauses, fan-out, the 50-variable split), retries, the
// on-disk response cache and offline mode.
//
// It is the only package of groundwork that touches the network.
package census

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"
)

// Table is a decoded Census Data API response: columns in response order,
// all of the same length. A Table is not safe for concurrent mutation; it may
// be read concurrently.
type Table struct {
	Columns []*Column
	rows    int
	ids     atomic.Pointer[geoidList] // geoids's
}

// Len returns the number of data rows (the header not counted).
func (t *Table) Len() int { return t.rows }

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// DecodeError reports a problem in a response body. Row is the 0-based data
// row (-1 for the header, -2 for the body as a whole); Column is the column
// name where known.
type DecodeError struct {
	Row    int
	Column string
	Err    error
}

func (e *DecodeError) Error() string {
	var loc string
	switch {
	case e.Row == -1:
		loc = "header row"
	case e.Row < -1:
		loc = "response body"
	default:
		loc = fmt.Sprintf("data row %d", e.Row)
	}
	if e.Column != "" {
		loc += fmt.Sprintf(", column %q", e.Column)
	}
	return "census: " + loc + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ErrNotJSON is wrapped by Decode when the body is not a JSON array at all
// (for example an HTML error or maintenance page).
var ErrNotJSON = errors.New("response is not a JSON array of arrays")

// ErrTruncated is wrapped by Decode when the body ends before the JSON
// array is complete (a dropped connection or a cut-off download).
var ErrTruncated = errors.New("response body is truncated")

// Decode reads a Census Data API response body (a JSON array of arrays,
// header row first, every value a JSON string or null). Errors are
// *DecodeError (Row is the 0-based data row, -1 for the header; Column the
// column name) or wrap the JSON error.
//
// JSON numbers are accepted in place of strings (their literal text is kept);
// booleans, objects and nested arrays are refused. Estimate and MOE values
// must be decimal numbers; annotation values are recognised and flagged, and
// top/bottom-coded medians flagged (see Column). A header with no data rows
// gives an empty table; an empty array, duplicate or empty column names,
// rows of the wrong length and anything after the closing bracket are errors.
func Decode(r io.Reader) (*Table, error) {
	if f, ok := r.(*os.File); ok {
		if t, ok := decodeMapped(f); ok {
			return t, nil
		}
	}
	body, err := readAll(r)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, &DecodeError{Row: -2, Err: fmt.Errorf("%w: %w", ErrTruncated, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("census: reading response: %w", err)
	}
	// The fast path (scan.go) takes well-formed responses without
	// escaped strings; anything else goes through encoding/json, which
	// gives the precise error (or the unescaped value).
	// body is Decode's own and never written again: the cells may be
	// substrings of it (and the table keeps it for Column.Text), without
	// a copy.
	if t, ok := scanTable(unsafe.String(unsafe.SliceData(body), len(body))); ok {
		return t, nil
	}
	if rows, null, ok := scanString(unsafe.String(unsafe.SliceData(body), len(body))); ok {
		if len(rows) == 0 {
			return nil, &DecodeError{Row: -2, Err: errors.New("empty array: no header row")}
		}
		return buildRows(unsafe.String(unsafe.SliceData(body), len(body)), rows, null)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var rows [][]json.RawMessage
	if err := dec.Decode(&rows); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) {
			return nil, &DecodeError{Row: -2, Err: fmt.Errorf("%w: %w", ErrNotJSON, err)}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, &DecodeError{Row: -2, Err: fmt.Errorf("%w: %w", ErrTruncated, err)}
		}
		return nil, fmt.Errorf("census: reading response: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &DecodeError{Row: -2, Err: errors.New("unexpected data after the closing bracket")}
	}
	if len(rows) == 0 {
		return nil, &DecodeError{Row: -2, Err: errors.New("empty array: no header row")}
	}
	return build(len(rows[0]), len(rows)-1, func(i int) int { return len(rows[i+1]) }, func(i, j int) (string, bool, error) {
		return cell(rows[i+1][j])
	})
}

// readAll is io.ReadAll, reading a file (or a reader that knows its
// length) into a buffer of its size at once rather than growing one.
func readAll(r io.Reader) ([]byte, error) {
	size := -1
	switch r := r.(type) {
	case *os.File:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := r.Seek(0, io.SeekCurrent); err == nil {
				size = int(fi.Size() - off)
			}
		}
	case interface{ Len() int }:
		size = r.Len()
	}
	if size < 0 {
		return io.ReadAll(r)
	}
	// One byte more, to see the end without growing.
	buf := make([]byte, 0, size+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) { // the reader held more than it said
			rest, err := io.ReadAll(r)
			return append(buf, rest...), err
		}
	}
}

// build makes the table of a response of width header cells and n data
// rows: rowLen(i) is the length of data row i (-1 is the header) and at(i,
// j) decodes its cell j. Errors are Decode's.
func build(width, n int, rowLen func(i int) int, at func(i, j int) (string, bool, error)) (*Table, error) {
	if width == 0 {
		return nil, &DecodeError{Row: -1, Err: errors.New("header row has no columns")}
	}
	t := &Table{rows: n}
	seen := map[string]bool{}
	for j := range width {
		s, null, err := at(-1, j)
		if err != nil || null || s == "" {
			if err == nil {
				err = errors.New("column name is null or empty")
			}
			return nil, &DecodeError{Row: -1, Column: s, Err: err}
		}
		if seen[s] {
			return nil, &DecodeError{Row: -1, Column: s, Err: errors.New("duplicate column name")}
		}
		seen[s] = true
		t.Columns = append(t.Columns, newColumn(s, t.rows))
	}
	codes := make([][]TopCode, width)
	for j, c := range t.Columns {
		codes[j] = c.codes()
	}
	for i := range n {
		if l := rowLen(i); l != width {
			return nil, &DecodeError{Row: i, Err: fmt.Errorf("row has %d values, the header has %d", l, width)}
		}
		for j, c := range t.Columns {
			s, null, err := at(i, j)
			if err != nil {
				return nil, &DecodeError{Row: i, Column: c.Name, Err: err}
			}
			if err := c.setCoded(codes[j], i, s, null); err != nil {
				return nil, &DecodeError{Row: i, Column: c.Name, Err: err}
			}
		}
	}
	for j, c := range t.Columns {
		c.fillWords(codes[j])
	}
	t.settle()
	return t, nil
}

// settle finishes a table whose cells are all set: top codes that are not
// their column's extremes withdrawn, open-ended medians marked.
func (t *Table) settle() {
	for _, c := range t.Columns {
		c.settleCodes()
	}
	t.markOpenEnded()
}

// parallelCells is the number of cells from which buildRows types rows on
// more than one goroutine.
var parallelCells = 1 << 16 // a variable so that tests can type small bodies in parallel

// buildRows is build for the rows of scanString (the cells, spans of
// body; null flat, in the same order as the cells): the same table and the
// same first error, with the rows typed in ranges on up to GOMAXPROCS
// goroutines for a large response. Each range is typed in row order and stops at its first error;
// the error of the earliest row (then column) is the one returned, as
// build's row-by-row pass returns it.
func buildRows(body string, rows [][]span, null []bool) (*Table, error) {
	width, n := len(rows[0]), len(rows)-1
	if width == 0 {
		return nil, &DecodeError{Row: -1, Err: errors.New("header row has no columns")}
	}
	t := &Table{rows: n}
	txt := &scanned{body: body, rows: rows}
	seen := make(map[string]bool, width)
	for _, c := range rows[0] {
		s := c.of(body)
		if s == "" || null[len(t.Columns)] {
			return nil, &DecodeError{Row: -1, Column: s, Err: errors.New("column name is null or empty")}
		}
		if seen[s] {
			return nil, &DecodeError{Row: -1, Column: s, Err: errors.New("duplicate column name")}
		}
		seen[s] = true
		// A copy: the record's schema outlives the table, and a
		// substring would hold the whole response in memory.
		name := strings.Clone(s)
		k := KindOf(name)
		if k == KindEstimate || k == KindMOE {
			// The text of a number stays in the body (Text).
			c := newColumnText(name, k, t.rows, false)
			c.text, c.col = txt, len(t.Columns)
			t.Columns = append(t.Columns, c)
			continue
		}
		t.Columns = append(t.Columns, newColumnKind(name, k, t.rows))
	}
	// Rows before the first of the wrong length are typed; that row's
	// error stands if none of them has one.
	short := n
	for i := range n {
		if len(rows[i+1]) != width {
			short = i
			break
		}
	}
	codes := make([][]TopCode, width)
	for j, c := range t.Columns {
		codes[j] = c.codes()
	}
	// Every row before short has width cells: row i's cell j is flat cell
	// (i+1)*width+j. The common cells are set here (what setCoded would set): a string
	// column's text, a null, a plain number of a column without top codes
	// that cannot be an annotation; setCoded takes the rest.
	typeRange := func(from, to int) *DecodeError {
		for i := from; i < to; i++ {
			cells, k := rows[i+1], (i+1)*width
			for j, c := range t.Columns {
				sp, isNull := cells[j], null[k+j]
				switch {
				case c.Values == nil:
					c.Raw[i], c.Null[i] = body[sp.lo:sp.hi], isNull
					continue
				case c.Raw == nil && isNull:
					c.Null[i] = true
					continue
				case c.Raw == nil && len(codes[j]) == 0:
					if v, ok := fastNumber(body[sp.lo:sp.hi]); ok && v > maxAnnotationCode {
						c.Values[i], c.Valid[i] = v, true
						continue
					}
				}
				if err := c.setCoded(codes[j], i, sp.of(body), isNull); err != nil {
					return &DecodeError{Row: i, Column: c.Name, Err: err}
				}
			}
		}
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, short*width/parallelCells))
	var first *DecodeError
	if workers <= 1 {
		first = typeRange(0, short)
	} else {
		errs := make([]*DecodeError, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { errs[w] = typeRange(w*short/workers, (w+1)*short/workers) })
		}
		wg.Wait()
		for _, e := range errs {
			if e != nil {
				first = e // the ranges are in row order
				break
			}
		}
	}
	if first != nil {
		return nil, first
	}
	if short < n {
		return nil, &DecodeError{Row: short, Err: fmt.Errorf("row has %d values, the header has %d", len(rows[short+1]), width)}
	}
	for j, c := range t.Columns {
		c.fillWords(codes[j])
	}
	t.settle()
	return t, nil
}

// cell decodes one JSON value: a string, null, or a number (kept literally).
func cell(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false, errors.New("missing value")
	}
	switch raw[0] {
	case 'n':
		return "", true, nil
	case '"':
		// Fast path: no escapes and valid UTF-8 (json.Decoder already
		// checked the syntax, so the closing quote is the last byte).
		if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), false, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), false, nil
	}
	return "", false, fmt.Errorf("value %s is not a string, number or null", truncate(string(raw), 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// maxAnnotationCode is the largest annotation value: no larger number is
// one.
const maxAnnotationCode = -222222222

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastNumber parses the common shapes of an API number, -?[0-9]+(.[0-9]+)?
// with at most 15 digits in all, exactly as strconv.ParseFloat does: the
// digits are an integer below 2^53 and the divisor a power of ten a
// float64 holds exactly, so the one division is the correctly rounded
// value ParseFloat returns. ok is false for anything else (parseNumber
// decides).
func fastNumber(s string) (v float64, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= '0' && b <= '9':
			m = m*10 + uint64(b-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case b == '.' && frac < 0 && digits > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 || frac == 0 {
		return 0, false
	}
	v = float64(m)
	if frac > 0 {
		v /= exactPow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}

var errBadNumber = errors.New("want a decimal number such as 1234 or -5.6")

// parseNumber accepts plain decimal numbers only (no NaN, Inf, hex or
// underscores, which strconv would take).
func parseNumber(s string) (float64, error) {
	if s == "" {
		return 0, errBadNumber
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9', b == '.', b == '-', b == '+', b == 'e', b == 'E':
		default:
			return 0, errBadNumber
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errBadNumber
	}
	return v, nil
}

// variableCode matches Census variable codes: B19013_001E, B19013A_001E,
// S1701_C01_001E, DP05_0001PE, P1_001N, B19013_001EA.
var variableCode = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_[0-9]+[A-Z]*$`)

// KindOf classifies a column name the way Decode does.
func KindOf(name string) Kind {
	switch {
	case name == "NAME":
		return KindLabel
	case name == "GEO_ID" || name == "ucgid":
		return KindGeography
	case geoRank(name) >= 0:
		return KindGeography
	case !variableCode.MatchString(name):
		return KindOther
	}
	_, suffix := splitSuffix(name)
	switch suffix {
	case "E", "PE", "N":
		return KindEstimate
	case "M", "PM":
		return KindMOE
	case "EA", "MA", "PEA", "PMA", "NA":
		return KindAnnotation
	}
	return KindOther
}

// splitSuffix splits "B19013_001E" into "B19013_001" and "E".
func splitSuffix(name string) (string, string) {
	i := len(name)
	for i > 0 && name[i-1] >= 'A' && name[i-1] <= 'Z' {
		i--
	}
	return name[:i], name[i:]
}
