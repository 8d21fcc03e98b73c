package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// checkInterpolatedIndicators checks interpolate[i].indicators and
// compare: each is a defined indicator whose inputs are Census counts of
// the tracts table (a median, a mean or a derived indicator cannot be
// apportioned).
func (c *Config) checkInterpolatedIndicators(p *problems, at string, ip *Interpolation, med map[string]bool) {
	switch {
	case len(ip.Compare) > 0 && len(ip.Indicators) == 0:
		p.add(at+".compare", "needs indicators: the defined indicators to compare the features on")
	case len(ip.Compare) == 1:
		p.add(at+".compare", "name at least two features to compare")
	case len(ip.Compare) > MaxCompareFeatures:
		p.add(at+".compare", "%d features make %d pairs; name at most %d", len(ip.Compare), len(ip.Compare)*(len(ip.Compare)-1)/2, MaxCompareFeatures)
	}
	if ip.Disparities && len(ip.Compare) == 0 {
		p.add(at+".disparities", "needs compare: the features whose differences and ratios are computed")
	}
	if ip.Breaks != "" && !slices.Contains(BreakMethods, ip.Breaks) {
		p.add(at+".breaks", "unknown class breaks %q (use quantile, equal_interval or fisher_jenks)%s", ip.Breaks, breaksHint(ip.Breaks))
	}
	for j, id := range ip.Compare {
		if slices.Contains(ip.Compare[:j], id) {
			p.add(fmt.Sprintf("%s.compare[%d]", at, j), "%q is named twice", id)
		}
	}
	src := c.Sources[c.Tracts.Source]
	for j, name := range ip.Indicators {
		iat := fmt.Sprintf("%s.indicators[%d]", at, j)
		d := c.indicatorDefNamed(name)
		if d == nil {
			var defined []string
			if c.Indicators != nil {
				for _, d := range c.Indicators.Define {
					if d != nil {
						defined = append(defined, d.Name)
					}
				}
			}
			p.add(iat, "%q is not a defined indicator (indicators.define)%s", name, suggest.Hint(name, defined))
			continue
		}
		if src == nil {
			continue
		}
		ci, err := c.compileOnTracts(d)
		if err != nil {
			continue // reported under indicators.define
		}
		for _, in := range ci.Inputs() {
			switch {
			case med[in]:
				p.add(iat, "%s reads %s, a median or mean, which cannot be apportioned: define it from counts", name, in)
			case !slices.Contains(src.columnNames(), in):
				p.add(iat, "%s reads %s, which is not a Census count of %s: only counts can be apportioned", name, in, c.Tracts.Source)
			}
		}
	}
}

// indicatorDefNamed is the defined indicator name, or nil.
func (c *Config) indicatorDefNamed(name string) *IndicatorDef {
	if c.Indicators == nil {
		return nil
	}
	for _, d := range c.Indicators.Define {
		if d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

// compileOnTracts compiles indicator d against the tract source's columns.
func (c *Config) compileOnTracts(d *IndicatorDef) (*indicator.Indicator, error) {
	spec, err := d.Spec()
	if err != nil {
		return nil, err
	}
	return indicator.Compile(spec, c.Sources[c.Tracts.Source].columnNames(), c.Indicators.Options(c))
}

// Apportioned returns the tract columns interpolation ip apportions: its
// Columns, then the estimates (…E) its Indicators read, each once, in that
// order. An indicator that does not compile adds nothing (Validate
// reports it). c must have a tracts section.
func (c *Config) Apportioned(ip *Interpolation) []string {
	out := append([]string{}, ip.Columns...)
	for _, name := range ip.Indicators {
		d := c.indicatorDefNamed(name)
		if d == nil || c.Sources[c.Tracts.Source] == nil {
			continue
		}
		ci, err := c.compileOnTracts(d)
		if err != nil {
			continue
		}
		for _, in := range ci.Inputs() {
			if strings.HasSuffix(in, "E") && !slices.Contains(out, in) {
				out = append(out, in)
			}
		}
	}
	return out
}

func (c *Config) checkInterpolate(p *problems) {
	seen := map[string]bool{}
	for i, ip := range c.Interpolate {
		at := fmt.Sprintf("interpolate[%d]", i)
		if ip == nil {
			p.add(at, "empty interpolation")
			continue
		}
		if c.Tracts == nil {
			p.add(at, "needs a tracts table (tracts: {source, boundary}) whose counts it apportions")
			return
		}
		if ip.Name == "" || seen[ip.Name] {
			p.add(at+".name", "required and unique: it names interpolated/<name>.parquet")
		}
		seen[ip.Name] = true
		if _, ok := c.Boundaries[ip.Onto]; !ok {
			p.add(at+".onto", "unknown boundary %q (%s)", ip.Onto, names(c.Boundaries))
		} else if ip.Onto == c.Tracts.Boundary {
			p.add(at+".onto", "%q is the tract boundary itself; name another boundary", ip.Onto)
		}
		if len(ip.Columns) == 0 && len(ip.Indicators) == 0 {
			p.add(at+".columns", "list the tract counts to apportion (e.g. B03002_001E), or indicators to compute from them")
		}
		cols, _ := c.tableColumns("tracts")
		med, _ := c.notSummable()
		for j, col := range ip.Columns {
			cat := fmt.Sprintf("%s.columns[%d]", at, j)
			switch {
			case !slices.Contains(cols, col):
				p.add(cat, "no column %q in tracts%s", col, suggestName(col, cols))
			case med[col]:
				p.add(cat, "%s is a median or mean: it is not an amount spread over space, so it cannot be apportioned by area or population; apportion the counts it comes from (for B19013, the B19001 brackets)", col)
			case strings.HasSuffix(col, "M") && strings.HasPrefix(col, "B"):
				p.add(cat, "%s is a margin of error; name the estimate and its MOE goes with it", col)
			}
		}
		c.checkInterpolatedIndicators(p, at, ip, med)
		if w := ip.Weights; w != nil {
			s, ok := c.csvSource(w.Source)
			if !ok {
				p.add(at+".weights.source", "%q is not a local file source (%s)", w.Source, names(c.Sources))
			} else {
				checkHasColumns(p, at+".weights.", w.Source, s, "lat", w.Lat, "lon", w.Lon, "population", w.Population)
			}
		}
	}
}
