package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Column declares one column to read from a CSV file.
type Column struct {
	// Name is the column's name in the resulting record.
	Name string
	// Header is the column's name in the file's header row; empty means Name.
	Header string
	// Type is the value type; numbers are parsed with strconv, and a value that
	// does not parse is an error naming the line.
	Type table.Type
	// Digits, when positive, requires a string value to be exactly that many
	// ASCII digits. It guards codes such as GEOIDs (11) and CDS codes (14)
	// against lost leading zeros.
	Digits int
	// NonFinite lets a float column hold NaN, Inf and -Inf. Without it such a
	// value is an error: a NaN moves medians and an Inf prints as "+Inf".
	NonFinite bool
}

// CSV describes how to read a delimited text file.
type CSV struct {
	// Columns to read, in output order. Other columns in the file are ignored.
	Columns []Column
	// Null lists the cell values that mean "no value" (compared after
	// trimming spaces). An empty cell is always null.
	Null []string
	// Key, if set, names a column whose non-null values must be unique.
	Key string
	// Repeats, if set and Key is not, names a column whose repeated non-null
	// values are warned about, each with its line and its first line, not
	// refused: the id of the places made from a source with no key (real
	// data repeats a name, as MARTA's stations do, one row per line pair).
	Repeats string
	// RepeatsMean says, in the warning, what a repeat of Repeats means and
	// what to do about it.
	RepeatsMean string
	// AllowExtraFields accepts rows with more fields than the header (the
	// extra fields are ignored, with a warning). Without it such a row is an
	// error: it usually means a value with an unquoted comma, so every later
	// field of the row is shifted.
	AllowExtraFields bool
	// Encoding is the file's text encoding: "" or "utf-8" (the bytes of every
	// declared column must be valid UTF-8, or the read fails naming the line),
	// or "latin1" (ISO-8859-1: every byte is converted to its character).
	Encoding string
	// Delimiter separates fields (default ',').
	Delimiter rune
	// MaxLineBytes bounds the length of one line of the file (default
	// DefaultMaxLineBytes); a longer line is an error, so a broken file
	// cannot make the reader hold hundreds of megabytes.
	MaxLineBytes int
	// Label is how the file is named in the records' metadata (key
	// groundwork:file) and in warnings, which reach the report; "" means the
	// base name of the file. Never an absolute path, so that outputs do not
	// depend on where the project lives. Errors name the file as given.
	Label string
	// Warnings receives the warnings of the read (unused duplicate headers,
	// removed bidi control characters, ignored extra fields). nil drops them;
	// a pipeline run always sets it.
	Warnings *notes.Set
}

// DefaultMaxLineBytes is the default limit on one line of a CSV file: 16 MiB,
// far above any real table row (a WKT polygon of a county in a cell is a few
// hundred kilobytes) and far below what would exhaust memory.
const DefaultMaxLineBytes = 16 << 20

// maxErrors bounds how many problems one read reports before giving up.
const maxErrors = 20

// Encodings accepted in CSV.Encoding.
var Encodings = []string{"utf-8", "latin1"}

// ReadCSV reads the declared columns of the CSV file at path into a record.
// The first row is the header. Quoted fields may span lines; a UTF-8 byte
// order mark is skipped; CRLF line ends are accepted.
//
// Every problem found (a missing column, a declared column whose header
// appears twice, a value of the wrong type, NaN or Inf in a float column
// without NonFinite, a code with the wrong number of digits, a duplicate
// key, a row with more fields than the header without AllowExtraFields,
// invalid UTF-8 or a NUL byte in a declared column, a line longer than
// MaxLineBytes) is reported, up to 20, joined with errors.Join; each is a
// *ParseError naming the file, line and column, and where the cause is
// likely (a semicolon-delimited file, "1,560" with a thousands separator, an
// undeclared null word such as "NA") the error says so and how to fix it.
// Bidi control characters (U+202A-U+202E, U+2066-U+2069), which reorder
// how text is displayed, are removed from string values with a warning.
// The caller owns the returned record.
func ReadCSV(ctx context.Context, path string, spec CSV) (arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeCSV(ctx, path, f, spec)
}

