// Package scaffold writes a starting pipeline file for a new place: a
// state's or a county's tracts with the standard ACS indicators, a need
// index and a segment of the highest-need tracts, ready to run once a Census
// API key is set. Its tract boundary names the Census layer, so the run
// fetches (and caches) the Bureau's file itself.
package scaffold

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/template"
	"unicode"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// ResolveState finds a state by FIPS code ("6" or "06"), postal code ("CA")
// or name ("California"), case-insensitively. The error suggests the closest
// name.
func ResolveState(s string) (State, error) {
	q := strings.TrimSpace(s)
	if q != "" && isDigits(q) && len(q) <= 2 {
		q = fmt.Sprintf("%02s", q)
		q = strings.ReplaceAll(q, " ", "0")
	}
	for _, st := range States {
		if q == st.FIPS || strings.EqualFold(q, st.USPS) || strings.EqualFold(q, st.Name) {
			return st, nil
		}
	}
	var names []string
	for _, st := range States {
		names = append(names, st.Name)
	}
	if best := suggest.Closest(q, names); best != "" {
		return State{}, fmt.Errorf("unknown state %q; did you mean %s?", s, best)
	}
	return State{}, fmt.Errorf("unknown state %q: give its name (California), postal code (CA) or FIPS code (06)", s)
}

// County is a county (or county-equivalent) of a state.
type County struct {
	FIPS string // three digits
	Name string // e.g. "Alameda County"; empty when only the code was given offline
}

// DefaultYear is the ACS 5-year vintage a scaffold uses when none is given:
// 2018 (ACS 2014-2018), the vintage of the Oakland demo, of the recorded
// Atlanta response (testdata/atlanta, shared/data/atlanta) and of the
// README's examples, so that a scaffold's first run can be checked against
// data on disk.
const DefaultYear = 2018

// CountyLister lists the counties of a state, keyed by three-digit code.
type CountyLister func(ctx context.Context, state State) (map[string]string, error)

// CensusCounties lists counties through the Census Data API client (NAME for
// county:* in the state, from the ACS 5-year of year; 0 means DefaultYear), which
// caches the answer.
func CensusCounties(c *census.Client, year int) CountyLister {
	if year == 0 {
		year = DefaultYear
	}
	return func(ctx context.Context, st State) (map[string]string, error) {
		t, err := c.Get(ctx, census.Request{Dataset: "acs/acs5", Year: year, Variables: []string{"NAME"}, For: "county:*", In: "state:" + st.FIPS})
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		names := t.Column("NAME")
		codes := t.Column("county")
		if names == nil || codes == nil {
			return nil, errors.New("the county list has no NAME or county column")
		}
		for i := 0; i < t.Len(); i++ {
			n := names.Raw[i]
			if j := strings.LastIndex(n, ", "); j >= 0 {
				n = n[:j]
			}
			out[codes.Raw[i]] = n
		}
		return out, nil
	}
}

// ResolveCounty finds a county of st by three-digit code or by name ("Alameda"
// or "Alameda County"). A code alone resolves without listing (the name is
// then left empty when list fails); a name needs the list.
func ResolveCounty(ctx context.Context, st State, s string, list CountyLister) (County, error) {
	q := strings.TrimSpace(s)
	if strings.ContainsAny(q, ",;") {
		return County{}, fmt.Errorf("county %q: init takes one county; scaffold one, then add the others to the census source's in: (\"state:%s county:089,121\") and the boundary's county:", s, st.FIPS)
	}
	if isDigits(q) && len(q) <= 3 {
		code := strings.Repeat("0", 3-len(q)) + q
		if list == nil {
			return County{FIPS: code}, nil
		}
		m, err := list(ctx, st)
		if err != nil {
			return County{FIPS: code}, nil
		}
		n, ok := m[code]
		if !ok {
			return County{}, fmt.Errorf("%s has no county %s", st.Name, code)
		}
		return County{FIPS: code, Name: n}, nil
	}
	if list == nil {
		return County{}, fmt.Errorf("county %q: give its three-digit FIPS code, or set CENSUS_API_KEY so that names can be looked up", s)
	}
	m, err := list(ctx, st)
	if err != nil {
		return County{}, fmt.Errorf("look up the counties of %s (give the three-digit FIPS code to work offline): %w", st.Name, err)
	}
	var codes []string
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		n := m[c]
		if strings.EqualFold(n, q) || strings.EqualFold(firstWordsOf(n), q) {
			return County{FIPS: c, Name: n}, nil
		}
	}
	return County{}, fmt.Errorf("%s has no county named %q", st.Name, s)
}

// firstWordsOf drops the trailing "County", "Parish", "Borough" etc.
func firstWordsOf(n string) string {
	f := strings.Fields(n)
	if len(f) > 1 {
		return strings.Join(f[:len(f)-1], " ")
	}
	return n
}

// Options describe the place to scaffold.
type Options struct {
	State  State
	County *County // nil: the whole state
	Year   int     // ACS 5-year vintage; 0 means DefaultYear
}

var tmpl = template.Must(template.New("pipeline").Parse(pipelineTemplate))

