package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/scaffold"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// problems collects validation problems, each "path: message".
type problems struct{ list []string }

func (p *problems) add(path, format string, args ...any) {
	p.list = append(p.list, path+": "+fmt.Sprintf(format, args...))
}

// Validate checks the configuration without I/O and returns every problem,
// each prefixed by its path (e.g. `sources.api.columns[2].type`): first the
// names used in output paths (names.go), then section by section in the
// order of the file's reference: sources, boundaries, areas, places, tracts,
// indicators, outreach, summaries, segments, report.
func (c *Config) Validate() []string {
	p := &problems{}
	c.checkNames(p)
	c.checkEngine(p)
	c.checkSources(p)
	c.checkBoundaries(p)
	c.checkAreas(p)
	c.checkPlaces(p)
	c.checkTracts(p)
	c.checkInterpolate(p)
	c.checkIndicators(p)
	c.checkOutreach(p)
	summaries := c.checkSummaries(p)
	c.checkSegments(p)
	c.checkMap(p)
	c.checkFindings(p, summaries)
	return p.list
}

// Engines are the values of the pipeline file's engine key.
var Engines = []string{"native", "sedona"}

func (c *Config) checkEngine(p *problems) {
	if c.Engine != "" && !slices.Contains(Engines, c.Engine) {
		p.add("engine", "unknown engine %q; use native or sedona", c.Engine)
	}
}

func (c *Config) checkSources(p *problems) {
	if len(c.Sources) == 0 {
		p.add("sources", "at least one source is required")
	}
	for _, n := range slices.Sorted(maps.Keys(c.Sources)) {
		s := c.Sources[n]
		at := "sources." + n
		if s == nil {
			p.add(at, "empty source; give it a kind (%s)", kindList())
			continue
		}
		if s.Kind == "" {
			p.add(at+".kind", "required: %s", kindList())
			continue
		}
		i := slices.IndexFunc(kinds, func(k kindDef) bool { return k.kind == s.Kind })
		if i < 0 {
			p.add(at+".kind", "unknown kind %q; use %s", s.Kind, kindList())
			continue
		}
		kinds[i].check(p, at, s)
	}
}

func checkCensusSource(p *problems, at string, s *Source) {
	if s.Dataset == "" {
		p.add(at+".dataset", "required (e.g. acs/acs5)")
	}
	checkCensusYears(p, at, s)
	if s.Confidence != 0 && !stats.Confidence(s.Confidence).Valid() {
		p.add(at+".confidence", "use 90, 95 or 99, not %d (the Census Bureau publishes 90%% MOEs; they are converted to this level)", s.Confidence)
	}
	if s.Year == 0 {
		p.add(at+".year", "required (e.g. 2018)")
	}
	if len(s.Variables) == 0 {
		p.add(at+".variables", "list the variables to pull (e.g. B19013_001E)")
	}
	for i, v := range s.Variables {
		if !validVariable(v) {
			p.add(fmt.Sprintf("%s.variables[%d]", at, i), "%q is not a Census variable name (like B19013_001E, B19013_001M or NAME)", v)
		}
	}
	if s.For == "" {
		p.add(at+".for", `required (e.g. "tract:*")`)
	}
	if s.APIKey != "" && !strings.HasPrefix(s.APIKey, "env:") && !(strings.HasPrefix(s.APIKey, "${") && strings.HasSuffix(s.APIKey, "}")) {
		p.add(at+".api_key", "write env:NAME or ${NAME} to read the key from an environment variable; never put the key itself in a pipeline file")
	}
	if s.File != "" || len(s.Columns) > 0 || s.Key != "" {
		p.add(at, "file and columns belong to csv sources; a census source reads a recorded response with `recorded:`")
	}
	if cw := s.Crosswalk; cw != nil {
		if cw.To != 2010 && cw.To != 2020 {
			p.add(at+".crosswalk.to", "%d: give 2010 or 2020, the tract vintage to bring the table onto", cw.To)
		}
		var med []string
		for _, v := range s.columnNames() {
			if st, _ := census.Classify(v, nil); !st.Summable() {
				med = append(med, v)
			}
		}
		if len(med) > 0 {
			p.add(at+".crosswalk", "%s: a median or mean cannot be moved to other tracts by area (an area-weighted sum of medians means nothing); bring the counts of the distribution across instead (for B19013, the B19001 income brackets), or compare the median on the tracts it was published for", strings.Join(med, ", "))
		}
	}
	if s.AllowExtraFields || s.Encoding != "" || s.Delimiter != "" || s.MaxLineBytes != 0 {
		p.add(at, "allow_extra_fields, encoding, delimiter and max_line_bytes belong to csv sources")
	}
	if s.MaxResponseMB < 0 {
		p.add(at+".max_response_mb", "must be positive (default 256)")
	}
	if s.Recorded != "" && (s.CheckComplete || s.MaxResponseMB != 0) {
		p.add(at, "check_complete and max_response_mb apply to live pulls; a recorded response is read as it is")
	}
}

