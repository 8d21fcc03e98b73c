package report

import (
	"cmp"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/reports"
)

// decides lays out each decision layer ("Who decides"): its seats, with who
// holds them when a seat list was given, and which seats cover each area
// of the map's outlined area definition (counting the places the map
// draws), each segment (counting its records) and each contact segment
// (counting its exported contacts), with how many fall in each seat.
// Seats are the boundary's feature IDs; a record's seat is the column the
// places and tracts stages wrote for the boundary.
func (in *Input) decides() []reports.DecisionLayer {
	var out []reports.DecisionLayer
	for _, b := range in.Config.DecisionLayers() {
		bc := in.Config.Boundaries[b]
		d := bc.Decides
		dl := reports.DecisionLayer{ID: "d-" + b, Title: d.Title}
		about := []string{fmt.Sprintf("Seats: the features of %s (%s).", cmp.Or(bc.Title, b), filepath.Base(bc.File))}
		if d.Seats != "" {
			about = append(about, fmt.Sprintf("Who holds them: %s.", filepath.Base(d.Seats)))
		}
		if d.About != "" {
			about = append(about, d.About)
		}
		about = append(about, fmt.Sprintf("The exported lists have a column %s with each record's seat.", config.SeatColumn(b)))
		dl.About = strings.Join(about, " ")
		holder := map[string]reports.Seat{}
		for _, s := range in.Seats[b] {
			holder[s.Seat] = reports.Seat{Name: s.Seat, Holder: s.Name, Office: s.Office, Contact: s.Contact}
		}
		if l := in.Layers[b]; l != nil {
			var ids []string
			for _, f := range l.Features {
				ids = append(ids, f.ID)
			}
			slices.Sort(ids)
			for _, id := range slices.Compact(ids) {
				s := holder[id]
				s.Name = id
				dl.Seats = append(dl.Seats, s)
			}
		}
		dl.Covers = append(dl.Covers, in.areaCovers(b)...)
		for _, s := range in.Segments {
			n := map[string]int{}
			for _, row := range s.Rows {
				v, _ := row[config.SeatColumn(b)].(string)
				n[v]++
			}
			dl.Covers = append(dl.Covers, cover(cmp.Or(s.Title, s.Name), "segment", s.Of, n))
		}
		if o := in.Outreach; o != nil && o.Seats[b] != nil && in.Config.Contacts != nil {
			for _, cs := range in.Config.Contacts.Segments {
				if n := o.Seats[b][cs.Name]; len(n) > 0 {
					dl.Covers = append(dl.Covers, cover("Contacts: "+in.contactSegmentWords(cs.Name), "contacts", "contacts", n))
				}
			}
		}
		out = append(out, dl)
	}
	return out
}

// areaCovers counts the places the map draws by area of the map's outlined
// area definition and seat of decision layer b.
func (in *Input) areaCovers(b string) []reports.Cover {
	rc := in.Config.Report
	if rc == nil || rc.Map == nil || rc.Map.Outline == "" || rc.Map.Points == nil {
		return nil
	}
	area, of := rc.Map.Outline, rc.Map.Points.Of
	r := in.Places[of]
	if r == nil || !slices.Contains(r.Cols(), b) || !slices.Contains(r.Cols(), area) {
		return nil
	}
	counts := map[string]map[string]int{}
	for i := range r.Len() {
		a, _ := r.Get(i, area).(string)
		if a == "" {
			continue
		}
		seat, _ := r.Get(i, b).(string)
		if counts[a] == nil {
			counts[a] = map[string]int{}
		}
		counts[a][seat]++
	}
	order := slices.Clone(in.Config.Areas[area].Order)
	for _, a := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(order, a) {
			order = append(order, a)
		}
	}
	var out []reports.Cover
	for _, a := range order {
		if counts[a] != nil {
			out = append(out, cover(a, "area", of, counts[a]))
		}
	}
	return out
}

// cover turns counts by seat ("" for none) into a Cover, seats with the
// most first.
func cover(what, kind, unit string, n map[string]int) reports.Cover {
	c := reports.Cover{What: what, Kind: kind, Unit: unit, Outside: n[""]}
	for _, seat := range slices.Sorted(maps.Keys(n)) {
		if seat != "" {
			c.Counts = append(c.Counts, reports.SeatCount{Seat: seat, N: n[seat]})
		}
	}
	slices.SortStableFunc(c.Counts, func(a, b reports.SeatCount) int { return b.N - a.N })
	return c
}
