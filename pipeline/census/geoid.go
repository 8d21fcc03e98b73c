package census

import (
	"strings"
	"unsafe"
)

// geoComponent is a geography column the API returns for a for/in clause,
// with the width of its FIPS/code part in a GEOID.
type geoComponent struct {
	name  string
	width int
}

// geoHierarchy lists geography components in the order their codes are
// concatenated into a GEOID (Census Bureau, "Understanding Geographic
// Identifiers (GEOIDs)": state 2 + county 3 + tract 6 + block group 1;
// block 4; county subdivision, place, school districts, PUMA 5;
// congressional district 2; CBSA 5; ZCTA 5).
var geoHierarchy = []geoComponent{
	{"us", 1},
	{"region", 1},
	{"division", 1},
	{"state", 2},
	{"metropolitan statistical area/micropolitan statistical area", 5},
	{"metropolitan division", 5},
	{"combined statistical area", 3},
	{"county", 3},
	{"county subdivision", 5},
	{"subminor civil division", 5},
	{"place", 5},
	{"consolidated city", 5},
	{"congressional district", 2},
	{"state legislative district (upper chamber)", 3},
	{"state legislative district (lower chamber)", 3},
	{"school district (elementary)", 5},
	{"school district (secondary)", 5},
	{"school district (unified)", 5},
	{"public use microdata area", 5},
	{"tract", 6},
	{"block group", 1},
	{"block", 4},
	{"zip code tabulation area", 5},
}

// geoRank returns the position of a geography component in geoHierarchy, or
// -1 if name is not one.
func geoRank(name string) int {
	for i, g := range geoHierarchy {
		if g.name == name {
			return i
		}
	}
	return -1
}

const zctaName = "zip code tabulation area"

// pad left-pads an all-digit code with zeros to width; anything else is
// returned unchanged.
func pad(s string, width int) string {
	if z := padZeros(s, width); z > 0 {
		return strings.Repeat("0", z) + s
	}
	return s
}

// padZeros is the number of zeros pad puts before s.
func padZeros(s string, width int) int {
	if len(s) >= width || s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
	}
	return width - len(s)
}

// GEOIDs returns each row's GEOID: the geography component columns
// concatenated in hierarchy order (state, county, tract, block group, ...;
// or a GEO_ID/ucgid column's code), zero-padded strings always.
//
// Each all-digit component shorter than its width (state 2, county 3, tract
// 6, block group 1, block 4, place 5, ...) is left-padded with zeros. A ZCTA's
// GEOID is the 5-digit ZCTA alone, even where the response also carries a
// state. When the response has no component columns, the code after "US" in
// GEO_ID or ucgid is used ("1400000US06001400100" gives "06001400100"); with
// neither, every GEOID is "". A null component counts as "". The slice is
// the caller's.
func (t *Table) GEOIDs() []string { return t.buildGEOIDs().ids }

// geoidList is a table's GEOIDs and the columns they were built from.
// When the table has geography component columns, every GEOID is cut from
// one string, all: GEOID i is all[offsets[i]:offsets[i+1]] (offsets nil
// otherwise), the form of an Arrow string array's buffers.
type geoidList struct {
	ids     []string
	all     string
	offsets []int32
	from    []geoSource
}

// geoSource is a column a geoidList was built from, and its Raw's first
// element and length then.
type geoSource struct {
	col *Column
	raw *string
	n   int
}

// geoids is GEOIDs, built once and shared by check and Record (which read
// it; the ids are not the caller's to change): the first call keeps it,
// and a later call takes it while the table's geography columns are the
// same columns with the same Raw slices (a decoded table's are never
// written again: Decode's callers only read them). Safe for concurrent
// use, like the table's other reads.
func (t *Table) geoids() *geoidList {
	if g := t.ids.Load(); g != nil && g.current(t) {
		return g
	}
	g := t.buildGEOIDs()
	t.ids.Store(g)
	return g
}

// current reports whether g was built from t's geography columns as they
// are.
func (g *geoidList) current(t *Table) bool {
	k := 0
	for _, c := range t.Columns {
		if c.Kind != KindGeography {
			continue
		}
		if k >= len(g.from) || g.from[k] != sourceOf(c) {
			return false
		}
		k++
	}
	return k == len(g.from)
}

func sourceOf(c *Column) geoSource {
	return geoSource{c, unsafe.SliceData(c.Raw), len(c.Raw)}
}

// buildGEOIDs builds GEOIDs's answer.
func (t *Table) buildGEOIDs() *geoidList {
	type part struct {
		col   *Column
		width int
		rank  int
	}
	g := &geoidList{}
	var parts []part
	var zcta, geoID *Column
	for _, c := range t.Columns {
		if c.Kind != KindGeography {
			continue
		}
		g.from = append(g.from, sourceOf(c))
		if c.Name == "GEO_ID" || c.Name == "ucgid" {
			if geoID == nil {
				geoID = c
			}
			continue
		}
		r := geoRank(c.Name)
		if c.Name == zctaName {
			zcta = c
		}
		parts = append(parts, part{c, geoHierarchy[r].width, r})
	}
	if zcta != nil {
		parts = []part{{zcta, 5, geoRank(zctaName)}}
	}
	// Insertion sort by rank: at most a handful of columns.
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && parts[j].rank < parts[j-1].rank; j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	out := make([]string, t.rows)
	g.ids = out
	if len(parts) == 0 {
		if geoID != nil {
			for i := range out {
				s := geoID.Raw[i]
				if _, code, ok := strings.Cut(s, "US"); ok {
					s = code
				}
				out[i] = s
			}
		}
		return g
	}
	// Every GEOID is cut from one string: one allocation, not one a row.
	width := 0
	for _, p := range parts {
		width += p.width
	}
	buf := make([]byte, 0, t.rows*width)
	offsets := make([]int32, t.rows+1)
	for i := range out {
		for _, p := range parts {
			s := p.col.Raw[i]
			for range padZeros(s, p.width) {
				buf = append(buf, '0')
			}
			buf = append(buf, s...)
		}
		offsets[i+1] = int32(len(buf))
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is not written again
	for i := range out {
		out[i] = all[offsets[i]:offsets[i+1]]
	}
	g.all, g.offsets = all, offsets
	return g
}
