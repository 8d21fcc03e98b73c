package crs

import "math"

// projection converts between radians on the ellipsoid and metres on the
// plane, before false easting and northing.
type projection interface {
	forward(lam, phi float64) (x, y float64)
	inverse(x, y float64) (lam, phi float64)
}

// ellipsoid is given by its semi-major axis a and either the inverse
// flattening or the semi-minor axis b.
type ellipsoid struct{ a, invf, b float64 }

// e2 is the squared first eccentricity.
func (el ellipsoid) e2() float64 {
	if el.invf != 0 {
		f := 1 / el.invf
		return 2*f - f*f
	}
	return 1 - el.b*el.b/(el.a*el.a)
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// msfn is Snyder's m (eq. 14-15): cos(phi)/sqrt(1 - e^2 sin^2 phi).
func msfn(e2, phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-e2*s*s)
}

// qsfn is Snyder's q (eq. 3-12).
func qsfn(e, phi float64) float64 {
	s := math.Sin(phi)
	e2 := e * e
	return (1 - e2) * (s/(1-e2*s*s) - 1/(2*e)*math.Log((1-e*s)/(1+e*s)))
}

// tsfn is Snyder's t (eq. 15-9).
func tsfn(e, phi float64) float64 {
	s := math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-e*s)/(1+e*s), e/2)
}

// albers is the ellipsoidal Albers Equal-Area Conic (Snyder pp. 98-103).
type albers struct {
	a, e, e2, n, c, rho0, lam0 float64
}

func newAlbers(el ellipsoid, lat1, lat2, lat0, lon0 float64) *albers {
	e2 := el.e2()
	e := math.Sqrt(e2)
	p1, p2, p0 := rad(lat1), rad(lat2), rad(lat0)
	m1, m2 := msfn(e2, p1), msfn(e2, p2)
	q1, q2, q0 := qsfn(e, p1), qsfn(e, p2), qsfn(e, p0)
	var n float64
	if math.Abs(p1-p2) < 1e-10 {
		n = math.Sin(p1)
	} else {
		n = (m1*m1 - m2*m2) / (q2 - q1) // eq. 14-14
	}
	c := m1*m1 + n*q1 // eq. 14-13
	return &albers{a: el.a, e: e, e2: e2, n: n, c: c, rho0: el.a * math.Sqrt(c-n*q0) / n, lam0: rad(lon0)}
}

func (p *albers) forward(lam, phi float64) (x, y float64) {
	rho := p.a * math.Sqrt(p.c-p.n*qsfn(p.e, phi)) / p.n // eq. 14-12
	th := p.n * (lam - p.lam0)
	return rho * math.Sin(th), p.rho0 - rho*math.Cos(th)
}

func (p *albers) inverse(x, y float64) (lam, phi float64) {
	dy := p.rho0 - y
	rho := math.Hypot(x, dy)
	if p.n < 0 {
		rho, x, dy = -rho, -x, -dy
	}
	q := (p.c - rho*rho*p.n*p.n/(p.a*p.a)) / p.n // eq. 14-19
	th := math.Atan2(x, dy)
	lam = p.lam0 + th/p.n
	// eq. 3-16, iterated from asin(q/2).
	phi = math.Asin(math.Max(-1, math.Min(1, q/2)))
	for range 15 {
		s := math.Sin(phi)
		es := 1 - p.e2*s*s
		d := es * es / (2 * math.Cos(phi)) * (q/(1-p.e2) - s/es + 1/(2*p.e)*math.Log((1-p.e*s)/(1+p.e*s)))
		phi += d
		if math.Abs(d) < 1e-14 {
			break
		}
	}
	return lam, phi
}

// lcc is the ellipsoidal Lambert Conformal Conic with two standard parallels
// (one when lat1 == lat2) (Snyder pp. 104-110).
type lcc struct {
	a, e, n, f, k0, rho0, lam0 float64
}

func newLCC(el ellipsoid, lat1, lat2, lat0, lon0, k0 float64) *lcc {
	e2 := el.e2()
	e := math.Sqrt(e2)
	p1, p2, p0 := rad(lat1), rad(lat2), rad(lat0)
	m1, m2 := msfn(e2, p1), msfn(e2, p2)
	t1, t2, t0 := tsfn(e, p1), tsfn(e, p2), tsfn(e, p0)
	var n float64
	if math.Abs(p1-p2) < 1e-10 {
		n = math.Sin(p1)
	} else {
		n = (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2)) // eq. 15-8
	}
	f := m1 / (n * math.Pow(t1, n)) // eq. 15-10
	return &lcc{a: el.a, e: e, n: n, f: f, k0: k0, rho0: el.a * f * k0 * math.Pow(t0, n), lam0: rad(lon0)}
}

func (p *lcc) forward(lam, phi float64) (x, y float64) {
	rho := p.a * p.f * p.k0 * math.Pow(tsfn(p.e, phi), p.n) // eq. 15-7
	th := p.n * (lam - p.lam0)
	return rho * math.Sin(th), p.rho0 - rho*math.Cos(th)
}

