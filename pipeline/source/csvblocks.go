package source

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// ScanCSV types rows in blocks: a rowTyper turns the records of a block
// into columns and notes, in order, each row's problems, warnings and key;
// ScanCSV then merges the blocks in file order (the key check, the error
// list and its limit, the warnings, the chunks handed to fn), so what it
// reports does not depend on how the rows were cut into blocks. A file is
// typed on all cores (parallelBlocks) when it can be cut into blocks of
// whole records without parsing it; otherwise one block at a time as the
// csv.Reader gives them.

// rowTyper types records of one file: the per-cell work of ScanCSV. It
// holds no state across rows, so blocks can be typed concurrently, each
// with its own typed.
type rowTyper struct {
	name, label string
	spec        CSV
	fields      int // fields in the header
	idx         []int
	heads       []string
	keyCol      int
	isNull      func(string) bool
	hint        string
	comma       rune
	// hash is the key check's hash: each row's key is hashed as it is
	// typed, on the block's goroutine (typed.hashes).
	hash func(string) uint64
	// readerOnly makes every block go through csv.Reader, never
	// splitPlain: the baseline of tests and benchmarks.
	readerOnly bool
	// spare holds typed blocks already merged, for newTyped to reuse: a
	// block's columns are copied into the chunk when it is merged.
	spare sync.Pool
}

// typed is a block of rows typed: their columns, and what the rows gave
// besides their values, in row order.
type typed struct {
	cols   []*table.Column
	rows   int
	keys   []string // the key text of each row (keyCol >= 0)
	keyOK  []bool   // whether the key is not null
	hashes []uint64 // the hash of each row's key (rowTyper.hash; 0 for a null)
	lines  []int    // the line of each row (keyCol >= 0)
	probs  []rowProblems
	warns  []rowWarning
	err    error // the read error that ended the block, after its rows
}

// rowProblems are the problems of one row, keyAt of them found before its
// key was read (-1: no key column).
type rowProblems struct {
	row   int
	errs  []error
	keyAt int
}

// rowWarning is a warning of one row (CSV.warn's arguments).
type rowWarning struct {
	row                  int
	key, summary, sample string
}

// newTyped is an empty block with room for n rows.
func (t *rowTyper) newTyped(n int) *typed {
	if b, _ := t.spare.Get().(*typed); b != nil {
		b.empty(n)
		return b
	}
	b := &typed{cols: make([]*table.Column, len(t.spec.Columns))}
	for i, c := range t.spec.Columns {
		b.cols[i] = chunkColumn(c, n)
	}
	if t.keyCol >= 0 {
		b.keys, b.keyOK, b.lines, b.hashes = make([]string, 0, n), make([]bool, 0, n), make([]int, 0, n), make([]uint64, 0, n)
	}
	return b
}

// merged hands b, merged, back for newTyped to reuse.
func (t *rowTyper) merged(b *typed) { t.spare.Put(b) }

// empty makes b a block with room for n rows, keeping its memory.
func (b *typed) empty(n int) {
	for _, col := range b.cols {
		emptyColumn(col)
		col.Valid = slices.Grow(col.Valid, n)
		switch col.Type {
		case table.Float:
			col.Floats = slices.Grow(col.Floats, n)
		case table.Int:
			col.Ints = slices.Grow(col.Ints, n)
		case table.Bool:
			col.Bools = slices.Grow(col.Bools, n)
		default:
			col.Strings = slices.Grow(col.Strings, n)
		}
	}
	if b.keys != nil {
		clear(b.keys)
		b.keys, b.keyOK, b.lines, b.hashes = slices.Grow(b.keys[:0], n), slices.Grow(b.keyOK[:0], n), slices.Grow(b.lines[:0], n), slices.Grow(b.hashes[:0], n)
	}
	b.rows, b.probs, b.warns, b.err = 0, nil, nil, nil
}

