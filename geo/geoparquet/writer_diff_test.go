package geoparquet

// The differential test of the writer against the writer of 43cb557
// (oldWriter, oldwriter_test.go), on real data: the files must be the same
// byte for byte.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// schoolsBatch is the real CDE schools directory of Alameda County
// (geo/testdata/PROVENANCE.md) as a Batch of points, its rows times
// over: every column as text (an empty cell is a null), Latitude and
// Longitude as doubles (null where empty; the point from them, a null
// geometry where either is missing), CDSCode also as an int64 and Charter
// as a bool (Y or N; null otherwise).
func schoolsBatch(t testing.TB, times int) ([]Column, *Batch) {
	t.Helper()
	f, err := os.Open("../testdata/alameda_public_schools_cde_2018.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, rows := recs[0], recs[1:]
	n := len(rows) * times
	b := &Batch{Len: n, X: make([]float64, n), Y: make([]float64, n), PointOK: make([]bool, n)}
	var cols []Column
	str := func(name string, j int) {
		v := Values{Valid: make([]bool, n), Strings: make([]string, n)}
		for i := range n {
			v.Strings[i] = rows[i%len(rows)][j]
			v.Valid[i] = v.Strings[i] != ""
		}
		cols, b.Columns = append(cols, Column{Name: name, Kind: "string"}), append(b.Columns, v)
	}
	num := func(name string, j int) []float64 {
		v := Values{Valid: make([]bool, n), Float64s: make([]float64, n)}
		for i := range n {
			x, err := strconv.ParseFloat(rows[i%len(rows)][j], 64)
			v.Float64s[i], v.Valid[i] = x, err == nil
		}
		cols, b.Columns = append(cols, Column{Name: name, Kind: "float64"}), append(b.Columns, v)
		return v.Float64s
	}
	for j, name := range head {
		switch name {
		case "Latitude":
			copy(b.Y, num(name, j))
		case "Longitude":
			copy(b.X, num(name, j))
		case "CDSCode":
			str(name, j)
			v := Values{Valid: make([]bool, n), Int64s: make([]int64, n)}
			for i := range n {
				x, err := strconv.ParseInt(rows[i%len(rows)][j], 10, 64)
				v.Int64s[i], v.Valid[i] = x, err == nil
			}
			cols, b.Columns = append(cols, Column{Name: "cds", Kind: "int64"}), append(b.Columns, v)
		case "Charter":
			str(name, j)
			v := Values{Valid: make([]bool, n), Bools: make([]bool, n)}
			for i := range n {
				c := rows[i%len(rows)][j]
				v.Bools[i], v.Valid[i] = c == "Y", c == "Y" || c == "N"
			}
			cols, b.Columns = append(cols, Column{Name: "charter", Kind: "bool"}), append(b.Columns, v)
		default:
			str(name, j)
		}
	}
	for i := range n {
		r := rows[i%len(rows)]
		_, e1 := strconv.ParseFloat(r[len(head)-3], 64)
		_, e2 := strconv.ParseFloat(r[len(head)-2], 64)
		b.PointOK[i] = e1 == nil && e2 == nil
	}
	return cols, b
}

// tractsBatch is the real Alameda 2010 tracts (geo/testdata, 360
// multipolygons) with their text properties, as a Batch of geometries;
// every 9th geometry is made null (made-up damage, to have nulls).
func tractsBatch(t testing.TB) ([]Column, *Batch) {
	t.Helper()
	data, err := os.ReadFile("../testdata/alameda_tracts_2010.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"GEOID", "STATEFP", "COUNTYFP", "TRACTCE", "udp_typology_2018"}
	n := len(fc.Features)
	b := &Batch{Len: n, Geoms: make([]orb.Geometry, n)}
	var cols []Column
	for _, name := range names {
		v := Values{Valid: make([]bool, n), Strings: make([]string, n)}
		for i, f := range fc.Features {
			v.Strings[i], v.Valid[i] = f.Properties[name].(string)
		}
		cols, b.Columns = append(cols, Column{Name: name, Kind: "string"}), append(b.Columns, v)
	}
	for i, f := range fc.Features {
		if i%9 != 4 {
			b.Geoms[i] = f.Geometry
		}
	}
	return cols, b
}

// sliceBatch is rows [lo, hi) of b.
func sliceBatch(b *Batch, lo, hi int) *Batch {
	s := &Batch{Len: hi - lo}
	if b.Geoms != nil {
		s.Geoms = b.Geoms[lo:hi]
	} else {
		s.X, s.Y, s.PointOK = b.X[lo:hi], b.Y[lo:hi], b.PointOK[lo:hi]
	}
	for _, c := range b.Columns {
		v := Values{Valid: c.Valid[lo:hi]}
		switch {
		case c.Strings != nil:
			v.Strings = c.Strings[lo:hi]
		case c.Int64s != nil:
			v.Int64s = c.Int64s[lo:hi]
		case c.Float64s != nil:
			v.Float64s = c.Float64s[lo:hi]
		default:
			v.Bools = c.Bools[lo:hi]
		}
		s.Columns = append(s.Columns, v)
	}
	return s
}

// writeBatches writes b in pieces of the sizes steps cycles through (nil:
// one piece) with the writer (old: oldWriter) and returns the file.
func writeBatches(t testing.TB, cols []Column, b *Batch, steps []int, old bool) []byte {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	meta := map[string]string{"groundwork:table": "test"}
	var write func(*Batch) error
	var closeW func() error
	if old {
		w, err := newOldWriter(&buf, cols, meta)
		if err != nil {
			t.Fatal(err)
		}
		write, closeW = func(p *Batch) error { return w.WriteBatch(ctx, p) }, w.Close
	} else {
		w, err := NewWriter(&buf, cols, meta)
		if err != nil {
			t.Fatal(err)
		}
		write, closeW = func(p *Batch) error { return w.WriteBatch(ctx, p) }, w.Close
	}
	if steps == nil {
		steps = []int{max(b.Len, 1)}
	}
	for lo, s := 0, 0; lo < b.Len; s++ {
		hi := min(b.Len, lo+steps[s%len(steps)])
		if err := write(sliceBatch(b, lo, hi)); err != nil {
			t.Fatal(err)
		}
		lo = hi
	}
	if err := closeW(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriterMatchesOld checks that the writer's files are those of the
// writer of 43cb557 (oldWriter) byte for byte, at GOMAXPROCS 1 and 2: on
// the real schools directory (points with nulls, text, doubles, an int64
// and a bool column; once, and 40 times over: three row groups, given in
// one batch and in pieces across the 64-row runs, the 1,024-row batches
// and the row groups), on the real Alameda tracts (multipolygons, some
// made null), and on the made-up places-like table (placesTable).
func TestWriterMatchesOld(t *testing.T) {
	type tc struct {
		name  string
		cols  []Column
		b     *Batch
		steps []int
	}
	var cases []tc
	cols, b := schoolsBatch(t, 1)
	cases = append(cases, tc{"schools", cols, b, nil}, tc{"schools, rows one by one", cols, b, []int{1}})
	cols, b = schoolsBatch(t, 40)
	cases = append(cases, tc{"schools x40", cols, b, nil},
		tc{"schools x40, odd pieces", cols, b, []int{1, 63, 65, 1000, 1025, 5000, RowGroupRows - 3}})
	cols, b = tractsBatch(t)
	cases = append(cases, tc{"alameda tracts", cols, b, nil}, tc{"alameda tracts, pieces", cols, b, []int{7, 100}})
	places := placesTable(3*RowGroupRows + 77)
	cases = append(cases, tc{"made-up places", columnsOf(places), pointsBatch(t, places), nil})
	for _, procs := range []int{1, 2} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s, GOMAXPROCS %d", c.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				want := writeBatches(t, c.cols, c.b, c.steps, true)
				got := writeBatches(t, c.cols, c.b, c.steps, false)
				if !bytes.Equal(got, want) {
					t.Errorf("%d bytes, the old writer's %d; they differ from byte %d", len(got), len(want), firstDiff(got, want))
				}
			})
		}
	}
}

// firstDiff is the offset of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
