package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// NotSummable returns the set of columns of census source name that are
// not counts (medians, means, percentages: census.Classify from the codes)
// and the indicators.medians the pipeline file adds.
func (c *Config) NotSummable(name string) map[string]bool {
	m := map[string]bool{}
	src := c.Sources[name]
	if src == nil {
		return m
	}
	for _, v := range src.columnNames() {
		if st, _ := census.Classify(v, nil); !st.Summable() {
			m[v] = true
		}
	}
	if c.Indicators != nil {
		for _, v := range c.Indicators.Medians {
			m[v] = true
		}
	}
	return m
}

// notSummable returns the columns of the tract source that are not counts
// (medians, means, quartiles, percentages, indexes: census.Classify), with
// the reason of each, and the indicators.medians the pipeline file adds. The
// run has no metadata at this point (validation does no I/O), so Classify
// works from the variable codes (its documented fallback).
func (c *Config) notSummable() (map[string]bool, map[string]string) {
	m, why := map[string]bool{}, map[string]string{}
	if c.Tracts == nil {
		return m, why
	}
	src := c.Sources[c.Tracts.Source]
	if src == nil {
		return m, why
	}
	for _, v := range src.columnNames() {
		if st, reason := census.Classify(v, nil); !st.Summable() {
			m[v], why[v] = true, reason
		}
	}
	if c.Indicators != nil {
		for _, v := range c.Indicators.Medians {
			m[v], why[v] = true, v+" is listed under indicators.medians"
		}
	}
	return m, why
}

// indicatorColumns lists the tract columns the indicators add.
func (c *Config) indicatorColumns() []string {
	if c.Indicators == nil {
		return nil
	}
	var cols []string
	for _, d := range c.Indicators.Define {
		if d != nil && d.Name != "" {
			cols = append(cols, d.Name, d.Name+indicator.MOESuffix, d.Name+indicator.CVSuffix, d.Name+indicator.ReliabilitySuffix, d.Name+"_note")
		}
	}
	if n := c.Indicators.Need; n != nil && n.Name != "" {
		cols = append(cols, n.Name)
	}
	if sg := c.Indicators.Segregation; sg != nil {
		for _, g := range sg.LocationQuotients {
			cols = append(cols, LQColumn(g))
		}
	}
	return cols
}

// LQColumn is the tract column of a group's location quotient: lq_black.
func LQColumn(group string) string {
	return "lq_" + strings.ToLower(strings.ReplaceAll(group, " ", "_"))
}

// Options are the indicator engine's options for this section: the
// confidence level (90% when unset), the reliability bands and what may not
// be summed. A nil section (a pipeline file without indicators) gives the
// defaults.
func (ind *Indicators) Options(c *Config) indicator.Options {
	if ind == nil {
		ind = &Indicators{}
	}
	ns, why := c.notSummable()
	o := indicator.Options{Confidence: stats.Confidence(ind.Confidence), Input: c.SourceConfidence(c.tractSource()), NotSummable: ns, Reasons: why}
	if o.Confidence == 0 {
		o.Confidence = o.Input
	}
	o.Bands = stats.DefaultBands
	if r := ind.Reliability; r != nil {
		o.Bands = stats.Bands{Caution: r.Caution, Unreliable: r.Unreliable}
	}
	return o
}

func (d *IndicatorDef) Spec() (indicator.Spec, error) {
	k, err := indicator.ParseKind(d.Kind)
	return indicator.Spec{Name: d.Name, Expr: d.Expr, Kind: k, Percent: d.Percent}, err
}

