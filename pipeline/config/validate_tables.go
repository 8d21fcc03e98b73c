package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// checkSummaries checks the summaries and returns the names seen.
func (c *Config) checkSummaries(p *problems) map[string]bool {
	seen := map[string]bool{}
	for i, s := range c.Summaries {
		at := fmt.Sprintf("summaries[%d]", i)
		if s.Name == "" {
			p.add(at+".name", "required")
		} else if seen[s.Name] {
			p.add(at+".name", "duplicate summary %q", s.Name)
		}
		seen[s.Name] = true
		cols, ok := c.ofColumns(p, at+".of", s.Of)
		if !ok {
			continue
		}
		for j, b := range s.By {
			checkColumn(p, fmt.Sprintf("%s.by[%d]", at, j), b, s.Of, cols)
		}
		checkWhere(p, at+".where", s.Where, c.tableTypes(s.Of))
		if len(s.Measures) == 0 {
			p.add(at+".measures", "list at least one column to summarise")
		}
		types := c.tableTypes(s.Of)
		for j, m := range s.Measures {
			checkMeasure(p, fmt.Sprintf("%s.measures[%d]", at, j), m, s.Of, cols)
			c.checkMeasureType(p, fmt.Sprintf("%s.measures[%d]", at, j), m, s.Of, types)
		}
	}
	return seen
}

// ofColumns returns the columns of table of (a places set or "tracts"), or
// reports at that there is no such table.
func (c *Config) ofColumns(p *problems, at, of string) ([]string, bool) {
	cols, ok := c.tableColumns(of)
	if !ok {
		p.add(at, "%q is neither a places set nor \"tracts\" (%s)", of, names(c.Places))
	}
	return cols, ok
}

func checkMeasure(p *problems, at string, m *Measure, of string, cols []string) {
	checkColumn(p, at+".column", m.Column, of, cols)
	for k, st := range m.Stats {
		if !slices.Contains(statNames, st) {
			p.add(fmt.Sprintf("%s.stats[%d]", at, k), "unknown statistic %q; use %s", st, strings.Join(statNames, ", "))
		}
	}
	if !slices.Contains(formats, m.Format) {
		p.add(at+".format", "unknown format %q; use number, dollars, percent or year", m.Format)
	}
}

// checkMeasureType reports a statistic other than count of a text or
// boolean column (its values are no numbers: min, median, max and mean
// came out empty), naming the source of the column and the fix. count
// counts the records with a value in the column.
func (c *Config) checkMeasureType(p *problems, at string, m *Measure, of string, types map[string]segment.Type) {
	t := types[m.Column]
	if t != segment.Text && t != segment.Bool {
		return
	}
	kind := "text"
	if t == segment.Bool {
		kind = "boolean"
	}
	src := of
	if pl := c.Places[of]; pl != nil {
		src = pl.Source
	}
	for k, st := range m.Stats {
		if st != "count" && slices.Contains(statNames, st) {
			p.add(fmt.Sprintf("%s.stats[%d]", at, k), "%s of column %q of source %q: the column is %s, not a number; only count (the records with a value) works on it: measure a number column for %s, or declare %q as int or float in the source if it holds numbers", st, m.Column, src, kind, st, m.Column)
		}
	}
}

// checkColumn reports col at path when it is not one of cols, the columns
// of table of, suggesting the closest.
func checkColumn(p *problems, path, col, of string, cols []string) {
	if !slices.Contains(cols, col) {
		p.add(path, "no column %q in %s%s", col, of, suggest.Hint(col, cols))
	}
}

// checkWhere reports a rule that does not compile against the columns of
// types, or compares a column with a value of another type.
func checkWhere(p *problems, path, where string, types map[string]segment.Type) {
	if where == "" {
		return
	}
	if err := segment.CheckTypes(where, types); err != nil {
		p.add(path, "%v", err)
	}
}

