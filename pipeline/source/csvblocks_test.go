package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// oldScanCSV is the former ScanCSV, one row at a time on one goroutine
// (main at fa0a966), kept as the baseline of TestParallelAsSerial and of
// BenchmarkScanCSVBlocks.
func oldScanCSV(ctx context.Context, name string, r io.ReadSeeker, spec CSV, chunk int, fn func(arrow.RecordBatch) error, hash func(string) uint64) error {
	switch strings.ToLower(spec.Encoding) {
	case "", "utf-8", "utf8", "latin1", "latin-1", "iso-8859-1":
	default:
		return &ParseError{File: name, Err: fmt.Errorf("unknown encoding %q; want one of %s", spec.Encoding, strings.Join(Encodings, ", "))}
	}
	start := int64(-1) // where the file starts, to re-read it for the key check
	if spec.Key != "" {
		var err error
		if start, err = r.Seek(0, io.SeekCurrent); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	br, cr := openCSV(r, spec)
	hint := delimiterHint(br, spec.Delimiter)
	header, err := cr.Read()
	if err == io.EOF {
		return &ParseError{File: name, Line: 1, Err: errors.New("file is empty; want a header row")}
	}
	if err != nil {
		return readError(name, err, hint)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
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
		if c.Name == spec.Key {
			keyCol = i
		}
	}
	if spec.Key != "" && keyCol < 0 {
		errs = append(errs, &ParseError{File: name, Column: spec.Key, Err: errors.New("key column is not among the declared columns")})
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
	keys := newKeyCheck(hash, nil)
	resolveKeys := func() error {
		if len(keys.pending) == 0 {
			return nil
		}
		sus, err := keys.resolve(func(fn func(string, bool, int) bool) error {
			return replayKeys(ctx, r, start, spec, idx[keyCol], isNull, fn)
		})
		if err != nil {
			return fmt.Errorf("%s: re-reading the file to confirm a duplicate key: %w", name, err)
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
		if len(errs) > len(keys.pending) {
			return nil // a problem for sure: fn is not called again
		}
		if err := resolveKeys(); err != nil {
			return err
		}
		if len(errs) > 0 {
			return nil
		}
		rec, err := table.Build(meta, cols...)
		if err != nil {
			return err
		}
		defer rec.Release()
		emitted, pending = true, 0
		for i, c := range spec.Columns {
			cols[i] = chunkColumn(c, chunk)
		}
		return fn(rec)
	}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, readError(name, err, hint))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) {
			if !spec.AllowExtraFields {
				errs = append(errs, &ParseError{File: name, Line: line, Err: fmt.Errorf("row has %d fields, the header has %d: a value probably holds an unquoted %s (quote it), or the header lacks a name%s; set allow_extra_fields: true to ignore the extra fields", len(rec), len(header), delimName(cr.Comma), hint)})
			} else {
				spec.warn("csv-extra-fields", "rows have more fields than the header; the extra fields were ignored (allow_extra_fields)", fmt.Sprintf("%s:%d: %d fields, the header has %d", label, line, len(rec), len(header)))
			}
		}
		short := false
		for i, c := range spec.Columns {
			h := heads[i]
			if idx[i] >= len(rec) && !short {
				short = true
				errs = append(errs, &ParseError{File: name, Line: line, Column: h, Err: fmt.Errorf("row has %d fields, header has %d", len(rec), len(header))})
			}
			raw, stripped, err := cellText(rec, idx[i], spec.Encoding, c.Type == table.String)
			if err != nil {
				errs = append(errs, &ParseError{File: name, Line: line, Column: h, Err: err})
			}
			if stripped {
				spec.warn("csv-bidi", "values held bidi control characters (they reorder displayed text); removed them",
					fmt.Sprintf("%s:%d: column %q", label, line, h))
			}
			null := isNull(raw)
			if err := appendCell(cols[i], c, raw, null); err != nil {
				errs = append(errs, &ParseError{File: name, Line: line, Column: h, Err: err})
			}
			if i == keyCol && !null && keys.check(raw, n, line, len(errs)) {
				errs = append(errs, errSuspect) // resolveKeys replaces or removes it
			}
		}
		if len(errs) >= maxErrors {
			if err := resolveKeys(); err != nil {
				return err
			}
		}
		if len(errs) >= maxErrors {
			errs = append(errs, fmt.Errorf("%s: stopped after %d problems", name, maxErrors))
			break
		}
		pending++
		if chunk > 0 && n%chunk == 0 {
			if err := emit(); err != nil {
				return err
			}
		}
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

// scanResult is everything a scan gives: the records (each chunk's rows
// as text, one line per row), the error text and the warnings.
type scanResult struct {
	chunks   []string
	err      string
	warnings []string
}

func collect(t *testing.T, scan func(fn func(arrow.RecordBatch) error, w *notes.Set) error) scanResult {
	t.Helper()
	var res scanResult
	w := &notes.Set{Examples: 1000}
	err := scan(func(rec arrow.RecordBatch) error {
		var b strings.Builder
		for i := range int(rec.NumRows()) {
			for j := range int(rec.NumCols()) {
				c := rec.Column(j)
				if c.IsNull(i) {
					b.WriteString("<null>")
				} else {
					b.WriteString(c.ValueStr(i))
				}
				b.WriteByte('|')
			}
			b.WriteByte('\n')
		}
		res.chunks = append(res.chunks, b.String())
		return nil
	}, w)
	if err != nil {
		res.err = err.Error()
	}
	res.warnings = w.Lines()
	return res
}

// csvCase is a file and a spec to read it with.
type csvCase struct {
	name string
	data []byte
	spec CSV
}

// specsFor returns specs for a real file with the given header: every
// column a string; every column typed as its values suggest (an int or a
// float where every non-empty value parses as one); every column an int
// (type errors on most rows, so the limit on problems); keyed by the first
// column each time.
func specsFor(header []string, rows [][]string) []CSV {
	var str, guess, ints []Column
	seen := map[string]bool{}
	for j, h := range header {
		if seen[h] || h == "" {
			continue
		}
		seen[h] = true
		typ := table.Int
		for _, r := range rows {
			if j >= len(r) || strings.TrimSpace(r[j]) == "" {
				continue
			}
			v := strings.TrimSpace(r[j])
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				continue
			}
			if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && typ != table.String {
				typ = table.Float
				continue
			}
			typ = table.String
		}
		str = append(str, Column{Name: h, Type: table.String})
		guess = append(guess, Column{Name: h, Type: typ})
		ints = append(ints, Column{Name: h, Type: table.Int})
	}
	key := str[0].Name
	return []CSV{{Columns: str, Key: key}, {Columns: guess, Key: key, Null: []string{"null", "N/A"}}, {Columns: ints, Key: key}}
}

// realCases are the real CSV files of the repository's testdata (each
// folder's PROVENANCE.md or SOURCES.md says where they come from) and the
// made-up fixtures of this package's testdata (FIXTURES.md), with specs
// from specsFor.
func realCases(t *testing.T) []csvCase {
	t.Helper()
	var files []string
	for _, pat := range []string{"../../testdata/atlanta/*.csv", "../census/testdata/api_annotated/*.csv", "../indicator/testdata/*.csv", "../stats/testdata/*.csv", "../demo/oakland/*.csv", "testdata/*.csv"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found %d CSV files, want the repository's (at least 20)", len(files))
	}
	var cases []csvCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, cr := openCSV(bytes.NewReader(data), CSV{})
		recs, err := cr.ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %d records, %v", f, len(recs), err)
		}
		recs[0][0] = strings.TrimPrefix(recs[0][0], "\ufeff")
		for i, spec := range specsFor(recs[0], recs[1:]) {
			cases = append(cases, csvCase{name: fmt.Sprintf("%s/spec%d", filepath.Base(f), i), data: data, spec: spec})
		}
	}
	return cases
}