// checkIndicators checks the indicators section without I/O: every
// expression compiles against the tract source's columns.
func (c *Config) checkIndicators(p *problems) {
	ind := c.Indicators
	if ind == nil {
		return
	}
	if c.Tracts == nil {
		p.add("indicators", "needs a tracts section (indicators are computed per tract)")
		return
	}
	src := c.Sources[c.Tracts.Source]
	if src == nil {
		return // reported under tracts.source
	}
	if ind.Confidence != 0 && !stats.Confidence(ind.Confidence).Valid() {
		p.add("indicators.confidence", "use 90, 95 or 99, not %d", ind.Confidence)
	}
	opts := ind.Options(c)
	if err := opts.Bands.Validate(); err != nil {
		p.add("indicators.reliability", "%v", err)
	}
	cols := src.columnNames()
	defined := map[string]bool{}
	for i, d := range ind.Define {
		at := fmt.Sprintf("indicators.define[%d]", i)
		if d == nil || d.Name == "" {
			p.add(at+".name", "required")
			continue
		}
		if defined[d.Name] || slices.Contains(cols, d.Name) {
			p.add(at+".name", "%q is already a column or indicator", d.Name)
		}
		defined[d.Name] = true
		spec, err := d.Spec()
		if err != nil {
			p.add(at+".kind", "%v", err)
			continue
		}
		if _, err := indicator.Compile(spec, cols, opts); err != nil {
			p.add(at+".expr", "%v", err)
		}
	}
	if cmp := ind.Compare; cmp != nil {
		if _, ok := c.Areas[cmp.Area]; !ok {
			p.add("indicators.compare.area", "unknown area %q (%s)", cmp.Area, names(c.Areas))
		}
		for j, n := range cmp.Indicators {
			if !defined[n] {
				p.add(fmt.Sprintf("indicators.compare.indicators[%d]", j), "%q is not a defined indicator", n)
			}
		}
	}
	if sg := ind.Segregation; sg != nil {
		if sg.Area != "" {
			if _, ok := c.Areas[sg.Area]; !ok {
				p.add("indicators.segregation.area", "unknown area %q (%s)", sg.Area, names(c.Areas))
			}
		}
		if len(sg.Groups) < 2 {
			p.add("indicators.segregation.groups", "give at least two groups")
		}
		gnames := map[string]bool{}
		for j, g := range sg.Groups {
			if g == nil || g.Name == "" || !slices.Contains(cols, g.Column) {
				p.add(fmt.Sprintf("indicators.segregation.groups[%d]", j), "needs a name and a column of %s", c.Tracts.Source)
				continue
			}
			gnames[g.Name] = true
		}
		if sg.Total != "" {
			if !slices.Contains(cols, sg.Total) {
				p.add("indicators.segregation.total", "no column %q in %s", sg.Total, c.Tracts.Source)
			}
			gnames["Other"] = true
		}
		for j, pr := range sg.Pairs {
			if len(pr) != 2 || !gnames[pr[0]] || !gnames[pr[1]] {
				p.add(fmt.Sprintf("indicators.segregation.pairs[%d]", j), "give two group names")
			}
		}
		if sg.Within && sg.Area == "" {
			p.add("indicators.segregation.within", "needs area: the area definition whose areas are measured one by one")
		}
		for j, g := range sg.LocationQuotients {
			if !gnames[g] {
				p.add(fmt.Sprintf("indicators.segregation.location_quotients[%d]", j), "%q is not a group (%s)", g, strings.Join(slices.Sorted(maps.Keys(gnames)), ", "))
			}
		}
	}
	if n := ind.Need; n != nil {
		if n.Name == "" || defined[n.Name] || slices.Contains(cols, n.Name) {
			p.add("indicators.need.name", "required, and distinct from the columns and indicators")
		}
		if n.Method != "" && n.Method != "percentile" && n.Method != "zscore" {
			p.add("indicators.need.method", "use percentile or zscore, not %q", n.Method)
		}
		if len(n.Themes) == 0 {
			p.add("indicators.need.themes", "give at least one theme with variables")
		}
		for j, th := range n.Themes {
			for k, v := range th.Variables {
				at := fmt.Sprintf("indicators.need.themes[%d].variables[%d]", j, k)
				if !defined[v.Column] && !slices.Contains(cols, v.Column) {
					p.add(at+".column", "%q is neither an indicator nor a column of %s", v.Column, c.Tracts.Source)
				}
				if _, err := stats.ParseDirection(v.Direction); err != nil {
					p.add(at+".direction", "%v", err)
				}
			}
		}
	}
}

// SourceConfidence is the level of the MOE columns of source name: its
// confidence, or 90 (the Census Bureau's) when not set or not a source.
func (c *Config) SourceConfidence(name string) stats.Confidence {
	if s, ok := c.Sources[name]; ok && s != nil && s.Confidence != 0 {
		return stats.Confidence(s.Confidence)
	}
	return stats.Conf90
}

// tractSource names the tracts section's source, or "".
func (c *Config) tractSource() string {
	if c.Tracts == nil {
		return ""
	}
	return c.Tracts.Source
}
