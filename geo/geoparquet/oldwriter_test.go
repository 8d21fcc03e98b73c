package geoparquet

// The GeoParquet writer as it was at 43cb557 (session 5), kept as the
// reference of the differential tests and the baseline of the benchmarks:
// parquet-go's column types as they are, a parquet.Value per cell made by
// Value.Level. Only the names differ (old...).

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// oldWriter writes a GeoParquet 1.1 file a table at a time (the layout of
// Write), holding one table in memory; the "geo" metadata (geometry types,
// overall bbox) is written by Close.
type oldWriter struct {
	pw    *parquet.Writer
	cols  []Column // names and kinds
	ncol  int
	gi    int
	bx    [4]int
	ci    []int
	types map[string]bool
	all   orb.Bound

	rgRows  int // rows in the row group being written
	scratch oldScratch
	workers []oldScratch // one per goroutine of writeSegment
}

// NewWriter starts a GeoParquet file on w with the attribute columns cols
// (their Name and Kind: "string", "int64", "float64" or "bool"; Values are
// not used) and the further key/value metadata meta ("geo" is reserved).
func newOldWriter(w io.Writer, cols []Column, meta map[string]string) (*oldWriter, error) {
	group := parquet.Group{
		GeometryColumn: parquet.Optional(parquet.Leaf(parquet.ByteArrayType)),
		BBoxColumn: parquet.Optional(parquet.Group{
			"xmin": parquet.Leaf(parquet.DoubleType), "ymin": parquet.Leaf(parquet.DoubleType),
			"xmax": parquet.Leaf(parquet.DoubleType), "ymax": parquet.Leaf(parquet.DoubleType),
		}),
	}
	for _, c := range cols {
		if c.Name == GeometryColumn || c.Name == BBoxColumn {
			return nil, fmt.Errorf("column %q: name reserved for the geometry", c.Name)
		}
		if _, dup := group[c.Name]; dup {
			return nil, fmt.Errorf("column %q: duplicate name", c.Name)
		}
		var n parquet.Node
		switch c.Kind {
		case "int64":
			n = parquet.Int(64)
		case "float64":
			n = parquet.Leaf(parquet.DoubleType)
		case "bool":
			n = parquet.Leaf(parquet.BooleanType)
		default:
			n = parquet.String()
		}
		group[c.Name] = parquet.Optional(n)
	}
	schema := parquet.NewSchema("schema", group)
	leaf := func(path ...string) int {
		lc, ok := schema.Lookup(path...)
		if !ok {
			panic(fmt.Sprintf("geoparquet: column %v missing from own schema", path)) // programmer error
		}
		return lc.ColumnIndex
	}
	gw := &oldWriter{cols: cols, ncol: len(schema.Columns()), types: map[string]bool{},
		all: orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}}
	gw.gi, gw.bx = leaf(GeometryColumn), [4]int{leaf(BBoxColumn, "xmin"), leaf(BBoxColumn, "ymin"), leaf(BBoxColumn, "xmax"), leaf(BBoxColumn, "ymax")}
	for _, c := range cols {
		gw.ci = append(gw.ci, leaf(c.Name))
	}
	opts := []parquet.WriterOption{schema, parquet.CreatedBy("groundwork", "", ""), parquet.MaxRowsPerRowGroup(RowGroupRows)}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k == "geo" {
			return nil, errors.New(`metadata key "geo" is reserved for the GeoParquet metadata`)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	gw.pw = parquet.NewWriter(w, opts...)
	return gw, nil
}

// Write appends t's rows. t's columns must be the writer's, in its order,
// with values of their kinds (or nil); t.CRS must be lon/lat. The rows go
// through WriteBatch: the bytes are those of a Batch holding the same

