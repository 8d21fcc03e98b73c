package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Simplify returns a copy of l with every boundary simplified for maps by
// Douglas-Peucker with the given tolerance in metres, keeping shared edges
// shared: rings are cut into arcs at the junctions of the layer (vertices
// where three or more distinct edges meet), each arc is simplified on its
// own with its end points fixed, and an arc shared by two features is
// simplified once, in a canonical direction, so both features keep exactly
// the same vertices along it: no slivers or gaps open between neighbours.
//
// Distances are measured in an equirectangular approximation scaled at the
// latitude of the layer's centre (error under 1% across a county or a metro
// area). Rings that would fall below 4 points keep their original vertices.
// l is not modified; Props are shared with l. The result is deterministic.
func Simplify(l *Layer, toleranceMetres float64) *Layer {
	b := l.Features[0].Bound
	for _, f := range l.Features {
		b = b.Union(f.Bound)
	}
	const metresPerDegree = 111_320.0
	kx := math.Cos((b.Min[1]+b.Max[1])/2*math.Pi/180) * metresPerDegree
	ky := metresPerDegree
	tol2 := toleranceMetres * toleranceMetres

	// Junctions: vertices with a number of distinct incident edges other
	// than 2.
	type edgeKey struct{ a, b orb.Point }
	key := func(a, b orb.Point) edgeKey {
		if b[0] < a[0] || b[0] == a[0] && b[1] < a[1] {
			a, b = b, a
		}
		return edgeKey{a, b}
	}
	edges := map[edgeKey]bool{}
	degree := map[orb.Point]int{}
	for _, f := range l.Features {
		for _, poly := range f.Geom {
			for _, r := range poly {
				for i := 1; i < len(r); i++ {
					if r[i] == r[i-1] {
						continue
					}
					k := key(r[i-1], r[i])
					if !edges[k] {
						edges[k] = true
						degree[k.a]++
						degree[k.b]++
					}
				}
			}
		}
	}
	isNode := func(p orb.Point) bool { return degree[p] != 2 }

	simplifyArc := func(arc []orb.Point) []orb.Point {
		// Canonical direction, so a shared arc gives the same result from
		// both sides.
		n := len(arc)
		rev := arc[n-1][0] < arc[0][0] || arc[n-1][0] == arc[0][0] && arc[n-1][1] < arc[0][1]
		if arc[0] == arc[n-1] && n > 2 { // closed arc: compare second points
			rev = arc[n-2][0] < arc[1][0] || arc[n-2][0] == arc[1][0] && arc[n-2][1] < arc[1][1]
		}
		c := arc
		if rev {
			c = make([]orb.Point, n)
			for i, p := range arc {
				c[n-1-i] = p
			}
		}
		keep := make([]bool, n)
		keep[0], keep[n-1] = true, true
		var dp func(i, j int)
		dp = func(i, j int) {
			if j <= i+1 {
				return
			}
			a, bb := c[i], c[j]
			ax, ay := a[0]*kx, a[1]*ky
			dx, dy := (bb[0]-a[0])*kx, (bb[1]-a[1])*ky
			den := dx*dx + dy*dy
			best, bd := -1, -1.0
			for k := i + 1; k < j; k++ {
				px, py := c[k][0]*kx-ax, c[k][1]*ky-ay
				var d2 float64
				if den == 0 {
					d2 = px*px + py*py
				} else {
					t := max(0, min(1, (px*dx+py*dy)/den))
					ex, ey := px-t*dx, py-t*dy
					d2 = ex*ex + ey*ey
				}
				if d2 > bd {
					best, bd = k, d2
				}
			}
			if bd > tol2 {
				keep[best] = true
				dp(i, best)
				dp(best, j)
			}
		}
		dp(0, n-1)
		out := make([]orb.Point, 0, n)
		for i, p := range c {
			if keep[i] {
				out = append(out, p)
			}
		}
		if rev {
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
		}
		return out
	}

	out := &Layer{Name: l.Name, File: l.File, Warnings: l.Warnings, Features: make([]Feature, len(l.Features))}
	for fi, f := range l.Features {
		mp := make(orb.MultiPolygon, len(f.Geom))
		for pi, poly := range f.Geom {
			np := make(orb.Polygon, len(poly))
			for ri, r := range poly {
				np[ri] = simplifyRing(r, isNode, simplifyArc)
			}
			mp[pi] = np
		}
		out.Features[fi] = Feature{ID: f.ID, Props: f.Props, Geom: mp, Bound: mp.Bound()}
	}
	return out
}

// simplifyRing cuts a closed ring at its nodes, simplifies each arc and
// joins them again.
func simplifyRing(r orb.Ring, isNode func(orb.Point) bool, arc func([]orb.Point) []orb.Point) orb.Ring {
	n := len(r) - 1 // distinct positions; r[n] == r[0]
	if n < 3 {
		return r
	}
	start := -1
	for i := 0; i < n; i++ {
		if isNode(r[i]) {
			start = i
			break
		}
	}
	var res orb.Ring
	if start < 0 {
		// No junction: the ring is one closed arc. Start it at its
		// smallest point so the result does not depend on where the
		// file starts the ring.
		start = 0
		for i := 1; i < n; i++ {
			if r[i][0] < r[start][0] || r[i][0] == r[start][0] && r[i][1] < r[start][1] {
				start = i
			}
		}
	}
	cur := []orb.Point{r[start]}
	for k := 1; k <= n; k++ {
		p := r[(start+k)%n]
		cur = append(cur, p)
		if isNode(p) || k == n {
			s := arc(cur)
			if len(res) > 0 {
				s = s[1:]
			}
			res = append(res, s...)
			cur = []orb.Point{p}
		}
	}
	if len(res) < 4 {
		return r
	}
	return res
}
