package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
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
	Summaries   []*Summary           `yaml:"summaries"`
	Segments    []*Segment           `yaml:"segments"`
	Contacts    *Contacts            `yaml:"contacts"`
	Listening   *Listening           `yaml:"listening"`
	Turnout     *TurnoutConfig       `yaml:"turnout"`
	Report      *ReportConfig        `yaml:"report"`

	// dir is the folder relative paths are resolved against.
	dir string
}

// Source is one dataset. Kind is "census" (a Census Data API table) or "csv"
// (a local delimited file).
type Source struct {
	Kind  string `yaml:"kind"`
	Title string `yaml:"title"`
	// About is the provenance shown in the report's sources section: who
	// published the data, its vintage, and its caveats.
	About string `yaml:"about"`

	// census
	Dataset   string   `yaml:"dataset"`
	Year      int      `yaml:"year"`
	Variables []string `yaml:"variables"`
	For       string   `yaml:"for"`
	In        string   `yaml:"in"`
	// Recorded names a saved API response (JSON array of arrays) to read
	// instead of calling the API.
	Recorded string `yaml:"recorded"`
	// APIKey names where the API key comes from: "env:NAME" (default
	// CENSUS_API_KEY). The key itself never goes in the pipeline file.
	APIKey string `yaml:"api_key"`

	// csv
	File    string       `yaml:"file"`
	Key     string       `yaml:"key"`
	Null    []string     `yaml:"null"`
	Columns []*ColumnDef `yaml:"columns"`
}

// ColumnDef declares a typed CSV column. In YAML it is either a mapping
// {name, type, header, digits} or the short form "name: type".
type ColumnDef struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	Header string `yaml:"header"`
	Digits int    `yaml:"digits"`
	Label  string `yaml:"label"`
}

// UnmarshalYAML accepts the short form `name: type` (a mapping with one key)
// as well as the full mapping, which needs at least name and type.
func (c *ColumnDef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[1].Kind == yaml.ScalarNode {
		c.Name, c.Type = n.Content[0].Value, n.Content[1].Value
		return nil
	}
	type plain ColumnDef
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*c = ColumnDef(p)
	return nil
}

// decodeStrict decodes a node refusing unknown keys (yaml.Node.Decode does not
// honour KnownFields, so we re-encode through a strict decoder).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

// Boundary is a polygon layer.
type Boundary struct {
	File  string `yaml:"file"`
	ID    string `yaml:"id"`
	Name  string `yaml:"name"` // property holding a display name (optional)
	Title string `yaml:"title"`
	About string `yaml:"about"`
}

// Area groups the features of a boundary into named areas through a lookup
// table (e.g. neighborhoods into hills, lower hills and flatlands).
type Area struct {
	Title    string   `yaml:"title"`
	Boundary string   `yaml:"boundary"`
	Lookup   Lookup   `yaml:"lookup"`
	Order    []string `yaml:"order"`
	Exclude  []string `yaml:"exclude"`
	// Compare names the area that findings measure against a reference.
	Compare *Compare `yaml:"compare"`
}

// Lookup maps boundary feature IDs to area names through a source table.
type Lookup struct {
	Source string `yaml:"source"`
	Key    string `yaml:"key"`
	Value  string `yaml:"value"`
}

// Compare names a focus area and the reference it is compared with.
type Compare struct {
	Focus     string `yaml:"focus"`
	Reference string `yaml:"reference"`
}

// Places is a point dataset placed into the boundaries and areas.
type Places struct {
	Title  string `yaml:"title"`
	Source string `yaml:"source"`
	Where  string `yaml:"where"`
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	// Lat and Lon name coordinate columns of Source itself.
	Lat string `yaml:"lat"`
	Lon string `yaml:"lon"`
	// Locate finds coordinates in another source by key.
	Locate *Locate `yaml:"locate"`
}