func (p *lcc) inverse(x, y float64) (lam, phi float64) {
	dy := p.rho0 - y
	rho := math.Hypot(x, dy)
	if p.n < 0 {
		rho, x, dy = -rho, -x, -dy
	}
	t := math.Pow(rho/(p.a*p.f*p.k0), 1/p.n) // eq. 15-11
	lam = p.lam0 + math.Atan2(x, dy)/p.n
	phi = math.Pi/2 - 2*math.Atan(t) // eq. 7-13, iterated
	for range 15 {
		s := math.Sin(phi)
		next := math.Pi/2 - 2*math.Atan(t*math.Pow((1-p.e*s)/(1+p.e*s), p.e/2))
		d := next - phi
		phi = next
		if math.Abs(d) < 1e-14 {
			break
		}
	}
	return lam, phi
}

// transverseMercator is the ellipsoidal Transverse Mercator series of Snyder
// pp. 60-64 (eqs. 8-9 to 8-25), accurate to millimetres within a few degrees
// of the central meridian, which covers UTM and state plane zones.
type transverseMercator struct {
	a, e2, ep2, k0, m0, lam0 float64
}

func newTransverseMercator(el ellipsoid, k0, lat0, lon0 float64) *transverseMercator {
	e2 := el.e2()
	p := &transverseMercator{a: el.a, e2: e2, ep2: e2 / (1 - e2), k0: k0, lam0: rad(lon0)}
	p.m0 = p.mlfn(rad(lat0))
	return p
}

// mlfn is the meridian distance M (eq. 3-21).
func (p *transverseMercator) mlfn(phi float64) float64 {
	e2 := p.e2
	e4, e6 := e2*e2, e2*e2*e2
	return p.a * ((1-e2/4-3*e4/64-5*e6/256)*phi -
		(3*e2/8+3*e4/32+45*e6/1024)*math.Sin(2*phi) +
		(15*e4/256+45*e6/1024)*math.Sin(4*phi) -
		(35*e6/3072)*math.Sin(6*phi))
}

func (p *transverseMercator) forward(lam, phi float64) (x, y float64) {
	s, c := math.Sincos(phi)
	n := p.a / math.Sqrt(1-p.e2*s*s)
	t := math.Tan(phi) * math.Tan(phi)
	cc := p.ep2 * c * c
	a := (lam - p.lam0) * c
	a2 := a * a
	x = p.k0 * n * (a + (1-t+cc)*a*a2/6 + (5-18*t+t*t+72*cc-58*p.ep2)*a*a2*a2/120)
	y = p.k0 * (p.mlfn(phi) - p.m0 + n*math.Tan(phi)*(a2/2+(5-t+9*cc+4*cc*cc)*a2*a2/24+(61-58*t+t*t+600*cc-330*p.ep2)*a2*a2*a2/720))
	return x, y
}

func (p *transverseMercator) inverse(x, y float64) (lam, phi float64) {
	e2 := p.e2
	e4, e6 := e2*e2, e2*e2*e2
	m := p.m0 + y/p.k0
	mu := m / (p.a * (1 - e2/4 - 3*e4/64 - 5*e6/256))
	r := math.Sqrt(1 - e2)
	e1 := (1 - r) / (1 + r)
	phi1 := mu + (3*e1/2-27*e1*e1*e1/32)*math.Sin(2*mu) +
		(21*e1*e1/16-55*e1*e1*e1*e1/32)*math.Sin(4*mu) +
		(151*e1*e1*e1/96)*math.Sin(6*mu) +
		(1097*e1*e1*e1*e1/512)*math.Sin(8*mu)
	s, c := math.Sincos(phi1)
	c1 := p.ep2 * c * c
	t1 := math.Tan(phi1) * math.Tan(phi1)
	es := 1 - e2*s*s
	n1 := p.a / math.Sqrt(es)
	r1 := p.a * (1 - e2) / (es * math.Sqrt(es))
	d := x / (n1 * p.k0)
	d2 := d * d
	phi = phi1 - (n1*math.Tan(phi1)/r1)*(d2/2-(5+3*t1+10*c1-4*c1*c1-9*p.ep2)*d2*d2/24+
		(61+90*t1+298*c1+45*t1*t1-252*p.ep2-3*c1*c1)*d2*d2*d2/720)
	lam = p.lam0 + (d-(1+2*t1+c1)*d*d2/6+(5-2*c1+28*t1-3*c1*c1+8*p.ep2+24*t1*t1)*d*d2*d2/120)/c
	return lam, phi
}

// webMercator is EPSG:3857, spherical Mercator on the WGS84 semi-major axis.
type webMercator struct{}

const webR = 6378137

func (webMercator) forward(lam, phi float64) (x, y float64) {
	return webR * lam, webR * math.Log(math.Tan(math.Pi/4+phi/2))
}

func (webMercator) inverse(x, y float64) (lam, phi float64) {
	return x / webR, math.Pi/2 - 2*math.Atan(math.Exp(-y/webR))
}
