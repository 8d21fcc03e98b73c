package census

import (
	"fmt"
	"slices"
	"strings"
)

// Coverage compares a tract table that answers a request for every tract of
// some counties or states (For "tract:*", In naming the state and,
// optionally, counties) with the tract GEOIDs of a boundary layer.
type Coverage struct {
	// Area is the requested area as GEOID prefixes ("06001"), sorted.
	Area []string
	// Within counts the boundary's land tracts inside Area.
	Within int
	// Missing lists the boundary's land tracts inside Area that have no
	// row, sorted.
	Missing []string
	// Unknown lists the table's land tracts that the boundary lacks,
	// sorted.
	Unknown []string
	// Rows is the number of rows of the table.
	Rows int
}

// waterTract says whether an 11-digit tract GEOID is a water-only tract
// (tract codes 990000 to 999999, Census "tract 99xx"): cartographic
// boundary files leave them out, TIGER/Line keeps them, so either side may
// lack one; they are not counted.
func waterTract(id string) bool { return len(id) == 11 && strings.HasPrefix(id[5:], "99") }

func tractID(id string) bool {
	if len(id) != 11 {
		return false
	}
	for i := range len(id) {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// TractCoverage compares rows (the table's GEOIDs) with boundary (the tract
// layer's feature IDs) for request r. ok is false when the check does not
// apply: r is not for every tract ("tract:*") of a state or of counties of
// one, or r.In does not parse. Boundary features outside the requested
// area (a state file for a county pull) and IDs that are not 11-digit tract
// GEOIDs are left out, and so are water-only tracts (see waterTract).
func TractCoverage(r Request, rows, boundary []string) (c Coverage, ok bool) {
	level, codes, _ := strings.Cut(r.For, ":")
	if strings.TrimSpace(level) != "tract" || strings.TrimSpace(codes) != "*" {
		return c, false
	}
	in, err := parseClauses(r.In)
	if err != nil {
		return c, false
	}
	var states, counties []string
	for _, cl := range in {
		switch cl.level {
		case "state":
			states = strings.Split(cl.codes, ",")
		case "county":
			if cl.codes != "*" {
				counties = strings.Split(cl.codes, ",")
			}
		default:
			return c, false
		}
	}
	if len(states) == 0 || slices.Contains(states, "*") {
		return c, false
	}
	for _, s := range states {
		if len(counties) == 0 {
			c.Area = append(c.Area, pad(strings.TrimSpace(s), 2))
			continue
		}
		for _, co := range counties {
			c.Area = append(c.Area, pad(strings.TrimSpace(s), 2)+pad(strings.TrimSpace(co), 3))
		}
	}
	slices.Sort(c.Area)
	inArea := func(id string) bool {
		for _, p := range c.Area {
			if strings.HasPrefix(id, p) {
				return true
			}
		}
		return false
	}
	c.Rows = len(rows)
	have := make(map[string]bool, len(rows))
	for _, id := range rows {
		have[id] = true
	}
	drawn := make(map[string]bool, len(boundary))
	for _, id := range boundary {
		drawn[id] = true
		if !tractID(id) || waterTract(id) || !inArea(id) {
			continue
		}
		c.Within++
		if !have[id] {
			c.Missing = append(c.Missing, id)
		}
	}
	for _, id := range rows {
		if tractID(id) && !waterTract(id) && !drawn[id] {
			c.Unknown = append(c.Unknown, id)
		}
	}
	slices.Sort(c.Missing)
	slices.Sort(c.Unknown)
	return c, true
}

// Short says whether the table was cut short: it lacks land tracts that
// the boundary has inside the requested area, while every land tract it has
// is in the boundary. The ACS and the decennial census publish a row for
// every tract of a county (a tract without people included), so a table of
// the boundary's vintage lacks none; a table of another vintage (2010
// tracts against 2020 ones) also has tracts the boundary lacks, and is not
// Short.
func (c Coverage) Short() bool { return len(c.Missing) > 0 && len(c.Unknown) == 0 }

// Err returns nil unless the table is Short, and then an error wrapping
// ErrIncomplete that says how many and which tracts are missing.
func (c Coverage) Err() error {
	if !c.Short() {
		return nil
	}
	return fmt.Errorf("%w: it has %d row(s) and lacks %d of the %d land tracts the boundary has in %s (%s), while every tract it has is in the boundary; every tract of a county has a row in the ACS (one without people too), so the answer was cut short",
		ErrIncomplete, c.Rows, len(c.Missing), c.Within, strings.Join(c.Area, ", "), listed(c.Missing))
}
