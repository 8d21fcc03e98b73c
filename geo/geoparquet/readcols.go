package geoparquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"

	"github.com/groundwork-org/groundwork/internal/strarena"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// readMode is how Read reads the rows: columnsThenRows, or in the tests
// rowsOnly (the row loop alone, to compare with) or columnsOnly (Read fails
// where it would fall back to the rows, to show that readColumns read).
var readMode = columnsThenRows

const (
	columnsThenRows = iota
	rowsOnly
	columnsOnly
)

// errFallBack is readGroup's report that a row group holds something
// readColumns does not read itself.
var errFallBack = errors.New("read the rows")

// readColumns is Read's column-wise path. It fills t.Geoms and the values of
// t.Columns (one per leaf in attrs, whose kinds and string flags Read found)
// exactly as Read's row loop would, but a column chunk at a time and the row
// groups on up to GOMAXPROCS goroutines: every leaf column's pages are read
// (those Read skips too, so that a page that cannot be read is found as
// before), the geometries decoded straight from the geometry pages' bytes
// (decodeWKB) and the strings copied into shared blocks. It reports false,
// having changed nothing, for a file it does not read this way (a repeated
// column, pages whose counts do not add up to the row group's rows, WKB that
// wkb.Unmarshal refuses, any error or panic of the decoder): Read then reads
// the rows, and reports any error with the row it is in. The only error it
// returns is ctx's.
func readColumns(ctx context.Context, f *parquet.File, t *Table, geomLeaf int, attrs []int, kinds map[int]parquet.Kind, strs map[int]bool) (bool, error) {
	if readMode == rowsOnly {
		return false, nil
	}
	schema := f.Schema()
	nleaves := 0
	for _, path := range schema.Columns() {
		lc, _ := schema.Lookup(path...)
		if lc.MaxRepetitionLevel > 0 {
			return false, nil
		}
		nleaves++
	}
	col := map[int]int{} // leaf -> position in t.Columns
	for i, leaf := range attrs {
		col[leaf] = i
	}
	groups := f.RowGroups()
	starts := make([]int, len(groups)+1)
	for g, rg := range groups {
		if len(rg.ColumnChunks()) != nleaves {
			return false, nil
		}
		starts[g+1] = starts[g] + int(rg.NumRows())
	}
	n := starts[len(groups)]
	geoms := make([]orb.Geometry, n)
	values := make([][]any, len(attrs))
	for i := range values {
		values[i] = make([]any, n)
	}
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	next := make(chan int, len(groups))
	for g := range groups {
		next <- g
	}
	close(next)
	for range min(len(groups), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sa strarena.Arena
			for g := range next {
				lo, hi := starts[g], starts[g+1]
				rd := groupReader{ctx: ctx, geoms: geoms[lo:hi], strs: &sa}
				errs[g] = rd.read(groups[g], geomLeaf, col, values, lo, kinds, strs)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil {
			return false, nil
		}
	}
	t.Geoms = geoms
	for i := range t.Columns {
		t.Columns[i].Values = values[i]
	}
	return true, nil
}

// groupReader reads one row group for readColumns.
type groupReader struct {
	ctx   context.Context
	geoms []orb.Geometry // the group's rows of Table.Geoms
	strs  *strarena.Arena
	buf   []parquet.Value
	fast  []bool // per non-null row of a geometry page: measured by wkbDecoder
}

// read reads every column chunk of rg into the group's rows: lo is the
// group's first row in the table. A panic of the decoder is returned as an
// error, like every other failure (errFallBack when nothing failed but rg
// has a page readColumns does not read).
func (rd *groupReader) read(rg parquet.RowGroup, geomLeaf int, col map[int]int, values [][]any, lo int, kinds map[int]parquet.Kind, strs map[int]bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt parquet file: %v", p)
		}
	}()
	rows := int(rg.NumRows())
	for leaf, cc := range rg.ColumnChunks() {
		var fill func(pg parquet.Page, row int) error
		switch i, ok := col[leaf]; {
		case leaf == geomLeaf:
			fill = rd.geometryPage
		case ok:
			vals, kind, str := values[i][lo:lo+rows], kinds[leaf], strs[leaf]
			fill = func(pg parquet.Page, row int) error { return rd.attributePage(pg, vals[row:], kind, str) }
		default:
			fill = func(parquet.Page, int) error { return nil } // read, not kept
		}
		if err := rd.chunk(cc, rows, fill); err != nil {
			return err
		}
	}
	return nil
}

// chunk reads the pages of cc, a column chunk of rows rows, calling fill for
// each with the position of its first row in the group.
func (rd *groupReader) chunk(cc parquet.ColumnChunk, rows int, fill func(pg parquet.Page, row int) error) error {
	pages := cc.Pages()
	defer pages.Close()
	row := 0
	for {
		if err := rd.ctx.Err(); err != nil {
			return err
		}
		pg, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n := int(pg.NumRows())
		if n < 0 || n > rows-row || int(pg.NumValues()) != n {
			parquet.Release(pg)
			return errFallBack
		}
		err = fill(pg, row)
		parquet.Release(pg)
		if err != nil {
			return err
		}
		row += n
	}
	if row != rows {
		return errFallBack
	}
	return nil
}