// madeUpCases are MADE-UP files for the cases where cutting a file into
// blocks could go wrong: quoted fields with newlines (LF and CRLF) and
// doubled quotes, blank lines, a stray quote (a syntax error) early, late
// and inside a multi-line field, rows too long and too short, invalid
// UTF-8, NUL bytes, bidi controls, duplicate keys far apart, null
// markers, a line over the line limit, latin1, a header on a later line,
// no final newline.
func madeUpCases() []csvCase {
	spec := CSV{Key: "id", Null: []string{"NA"}, Columns: []Column{
		{Name: "id", Type: table.String}, {Name: "note", Type: table.String}, {Name: "n", Type: table.Int}, {Name: "x", Type: table.Float},
	}}
	rng := rand.New(rand.NewPCG(3, 14))
	rows := func(n int, f func(i int) string) []byte {
		var b bytes.Buffer
		b.WriteString("id,note,n,x\n")
		for i := range n {
			b.WriteString(f(i))
		}
		return b.Bytes()
	}
	plain := func(i int) string { return fmt.Sprintf("k%05d,note %d,%d,%.3f\n", i, i, rng.IntN(100), rng.Float64()) }
	quoted := func(i int) string {
		switch i % 7 {
		case 0:
			return fmt.Sprintf("k%05d,\"line one\nline \"\"two\"\", %d\",%d,1.5\n", i, i, i)
		case 1:
			return fmt.Sprintf("\"k%05d\",\"a,b\r\nc\",%d,2\r\n", i, i)
		case 2:
			return "\n" + plain(i) // a blank line
		case 3:
			return fmt.Sprintf("k%05d,\"\"\"quoted\"\"\n\n\",NA,NA\n", i)
		}
		return plain(i)
	}
	var cases []csvCase
	add := func(name string, data []byte, sp CSV) { cases = append(cases, csvCase{name, data, sp}) }
	add("plain", rows(3000, plain), spec)
	add("quoted multi-line", rows(3000, quoted), spec)
	// Quote-free blocks (splitPlain) beside quoted ones, CRLF line ends,
	// blank lines and problems in quote-free rows.
	add("plain CRLF and blank lines", rows(3000, func(i int) string {
		switch i % 11 {
		case 0:
			return strings.Replace(plain(i), "\n", "\r\n", 1)
		case 1:
			return "\n\r\n" + plain(i)
		case 2:
			return fmt.Sprintf("k%05d,x,1.5,y\n", i) // not a number
		case 3:
			return fmt.Sprintf("k%05d,x\n", i) // short
		}
		if i%500 == 7 {
			return fmt.Sprintf("k%05d,\"quoted\",1,2\n", i)
		}
		return plain(i)
	}), CSV{Key: spec.Key, Columns: spec.Columns, AllowExtraFields: true})
	add("plain, duplicate key", rows(3000, func(i int) string { return plain(i % 2900) }), spec)
	add("no final newline", bytes.TrimSuffix(rows(500, quoted), []byte("\n")), spec)
	add("header on line 3", append([]byte("\n\n"), rows(800, quoted)...), spec)
	stray := func(at int) func(int) string {
		return func(i int) string {
			if i == at {
				return fmt.Sprintf("k%05d,an \"unquoted\" quote,1,1\n", i)
			}
			return quoted(i)
		}
	}
	add("stray quote early", rows(3000, stray(5)), spec)
	add("stray quote late", rows(3000, stray(2900)), spec)
	add("quote after a quoted field", rows(3000, func(i int) string {
		if i == 1500 {
			return fmt.Sprintf("k%05d,\"closed\"x,1,1\n", i)
		}
		return quoted(i)
	}), spec)
	add("unclosed quote", rows(2000, func(i int) string {
		if i == 1000 {
			return fmt.Sprintf("k%05d,\"never closed,1,1\n", i)
		}
		return plain(i)
	}), spec)
	add("bad values", rows(3000, func(i int) string {
		switch i % 97 {
		case 3:
			return fmt.Sprintf("k%05d,x,1.5,y\n", i)
		case 50:
			return fmt.Sprintf("k%05d,x\n", i) // short
		case 70:
			return fmt.Sprintf("k%05d,x,1,2,3\n", i) // long
		}
		return quoted(i)
	}), spec)
	add("extra fields allowed", rows(3000, func(i int) string {
		if i%13 == 0 {
			return fmt.Sprintf("k%05d,x,1,2,extra\n", i)
		}
		return quoted(i)
	}), CSV{Key: spec.Key, Columns: spec.Columns, AllowExtraFields: true})
	add("text problems", rows(3000, func(i int) string {
		switch i % 211 {
		case 5:
			return fmt.Sprintf("k%05d,bad \xff byte,1,1\n", i)
		case 6:
			return fmt.Sprintf("k%05d,nul \x00 byte,1,1\n", i)
		case 7:
			return fmt.Sprintf("k%05d,bidi \u202e text,1,1\n", i)
		}
		return quoted(i)
	}), spec)
	add("duplicate keys", rows(3000, func(i int) string {
		if i%1000 == 999 {
			return fmt.Sprintf("k%05d,dup,1,1\n", i/7)
		}
		return quoted(i)
	}), spec)
	long := CSV{Key: spec.Key, Columns: spec.Columns, MaxLineBytes: 200}
	add("line too long", rows(3000, func(i int) string {
		if i == 2000 {
			return fmt.Sprintf("k%05d,%s,1,1\n", i, strings.Repeat("y", 300))
		}
		return plain(i)
	}), long)
	l1 := CSV{Key: spec.Key, Columns: spec.Columns, Encoding: "latin1"}
	add("latin1", rows(2000, func(i int) string { return fmt.Sprintf("k%05d,caf\xe9 \"%d\",%d,1\n", i, i, i) }), l1)
	semi := CSV{Key: spec.Key, Columns: spec.Columns, Delimiter: ';'}
	add("semicolons", bytes.ReplaceAll(rows(2000, quoted), []byte(","), []byte(";")), semi)
	add("semicolons read as commas", bytes.ReplaceAll(rows(2000, plain), []byte(","), []byte(";")), spec)
	add("multi-line header", append([]byte("id,\"no\nte\",n,x\n"), rows(100, plain)[len("id,note,n,x\n"):]...), CSV{Columns: []Column{{Name: "id"}, {Name: "no\nte"}}})
	add("empty", []byte("id,note,n,x\n"), spec)
	return cases
}

