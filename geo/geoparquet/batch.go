package geoparquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Batch is rows given column by column, what WriteBatch writes: the
// geometries, either Geoms or points (X, Y), and the attribute columns.
type Batch struct {
	// Len is the number of rows.
	Len int
	// Geoms holds one geometry per row (nil: a null geometry). When Geoms
	// is nil the rows are points instead: (X[i], Y[i]) where PointOK[i],
	// a null geometry elsewhere (PointOK nil: every row has its point).
	Geoms   []orb.Geometry
	X, Y    []float64
	PointOK []bool
	// Columns are the attribute columns, in the writer's order.
	Columns []Values
}

// Values is an attribute column of a Batch: Valid[i] false is a null;
// the values are in the slice of the column's kind ("string": Strings,
// "int64": Int64s, "float64": Float64s, "bool": Bools; kind "json" is
// written from Strings), of Len values (what it holds at a null is not
// read).
type Values struct {
	Valid    []bool
	Strings  []string
	Int64s   []int64
	Float64s []float64
	Bools    []bool
}

// typedValues is the Values of a Table column of the given kind.
func typedValues(vals []any, kind string) (Values, error) {
	v := Values{Valid: make([]bool, len(vals))}
	switch kind {
	case "int64":
		v.Int64s = make([]int64, len(vals))
	case "float64":
		v.Float64s = make([]float64, len(vals))
	case "bool":
		v.Bools = make([]bool, len(vals))
	default:
		v.Strings = make([]string, len(vals))
	}
	for r, x := range vals {
		if x == nil {
			continue
		}
		v.Valid[r] = true
		ok := true
		switch kind {
		case "string":
			v.Strings[r], ok = x.(string)
		case "int64":
			switch n := x.(type) {
			case int:
				v.Int64s[r] = int64(n)
			case int32:
				v.Int64s[r] = int64(n)
			case int64:
				v.Int64s[r] = n
			default:
				ok = false
			}
		case "float64":
			v.Float64s[r], ok = x.(float64)
		case "bool":
			v.Bools[r], ok = x.(bool)
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return Values{}, fmt.Errorf("row %d: %w", r, err)
			}
			v.Strings[r] = string(b)
		}
		if !ok {
			return Values{}, fmt.Errorf("row %d: value of type %T in a column of kind %s", r, x, kind)
		}
	}
	return v, nil
}

// WriteBatch appends b's rows, column by column: each column's values go
// to its column writer a page-sized run at a time, and no row is ever
// assembled. b's columns must be the writer's, in its order. Geometries
// of Geoms are WKB-encoded with orb's encoder; points are encoded directly
// (the same 21 bytes, little-endian).
//
// The file's bytes are those the former row-by-row writer (parquet.Row per
// row, handed to parquet-go 1,024 at a time) made for the same rows and the
// same Write calls: values reach each column writer in the runs parquet-go
// cut rows into (64 rows, restarting at each 1,024-row batch of a call and
// at each row group), so pages end at the same rows (TestBatchBytesAsRows).
func (gw *Writer) WriteBatch(ctx context.Context, b *Batch) error {
	n := b.Len
	if len(b.Columns) != len(gw.cols) {
		return fmt.Errorf("batch has %d columns, the file %d", len(b.Columns), len(gw.cols))
	}
	if b.Geoms != nil {
		if len(b.Geoms) != n {
			return fmt.Errorf("batch has %d geometries for %d rows", len(b.Geoms), n)
		}
	} else if len(b.X) != n || len(b.Y) != n || (b.PointOK != nil && len(b.PointOK) != n) {
		return fmt.Errorf("batch has %d x, %d y, %d point flags for %d rows", len(b.X), len(b.Y), len(b.PointOK), n)
	}
	for i, c := range b.Columns {
		var m int
		switch gw.cols[i].Kind {
		case "int64":
			m = len(c.Int64s)
		case "float64":
			m = len(c.Float64s)
		case "bool":
			m = len(c.Bools)
		default:
			m = len(c.Strings)
		}
		if len(c.Valid) != n || m != n {
			return fmt.Errorf("column %q has %d values (%d flags) for %d rows", gw.cols[i].Name, m, len(c.Valid), n)
		}
	}
	cws := gw.pw.ColumnWriters()
	for lo := 0; lo < n; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if gw.rgRows == RowGroupRows {
			if err := gw.pw.Flush(); err != nil {
				return fmt.Errorf("write rows: %w", err)
			}
			gw.rgRows = 0
		}
		// The segment: the rows of this call in this row group.
		hi := min(n, lo+RowGroupRows-gw.rgRows)
		if err := gw.writeSegment(cws, b, lo, hi, gw.rgRows+hi-lo == RowGroupRows); err != nil {
			return err
		}
		gw.rgRows += hi - lo
		lo = hi
	}
	return nil
}