// Locate looks up coordinates of places in a directory source.
type Locate struct {
	Source string `yaml:"source"`
	Key    string `yaml:"key"`
	Lat    string `yaml:"lat"`
	Lon    string `yaml:"lon"`
	// SameStreet, when set, names the directory's street column: a place whose
	// own directory row has no coordinates takes those of another row at the
	// same street address (a reused campus). Each such match is reported.
	SameStreet string `yaml:"same_street"`
}

// Tracts joins a Census table to a tract boundary and assigns each tract to
// the areas by its representative point.
type Tracts struct {
	Source   string `yaml:"source"`
	Boundary string `yaml:"boundary"`
}

// Indicators are derived tract indicators with margins of error, area
// comparisons, segregation measures and a composite need index. See
// docs/indicators.md for every formula.
type Indicators struct {
	// Confidence of the MOEs written out: 90 (default), 95 or 99.
	Confidence int `yaml:"confidence"`
	// Reliability are the CV bands in percent (default 15 and 30).
	Reliability *Reliability `yaml:"reliability"`
	// Medians lists further variables that are medians or means (never
	// summed); the known ACS medians are built in.
	Medians []string        `yaml:"medians"`
	Define  []*IndicatorDef `yaml:"define"`
	// Compare aggregates tract counts into the areas of an area definition
	// and compares the areas on the listed indicators.
	Compare     *AreaCompare `yaml:"compare"`
	Segregation *Segregation `yaml:"segregation"`
	Need        *Need        `yaml:"need"`
}

// Reliability holds the CV thresholds.
type Reliability struct {
	Caution    float64 `yaml:"caution"`
	Unreliable float64 `yaml:"unreliable"`
}

// IndicatorDef is one derived indicator.
type IndicatorDef struct {
	Name    string `yaml:"name"`
	Label   string `yaml:"label"`
	Expr    string `yaml:"expr"`
	Kind    string `yaml:"kind"`
	Percent bool   `yaml:"percent"`
}

// AreaCompare names the area and indicators compared.
type AreaCompare struct {
	Area       string   `yaml:"area"`
	Indicators []string `yaml:"indicators"`
}

// Segregation declares the groups whose segregation across tracts is
// measured.
type Segregation struct {
	// Area restricts the tracts to those in some area of this definition
	// (e.g. the city's tracts); empty means every tract.
	Area   string      `yaml:"area"`
	Groups []*GroupDef `yaml:"groups"`
	// Total, if set, adds an "other" group: the total minus the groups.
	Total string     `yaml:"total"`
	Pairs [][]string `yaml:"pairs"`
}

// GroupDef is a population group counted by a column.
type GroupDef struct {
	Name   string `yaml:"name"`
	Column string `yaml:"column"`
}

// Need is a composite need index over tract indicators.
type Need struct {
	Name   string       `yaml:"name"`
	Label  string       `yaml:"label"`
	Method string       `yaml:"method"` // percentile (SVI-style, default) or zscore
	Themes []*NeedTheme `yaml:"themes"`
}

// NeedTheme groups need variables.
type NeedTheme struct {
	Name      string     `yaml:"name"`
	Variables []*NeedVar `yaml:"variables"`
}

// NeedVar is a need variable and its direction.
type NeedVar struct {
	Column    string `yaml:"column"`
	Direction string `yaml:"direction"`
}

// Summary describes groups of places or tracts by area and other columns.
type Summary struct {
	Name   string                       `yaml:"name"`
	Title  string                       `yaml:"title"`
	Of     string                       `yaml:"of"`
	Where  string                       `yaml:"where"`
	By     []string                     `yaml:"by"`
	Labels map[string]map[string]string `yaml:"labels"`
	// Headers names the By columns in the report (areas use their title).
	Headers  map[string]string `yaml:"headers"`
	Measures []*Measure        `yaml:"measures"`
}

