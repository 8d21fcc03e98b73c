package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/report"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/reports"
)

// writeReport renders report.html from the computed tables.
func (st *state) writeReport(ctx context.Context) error {
	rc := st.cfg.Report
	if rc == nil {
		return nil
	}
	// The map's points are drawn one by one, so a streamed places set it
	// shows is read into memory here (this stage's copy of the map only).
	if m := rc.Map; m != nil && m.Points != nil && st.places[m.Points.Of] != nil {
		loaded, err := st.places[m.Points.Of].Load(ctx)
		if err != nil {
			return fmt.Errorf("report: places %s: %w", m.Points.Of, err)
		}
		st.places[m.Points.Of] = loaded
	}
	seats, err := st.readSeats(ctx)
	if err != nil {
		return err
	}
	r := report.Build(&report.Input{
		Config: st.cfg, Warnings: st.warnings, Summaries: st.summaries, Segments: st.segments,
		Unplaced: st.unplaced, Sources: st.sourceInfo, Indicators: st.indicators, Outreach: st.outreach,
		Tracts: st.tracts, Places: st.places, Layers: st.layers, AreaOf: st.areaOf, Seats: seats,
	})
	return st.writeFile("report.html", func(w io.Writer) error { return reports.Write(w, r) })
}

// readSeats reads the seat list of each decision layer that has one and
// checks that every seat it lists is a feature of the layer's boundary.
func (st *state) readSeats(ctx context.Context) (map[string][]source.Seat, error) {
	out := map[string][]source.Seat{}
	for _, b := range st.cfg.DecisionLayers() {
		d := st.cfg.Boundaries[b].Decides
		if d.Seats == "" {
			continue
		}
		file := filepath.Base(d.Seats)
		seats, err := readWith(st.cfg.Path(d.Seats), func(r io.Reader) ([]source.Seat, error) { return source.ReadSeats(ctx, r, file) })
		if err != nil {
			return nil, fmt.Errorf("boundaries.%s.decides.seats: %w", b, err)
		}
		ids := map[string]bool{}
		for _, f := range st.layers[b].Features {
			ids[f.ID] = true
		}
		var errs []error
		for _, s := range seats {
			if !ids[s.Seat] {
				errs = append(errs, fmt.Errorf("boundaries.%s.decides.seats: %s: seat %q is not a feature of boundary %s (its %s values are %s)", b, file, s.Seat, b, st.cfg.Boundaries[b].ID, firstFew(slices.Sorted(maps.Keys(ids)), 5)))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		out[b] = seats
	}
	return out, nil
}

// firstFew joins the first n of list, with "…" when there are more.
func firstFew(list []string, n int) string {
	if len(list) > n {
		return strings.Join(list[:n], ", ") + ", …"
	}
	return strings.Join(list, ", ")
}
