package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/followup"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/report"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// runOutreach reads the contact list one row at a time, tags each contact
// with its tract, area and segments, streams it into the export profiles,
// and summarises the listening survey and event turnout by area and segment.
func (st *state) runOutreach(ctx context.Context) error {
	ct := st.cfg.Contacts
	if ct == nil {
		return nil
	}
	// Without an area (contacts.area is optional) contacts are placed in
	// their tracts only: exports and tract segments work, area segments
	// cannot be configured.
	var areaLayer *geo.Layer
	if ct.Area != "" {
		areaLayer = st.layers[st.cfg.Areas[ct.Area].Boundary]
	}
	inSeg := map[string]map[string]bool{} // tract segment -> geoids
	for _, s := range st.segments {
		if s.Of != "tracts" {
			continue
		}
		m := map[string]bool{}
		for _, row := range s.Rows {
			if id, ok := row["geoid"].(string); ok {
				m[id] = true
			}
		}
		inSeg[s.Name] = m
	}
	segFunc := func(tract, area string) []string {
		var out []string
		for _, s := range ct.Segments {
			switch {
			case s.Segment != "" && inSeg[s.Segment][tract]:
				out = append(out, s.Name)
			case s.Area != "" && area != "" && st.areaOf[s.Area][area] == s.Value:
				out = append(out, s.Name)
			}
		}
		return out
	}
	placer := contact.NewPlacer(st.layers[ct.Tracts], areaLayer, segFunc).WithZIPSegments(ct.ZIPSegments)
	var missed int // points the sedona engine's job did not place (a bug)
	if st.spark != nil {
		st.log.Info("sedona engine: contact placements from the job")
		areaBoundary := ""
		if areaLayer != nil {
			areaBoundary = st.cfg.Areas[ct.Area].Boundary
		}
		placer = placer.WithLocate(func(p orb.Point) (string, string) {
			t, ok := st.spark.locate(ct.Tracts, p)
			if !ok {
				missed++
				return "", ""
			}
			a, _ := st.spark.locate(areaBoundary, p)
			return t, a
		})
	}
	if st.tracts != nil && ct.Area != "" {
		boundary := st.cfg.Areas[ct.Area].Boundary
		tractArea := map[string]string{}
		for i := range st.tracts.Len() {
			id, _ := st.tracts.Get(i, "geoid").(string)
			a, _ := st.tracts.Get(i, boundary).(string)
			tractArea[id] = a
		}
		placer = placer.WithAreaOfTract(func(t string) string { return tractArea[t] })
	}
	var names []string
	for _, s := range ct.Segments {
		names = append(names, s.Name)
	}
	opts := outreach.Options{Tracts: st.layers[ct.Tracts], Areas: areaLayer}
	if e := ct.Exports; e != nil {
		opts.Profiles, opts.Custom, opts.Turfs = e.Profiles, e.Custom, e.Turfs
	}
	seatOf, seats := st.contactSeats()
	for _, b := range st.cfg.DecisionLayers() {
		opts.Custom = append(slices.Clone(opts.Custom), config.SeatColumn(b))
		opts.Seats = append(opts.Seats, outreach.SeatLayer{Column: config.SeatColumn(b), Title: cmp.Or(st.cfg.Boundaries[b].Decides.Title, b)})
	}
	dir, err := st.outPath("exports")
	if err != nil {
		return err
	}
	exp, err := outreach.NewExporter(ctx, dir, names, opts)
	if err != nil {
		return err
	}
	book := contact.NewPlaceBook()
	fu, err := followup.Read(ctx, st.cfg.FollowUp, st.cfg.Path, st.warn)
	if err != nil {
		exp.Abort()
		return err
	}
	stats, err := source.ReadContactsFile(ctx, st.cfg.Path(ct.File), ct.Mapping, placer, func(c source.Contact) error {
		book.Add(c)
		seatOf(&c)
		if fu != nil {
			fu.Offer(c)
		}
		return exp.Add(ctx, c)
	})
	if err != nil {
		exp.Abort()
		return fmt.Errorf("contacts: %w", err)
	}
	sum, err := exp.Close(ctx)
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	for _, f := range sum.Files {
		st.files = append(st.files, filepath.Join("exports", f))
	}
	res := &result.Outreach{Contacts: &stats, Export: sum, Seats: seats}
	st.outreach = res
	if fu != nil {
		// the follow-up lists carry the export's custom columns, seats included
		var files []string
		if res.FollowUp, files, err = fu.Write(ctx, dir, ct.ZIPSegments, opts.Custom, st.warn); err != nil {
			return err
		}
		for _, f := range files {
			st.files = append(st.files, filepath.Join("exports", f))
		}
	}
	if n := len(stats.Skipped); n > 0 {
		total := 0
		for _, k := range stats.Skipped {
			total += k
		}
		st.warn("contacts: %d of %d row(s) skipped (%s); see the outreach section", total, stats.Read, report.Counts(stats.Skipped))
	}
	for _, w := range stats.Warnings {
		st.warn("contacts: %s", w)
	}
	if l := st.cfg.Listening; l != nil {
		s, err := readWith(st.cfg.Path(l.File), func(r io.Reader) (*engage.ListeningSummary, error) {
			return engage.ReadListening(ctx, r, filepath.Base(l.File), l.Mapping, placer)
		})
		if err != nil {
			return fmt.Errorf("listening: %w", err)
		}
		for _, w := range s.Warnings {
			st.warn("listening: %s", w)
		}
		res.Listening = s
	}
	if t := st.cfg.Turnout; t != nil {
		s, err := readWith(st.cfg.Path(t.File), func(r io.Reader) (*engage.TurnoutSummary, error) {
			return engage.ReadTurnout(ctx, r, filepath.Base(t.File), t.Mapping, placer, book)
		})
		if err != nil {
			return fmt.Errorf("turnout: %w", err)
		}
		res.Turnout = s
	}
	if missed > 0 {
		return fmt.Errorf("sedona engine: %d contact point(s) were not in the job's placements (a bug: please report it)", missed)
	}
	defer func() {
		// The examples hold errors, which the stage cache (gob) cannot
		// store; they are in outreach-summary.json.
		stats.Examples = nil
		if res.Listening != nil {
			res.Listening.Examples = nil
		}
		if res.Turnout != nil {
			res.Turnout.Examples = nil
		}
	}()
	return st.writeFile(filepath.Join("exports", "outreach-summary.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		cs := contactSummary{Read: stats.Read, Kept: stats.Kept, Skipped: stats.Skipped, Problems: stats.Problems, PlacedBy: stats.PlacedBy}
		for _, e := range stats.Examples {
			cs.Examples = append(cs.Examples, fmt.Sprintf("%s:%d: %v", filepath.Base(e.File), e.Line, e.Err))
		}
		return enc.Encode(struct {
			Contacts  contactSummary           `json:"contacts"`
			Export    *outreach.Summary        `json:"export"`
			Listening *engage.ListeningSummary `json:"listening,omitempty"`
			Turnout   *engage.TurnoutSummary   `json:"turnout,omitempty"`
			FollowUp  *result.FollowUp         `json:"followup,omitempty"`
		}{cs, res.Export, res.Listening, res.Turnout, res.FollowUp})
	})
}

