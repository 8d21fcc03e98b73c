package outreach

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
)

// TurfCount counts a segment's contacts in one turf. A turf is an area (Kind
// "area", ID an area name) or, for contacts without an area, a tract (Kind
// "tract", ID a GEOID). Contacts placed by ZIP only have no turf.
//
// Doors counts distinct street addresses (street and unit, compared without
// case and repeated spaces): two contacts at one door are one door to knock.
type TurfCount struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Contacts    int    `json:"contacts"`
	Doors       int    `json:"doors"`
	WithPhone   int    `json:"with_phone"`
	WithEmail   int    `json:"with_email"`
	WithAddress int    `json:"with_address"`
	// Seats holds, per decision layer of Options.Seats (in that order),
	// how many of the turf's contacts fall in each seat.
	Seats []TurfSeats `json:"seats,omitempty"`
}

// TurfSeats counts a turf's contacts by seat of one decision layer.
// Contacts whose place is in no seat (outside the layer, or placed by a
// tract the layer does not cover) are counted in Outside.
type TurfSeats struct {
	Column   string         `json:"column"`
	Title    string         `json:"title"`
	Contacts map[string]int `json:"contacts"`
	Outside  int            `json:"outside,omitempty"`
}

// names returns the seats, the most contacts first, then by name.
func (s TurfSeats) names() []string {
	names := slices.Sorted(maps.Keys(s.Contacts))
	slices.SortStableFunc(names, func(a, b string) int { return s.Contacts[b] - s.Contacts[a] })
	return names
}

