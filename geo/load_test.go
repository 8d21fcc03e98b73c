package geo

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// realBoundaries are the real boundary files of the repository and of
// ../shared/data (copied here: read their PROVENANCE.md), with the
// property that identifies their features.
var realBoundaries = []struct{ path, id string }{
	{"testdata/cb_2018_39_tract_500k.zip", "GEOID"},
	{"../testdata/atlanta/cb_2018_13_tract_500k.zip", "GEOID"},
	{"testdata/ohio_3tracts.zip", "GEOID"},
	{"testdata/ohio_3tracts_epsg3735.zip", "GEOID"},
	{"testdata/alameda_tracts_2010.geojson", "GEOID"},
	{"testdata/alameda_3tracts_epsg3310.geojson", "GEOID"},
	{"testdata/oakland_tracts_2020_clipped.geojson", "GEOID"},
	{"../pipeline/demo/oakland/oakland_city_boundary_2020.geojson", "NAME"},
	{"../pipeline/demo/oakland/oakland_neighborhoods.geojson", "name"},
	{"../pipeline/testdata/alameda_tracts_2010_shp.zip", "GEOID"},
	{"../pipeline/partition/testdata/tracts_oh_ga_4counties.geojson", "GEOID"},
}

// decodeFeatures decodes a GeoJSON or zipped shapefile boundary into lon/lat
// GeoJSON features, as ReadGeoJSON and ReadShapefile do before building the
// layer.
func decodeFeatures(t testing.TB, path, idProp string) *geojson.FeatureCollection {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".zip") {
		sf, err := readShapefileZip(data)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := shapefileFeatures(path, sf, idProp)
		if err != nil {
			t.Fatal(err)
		}
		return fc
	}
	c, err := geojsonCRS(path, data)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	reproject(fc, c)
	return fc
}

// sameLayer fails t unless got and want are deeply equal, with bounds equal
// to the bit (reflect.DeepEqual takes -0 for +0).
func sameLayer(t *testing.T, got, want *Layer) {
	t.Helper()
	if len(got.Features) != len(want.Features) {
		t.Fatalf("%d features, want %d", len(got.Features), len(want.Features))
	}
	bits := func(b orb.Bound) [4]uint64 {
		return [4]uint64{math.Float64bits(b.Min[0]), math.Float64bits(b.Min[1]), math.Float64bits(b.Max[0]), math.Float64bits(b.Max[1])}
	}
	for i := range got.Features {
		g, w := &got.Features[i], &want.Features[i]
		if !reflect.DeepEqual(g, w) || bits(g.Bound) != bits(w.Bound) {
			t.Fatalf("feature %d (%s) differs:\n got %v %v props %v\nwant %v %v props %v", i, w.ID, g.ID, g.Bound, g.Props, w.ID, w.Bound, w.Props)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("layers differ: warnings\n%q\nwant\n%q", got.Warnings, want.Warnings)
	}
}

// TestLoadMatchesReference: on every real boundary file the load path
// (parallel checks, the self-intersection pre-check, the direct GeoParquet
// reader) builds the very layer, warnings included, that the load path of
// main at fa0a966 (load_reference_test.go) builds: from GeoJSON or
// shapefile features, and from the GeoParquet file written from the layer.
func TestLoadMatchesReference(t *testing.T) {
	ctx := context.Background()
	for _, b := range realBoundaries {
		t.Run(filepath.Base(filepath.Dir(b.path))+"/"+filepath.Base(b.path), func(t *testing.T) {
			if _, err := os.Stat(b.path); err != nil {
				t.Skipf("%s: %v", b.path, err)
			}
			got, err := fromFeatures("b", b.path, decodeFeatures(t, b.path, b.id), b.id, true)
			if err != nil {
				t.Fatal(err)
			}
			want, err := referenceFromFeatureCollection("b", b.path, decodeFeatures(t, b.path, b.id), b.id)
			if err != nil {
				t.Fatal(err)
			}
			sameLayer(t, got, want)
			// sameRead: Read of the GeoParquet file pq gives the
			// reference reader's layer.
			sameRead := func(pq string) {
				t.Helper()
				got, err := Read(ctx, "b", pq, b.id)
				if err != nil {
					t.Fatal(err)
				}
				want, err := referenceReadGeoParquet(ctx, "b", pq, b.id)
				if err != nil {
					t.Fatal(err)
				}
				sameLayer(t, got, want)
			}
			pq := filepath.Join(t.TempDir(), "b.parquet")
			if err := WriteGeoParquet(ctx, pq, want, b.id); err != nil {
				t.Fatal(err)
			}
			sameRead(pq)
			// Every 5th ring left unclosed (made-up damage), as GeoJSON
			// features and as GeoParquet: closed in place now, on a copy
			// then.
			got, err = fromFeatures("b", b.path, unclosed(decodeFeatures(t, b.path, b.id)), b.id, true)
			if err != nil {
				t.Fatal(err)
			}
			want, err = referenceFromFeatureCollection("b", b.path, unclosed(decodeFeatures(t, b.path, b.id)), b.id)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(want.Warnings, "\n"), "was not closed") {
				t.Fatal("no ring left unclosed")
			}
			sameLayer(t, got, want)
			fc := unclosed(decodeFeatures(t, b.path, b.id))
			tab := &geoparquet.Table{Columns: []geoparquet.Column{{Name: b.id}}}
			for _, f := range fc.Features {
				tab.Geoms = append(tab.Geoms, f.Geometry)
				tab.Columns[0].Values = append(tab.Columns[0].Values, f.Properties[b.id])
			}
			if err := geoparquet.WriteFile(ctx, pq, tab); err != nil {
				t.Fatal(err)
			}
			sameRead(pq)
		})
	}
}

