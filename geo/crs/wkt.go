package crs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// node is one WKT keyword with its bracketed arguments: strings, numbers
// (kept as their text) and nested nodes.
type node struct {
	key  string
	args []any // string, number, *node
}

type number string

func (n *node) child(keys ...string) *node {
	for _, a := range n.args {
		if c, ok := a.(*node); ok {
			for _, k := range keys {
				if strings.EqualFold(c.key, k) {
					return c
				}
			}
		}
	}
	return nil
}

func (n *node) children(key string) []*node {
	var out []*node
	for _, a := range n.args {
		if c, ok := a.(*node); ok && strings.EqualFold(c.key, key) {
			out = append(out, c)
		}
	}
	return out
}

func (n *node) str(i int) string {
	if n == nil || i >= len(n.args) {
		return ""
	}
	s, _ := n.args[i].(string)
	return s
}

func (n *node) num(i int) (float64, bool) {
	if n == nil || i >= len(n.args) {
		return 0, false
	}
	s, ok := n.args[i].(number)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(s), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

type wktParser struct {
	s     string
	pos   int
	depth int
}

func (p *wktParser) skip() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *wktParser) errorf(format string, args ...any) error {
	return fmt.Errorf("wkt offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *wktParser) parseNode() (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 32 {
		return nil, p.errorf("nested too deeply")
	}
	p.skip()
	start := p.pos
	for p.pos < len(p.s) && (p.s[p.pos] == '_' || p.s[p.pos] >= 'A' && p.s[p.pos] <= 'Z' || p.s[p.pos] >= 'a' && p.s[p.pos] <= 'z' || p.s[p.pos] >= '0' && p.s[p.pos] <= '9') {
		p.pos++
	}
	n := &node{key: p.s[start:p.pos]}
	if n.key == "" {
		return nil, p.errorf("want a keyword")
	}
	p.skip()
	if p.pos >= len(p.s) || (p.s[p.pos] != '[' && p.s[p.pos] != '(') {
		return n, nil // a bare keyword such as AXIS["x",EAST]'s EAST
	}
	closer := byte(']')
	if p.s[p.pos] == '(' {
		closer = ')'
	}
	p.pos++
	for {
		p.skip()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unterminated %s", n.key)
		}
		switch c := p.s[p.pos]; {
		case c == '"':
			end := strings.IndexByte(p.s[p.pos+1:], '"')
			if end < 0 {
				return nil, p.errorf("unterminated string")
			}
			n.args = append(n.args, p.s[p.pos+1:p.pos+1+end])
			p.pos += end + 2
		case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
			start := p.pos
			for p.pos < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.pos]) >= 0 {
				p.pos++
			}
			n.args = append(n.args, number(p.s[start:p.pos]))
		default:
			c, err := p.parseNode()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, c)
		}
		p.skip()
		if p.pos >= len(p.s) {
			return nil, p.errorf("unterminated %s", n.key)
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case closer:
			p.pos++
			return n, nil
		default:
			return nil, p.errorf("want ',' or '%c' in %s, got %q", closer, n.key, p.s[p.pos])
		}
	}
}

// ParseWKT identifies the CRS described by WKT1, in the OGC flavour (GDAL's
// output) or the Esri flavour (.prj files of Census TIGER and cartographic
// boundary shapefiles, ArcGIS exports). A WKT2 string is accepted when it
// carries an EPSG ID that FromEPSG knows. Errors wrap ErrUnknown and say why.
func ParseWKT(wkt string) (*CRS, error) {
	p := &wktParser{s: strings.TrimPrefix(wkt, "\ufeff")}
	root, err := p.parseNode()
	if err != nil {
		return nil, unknown("cannot parse the WKT: %v", err)
	}
	switch strings.ToUpper(root.key) {
	case "GEOGCS":
		return geographic(root)
	case "PROJCS":
		return projected(root)
	case "GEOGCRS", "GEODCRS", "PROJCRS", "BOUNDCRS", "COMPOUNDCRS":
		if id := root.child("ID"); id != nil && strings.EqualFold(id.str(0), "EPSG") {
			if code, ok := id.num(1); ok {
				return FromEPSG(int(code))
			}
		}
		return nil, unknown("WKT2 %s without an EPSG ID; give WKT1 or an EPSG code", root.key)
	}
	return nil, unknown("WKT starts with %s, want GEOGCS or PROJCS", root.key)
}

// authorityEPSG returns the EPSG code of n's AUTHORITY["EPSG", "code"], or 0.
func authorityEPSG(n *node) int {
	a := n.child("AUTHORITY")
	if a == nil || !strings.EqualFold(a.str(0), "EPSG") {
		return 0
	}
	if v, err := strconv.Atoi(a.str(1)); err == nil {
		return v
	}
	if v, ok := a.num(1); ok {
		return int(v)
	}
	return 0
}