// Measure is a column summarised by the given statistics.
type Measure struct {
	Column string   `yaml:"column"`
	Label  string   `yaml:"label"`
	Format string   `yaml:"format"`
	Stats  []string `yaml:"stats"`
}

// Segment is a ranked selection of places written to the exports.
type Segment struct {
	Name    string   `yaml:"name"`
	Title   string   `yaml:"title"`
	Of      string   `yaml:"of"`
	Where   string   `yaml:"where"`
	Rank    *Rank    `yaml:"rank"`
	Limit   int      `yaml:"limit"`
	Columns []string `yaml:"columns"`
}

// Rank orders a segment.
type Rank struct {
	By    string `yaml:"by"`
	Order string `yaml:"order"` // "desc" (default) or "asc"
}

// ReportConfig shapes the HTML report.
type ReportConfig struct {
	Title    string     `yaml:"title"`
	Intro    string     `yaml:"intro"`
	Map      *MapConfig `yaml:"map"`
	Caveats  []string   `yaml:"caveats"`
	Findings *Findings  `yaml:"findings"`
}

// MapConfig describes the report's map.
type MapConfig struct {
	Shade *Shade `yaml:"shade"`
	// Shades are further tract columns the reader can switch the map to.
	Shades  []*Shade `yaml:"shades"`
	Outline string   `yaml:"outline"`
	Points  *PointsM `yaml:"points"`
	// MaxTracts is the most tracts the map draws one by one; past it the
	// map shows their counties instead (see countyShapes). Zero means
	// 10,000, enough for any state.
	MaxTracts int `yaml:"max_tracts"`
}

// Shade is a choropleth of a tract column.
type Shade struct {
	Column string `yaml:"column"`
	Label  string `yaml:"label"`
	Format string `yaml:"format"`
}

// PointsM draws places as circles.
type PointsM struct {
	Of         string `yaml:"of"`
	Size       string `yaml:"size"`
	SizeLabel  string `yaml:"size_label"`
	Color      string `yaml:"color"`
	ColorLabel string `yaml:"color_label"`
}

// Findings names the summary rows the plain-language findings compare.
type Findings struct {
	Summary string `yaml:"summary"`
	// Group restricts the comparison to rows whose non-area group columns
	// have these values (e.g. stype: E for elementary schools).
	Group  map[string]string `yaml:"group"`
	Size   string            `yaml:"size"`
	Score  string            `yaml:"score"`
	Income string            `yaml:"income"`
}

// Formats accepted by measures and maps.
var formats = []string{"", "number", "dollars", "percent"}

var statNames = []string{"count", "min", "median", "max", "mean"}

// streamedSource reports whether a source is read, placed and written a row
// group at a time instead of being held in memory: a csv source that only
// places sets read (a list of points or contacts, which may be millions of
// rows). Sources that are looked up by key (area lookups, locate
// directories) or joined to tracts stay in memory.
func (c *Config) streamedSource(name string) bool {
	s := c.Sources[name]
	if s == nil || s.Kind != "csv" {
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

// Load reads and validates a pipeline file. Relative paths in it are
// resolved against the file's folder. All validation problems are returned
// at once, joined, each naming its path in the file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pipeline file: %w", err)
	}
	c, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	c.dir = filepath.Dir(path)
	return c, nil
}

// Parse decodes a pipeline file strictly (unknown keys are errors) and
// validates it without touching the file system. name is used in errors.
func Parse(name string, b []byte) (*Config, error) {
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	var c Config
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if errs := c.Validate(); len(errs) > 0 {
		return nil, &ConfigError{File: name, Problems: errs}
	}
	return &c, nil
}

// ConfigError lists every problem found in a pipeline file.
type ConfigError struct {
	File     string
	Problems []string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: %d problem(s):\n  %s", e.File, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Path resolves a file path from the pipeline file against its folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func names[V any](m map[string]V) string {
	k := sortedKeys(m)
	if len(k) == 0 {
		return "none are defined"
	}
	return "defined: " + strings.Join(k, ", ")
}

