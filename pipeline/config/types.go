package config

// Source is one dataset; Kind says which (see kinds.go).
type Source struct {
	Kind  Kind   `yaml:"kind"`
	Title string `yaml:"title"`
	// About is the provenance shown in the report's sources section: who
	// published the data, its vintage, and its caveats.
	About string `yaml:"about"`

	// census
	Dataset string `yaml:"dataset"`
	Year    int    `yaml:"year"`
	// Years pulls the same variables for several years (ascending); the
	// last is the table's year and the others add columns <var>_<year>.
	// Validation sets Year to the last.
	Years     []int    `yaml:"years"`
	Variables []string `yaml:"variables"`
	For       string   `yaml:"for"`
	In        string   `yaml:"in"`
	// Recorded names a saved API response (JSON array of arrays) to read
	// instead of calling the API.
	Recorded string `yaml:"recorded"`
	// APIKey names where the API key comes from: "env:NAME" (default
	// CENSUS_API_KEY). The key itself never goes in the pipeline file.
	APIKey string `yaml:"api_key"`
	// Confidence is the level, in percent (90, 95 or 99), of the MOE
	// columns the source writes: the Bureau's 90% MOEs are converted at
	// pull. 0 means 90.
	Confidence int `yaml:"confidence"`
	// Crosswalk moves the table to the other tract vintage.
	Crosswalk *Crosswalk `yaml:"crosswalk"`

	// CheckComplete also asks the API for the list of geographies of a live
	// pull and refuses an answer that lacks any (census.Config.CheckComplete).
	CheckComplete bool `yaml:"check_complete"`
	// MaxResponseMB bounds one answer of a live pull (default 256).
	MaxResponseMB int `yaml:"max_response_mb"`

	// csv
	File    string       `yaml:"file"`
	Key     string       `yaml:"key"`
	Null    []string     `yaml:"null"`
	Columns []*ColumnDef `yaml:"columns"`
	// AllowExtraFields accepts rows with more fields than the header (the
	// extra fields are ignored with a warning); without it they are errors.
	AllowExtraFields bool `yaml:"allow_extra_fields"`
	// Encoding is "utf-8" (default) or "latin1" (converted to UTF-8).
	Encoding string `yaml:"encoding"`
	// Delimiter is the field separator, one character (default ",").
	Delimiter string `yaml:"delimiter"`
	// MaxLineBytes bounds one line of the file (default 16 MiB).
	MaxLineBytes int `yaml:"max_line_bytes"`
}

// Crosswalk brings a tract table onto the other tract vintage (2010 or
// 2020 tracts) with the Census Bureau's tract relationship file: File, or
// when left out the national file, fetched into the boundary cache.
type Crosswalk struct {
	To   int    `yaml:"to"`
	File string `yaml:"file"`
}

// From is the vintage the table is on: the other one.
func (cw *Crosswalk) From() int {
	if cw.To == 2010 {
		return 2020
	}
	return 2010
}

// ColumnDef declares a typed CSV column. In YAML it is either a mapping
// {name, type, header, digits} or the short form "name: type".
type ColumnDef struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	Header string `yaml:"header"`
	Digits int    `yaml:"digits"`
	Label  string `yaml:"label"`
	// NonFinite lets a float column hold NaN and Inf (otherwise errors).
	NonFinite bool `yaml:"nonfinite"`
}

// Boundary is a polygon layer: a file, or a Census layer by name.
type Boundary struct {
	File  string `yaml:"file"`
	ID    string `yaml:"id"`
	Name  string `yaml:"name"` // property holding a display name (optional)
	Title string `yaml:"title"`
	About string `yaml:"about"`
	// Census names a Census Bureau boundary layer to fetch (and cache)
	// instead of a file; feature IDs are then GEOIDs.
	Census *CensusBoundary `yaml:"census"`
	// Decides declares the boundary a decision layer: each feature is a
	// seat (a council district, a trustee area) named by its ID.
	Decides *Decides `yaml:"decides"`
}

// Decides makes a boundary a decision layer ("Who decides" in the report):
// the report says which seats cover each area and segment and how many of
// their places and contacts fall in each, and the segment and outreach
// exports gain a column "<boundary>_seat".
type Decides struct {
	Title string `yaml:"title"` // "Oakland school board trustee areas"
	// Seats is an optional CSV of who holds each seat: a "seat" column
	// holding the feature IDs, and optional "name", "office" and
	// "contact" columns.
	Seats string `yaml:"seats"`
	About string `yaml:"about"` // where the seat list comes from
}