// row types record rec, read at line, into b: the loop body of the
// former row-at-a-time ScanCSV, with the problems and warnings noted.
func (t *rowTyper) row(b *typed, rec []string, line int) {
	spec := t.spec
	var errs []error
	keyAt := -1
	warn := func(key, summary, sample string) {
		b.warns = append(b.warns, rowWarning{row: b.rows, key: key, summary: summary, sample: sample})
	}
	if len(rec) > t.fields {
		if !spec.AllowExtraFields {
			errs = append(errs, &ParseError{File: t.name, Line: line, Err: fmt.Errorf("row has %d fields, the header has %d: a value probably holds an unquoted %s (quote it), or the header lacks a name%s; set allow_extra_fields: true to ignore the extra fields", len(rec), t.fields, delimName(t.comma), t.hint)})
		} else {
			warn("csv-extra-fields", "rows have more fields than the header; the extra fields were ignored (allow_extra_fields)", fmt.Sprintf("%s:%d: %d fields, the header has %d", t.label, line, len(rec), t.fields))
		}
	}
	short := false
	for i := range spec.Columns {
		if j := t.idx[i]; j < len(rec) && t.plainCell(b.cols[i], &spec.Columns[i], rec[j]) {
			if i == t.keyCol {
				keyAt = len(errs)
				b.addKey(rec[j], true, line, t.hash)
			}
			continue
		}
		c, h := spec.Columns[i], t.heads[i]
		if t.idx[i] >= len(rec) && !short {
			short = true
			errs = append(errs, &ParseError{File: t.name, Line: line, Column: h, Err: fmt.Errorf("row has %d fields, header has %d", len(rec), t.fields)})
		}
		raw, stripped, err := cellText(rec, t.idx[i], spec.Encoding, c.Type == table.String)
		if err != nil {
			errs = append(errs, &ParseError{File: t.name, Line: line, Column: h, Err: err})
		}
		if stripped {
			warn("csv-bidi", "values held bidi control characters (they reorder displayed text); removed them",
				fmt.Sprintf("%s:%d: column %q", t.label, line, h))
		}
		null := t.isNull(raw)
		if err := appendCell(b.cols[i], c, raw, null); err != nil {
			errs = append(errs, &ParseError{File: t.name, Line: line, Column: h, Err: err})
		}
		if i == t.keyCol {
			keyAt = len(errs)
			b.addKey(raw, !null, line, t.hash)
		}
	}
	if len(errs) > 0 {
		b.probs = append(b.probs, rowProblems{row: b.rows, errs: errs, keyAt: keyAt})
	}
	b.rows++
}

// addKey notes a row's key, read at line: its text, whether it is one (not
// null), and its hash (0 for a null).
func (b *typed) addKey(key string, ok bool, line int, hash func(string) uint64) {
	var h uint64
	if ok {
		h = hash(key)
	}
	b.keys, b.keyOK, b.lines, b.hashes = append(b.keys, key), append(b.keyOK, ok), append(b.lines, line), append(b.hashes, h)
}

// records types the records cr gives, up to max (max <= 0: all), into b;
// lineOff is added to cr's line numbers (the line before the block's
// first). It reports whether cr has more.
func (t *rowTyper) records(b *typed, cr *csv.Reader, lineOff, max int) bool {
	for max <= 0 || b.rows < max {
		rec, err := cr.Read()
		if err == io.EOF {
			return false
		}
		if err != nil {
			var ce *csv.ParseError
			if errors.As(err, &ce) {
				ce.StartLine += lineOff
				ce.Line += lineOff
			}
			b.err = readError(t.name, err, t.hint)
			return false
		}
		line, _ := cr.FieldPos(0)
		t.row(b, rec, line+lineOff)
	}
	return true
}

// appendRows appends rows [lo, hi) of the block columns src to dst.
func appendRows(dst, src []*table.Column, lo, hi int) {
	if lo >= hi {
		return
	}
	for i, d := range dst {
		s := src[i]
		d.Valid = append(d.Valid, s.Valid[lo:hi]...)
		switch d.Type {
		case table.Float:
			d.Floats = append(d.Floats, s.Floats[lo:hi]...)
		case table.Int:
			d.Ints = append(d.Ints, s.Ints[lo:hi]...)
		case table.Bool:
			d.Bools = append(d.Bools, s.Bools[lo:hi]...)
		default:
			d.Strings = append(d.Strings, s.Strings[lo:hi]...)
		}
	}
}

// block is a piece of the file's data rows, whole records, for a worker.
type block struct {
	data  []byte
	line  int   // the line of its first byte
	tail  error // the read error after data (nil: none, or end of file)
	rest  bool  // the rest of the file is data then the reader: type it serially
	typed chan *typed
}

// csvBlockBytes is the size of the blocks parallelBlocks cuts (more when
// one record is longer).
const csvBlockBytes = 512 << 10

// maxBlockBytes bounds a block that holds no record's end: past it (a
// stray quote, or a quoted field of many lines) the rest of the file is
// typed serially, so a broken file is never held whole in memory.
var maxBlockBytes = 16 * csvBlockBytes

// serialRows is the number of records typed at a time when a file is typed
// serially.
const serialRows = 4096

// serialBlocks types the records of cr serially, serialRows at a time
// (lineOff added to cr's lines), calling merge with each until merge
// returns false, an error, or the records end.
func serialBlocks(ctx context.Context, cr *csv.Reader, lineOff int, t *rowTyper, merge func(*typed) (bool, error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := t.newTyped(serialRows)
		more := t.records(b, cr, lineOff, serialRows)
		ok, err := merge(b)
		t.merged(b)
		if err != nil || !ok || !more {
			return err
		}
	}
}

// blockReader is a csv.Reader over r as openCSV makes them.
func blockReader(r io.Reader, spec CSV) *csv.Reader {
	cr := csv.NewReader(r)
	if spec.Delimiter != 0 {
		cr.Comma = spec.Delimiter
	}
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return cr
}