// DecodeCSV is ReadCSV on a reader; name is used in errors. The reader must
// seek (an *os.File, a *strings.Reader or a *bytes.Reader): see ScanCSV.
func DecodeCSV(ctx context.Context, name string, r io.ReadSeeker, spec CSV) (arrow.RecordBatch, error) {
	var out arrow.RecordBatch
	err := ScanCSV(ctx, name, r, spec, 0, func(rec arrow.RecordBatch) error {
		rec.Retain()
		out = rec
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanCSV is DecodeCSV in pieces: it calls fn with a record of every chunk
// rows (chunk <= 0: one record of all rows), then one with the rest, and
// with an empty record when the file has no rows, so memory is that of
// one chunk. fn must not keep the record (it is released when fn returns).
// Problems are collected as in ReadCSV; after the first, fn is not called
// again, so a caller that writes the records must discard what it wrote
// when ScanCSV returns an error.
//
// Key uniqueness is checked over the whole file with a set of 64-bit hashes
// of the keys, 13 bytes a key at 10 million (8 a slot), not the keys (53 a key
// in a Go map: 513 MiB for 10 million keys). A key whose hash was seen
// before is confirmed before it is reported: ScanCSV re-reads the file from
// where r stood when called up to that row, so a collision of two distinct
// keys never makes an error (see keyCheck), and a real duplicate's error
// names the same earlier line a map of the keys would. That is why r must
// seek; ScanCSV leaves it where its own reading left it.
//
// When r is also an io.ReaderAt (a file, a strings.Reader, a bytes.Reader)
// the rows are typed on all cores, in blocks merged in file order: the
// records, problems and warnings are those of typing them one by one (see
// scanCSVWith). fn is called on the caller's goroutine.
func ScanCSV(ctx context.Context, name string, r io.ReadSeeker, spec CSV, chunk int, fn func(arrow.RecordBatch) error) error {
	return scanCSV(ctx, name, r, spec, chunk, fn, nil)
}

// ScanCSVColumns is ScanCSV giving fn each chunk as typed columns instead
// of a record: the columns table.Build(meta, cols...) makes ScanCSV's
// record of (a null is the type's zero value), and that record's
// metadata. fn owns the columns and may keep and change them (each chunk
// has its own). Their strings are substrings of the file's bytes read in
// blocks of about half a megabyte, so a string kept long should be copied
// (strings.Clone), or it holds its block.
func ScanCSVColumns(ctx context.Context, name string, r io.ReadSeeker, spec CSV, chunk int, fn func(cols []*table.Column, meta map[string]string) error) error {
	o := scanOptions{workers: runtime.GOMAXPROCS(0), block: csvBlockBytes, columns: fn}
	return scanCSVWith(ctx, name, r, spec, chunk, nil, o)
}

// scanCSV is ScanCSV hashing keys with hash (nil: maphash); tests pass a
// hash that collides.
func scanCSV(ctx context.Context, name string, r io.ReadSeeker, spec CSV, chunk int, fn func(arrow.RecordBatch) error, hash func(string) uint64) error {
	return scanCSVWith(ctx, name, r, spec, chunk, fn, scanOptions{hash: hash, workers: runtime.GOMAXPROCS(0), block: csvBlockBytes})
}

// scanOptions are ScanCSV's internals that tests vary: the key hash (nil:
// maphash), the goroutines that type blocks (below 2: the file is typed
// serially) and the size of the blocks.
type scanOptions struct {
	hash    func(string) uint64
	workers int
	block   int
	// readerOnly types every block through csv.Reader (rowTyper.readerOnly).
	readerOnly bool
	// columns, when set, is called with each chunk's columns and the
	// record's metadata instead of fn with a record; they are its from
	// then on, and the next chunk is typed into new ones
	// (ScanCSVColumns).
	columns func(cols []*table.Column, meta map[string]string) error
}

// multiline reports whether a header field holds a newline (the header
// then spans lines, and the data's first line is not the header's next).
func multiline(header []string) bool {
	return slices.ContainsFunc(header, func(h string) bool { return strings.Contains(h, "\n") })
}

// scanCSVWith is ScanCSV with the options o. When r can also ReadAt (a
// file, a strings.Reader or a bytes.Reader), the header is on one line and
// o.workers > 1, the rows are typed by o.workers goroutines in blocks of
// about o.block bytes (parallelBlocks); otherwise serially. Either way the
// records, problems and warnings are the same (TestParallelAsSerial).
func scanCSVWith(ctx context.Context, name string, r io.ReadSeeker, spec CSV, chunk int, fn func(arrow.RecordBatch) error, o scanOptions) error {
	switch strings.ToLower(spec.Encoding) {
	case "", "utf-8", "utf8", "latin1", "latin-1", "iso-8859-1":
	default:
		return &ParseError{File: name, Err: fmt.Errorf("unknown encoding %q; want one of %s", spec.Encoding, strings.Join(Encodings, ", "))}
	}
	checked, soft := checkedColumn(spec.Key, spec.Repeats)
	start := int64(-1) // where the file starts, to re-read it for the key check
	size := int64(-1)  // its bytes from there, to size the key set
	if checked != "" {
		var err error
		if start, err = r.Seek(0, io.SeekCurrent); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if end, err := r.Seek(0, io.SeekEnd); err == nil {
			size = end - start
		}
		if _, err := r.Seek(start, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	read := &countReader{r: r} // the bytes read so far, to size the key set
	br, cr := openCSV(read, spec)
	hint := delimiterHint(br, spec.Delimiter)
	header, err := cr.Read()
	if err == io.EOF {
		return &ParseError{File: name, Line: 1, Err: errors.New("file is empty; want a header row")}
	}
	if err != nil {
		return readError(name, err, hint)
	}
	header = append([]string(nil), header...)
	var errs []error
	for i, h := range header {
		if err := checkText(h, spec.Encoding); err != nil {
			errs = append(errs, &ParseError{File: name, Line: 1, Err: fmt.Errorf("header field %d: %w", i+1, err)})
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	pos := map[string][]int{}
	for i, h := range header {
		pos[h] = append(pos[h], i)
	}
	label := spec.Label
	if label == "" {
		label = filepath.Base(name)
	}
	idx := make([]int, len(spec.Columns))
	cols := make([]*table.Column, len(spec.Columns))
	used := map[string]bool{}
	keyCol := -1
	for i, c := range spec.Columns {
		h := headerOf(c)
		used[h] = true
		js, ok := pos[h]
		switch {
		case !ok:
			errs = append(errs, &ParseError{File: name, Line: 1, Column: h, Err: fmt.Errorf("no such column in the header%s%s", didYouMean(h, header), hint)})
		case len(js) > 1:
			errs = append(errs, &ParseError{File: name, Line: 1, Column: h, Err: fmt.Errorf("the header names this column %d times (fields %s), so it is not clear which to read; rename the others", len(js), fieldList(js))})
		default:
			idx[i] = js[0]
		}
		cols[i] = chunkColumn(c, chunk)
		if c.Name == checked {
			keyCol = i
		}
	}
	if checked != "" && keyCol < 0 {
		errs = append(errs, &ParseError{File: name, Column: checked, Err: errors.New("key column is not among the declared columns")})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, h := range header {
		if js := pos[h]; len(js) > 1 && js[0] >= 0 && !used[h] {
			spec.warn("csv-duplicate-header", "header names appear more than once in columns that are not read (ignored)",
				fmt.Sprintf("%s:1: %q in fields %s", label, h, fieldList(js)))
			pos[h] = []int{-1} // warn once per name
		}
	}
	// Null markers are few: a slice scan beats a map lookup per cell.
	isNull := func(raw string) bool { return raw == "" || len(spec.Null) > 0 && slices.Contains(spec.Null, raw) }
	heads := make([]string, len(spec.Columns))
	for i, c := range spec.Columns {
		heads[i] = headerOf(c)
	}
	keys := newKeyCheck(o.hash, func(held int) int { return rowsLeft(size, read.Count(), held) })
	replay := r // what the key check re-reads
	replaySpec := spec
	replaySpec.Key = checked
	softDone := false // a soft check has found repeats and stopped
	resolveKeys := func() error {
		if len(keys.pending) == 0 {
			return nil
		}
		sus, err := keys.resolve(func(fn func(string, bool, int) bool) error {
			return replayKeys(ctx, replay, start, replaySpec, idx[keyCol], isNull, fn)
		})
		if err != nil {
			return fmt.Errorf("%s: re-reading the file to confirm a duplicate key: %w", name, err)
		}
		if soft {
			for _, s := range sus {
				if s.first > 0 {
					softDone = true // enough to show: no re-read per later batch
					spec.warn("csv-repeated-id", fmt.Sprintf("repeated %s values, %s (counted up to the first %d found)", spec.Columns[keyCol].Name, spec.RepeatsMean, maxErrors),
						fmt.Sprintf("%s:%d: %q, first on line %d", label, s.line, s.key, s.first))
				}
			}
			return nil
		}
		for _, s := range sus {
			errs[s.err] = nil // a collision of two distinct keys
			if s.first > 0 {
				errs[s.err] = &ParseError{File: name, Line: s.line, Column: spec.Columns[keyCol].Name, Err: fmt.Errorf("duplicate key %q (first on line %d); keys must be unique", s.key, s.first)}
			}
		}
		errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
		return nil
	}
	meta := map[string]string{"groundwork:file": label}
	emitted, pending := false, 0
	emit := func() error {
		if soft && len(errs) > 0 || !soft && len(errs) > len(keys.pending) {
			return nil // a problem for sure: fn is not called again
		}
		if !soft { // a repeated id is only a warning: the chunk goes on
			if err := resolveKeys(); err != nil {
				return err
			}
		}
		if len(errs) > 0 {
			return nil
		}
		if o.columns != nil {
			emitted, pending = true, 0
			chunkCols := slices.Clone(cols)
			for i, c := range spec.Columns {
				cols[i] = chunkColumn(c, chunk)
			}
			return o.columns(chunkCols, meta)
		}
		rec, err := table.Build(meta, cols...)
		if err != nil {
			return err
		}
		defer rec.Release()
		emitted, pending = true, 0
		for _, col := range cols {
			emptyColumn(col) // Build copied the chunk: its room serves the next
		}
		return fn(rec)
	}
	t := &rowTyper{name: name, label: label, spec: spec, fields: len(header), idx: idx, heads: heads, keyCol: keyCol, isNull: isNull, hint: hint, comma: cr.Comma, hash: keys.hash, readerOnly: o.readerOnly}
	n := 0 // rows merged
	// merge takes a typed block's rows in file order: each row's warnings,
	// its problems before its key, the key check, its other problems, the
	// limit on problems, and its values into the chunk, handed to fn every
	// chunk rows. It reports false when reading must stop.
	merge := func(b *typed) (bool, error) {
		p, w, lo := 0, 0, 0 // next problem, next warning, first row not in cols
		for k := range b.rows {
			n++
			for ; w < len(b.warns) && b.warns[w].row == k; w++ {
				spec.warn(b.warns[w].key, b.warns[w].summary, b.warns[w].sample)
			}
			var pr *rowProblems
			if p < len(b.probs) && b.probs[p].row == k {
				pr = &b.probs[p]
				p++
			}
			keyAt := 0
			if pr != nil {
				if keyAt = pr.keyAt; keyAt < 0 {
					keyAt = len(pr.errs)
				}
				errs = append(errs, pr.errs[:keyAt]...)
			}
			if keyCol >= 0 && !softDone && k%touchRows == 0 {
				keys.set.touch(b.hashes[k:min(k+touchRows, b.rows)])
			}
			if keyCol >= 0 && !softDone && b.keyOK[k] && keys.checkHash(b.hashes[k], b.keys[k], n, b.lines[k], len(errs)) {
				if !soft {
					errs = append(errs, errSuspect) // resolveKeys replaces or removes it
				} else if len(keys.pending) >= maxErrors {
					// Held suspects are bounded: confirm them now.
					if err := resolveKeys(); err != nil {
						return false, err
					}
				}
			}
			if pr != nil {
				errs = append(errs, pr.errs[keyAt:]...)
			}
			if len(errs) >= maxErrors {
				if err := resolveKeys(); err != nil {
					return false, err
				}
			}
			if len(errs) >= maxErrors {
				errs = append(errs, fmt.Errorf("%s: stopped after %d problems", name, maxErrors))
				return false, nil
			}
			pending++
			if chunk > 0 && n%chunk == 0 {
				appendRows(cols, b.cols, lo, k+1)
				lo = k + 1
				if err := emit(); err != nil {
					return false, err
				}
			}
		}
		appendRows(cols, b.cols, lo, b.rows)
		if b.err != nil {
			errs = append(errs, b.err)
			return false, nil
		}
		return true, nil
	}
	if ra, ok := r.(io.ReaderAt); ok && o.workers > 1 && !multiline(header) {
		// The key check's re-reading goes through ReadAt, beside the
		// blocks' reading.
		replay = io.NewSectionReader(ra, 0, math.MaxInt64)
		first, _ := cr.FieldPos(0)
		err = parallelBlocks(ctx, br, first+1, o.block, o.workers, t, merge)
	} else {
		err = serialBlocks(ctx, cr, 0, t, merge)
	}
	if err != nil {
		return err
	}
	if err := resolveKeys(); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if pending > 0 || !emitted {
		return emit()
	}
	return nil
}

// touchRows is the number of keys whose slots the merge touches
// (fpSet.touch) before checking them one by one: their cache lines stay
// in cache until checked.
const touchRows = 256

// errSuspect holds the place, in ScanCSV's problems, of a key whose hash
// was seen before, until it is confirmed a duplicate or found a collision.
var errSuspect = errors.New("possibly a duplicate key")

// replayKeys reads the file again from offset start, calling fn with the
// key in field j of every data row (ok false when null), as ScanCSV read
// it, and its line, until fn returns false or the file ends; then it puts r
// back where it was.
func replayKeys(ctx context.Context, r io.ReadSeeker, start int64, spec CSV, j int, isNull func(string) bool, fn func(key string, ok bool, line int) bool) error {
	cur, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return err
	}
	str := false
	for _, c := range spec.Columns {
		if c.Name == spec.Key {
			str = c.Type == table.String
		}
	}
	_, cr := openCSV(r, spec)
	_, err = cr.Read() // the header
	for err == nil {
		if err = ctx.Err(); err != nil {
			break
		}
		var rec []string
		if rec, err = cr.Read(); err != nil {
			break
		}
		line, _ := cr.FieldPos(0)
		raw, _, _ := cellText(rec, j, spec.Encoding, str)
		if !fn(raw, !isNull(raw), line) {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	if _, serr := r.Seek(cur, io.SeekStart); err == nil {
		err = serr
	}
	return err
}
