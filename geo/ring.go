package geo

// signedArea is the shoelace area of ring r in its coordinates' units
// squared (square degrees for lon/lat), positive when r runs
// counter-clockwise. The edge from the last point back to the first is
// included, so r may be closed (first point repeated, as GeoJSON and orb
// rings are) or open (as in polygol's output); the sum runs over the edges
// in ring order. It is the one ring-area formula of the module: Area,
// dissolve and validation all use it.
func signedArea[P interface{ ~[]float64 | ~[2]float64 }, R ~[]P](r R) float64 {
	n := len(r)
	if n == 0 {
		return 0
	}
	s := 0.0
	for i := 1; i < n; i++ {
		s += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
	}
	if last := r[n-1]; last[0] != r[0][0] || last[1] != r[0][1] {
		s += last[0]*r[0][1] - r[0][0]*last[1]
	}
	return s / 2
}