// parallelBlocks reads the data rows from br (after the header; the first
// on line first) in blocks of about size bytes cut after a record's end,
// types them on workers goroutines with t, and calls merge with each in
// file order until merge returns false, an error, or the rows end. It
// returns once every goroutine it started has ended, so that the caller
// may use br's reader again.
//
// A record ends at a newline outside double quotes: a quoted field may hold
// newlines, and a quote inside a quoted field is doubled, so counting the
// quotes from the first data row tells where records end for any file
// csv.Reader reads without error. In a file with a stray quote the count
// goes wrong only after it: the block holding it starts at a true record
// start, and csv.Reader stops at the stray quote with the error a single
// reader gives there, so later blocks (cut wrongly) are never merged.
func parallelBlocks(ctx context.Context, br io.Reader, first, size, workers int, t *rowTyper, merge func(*typed) (bool, error)) error {
	done := make(chan struct{})
	jobs := make(chan *block)
	order := make(chan *block, 2*workers)
	splitDone := make(chan struct{})
	var wg sync.WaitGroup
	// The blocks' buffers, handed back once typed: the records' strings
	// are csv.Reader's copies, so a typed block's bytes are free.
	var bufs sync.Pool
	get := func(n int) []byte {
		if b, _ := bufs.Get().([]byte); cap(b) >= n {
			return b[:0:n]
		}
		return make([]byte, 0, n)
	}
	go func() {
		defer close(splitDone)
		defer close(order)
		defer close(jobs)
		split(br, first, size, func(b *block) bool {
			if b.rest {
				select {
				case order <- b:
				case <-done:
				}
				return false
			}
			select {
			case order <- b:
			case <-done:
				return false
			}
			select {
			case jobs <- b:
				return true
			case <-done:
				return false
			}
		}, get)
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				var r io.Reader = bytes.NewReader(b.data)
				if b.tail != nil {
					r = io.MultiReader(r, errReader{b.tail})
				}
				// At most a record per line: columns of that room
				// never regrow.
				out := t.newTyped(bytes.Count(b.data, []byte{'\n'}) + 1)
				if b.tail == nil && !t.readerOnly && plainBlock(b.data, t.comma) {
					splitPlain(b.data, byte(t.comma), b.line, func(rec []string, line int) { t.row(out, rec, line) })
				} else {
					t.records(out, blockReader(r, t.spec), b.line-1, 0)
				}
				bufs.Put(b.data[:0])
				b.typed <- out
			}
		}()
	}
	var err error
	for b := range order {
		if err = ctx.Err(); err != nil {
			break
		}
		if b.rest {
			<-splitDone // br is the merger's now
			cr := blockReader(io.MultiReader(bytes.NewReader(b.data), br), t.spec)
			err = serialBlocks(ctx, cr, b.line-1, t, merge)
			break
		}
		tb := <-b.typed
		more, merr := merge(tb)
		t.merged(tb)
		if err = merr; err != nil || !more {
			break
		}
	}
	close(done)
	for range order { // let the splitter end
	}
	<-splitDone
	wg.Wait()
	return err
}

// errReader returns its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// split reads r to its end, calling emit with blocks of whole records of
// about size bytes (see parallelBlocks), the first starting on line first,
// until emit returns false. The last block holds the rest of the file and
// the read error that ended it, if not io.EOF. Each block's buffer comes
// from get(n), empty with room for at least n bytes. Once emitted, a
// block's data is not touched again by split (the bytes after the block's
// last record are copied to the next buffer before the block is emitted),
// so its receiver may reuse it.
func split(r io.Reader, first, size int, emit func(*block) bool, get func(n int) []byte) {
	var carry []byte
	quoted := false // at the end of the bytes scanned
	line := first
	var next []byte // the next block's buffer, holding the carry
	for {
		buf := next
		if buf == nil {
			buf = get(max(size, 2*len(carry)))
		}
		scanned := len(carry)
		cut := -1
		var err error
		for err == nil && (cut < 0 || len(buf) < cap(buf)) {
			if len(buf) >= maxBlockBytes && cut < 0 {
				emit(&block{data: buf, line: line, rest: true})
				return
			}
			if len(buf) == cap(buf) { // a record longer than the block
				buf = append(buf, 0)[:len(buf)]
			}
			var n int
			n, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			// Scan the new bytes for the last newline outside quotes.
			for i := scanned; i < len(buf); {
				if !quoted {
					q := bytes.IndexByte(buf[i:], '"')
					end := len(buf)
					if q >= 0 {
						end = i + q
					}
					if nl := bytes.LastIndexByte(buf[i:end], '\n'); nl >= 0 {
						cut = i + nl + 1
					}
					if q < 0 {
						break
					}
					i, quoted = end+1, true
					continue
				}
				q := bytes.IndexByte(buf[i:], '"')
				if q < 0 {
					break
				}
				i, quoted = i+q+1, false
			}
			scanned = len(buf)
		}
		if err != nil {
			b := &block{data: buf, line: line, typed: make(chan *typed, 1)}
			if err != io.EOF {
				b.tail = err
			}
			if len(buf) > 0 || b.tail != nil {
				emit(b)
			}
			return
		}
		b := &block{data: buf[:cut], line: line, typed: make(chan *typed, 1)}
		line += bytes.Count(b.data, []byte{'\n'})
		carry = buf[cut:]
		next = append(get(max(size, 2*len(carry))), carry...)
		if !emit(b) {
			return
		}
	}
}