// CensusBoundary names a Census Bureau boundary file: the cartographic
// boundary file (1:500,000) of a layer, vintage and state, or TIGER/Line
// where the Bureau has no cartographic file (see docs/census.md).
type CensusBoundary struct {
	Layer string `yaml:"layer"`
	Year  int    `yaml:"year"`
	// State is a FIPS code ("13"), a postal code (GA) or a name (Georgia).
	State string `yaml:"state"`
	// County is one three-digit FIPS code or a list of them.
	County Strings `yaml:"county"`
	// Water erases TIGER/Line area water from every feature.
	Water bool `yaml:"water"`
	// SHA256 pins the file's checksum.
	SHA256 string `yaml:"sha256"`
}

// Strings is a list of strings that may also be written as one value
// (county: "121" or county: ["121", "089"]). Values are read as written,
// so an unquoted 089 keeps its leading zero.
type Strings []string

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
	// Disparities adds each pair's rate difference (a - b) and rate ratio
	// (a / b), each with its MOE.
	Disparities bool `yaml:"disparities"`
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
	// Within also measures segregation among the tracts of each area of
	// Area, one row per area.
	Within bool `yaml:"within"`
	// Gini adds the segregation Gini coefficient of each pair beside its
	// index of dissimilarity.
	Gini bool `yaml:"gini"`
	// PairTheil adds Theil's entropy index H of each pair (the two groups
	// alone, stats.TheilTwoGroup) beside its index of dissimilarity.
	PairTheil bool `yaml:"pair_theil"`
	// LocationQuotients names groups whose location quotient (the tract's
	// share of the group over the share across the tracts measured) becomes
	// the tract column lq_<group>, to map or rank.
	LocationQuotients []string `yaml:"location_quotients"`
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
	// Headers names columns in the report's table ("sname: School");
	// Format says how to show a column's numbers (number, dollars or
	// percent, a fraction). Both default to what the rest of the file says
	// of the column.
	Headers map[string]string `yaml:"headers"`
	Format  map[string]string `yaml:"format"`
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
	// map shows their counties instead (see report.countyValues). Zero means
	// 10,000, enough for any state.
	MaxTracts int `yaml:"max_tracts"`
}

// Shade is a choropleth of a tract column.
type Shade struct {
	Column string `yaml:"column"`
	Label  string `yaml:"label"`
	Format string `yaml:"format"`
	// Midpoint, when set, shades diverging around a meaningful value (0
	// for a change, 0.5 for a percentile rank, the city's value): two
	// classes below it in browns, two above in blue-greens.
	Midpoint *float64 `yaml:"midpoint"`
	// Breaks is how the shaded values are classed (BreakMethods):
	// "quantile" (the default when empty: each class holds about the same
	// number of tracts), "equal_interval" (classes of equal width between
	// the lowest and highest value) or "fisher_jenks" (natural breaks:
	// the classes with the least variance within them). With a Midpoint it
	// classes each side of the midpoint.
	Breaks string `yaml:"breaks"`
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

// Interpolation apportions tract counts onto the features of another
// boundary (attendance zones, council districts, neighborhoods drawn by the
// group): by area, or by population when Weights names block points.
type Interpolation struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	// Onto is the boundary whose features receive the counts.
	Onto string `yaml:"onto"`
	// Columns are count columns of the tracts table (estimates; each one's
	// MOE goes with it). Medians and means are refused.
	Columns []string `yaml:"columns"`
	// Weights, when set, weights by population: points (census block
	// internal points) with a population column.
	Weights *Weights `yaml:"weights"`
	// Indicators are defined indicators (indicators.define) evaluated on
	// each feature's apportioned counts, as indicators.compare evaluates
	// them on an area's summed counts; the counts they read are apportioned
	// with Columns (Config.Apportioned). The report maps the features
	// shaded by them.
	Indicators []string `yaml:"indicators"`
	// Compare names features (their IDs) to test pair by pair on each of
	// Indicators (the Census Bureau's Z test, as indicators.compare tests
	// areas): at most MaxCompareFeatures.
	Compare []string `yaml:"compare"`
	// Disparities adds each compared pair's rate difference and rate
	// ratio with their MOEs, as indicators.compare.disparities does.
	Disparities bool `yaml:"disparities"`
	// Breaks classes the features' map as a map shade's breaks do
	// (BreakMethods; empty means quantile).
	Breaks string `yaml:"breaks"`
}

// MaxCompareFeatures is the most features an interpolation's compare tests
// pair by pair (190 pairs): past that a table of every pair is longer than
// anyone reads, and one in ten pairs is "significant" at 90% by chance.
const MaxCompareFeatures = 20

// Weights names a points source that carries a population per point.
type Weights struct {
	Source     string `yaml:"source"`
	Lat        string `yaml:"lat"`
	Lon        string `yaml:"lon"`
	Population string `yaml:"population"`
}