func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return read(f)
}

// contactSummary is the JSON form of source.ContactStats: counts, and the
// skipped rows as "file:line: reason" (file names without their folder).
type contactSummary struct {
	Read     int            `json:"read"`
	Kept     int            `json:"kept"`
	Skipped  map[string]int `json:"skipped"`
	Problems map[string]int `json:"problems"`
	PlacedBy map[string]int `json:"placed_by"`
	Examples []string       `json:"skipped_rows"`
}

// contactSeats tags contacts with their seat of each decision layer
// (contact.Seats), falling back to the seat recorded in their tract's row.
func (st *state) contactSeats() (func(*source.Contact), map[string]map[string]map[string]int) {
	layers := st.cfg.DecisionLayers()
	tractSeat := map[string]map[string]string{} // boundary -> geoid -> seat
	for _, b := range layers {
		tractSeat[b] = map[string]string{}
		if st.tracts == nil || !slices.Contains(st.tracts.Cols(), b) {
			continue
		}
		for i := range st.tracts.Len() {
			id, _ := st.tracts.Get(i, "geoid").(string)
			v, _ := st.tracts.Get(i, b).(string)
			tractSeat[b][id] = v
		}
	}
	locate := func(b string, p orb.Point) (string, bool) {
		if st.spark != nil {
			if id, ok := st.spark.locate(b, p); ok {
				return id, id != ""
			}
		}
		fi, ok := st.indexes[b].Locate(p)
		if !ok {
			return "", false
		}
		return st.layers[b].Features[fi].ID, true
	}
	return contact.Seats(layers, tractSeat, locate, config.SeatColumn)
}