// TestParallelAsSerial is the differential test of block typing: real
// files and made-up ones (madeUpCases), each read by the former serial
// ScanCSV (oldScanCSV), by the new one serially and in parallel with
// blocks of many sizes (down to a few records; also with the fallback to
// serial typing of a block without a record's end), with chunks of all
// rows, 7 rows and 1,000 rows. The records of every chunk, the error text
// and the warnings must be the same.
func TestParallelAsSerial(t *testing.T) {
	ctx := context.Background()
	cases := append(realCases(t), madeUpCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 7, 1000} {
				scan := func(f func(r io.ReadSeeker, fn func(arrow.RecordBatch) error, spec CSV) error) scanResult {
					return collect(t, func(fn func(arrow.RecordBatch) error, w *notes.Set) error {
						spec := tc.spec
						spec.Warnings = w
						return f(bytes.NewReader(tc.data), fn, spec)
					})
				}
				want := scan(func(r io.ReadSeeker, fn func(arrow.RecordBatch) error, spec CSV) error {
					return oldScanCSV(ctx, "f.csv", r, spec, chunk, fn, nil)
				})
				for _, o := range []struct {
					workers, block, maxBlock int
				}{{1, 0, 0}, {2, csvBlockBytes, 0}, {2, 64, 0}, {3, 300, 0}, {2, 4000, 0}, {2, 100, 1000}} {
					if o.maxBlock > 0 {
						defer func(m int) { maxBlockBytes = m }(maxBlockBytes)
						maxBlockBytes = o.maxBlock
					}
					got := scan(func(r io.ReadSeeker, fn func(arrow.RecordBatch) error, spec CSV) error {
						return scanCSVWith(ctx, "f.csv", r, spec, chunk, fn, scanOptions{workers: o.workers, block: o.block})
					})
					maxBlockBytes = 16 * csvBlockBytes
					if got.err != want.err {
						t.Fatalf("chunk %d, %d workers, blocks of %d: error\n%s\nwant\n%s", chunk, o.workers, o.block, got.err, want.err)
					}
					if !slices.Equal(got.warnings, want.warnings) {
						t.Fatalf("chunk %d, %d workers, blocks of %d: warnings\n%q\nwant\n%q", chunk, o.workers, o.block, got.warnings, want.warnings)
					}
					if !slices.Equal(got.chunks, want.chunks) {
						t.Fatalf("chunk %d, %d workers, blocks of %d: %d chunks differ from the serial reader's %d", chunk, o.workers, o.block, len(got.chunks), len(want.chunks))
					}
				}
			}
		})
	}
}