// checkCSVReading checks the keys that say how a csv file is read (and
// that other file kinds do not set them).
func checkCSVReading(p *problems, at string, s *Source) {
	if s.Kind != KindCSV {
		if s.AllowExtraFields || s.Encoding != "" || s.Delimiter != "" || s.MaxLineBytes != 0 {
			p.add(at, "allow_extra_fields, encoding, delimiter and max_line_bytes belong to csv sources")
		}
	}
	if !slices.Contains(append([]string{""}, source.Encodings...), strings.ToLower(s.Encoding)) {
		p.add(at+".encoding", "unknown encoding %q; use %s", s.Encoding, strings.Join(source.Encodings, " or "))
	}
	if r := []rune(s.Delimiter); s.Delimiter != "" && (len(r) != 1 || r[0] == '"' || r[0] == '\r' || r[0] == '\n') {
		p.add(at+".delimiter", "want one character such as \";\" or \"\\t\" (not a quote or a line break), got %q", s.Delimiter)
	}
	if s.MaxLineBytes < 0 {
		p.add(at+".max_line_bytes", "must be positive (default %d)", source.DefaultMaxLineBytes)
	}
	if s.CheckComplete || s.MaxResponseMB != 0 {
		p.add(at, "check_complete and max_response_mb belong to census sources")
	}
	for i, col := range s.Columns {
		if col != nil && col.NonFinite && col.Type != "float" {
			p.add(fmt.Sprintf("%s.columns[%d].nonfinite", at, i), "only float columns can hold NaN or Inf (the column is %s)", col.Type)
		}
	}
}

// checkCensusYears checks sources.<name>.years and sets Year to the last
// year. Two ACS 5-year releases less than five years apart share survey
// years, and the Census Bureau advises against comparing them (ACS General
// Handbook 2020, ch. 6), so such years are refused.
func checkCensusYears(p *problems, at string, s *Source) {
	if len(s.Years) == 0 {
		return
	}
	switch {
	case s.Year != 0 && s.Year != s.Years[len(s.Years)-1]:
		p.add(at+".years", "give year or years, not both")
		return
	case len(s.Years) < 2:
		p.add(at+".years", "list two or more years (for one year write year: %d)", s.Years[0])
		return
	case s.Recorded != "":
		p.add(at+".years", "a recorded response holds one year; pull the years from the Census Data API or give one year")
		return
	}
	for i := 1; i < len(s.Years); i++ {
		a, b := s.Years[i-1], s.Years[i]
		if b <= a {
			p.add(fmt.Sprintf("%s.years[%d]", at, i), "%d after %d: list the years once each, oldest first", b, a)
			return
		}
		if strings.HasSuffix(s.Dataset, "acs5") && b-a < 5 {
			p.add(fmt.Sprintf("%s.years[%d]", at, i), "the ACS 5-year estimates of %d (%d-%d) and %d (%d-%d) share survey years, and the Census Bureau advises against comparing overlapping 5-year estimates: choose years at least five apart (e.g. %d and %d)", a, a-4, a, b, b-4, b, b-5, b)
			return
		}
	}
	s.Year = s.Years[len(s.Years)-1]
}

// checkCSVSource checks a local file source: csv, parquet or geojson.
func checkCSVSource(p *problems, at string, s *Source) {
	what := map[Kind]string{KindCSV: "CSV file", KindParquet: "Parquet file", KindGeoJSON: "GeoJSON file of points"}[s.Kind]
	if s.File == "" {
		p.add(at+".file", "required: the path of the %s, relative to the pipeline file", what)
	}
	if len(s.Columns) == 0 {
		switch s.Kind {
		case KindParquet:
			p.add(at+".columns", "declare the columns to read with their types as the file's schema has them (e.g. `- cds: string`)")
		case KindGeoJSON:
			p.add(at+".columns", "declare the properties to read with their types (e.g. `- name: string`); the coordinates become the columns lon and lat")
		default:
			p.add(at+".columns", "declare the columns to read with their types (e.g. `- cds: string`)")
		}
	}
	if s.Kind == KindGeoJSON {
		for i, col := range s.Columns {
			if col != nil && (col.Name == "lon" || col.Name == "lat") {
				p.add(fmt.Sprintf("%s.columns[%d]", at, i), "%q is the coordinate column groundwork adds from each point; read the property under another name (name: %s_prop, header: %s)", col.Name, col.Name, col.Name)
			}
		}
	}
	seen := map[string]bool{}
	hasKey := s.Key == ""
	for i, col := range s.Columns {
		cat := fmt.Sprintf("%s.columns[%d]", at, i)
		if col == nil || col.Name == "" {
			p.add(cat, "column needs a name")
			continue
		}
		if seen[col.Name] {
			p.add(cat, "duplicate column %q", col.Name)
		}
		seen[col.Name] = true
		if col.Name == s.Key {
			hasKey = true
		}
		if _, ok := table.ParseType(col.Type); !ok {
			p.add(cat+".type", "unknown type %q; use one of %s", col.Type, strings.Join(table.TypeNames, ", "))
		}
		if col.Digits < 0 {
			p.add(cat+".digits", "must be positive")
		}
	}
	if !hasKey {
		p.add(at+".key", "%q is not one of the declared columns", s.Key)
	}
	if s.Dataset != "" || len(s.Variables) > 0 || s.Recorded != "" {
		p.add(at, "dataset, variables and recorded belong to census sources")
	}
	checkCSVReading(p, at, s)
}

