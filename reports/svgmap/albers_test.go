package svgmap

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestAlbersSnyder checks the projection against the numerical example for
// the sphere in Snyder, "Map Projections: A Working Manual" (USGS
// Professional Paper 1395, 1987), Appendix A, p. 291: R = 1, φ1 = 29.5°,
// φ2 = 45.5°, φ0 = 23°, λ0 = 96° W; the point 35° N, 75° W projects to
// x = 0.2952720, y = 0.2416774 (intermediate values there: n = 0.6028370,
// ρ = 1.3038035, ρ0 = 1.6651710, θ = 12.6595786°).
func TestAlbersSnyder(t *testing.T) {
	a := Albers{Lat1: 29.5, Lat2: 45.5, Lat0: 23, Lon0: -96, R: 1}
	tests := []struct {
		name         string
		p            orb.Point
		wantX, wantY float64
	}{
		{"Snyder p. 291", orb.Point{-75, 35}, 0.2952720, 0.2416774},
		{"origin", orb.Point{-96, 23}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := a.Project(tt.p)
			if math.Abs(x-tt.wantX) > 5e-8 || math.Abs(y-tt.wantY) > 5e-8 {
				t.Errorf("Project(%v) = %.7f, %.7f; want %.7f, %.7f", tt.p, x, y, tt.wantX, tt.wantY)
			}
		})
	}
	if n := a.n(); math.Abs(n-0.6028370) > 5e-8 {
		t.Errorf("n = %.7f; want 0.6028370", n)
	}
	// k is 1 on both standard parallels by construction (Snyder p. 98).
	for _, lat := range []float64{29.5, 45.5} {
		if k := a.ScaleAlongParallel(lat); math.Abs(k-1) > 1e-12 {
			t.Errorf("k(%g) = %.12f; want 1", lat, k)
		}
	}
}

// TestAlbersEqualArea checks the defining property: a 1°×1° cell has the
// same projected area as on the sphere, R²(λ2−λ1)(sin φ2 − sin φ1) (Snyder
// 1987, p. 98), here for a cell in Ohio projected with Ohio's parameters.
func TestAlbersEqualArea(t *testing.T) {
	a := AlbersFor(orb.Bound{Min: orb.Point{-84.82, 38.40}, Max: orb.Point{-80.52, 41.98}})
	cell := []orb.Point{{-83, 39}, {-82, 39}, {-82, 40}, {-83, 40}}
	// the edges along parallels are arcs of circles on the map; sample them
	// finely so the polygon area converges
	var ring []orb.Point
	for i := 0; i < 4; i++ {
		p, q := cell[i], cell[(i+1)%4]
		for s := 0; s < 2000; s++ {
			f := float64(s) / 2000
			ring = append(ring, orb.Point{p[0] + f*(q[0]-p[0]), p[1] + f*(q[1]-p[1])})
		}
	}
	var area float64
	for i := range ring {
		x1, y1 := a.Project(ring[i])
		x2, y2 := a.Project(ring[(i+1)%len(ring)])
		area += x1*y2 - x2*y1
	}
	area = math.Abs(area) / 2
	R := EarthRadius
	want := R * R * rad * (math.Sin(40*rad) - math.Sin(39*rad))
	if math.Abs(area-want)/want > 1e-6 {
		t.Errorf("projected area %.0f m²; want %.0f m²", area, want)
	}
}