// unclosed drops the closing point of every 5th ring of fc's polygons, the
// first among them, in place, and returns fc.
func unclosed(fc *geojson.FeatureCollection) *geojson.FeatureCollection {
	k := 4 // the first ring is one of them
	open := func(p orb.Polygon) {
		for ri := range p {
			if k++; k%5 == 0 {
				p[ri] = p[ri][:len(p[ri])-1]
			}
		}
	}
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			open(g)
		case orb.MultiPolygon:
			for _, p := range g {
				open(p)
			}
		}
	}
	return fc
}

// damaged returns a deep copy of l with made-up damage to its real rings, so
// that every kind of problem occurs many times in real geometry: of every
// 7th ring a vertex is repeated, of every 11th two vertices are swapped (most
// such rings then cross themselves, some only touch), every 13th is reversed,
// every 17th hole and every 19th outer ring are collapsed to a line.
func damaged(l *Layer) *Layer {
	out := &Layer{Name: l.Name, File: l.File, Features: make([]Feature, len(l.Features))}
	k := 0
	for fi, f := range l.Features {
		mp := make(orb.MultiPolygon, len(f.Geom))
		for pi, p := range f.Geom {
			mp[pi] = make(orb.Polygon, len(p))
			for ri, r := range p {
				r = append(orb.Ring(nil), r...)
				k++
				n := len(r) - 1
				switch {
				case k%7 == 0 && n > 3:
					j := k % n
					r = append(r[:j+1], r[j:]...)
				case k%11 == 0 && n > 5:
					j := 1 + k%(n-3)
					r[j], r[j+2] = r[j+2], r[j]
				case k%13 == 0:
					r = reversed(r)
				case k%17 == 0 && ri > 0:
					r = orb.Ring{r[0], r[1], r[0], r[0]}
				case k%19 == 0 && ri == 0 && n > 3:
					r = orb.Ring{r[0], r[1], r[1], r[0], r[0]}
				}
				mp[pi][ri] = r
			}
		}
		out.Features[fi] = Feature{ID: f.ID, Props: f.Props, Geom: mp, Bound: mp.Bound()}
	}
	return out
}