func (c *Config) checkBoundaries(p *problems) {
	for _, n := range slices.Sorted(maps.Keys(c.Boundaries)) {
		b := c.Boundaries[n]
		at := "boundaries." + n
		switch {
		case b != nil && b.Census != nil && b.File != "":
			p.add(at, "give either file or census, not both")
			continue
		case b != nil && b.Census != nil:
			checkCensusBoundary(p, at+".census", b.Census)
			if b.ID != "" && b.ID != "GEOID" {
				p.add(at+".id", "a Census layer's features are identified by GEOID; leave id out")
			}
			b.ID = "GEOID"
			continue
		case b == nil || b.File == "":
			p.add(at+".file", "required: a file of polygons (GeoJSON, a shapefile zip or GeoParquet), or name a Census layer with census: {layer: tract, year: 2020, state: \"13\"}")
			continue
		}
		if b.ID == "" {
			p.add(at+".id", "required: the property that identifies each feature (e.g. GEOID)")
		}
		if d := b.Decides; d != nil {
			if strings.TrimSpace(d.Title) == "" {
				p.add(at+".decides.title", "required: what the seats are (e.g. \"City council districts\")")
			}
			if d.Seats != "" && !strings.EqualFold(filepath.Ext(d.Seats), ".csv") {
				p.add(at+".decides.seats", "%q is not a CSV file: give a .csv with a seat column and optional name, office and contact columns", d.Seats)
			}
		}
	}
}

// checkCensusBoundary checks a boundary named by Census layer and resolves
// its state to the FIPS code.
func checkCensusBoundary(p *problems, at string, cb *CensusBoundary) {
	if cb.Layer == "" {
		p.add(at+".layer", "required: one of %s", censusLayerList())
	} else if l, err := census.ParseLayer(cb.Layer); err != nil {
		p.add(at+".layer", "%v", err)
	} else {
		cb.Layer = string(l)
	}
	if cb.Year == 0 {
		p.add(at+".year", "required: the vintage, %d through %d (ACS tables from 2020 on use 2020 tracts)", census.OldestVintage, census.NewestVintage)
	}
	if cb.State == "" {
		p.add(at+".state", "required: the state's FIPS code (\"13\"), postal code (GA) or name (Georgia)")
	} else if st, err := scaffold.ResolveState(cb.State); err != nil {
		p.add(at+".state", "%v", err)
	} else {
		cb.State = st.FIPS
	}
	for i, c := range cb.County {
		if len(c) < 3 && len(c) > 0 && strings.Trim(c, "0123456789") == "" {
			c = strings.Repeat("0", 3-len(c)) + c
			cb.County[i] = c
		}
	}
	spec := cb.Spec()
	for _, prob := range spec.Validate() {
		k, msg, _ := strings.Cut(prob, ": ")
		if k == "layer" || k == "state" || (k == "year" && cb.Year == 0) {
			continue // said above
		}
		p.add(at+"."+k, "%s", msg)
	}
}

// Spec is the boundary as package census takes it.
func (cb *CensusBoundary) Spec() census.BoundarySpec {
	return census.BoundarySpec{Layer: census.Layer(cb.Layer), Year: cb.Year, State: cb.State, Counties: cb.County, Water: cb.Water, SHA256: cb.SHA256}
}

func censusLayerList() string {
	var n []string
	for _, l := range census.Layers {
		n = append(n, string(l))
	}
	return strings.Join(n, ", ")
}

// csvSource returns the named source when it is a local file source (csv,
// parquet or geojson).
func (c *Config) csvSource(name string) (*Source, bool) {
	s, ok := c.Sources[name]
	return s, ok && s.Local()
}

