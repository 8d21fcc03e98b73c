// Package config is the pipeline file: its YAML types, strict decoding
// (unknown keys are errors), and validation without I/O that reports every
// problem at once, each with its path in the file
// (`sources.api.columns[2].type: unknown type "flaot"; ...`). The one table
// of source kinds is in kinds.go.
package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Config is a pipeline file: what to read, how to place it, what to compute
// and what to write. Field paths in validation errors use the YAML names.
type Config struct {
	Name        string               `yaml:"name"`
	Description string               `yaml:"description"`
	Sources     map[string]*Source   `yaml:"sources"`
	Boundaries  map[string]*Boundary `yaml:"boundaries"`
	Areas       map[string]*Area     `yaml:"areas"`
	Places      map[string]*Places   `yaml:"places"`
	Tracts      *Tracts              `yaml:"tracts"`
	Indicators  *Indicators          `yaml:"indicators"`
	Interpolate []*Interpolation     `yaml:"interpolate"`
	Summaries   []*Summary           `yaml:"summaries"`
	Segments    []*Segment           `yaml:"segments"`
	Contacts    *Contacts            `yaml:"contacts"`
	Listening   *Listening           `yaml:"listening"`
	Turnout     *TurnoutConfig       `yaml:"turnout"`
	FollowUp    *FollowUp            `yaml:"followup"`
	Report      *ReportConfig        `yaml:"report"`

	// Engine places the points of places sets: "native" (the default,
	// groundwork's own index) or "sedona" (a Spark job with Apache
	// Sedona; see docs/scale.md). Options.Engine overrides it.
	Engine string `yaml:"engine"`

	// dir is the folder relative paths are resolved against.
	dir string
}

// StreamedSource reports whether a source is read, placed and written a row
// group at a time instead of being held in memory: a csv source that only
// places sets read (a list of points or contacts, which may be millions of
// rows). Sources that are looked up by key (area lookups, locate
// directories) or joined to tracts stay in memory.
func (c *Config) StreamedSource(name string) bool {
	s := c.Sources[name]
	if s == nil || s.Kind != KindCSV {
		return false
	}
	placed := false
	for _, pl := range c.Places {
		if pl.Source == name {
			placed = true
		}
		if pl.Locate != nil && pl.Locate.Source == name {
			return false
		}
	}
	for _, a := range c.Areas {
		if a.Lookup.Source == name {
			return false
		}
	}
	if c.Tracts != nil && c.Tracts.Source == name {
		return false
	}
	return placed
}

// CSVSpec converts a csv source's declaration for package source. The file
// is labelled by its path as written in the pipeline file (relative to it;
// the base name when that is absolute), so that outputs never hold an
// absolute path. The caller sets Warnings.
func (s *Source) CSVSpec() source.CSV {
	label := filepath.ToSlash(s.File)
	if filepath.IsAbs(s.File) {
		label = filepath.Base(s.File)
	}
	spec := source.CSV{Key: s.Key, Null: s.Null, AllowExtraFields: s.AllowExtraFields, Encoding: s.Encoding,
		MaxLineBytes: s.MaxLineBytes, Label: label}
	if r := []rune(s.Delimiter); len(r) == 1 {
		spec.Delimiter = r[0]
	}
	for _, c := range s.Columns {
		t, _ := table.ParseType(c.Type)
		h := c.Header
		if h == "" {
			h = c.Name
		}
		spec.Columns = append(spec.Columns, source.Column{Name: c.Name, Header: h, Type: t, Digits: c.Digits, NonFinite: c.NonFinite})
	}
	return spec
}

// RepeatCheck names the column of source name whose repeated values its
// read warns about, and what a repeat means, when the source has no key: the
// id of the places made from it, else the key places look coordinates up by
// in it. "" when the source has a key (repeats are errors) or neither.
func (c *Config) RepeatCheck(name string) (col, mean string) {
	if s := c.Sources[name]; s == nil || s.Key != "" {
		return "", ""
	}
	for _, pn := range slices.Sorted(maps.Keys(c.Places)) {
		if pl := c.Places[pn]; pl.Source == name && pl.ID != "" {
			return pl.ID, fmt.Sprintf("the id of places %q: each row stays its own place, in lists and exports too; keep one row per place, or make places.%s.id a column whose values are unique", pn, pn)
		}
	}
	for _, pn := range slices.Sorted(maps.Keys(c.Places)) {
		if l := c.Places[pn].Locate; l != nil && l.Source == name && l.Key != "" {
			return l.Key, fmt.Sprintf("the key places %q look coordinates up by: a place takes the last such row's coordinates; keep one row per key", pn)
		}
	}
	return "", ""
}

// PointsSpec converts a parquet or geojson source's declaration for package
// source.
func (s *Source) PointsSpec() source.Points {
	c := s.CSVSpec()
	return source.Points{Columns: c.Columns, Null: c.Null, Key: c.Key}
}

// AreaRank orders area values as the area's order lists them, and any other
// value after them; col is an area name (any other column ranks 0).
func (c *Config) AreaRank(col, val string) int {
	if a, ok := c.Areas[col]; ok {
		for i, o := range a.Order {
			if o == val {
				return i
			}
		}
		return len(a.Order)
	}
	return 0
}

// DefaultMaxMapTracts is the most tracts the report's map draws one by one
// unless report.map.max_tracts says otherwise. A state's tracts fit
// (California has about 9,100); past it the map shows counties instead
// (see pipeline/report), because a map of every tract in the country is a file of
// tens of megabytes that a phone cannot open and a reader cannot see.
const DefaultMaxMapTracts = 10_000

// Formats accepted by measures and maps.
var formats = []string{"", "number", "dollars", "percent", "year"}

// Class-break methods of a map shade (Shade.Breaks); the empty string is
// BreaksQuantile.
const (
	BreaksQuantile      = "quantile"
	BreaksEqualInterval = "equal_interval"
	BreaksFisherJenks   = "fisher_jenks"
)

// BreakMethods lists the values report.map shades accept for breaks.
var BreakMethods = []string{BreaksQuantile, BreaksEqualInterval, BreaksFisherJenks}

var statNames = []string{"count", "min", "median", "max", "mean"}
