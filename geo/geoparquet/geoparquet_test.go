package geoparquet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/groundwork-org/groundwork/geo/crs"
	pq "github.com/parquet-go/parquet-go"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func wkbOf(g orb.Geometry) ([]byte, error) { return wkb.Marshal(g) }

// madeUpTable is a small made-up table (not real places) with every column
// type, nulls and a null geometry.
func madeUpTable() *Table {
	sq := orb.Polygon{{{-122, 37}, {-121, 37}, {-121, 38}, {-122, 37}}}
	return &Table{
		Geoms: []orb.Geometry{orb.MultiPolygon{sq}, sq, nil},
		Columns: []Column{
			{Name: "id", Values: []any{"a", "b", "c"}},
			{Name: "pop", Values: []any{int64(10), nil, 30}},
			{Name: "share", Values: []any{0.5, 0.25, nil}},
			{Name: "flag", Values: []any{true, false, true}},
			{Name: "mixed", Values: []any{"x", 1.5, []any{"y"}}},
		},
	}
}

func write(t testing.TB, tab *Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, tab); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	data := write(t, madeUpTable())
	got, err := Read(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !got.CRS.IsLonLat() {
		t.Errorf("CRS %s, want lon/lat", got.CRS)
	}
	want := madeUpTable()
	if len(got.Geoms) != 3 || !orb.Equal(got.Geoms[0], want.Geoms[0]) || !orb.Equal(got.Geoms[1], want.Geoms[1]) || got.Geoms[2] != nil {
		t.Errorf("geometries %v, want %v", got.Geoms, want.Geoms)
	}
	wantCols := map[string][]any{
		"id":    {"a", "b", "c"},
		"pop":   {int64(10), nil, int64(30)},
		"share": {0.5, 0.25, nil},
		"flag":  {true, false, true},
		"mixed": {`"x"`, "1.5", `["y"]`}, // mixed types are kept as JSON text
	}
	if len(got.Columns) != len(wantCols) {
		t.Fatalf("columns %v, want %d", got.Columns, len(wantCols))
	}
	for _, c := range got.Columns {
		if fmt.Sprint(c.Values) != fmt.Sprint(wantCols[c.Name]) {
			t.Errorf("column %s = %#v, want %#v", c.Name, c.Values, wantCols[c.Name])
		}
	}
}