// TestParallelStopsEarly checks that a read that stops early (fn's error,
// a cancelled context) ends every goroutine it started and returns that
// error.
func TestParallelStopsEarly(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,n\n")
	for i := range 50000 {
		fmt.Fprintf(&b, "k%06d,%d\n", i, i)
	}
	spec := CSV{Key: "id", Columns: []Column{{Name: "id"}, {Name: "n", Type: table.Int}}}
	stop := errors.New("enough")
	calls := 0
	err := scanCSVWith(context.Background(), "f.csv", bytes.NewReader(b.Bytes()), spec, 100, func(arrow.RecordBatch) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	}, scanOptions{workers: 2, block: 1000})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("got %v after %d calls, want %v after 3", err, calls, stop)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := scanCSVWith(ctx, "f.csv", bytes.NewReader(b.Bytes()), spec, 100, func(arrow.RecordBatch) error { return nil }, scanOptions{workers: 2, block: 1000}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestLineLimitReader checks lineLimitReader, which finds newlines a line at
// a time, against the byte-at-a-time count it replaced, on made-up text of
// random line lengths read in random pieces: the same bytes pass, and the
// error comes at the same byte with the same line.
func TestLineLimitReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 300 {
		var text []byte
		for range rng.IntN(40) {
			text = append(text, bytes.Repeat([]byte{'a'}, rng.IntN(60))...)
			text = append(text, '\n')
		}
		limit := 1 + rng.IntN(60)
		// The reference: bytes before the first one that makes a line
		// longer than limit, and that line.
		wantN, wantLine, cur, line := len(text), 0, 0, 0
		for i, c := range text {
			if c == '\n' {
				line++
				cur = 0
				continue
			}
			if cur++; cur > limit {
				wantN, wantLine = i, line+1
				break
			}
		}
		l := &lineLimitReader{r: bytes.NewReader(text), max: limit}
		var got []byte
		var err error
		for err == nil {
			p := make([]byte, 1+rng.IntN(50))
			var n int
			n, err = l.Read(p)
			got = append(got, p[:n]...)
		}
		var lt *LineTooLongError
		switch {
		case wantLine == 0 && err != io.EOF:
			t.Fatalf("trial %d: error %v, want none", trial, err)
		case wantLine > 0 && (!errors.As(err, &lt) || lt.Line != wantLine):
			t.Fatalf("trial %d: error %v, want line %d too long", trial, err, wantLine)
		case !bytes.Equal(got, text[:wantN]):
			t.Fatalf("trial %d: passed %d bytes, want %d", trial, len(got), wantN)
		}
	}
}

