package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// selectSegments evaluates each segment's rule on its places, ranks and
// limits the matches, and writes segments/<name>.csv and .geojson.
func (st *state) selectSegments(ctx context.Context) error {
	for _, s := range st.cfg.Segments {
		r, err := st.rowsOf(ctx, s.Of)
		if err != nil {
			return fmt.Errorf("segment %q: %w", s.Name, err)
		}
		idCol := "geoid"
		if pl, ok := st.cfg.Places[s.Of]; ok {
			idCol = pl.ID
		}
		total := r.Len() // 0 for a stream, until it is read
		prog := st.progress(total)
		var res *result.Segment
		if sg := st.spark.Segment(s); sg != nil {
			// Selected by the sedona engine's job.
			st.log.Info("sedona engine: segment from the job", "segment", s.Name)
			res, err = tabulate.SegmentRows(ctx, s, r, sg.Rows, sg.Missing)
		} else {
			if st.spark.Computed(s.Name) {
				// A cached job (its key covers placement only) and a
				// rule changed since: selected here, over the job's
				// placements, with the same result.
				st.log.Info("sedona engine: segment computed natively", "segment", s.Name, "reason", "changed since the cached job ran")
			}
			res, err = tabulate.Select(ctx, s, r, idCol, prog.done)
		}
		if err != nil {
			return err
		}
		if n := r.Len(); n != total {
			prog.counted(n - total)
		}
		prog.done(r.Len())
		addSeats(st.cfg, res)
		if res.Missing > 0 {
			st.warn("segment %s: %d record(s) left out because a value the rule needs is missing", s.Name, res.Missing)
		}
		csvName := filepath.Join("segments", s.Name+".csv")
		gjName := filepath.Join("segments", s.Name+".geojson")
		res.Files = []string{csvName, gjName}
		if err := st.writeFile(csvName, tabulate.SegmentCSV(res)); err != nil {
			return err
		}
		if err := st.writeFile(gjName, tabulate.SegmentGeoJSON(res, func(row map[string]any) orb.Geometry { return st.geometry(s.Of, row) })); err != nil {
			return err
		}
		st.segments = append(st.segments, res)
	}
	return nil
}

// addSeats gives the segment a column per decision layer holding each
// record's seat: the ID of the layer's feature that contains it, which the
// places and tracts stages put in the column named for the boundary.
func addSeats(c *config.Config, res *result.Segment) {
	for _, b := range c.DecisionLayers() {
		col := config.SeatColumn(b)
		if slices.Contains(res.Columns, col) {
			continue
		}
		res.Columns = append(res.Columns, col)
		for _, row := range res.Rows {
			row[col] = row[b]
		}
	}
}

// geometry returns a record's geometry for GeoJSON: a place's point, or a
// tract's polygon from the tract boundary.
func (st *state) geometry(of string, row map[string]any) orb.Geometry {
	if of == "tracts" {
		id, _ := row["geoid"].(string)
		for _, f := range st.layers[st.cfg.Tracts.Boundary].Features {
			if f.ID == id {
				return f.Geom
			}
		}
		return nil
	}
	lon, _ := frame.ToFloat(row["lon"])
	lat, _ := frame.ToFloat(row["lat"])
	return orb.Point{lon, lat}
}
