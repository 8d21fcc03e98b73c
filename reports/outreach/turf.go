package outreach

import (
	"context"
	"encoding/json"
	"fmt"
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
type TurfCount struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Contacts    int    `json:"contacts"`
	WithPhone   int    `json:"with_phone"`
	WithEmail   int    `json:"with_email"`
	WithAddress int    `json:"with_address"`
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
		m[key] = t
	}
	t.Contacts++
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
	ph := c.Mobile
	if ph == "" {
		ph = c.Phone
	}
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
// segment, turf, kind and the counts.
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
		fc.Features = append(fc.Features, gjFeature{Type: "Feature",
			Properties: map[string]any{"segment": seg, "turf": t.ID, "kind": t.Kind, "contacts": t.Contacts,
				"with_phone": t.WithPhone, "with_email": t.WithEmail, "with_address": t.WithAddress},
			Geometry: gjGeometry{Type: "MultiPolygon", Coordinates: f.Geom}})
	}
	data, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("turfs of segment %q: %w", seg, err)
	}
	return append(data, '\n'), nil
}
