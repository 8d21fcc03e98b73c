// Package contact places people (contacts, sign-ins, survey answers) in
// tracts, areas and segments: by a point in the boundary layers, else a
// tract GEOID, else a ZIP through the pipeline file's ZIP list. It is the
// placement the readers of pipeline/source leave to their caller
// (source.Placer), and what pipeline/engage summarises by.
package contact

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// SegmentFunc returns the names of the segments a place belongs to. tract is
// an 11-digit tract GEOID or empty; area is an area (e.g. neighborhood) name
// or empty. It must be safe for concurrent use if the Placer is shared.
type SegmentFunc func(tract, area string) []string

// Placer tags contacts with their tract, area and segments.
//
// Order of evidence: a point (lon/lat) is located in the tract layer and the
// area layer (geo.Index boundary rules apply); if the point is missing or
// falls outside every tract, a tract or block-group GEOID gives the tract
// (block group: its first 11 digits) and, through AreaOfTract, the area; if
// neither places the contact, its 5-digit ZIP gives segments through
// ZIPSegments only: groundwork has no ZIP (ZCTA) boundaries, so a ZIP-placed
// contact has no tract and no area, and is in a segment only if the segment
// lists its ZIP. A Placer is safe for concurrent use once built.
type Placer struct {
	tracts, areas     *geo.Layer
	tractIdx, areaIdx *geo.Index
	areaByName        map[string]string // case-folded area ID -> ID
	segments          SegmentFunc
	areaOfTract       func(string) string
	zipSegments       map[string][]string
	locate            func(orb.Point) (tract, area string)
}

// NewPlacer builds a placer. tracts is required (IDs are tract GEOIDs);
// areas may be nil; segments may be nil (no contact is in a segment).
func NewPlacer(tracts, areas *geo.Layer, segments SegmentFunc) *Placer {
	p := &Placer{tracts: tracts, areas: areas, segments: segments}
	if tracts != nil {
		p.tractIdx = geo.NewIndex(tracts)
	}
	if areas != nil {
		p.areaIdx = geo.NewIndex(areas)
		p.areaByName = make(map[string]string, len(areas.Features))
		for _, f := range areas.Features {
			p.areaByName[strings.ToLower(f.ID)] = f.ID
		}
	}
	return p
}

// WithAreaOfTract sets how a contact placed by GEOID only gets its area.
func (p *Placer) WithAreaOfTract(f func(tract string) string) *Placer { p.areaOfTract = f; return p }

// WithLocate makes the placer find a point's tract and area (feature IDs of
// its tract and area layers; "" for none) with locate, placements made
// elsewhere (the Sedona engine's job, under the same boundary rule), instead
// of its own indexes.
func (p *Placer) WithLocate(locate func(orb.Point) (tract, area string)) *Placer {
	p.locate = locate
	return p
}

// WithZIPSegments sets the segments of each 5-digit ZIP, used for contacts
// that only have a ZIP.
func (p *Placer) WithZIPSegments(m map[string][]string) *Placer { p.zipSegments = m; return p }

// Placement is where a contact was placed and by what evidence ("point",
// "geoid", "zip" or "none").
type Placement struct {
	Tract, Area string
	Segments    []string
	By          string
}

// Place places a point (nil if none), a validated tract/block-group GEOID
// (may be empty) and a ZIP (may be empty). Segments are sorted and unique.
func (p *Placer) Place(pt *orb.Point, geoid, zip string) Placement {
	var pl Placement
	if pt != nil && p.locate != nil {
		if t, a := p.locate(*pt); t != "" {
			pl.Tract, pl.Area, pl.By = t, a, "point"
		}
	} else if pt != nil && p.tractIdx != nil {
		if i, ok := p.tractIdx.Locate(*pt); ok {
			pl.Tract, pl.By = p.tracts.Features[i].ID, "point"
			if p.areaIdx != nil {
				if j, ok := p.areaIdx.Locate(*pt); ok {
					pl.Area = p.areas.Features[j].ID
				}
			}
		}
	}
	if pl.By == "" && len(geoid) >= 11 {
		pl.Tract, pl.By = geoid[:11], "geoid"
		if p.areaOfTract != nil {
			pl.Area = p.areaOfTract(pl.Tract)
		}
	}
	if pl.By != "" {
		if p.segments != nil {
			pl.Segments = uniqueSorted(p.segments(pl.Tract, pl.Area))
		}
		return pl
	}
	if z := source.ZIP5(zip); z != "" {
		if segs, ok := p.zipSegments[z]; ok {
			pl.Segments, pl.By = uniqueSorted(segs), "zip"
			return pl
		}
	}
	pl.By = "none"
	return pl
}

// PlaceContact places a contact read by a source.ContactReader by its point
// (when it has one), GEOID and ZIP, and sets its Tract, Area and Segments;
// it returns Placement.By. It makes *Placer a source.Placer.
func (p *Placer) PlaceContact(c *source.Contact) string {
	var pt *orb.Point
	if c.HasPoint {
		pt = &orb.Point{c.Lon, c.Lat}
	}
	pl := p.Place(pt, c.GEOID, c.Zip)
	c.Tract, c.Area, c.Segments = pl.Tract, pl.Area, pl.Segments
	return pl.By
}

// uniqueSorted is in sorted, without repeats (nil when empty).
func uniqueSorted(in []string) []string { return slices.Compact(slices.Sorted(slices.Values(in))) }

// Place is where an answer or attendee was placed for a summary: Kind is
// "area", "tract" (a point in a tract but in no area), "zip" (ZIP only; ID is
// the 5-digit ZIP) or "unplaced" (ID empty).
type Place struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

// PlaceOf places a location for summaries: a point through p (area, else
// tract), then a neighborhood name matched against p's area layer, then a
// ZIP. It returns the segments of the place (ZIP: through the ZIP list).
func (p *Placer) PlaceOf(pt *orb.Point, neighborhood, zip string) (Place, []string) {
	if p == nil {
		if z := source.ZIP5(zip); z != "" {
			return Place{z, "zip"}, nil
		}
		return Place{Kind: "unplaced"}, nil
	}
	if pt != nil {
		pl := p.Place(pt, "", "")
		if pl.By == "point" {
			if pl.Area != "" {
				return Place{pl.Area, "area"}, pl.Segments
			}
			return Place{pl.Tract, "tract"}, pl.Segments
		}
	}
	if id, ok := p.areaByName[strings.ToLower(strings.TrimSpace(neighborhood))]; ok && neighborhood != "" {
		var segs []string
		if p.segments != nil {
			segs = uniqueSorted(p.segments("", id))
		}
		return Place{id, "area"}, segs
	}
	if z := source.ZIP5(zip); z != "" {
		return Place{z, "zip"}, uniqueSorted(p.zipSegments[z])
	}
	return Place{Kind: "unplaced"}, nil
}