// TestArrowReads checks the file with an independent Parquet implementation,
// Apache Arrow's pqarrow (arrow-go v18.8.0): the rows, the WKB column, the
// bbox covering struct, and the "geo" metadata required by GeoParquet 1.1.
func TestArrowReads(t *testing.T) {
	data := write(t, madeUpTable())
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), parquet.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 3 {
		t.Errorf("arrow sees %d rows, want 3", tbl.NumRows())
	}
	fields := map[string]arrow.DataType{}
	for _, f := range tbl.Schema().Fields() {
		fields[f.Name] = f.Type
	}
	if fields["geometry"] == nil || fields["geometry"].ID() != arrow.BINARY {
		t.Errorf("geometry column type %v, want binary", fields["geometry"])
	}
	st, ok := fields["bbox"].(*arrow.StructType)
	if !ok || st.NumFields() != 4 {
		t.Fatalf("bbox column type %v, want a struct of 4 doubles", fields["bbox"])
	}
	for _, n := range []string{"xmin", "ymin", "xmax", "ymax"} {
		if f, ok := st.FieldByName(n); !ok || f.Type.ID() != arrow.FLOAT64 {
			t.Errorf("bbox.%s missing or not double", n)
		}
	}
	// bbox of row 0 from arrow.
	col := tbl.Column(tbl.Schema().FieldIndices("bbox")[0]).Data().Chunk(0).(*array.Struct)
	xi, _ := st.FieldIdx("xmin")
	yi, _ := st.FieldIdx("ymax")
	xmin := col.Field(xi).(*array.Float64).Value(0)
	ymax := col.Field(yi).(*array.Float64).Value(0)
	if xmin != -122 || ymax != 38 {
		t.Errorf("row 0 bbox xmin %g ymax %g, want -122 38", xmin, ymax)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mdp := pf.MetaData().KeyValueMetadata().FindValue("geo")
	if mdp == nil {
		t.Fatal("no geo metadata seen by arrow")
	}
	md := *mdp
	var meta struct {
		Version       string `json:"version"`
		PrimaryColumn string `json:"primary_column"`
		Columns       map[string]struct {
			Encoding      string                         `json:"encoding"`
			GeometryTypes []string                       `json:"geometry_types"`
			BBox          []float64                      `json:"bbox"`
			Covering      map[string]map[string][]string `json:"covering"`
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(md), &meta); err != nil {
		t.Fatal(err)
	}
	g := meta.Columns["geometry"]
	if meta.Version != "1.1.0" || meta.PrimaryColumn != "geometry" || g.Encoding != "WKB" ||
		fmt.Sprint(g.GeometryTypes) != "[MultiPolygon Polygon]" || fmt.Sprint(g.BBox) != "[-122 37 -121 38]" ||
		fmt.Sprint(g.Covering["bbox"]["xmin"]) != "[bbox xmin]" {
		t.Errorf("geo metadata %s", md)
	}
}

// rewrite writes a made-up file whose "geo" metadata is replaced.
func rewrite(t testing.TB, geo string) []byte {
	var buf bytes.Buffer
	schema := pq.NewSchema("schema", pq.Group{"geometry": pq.Optional(pq.Leaf(pq.ByteArrayType))})
	opts := []pq.WriterOption{schema}
	if geo != "" {
		opts = append(opts, pq.KeyValueMetadata("geo", geo))
	}
	w := pq.NewWriter(&buf, opts...)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		want  string
		isCRS bool
	}{
		{"not parquet", []byte("hello world, not parquet"), "not a parquet file", false},
		{"no geo metadata", rewrite(t, ""), "no \"geo\" metadata", false},
		{"geoarrow encoding", rewrite(t, `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"multipolygon","geometry_types":[]}}}`), "only WKB", false},
		{"null crs", rewrite(t, `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":[],"crs":null}}}`), "undefined", true},
		{"unknown crs", rewrite(t, `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":[],"crs":{"id":{"authority":"EPSG","code":2154}}}}}`), "EPSG:2154", true},
		{"primary column missing", rewrite(t, `{"version":"1.1.0","primary_column":"geom","columns":{"geom":{"encoding":"WKB","geometry_types":[]}}}`), "not a top-level column", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if errors.Is(err, crs.ErrUnknown) != tt.isCRS {
				t.Errorf("errors.Is(err, crs.ErrUnknown) = %v, want %v", !tt.isCRS, tt.isCRS)
			}
		})
	}
}

func TestWriteRefusesProjected(t *testing.T) {
	c, err := crs.FromEPSG(5070)
	if err != nil {
		t.Fatal(err)
	}
	tab := madeUpTable()
	tab.CRS = c
	if err := Write(context.Background(), &bytes.Buffer{}, tab); err == nil || !strings.Contains(err.Error(), "lon/lat") {
		t.Errorf("err = %v, want a refusal naming lon/lat", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(write(f, madeUpTable()))
	f.Add(rewrite(f, `{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":[]}}}`))
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, c := range tab.Columns {
			if len(c.Values) != len(tab.Geoms) {
				t.Fatalf("column %s has %d values for %d rows", c.Name, len(c.Values), len(tab.Geoms))
			}
		}
	})
}

// TestReadArrowWritten reads a GeoParquet file written by an independent
// Parquet implementation, Apache Arrow's pqarrow (arrow-go v18.8.0, default
// properties: dictionary encoding, Snappy), with GeoParquet 1.0.0 metadata
// and a PROJJSON crs naming EPSG:4269 (NAD83, taken as lon/lat). The rows
// are made up.
func TestReadArrowWritten(t *testing.T) {
	sq, err := wkbOf(orb.Polygon{{{-84, 39}, {-83, 39}, {-83, 40}, {-84, 39}}})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.DefaultAllocator
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "GEOID", Type: arrow.BinaryTypes.String},
		{Name: "pop", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "geometry", Type: arrow.BinaryTypes.Binary},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"39049004000", "39049004100", "39049004000"}, nil)
	b.Field(1).(*array.Int32Builder).AppendValues([]int32{2500, 0, 7}, []bool{true, false, true})
	b.Field(2).(*array.BinaryBuilder).AppendValues([][]byte{sq, sq, sq}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	geo := `{"version":"1.0.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":["Polygon"],"crs":{"type":"GeographicCRS","name":"NAD83","id":{"authority":"EPSG","code":4269}}}}}`
	if err := fw.AppendKeyValueMetadata("geo", geo); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !tab.CRS.IsLonLat() || tab.CRS.EPSG != 4269 {
		t.Errorf("CRS %s, want NAD83 lon/lat", tab.CRS)
	}
	if len(tab.Geoms) != 3 || !orb.Equal(tab.Geoms[2], orb.Polygon{{{-84, 39}, {-83, 39}, {-83, 40}, {-84, 39}}}) {
		t.Errorf("geometries %v", tab.Geoms)
	}
	got := map[string]string{}
	for _, c := range tab.Columns {
		got[c.Name] = fmt.Sprint(c.Values)
	}
	if got["GEOID"] != "[39049004000 39049004100 39049004000]" || got["pop"] != "[2500 <nil> 7]" {
		t.Errorf("columns %v", got)
	}
}