// words says the seats for the walk list header: "Oakland (5 contacts)",
// "A (3 contacts), B (1 contact); 1 contact in no seat".
func (s TurfSeats) words() string {
	var parts []string
	for _, n := range s.names() {
		parts = append(parts, fmt.Sprintf("%s (%s)", n, plural(s.Contacts[n], "contact")))
	}
	w := strings.Join(parts, ", ")
	if w == "" {
		w = "no seat"
	}
	if s.Outside > 0 {
		w += "; " + plural(s.Outside, "contact") + " in no seat"
	}
	return w
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

type walkEntry struct {
	turf               string
	number             int
	hasNumber          bool
	suffix, name, unit string
	street, city, zip  string
	first, last, phone string
	line               int
}

func turfOf(c *Contact) (id, kind string) {
	switch {
	case c.Area != "":
		return c.Area, "area"
	case c.Tract != "":
		return c.Tract, "tract"
	}
	return "", ""
}

func (e *Exporter) addTurf(c *Contact, seg string) {
	id, kind := turfOf(c)
	if id == "" {
		return
	}
	m := e.turfs[seg]
	if m == nil {
		m = map[string]*TurfCount{}
		e.turfs[seg] = m
	}
	key := kind + "\x00" + id
	t := m[key]
	if t == nil {
		t = &TurfCount{ID: id, Kind: kind}
		for _, l := range e.opt.Seats {
			t.Seats = append(t.Seats, TurfSeats{Column: l.Column, Title: l.Title, Contacts: map[string]int{}})
		}
		m[key] = t
	}
	t.Contacts++
	for i := range t.Seats {
		if seat := c.Custom[t.Seats[i].Column]; seat != "" {
			t.Seats[i].Contacts[seat]++
		} else {
			t.Seats[i].Outside++
		}
	}
	if c.Phone != "" || c.Mobile != "" {
		t.WithPhone++
	}
	if c.Email != "" {
		t.WithEmail++
	}
	if c.Street == "" {
		return
	}
	t.WithAddress++
	a := ParseStreet(c.Street)
	door := kind + "\x00" + id + "\x00" + strings.ToLower(strings.Join(strings.Fields(c.Street), " "))
	if e.doors[seg] == nil {
		e.doors[seg] = map[string]bool{}
	}
	if !e.doors[seg][door] {
		e.doors[seg][door] = true
		t.Doors++
	}
	ph, _, _, _ := voice(c)
	e.walk[seg] = append(e.walk[seg], walkEntry{turf: id, number: a.Number, hasNumber: a.HasNumber, suffix: a.Suffix,
		name: a.Name, unit: a.Unit, street: c.Street, city: c.City, zip: c.Zip, first: c.First, last: c.Last, phone: digits(ph), line: c.Line})
}

// Address is a street address split for walk-list ordering.
type Address struct {
	Number    int    // house number, when HasNumber
	HasNumber bool   // false for addresses without a leading number
	Suffix    string // "A" in "12A Main St", "1/2" in "12 1/2 Main St"
	Name      string // "Main St"
	Unit      string // "Apt 3" / "#3" / "Unit 3", without the separator
}

var (
	houseRe = regexp.MustCompile(`^(\d{1,7})(?:([A-Za-z])\b|\s+(1/2)\b|-(\d+))?\s+(.+)$`)
	unitRe  = regexp.MustCompile(`(?i)(?:,\s*|\s+)((?:apt|apartment|unit|ste|suite|#)\.?\s*#?\s*[\w-]+)\s*$`)
)

// ParseStreet splits "4610 Foothill Boulevard Apt 2" into number 4610, name
// "Foothill Boulevard" and unit "Apt 2". An address it cannot split keeps
// its whole text as Name and HasNumber false.
func ParseStreet(s string) Address {
	s = strings.Join(strings.Fields(s), " ")
	var a Address
	if m := unitRe.FindStringSubmatchIndex(s); m != nil && m[0] > 0 {
		a.Unit = s[m[2]:m[3]]
		s = s[:m[0]]
	}
	m := houseRe.FindStringSubmatch(s)
	if m == nil {
		a.Name = s
		return a
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		a.Name = s
		return a
	}
	a.Number, a.HasNumber, a.Name = n, true, m[5]
	switch {
	case m[2] != "":
		a.Suffix = strings.ToUpper(m[2])
	case m[3] != "":
		a.Suffix = m[3]
	case m[4] != "":
		a.Suffix = "-" + m[4]
	}
	return a
}

// side returns 0 for odd house numbers, 1 for even, 2 for none.
func side(w walkEntry) int {
	if !w.hasNumber {
		return 2
	}
	if w.number%2 == 1 {
		return 0
	}
	return 1
}

func sideName(w walkEntry) string {
	return [...]string{"odd", "even", ""}[side(w)]
}

// sortWalk orders a walk list: by street name (case-insensitive), then the
// odd side before the even side, then house number ascending (numerically:
// 750 before 2825), then suffix, unit, last and first name, and input line.
func sortWalk(ws []walkEntry) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if x, y := strings.ToLower(a.name), strings.ToLower(b.name); x != y {
			return x < y
		}
		if side(a) != side(b) {
			return side(a) < side(b)
		}
		if a.number != b.number {
			return a.number < b.number
		}
		if a.suffix != b.suffix {
			return a.suffix < b.suffix
		}
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		if a.last != b.last {
			return a.last < b.last
		}
		if a.first != b.first {
			return a.first < b.first
		}
		return a.line < b.line
	})
}

