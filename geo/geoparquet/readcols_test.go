package geoparquet_test

// Differential tests of Read's column-wise path (readColumns, decodeWKB)
// against its row loop and orb's WKB decoder, on real Census boundaries and
// on made-up tables.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// realBoundaries are real Census Bureau cartographic boundary files (see
// geo/testdata/PROVENANCE.md).
var realBoundaries = []string{
	"../testdata/cb_2018_39_tract_500k.zip",
	"../../testdata/atlanta/cb_2018_13_tract_500k.zip",
	"../testdata/alameda_tracts_2010.geojson",
}

// readBoth reads data through Read's row loop alone and through its
// column-wise path alone (failing if that path would fall back).
func readBoth(t *testing.T, data []byte) (rows, cols *geoparquet.Table) {
	t.Helper()
	ctx := context.Background()
	read := func(rowsOnly bool) *geoparquet.Table {
		defer geoparquet.ReadRowsOnly(rowsOnly)()
		tab, err := geoparquet.Read(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("rows only %v: %v", rowsOnly, err)
		}
		return tab
	}
	return read(true), read(false)
}

// sameGeometry reports whether a and b are deeply equal (the same types,
// nil and empty slices told apart) with coordinates equal to the bit.
func sameGeometry(a, b orb.Geometry) bool {
	if !reflect.DeepEqual(a, b) && !hasNaN(a) {
		return false
	}
	var pa, pb []orb.Point
	collect := func(g orb.Geometry, out *[]orb.Point) {
		switch g := g.(type) {
		case orb.Polygon:
			for _, r := range g {
				*out = append(*out, r...)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					*out = append(*out, r...)
				}
			}
		case orb.Point:
			*out = append(*out, g)
		}
	}
	collect(a, &pa)
	collect(b, &pb)
	if len(pa) != len(pb) || reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	for i := range pa {
		for k := range 2 {
			if math.Float64bits(pa[i][k]) != math.Float64bits(pb[i][k]) {
				return false
			}
		}
	}
	return true
}

func hasNaN(g orb.Geometry) bool {
	found := false
	check := func(r orb.Ring) {
		for _, p := range r {
			found = found || p[0] != p[0] || p[1] != p[1]
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			check(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				check(r)
			}
		}
	}
	return found
}

// capsAreLens reports a polygon or ring of g whose capacity is not its
// length: decodeWKB's share arrays, and appending to one must not reach the
// next.
func capsAreLens(g orb.Geometry) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		if cap(g) != len(g) {
			return fmt.Errorf("a multipolygon of %d polygons has capacity %d", len(g), cap(g))
		}
		polys = g
	}
	for _, p := range polys {
		if cap(p) != len(p) {
			return fmt.Errorf("a polygon of %d rings has capacity %d", len(p), cap(p))
		}
		for _, r := range p {
			if cap(r) != len(r) {
				return fmt.Errorf("a ring of %d points has capacity %d", len(r), cap(r))
			}
		}
	}
	return nil
}