// datum checks the GEOGCS's datum, prime meridian and angular unit and
// returns its ellipsoid.
func datum(g *node) (ellipsoid, error) {
	d := g.child("DATUM")
	if d == nil {
		return ellipsoid{}, unknown("GEOGCS %q has no DATUM", g.str(0))
	}
	name := strings.ToUpper(strings.NewReplacer("_", "", " ", "", "-", "").Replace(d.str(0)))
	sph := d.child("SPHEROID", "ELLIPSOID")
	a, okA := sph.num(1)
	invf, okF := sph.num(2)
	if !okA || !okF || a < 6e6 || a > 7e6 || invf < 290 || invf > 310 {
		return ellipsoid{}, unknown("datum %q has no readable SPHEROID", d.str(0))
	}
	switch {
	case strings.Contains(name, "1927") || strings.Contains(name, "NAD27"):
		return ellipsoid{}, unknown("datum %q is NAD27, which needs a datum grid shift groundwork does not do", d.str(0))
	case strings.Contains(name, "NORTHAMERICAN1983") || strings.Contains(name, "NAD83") ||
		strings.Contains(name, "WGS1984") || strings.Contains(name, "WGS84") || strings.Contains(name, "ITRF"):
	case math.Abs(a-6378137) < 0.01 && (math.Abs(invf-298.257222101) < 1e-6 || math.Abs(invf-298.257223563) < 1e-6):
		// An unnamed datum on the GRS80 or WGS84 ellipsoid.
	default:
		return ellipsoid{}, unknown("datum %q (ellipsoid a=%g, 1/f=%g) is neither NAD83 nor WGS84", d.str(0), a, invf)
	}
	if pm := g.child("PRIMEM"); pm != nil {
		if v, ok := pm.num(1); !ok || v != 0 {
			return ellipsoid{}, unknown("prime meridian %q is not Greenwich", pm.str(0))
		}
	}
	if u := g.child("UNIT", "ANGLEUNIT"); u != nil {
		if v, ok := u.num(1); !ok || math.Abs(v-math.Pi/180) > 1e-12 {
			return ellipsoid{}, unknown("angular unit %q is not degrees", u.str(0))
		}
	}
	return ellipsoid{a: a, invf: invf}, nil
}

func geographic(g *node) (*CRS, error) {
	if _, err := datum(g); err != nil {
		return nil, err
	}
	return &CRS{Name: g.str(0) + " (lon/lat)", EPSG: authorityEPSG(g)}, nil
}

func projected(n *node) (*CRS, error) {
	g := n.child("GEOGCS")
	if g == nil {
		return nil, unknown("PROJCS %q has no GEOGCS", n.str(0))
	}
	el, err := datum(g)
	if err != nil {
		return nil, fmt.Errorf("PROJCS %q: %w", n.str(0), err)
	}
	params := map[string]float64{}
	for _, p := range n.children("PARAMETER") {
		if v, ok := p.num(1); ok {
			params[strings.ToLower(p.str(0))] = v
		}
	}
	get := func(def float64, names ...string) float64 {
		for _, k := range names {
			if v, ok := params[k]; ok {
				return v
			}
		}
		return def
	}
	unit := 1.0
	if u := n.child("UNIT", "LENGTHUNIT"); u != nil {
		v, ok := u.num(1)
		if !ok || v <= 0 {
			return nil, unknown("PROJCS %q has an unreadable linear UNIT", n.str(0))
		}
		unit = v
	}
	c := &CRS{Name: n.str(0), EPSG: authorityEPSG(n), unit: unit,
		fe: get(0, "false_easting") * unit, fn: get(0, "false_northing") * unit}
	lat0 := get(0, "latitude_of_origin", "latitude_of_center", "latitude_of_false_origin")
	lon0 := get(0, "central_meridian", "longitude_of_center", "longitude_of_origin", "longitude_of_false_origin")
	lat1 := get(math.NaN(), "standard_parallel_1", "latitude_of_1st_standard_parallel")
	lat2 := get(lat1, "standard_parallel_2", "latitude_of_2nd_standard_parallel")
	k0 := get(1, "scale_factor", "scale_factor_at_natural_origin")
	proj := n.child("PROJECTION")
	method := strings.ToLower(proj.str(0))
	switch method {
	case "transverse_mercator", "gauss_kruger":
		c.p = newTransverseMercator(el, k0, lat0, lon0)
	case "lambert_conformal_conic", "lambert_conformal_conic_2sp", "lambert_conformal_conic_1sp":
		if math.IsNaN(lat1) || method == "lambert_conformal_conic_1sp" {
			lat1, lat2 = lat0, lat0
		}
		c.p = newLCC(el, lat1, lat2, lat0, lon0, k0)
	case "albers", "albers_conic_equal_area", "albers_equal_area":
		if math.IsNaN(lat1) {
			return nil, unknown("PROJCS %q: Albers without standard parallels", n.str(0))
		}
		c.p = newAlbers(el, lat1, lat2, lat0, lon0)
	case "mercator_auxiliary_sphere", "popular_visualisation_pseudo_mercator":
		c.p = webMercator{}
	default:
		return nil, unknown("PROJCS %q uses projection %q; groundwork converts Transverse Mercator, Lambert Conformal Conic, Albers and Web Mercator", n.str(0), proj.str(0))
	}
	return c, nil
}

// FromPROJJSON identifies a CRS given as PROJJSON (the crs member of
// GeoParquet column metadata) by its EPSG or OGC id. Other PROJJSON is
// refused with an error that wraps ErrUnknown.
func FromPROJJSON(data []byte) (*CRS, error) {
	var v struct {
		Name string `json:"name"`
		ID   *struct {
			Authority string `json:"authority"`
			Code      any    `json:"code"`
		} `json:"id"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, unknown("crs is not PROJJSON: %v", err)
	}
	if v.ID == nil {
		return nil, unknown("PROJJSON crs %q has no id", v.Name)
	}
	code := fmt.Sprint(v.ID.Code)
	switch strings.ToUpper(v.ID.Authority) {
	case "EPSG":
		return FromName("EPSG:" + code)
	case "OGC":
		return FromName("OGC:" + code)
	}
	return nil, unknown("PROJJSON crs %q has id %s:%s", v.Name, v.ID.Authority, code)
}