// writeTurfs writes one GeoJSON per segment and one walk list per segment
// and turf, returning the relative file names and the turf counts.
func (e *Exporter) writeTurfs(ctx context.Context) ([]string, map[string][]TurfCount, error) {
	var files []string
	all := map[string][]TurfCount{}
	for _, seg := range e.segments {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		var counts []TurfCount
		for _, t := range e.turfs[seg] {
			counts = append(counts, *t)
		}
		sort.Slice(counts, func(i, j int) bool {
			if counts[i].Kind != counts[j].Kind {
				return counts[i].Kind < counts[j].Kind
			}
			return counts[i].ID < counts[j].ID
		})
		all[seg] = counts
		data, err := turfGeoJSON(seg, counts, e.opt.Areas, e.opt.Tracts)
		if err != nil {
			return nil, nil, err
		}
		rel := filepath.ToSlash(filepath.Join("turfs", e.slugs[seg]+".geojson"))
		if err := WriteFileAtomic(filepath.Join(e.dir, rel), data); err != nil {
			return nil, nil, err
		}
		files = append(files, rel)

		ws := e.walk[seg]
		sortWalk(ws)
		byTurf := map[string][]walkEntry{}
		for _, w := range ws {
			byTurf[w.turf] = append(byTurf[w.turf], w)
		}
		seen := map[string]string{}
		for _, turf := range slices.Sorted(maps.Keys(byTurf)) {
			sl := Slug(turf)
			if prev, dup := seen[sl]; dup {
				return nil, nil, fmt.Errorf("segment %q: turfs %q and %q have the same file name %q", seg, prev, turf, sl)
			}
			seen[sl] = turf
			rel := filepath.ToSlash(filepath.Join("walklists", e.slugs[seg], sl+".csv"))
			f, err := newTempCSV(filepath.Join(e.dir, rel))
			if err != nil {
				return nil, nil, err
			}
			rows := [][]string{{"turf", "street_name", "side", "house_number", "house_suffix", "unit", "address", "city", "zip", "first_name", "last_name", "phone_number"}}
			for _, w := range byTurf[turf] {
				num := ""
				if w.hasNumber {
					num = strconv.Itoa(w.number)
				}
				rows = append(rows, []string{w.turf, w.name, sideName(w), num, w.suffix, w.unit, w.street, w.city, w.zip, w.first, w.last, w.phone})
			}
			for _, r := range rows {
				for i := range r {
					r[i] = Neutralize(r[i])
				}
				if err := f.write(r); err != nil {
					f.abort()
					return nil, nil, err
				}
			}
			if err := f.finish(); err != nil {
				f.abort()
				return nil, nil, err
			}
			if err := f.commit(); err != nil {
				return nil, nil, err
			}
			files = append(files, rel)
		}
		if len(byTurf) > 0 {
			rel := filepath.ToSlash(filepath.Join("walklists", e.slugs[seg]+".html"))
			data, err := walkHTML(seg, counts, byTurf)
			if err != nil {
				return nil, nil, err
			}
			if err := WriteFileAtomic(filepath.Join(e.dir, rel), data); err != nil {
				return nil, nil, err
			}
			files = append(files, rel)
		}
	}
	return files, all, nil
}

type gjFeature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   gjGeometry     `json:"geometry"`
}

type gjGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// turfGeoJSON renders a FeatureCollection with one MultiPolygon feature per
// turf that has geometry (EPSG:4326 lon/lat, as in the layers), properties
// segment, turf, kind, the counts and, per decision layer of
// Options.Seats, <column> (the seats, "; "-separated, the most contacts
// first) and <column>_contacts (contacts per seat, "" for none). Rings are written as RFC 7946 section
// 3.1.6 asks ("exterior rings are counterclockwise, and holes are
// clockwise"), whatever the input's winding; the layer is not modified.
func turfGeoJSON(seg string, counts []TurfCount, areas, tracts *geo.Layer) ([]byte, error) {
	find := func(l *geo.Layer, id string) *geo.Feature {
		if l == nil {
			return nil
		}
		for i := range l.Features {
			if l.Features[i].ID == id {
				return &l.Features[i]
			}
		}
		return nil
	}
	fc := struct {
		Type     string      `json:"type"`
		Features []gjFeature `json:"features"`
	}{Type: "FeatureCollection", Features: []gjFeature{}}
	for _, t := range counts {
		var f *geo.Feature
		if t.Kind == "area" {
			f = find(areas, t.ID)
		} else {
			f = find(tracts, t.ID)
		}
		if f == nil {
			continue
		}
		props := map[string]any{"segment": seg, "turf": t.ID, "kind": t.Kind, "contacts": t.Contacts, "doors": t.Doors,
			"with_phone": t.WithPhone, "with_email": t.WithEmail, "with_address": t.WithAddress}
		for _, s := range t.Seats {
			// <column>: the seats, the most contacts first, as the exports
			// name them; <column>_contacts: contacts per seat ("" for none)
			props[s.Column] = strings.Join(s.names(), "; ")
			n := maps.Clone(s.Contacts)
			if s.Outside > 0 {
				n[""] = s.Outside
			}
			props[s.Column+"_contacts"] = n
		}
		fc.Features = append(fc.Features, gjFeature{Type: "Feature",
			Properties: props,
			Geometry:   gjGeometry{Type: "MultiPolygon", Coordinates: geo.RFC7946(f.Geom)}})
	}
	data, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("turfs of segment %q: %w", seg, err)
	}
	return append(data, '\n'), nil
}

