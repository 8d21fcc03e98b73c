package svgmap

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the radius in metres of the sphere the maps are projected
// from: the IUGG mean Earth radius R1 (Moritz 1980, Geodetic Reference System
// 1980), 6,371,008.8 m.
const EarthRadius = 6371008.8

// Albers is the Albers equal-area conic projection on a sphere, from
// Snyder, "Map Projections: A Working Manual" (USGS Professional Paper 1395,
// 1987), pp. 98-100, equations 14-1 to 14-6 and 3-5, with angles in degrees:
//
//	n  = (sin φ1 + sin φ2) / 2
//	C  = cos² φ1 + 2 n sin φ1
//	ρ  = R √(C − 2 n sin φ) / n,   ρ0 the same at φ0
//	θ  = n (λ − λ0)
//	x  = ρ sin θ,   y = ρ0 − ρ cos θ
//
// Areas are true on the sphere; scale is true along the standard parallels
// φ1 and φ2. When n is zero (standard parallels symmetric about the
// equator) the cone becomes a cylinder and Project uses Lambert's
// cylindrical equal-area projection (Snyder eq. 10-1, 10-2) instead.
// R is in metres; zero means EarthRadius.
type Albers struct {
	Lat1, Lat2 float64 // standard parallels φ1, φ2, degrees
	Lat0, Lon0 float64 // origin φ0 and central meridian λ0, degrees
	R          float64
}

// AlbersFor returns the Albers projection Snyder (1987, p. 99) suggests for
// a map of the bound b (EPSG:4326 lon/lat): standard parallels at one sixth
// and five sixths of its latitude range, origin and central meridian at its
// centre.
func AlbersFor(b orb.Bound) Albers {
	dlat := b.Max[1] - b.Min[1]
	return Albers{
		Lat1: b.Min[1] + dlat/6,
		Lat2: b.Max[1] - dlat/6,
		Lat0: (b.Min[1] + b.Max[1]) / 2,
		Lon0: (b.Min[0] + b.Max[0]) / 2,
	}
}

const rad = math.Pi / 180

func (a Albers) radius() float64 {
	if a.R == 0 {
		return EarthRadius
	}
	return a.R
}

func (a Albers) n() float64 {
	return (math.Sin(a.Lat1*rad) + math.Sin(a.Lat2*rad)) / 2
}

// Project returns the projected x (east) and y (north) of p (lon, lat in
// degrees), in the units of R.
func (a Albers) Project(p orb.Point) (x, y float64) {
	return a.projector().project(p)
}

// albersProjector holds what Albers.Project computes from the projection
// alone (n, C, ρ0, cos φ1), once for all the points of a map.
type albersProjector struct {
	r, lon0, n, c, rho0, cosPhi1 float64
	cylinder                     bool
}

func (a Albers) projector() albersProjector {
	n := a.n()
	phi1 := a.Lat1 * rad
	pr := albersProjector{r: a.radius(), lon0: a.Lon0, n: n, cosPhi1: math.Cos(phi1), cylinder: math.Abs(n) < 1e-12}
	if !pr.cylinder {
		pr.c = math.Cos(phi1)*math.Cos(phi1) + 2*n*math.Sin(phi1)
		pr.rho0 = pr.r * math.Sqrt(pr.c-2*n*math.Sin(a.Lat0*rad)) / n
	}
	return pr
}

func (pr albersProjector) project(p orb.Point) (x, y float64) {
	R := pr.r
	lam := p[0] - pr.lon0
	// keep λ − λ0 within ±180° so a map across the antimeridian stays whole
	lam = math.Mod(lam+540, 360) - 180
	if pr.cylinder {
		return R * lam * rad * pr.cosPhi1, R * math.Sin(p[1]*rad) / pr.cosPhi1
	}
	n := pr.n
	rho := R * math.Sqrt(pr.c-2*n*math.Sin(p[1]*rad)) / n
	theta := n * lam * rad
	return rho * math.Sin(theta), pr.rho0 - rho*math.Cos(theta)
}

// ScaleAlongParallel returns the scale factor k along the parallel at lat
// (degrees): k = ρ n / (R cos φ) (Snyder eq. 14-7 on the sphere); it is 1 on
// the standard parallels. Distances measured east-west on the map are k
// times the true distance.
func (a Albers) ScaleAlongParallel(lat float64) float64 {
	n := a.n()
	if math.Abs(n) < 1e-12 {
		return math.Cos(a.Lat1*rad) / math.Cos(lat*rad)
	}
	phi1 := a.Lat1 * rad
	C := math.Cos(phi1)*math.Cos(phi1) + 2*n*math.Sin(phi1)
	rho := math.Sqrt(C-2*n*math.Sin(lat*rad)) / n
	return rho * n / math.Cos(lat*rad)
}