// TestCheckMatchesReference: on real rings damaged in made-up ways
// (damaged), check2 finds the same problems in the same order as the check
// of main at fa0a966, without fix and with it, and with fix leaves the same
// repaired layer and warnings.
func TestCheckMatchesReference(t *testing.T) {
	for _, path := range []string{"testdata/cb_2018_39_tract_500k.zip", "../testdata/atlanta/cb_2018_13_tract_500k.zip", "testdata/alameda_tracts_2010.geojson"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			l := mustRead(t, path)
			got, want := check2(damaged(l), false), referenceCheck2(damaged(l), false)
			kinds := map[ProblemKind]int{}
			for _, p := range want {
				kinds[p.Kind]++
			}
			for _, k := range []ProblemKind{WrongOrientation, RepeatedPoints, SelfIntersection, DegenerateRing} {
				if kinds[k] == 0 {
					t.Fatalf("no %s among the %d problems of the damaged layer: the test checks nothing", k, len(want))
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("check2 without fix: %d problems, want %d (%v)\nfirst difference: %s", len(got), len(want), kinds, firstDiff(got, want))
			}
			gl, wl := damaged(l), damaged(l)
			got, want = check2(gl, true), referenceCheck2(wl, true)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("check2 with fix: %d problems, want %d\nfirst difference: %s", len(got), len(want), firstDiff(got, want))
			}
			sameLayer(t, gl, wl)
			gl, wl = damaged(l), damaged(l)
			if g, w := RepairOnLoad(gl), referenceRepairOnLoad(wl); g != w {
				t.Fatalf("RepairOnLoad = %d, want %d", g, w)
			}
			sameLayer(t, gl, wl)
			t.Logf("%d features, problems: %v", len(l.Features), kinds)
		})
	}
}

