package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/groundwork-org/groundwork/pipeline/report"
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
	seats, err := report.ReadSeats(ctx, st.cfg, st.layers)
	if err != nil {
		return err
	}
	r := report.Build(&report.Input{
		Config: st.cfg, Warnings: st.warnings, Summaries: st.summaries, Segments: st.segments,
		Unplaced: st.unplaced, Sources: st.sourceInfo, Indicators: st.indicators, Outreach: st.outreach,
		Tracts: st.tracts, Places: st.places, Layers: st.layers, AreaOf: st.areaOf, Seats: seats,
	})
	// html/template writes the page in many small pieces: buffered, the
	// file gets a few large writes instead of a system call per piece.
	return st.writeFile("report.html", func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 256<<10)
		if err := reports.Write(bw, r); err != nil {
			return err
		}
		return bw.Flush()
	})
}
