package place

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Placer places the records of a places set, a chunk of its source at a
// time, and keeps count: the records it could not place with the reason,
// how the placed ones were located, and how many it placed. It is not safe
// for concurrent use.
type Placer struct {
	set  *config.Places
	rule *segment.Rule // nil: every record
	// locate is Coordinates': a chunk's record point function.
	locate func(r *frame.Table) func(i int) (orb.Point, string, string)
	loc    *Locator
	feats  []int32  // LocateAll scratch, reused across chunks
	vals   []string // LocateAll's values, reused
	// Place's scratch, reused across chunks: the points, how each record
	// was located or why not, and the records placed.
	pts           []orb.Point
	hows, reasons []string
	placed        []int
	bounds        []string
	areas         []string
	env           map[string]any

	// Unplaced holds the records not placed, packed (copies: no chunk's
	// buffers stay alive for the rest of the run).
	Unplaced Unplaced
	PlacedBy map[string]int // located_by -> records
	Placed   int
}

// NewPlacer returns the Placer of places set pl, whose source has columns
// cols: locate finds a record's point (see Coordinates), loc its boundary
// features and areas; bounds and areas name the columns it adds, sorted.
func NewPlacer(pl *config.Places, cols []string, locate func(r *frame.Table) func(i int) (orb.Point, string, string), loc *Locator, bounds, areas []string) (*Placer, error) {
	p := &Placer{set: pl, locate: locate, loc: loc, bounds: bounds, areas: areas, env: map[string]any{}, PlacedBy: map[string]int{}}
	if pl.Where != "" {
		var err error
		if p.rule, err = segment.Compile(pl.Where, cols); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Points returns the points of the records of chunk r that Place would
// place: those the where rule keeps whose point is found (the Sedona engine
// places them first, see Locator.Precompute), with their positions in r.
// r is not changed.
func (p *Placer) Points(ctx context.Context, r *frame.Table) ([]int, []orb.Point, error) {
	var idx []int
	var pts []orb.Point
	var match func(int) (bool, error)
	if p.rule != nil {
		match = r.Matcher(p.rule, p.env)
	}
	at := p.locate(r)
	for i := range r.Len() {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		if match != nil {
			ok, err := match(i)
			if err != nil && !errors.Is(err, segment.ErrMissing) {
				return nil, nil, err
			}
			if !ok {
				continue
			}
		}
		if pt, _, reason := at(i); reason == "" {
			idx = append(idx, i)
			pts = append(pts, pt)
		}
	}
	return idx, pts, nil
}

// Place filters chunk r (records of the source from record base on) by the
// set's where rule, locates each record and puts it in every boundary and
// area (adding the lon, lat, located_by, boundary and area columns), and
// keeps in r only the records placed. A record without a point, or whose
// point is outside every boundary, goes to Unplaced. done is called with
// the source's records read so far every 4096 records.
func (p *Placer) Place(ctx context.Context, r *frame.Table, base int, done func(int)) error {
	pl := p.set
	if p.rule != nil {
		var kept []int
		match := r.Matcher(p.rule, p.env)
		for i := range r.Len() {
			ok, err := match(i)
			if err != nil && !errors.Is(err, segment.ErrMissing) {
				return err
			}
			if ok {
				kept = append(kept, i)
			}
		}
		r.Keep(kept)
	}
	for _, c := range []string{"lon", "lat"} {
		r.AddCol(c, table.Float)
	}
	r.AddCol("located_by", table.String)
	for _, b := range p.bounds {
		r.AddCol(b, table.String)
	}
	for _, a := range p.areas {
		r.AddCol(a, table.String)
	}
	// Coordinates first, then every boundary in bulk (all cores, points in
	// curve order), then the columns, record by record in input order.
	n := r.Len()
	pts := p.pts[:0]
	hows, reasons := slices.Grow(p.hows[:0], n)[:n], slices.Grow(p.reasons[:0], n)[:n]
	defer func() {
		// Kept for the next chunk without the strings they hold.
		clear(hows)
		clear(reasons)
		p.pts, p.hows, p.reasons = pts[:0], hows[:0], reasons[:0]
	}()
	at := p.locate(r)
	for i := range n {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			done(base + i)
		}
		pt, how, reason := at(i)
		hows[i], reasons[i] = how, reason
		if reason == "" {
			pts = append(pts, pt)
		}
	}
	w := p.loc.Width()
	if cap(p.feats) < len(pts) {
		p.feats = make([]int32, len(pts))
		p.vals = make([]string, w*len(pts))
	}
	feats, vals := p.feats[:len(pts)], p.vals[:w*len(pts)]
	if err := p.loc.LocateAll(ctx, pts, feats, vals); err != nil {
		return err
	}
	// The columns filled, looked up once (r.Set's rules: a value of
	// another type than the column's is a null).
	type strCol struct {
		c   *table.Column
		pos int // in the locator's values
	}
	cols := func(names []string) []strCol {
		out := make([]strCol, len(names))
		for j, name := range names {
			out[j] = strCol{c: r.Column(name), pos: p.loc.Pos(name)}
		}
		return out
	}
	bcols, acols := cols(p.bounds), cols(p.areas)
	setStr := func(c *table.Column, i int, v string, valid bool) {
		if c.Type != table.String {
			c.Valid[i] = false
			return
		}
		c.Strings[i], c.Valid[i] = v, valid
	}
	setFloat := func(c *table.Column, i int, x float64) {
		if c.Type != table.Float {
			c.Valid[i] = false
			return
		}
		c.Floats[i], c.Valid[i] = x, true
	}
	lon, lat, by := r.Column("lon"), r.Column("lat"), r.Column("located_by")
	placed := p.placed[:0]
	defer func() { p.placed = placed[:0] }()
	how, run := "", 0 // PlacedBy's count of the last records placed, all located by how
	k := 0
	for i := range n {
		if reasons[i] != "" {
			p.Unplaced.add(r, i, pl.ID, pl.Name, reasons[i])
			continue
		}
		pt, out := pts[k], vals[k*w:(k+1)*w]
		k++
		inAny := false
		for _, b := range bcols {
			v := valueAt(out, b.pos)
			setStr(b.c, i, v, v != "")
			inAny = inAny || v != ""
		}
		for _, a := range acols {
			v := valueAt(out, a.pos)
			setStr(a.c, i, v, v != "")
		}
		if !inAny {
			p.Unplaced.addOutside(r, i, pl.ID, pl.Name, pt[1], pt[0])
			continue
		}
		setFloat(lon, i, pt[0])
		setFloat(lat, i, pt[1])
		setStr(by, i, hows[i], true)
		if hows[i] != how { // counted a run of equal values at a time
			if run > 0 {
				p.PlacedBy[how] += run
			}
			how, run = hows[i], 0
		}
		run++
		placed = append(placed, i)
	}
	if run > 0 {
		p.PlacedBy[how] += run
	}
	r.Keep(placed)
	p.Placed += len(placed)
	return nil
}

// idText is fmt.Sprint of record i's value in column id (a text is not
// read through Get and fmt: an unplaced record's ID is kept for each of
// them, millions in a large file). A text is the column's own string.
func idText(r *frame.Table, i int, id string) string {
	if c := r.Column(id); c != nil && c.Type == table.String && c.Valid[i] {
		return c.Strings[i]
	}
	return fmt.Sprint(r.Get(i, id))
}

// appendOutsideReason appends the unplaced reason of a point outside every
// boundary to b: fmt.Sprintf("its location (%.6f, %.6f) is outside every
// boundary", lat, lon), built with strconv (TestOutsideReason).
func appendOutsideReason(b []byte, lat, lon float64) []byte {
	b = append(b, "its location ("...)
	b = strconv.AppendFloat(b, lat, 'f', 6, 64)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, lon, 'f', 6, 64)
	return append(b, ") is outside every boundary"...)
}
