package geo

import "github.com/paulmach/orb"

// RFC7946 returns a copy of mp wound as RFC 7946 section 3.1.6 asks of
// GeoJSON: "exterior rings are counterclockwise, and holes are clockwise"
// (orientation by signedArea in lon/lat). Rings of zero area are copied as
// they are. mp is not modified.
func RFC7946(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, r := range poly {
			a := signedArea(r)
			if (j == 0 && a < 0) || (j > 0 && a > 0) {
				out[i][j] = reversed(r)
				continue
			}
			out[i][j] = append(orb.Ring(nil), r...)
		}
	}
	return out
}
