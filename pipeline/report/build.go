// Package report turns the pipeline file and the stages' results into the
// report's view-model (reports.Report): the findings in plain words, the
// map with its legend, notes and charts, the summary and segment tables, and
// the indicator, segregation, need and outreach sections. It does no I/O;
// package reports renders the view-model to HTML.
package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
)

// Input is what the report is made of: the pipeline file and the results
// of the stages the report stage reads. Build reads it and changes nothing
// in it; the tables and layers are shared, read only.
type Input struct {
	Config     *config.Config
	Warnings   []string
	Summaries  []*result.Summary
	Segments   []*result.Segment
	Unplaced   map[string]result.UnplacedSet
	Sources    []result.Source
	Indicators *result.Indicators
	Outreach   *result.Outreach
	// Tracts is the tracts table (nil without a tracts section); Places the
	// placed sets by name, held in memory for the set the map draws.
	Tracts *frame.Table
	Places map[string]*frame.Table
	// Layers are the boundaries by name; AreaOf maps each area definition's
	// boundary feature IDs to their area.
	Layers map[string]*geo.Layer
	AreaOf map[string]map[string]string
	// Seats holds the seat list of each decision layer that has one, by
	// boundary name.
	Seats map[string][]source.Seat
}

// Build lays the results out as the report's view-model: the findings in
// plain words, the map and its charts, the summary and segment tables, the
// indicator, segregation, need and outreach sections, unplaced records,
// sources and warnings. It does no I/O; reports.Write renders the result.
// in.Config.Report must not be nil.
func Build(in *Input) *reports.Report {
	rc := in.Config.Report
	r := &reports.Report{Title: rc.Title, Subtitle: in.Config.Name, Intro: rc.Intro, Caveats: rc.Caveats, Warnings: in.Warnings}
	if r.Title == "" {
		r.Title = in.Config.Name
	}
	if rc.Findings != nil {
		r.Findings = in.findings(rc.Findings)
		if c, ok := in.contrastOf(rc.Findings); ok {
			if t := c.title(); t != "" {
				// the finding is the headline; the report's own title
				// says what it covers
				r.Title, r.Subtitle = t, r.Title
			}
			r.Brief = &reports.Brief{Lead: c.lead(), Headlines: in.headlines(c), Note: in.Config.Name + "."}
		}
	}
	if r.Brief == nil {
		t, lead, hs, ok := in.areaBrief()
		if !ok {
			t, lead, hs, ok = in.needBrief()
		}
		if ok {
			r.Title, r.Subtitle = t, r.Title
			r.Brief = &reports.Brief{Lead: lead, Headlines: hs, Note: in.Config.Name + "."}
		}
	}
	if rc.Map != nil {
		r.MapSVG, r.MapLegend, r.MapNote = in.mapSVG(rc.Map)
		var pts []string
		if rc.Map.Points != nil {
			pts = append(pts, rc.Map.Points.Of)
		}
		outline := ""
		if a, ok := in.Config.Areas[rc.Map.Outline]; ok {
			outline = a.Boundary
		}
		r.MapFind = findHint(pts, outline)
		r.Methods = append(r.Methods,
			"Map projection: Albers equal-area conic on a sphere (Snyder, Map Projections: A Working Manual, USGS 1987, pp. 98-100), standard parallels at one sixth and five sixths of the map's latitude range, so areas compare fairly.",
			"Boundaries are simplified for the screen (Douglas-Peucker, 0.3 px at the map's drawing width), each boundary shared by two areas once, so neighbours still meet exactly.",
		)
		r.Methods = append(r.Methods, shadingMethods(rc.Map)...)
		if rc.Map.Shade != nil {
			r.Methods = append(r.Methods, fmt.Sprintf("Reliability of a mapped estimate with a margin of error: coefficient of variation CV = (MOE ÷ 1.645) ÷ estimate × 100 (ACS General Handbook 2020, ch. 7); under %g%% reliable, %g–%g%% use with caution, over %g%% unreliable and hatched on the map.",
				stats.DefaultBands.Caution, stats.DefaultBands.Caution, stats.DefaultBands.Unreliable, stats.DefaultBands.Unreliable))
		}
		if rc.Map.Points != nil {
			switch p := rc.Map.Points; {
			case p.Size != "" && p.Color != "":
				r.Methods = append(r.Methods, "Circles: area proportional to the value (radius ∝ √value), the largest 14 px across the radius; colours in quartiles of the places shown (ColorBrewer RdYlBu, colour-blind safe).")
			case p.Size != "":
				r.Methods = append(r.Methods, "Circles: area proportional to the value (radius ∝ √value), the largest 14 px across the radius.")
			case p.Color != "":
				r.Methods = append(r.Methods, "Circles: colours in quartiles of the places shown (ColorBrewer RdYlBu, colour-blind safe).")
			}
		}
	}
	if rc.Map != nil {
		for _, c := range in.charts(rc.Map) {
			if c.Scatter != nil && r.FindingsChart == nil && r.Findings != nil {
				r.FindingsChart = &c // the scatter makes the finding at a glance
				continue
			}
			r.Charts = append(r.Charts, c)
		}
	}
	if in.Tracts != nil || in.Indicators != nil {
		var example *reports.Headline
		if r.Brief != nil {
			for i, h := range r.Brief.Headlines {
				if h.Reliability != "" && h.Margin != "" {
					example = &r.Brief.Headlines[i]
				}
			}
		}
		r.HowSure = in.howSure(example)
	}
	for _, s := range in.Summaries {
		r.Tables = append(r.Tables, summaryTable(s, in.headers(s)))
	}
	r.Sections = in.sections()
	for _, s := range in.Segments {
		var sc *config.Segment
		for _, c := range in.Config.Segments {
			if c.Name == s.Name {
				sc = c
			}
		}
		t := in.segmentTable(s, sc)
		title := s.Title
		if title == "" {
			title = s.Name
		}
		rank := ""
		if s.Rank != nil {
			order := "highest first"
			if s.Rank.Order == "asc" {
				order = "lowest first"
			}
			rank = fmt.Sprintf("Ranked by %s, %s.", lowerFirst(in.columnLabel(s.Rank.By, nil)), order)
		}
		t.Note = rank
		r.Segments = append(r.Segments, reports.Segment{Title: title, Rule: s.Where, Count: len(s.Rows), Files: s.Files, Table: t})
	}
	for _, name := range slices.Sorted(maps.Keys(in.Unplaced)) {
		us := in.Unplaced[name]
		if us.Total == 0 {
			continue
		}
		title := in.Config.Places[name].Title
		if title == "" {
			title = name
		}
		set := reports.UnplacedSet{Title: title, Total: us.Total, File: "unplaced/" + name + ".csv"}
		for _, u := range us.Sample {
			set.Rows = append(set.Rows, []string{u.ID, u.Name, u.Reason})
		}
		if us.Total > len(us.Sample) {
			for _, rc := range us.ByReason {
				set.Reasons = append(set.Reasons, fmt.Sprintf("%s: %d", rc.Reason, rc.N))
			}
		}
		r.Unplaced = append(r.Unplaced, set)
	}
	r.Decides = in.decides()
	if r.Brief != nil {
		r.Brief.Next = in.nextSteps(r.Decides)
	}
	for _, s := range in.Sources {
		title := s.Title
		if title == "" {
			title = s.Name
		}
		about := s.About
		if s.Confidence != 0 {
			about = strings.TrimSpace(about + fmt.Sprintf(" Margins of error converted from the Census Bureau's 90%% to %d%% confidence (MOE × %.3f/1.645).", s.Confidence, stats.Confidence(s.Confidence).Z()))
		}
		r.Sources = append(r.Sources, reports.Source{Title: title, About: about, File: s.File, Rows: s.Rows})
	}
	return r
}