// byteArrays gives the byte-array values of pg, a page of a flat column:
// the definition levels (nil when the column is required), and the values
// of the non-null rows as data[offs[x]:offs[x+1]], x = idx[k] for the k-th
// non-null row of a dictionary page (idx nil otherwise: x = k). ok is false
// for a page of another shape.
func byteArrays(pg parquet.Page) (defs []byte, data []byte, offs []uint32, idx []int32, ok bool) {
	n := int(pg.NumRows())
	defs = pg.DefinitionLevels()
	if defs != nil && len(defs) != n {
		return nil, nil, nil, nil, false
	}
	valid := n
	if defs != nil {
		valid = 0
		for _, d := range defs {
			if d != 0 {
				valid++
			}
		}
	}
	v := pg.Data()
	if dict := pg.Dictionary(); dict != nil {
		if v.Kind() != encoding.Int32 || len(v.Int32()) != valid {
			return nil, nil, nil, nil, false
		}
		dv := dict.Page().Data()
		if dv.Kind() != encoding.ByteArray {
			return nil, nil, nil, nil, false
		}
		data, offs = dv.ByteArray()
		idx = v.Int32()
		for _, x := range idx {
			if x < 0 || int(x)+1 >= len(offs) {
				return nil, nil, nil, nil, false
			}
		}
		return defs, data, offs, idx, true
	}
	if v.Kind() != encoding.ByteArray {
		return nil, nil, nil, nil, false
	}
	data, offs = v.ByteArray()
	if len(offs) != valid+1 {
		return nil, nil, nil, nil, false
	}
	return defs, data, offs, nil, true
}

// eachByteArray calls fn(i, b) for every non-null row i of a page that
// byteArrays read, b being its value.
func eachByteArray(n int, defs, data []byte, offs []uint32, idx []int32, fn func(i int, b []byte) error) error {
	k := 0
	for i := range n {
		if defs != nil && defs[i] == 0 {
			continue
		}
		x := k
		if idx != nil {
			x = int(idx[k])
		}
		if offs[x] > offs[x+1] || int(offs[x+1]) > len(data) {
			return errFallBack
		}
		if err := fn(i, data[offs[x]:offs[x+1]]); err != nil {
			return err
		}
		k++
	}
	return nil
}

// geometryPage decodes the WKB of a geometry page into rd.geoms[row:]; a
// null row stays nil.
func (rd *groupReader) geometryPage(pg parquet.Page, row int) error {
	defs, data, offs, idx, ok := byteArrays(pg)
	if !ok {
		return errFallBack
	}
	// The page's geometries are measured first, so that those decodeWKB
	// decodes share three allocations; wkb.Unmarshal decodes the others.
	n := int(pg.NumRows())
	var d wkbDecoder
	fast := rd.fast[:0]
	err := eachByteArray(n, defs, data, offs, idx, func(i int, b []byte) error {
		fast = append(fast, d.measure(b))
		return nil
	})
	rd.fast = fast
	if err != nil {
		return err
	}
	d.alloc()
	geoms, k := rd.geoms[row:], 0
	return eachByteArray(n, defs, data, offs, idx, func(i int, b []byte) error {
		k++
		if fast[k-1] {
			geoms[i] = d.decode(b)
			return nil
		}
		g, err := wkb.Unmarshal(b)
		geoms[i] = g
		return err
	})
}

