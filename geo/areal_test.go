package geo

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestOverlapsAgainstGeoPandas compares the overlaps of the real Alameda
// 2010 tracts with the Oakland 2020 tracts (clipped to the city line,
// testdata/PROVENANCE.md), the weights of an overlap-based crosswalk
// between the vintages (what interpolate: onto a 2020 tract layer uses),
// with an independent computation:
// geopandas.overlay(how="intersection") of both layers reprojected with
// to_crs(5070), areas by GEOS (GeoPandas 0.12.2, Shapely 1.8.5, GEOS 3.11.1,
// PROJ 9.1.1; Debian bookworm). Expected rows are GeoPandas' for three 2020
// tracts, overlaps above 1e-4 of the 2020 tract.
func TestOverlapsAgainstGeoPandas(t *testing.T) {
	ctx := context.Background()
	from := alameda(t)
	to, err := Read(ctx, "tracts2020", "testdata/oakland_tracts_2020_clipped.geojson", "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := Overlaps(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]CrosswalkRow{}
	sum := 0.0
	for _, o := range ov {
		got[[2]string{from.Features[o.Source].ID, to.Features[o.Target].ID}] = CrosswalkRow{Area: o.Area, FromShare: o.SourceShare, ToShare: o.TargetShare}
		sum += o.Area
	}
	want := []struct {
		from, to         string
		area, fromS, toS float64
	}{
		{"06001401000", "06001401400", 820.210, 0.000717100, 0.001089357},
		{"06001401300", "06001401400", 496.769, 0.000576568, 0.000659781},
		{"06001401400", "06001401400", 750926.212, 0.995285753, 0.997337566},
		{"06001401500", "06001401400", 263.845, 0.000563946, 0.000350424},
		{"06001401600", "06001401400", 422.739, 0.000667930, 0.000561458},
		{"06001402900", "06001403000", 45.345, 0.000117583, 0.000128443},
		{"06001403000", "06001403000", 352911.487, 0.995787363, 0.999638033},
		{"06001403100", "06001403000", 37.317, 0.000108398, 0.000105701},
		{"06001983200", "06001403000", 39.646, 0.000080291, 0.000112300},
		{"06001409000", "06001409000", 16698533.472, 0.994033612, 0.995864844},
		{"06001432400", "06001409000", 60536.330, 0.009401612, 0.003610257},
	}
	for _, w := range want {
		r, ok := got[[2]string{w.from, w.to}]
		if !ok {
			t.Errorf("no row %s -> %s", w.from, w.to)
			continue
		}
		if math.Abs(r.Area-w.area) > 1e-5*w.area+0.01 || math.Abs(r.FromShare-w.fromS) > 1e-5*w.fromS+1e-9 || math.Abs(r.ToShare-w.toS) > 1e-5*w.toS+1e-9 {
			t.Errorf("%s -> %s: area %.3f shares %.9f %.9f; GeoPandas %.3f %.9f %.9f", w.from, w.to, r.Area, r.FromShare, r.ToShare, w.area, w.fromS, w.toS)
		}
	}
	// GeoPandas: total overlap 144,327,978.4 m^2.
	if math.Abs(sum-144327978.4) > 10 {
		t.Errorf("total overlap %.1f m^2, GeoPandas 144327978.4", sum)
	}
	t.Logf("%d overlaps (GeoPandas: 663)", len(ov))
}

func TestApportion(t *testing.T) {
	// Made-up overlaps: source 0 splits 25/75 between targets 0 and 1,
	// source 1 lies wholly in target 1.
	ov := []Overlap{{Source: 0, Target: 0, SourceShare: 0.25}, {Source: 0, Target: 1, SourceShare: 0.75}, {Source: 1, Target: 1, SourceShare: 1}}
	tests := []struct {
		name     string
		stat     Statistic
		est, moe []float64
		wantEst  []float64
		wantMOE  []float64
		wantErr  error
	}{
		// 0.25*400 = 100; 0.75*400 + 200 = 500;
		// MOE: 0.25*40 = 10; sqrt((0.75*40)^2 + 30^2) = sqrt(900+900) = 42.426...
		{"counts with MOE", Count, []float64{400, 200}, []float64{40, 30}, []float64{100, 500}, []float64{10, math.Sqrt(1800)}, nil},
		{"counts without MOE", Count, []float64{400, 200}, nil, []float64{100, 500}, nil, nil},
		{"suppressed source", Count, []float64{math.NaN(), 200}, nil, []float64{math.NaN(), math.NaN()}, nil, nil},
		{"median refused", Median, []float64{50000, 60000}, nil, nil, nil, ErrNotApportionable},
		{"mean refused", Mean, []float64{1, 2}, nil, nil, nil, ErrNotApportionable},
		{"ratio refused", Ratio, []float64{1, 2}, nil, nil, nil, ErrNotApportionable},
		{"percent refused", Percent, []float64{1, 2}, nil, nil, nil, ErrNotApportionable},
	}
	tests = append(tests, struct {
		name     string
		stat     Statistic
		est, moe []float64
		wantEst  []float64
		wantMOE  []float64
		wantErr  error
	}{
		// Hand case: source 0 (400 ± 50) lies in target 0 in two pieces of
		// 0.8 and 0.2 (and nowhere else); source 1 (200 ± 30) wholly in
		// target 0. The pieces of source 0 are one estimate: MOE 50*(0.8 +
		// 0.2) = 50, then root of squares with source 1: sqrt(50^2 + 30^2)
		// = 58.31. Taken as independent pieces the MOE would be
		// sqrt(40^2 + 10^2 + 30^2) = 50.99. Target 1 is uncovered: null.
		"pieces of one source correlated", Count, []float64{400, 200}, []float64{50, 30},
		[]float64{600, math.NaN()}, []float64{math.Sqrt(50*50 + 30*30), math.NaN()}, nil,
	})
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9 }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ov := ov
			if strings.HasPrefix(tt.name, "pieces") {
				ov = []Overlap{{Source: 0, Target: 0, SourceShare: 0.8}, {Source: 0, Target: 0, SourceShare: 0.2}, {Source: 1, Target: 0, SourceShare: 1}}
			}
			est, moe, err := Apportion(ov, 2, tt.stat, tt.est, tt.moe)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.stat.String()) {
					t.Fatalf("err = %v, want %v naming the %s", err, tt.wantErr, tt.stat)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.wantEst {
				if !same(est[i], tt.wantEst[i]) {
					t.Errorf("est[%d] = %g, want %g", i, est[i], tt.wantEst[i])
				}
			}
			if len(moe) != len(tt.wantMOE) {
				t.Fatalf("moe %v, want %v", moe, tt.wantMOE)
			}
			for i := range tt.wantMOE {
				if !same(moe[i], tt.wantMOE[i]) {
					t.Errorf("moe[%d] = %g, want %g", i, moe[i], tt.wantMOE[i])
				}
			}
		})
	}
}

// TestOverlapsSelf checks conservation on real tracts: a layer against itself
// gives each feature a share of 1 of itself, and the shares of every source
// sum to 1 (a feature's area is all accounted for).
func TestOverlapsSelf(t *testing.T) {
	l := alameda(t)
	l.Features = l.Features[:60]
	ov, err := Overlaps(context.Background(), l, l)
	if err != nil {
		t.Fatal(err)
	}
	sums := make([]float64, len(l.Features))
	for _, o := range ov {
		sums[o.Source] += o.SourceShare
		if o.Source == o.Target && math.Abs(o.SourceShare-1) > 1e-9 {
			t.Errorf("feature %s overlaps itself by %g of its area", l.Features[o.Source].ID, o.SourceShare)
		}
	}
	for i, s := range sums {
		if math.Abs(s-1) > 1e-6 {
			t.Errorf("feature %s: shares sum to %.9f", l.Features[i].ID, s)
		}
	}
}
