package geo

import "github.com/paulmach/orb"

// multiPolygonCovers reports whether p is inside or on the boundary of mp.
func multiPolygonCovers(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		if polygonCovers(poly, p) {
			return true
		}
	}
	return false
}

// polygonCovers: inside the outer ring (or on it) and not strictly inside a hole.
func polygonCovers(poly orb.Polygon, p orb.Point) bool {
	in, on := ringCovers(poly[0], p)
	if !in && !on {
		return false
	}
	if on {
		return true
	}
	for _, h := range poly[1:] {
		hin, hon := ringCovers(h, p)
		if hon {
			return true
		}
		if hin {
			return false
		}
	}
	return true
}

// ringCovers uses the crossing-number test (Haines, "Point in Polygon
// Strategies", Graphics Gems IV, 1994) and reports separately whether p lies
// on an edge.
func ringCovers(r orb.Ring, p orb.Point) (in, on bool) {
	n := len(r)
	if n < 3 {
		return false, false
	}
	x, y := p[0], p[1]
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[j], r[i]
		if onSegment(a, b, p) {
			return false, true
		}
		if (a[1] > y) != (b[1] > y) {
			xc := a[0] + (y-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if x < xc {
				in = !in
			}
		}
	}
	return in, false
}

func onSegment(a, b, p orb.Point) bool {
	cross := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
	if cross != 0 {
		return false
	}
	return p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) && p[1] >= min(a[1], b[1]) && p[1] <= max(a[1], b[1])
}