// TestPlainASCII: a cell plainASCII lets through is one checkText accepts
// (in every encoding) and StripBidi leaves alone, as cellText did for it
// before; every single byte, and MADE-UP strings with a NUL, bytes over
// 0x7F, a bidi control, invalid UTF-8.
func TestPlainASCII(t *testing.T) {
	cells := []string{"", "P0000001", "Person 12", " x ", "a,b", "\"q\"", "\x00", "a\x00", "caf\u00e9", "x\u202ey", "\xff", "\x7f", "\u200e"}
	for b := range 256 {
		cells = append(cells, string([]byte{byte(b)}), "ab"+string([]byte{byte(b)}))
	}
	passed := 0
	for _, s := range cells {
		if !plainASCII(s) {
			continue
		}
		passed++
		for _, enc := range []string{"", "utf-8", "latin1"} {
			if err := checkText(s, enc); err != nil {
				t.Errorf("%q passes plainASCII but checkText(%q) says %v", s, enc, err)
			}
		}
		if clean, stripped := StripBidi(s); stripped || clean != s {
			t.Errorf("%q passes plainASCII but StripBidi changes it to %q", s, clean)
		}
	}
	for _, s := range []string{"\x00", "a\x00", "caf\u00e9", "x\u202ey", "\xff", "\u200e"} {
		if plainASCII(s) {
			t.Errorf("plainASCII(%q) = true", s)
		}
	}
	if passed < 200 {
		t.Errorf("only %d cells passed plainASCII", passed)
	}
}