// bigTable is a made-up table of n rows (points on a made-up lattice, not
// real places) with a string, an int and a float column, some nulls.
func bigTable(n int) *Table {
	t := &Table{Geoms: make([]orb.Geometry, n), Columns: []Column{{Name: "id"}, {Name: "n", Kind: "int64"}, {Name: "x", Kind: "float64"}}}
	for c := range t.Columns {
		t.Columns[c].Values = make([]any, n)
	}
	for i := range n {
		if i%97 != 0 {
			t.Geoms[i] = orb.Point{-120 + float64(i%1000)/1000, 35 + float64(i/1000)/1000}
		}
		t.Columns[0].Values[i] = fmt.Sprintf("p%07d", i)
		if i%13 != 0 {
			t.Columns[1].Values[i] = int64(i)
		}
		t.Columns[2].Values[i] = float64(i) / 7
	}
	return t
}

// slice returns rows [lo, hi) of t.
func slice(t *Table, lo, hi int) *Table {
	out := &Table{Geoms: t.Geoms[lo:hi]}
	for _, c := range t.Columns {
		out.Columns = append(out.Columns, Column{Name: c.Name, Kind: c.Kind, Values: c.Values[lo:hi]})
	}
	return out
}

// TestWriteBoundedRowGroups checks that a file of more than RowGroupRows
// rows is cut into row groups of at most RowGroupRows (so neither the writer
// nor a reader holds the whole file) and that every value reads back, whether
// the rows were given to the Writer as one table or as tables of odd sizes
// across batch and row-group boundaries. (parquet-go's page boundaries
// depend on how rows are handed to it, so the bytes may differ; the values
// may not.)
func TestWriteBoundedRowGroups(t *testing.T) {
	ctx := context.Background()
	n := 2*RowGroupRows + 1234
	tab := bigTable(n)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, []Column{{Name: "id", Kind: "string"}, {Name: "n", Kind: "int64"}, {Name: "x", Kind: "float64"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for lo, step := 0, 1; lo < n; lo, step = lo+step, step*3+1 {
		if err := w.Write(ctx, slice(tab, lo, min(n, lo+step))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"one table": write(t, tab), "pieces": buf.Bytes()} {
		f, err := pq.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int64
		for _, rg := range f.RowGroups() {
			sizes = append(sizes, rg.NumRows())
		}
		if want := []int64{RowGroupRows, RowGroupRows, 1234}; fmt.Sprint(sizes) != fmt.Sprint(want) {
			t.Errorf("%s: row groups of %v rows, want %v", name, sizes, want)
		}
		got, err := Read(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Geoms) != n {
			t.Fatalf("%s: read %d rows, want %d", name, len(got.Geoms), n)
		}
		for i := range n {
			if (got.Geoms[i] == nil) != (tab.Geoms[i] == nil) || got.Geoms[i] != nil && !orb.Equal(got.Geoms[i], tab.Geoms[i]) {
				t.Fatalf("%s: row %d: geometry %v, want %v", name, i, got.Geoms[i], tab.Geoms[i])
			}
			for c := range tab.Columns {
				if g, w := got.Columns[c].Values[i], tab.Columns[c].Values[i]; g != w {
					t.Fatalf("%s: row %d column %s: %v, want %v", name, i, tab.Columns[c].Name, g, w)
				}
			}
		}
	}
}