// Pipeline returns the pipeline file for a place.
func Pipeline(o Options) ([]byte, error) {
	if o.Year == 0 {
		o.Year = DefaultYear
	}
	place := o.State.Name
	in := "state:" + o.State.FIPS
	if o.County != nil {
		in += " county:" + o.County.FIPS
		name := o.County.Name
		if name == "" {
			name = "county " + o.County.FIPS
		}
		place = name + ", " + o.State.Name
	}
	vintage := 2020
	if o.Year < 2020 {
		vintage = 2010
	}
	county := ""
	if o.County != nil {
		county = o.County.FIPS
	}
	bf, err := census.BoundaryPath(census.LayerTract, min(o.Year, census.NewestVintage), o.State.FIPS)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, map[string]any{
		"Place": place, "In": in, "Year": o.Year, "YearStart": o.Year - 4, "State": o.State,
		"BoundaryYear": min(o.Year, census.NewestVintage), "County": county,
		"BoundaryURL": census.DefaultBoundaryBaseURL + "/" + bf.Path, "Vintage": vintage,
	})
	return b.Bytes(), err
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

const pipelineTemplate = `# groundwork pipeline for {{.Place}}: ACS {{.YearStart}}-{{.Year}} 5-year tract indicators.
# Written by "groundwork init". Before the first run, set CENSUS_API_KEY
# (free: https://api.census.gov/data/key_signup.html); then: groundwork run pipeline.yaml --out out
# The first run downloads the ACS table and the Census Bureau's tract boundary file
# ({{.BoundaryURL}}) into groundwork's cache; later runs, and runs with --offline, read the cache.
# Then add your own data: areas (groupings of tracts or other boundaries), places (any point
# dataset: csv, parquet or geojson), contacts.
name: "{{.Place}}: tract indicators (ACS {{.YearStart}}-{{.Year}})"

sources:
  acs:
    kind: census
    title: "ACS {{.YearStart}}-{{.Year}} 5-year estimates, {{.Place}} tracts"
    about: "U.S. Census Bureau, American Community Survey 5-year estimates, pulled from the Census Data API ({{.Vintage}} tract boundaries)."
    dataset: acs/acs5
    year: {{.Year}}
    for: "tract:*"
    in: "{{.In}}"
    variables: [NAME, B19013_001E, B19013_001M,
      B03002_001E, B03002_001M, B03002_003E, B03002_003M, B03002_004E, B03002_004M,
      B03002_006E, B03002_006M, B03002_012E, B03002_012M,
      B25003_002E, B25003_002M, B25003_003E, B25003_003M,
      B15003_001E, B15003_001M, B15003_022E, B15003_022M, B15003_023E, B15003_023M,
      B15003_024E, B15003_024M, B15003_025E, B15003_025M]

boundaries:
  tract:
    title: "Census tracts {{.Vintage}} (cartographic boundaries, 1:500,000)"
    census: {layer: tract, year: {{.BoundaryYear}}, state: "{{.State.FIPS}}"{{if .County}}, county: "{{.County}}"{{end}}}
  # Who decides: the districts of the people who can act on this report. Uncomment the
  # four lines below and the report names the state house seats that cover the
  # highest-need tracts, and the exported lists get each tract's seat (a state without a
  # lower house: state_legislative_upper; congressional_district, or a file of council
  # districts, work the same way).
  # house:
  #   title: "State house districts ({{.BoundaryYear}})"
  #   census: {layer: state_legislative_lower, year: {{.BoundaryYear}}, state: "{{.State.FIPS}}"{{if .County}}, county: "{{.County}}"{{end}}}
  #   decides: {title: "{{.State.Name}} state house"}

tracts:
  source: acs
  boundary: tract

indicators:
  define:
    - {name: renter_share, label: Renter-occupied homes, expr: "B25003_003E / (B25003_002E + B25003_003E)", kind: proportion, percent: true}
    - {name: white_share, label: White (not Hispanic), expr: "B03002_003E / B03002_001E", kind: proportion, percent: true}
    - {name: black_share, label: Black (not Hispanic), expr: "B03002_004E / B03002_001E", kind: proportion, percent: true}
    - {name: asian_share, label: Asian (not Hispanic), expr: "B03002_006E / B03002_001E", kind: proportion, percent: true}
    - {name: latino_share, label: Hispanic or Latino, expr: "B03002_012E / B03002_001E", kind: proportion, percent: true}
    - {name: bachelors_share, label: Adults 25+ with a bachelor's degree or more, expr: "(B15003_022E + B15003_023E + B15003_024E + B15003_025E) / B15003_001E", kind: proportion, percent: true}
  segregation:
    groups:
      - {name: White, column: B03002_003E}
      - {name: Black, column: B03002_004E}
      - {name: Asian, column: B03002_006E}
      - {name: Latino, column: B03002_012E}
    total: B03002_001E
    pairs: [[White, Black], [White, Latino], [White, Asian]]
  need:
    name: need_index
    label: Need index (percentile rank, 1 = most need)
    themes:
      - name: Income and education
        variables:
          - {column: B19013_001E, direction: lower_is_worse}
          - {column: bachelors_share, direction: lower_is_worse}
      - name: Housing
        variables:
          - {column: renter_share, direction: higher_is_worse}

segments:
  - name: highest_need_tracts
    title: Tracts with the highest need index
    of: tracts
    rank: {by: need_index, order: desc}
    limit: 25
    columns: [geoid, name, need_index, B19013_001E, renter_share, renter_share_moe, renter_share_reliability, bachelors_share]

report:
  title: "{{.Place}}"
  intro: "Tract indicators from the American Community Survey, with their margins of error."
  map:
    shade: {column: B19013_001E, label: Median household income, format: dollars}
    shades:
      - {column: need_index, label: "Need index (percentile rank, 1 = most need)"}
      - {column: renter_share, label: Renter-occupied homes}
  caveats:
    - "ACS estimates come from a sample survey: read each value with its margin of error."
`