// TestSplitPlainAsReader checks splitPlain against csv.Reader (as
// blockReader makes it) on made-up quote-free text: random lines of
// random fields over an alphabet with the delimiter, spaces, tabs,
// non-ASCII and invalid UTF-8 bytes, NUL, empty lines and an unended last
// line. Both must give the same records on the same lines; plainBlock
// must refuse text with a quote or a carriage return, and a delimiter
// csv.Reader refuses or that is not one byte.
func TestSplitPlainAsReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 5))
	alphabet := []string{"a", "Z", "0", "9", ".", "-", " ", "\t", "é", "\xff", "\x00", ";", ",", "|", "\n", "\n\n"}
	for trial := range 3000 {
		comma := []rune{',', ';', '\t', '|', ' '}[trial%5]
		var b strings.Builder
		for range rng.IntN(60) {
			for range rng.IntN(12) {
				if rng.IntN(4) == 0 {
					b.WriteRune(comma)
				} else {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
			}
			if rng.IntN(10) > 0 {
				b.WriteByte('\n')
			}
		}
		data := []byte(b.String())
		if !plainBlock(data, comma) {
			t.Fatalf("trial %d: plainBlock refused quote-free text %q", trial, data)
		}
		type rec struct {
			line   int
			fields []string
		}
		var want []rec
		first := 1 + rng.IntN(1000)
		cr := blockReader(bytes.NewReader(data), CSV{Delimiter: comma})
		for {
			r, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("trial %d: csv.Reader: %v", trial, err)
			}
			line, _ := cr.FieldPos(0)
			want = append(want, rec{line + first - 1, slices.Clone(r)})
		}
		var got []rec
		splitPlain(data, byte(comma), first, func(r []string, line int) { got = append(got, rec{line, slices.Clone(r)}) })
		if len(got) != len(want) {
			t.Fatalf("trial %d, text %q: %d records, want %d", trial, data, len(got), len(want))
		}
		for i := range want {
			if got[i].line != want[i].line || !slices.Equal(got[i].fields, want[i].fields) {
				t.Fatalf("trial %d, text %q: record %d is %q on line %d, want %q on line %d", trial, data, i, got[i].fields, got[i].line, want[i].fields, want[i].line)
			}
		}
	}
	for _, tc := range []struct {
		data  string
		comma rune
	}{{"a,b\n\"c\",d\n", ','}, {"a,b\r\nc,d\n", ','}, {"a,b\n", '"'}, {"a,b\n", '\n'}, {"a,b\n", 0}, {"a·b\n", '·'}} {
		if plainBlock([]byte(tc.data), tc.comma) {
			t.Errorf("plainBlock(%q, %q) = true, want false", tc.data, tc.comma)
		}
	}
}