// Validate checks the configuration without I/O and returns every problem,
// each prefixed by its path (e.g. `sources.api.columns[2].type`).
func (c *Config) Validate() []string {
	var p []string
	add := func(path, format string, args ...any) {
		p = append(p, path+": "+fmt.Sprintf(format, args...))
	}
	if len(c.Sources) == 0 {
		add("sources", "at least one source is required")
	}
	for _, n := range sortedKeys(c.Sources) {
		s := c.Sources[n]
		at := "sources." + n
		if s == nil {
			add(at, "empty source; give it a kind (census or csv)")
			continue
		}
		switch s.Kind {
		case "census":
			if s.Dataset == "" {
				add(at+".dataset", "required (e.g. acs/acs5)")
			}
			if s.Year == 0 {
				add(at+".year", "required (e.g. 2018)")
			}
			if len(s.Variables) == 0 {
				add(at+".variables", "list the variables to pull (e.g. B19013_001E)")
			}
			for i, v := range s.Variables {
				if !validVariable(v) {
					add(fmt.Sprintf("%s.variables[%d]", at, i), "%q is not a Census variable name (like B19013_001E, B19013_001M or NAME)", v)
				}
			}
			if s.For == "" {
				add(at+".for", `required (e.g. "tract:*")`)
			}
			if s.APIKey != "" && !strings.HasPrefix(s.APIKey, "env:") && !(strings.HasPrefix(s.APIKey, "${") && strings.HasSuffix(s.APIKey, "}")) {
				add(at+".api_key", "write env:NAME or ${NAME} to read the key from an environment variable; never put the key itself in a pipeline file")
			}
			if s.File != "" || len(s.Columns) > 0 || s.Key != "" {
				add(at, "file and columns belong to csv sources; a census source reads a recorded response with `recorded:`")
			}
		case "csv":
			if s.File == "" {
				add(at+".file", "required: the path of the CSV file, relative to the pipeline file")
			}
			if len(s.Columns) == 0 {
				add(at+".columns", "declare the columns to read with their types (e.g. `- cds: string`)")
			}
			seen := map[string]bool{}
			hasKey := s.Key == ""
			for i, col := range s.Columns {
				cat := fmt.Sprintf("%s.columns[%d]", at, i)
				if col == nil || col.Name == "" {
					add(cat, "column needs a name")
					continue
				}
				if seen[col.Name] {
					add(cat, "duplicate column %q", col.Name)
				}
				seen[col.Name] = true
				if col.Name == s.Key {
					hasKey = true
				}
				if _, ok := table.ParseType(col.Type); !ok {
					add(cat+".type", "unknown type %q; use one of %s", col.Type, strings.Join(table.TypeNames, ", "))
				}
				if col.Digits < 0 {
					add(cat+".digits", "must be positive")
				}
			}
			if !hasKey {
				add(at+".key", "%q is not one of the declared columns", s.Key)
			}
			if s.Dataset != "" || len(s.Variables) > 0 || s.Recorded != "" {
				add(at, "dataset, variables and recorded belong to census sources")
			}
		case "":
			add(at+".kind", "required: census or csv")
		default:
			add(at+".kind", "unknown kind %q; use census or csv", s.Kind)
		}
	}
	for _, n := range sortedKeys(c.Boundaries) {
		b := c.Boundaries[n]
		at := "boundaries." + n
		if b == nil || b.File == "" {
			add(at+".file", "required: a GeoJSON file of polygons")
			continue
		}
		if b.ID == "" {
			add(at+".id", "required: the property that identifies each feature (e.g. GEOID)")
		}
	}
	for _, n := range sortedKeys(c.Areas) {
		a := c.Areas[n]
		at := "areas." + n
		if a == nil {
			add(at, "empty area definition")
			continue
		}
		if _, ok := c.Boundaries[a.Boundary]; !ok {
			add(at+".boundary", "unknown boundary %q (%s)", a.Boundary, names(c.Boundaries))
		}
		if s, ok := c.Sources[a.Lookup.Source]; !ok || s == nil || s.Kind != "csv" {
			add(at+".lookup.source", "%q is not a csv source (%s)", a.Lookup.Source, names(c.Sources))
		} else {
			for _, f := range []struct{ k, v string }{{"key", a.Lookup.Key}, {"value", a.Lookup.Value}} {
				if !s.hasColumn(f.v) {
					add(at+".lookup."+f.k, "source %q declares no column %q", a.Lookup.Source, f.v)
				}
			}
		}
		if a.Compare != nil {
			for _, f := range []struct{ k, v string }{{"focus", a.Compare.Focus}, {"reference", a.Compare.Reference}} {
				if len(a.Order) > 0 && !contains(a.Order, f.v) {
					add(at+".compare."+f.k, "%q is not in order (%s)", f.v, strings.Join(a.Order, ", "))
				}
			}
		}
	}
	for _, n := range sortedKeys(c.Places) {
		pl := c.Places[n]
		at := "places." + n
		if pl == nil {
			add(at, "empty places definition")
			continue
		}
		if _, ok := c.Areas[n]; ok {
			add(at, "name %q is also an area; use distinct names", n)
		}
		src, ok := c.Sources[pl.Source]
		if !ok || src == nil || src.Kind != "csv" {
			add(at+".source", "%q is not a csv source (%s)", pl.Source, names(c.Sources))
			continue
		}
		for _, f := range []struct{ k, v string }{{"id", pl.ID}, {"name", pl.Name}} {
			if f.v == "" {
				add(at+"."+f.k, "required: a column of source %q", pl.Source)
			} else if !src.hasColumn(f.v) {
				add(at+"."+f.k, "source %q declares no column %q", pl.Source, f.v)
			}
		}
		if pl.Where != "" {
			if err := segment.Check(pl.Where, src.columnNames()); err != nil {
				add(at+".where", "%v", err)
			}
		}
		switch {
		case pl.Locate != nil && (pl.Lat != "" || pl.Lon != ""):
			add(at, "give either lat/lon columns or locate, not both")
		case pl.Locate != nil:
			l := pl.Locate
			ds, ok := c.Sources[l.Source]
			if !ok || ds == nil || ds.Kind != "csv" {
				add(at+".locate.source", "%q is not a csv source (%s)", l.Source, names(c.Sources))
				break
			}
			for _, f := range []struct{ k, v string }{{"key", l.Key}, {"lat", l.Lat}, {"lon", l.Lon}, {"same_street", l.SameStreet}} {
				if f.v != "" && !ds.hasColumn(f.v) {
					add(at+".locate."+f.k, "source %q declares no column %q", l.Source, f.v)
				}
				if f.v == "" && f.k != "same_street" {
					add(at+".locate."+f.k, "required")
				}
			}
		default:
			for _, f := range []struct{ k, v string }{{"lat", pl.Lat}, {"lon", pl.Lon}} {
				if f.v == "" {
					add(at+"."+f.k, "required (or use locate to look coordinates up in another source)")
				} else if !src.hasColumn(f.v) {
					add(at+"."+f.k, "source %q declares no column %q", pl.Source, f.v)
				}
			}
		}
	}
	if t := c.Tracts; t != nil {
		if s, ok := c.Sources[t.Source]; !ok || s == nil || s.Kind != "census" {
			add("tracts.source", "%q is not a census source (%s)", t.Source, names(c.Sources))
		}
		if _, ok := c.Boundaries[t.Boundary]; !ok {
			add("tracts.boundary", "unknown boundary %q (%s)", t.Boundary, names(c.Boundaries))
		}
	}
	p = append(p, c.validateIndicators()...)
	p = append(p, c.validateOutreach()...)
	seenSum := map[string]bool{}
	for i, s := range c.Summaries {
		at := fmt.Sprintf("summaries[%d]", i)
		if s.Name == "" {
			add(at+".name", "required")
		} else if seenSum[s.Name] {
			add(at+".name", "duplicate summary %q", s.Name)
		}
		seenSum[s.Name] = true
		cols, ok := c.tableColumns(s.Of)
		if !ok {
			add(at+".of", "%q is neither a places set nor \"tracts\" (%s)", s.Of, names(c.Places))
			continue
		}
		for j, b := range s.By {
			if !contains(cols, b) {
				add(fmt.Sprintf("%s.by[%d]", at, j), "no column %q in %s%s", b, s.Of, suggestName(b, cols))
			}
		}
		if s.Where != "" {
			if err := segment.Check(s.Where, cols); err != nil {
				add(at+".where", "%v", err)
			}
		}
		if len(s.Measures) == 0 {
			add(at+".measures", "list at least one column to summarise")
		}
		for j, m := range s.Measures {
			mat := fmt.Sprintf("%s.measures[%d]", at, j)
			if !contains(cols, m.Column) {
				add(mat+".column", "no column %q in %s%s", m.Column, s.Of, suggestName(m.Column, cols))
			}
			for k, st := range m.Stats {
				if !contains(statNames, st) {
					add(fmt.Sprintf("%s.stats[%d]", mat, k), "unknown statistic %q; use %s", st, strings.Join(statNames, ", "))
				}
			}
			if !contains(formats, m.Format) {
				add(mat+".format", "unknown format %q; use number, dollars or percent", m.Format)
			}
		}
	}
	seenSeg := map[string]bool{}
	for i, s := range c.Segments {
		at := fmt.Sprintf("segments[%d]", i)
		if s.Name == "" || strings.ContainsAny(s.Name, `/\ `) {
			add(at+".name", "required, without spaces or slashes (it names the export files)")
		} else if seenSeg[s.Name] {
			add(at+".name", "duplicate segment %q", s.Name)
		}
		seenSeg[s.Name] = true
		cols, ok := c.tableColumns(s.Of)
		if !ok {
			add(at+".of", "%q is neither a places set nor \"tracts\" (%s)", s.Of, names(c.Places))
			continue
		}
		if s.Where != "" {
			if err := segment.Check(s.Where, cols); err != nil {
				add(at+".where", "%v", err)
			}
		}
		if s.Rank != nil {
			if !contains(cols, s.Rank.By) {
				add(at+".rank.by", "no column %q in %s%s", s.Rank.By, s.Of, suggestName(s.Rank.By, cols))
			}
			if s.Rank.Order != "" && s.Rank.Order != "asc" && s.Rank.Order != "desc" {
				add(at+".rank.order", "use asc or desc, not %q", s.Rank.Order)
			}
		}
		if s.Limit < 0 {
			add(at+".limit", "must be zero (no limit) or positive")
		}
		for j, col := range s.Columns {
			if !contains(cols, col) {
				add(fmt.Sprintf("%s.columns[%d]", at, j), "no column %q in %s%s", col, s.Of, suggestName(col, cols))
			}
		}
	}
	if r := c.Report; r != nil && r.Map != nil {
		m := r.Map
		if m.Shade != nil {
			cols, _ := c.tableColumns("tracts")
			if c.Tracts == nil {
				add("report.map.shade", "needs a tracts section to shade")
			} else if !contains(cols, m.Shade.Column) {
				add("report.map.shade.column", "no column %q in tracts%s", m.Shade.Column, suggestName(m.Shade.Column, cols))
			}
		}
		for i, sh := range m.Shades {
			cols, _ := c.tableColumns("tracts")
			if c.Tracts == nil {
				add(fmt.Sprintf("report.map.shades[%d]", i), "needs a tracts section to shade")
			} else if sh == nil || !contains(cols, sh.Column) {
				col := ""
				if sh != nil {
					col = sh.Column
				}
				add(fmt.Sprintf("report.map.shades[%d].column", i), "no column %q in tracts%s", col, suggestName(col, cols))
			}
		}
		if m.MaxTracts < 0 {
			add("report.map.max_tracts", "must be positive (or left out for %d)", defaultMaxMapTracts)
		}
		if m.Outline != "" {
			if _, ok := c.Areas[m.Outline]; !ok {
				add("report.map.outline", "unknown area %q (%s)", m.Outline, names(c.Areas))
			}
		}
		if m.Points != nil {
			cols, ok := c.placeColumns(m.Points.Of)
			if !ok {
				add("report.map.points.of", "%q is not a places set (%s)", m.Points.Of, names(c.Places))
			} else {
				for _, f := range []struct{ k, v string }{{"size", m.Points.Size}, {"color", m.Points.Color}} {
					if f.v != "" && !contains(cols, f.v) {
						add("report.map.points."+f.k, "no column %q in %s%s", f.v, m.Points.Of, suggestName(f.v, cols))
					}
				}
			}
		}
	}
	if r := c.Report; r != nil && r.Findings != nil {
		f := r.Findings
		if !seenSum[f.Summary] {
			add("report.findings.summary", "unknown summary %q", f.Summary)
		}
		if f.Income != "" && !seenSum[f.Income] {
			add("report.findings.income", "unknown summary %q", f.Income)
		}
	}
	return p
}

