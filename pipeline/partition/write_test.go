package partition

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// sampleTracts reads the real tracts of testdata (see PROVENANCE.md) as a
// table with geoid and aland columns, with geom giving row i its polygon.
func sampleTracts(t testing.TB) (*frame.Table, func(i int) orb.Geometry, *geo.Layer) {
	t.Helper()
	l, err := geo.Read(context.Background(), "tract", filepath.Join("testdata", "tracts_oh_ga_4counties.geojson"), "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	r := frame.New()
	r.AddCol("geoid", table.String)
	r.AddCol("aland", table.Float)
	geoms := make([]orb.Geometry, len(l.Features))
	for i, f := range l.Features {
		r.AppendRow(map[string]any{"geoid": f.ID, "aland": f.Props["ALAND"]})
		geoms[i] = f.Geom
	}
	return r, func(i int) orb.Geometry { return geoms[i] }, l
}

// TestWriteRealTracts writes real tracts of two states partitioned by state
// and county and reads every file back. The counts per county (Ohio 39001:
// 6, 39003: 33; Georgia 13001: 5, 13003: 3) were counted independently in
// the GeoJSON with Python 3's json module.
func TestWriteRealTracts(t *testing.T) {
	tb, geom, l := sampleTracts(t)
	dir := t.TempDir()
	files, err := Write(context.Background(), dir, geom, tb, "geoid")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"state=13/county=001/part-0.parquet", "state=13/county=003/part-0.parquet",
		"state=39/county=001/part-0.parquet", "state=39/county=003/part-0.parquet",
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	counts := map[string]int{"state=13/county=001": 5, "state=13/county=003": 3, "state=39/county=001": 6, "state=39/county=003": 33}
	byID := map[string]orb.MultiPolygon{}
	for _, f := range l.Features {
		byID[f.ID] = f.Geom
	}
	for _, f := range files {
		got, err := geoparquet.ReadFile(context.Background(), filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(got.Geoms); n != counts[filepath.Dir(f)] {
			t.Errorf("%s: %d rows, want %d", f, n, counts[filepath.Dir(f)])
		}
		var names []string
		var ids []any
		for _, c := range got.Columns {
			names = append(names, c.Name)
			if c.Name == "geoid" {
				ids = c.Values
			}
		}
		sort.Strings(names)
		if diff := cmp.Diff([]string{"aland", "geoid"}, names); diff != "" {
			t.Fatalf("%s: columns (-want +got):\n%s", f, diff)
		}
		for i, g := range got.Geoms {
			id, _ := ids[i].(string)
			if !strings.Contains(f, "state="+id[:2]+"/county="+id[2:5]) {
				t.Errorf("%s holds tract %s", f, id)
			}
			if diff := cmp.Diff(orb.Geometry(byID[id]), g); diff != "" {
				t.Errorf("%s: geometry of %s changed (-want +got):\n%.500s", f, id, diff)
			}
		}
	}
}

// duckdbScript queries partitioned GeoParquet with DuckDB for Node. DuckDB
// (1.5) recognises the GeoParquet metadata and types the column GEOMETRY;
// the spatial extension that would give ST_ functions cannot be installed
// offline, so GeoParquet conversion is then turned off and the WKB read as a
// BLOB: its header (byte order 01 and type 06000000, a little-endian
// MultiPolygon) and the bbox covering column are checked.
const duckdbScript = `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const from = "read_parquet('" + process.argv[2] + "/**/*.parquet', hive_partitioning = true, hive_types = {'state': VARCHAR, 'county': VARCHAR})";
  const t = await c.runAndReadAll("SELECT DISTINCT typeof(geometry) AS t FROM " + from);
  await c.run("SET enable_geoparquet_conversion = false");
  const r = await c.runAndReadAll(` + "`" + `
    SELECT state, county, count(*)::INTEGER AS n,
      min(bbox.xmin) AS xmin, min(bbox.ymin) AS ymin, max(bbox.xmax) AS xmax, max(bbox.ymax) AS ymax,
      count(DISTINCT substr(hex(geometry), 1, 10))::INTEGER AS headers, min(substr(hex(geometry), 1, 10)) AS header
    FROM ` + "`" + ` + from + ` + "`" + ` GROUP BY ALL ORDER BY ALL` + "`" + `);
  console.log(JSON.stringify({types: t.getRowObjectsJson().map(x => x.t), rows: r.getRowObjectsJson()}));
})().catch(e => { console.error(e); process.exit(1); });
`

// testDeps returns the folder holding node_modules installed by
// scripts/install-test-deps.sh.
func testDeps() string {
	if d := os.Getenv("GROUNDWORK_TEST_DEPS"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "groundwork-test-deps")
}

// TestPartitionedReadByDuckDB checks that DuckDB reads the partitioned
// output directly: partition columns from the paths, row counts, the bbox
// covering and the WKB header. It needs node and @duckdb/node-api
// (scripts/install-test-deps.sh); without them it is skipped, unless CI=true.
func TestPartitionedReadByDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	deps := testDeps()
	if err == nil {
		_, err = os.Stat(filepath.Join(deps, "node_modules", "@duckdb", "node-api"))
	}
	if err != nil {
		msg := fmt.Sprintf("node or @duckdb/node-api missing (%v); run scripts/install-test-deps.sh", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tb, geom, l := sampleTracts(t)
	dir := t.TempDir()
	if _, err := Write(context.Background(), dir, geom, tb, "geoid"); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "read.js")
	if err := os.WriteFile(script, []byte(duckdbScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, dir)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(deps, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("duckdb: %v\n%s", err, stderr)
	}
	type row struct {
		State, County          string
		N                      int
		Xmin, Ymin, Xmax, Ymax float64
		Headers                int
		Header                 string
	}
	var res struct {
		Types []string
		Rows  []row
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("duckdb output %s: %v", out, err)
	}
	if diff := cmp.Diff([]string{"GEOMETRY('OGC:CRS84')"}, res.Types); diff != "" {
		t.Errorf("DuckDB's type for the geometry column (-want +got):\n%s", diff)
	}
	got := res.Rows
	// want: the same figures computed from the layer with orb's Bound.
	wantBy := map[string]*row{}
	var want []row
	for _, f := range l.Features {
		k := f.ID[:5]
		r := wantBy[k]
		if r == nil {
			r = &row{State: f.ID[:2], County: f.ID[2:5], Xmin: f.Bound.Min[0], Ymin: f.Bound.Min[1], Xmax: f.Bound.Max[0], Ymax: f.Bound.Max[1], Headers: 1, Header: "0106000000"}
			wantBy[k] = r
		}
		r.N++
		r.Xmin, r.Ymin = min(r.Xmin, f.Bound.Min[0]), min(r.Ymin, f.Bound.Min[1])
		r.Xmax, r.Ymax = max(r.Xmax, f.Bound.Max[0]), max(r.Ymax, f.Bound.Max[1])
	}
	for _, k := range []string{"13001", "13003", "39001", "39003"} {
		want = append(want, *wantBy[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DuckDB's view of the partitions (-want +got):\n%s", diff)
	}
}

func BenchmarkWrite(b *testing.B) {
	tb, geom, _ := sampleTracts(b)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(context.Background(), dir, geom, tb, "geoid"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteFileInChunks checks that WriteFile, which converts the rows a
// chunk at a time, writes the bytes of one geoparquet.WriteFile of the whole
// table: on a made-up table (not real places) of more than two chunks with
// every column type, nulls and missing geometries, on the real tracts, and on
// an empty table.
func TestWriteFileInChunks(t *testing.T) {
	ctx := context.Background()
	madeUp := frame.New()
	for _, c := range []struct {
		name string
		t    table.Type
	}{{"id", table.String}, {"n", table.Int}, {"x", table.Float}, {"ok", table.Bool}} {
		madeUp.AddCol(c.name, c.t)
	}
	for i := range 2*fileChunk + 77 {
		row := map[string]any{"id": fmt.Sprintf("p%06d", i), "x": float64(i) / 3, "ok": i%2 == 0}
		if i%11 != 0 {
			row["n"] = int64(i)
		}
		madeUp.AppendRow(row)
	}
	madeUpGeom := func(i int) orb.Geometry {
		if i%17 == 0 {
			return nil
		}
		return orb.Point{-84 + float64(i%500)/1000, 39 + float64(i/500)/1000}
	}
	tracts, tractGeom, _ := sampleTracts(t)
	empty := frame.New()
	empty.AddCol("id", table.String)
	for _, tt := range []struct {
		name string
		r    *frame.Table
		geom func(int) orb.Geometry
	}{
		{"made-up points", madeUp, madeUpGeom},
		{"real tracts", tracts, tractGeom},
		{"empty", empty, func(int) orb.Geometry { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			meta := map[string]string{"groundwork:table": tt.name}
			got, want := filepath.Join(dir, "got.parquet"), filepath.Join(dir, "want.parquet")
			if err := WriteFile(ctx, got, tt.r, tt.geom, meta); err != nil {
				t.Fatal(err)
			}
			whole := GeoTable(tt.r, tt.geom, tt.r.Cols(), nil)
			whole.Metadata = meta
			if err := geoparquet.WriteFile(ctx, want, whole); err != nil {
				t.Fatal(err)
			}
			g, _ := os.ReadFile(got)
			w, _ := os.ReadFile(want)
			if len(g) == 0 || string(g) != string(w) {
				t.Errorf("WriteFile wrote %d bytes that differ from the whole table's %d", len(g), len(w))
			}
		})
	}
}

// TestWriteFrameAsTable checks File.WriteFrame, the places stage's column
// writer, against File.Write of GeoTable (a value per cell, the points of
// PointGeom) on made-up places chunks (not real people): lon and lat with
// nulls of their own, every column type, a column the chunk lacks, chunks
// of odd sizes; and on chunks whose lon and lat are integers (PointGeom's
// other case) or absent. The files must be byte for byte the same.
func TestWriteFrameAsTable(t *testing.T) {
	ctx := context.Background()
	chunk := func(lo, hi int, lonType table.Type, withCoords bool) *frame.Table {
		r := frame.New()
		for _, c := range []struct {
			name string
			t    table.Type
		}{{"id", table.String}, {"n", table.Int}, {"ok", table.Bool}, {"lon", lonType}, {"lat", lonType}, {"tract", table.String}} {
			if withCoords || (c.name != "lon" && c.name != "lat") {
				r.AddCol(c.name, c.t)
			}
		}
		for i := lo; i < hi; i++ {
			row := map[string]any{"id": fmt.Sprintf("p%06d", i), "ok": i%3 == 0}
			if i%11 != 0 {
				row["n"] = int64(i)
			}
			if i%5 != 0 {
				row["tract"] = fmt.Sprintf("39%09d", i%300)
			}
			if withCoords {
				if i%13 != 0 {
					row["lon"] = -84 + float64(i%500)/1000
					if lonType == table.Int {
						row["lon"] = int64(-84 + i%3)
					}
				}
				if i%17 != 0 {
					row["lat"] = 39 + float64(i/500)/1000
					if lonType == table.Int {
						row["lat"] = int64(39 + i%2)
					}
				}
			}
			r.AppendRow(row)
		}
		return r
	}
	for _, tc := range []struct {
		name       string
		lonType    table.Type
		withCoords bool
	}{{"float coordinates", table.Float, true}, {"integer coordinates", table.Int, true}, {"no coordinates", table.Float, false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := chunk(0, 1, tc.lonType, tc.withCoords)
			cols := append(first.Cols(), "missing")
			first.AddCol("missing", table.String)
			files := map[string]string{}
			for _, how := range []string{"frame", "table"} {
				path := filepath.Join(dir, how+".parquet")
				w, err := NewFile(path, first, map[string]string{"groundwork:table": "people"})
				if err != nil {
					t.Fatal(err)
				}
				for lo, step := 0, 1; lo < 40000; lo, step = lo+step, step*4+3 {
					r := chunk(lo, min(40000, lo+step), tc.lonType, tc.withCoords)
					if how == "frame" {
						err = w.WriteFrame(ctx, r, cols)
					} else {
						err = w.Write(ctx, GeoTable(r, PointGeom(r), cols, nil))
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(path)
				files[how] = string(b)
			}
			if len(files["frame"]) == 0 || files["frame"] != files["table"] {
				t.Errorf("WriteFrame wrote %d bytes that differ from Write of GeoTable's %d", len(files["frame"]), len(files["table"]))
			}
		})
	}
}