// TestColumnsAsRecord checks that ScanCSVColumns hands fn, for each chunk,
// columns holding the values of ScanCSV's record of that chunk (what
// frame.FromRecord reads from it: a null as the type's zero value) and
// the record's metadata, each chunk its own, on the cases of
// TestParallelAsSerial; the columns of earlier chunks are kept to the end
// and compared then, so a later chunk typed into them would show.
func TestColumnsAsRecord(t *testing.T) {
	ctx := context.Background()
	for _, tc := range append(realCases(t), madeUpCases()...) {
		for _, chunk := range []int{0, 7, 1000} {
			var want []*frame.Table
			var wantMeta []map[string]string
			werr := ScanCSV(ctx, "f.csv", bytes.NewReader(tc.data), tc.spec, chunk, func(rec arrow.RecordBatch) error {
				want = append(want, frame.FromRecord(rec))
				m := rec.Schema().Metadata()
				meta := map[string]string{}
				for i, k := range m.Keys() {
					meta[k] = m.Values()[i]
				}
				wantMeta = append(wantMeta, meta)
				return nil
			})
			var kept [][]*table.Column
			var metas []map[string]string
			err := ScanCSVColumns(ctx, "f.csv", bytes.NewReader(tc.data), tc.spec, chunk, func(cols []*table.Column, meta map[string]string) error {
				kept, metas = append(kept, cols), append(metas, meta)
				return nil
			})
			if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
				t.Fatalf("%s, chunk %d: error %v; ScanCSV's %v", tc.name, chunk, err, werr)
			}
			if len(kept) != len(want) {
				t.Fatalf("%s, chunk %d: %d chunks, ScanCSV %d", tc.name, chunk, len(kept), len(want))
			}
			for k, cols := range kept {
				got, err := frame.FromColumns(cols)
				if err != nil {
					t.Fatal(err)
				}
				if d := tableDiff(got, want[k]); d != "" {
					t.Fatalf("%s, chunk %d, chunk %d of %d: %s", tc.name, chunk, k, len(kept), d)
				}
				if !maps.Equal(metas[k], wantMeta[k]) {
					t.Fatalf("%s, chunk %d: metadata %v, want %v", tc.name, chunk, metas[k], wantMeta[k])
				}
			}
		}
	}
}

// tableDiff says how got differs from want (columns, types, length, every
// value; floats by their bits), or "".
func tableDiff(got, want *frame.Table) string {
	if !slices.Equal(got.Cols(), want.Cols()) || got.Len() != want.Len() {
		return fmt.Sprintf("columns %q, %d records; want %q, %d", got.Cols(), got.Len(), want.Cols(), want.Len())
	}
	for _, name := range want.Cols() {
		g, w := got.Column(name), want.Column(name)
		same := g.Type == w.Type && slices.Equal(g.Valid, w.Valid) && slices.Equal(g.Ints, w.Ints) &&
			slices.Equal(g.Bools, w.Bools) && slices.Equal(g.Strings, w.Strings) && len(g.Floats) == len(w.Floats)
		for i := range w.Floats {
			same = same && math.Float64bits(g.Floats[i]) == math.Float64bits(w.Floats[i])
		}
		if !same {
			return fmt.Sprintf("column %q differs", name)
		}
	}
	return ""
}

// TestCellTextTrims checks that cellText trims a field as
// strings.TrimSpace does (it skips the call when both end bytes are ASCII
// above ' '), on made-up fields of ASCII and Unicode spaces, control bytes,
// DEL, letters and multi-byte characters (seeded PCG).
func TestCellTextTrims(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	parts := []string{" ", "\t", "\n", "\v", "\f", "\r", "\u0085", "\u00a0", "\u2003", "\u3000", "\x01", "\x1f", "\x7f", "!", "a", "é", "\u202e", "~"}
	for range 200_000 {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		raw, _, err := cellText([]string{s}, 0, "", false)
		if err != nil {
			continue // invalid text: checkText's, after the trim
		}
		if want := strings.TrimSpace(s); raw != want {
			t.Fatalf("cellText(%q) = %q, want %q", s, raw, want)
		}
	}
}