func (gw *oldWriter) WriteBatch(ctx context.Context, b *Batch) error {
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

// oldScratch is what one goroutine of writeSegment reuses: the values of a
// run of one column, the WKB of a run's geometries, where each ends (-1:
// null) and their bounds.
type oldScratch struct {
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
func (gw *oldWriter) writeSegment(cws []*parquet.ColumnWriter, b *Batch, lo, hi int, full bool) error {
	tasks := 1 + len(b.Columns)
	task := func(s *oldScratch, t int) error {
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
		gw.workers = make([]oldScratch, workers)
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
func oldRuns(lo, hi int, fn func(lo, hi int) error) error {
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
func (gw *oldWriter) writeGeometry(s *oldScratch, cws []*parquet.ColumnWriter, b *Batch, lo, hi int) error {
	write := func(col int, vals []parquet.Value) error {
		s.vals = vals
		if _, err := cws[col].WriteRowValues(vals); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
		return nil
	}
	return oldRuns(lo, hi, func(lo, hi int) error {
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
				if s.wkb, err = oldAppendWKB(s.wkb, g); err != nil {
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
				s.wkb = oldAppendPointWKB(s.wkb, p)
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
		vals, start := s.vals[:0], 0
		for _, e := range s.ends {
			if e < 0 {
				vals = append(vals, parquet.NullValue().Level(0, 0, gw.gi))
				continue
			}
			vals = append(vals, parquet.ByteArrayValue(s.wkb[start:e]).Level(0, 1, gw.gi))
			start = e
		}
		if err := write(gw.gi, vals); err != nil {
			return err
		}
		for j, col := range gw.bx {
			vals := s.vals[:0]
			null := parquet.NullValue().Level(0, 0, col)
			// corner j of a bound: Min x, Min y, Max x, Max y
			corner, axis := j/2, j%2
			for k, e := range s.ends {
				if e < 0 {
					vals = append(vals, null)
					continue
				}
				bd := &s.bounds[k]
				v := bd.Min[axis]
				if corner == 1 {
					v = bd.Max[axis]
				}
				vals = append(vals, parquet.DoubleValue(v).Level(0, 1, col))
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
func (gw *oldWriter) writeColumn(s *oldScratch, cw *parquet.ColumnWriter, c Values, kind string, col, lo, hi int) error {
	null := parquet.NullValue().Level(0, 0, col)
	return oldRuns(lo, hi, func(lo, hi int) error {
		vals := s.vals[:0]
		valid := c.Valid[lo:hi]
		// One loop per kind, the value made inline.
		switch kind {
		case "int64":
			for r, x := range c.Int64s[lo:hi] {
				if !valid[r] {
					vals = append(vals, null)
					continue
				}
				vals = append(vals, parquet.Int64Value(x).Level(0, 1, col))
			}
		case "float64":
			for r, x := range c.Float64s[lo:hi] {
				if !valid[r] {
					vals = append(vals, null)
					continue
				}
				vals = append(vals, parquet.DoubleValue(x).Level(0, 1, col))
			}
		case "bool":
			for r, x := range c.Bools[lo:hi] {
				if !valid[r] {
					vals = append(vals, null)
					continue
				}
				vals = append(vals, parquet.BooleanValue(x).Level(0, 1, col))
			}
		default:
			for r, str := range c.Strings[lo:hi] {
				if !valid[r] {
					vals = append(vals, null)
					continue
				}
				// The column writer copies the bytes: they may alias
				// the string.
				vals = append(vals, parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(str), len(str))).Level(0, 1, col))
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
func oldAppendPointWKB(dst []byte, p orb.Point) []byte {
	dst = append(dst, 1, 1, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[0]))
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[1]))
}

// appendWKB appends the WKB of g (orb's encoder, little-endian).
func oldAppendWKB(dst []byte, g orb.Geometry) ([]byte, error) {
	if p, ok := g.(orb.Point); ok {
		return oldAppendPointWKB(dst, p), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := wkb.NewEncoder(buf).Encode(g); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}

// Close writes the "geo" metadata and the file's footer.
func (gw *oldWriter) Close() error {
	gtypes := make([]string, 0, len(gw.types))
	for k := range gw.types {
		gtypes = append(gtypes, k)
	}
	sort.Strings(gtypes)
	cm := columnMeta{Encoding: "WKB", GeometryTypes: gtypes, Covering: &covering{BBox: map[string][]string{
		"xmin": {BBoxColumn, "xmin"}, "ymin": {BBoxColumn, "ymin"}, "xmax": {BBoxColumn, "xmax"}, "ymax": {BBoxColumn, "ymax"},
	}}}
	if len(gw.types) > 0 {
		cm.BBox = []float64{gw.all.Min[0], gw.all.Min[1], gw.all.Max[0], gw.all.Max[1]}
	}
	meta, err := json.Marshal(geoMeta{Version: "1.1.0", PrimaryColumn: GeometryColumn, Columns: map[string]columnMeta{GeometryColumn: cm}})
	if err != nil {
		return err
	}
	gw.pw.SetKeyValueMetadata("geo", string(meta))
	if err := gw.pw.Close(); err != nil {
		return fmt.Errorf("close parquet writer: %w", err)
	}
	return nil
}