// walkTmpl is the printable walk list of a segment: one turf a page (CSS
// break-after: page), its door and contact counts, its seat of each
// decision layer (Options.Seats) with contacts per seat, and its addresses in
// walking order. It holds no phone numbers and no email: a door-knocking
// sheet needs neither. html/template escapes every value.
var walkTmpl = template.Must(template.New("walk").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Walk list: {{.Segment}}</title>
<style>
body { font-family: sans-serif; font-size: 11pt; margin: 1.5cm; }
section { break-after: page; page-break-after: always; }
section:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
p.counts, p.seat { margin: 0 0 .8em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #888; padding: .25em .4em; text-align: left; vertical-align: top; }
td.num { text-align: right; }
td.mark { width: 6em; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
{{range .Turfs}}<section>
<h1>{{.Name}}</h1>
<p class="counts">Segment {{$.Segment}} · {{.Doors}} doors · {{.Contacts}} contacts ({{.WithAddress}} with an address)</p>
{{range .Seats}}<p class="seat">{{.Title}}: {{.Words}}</p>
{{end}}<table>
<thead><tr><th>Street</th><th>Side</th><th>No.</th><th>Unit</th><th>Name</th><th>Result</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Street}}</td><td>{{.Side}}</td><td class="num">{{.Number}}</td><td>{{.Unit}}</td><td>{{.Name}}</td><td class="mark"></td></tr>
{{end}}</tbody>
</table>
</section>
{{end}}</body>
</html>
`))

type walkPage struct {
	Name                         string
	Doors, Contacts, WithAddress int
	Seats                        []walkSeat
	Rows                         []walkRow
}

type walkSeat struct {
	Title, Words string
}

type walkRow struct {
	Street, Side, Number, Unit, Name string
}

// walkHTML renders the segment's turfs, sorted by turf name, one a page.
func walkHTML(seg string, counts []TurfCount, byTurf map[string][]walkEntry) ([]byte, error) {
	byID := map[string]TurfCount{}
	for _, c := range counts {
		byID[c.ID] = c
	}
	var data struct {
		Segment string
		Turfs   []walkPage
	}
	data.Segment = seg
	for _, turf := range slices.Sorted(maps.Keys(byTurf)) {
		c := byID[turf]
		pg := walkPage{Name: turf, Doors: c.Doors, Contacts: c.Contacts, WithAddress: c.WithAddress}
		for _, s := range c.Seats {
			pg.Seats = append(pg.Seats, walkSeat{Title: s.Title, Words: s.words()})
		}
		for _, w := range byTurf[turf] {
			num := ""
			if w.hasNumber {
				num = strconv.Itoa(w.number) + w.suffix
			}
			pg.Rows = append(pg.Rows, walkRow{Street: w.name, Side: sideName(w), Number: num, Unit: w.unit, Name: strings.TrimSpace(w.first + " " + w.last)})
		}
		data.Turfs = append(data.Turfs, pg)
	}
	var b bytes.Buffer
	if err := walkTmpl.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("walk list of segment %q: %w", seg, err)
	}
	return b.Bytes(), nil
}