func (c *Config) checkAreas(p *problems) {
	for _, n := range slices.Sorted(maps.Keys(c.Areas)) {
		a := c.Areas[n]
		at := "areas." + n
		if a == nil {
			p.add(at, "empty area definition")
			continue
		}
		if _, ok := c.Boundaries[a.Boundary]; !ok {
			p.add(at+".boundary", "unknown boundary %q (%s)", a.Boundary, names(c.Boundaries))
		}
		if s, ok := c.csvSource(a.Lookup.Source); !ok {
			p.add(at+".lookup.source", "%q is not a local file source: csv, parquet or geojson (%s)", a.Lookup.Source, names(c.Sources))
		} else {
			checkHasColumns(p, at+".lookup.", a.Lookup.Source, s, "key", a.Lookup.Key, "value", a.Lookup.Value)
		}
		if a.Compare != nil && len(a.Order) > 0 {
			for _, f := range []struct{ k, v string }{{"focus", a.Compare.Focus}, {"reference", a.Compare.Reference}} {
				if !slices.Contains(a.Order, f.v) {
					p.add(at+".compare."+f.k, "%q is not in order (%s)", f.v, strings.Join(a.Order, ", "))
				}
			}
		}
	}
}

// checkHasColumns reports each (key, column) pair in kv whose column source
// s (named src) does not declare, at prefix+key.
func checkHasColumns(p *problems, prefix, src string, s *Source, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if !s.hasColumn(kv[i+1]) {
			p.add(prefix+kv[i], "source %q declares no column %q", src, kv[i+1])
		}
	}
}

func (c *Config) checkPlaces(p *problems) {
	for _, n := range slices.Sorted(maps.Keys(c.Places)) {
		pl := c.Places[n]
		at := "places." + n
		if pl == nil {
			p.add(at, "empty places definition")
			continue
		}
		if _, ok := c.Areas[n]; ok {
			p.add(at, "name %q is also an area; use distinct names", n)
		}
		src, ok := c.csvSource(pl.Source)
		if !ok {
			p.add(at+".source", "%q is not a local file source: csv, parquet or geojson (%s)", pl.Source, names(c.Sources))
			continue
		}
		for _, f := range []struct{ k, v string }{{"id", pl.ID}, {"name", pl.Name}} {
			if f.v == "" {
				p.add(at+"."+f.k, "required: a column of source %q", pl.Source)
			} else if !src.hasColumn(f.v) {
				p.add(at+"."+f.k, "source %q declares no column %q", pl.Source, f.v)
			}
		}
		if pl.Where != "" {
			if err := segment.CheckTypes(pl.Where, src.columnTypes()); err != nil {
				p.add(at+".where", "%v", err)
			}
		}
		switch {
		case pl.Locate != nil && (pl.Lat != "" || pl.Lon != ""):
			p.add(at, "give either lat/lon columns or locate, not both")
		case pl.Locate != nil:
			c.checkLocate(p, at+".locate", pl.Locate)
		default:
			for _, f := range []struct{ k, v string }{{"lat", pl.Lat}, {"lon", pl.Lon}} {
				if f.v == "" {
					p.add(at+"."+f.k, "required (or use locate to look coordinates up in another source)")
				} else if !src.hasColumn(f.v) {
					p.add(at+"."+f.k, "source %q declares no column %q", pl.Source, f.v)
				}
			}
		}
	}
}

func (c *Config) checkLocate(p *problems, at string, l *Locate) {
	ds, ok := c.csvSource(l.Source)
	if !ok {
		p.add(at+".source", "%q is not a local file source: csv, parquet or geojson (%s)", l.Source, names(c.Sources))
		return
	}
	for _, f := range []struct{ k, v string }{{"key", l.Key}, {"lat", l.Lat}, {"lon", l.Lon}, {"same_street", l.SameStreet}} {
		if f.v != "" && !ds.hasColumn(f.v) {
			p.add(at+"."+f.k, "source %q declares no column %q", l.Source, f.v)
		}
		if f.v == "" && f.k != "same_street" {
			p.add(at+"."+f.k, "required")
		}
	}
}

func (c *Config) checkTracts(p *problems) {
	t := c.Tracts
	if t == nil {
		return
	}
	if s, ok := c.Sources[t.Source]; !ok || s == nil || s.Kind != KindCensus {
		p.add("tracts.source", "%q is not a census source (%s)", t.Source, names(c.Sources))
	}
	if _, ok := c.Boundaries[t.Boundary]; !ok {
		p.add("tracts.boundary", "unknown boundary %q (%s)", t.Boundary, names(c.Boundaries))
	}
}