// sameTable fails t unless got and want hold the same CRS, geometries
// (sameGeometry) and columns (names, kinds and values, floats to the bit).
func sameTable(t *testing.T, got, want *geoparquet.Table) {
	t.Helper()
	if !reflect.DeepEqual(got.CRS, want.CRS) {
		t.Fatalf("CRS %v, want %v", got.CRS, want.CRS)
	}
	if len(got.Geoms) != len(want.Geoms) || (got.Geoms == nil) != (want.Geoms == nil) {
		t.Fatalf("%d geometries, want %d", len(got.Geoms), len(want.Geoms))
	}
	for i := range want.Geoms {
		if !sameGeometry(got.Geoms[i], want.Geoms[i]) {
			t.Fatalf("row %d: geometry %v, want %v", i, got.Geoms[i], want.Geoms[i])
		}
		if err := capsAreLens(got.Geoms[i]); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if len(got.Columns) != len(want.Columns) {
		t.Fatalf("%d columns, want %d", len(got.Columns), len(want.Columns))
	}
	for c := range want.Columns {
		g, w := got.Columns[c], want.Columns[c]
		if g.Name != w.Name || g.Kind != w.Kind || len(g.Values) != len(w.Values) || (g.Values == nil) != (w.Values == nil) {
			t.Fatalf("column %d: %s %q %d values, want %s %q %d", c, g.Name, g.Kind, len(g.Values), w.Name, w.Kind, len(w.Values))
		}
		for i := range w.Values {
			gv, wv := g.Values[i], w.Values[i]
			gf, gok := gv.(float64)
			wf, wok := wv.(float64)
			if gok && wok && math.Float64bits(gf) == math.Float64bits(wf) {
				continue
			}
			if !reflect.DeepEqual(gv, wv) {
				t.Fatalf("column %s row %d: %#v, want %#v", w.Name, i, gv, wv)
			}
		}
	}
}

// realTable reads the real boundaries into one table as geo.WriteGeoParquet
// writes them (GEOID, then the other properties), each file copied copies
// times with the GEOIDs prefixed by the copy (made-up IDs, real geometry), so
// that it spans several row groups.
func realTable(t *testing.T, copies int) []byte {
	t.Helper()
	ctx := context.Background()
	all := &geo.Layer{Name: "real"}
	for _, path := range realBoundaries {
		if _, err := os.Stat(path); err != nil {
			t.Logf("skipping %s: %v", path, err)
			continue
		}
		l, err := geo.Read(ctx, "b", path, "GEOID")
		if err != nil {
			t.Fatal(err)
		}
		for c := range copies {
			for _, f := range l.Features {
				f.ID = fmt.Sprintf("%s-%d-%s", filepath.Base(path), c, f.ID)
				all.Features = append(all.Features, f)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "real.parquet")
	if err := geo.WriteGeoParquet(ctx, out, all, "GEOID"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReadColumnsMatchesRows: Read's column-wise path gives the table its
// row loop gives, on the real Census boundaries written by
// geo.WriteGeoParquet (several row groups, read on several goroutines), on
// made-up tables with every column type, nulls and a null geometry, and on
// files written by Apache Arrow (dictionary pages, Snappy, small pages and
// row groups).
func TestReadColumnsMatchesRows(t *testing.T) {
	files := map[string][]byte{"real boundaries": realTable(t, 4)}
	var buf bytes.Buffer
	if err := geoparquet.Write(context.Background(), &buf, madeUpTable()); err != nil {
		t.Fatal(err)
	}
	files["made-up table"] = buf.Bytes()
	for _, dict := range []bool{false, true} {
		files[fmt.Sprintf("arrow, dictionary %v", dict)] = arrowTable(t, dict)
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			rows, cols := readBoth(t, data)
			if len(rows.Geoms) == 0 {
				t.Fatal("no rows")
			}
			sameTable(t, cols, rows)
		})
	}
}

// madeUpTable is a small made-up table (not real places): polygons,
// multipolygons with holes, a point, a null geometry, and a string, int,
// float and bool column with nulls.
func madeUpTable() *geoparquet.Table {
	sq := orb.Polygon{{{-122, 37}, {-121, 37}, {-121, 38}, {-122, 37}}, {{-121.5, 37.2}, {-121.4, 37.2}, {-121.4, 37.3}, {-121.5, 37.2}}}
	tri := orb.Polygon{{{-120, 36}, {-119, 36}, {-119.5, 36.5}, {-120, 36}}}
	return &geoparquet.Table{
		Geoms: []orb.Geometry{orb.MultiPolygon{sq, tri}, sq, nil, orb.Point{-122, 37}, tri},
		Columns: []geoparquet.Column{
			{Name: "id", Values: []any{"a", "", nil, "d", "é"}},
			{Name: "pop", Values: []any{int64(10), nil, int64(30), int64(-4), int64(0)}},
			{Name: "share", Values: []any{0.5, math.Copysign(0, -1), nil, 1e300, 0.1}},
			{Name: "flag", Values: []any{true, false, nil, true, false}},
		},
	}
}

// arrowTable writes a made-up table with Apache Arrow's pqarrow: 3,000 rows
// of made-up squares (every 7th a two-square MultiPolygon, every 11th
// null), a nullable string, an int32 and a double column, in row groups of
// 1,000 rows and pages of 4 KiB, Snappy, with or without dictionaries.
func arrowTable(t *testing.T, dict bool) []byte {
	t.Helper()
	mem := memory.DefaultAllocator
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "geometry", Type: arrow.BinaryTypes.Binary, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range 3000 {
		x, y := -100+float64(i%50)/10, 30+float64(i/50)/10
		sq := orb.Polygon{{{x, y}, {x + 0.05, y}, {x + 0.05, y + 0.05}, {x, y}}}
		var g orb.Geometry = sq
		if i%7 == 0 {
			g = orb.MultiPolygon{sq, {{{x, y + 0.06}, {x + 0.01, y + 0.06}, {x, y + 0.07}, {x, y + 0.06}}}}
		}
		if i%13 == 0 {
			b.Field(0).(*array.StringBuilder).AppendNull()
			b.Field(1).(*array.Int32Builder).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("kind%d", i%5))
			b.Field(1).(*array.Int32Builder).Append(int32(i) - 1500)
		}
		b.Field(2).(*array.Float64Builder).Append(float64(i) / 3)
		if i%11 == 0 {
			b.Field(3).(*array.BinaryBuilder).AppendNull()
		} else {
			w, err := wkb.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			b.Field(3).(*array.BinaryBuilder).Append(w)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithDictionaryDefault(dict), parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(1000), parquet.WithDataPageSize(4096))
	fw, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.AppendKeyValueMetadata("geo", `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":["Polygon","MultiPolygon"]}}}`); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wkbCases are made-up WKB geometries (not real places) of the shapes
// decodeWKB decodes, edge cases among them: empty rings, polygons and
// multipolygons, -0, NaN and infinite coordinates, bytes after the geometry.
func wkbCases(t testing.TB) [][]byte {
	t.Helper()
	nan, neg0 := math.NaN(), math.Copysign(0, -1)
	geoms := []orb.Geometry{
		orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
		orb.Polygon{{{neg0, nan}, {math.Inf(1), neg0}, {1, math.Inf(-1)}, {neg0, nan}}, {}},
		orb.Polygon{},
		orb.Polygon{{}},
		orb.MultiPolygon{},
		orb.MultiPolygon{{}},
		orb.MultiPolygon{{{}}, {{{2, 2}, {3, 2}, {2, 3}, {2, 2}}, {{2.1, 2.1}, {2.2, 2.1}, {2.1, 2.2}, {2.1, 2.1}}}},
	}
	var out [][]byte
	for _, g := range geoms {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b, append(bytes.Clone(b), 1, 2, 3, 4, 5, 6, 7, 8, 9))
	}
	return out
}

// sameDecode fails t unless decodeWKB(b) is, when it decodes b, what
// wkb.Unmarshal gives (which must then succeed); it reports whether it
// decoded.
func sameDecode(t testing.TB, b []byte) bool {
	t.Helper()
	got, ok := geoparquet.DecodeWKB(b)
	want, err := wkb.Unmarshal(b)
	if !ok {
		if got != nil {
			t.Fatalf("% x: not decoded, but gave %v", b, got)
		}
		return false
	}
	if err != nil {
		t.Fatalf("% x: decoded %v where wkb.Unmarshal fails: %v", b, got, err)
	}
	if !sameGeometry(got, want) {
		t.Fatalf("% x: decoded %#v, wkb.Unmarshal %#v", b, got, want)
	}
	if err := capsAreLens(got); err != nil {
		t.Fatalf("% x: %v", b, err)
	}
	return true
}

// TestDecodeWKBMatchesOrb: decodeWKB decodes what wkb.Unmarshal decodes, to
// the bit, for every geometry of the real boundaries and the made-up edge
// cases (wkbCases), and refuses (leaving it to wkb.Unmarshal) every
// truncation of them, big-endian WKB, SRID and Z flags, and a
// MultiPolygon holding a big-endian polygon.
func TestDecodeWKBMatchesOrb(t *testing.T) {
	cases := wkbCases(t)
	real := realTable(t, 1)
	tab, err := geoparquet.Read(context.Background(), bytes.NewReader(real), int64(len(real)))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range tab.Geoms {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, b)
	}
	if len(cases) < 5000 {
		t.Fatalf("only %d geometries", len(cases))
	}
	for i, b := range cases {
		if !sameDecode(t, b) {
			t.Fatalf("case %d (% x): not decoded", i, b[:min(len(b), 16)])
		}
		if i < 200 {
			for n := range len(b) {
				sameDecode(t, b[:n])
			}
		}
	}
	poly := cases[0]
	be, err := wkb.Marshal(orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, binary.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	flagged := func(b []byte, typ uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[1:], typ)
		return b
	}
	mpBE := append([]byte{1, 6, 0, 0, 0, 1, 0, 0, 0}, be...)
	for name, b := range map[string][]byte{
		"big-endian":                   be,
		"EWKB SRID flag":               flagged(poly, 3|0x20000000),
		"ISO Z polygon":                flagged(poly, 1003),
		"type 0x13":                    flagged(poly, 0x13),
		"multipolygon of a big-endian": mpBE,
		"point":                        {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	} {
		if sameDecode(t, b) {
			t.Errorf("%s: decoded; it should be left to wkb.Unmarshal", name)
		}
	}
}

func FuzzDecodeWKB(f *testing.F) {
	for _, b := range wkbCases(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameDecode(t, b) })
}
