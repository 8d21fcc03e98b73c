package census

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Record converts the table to an Arrow record with the pipeline/table
// conventions: "geoid" (string) first, "name" (the NAME column, string) if
// present, then each other column in response order: estimates and MOEs
// float64 (null where an annotation value stood), geography components and
// other columns as strings, and for every estimate/MOE column that has any
// annotated or top/bottom-coded value a string column "<col>_note" (e.g.
// "B19013_001E_note") holding the reason in plain words for those rows
// ("estimate not computable: too few sample observations (-666666666)",
// "top-coded: 250,000 or more (250001)"), null elsewhere.
//
// Each note column directly follows its column. JSON nulls in an estimate or
// MOE column are null with the note "no value in the API response (null)";
// nulls in string columns are null without a note. A Controlled (-555555555)
// MOE is 0, valid, with a note. The caller must Release the record. Record
// fails only if a response column is itself named "geoid", "name" or
// "<col>_note" of another column.
//
// The record's float64 arrays share the estimate and MOE columns' Values,
// and its geoid array the GEOIDs check built (no copies): the table's
// Values must not be changed once the record is made (the callers make it
// last, and drop the table).
func (t *Table) Record() (arrow.RecordBatch, error) {
	n := t.rows
	var fields []arrow.Field
	var arrs []arrow.Array
	seen := map[string]bool{}
	var dup string
	add := func(name string, a arrow.Array) {
		if seen[name] && dup == "" {
			dup = name
		}
		seen[name] = true
		fields = append(fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
		arrs = append(arrs, a)
	}
	// The columns' arrays are built on up to GOMAXPROCS goroutines, each
	// into its slot (the column, then its note column or nil), and added in
	// order.
	type built struct {
		name       string
		vals, note arrow.Array
	}
	cols := make([]*Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if c.Name != "NAME" {
			cols = append(cols, c)
		}
	}
	slots := make([]built, len(cols))
	buildCol := func(k int) {
		c := cols[k]
		if c.Kind != KindEstimate && c.Kind != KindMOE {
			slots[k] = built{name: c.Name, vals: stringArray(c.Raw, c.Null)}
			return
		}
		slots[k] = built{name: c.Name, vals: floatArray(c.Values, c.Valid), note: noteArray(c, n)}
	}
	workers := min(runtime.GOMAXPROCS(0), len(cols))
	if n*len(cols) < 1<<16 {
		workers = 1
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(cols); k = int(next.Add(1) - 1) {
				buildCol(k)
			}
		})
	}
	add(table.GEOID, geoidArray(t.geoids()))
	if c := t.Column("NAME"); c != nil {
		add("name", stringArray(c.Raw, c.Null))
	}
	wg.Wait()
	for _, b := range slots {
		add(b.name, b.vals)
		if b.note != nil {
			add(b.name+table.NoteSuffix, b.note)
		}
	}
	if dup != "" {
		for _, a := range arrs {
			a.Release()
		}
		return nil, fmt.Errorf("census: building record: table: duplicate column %q", dup)
	}
	md := arrow.NewMetadata([]string{"source"}, []string{"census data api"})
	rec := array.NewRecordBatch(arrow.NewSchema(fields, &md), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

// noteArray is the "<col>_note" array of estimate or MOE column c (n
// rows): each row's Note, null where it has none; nil when no row has one.
func noteArray(c *Column, n int) arrow.Array {
	if allZero(c.Null[:n]) && allZero(c.Annotation[:n]) && allZero(c.Coding[:n]) {
		return nil // no row with a note (most columns), seen 8 rows at a time
	}
	var notes []string
	var null []bool
	for i := 0; i < n; i++ {
		if !c.Null[i] && c.Annotation[i] == NoAnnotation && c.Coding[i] == NotCoded {
			continue // no note (Note's own test, inlined)
		}
		s, ok := c.Note(i)
		if !ok {
			continue
		}
		if notes == nil {
			notes, null = make([]string, n), make([]bool, n)
			for k := range null {
				null[k] = true
			}
		}
		notes[i], null[i] = s, false
	}
	if notes == nil {
		return nil
	}
	return stringArray(notes, null)
}

// bytesOf is s, a slice of 1-byte values (bools, Annotation, Coding), as
// its bytes.
func bytesOf[T ~bool | ~int8](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// allZero reports whether every element of s (a slice of 1-byte values)
// is zero, reading 32 bytes at a time.
func allZero[T ~bool | ~int8](s []T) bool {
	b := bytesOf(s)
	for len(b) >= 32 {
		le := binary.LittleEndian
		if le.Uint64(b)|le.Uint64(b[8:])|le.Uint64(b[16:])|le.Uint64(b[24:]) != 0 {
			return false
		}
		b = b[32:]
	}
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// stringArray is an Arrow string array of vals, null where null is true
// (nil: none), built in one pass: offsets, then the bytes.
func stringArray(vals []string, null []bool) arrow.Array {
	n := len(vals)
	size := 0
	for _, s := range vals {
		size += len(s)
	}
	offsets := make([]int32, n+1)
	data := make([]byte, 0, size)
	for i, s := range vals {
		data = append(data, s...)
		offsets[i+1] = int32(len(data))
	}
	bitmap, nulls := validity(n, null, true)
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{bitmap, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.NewStringData(d)
}

// geoidArray is the Arrow string array of g's GEOIDs (no nulls): g's
// string of them all and its offsets as the array's buffers when it has
// them (shared, not copied: neither is written again), else a copy.
func geoidArray(g *geoidList) arrow.Array {
	if g.offsets == nil {
		return stringArray(g.ids, nil)
	}
	data := unsafe.Slice(unsafe.StringData(g.all), len(g.all))
	d := array.NewData(arrow.BinaryTypes.String, len(g.ids), []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(g.offsets)), memory.NewBufferBytes(data)}, nil, 0, 0)
	defer d.Release()
	return array.NewStringData(d)
}

// floatArray is an Arrow float64 array of vals (shared, not copied: a
// national response's are 21 MB, and copying them was a tenth of the
// decode), null where valid is false.
func floatArray(vals []float64, valid []bool) arrow.Array {
	n := len(vals)
	bitmap, nulls := validity(n, valid, false)
	d := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{bitmap, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(vals[:n:n]))}, nil, nulls, 0)
	defer d.Release()
	return array.NewFloat64Data(d)
}

