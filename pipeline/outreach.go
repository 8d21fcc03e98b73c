package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// Contacts is a contact list to tag with tracts, areas and segments and to
// export for outreach tools. Only mapped columns are read; the rest of the
// file never leaves the machine.
type Contacts struct {
	Title       string                `yaml:"title"`
	File        string                `yaml:"file"`
	Mapping     source.ContactMapping `yaml:"mapping"`
	Tracts      string                `yaml:"tracts"` // boundary of tracts (GEOIDs)
	Area        string                `yaml:"area"`   // area definition whose boundary gives each contact's area
	Segments    []*ContactSegment     `yaml:"segments"`
	ZIPSegments map[string][]string   `yaml:"zip_segments"`
	Exports     *Exports              `yaml:"exports"`
}

// ContactSegment puts contacts in a segment: those in the tracts of a tract
// segment, or those in an area with a given value.
type ContactSegment struct {
	Name    string `yaml:"name"`
	Segment string `yaml:"segment"` // a segment of tracts
	Area    string `yaml:"area"`    // an area definition...
	Value   string `yaml:"value"`   // ...and the area value
}

// Exports chooses the export profiles.
type Exports struct {
	Profiles []string `yaml:"profiles"`
	Custom   []string `yaml:"custom"`
	Turfs    bool     `yaml:"turfs"`
}

// Listening is a LimeSurvey response export summarised by area.
type Listening struct {
	Title   string               `yaml:"title"`
	File    string               `yaml:"file"`
	Mapping source.SurveyMapping `yaml:"mapping"`
}

// TurnoutConfig is an event sign-in / attendance export.
type TurnoutConfig struct {
	Title   string               `yaml:"title"`
	File    string               `yaml:"file"`
	Mapping source.SignInMapping `yaml:"mapping"`
}

// OutreachResult is what the outreach stage produced, for the report.
type OutreachResult struct {
	Contacts  *source.ContactStats
	Export    *outreach.Summary
	Listening *source.ListeningSummary
	Turnout   *source.TurnoutSummary
}

func (c *Config) validateOutreach() []string {
	var p []string
	add := func(path, format string, args ...any) {
		p = append(p, path+": "+fmt.Sprintf(format, args...))
	}
	ct := c.Contacts
	if ct == nil {
		if c.Listening != nil || c.Turnout != nil {
			add("contacts", "listening and turnout are placed with the contacts section's tracts and area: add one")
		}
		return p
	}
	if ct.File == "" {
		add("contacts.file", "required: the contact list CSV")
	}
	if err := ct.Mapping.Validate(); err != nil {
		add("contacts.mapping", "%v", err)
	}
	if _, ok := c.Boundaries[ct.Tracts]; !ok {
		add("contacts.tracts", "unknown boundary %q (%s)", ct.Tracts, names(c.Boundaries))
	}
	if ct.Area != "" {
		if _, ok := c.Areas[ct.Area]; !ok {
			add("contacts.area", "unknown area %q (%s)", ct.Area, names(c.Areas))
		}
	}
	seen := map[string]bool{}
	for i, s := range ct.Segments {
		at := fmt.Sprintf("contacts.segments[%d]", i)
		if s.Name == "" || seen[s.Name] {
			add(at+".name", "required and unique")
		}
		seen[s.Name] = true
		switch {
		case s.Segment != "" && s.Area == "":
			found := false
			for _, sg := range c.Segments {
				found = found || (sg.Name == s.Segment && sg.Of == "tracts")
			}
			if !found {
				add(at+".segment", "%q is not a segment of tracts", s.Segment)
			}
		case s.Area != "" && s.Segment == "":
			a, ok := c.Areas[s.Area]
			if !ok {
				add(at+".area", "unknown area %q (%s)", s.Area, names(c.Areas))
			} else if s.Area != ct.Area {
				add(at+".area", "contacts are placed in area %q; a segment by area must use it", ct.Area)
			} else if len(a.Order) > 0 && !contains(a.Order, s.Value) {
				add(at+".value", "%q is not one of %v", s.Value, a.Order)
			}
		default:
			add(at, "give either segment (a segment of tracts) or area and value")
		}
	}
	if e := ct.Exports; e != nil {
		for i, pr := range e.Profiles {
			if !contains(outreach.Profiles(), pr) {
				add(fmt.Sprintf("contacts.exports.profiles[%d]", i), "unknown profile %q; use %v", pr, outreach.Profiles())
			}
		}
	}
	if l := c.Listening; l != nil {
		if l.File == "" {
			add("listening.file", "required")
		}
		if err := l.Mapping.Validate(); err != nil {
			add("listening.mapping", "%v", err)
		}
	}
	if t := c.Turnout; t != nil && t.File == "" {
		add("turnout.file", "required")
	}
	return p
}

// runOutreach reads the contact list one row at a time, tags each contact
// with its tract, area and segments, streams it into the export profiles,
// and summarises the listening survey and event turnout by area and segment.
func (st *state) runOutreach(ctx context.Context) error {
	ct := st.cfg.Contacts
	if ct == nil {
		return nil
	}
	var areaLayer = st.layers[st.cfg.Areas[ct.Area].Boundary]
	if ct.Area == "" {
		areaLayer = nil
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
	placer := source.NewPlacer(st.layers[ct.Tracts], areaLayer, segFunc).WithZIPSegments(ct.ZIPSegments)
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
	exp, err := outreach.NewExporter(ctx, filepath.Join(st.out, "exports"), names, opts)
	if err != nil {
		return err
	}
	book := source.NewPlaceBook()
	stats, err := source.ReadContactsFile(ctx, st.cfg.Path(ct.File), ct.Mapping, placer, func(c source.Contact) error {
		book.Add(c)
		return exp.Add(ctx, outreach.Contact(c))
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
	res := &OutreachResult{Contacts: &stats, Export: sum}
	st.outreach = res
	if n := len(stats.Skipped); n > 0 {
		total := 0
		for _, k := range stats.Skipped {
			total += k
		}
		st.warn("contacts: %d of %d row(s) skipped (%s); see the outreach section", total, stats.Read, joinCounts(stats.Skipped))
	}
	if l := st.cfg.Listening; l != nil {
		s, err := readWith(st.cfg.Path(l.File), func(r io.Reader) (*source.ListeningSummary, error) {
			return source.ReadLimeSurvey(ctx, r, filepath.Base(l.File), l.Mapping, placer)
		})
		if err != nil {
			return fmt.Errorf("listening: %w", err)
		}
		res.Listening = s
	}
	if t := st.cfg.Turnout; t != nil {
		s, err := readWith(st.cfg.Path(t.File), func(r io.Reader) (*source.TurnoutSummary, error) {
			return source.ReadSignIns(ctx, r, filepath.Base(t.File), t.Mapping, placer, book)
		})
		if err != nil {
			return fmt.Errorf("turnout: %w", err)
		}
		res.Turnout = s
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
			Listening *source.ListeningSummary `json:"listening,omitempty"`
			Turnout   *source.TurnoutSummary   `json:"turnout,omitempty"`
		}{cs, res.Export, res.Listening, res.Turnout})
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

func joinCounts(m map[string]int) string {
	keys := sortedKeys(m)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += "; "
		}
		out += fmt.Sprintf("%s: %d", k, m[k])
	}
	return out
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