func (c *Config) checkSegments(p *problems) {
	seen := map[string]bool{}
	for i, s := range c.Segments {
		at := fmt.Sprintf("segments[%d]", i)
		if s.Name == "" {
			p.add(at+".name", "required (it names the export files)")
		} else if store.CheckName(s.Name) != nil {
			// reported by checkNames
		} else if seen[s.Name] {
			p.add(at+".name", "duplicate segment %q", s.Name)
		}
		seen[s.Name] = true
		cols, ok := c.ofColumns(p, at+".of", s.Of)
		if !ok {
			continue
		}
		checkWhere(p, at+".where", s.Where, c.tableTypes(s.Of))
		if s.Rank != nil {
			checkColumn(p, at+".rank.by", s.Rank.By, s.Of, cols)
			if s.Rank.Order != "" && s.Rank.Order != "asc" && s.Rank.Order != "desc" {
				p.add(at+".rank.order", "use asc or desc, not %q", s.Rank.Order)
			}
		}
		if s.Limit < 0 {
			p.add(at+".limit", "must be zero (no limit) or positive")
		}
		for j, col := range s.Columns {
			checkColumn(p, fmt.Sprintf("%s.columns[%d]", at, j), col, s.Of, cols)
		}
		for _, col := range slices.Sorted(maps.Keys(s.Headers)) {
			checkColumn(p, at+".headers."+col, col, s.Of, cols)
		}
		for _, col := range slices.Sorted(maps.Keys(s.Format)) {
			checkColumn(p, at+".format."+col, col, s.Of, cols)
			if !slices.Contains(formats, s.Format[col]) {
				p.add(at+".format."+col, "unknown format %q; use number, dollars, percent or year", s.Format[col])
			}
		}
	}
}

func (c *Config) checkMap(p *problems) {
	if c.Report == nil || c.Report.Map == nil {
		return
	}
	m := c.Report.Map
	type shadeAt struct {
		at string
		sh *Shade
	}
	var shades []shadeAt
	if m.Shade != nil {
		shades = append(shades, shadeAt{"report.map.shade", m.Shade})
	}
	for i, sh := range m.Shades {
		shades = append(shades, shadeAt{fmt.Sprintf("report.map.shades[%d]", i), sh})
	}
	for _, s := range shades {
		cols, _ := c.tableColumns("tracts")
		col := ""
		if s.sh != nil {
			col = s.sh.Column
		}
		if c.Tracts == nil {
			p.add(s.at, "needs a tracts section to shade")
		} else if s.sh == nil || !slices.Contains(cols, col) {
			p.add(s.at+".column", "no column %q in tracts%s", col, suggest.Hint(col, cols))
		}
		if s.sh != nil && !slices.Contains(formats, s.sh.Format) {
			p.add(s.at+".format", "unknown format %q; use number, dollars, percent or year", s.sh.Format)
		}
		if s.sh != nil && s.sh.Breaks != "" && !slices.Contains(BreakMethods, s.sh.Breaks) {
			p.add(s.at+".breaks", "unknown class breaks %q (use quantile, equal_interval or fisher_jenks)%s", s.sh.Breaks, breaksHint(s.sh.Breaks))
		}
	}
	if m.MaxTracts < 0 {
		p.add("report.map.max_tracts", "must be positive (or left out for %d)", DefaultMaxMapTracts)
	}
	if m.Outline != "" {
		if _, ok := c.Areas[m.Outline]; !ok {
			p.add("report.map.outline", "unknown area %q (%s)", m.Outline, names(c.Areas))
		}
	}
	if m.Points != nil {
		cols, ok := c.placeColumns(m.Points.Of)
		if !ok {
			p.add("report.map.points.of", "%q is not a places set (%s)", m.Points.Of, names(c.Places))
			return
		}
		for _, f := range []struct{ k, v string }{{"size", m.Points.Size}, {"color", m.Points.Color}} {
			if f.v != "" {
				checkColumn(p, "report.map.points."+f.k, f.v, m.Points.Of, cols)
			}
		}
	}
}

// breaksHint is the did-you-mean for an unknown breaks value: the nearest
// method by spelling, or the method a mapclassify or GIS name means
// (NaturalBreaks, "jenks", EqualInterval, Quantiles).
func breaksHint(v string) string {
	if h := suggest.Hint(v, BreakMethods); h != "" {
		return h
	}
	k := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(v))
	for _, a := range []struct{ name, method string }{
		{"jenks", BreaksFisherJenks}, {"natural", BreaksFisherJenks},
		{"equal", BreaksEqualInterval}, {"quantile", BreaksQuantile},
	} {
		if strings.Contains(k, a.name) {
			return fmt.Sprintf("; did you mean %q?", a.method)
		}
	}
	return ""
}

func (c *Config) checkFindings(p *problems, summaries map[string]bool) {
	if c.Report == nil || c.Report.Findings == nil {
		return
	}
	f := c.Report.Findings
	if !summaries[f.Summary] {
		p.add("report.findings.summary", "unknown summary %q", f.Summary)
	}
	if f.Income != "" && !summaries[f.Income] {
		p.add("report.findings.income", "unknown summary %q", f.Income)
	}
}