// shadingMethods says for the Methods section how the map's shades are
// classed: one sentence per breaks method in use, naming the shades that
// use it when they do not all use the same one.
func shadingMethods(mc *config.MapConfig) []string {
	var shades []*config.Shade
	if mc.Shade != nil {
		shades = append(shades, mc.Shade)
	}
	shades = append(shades, mc.Shades...)
	said := map[string]string{
		config.BreaksQuantile:      "quantile classes, each holding about the same number of areas; the legend gives each class's range.",
		config.BreaksEqualInterval: "classes of equal width, from the lowest value to the highest; the legend gives each class's range and how many areas it holds.",
		config.BreaksFisherJenks:   "natural breaks (Fisher-Jenks, computed exactly by Fisher's 1958 method): of all ways to cut the sorted values into classes, the one that leaves the least sum of squared differences from each class's mean; the legend gives each class's range and how many areas it holds.",
	}
	var order []string
	uses := map[string][]string{}
	for _, sh := range shades {
		m := cmp.Or(sh.Breaks, config.BreaksQuantile)
		if _, ok := uses[m]; !ok {
			order = append(order, m)
		}
		uses[m] = append(uses[m], lowerFirst(cmp.Or(sh.Label, sh.Column)))
	}
	if len(order) <= 1 {
		return []string{"Shading: " + said[cmp.Or(append(order, config.BreaksQuantile)...)]}
	}
	var out []string
	for _, m := range order {
		out = append(out, fmt.Sprintf("Shading of %s: %s", joinAnd(uses[m]), said[m]))
	}
	return out
}

// Counts renders counts by reason as "reason: n; ..." in reason order.
func Counts(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += "; "
		}
		out += fmt.Sprintf("%s: %d", k, m[k])
	}
	return out
}