// attributePage sets vals[i] to the value of the page's row i as Read's row
// loop converts it (nil for null): strings from the page's bytes, the other
// kinds through the page's values.
func (rd *groupReader) attributePage(pg parquet.Page, vals []any, kind parquet.Kind, str bool) error {
	if (kind == parquet.ByteArray || kind == parquet.FixedLenByteArray) && str {
		if defs, data, offs, idx, ok := byteArrays(pg); ok {
			return eachByteArray(int(pg.NumRows()), defs, data, offs, idx, func(i int, b []byte) error {
				vals[i] = rd.strs.String(b)
				return nil
			})
		}
	}
	if rd.buf == nil {
		rd.buf = make([]parquet.Value, 1024)
	}
	vr := pg.Values()
	i := 0
	for {
		n, err := vr.ReadValues(rd.buf)
		if i+n > len(vals) {
			return errFallBack
		}
		for _, v := range rd.buf[:n] {
			if !v.IsNull() {
				vals[i] = propertyValue(v, kind, str)
			}
			i++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if i != int(pg.NumRows()) {
		return errFallBack
	}
	return nil
}

// decodeWKB decodes b as wkb.Unmarshal does when b is a little-endian WKB
// Polygon, or MultiPolygon of little-endian Polygons, with type codes exactly
// 3 and 6 (no SRID, Z or M flags), the only WKB boundary files hold: the same
// rings with the same coordinate bits, each empty part an empty slice (not
// nil), bytes after the geometry ignored. The points take one allocation, the
// rings one and the polygons of a MultiPolygon one; each ring's and
// polygon's capacity is its length (they share arrays: appending to one
// copies it). ok is false, and nothing is allocated, for any other b, valid
// or not (measureWKB): the caller then asks wkb.Unmarshal.
func decodeWKB(b []byte) (g orb.Geometry, ok bool) {
	var d wkbDecoder
	if !d.measure(b) {
		return nil, false
	}
	d.alloc()
	return d.decode(b), true
}

// wkbDecoder decodes WKB geometries that measure has measured, taking their
// polygons, rings and points from the front of the arrays alloc made, so
// that the geometries of a page share three allocations.
type wkbDecoder struct {
	polys, rings, points int // measured, not yet allocated
	polyArr              []orb.Polygon
	ringArr              []orb.Ring
	pointArr             []orb.Point
}

// measure adds the polygons (of a MultiPolygon), rings and points of b to
// d's counts and reports true when b is WKB that decodeWKB decodes; else it
// counts nothing.
func (d *wkbDecoder) measure(b []byte) bool {
	if len(b) < 9 || b[0] != 1 {
		return false
	}
	switch binary.LittleEndian.Uint32(b[1:]) {
	case 3:
		rings, points, _, ok := countPolygon(b, 5)
		if ok {
			d.rings, d.points = d.rings+rings, d.points+points
		}
		return ok
	case 6:
		np := int(binary.LittleEndian.Uint32(b[5:]))
		rings, points, at := 0, 0, 9
		for range np {
			// A polygon: its own byte order and type, then its rings.
			if len(b)-at < 9 || b[at] != 1 || binary.LittleEndian.Uint32(b[at+1:]) != 3 {
				return false
			}
			r, p, end, ok := countPolygon(b, at+5)
			if !ok {
				return false
			}
			rings, points, at = rings+r, points+p, end
		}
		d.polys, d.rings, d.points = d.polys+np, d.rings+rings, d.points+points
		return true
	}
	return false
}

// alloc allocates the arrays for what measure counted.
func (d *wkbDecoder) alloc() {
	d.polyArr = make([]orb.Polygon, d.polys)
	d.ringArr = make([]orb.Ring, d.rings)
	d.pointArr = make([]orb.Point, d.points)
	d.polys, d.rings, d.points = 0, 0, 0
}

// decode decodes b, which measure accepted.
func (d *wkbDecoder) decode(b []byte) orb.Geometry {
	if binary.LittleEndian.Uint32(b[1:]) == 3 {
		p, _ := d.polygon(b, 5)
		return p
	}
	np := int(binary.LittleEndian.Uint32(b[5:]))
	mp := orb.MultiPolygon(d.polyArr[:np:np])
	d.polyArr = d.polyArr[np:]
	at := 9
	for i := range mp {
		mp[i], at = d.polygon(b, at+5)
	}
	return mp
}

// countPolygon counts the rings and points of the WKB polygon body (ring
// count, then rings) at b[at:], returning the position after it; ok is false
// when b is too short for it.
func countPolygon(b []byte, at int) (rings, points, end int, ok bool) {
	if len(b)-at < 4 {
		return 0, 0, 0, false
	}
	nr := int(binary.LittleEndian.Uint32(b[at:]))
	at += 4
	for range nr {
		if len(b)-at < 4 {
			return 0, 0, 0, false
		}
		np := uint64(binary.LittleEndian.Uint32(b[at:]))
		at += 4
		if uint64(len(b)-at) < np*16 {
			return 0, 0, 0, false
		}
		at += int(np) * 16
		rings++
		points += int(np)
	}
	return rings, points, at, true
}

// polygon decodes the polygon body at b[at:], returning the position after
// it.
func (d *wkbDecoder) polygon(b []byte, at int) (orb.Polygon, int) {
	nr := int(binary.LittleEndian.Uint32(b[at:]))
	at += 4
	p := orb.Polygon(d.ringArr[:nr:nr])
	d.ringArr = d.ringArr[nr:]
	for ri := range p {
		np := int(binary.LittleEndian.Uint32(b[at:]))
		at += 4
		r := d.pointArr[:np:np]
		d.pointArr = d.pointArr[np:]
		src := b[at : at+16*np]
		for i := range r {
			r[i] = orb.Point{
				math.Float64frombits(binary.LittleEndian.Uint64(src[16*i:])),
				math.Float64frombits(binary.LittleEndian.Uint64(src[16*i+8:])),
			}
		}
		at += 16 * np
		p[ri] = orb.Ring(r)
	}
	return p, at
}