// runRows is the number of rows parquet-go's writer hands each column at a
// time when given rows (its maxRowsPerWrite): WriteBatch cuts the same runs.
const runRows = 64

// parallelRows is the fewest rows of a segment that WriteBatch writes on
// more than one goroutine.
const parallelRows = 2048

// scratch is what one goroutine of writeSegment reuses: the values of a
// run of one column, the WKB of a run's geometries, where each ends (-1:
// null) and their bounds.
type scratch struct {
	vals   []parquet.Value
	wkb    []byte
	ends   []int
	bounds []orb.Bound
}

// writeSegment writes rows [lo, hi) of b, which fall in one row group, to
// the column writers: the geometry with its bbox columns as one task, each
// attribute column as another, on up to GOMAXPROCS goroutines (the column
// writers are independent; each column gets its runs in order). When full,
// the row group is complete: each column's last page is then encoded in its
// task rather than by the writer's flush (the same page).
func (gw *Writer) writeSegment(cws []*parquet.ColumnWriter, b *Batch, lo, hi int, full bool) error {
	tasks := 1 + len(b.Columns)
	task := func(s *scratch, t int) error {
		var err error
		if t == 0 {
			err = gw.writeGeometry(s, cws, b, lo, hi)
		} else {
			err = gw.writeColumn(s, cws[gw.ci[t-1]], b.Columns[t-1], gw.cols[t-1].Kind, gw.ci[t-1], lo, hi)
		}
		if err == nil && full {
			cols := []int{gw.ci[max(t-1, 0)]}
			if t == 0 {
				cols = append([]int{gw.gi}, gw.bx[:]...)
			}
			for _, c := range cols {
				if err = cws[c].Flush(); err != nil {
					break
				}
			}
		}
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if hi-lo < parallelRows || workers < 2 {
		for t := range tasks {
			if err := task(&gw.scratch, t); err != nil {
				return err
			}
		}
		return nil
	}
	if len(gw.workers) < workers {
		gw.workers = make([]scratch, workers)
		gw.workers[0] = gw.scratch
	}
	var next atomic.Int64
	errs := make([]error, tasks)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks {
					return
				}
				errs[t] = task(&gw.workers[w], t)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runs calls fn with the runs of rows [lo, hi) of a call, as parquet-go
// cuts rows it is given: runRows at a time from lo, restarting at each
// writeBatch rows of the call.
func runs(lo, hi int, fn func(lo, hi int) error) error {
	for lo < hi {
		end := min(hi, lo+runRows, (lo/writeBatch+1)*writeBatch)
		if err := fn(lo, end); err != nil {
			return err
		}
		lo = end
	}
	return nil
}

// writeGeometry writes the geometries of rows [lo, hi) of b, WKB-encoded,
// and their bbox columns; it notes their types and bounds for the "geo"
// metadata.
func (gw *Writer) writeGeometry(s *scratch, cws []*parquet.ColumnWriter, b *Batch, lo, hi int) error {
	write := func(col int, vals []parquet.Value) error {
		s.vals = vals
		if _, err := cws[col].WriteRowValues(vals); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
		return nil
	}
	return runs(lo, hi, func(lo, hi int) error {
		s.wkb, s.ends, s.bounds = s.wkb[:0], s.ends[:0], s.bounds[:0]
		points := false // a point of X, Y was written
		for r := lo; r < hi; r++ {
			var bd orb.Bound
			switch {
			case b.Geoms != nil:
				g := b.Geoms[r]
				if g == nil {
					s.ends = append(s.ends, -1)
					s.bounds = append(s.bounds, bd)
					continue
				}
				var err error
				if s.wkb, err = appendWKB(s.wkb, g); err != nil {
					return fmt.Errorf("row %d: geometry: %w", r, err)
				}
				gw.types[g.GeoJSONType()] = true
				bd = g.Bound()
			case b.PointOK != nil && !b.PointOK[r]:
				s.ends = append(s.ends, -1)
				s.bounds = append(s.bounds, bd)
				continue
			default:
				p := orb.Point{b.X[r], b.Y[r]}
				s.wkb = appendPointWKB(s.wkb, p)
				points = true
				s.ends = append(s.ends, len(s.wkb))
				s.bounds = append(s.bounds, orb.Bound{Min: p, Max: p})
				// Union with a point's bound is Extend by the point
				// (the bound is never empty; its four corners are p).
				gw.all = gw.all.Extend(p)
				continue
			}
			s.ends = append(s.ends, len(s.wkb))
			s.bounds = append(s.bounds, bd)
			gw.all = gw.all.Union(bd)
		}
		if points {
			gw.types["Point"] = true
		}
		vals, start := slices.Grow(s.vals[:0], len(s.ends))[:len(s.ends)], 0
		null := parquet.NullValue().Level(0, 0, gw.gi)
		for k, e := range s.ends {
			if e < 0 {
				vals[k] = null
				continue
			}
			vals[k] = parquet.ByteArrayValue(s.wkb[start:e])
			vals[k].SetDefinitionLevel(1)
			vals[k].SetColumnIndex(gw.gi)
			start = e
		}
		if err := write(gw.gi, vals); err != nil {
			return err
		}
		for j, col := range gw.bx {
			null := parquet.NullValue().Level(0, 0, col)
			// corner j of a bound: Min x, Min y, Max x, Max y
			corner, axis := j/2, j%2
			for k, e := range s.ends {
				if e < 0 {
					vals[k] = null
					continue
				}
				bd := &s.bounds[k]
				v := bd.Min[axis]
				if corner == 1 {
					v = bd.Max[axis]
				}
				vals[k] = parquet.DoubleValue(v)
				vals[k].SetDefinitionLevel(1)
				vals[k].SetColumnIndex(col)
			}
			if err := write(col, vals); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeColumn writes rows [lo, hi) of the attribute column c, of kind
// kind, leaf col, to cw.
func (gw *Writer) writeColumn(s *scratch, cw *parquet.ColumnWriter, c Values, kind string, col, lo, hi int) error {
	null := parquet.NullValue().Level(0, 0, col)
	return runs(lo, hi, func(lo, hi int) error {
		vals := slices.Grow(s.vals[:0], hi-lo)[:hi-lo]
		valid := c.Valid[lo:hi]
		// One loop per kind, the value made inline and its levels set in
		// place (SetDefinitionLevel, SetColumnIndex: inlined, where
		// Value.Level is a call).
		switch kind {
		case "int64":
			for r, x := range c.Int64s[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.Int64Value(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		case "float64":
			for r, x := range c.Float64s[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.DoubleValue(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		case "bool":
			for r, x := range c.Bools[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.BooleanValue(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		default:
			for r, str := range c.Strings[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				// The column writer copies the bytes: they may alias
				// the string.
				vals[r] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(str), len(str)))
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		}
		s.vals = vals
		if _, err := cw.WriteRowValues(vals); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
		return nil
	})
}

// appendPointWKB appends the WKB of p (little-endian), the bytes orb's
// wkb.Marshal gives.
func appendPointWKB(dst []byte, p orb.Point) []byte {
	dst = append(dst, 1, 1, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[0]))
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[1]))
}

// appendWKB appends the WKB of g (orb's encoder, little-endian).
func appendWKB(dst []byte, g orb.Geometry) ([]byte, error) {
	if p, ok := g.(orb.Point); ok {
		return appendPointWKB(dst, p), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := wkb.NewEncoder(buf).Encode(g); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}