func firstDiff(got, want []Problem) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("problem %d: got %v, want %v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}

// TestMeetsMatchesSelfIntersection: the pre-check says a ring meets itself
// exactly when selfIntersection finds a pair, on every ring of the real
// Ohio and Georgia tracts, damaged (see damaged) and not.
func TestMeetsMatchesSelfIntersection(t *testing.T) {
	var sc sweepScratch
	n, crossed := 0, 0
	for _, path := range []string{"testdata/cb_2018_39_tract_500k.zip", "../testdata/atlanta/cb_2018_13_tract_500k.zip"} {
		l := mustRead(t, path)
		for _, l := range []*Layer{l, damaged(l)} {
			for _, f := range l.Features {
				for _, p := range f.Geom {
					for _, r := range p {
						r = dropRepeats(r)
						_, _, want := selfIntersection(r)
						if got := sc.meets(r); got != want {
							t.Fatalf("feature %s: meets = %v, selfIntersection found a pair: %v", f.ID, got, want)
						}
						n++
						if want {
							crossed++
						}
					}
				}
			}
		}
	}
	if crossed == 0 {
		t.Fatal("no ring meets itself: the test checks nothing")
	}
	t.Logf("%d rings, %d meet themselves", n, crossed)
}

// BenchmarkLoad reads a national-size GeoParquet boundary (nationalLayer:
// 85,492 real Ohio tract polygons, copied and moved; made up) through the
// reference load path of main at fa0a966 and the production one, in the same
// run; reads and indexes it as the boundary stage does (reference: read, then
// NewIndexShared; now: Load); and checks the layer alone (check2 without fix)
// both ways.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	l := nationalLayer()
	pq := filepath.Join(b.TempDir(), "national.parquet")
	if err := WriteGeoParquet(ctx, pq, l, "GEOID"); err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name string
		read func(context.Context, string, string, string) (*Layer, error)
	}{{"read/reference", referenceReadGeoParquet}, {"read/now", Read}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if _, err := bb.read(ctx, "tract", pq, "GEOID"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
	// The boundary stage: the layer read and indexed.
	for _, bb := range []struct {
		name string
		load func() error
	}{{"stage/reference", func() error {
		l, err := referenceReadGeoParquet(ctx, "tract", pq, "GEOID")
		if err == nil {
			NewIndexShared(l)
		}
		return err
	}}, {"stage/now", func() error {
		_, _, err := Load(ctx, "tract", pq, "GEOID")
		return err
	}}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if err := bb.load(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
	for _, bb := range []struct {
		name  string
		check func(*Layer, bool) []Problem
	}{{"check/reference", referenceCheck2}, {"check/now", check2}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				bb.check(l, false)
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestSegmentsMeetLazy: segmentsMeetLazy answers as segmentsMeet for every
// pair of segments between the points of a 4x4 grid (crossings, touchings,
// collinear overlaps, segments of zero length) and for every pair of edges
// of the real Ohio tracts whose x ranges overlap.
func TestSegmentsMeetLazy(t *testing.T) {
	var grid []orb.Point
	for x := range 4 {
		for y := range 4 {
			grid = append(grid, orb.Point{float64(x), float64(y) / 2})
		}
	}
	n := 0
	for _, a := range grid {
		for _, b := range grid {
			for _, c := range grid {
				for _, d := range grid {
					if got, want := segmentsMeetLazy(a, b, c, d), segmentsMeet(a, b, c, d); got != want {
						t.Fatalf("segmentsMeetLazy(%v, %v, %v, %v) = %v, want %v", a, b, c, d, got, want)
					}
					n++
				}
			}
		}
	}
	for _, f := range mustRead(t, "testdata/cb_2018_39_tract_500k.zip").Features {
		for _, p := range f.Geom {
			for _, r := range p {
				for i := 0; i+1 < len(r); i++ {
					for j := i + 1; j+1 < len(r); j++ {
						a, b, c, d := r[i], r[i+1], r[j], r[j+1]
						if max(min(a[0], b[0]), min(c[0], d[0])) > min(max(a[0], b[0]), max(c[0], d[0])) {
							continue
						}
						if got, want := segmentsMeetLazy(a, b, c, d), segmentsMeet(a, b, c, d); got != want {
							t.Fatalf("feature %s edges %d, %d: segmentsMeetLazy = %v, want %v", f.ID, i, j, got, want)
						}
						n++
					}
				}
			}
		}
	}
	t.Logf("%d pairs", n)
}

// TestLoadMatchesReadAndIndex: Load gives the layer Read gives and an index
// that places points as NewIndexShared's of that layer does: on the real
// boundary files, and on the real Ohio tracts damaged in made-up ways
// (damaged) and written as GeoParquet, which takes Load's repair branch.
func TestLoadMatchesReadAndIndex(t *testing.T) {
	ctx := context.Background()
	paths := map[string]string{}
	for _, b := range realBoundaries {
		paths[b.path] = b.id
	}
	bad := filepath.Join(t.TempDir(), "damaged_ohio.parquet")
	if err := WriteGeoParquet(ctx, bad, damaged(mustRead(t, "testdata/cb_2018_39_tract_500k.zip")), "GEOID"); err != nil {
		t.Fatal(err)
	}
	paths[bad] = "GEOID"
	for path, id := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s: %v", path, err)
			}
			want, err := Read(ctx, "b", path, id)
			if err != nil {
				t.Fatal(err)
			}
			wantIdx := NewIndexShared(want)
			got, idx, err := Load(ctx, "b", path, id)
			if err != nil {
				t.Fatal(err)
			}
			sameLayer(t, got, want)
			if path == bad && len(got.Warnings) == 0 {
				t.Fatal("the damaged layer has no warnings: the repair branch is not tested")
			}
			pts := pointsInFeatures(want, 20000, 1)
			pts = append(pts, RepresentativePoints(want)...)
			for _, p := range pts {
				g, gok := idx.Locate(p)
				w, wok := wantIdx.Locate(p)
				if g != w || gok != wok {
					t.Fatalf("point %v: Load's index gives %d %v, NewIndexShared's %d %v", p, g, gok, w, wok)
				}
			}
		})
	}
}