// validity is the Arrow validity bitmap of n values, value i valid where
// flags[i] != null (every value when flags is nil), and the number of
// nulls; the bitmap is nil when there are none.
func validity(n int, flags []bool, null bool) (*memory.Buffer, int) {
	if flags == nil {
		return nil, 0
	}
	flags = flags[:n]
	nb := byte(0)
	if null {
		nb = 1
	}
	if bytes.IndexByte(bytesOf(flags), nb) < 0 {
		return nil, 0 // no nulls (most columns), found at memchr's speed
	}
	nulls := 0
	for _, f := range flags {
		if f == null {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	for i, f := range flags {
		if f != null {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	return memory.NewBufferBytes(bits), nulls
}

// Encode writes t in the API's array-of-arrays form: the header row, then one
// row per data row, every value a JSON string (its Raw text) or null. Decode
// of the output gives back an equal table. Rows are written one per line.
func (t *Table) Encode(w io.Writer) error {
	bw := bufio.NewWriter(w)
	row := make([]*string, len(t.Columns))
	texts := make([]string, len(t.Columns))
	write := func(prefix string) error {
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		bw.WriteString(prefix)
		_, err = bw.Write(b)
		return err
	}
	for j, c := range t.Columns {
		name := c.Name
		row[j] = &name
	}
	if err := write("["); err != nil {
		return fmt.Errorf("census: encoding header: %w", err)
	}
	for i := 0; i < t.rows; i++ {
		for j, c := range t.Columns {
			if c.Null[i] {
				row[j] = nil
			} else {
				texts[j] = c.Text(i)
				row[j] = &texts[j]
			}
		}
		if err := write(",\n"); err != nil {
			return fmt.Errorf("census: encoding row %d: %w", i, err)
		}
	}
	bw.WriteString("]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("census: writing table: %w", err)
	}
	return nil
}