func validVariable(v string) bool {
	if v == "NAME" || v == "GEO_ID" {
		return true
	}
	if len(v) < 6 || strings.ContainsAny(v, " ,&?=") {
		return false
	}
	return v[0] >= 'A' && v[0] <= 'Z'
}

func (s *Source) hasColumn(name string) bool {
	return contains(s.columnNames(), name)
}

func (s *Source) columnNames() []string {
	if s.Kind == "census" {
		return append([]string{"geoid", "name"}, s.Variables...)
	}
	var n []string
	for _, c := range s.Columns {
		if c != nil {
			n = append(n, c.Name)
		}
	}
	return n
}

// placeColumns lists the columns of a placed table: the source's columns plus
// the join results.
func (c *Config) placeColumns(places string) ([]string, bool) {
	pl, ok := c.Places[places]
	if !ok || pl == nil {
		return nil, false
	}
	src, ok := c.Sources[pl.Source]
	if !ok || src == nil {
		return nil, false
	}
	cols := append([]string{}, src.columnNames()...)
	cols = append(cols, "lat", "lon", "located_by")
	for _, b := range sortedKeys(c.Boundaries) {
		cols = append(cols, b)
	}
	for _, a := range sortedKeys(c.Areas) {
		cols = append(cols, a)
	}
	return cols, true
}

func (c *Config) tableColumns(of string) ([]string, bool) {
	if of == "tracts" && c.Tracts != nil {
		src := c.Sources[c.Tracts.Source]
		if src == nil {
			return nil, false
		}
		cols := append([]string{}, src.columnNames()...)
		for _, a := range sortedKeys(c.Areas) {
			cols = append(cols, a, c.Areas[a].Boundary)
		}
		return append(cols, c.indicatorColumns()...), true
	}
	return c.placeColumns(of)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func suggestName(want string, have []string) string {
	if best := suggest.Closest(want, have); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// csvSpec converts a csv source's declaration for package source.
func (s *Source) csvSpec() source.CSV {
	spec := source.CSV{Key: s.Key, Null: s.Null}
	for _, c := range s.Columns {
		t, _ := table.ParseType(c.Type)
		h := c.Header
		if h == "" {
			h = c.Name
		}
		spec.Columns = append(spec.Columns, source.Column{Name: c.Name, Header: h, Type: t, Digits: c.Digits})
	}
	return spec
}
