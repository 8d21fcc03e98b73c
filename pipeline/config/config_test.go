package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

func TestParseOaklandDemo(t *testing.T) {
	b, err := oakland.Files.ReadFile(oakland.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("pipeline.yaml", b)
	if err != nil {
		t.Fatalf("the embedded demo does not validate: %v", err)
	}
	if got := len(c.Sources); got != 4 {
		t.Errorf("sources = %d, want 4", got)
	}
}

const minimal = `
name: t
sources:
  s: {kind: csv, file: s.csv, columns: [{id: string}, {lat: float}, {lon: float}, {v: int}]}
  look: {kind: csv, file: l.csv, columns: [{k: string}, {a: string}]}
boundaries:
  b: {file: b.geojson, id: ID}
areas:
  zone: {boundary: b, lookup: {source: look, key: k, value: a}, order: [x, y]}
places:
  p: {source: s, id: id, name: id, lat: lat, lon: lon}
`

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every problem expected, in order of report
	}{
		{name: "minimal is valid", yaml: minimal},
		{
			name: "unknown key",
			yaml: minimal + "bogus: 1\n",
			want: []string{`line 12: bogus: unknown key "bogus"; the keys here are: areas, boundaries`},
		},
		{
			name: "every problem at once, with paths",
			yaml: `
sources:
  acs: {kind: census, dataset: acs/acs5, variables: ["B19013 001E"], for: "tract:*"}
  s: {kind: csv, file: s.csv, key: nope, columns: [{id: strin}, {id: int}]}
  t: {kind: excel}
boundaries:
  b: {file: b.geojson}
places:
  p: {source: s, id: idd, name: id, lat: lat, lon: lon}
segments:
  - {name: "a b", of: q}
`,
			want: []string{
				`segments[0].name: "a b" is not a valid name`, // names used in paths come first
				"sources.acs.year: required",
				`sources.acs.variables[0]: "B19013 001E" is not a Census variable name`,
				`sources.s.columns[0].type: unknown type "strin"; use one of string, float, int, bool`,
				`sources.s.columns[1]: duplicate column "id"`,
				`sources.s.key: "nope" is not one of the declared columns`,
				`sources.t.kind: unknown kind "excel"; use census, csv, parquet or geojson`,
				"boundaries.b.id: required",
				`places.p.id: source "s" declares no column "idd"`,
				`places.p.lat: source "s" declares no column "lat"`,
				`places.p.lon: source "s" declares no column "lon"`,
				`segments[0].of: "q" is neither a places set nor "tracts" (defined: p)`,
			},
		},
		{
			name: "rule with an unknown column and a suggestion",
			yaml: minimal + "segments:\n  - {name: s1, of: p, where: 'zone == \"x\" && vv > 3', rank: {by: v, order: up}}\n",
			want: []string{
				`segments[0].where: rule "zone == \"x\" && vv > 3": unknown column "vv" (did you mean "v"?)`,
				`segments[0].rank.order: use asc or desc, not "up"`,
			},
		},
		{
			name: "rules that compare a column with a value of another type",
			yaml: minimal + "segments:\n  - {name: s1, of: p, where: 'zone == 3 || v < \"10\" || b == nil'}\n" +
				"summaries:\n  - {name: s, of: p, where: 'id in [1, \"x\"]', by: [zone], measures: [{column: v}]}\n",
			want: []string{
				`summaries[0].where: rule "id in [1, \"x\"]": column "id" is text but is compared with the number 1, which never matches; quote the value in the list ("1")`,
				`segments[0].where: rule "zone == 3 || v < \"10\" || b == nil": column "zone" is text but is compared with the number 3, which never matches; quote the value: zone == "3"; column "v" is a number but is compared with the text "10", which never matches; write the number without quotes: v < 10`,
			},
		},
		{
			name: "decision layer and segment headers and formats",
			yaml: strings.Replace(minimal, "b: {file: b.geojson, id: ID}", "b: {file: b.geojson, id: ID, decides: {title: \" \", seats: seats.xlsx}}\n  c: {file: c.geojson, id: ID, decides: {title: Council districts, seats: seats.csv}}", 1) +
				"segments:\n  - {name: s1, of: p, headers: {id: Name, vv: X}, format: {v: money, zone: percent}}\n",
			want: []string{
				"boundaries.b.decides.title: required",
				`boundaries.b.decides.seats: "seats.xlsx" is not a CSV file`,
				`segments[0].headers.vv: no column "vv" in p`,
				`segments[0].format.v: unknown format "money"; use number, dollars, percent or year`,
			},
		},
		{
			name: "map class breaks: only the three methods, with the one meant",
			yaml: minimal + "report:\n  map:\n    shade: {column: v, breaks: natural_breaks}\n    shades: [{column: v, breaks: equal_intervals}, {column: v, breaks: kmeans}, {column: v, breaks: fisher_jenks}]\n",
			want: []string{
				"report.map.shade: needs a tracts section to shade",
				`report.map.shade.breaks: unknown class breaks "natural_breaks" (use quantile, equal_interval or fisher_jenks); did you mean "fisher_jenks"?`,
				`report.map.shades[0].breaks: unknown class breaks "equal_intervals" (use quantile, equal_interval or fisher_jenks); did you mean "equal_interval"?`,
				`report.map.shades[1].breaks: unknown class breaks "kmeans" (use quantile, equal_interval or fisher_jenks)` + "\n",
				"report.map.shades[2]: needs a tracts section to shade", // fisher_jenks is known
			},
		},
		{
			name: "summary columns checked against the joined table",
			yaml: minimal + "summaries:\n  - {name: s, of: p, by: [zones], measures: [{column: v, stats: [median, p90]}]}\n",
			want: []string{
				`summaries[0].by[0]: no column "zones" in p; did you mean "zone"?`,
				`summaries[0].measures[0].stats[1]: unknown statistic "p90"`,
			},
		},
		{
			name: "a text column is counted, never a number (Atlanta's stations showed \"–\")",
			yaml: minimal + "summaries:\n  - {name: s, of: p, by: [zone], measures: [{column: id, stats: [count, median, max]}, {column: v, stats: [median]}]}\n",
			want: []string{
				`summaries[0].measures[0].stats[1]: median of column "id" of source "s": the column is text, not a number; only count (the records with a value) works on it`,
				`summaries[0].measures[0].stats[2]: max of column "id" of source "s"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.yaml))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			msg := err.Error()
			last := -1
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Errorf("error does not contain %q:\n%s", w, msg)
					continue
				}
				if i < last {
					t.Errorf("%q reported out of order", w)
				}
				last = i
			}
			var ce *Error
			if strings.Contains(tt.name, "every problem") && (!errors.As(err, &ce) || len(ce.Problems) != len(tt.want)) {
				t.Errorf("want a *Error with %d problems, got %v", len(tt.want), err)
			}
		})
	}
}

// TestInterpolateIndicatorsValidate checks interpolate[].indicators and
// compare on the demo's pipeline file: only defined indicators of Census
// counts, compare only with indicators, two to MaxCompareFeatures
// features, none twice.
func TestInterpolateIndicatorsValidate(t *testing.T) {
	demo, err := oakland.Files.ReadFile(oakland.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	many := make([]string, MaxCompareFeatures+1)
	for i := range many {
		many[i] = fmt.Sprintf("f%d", i)
	}
	for _, tt := range []struct {
		name, block string
		want        []string
	}{
		{"indicators and compare", "{name: a, onto: neighborhood, indicators: [renter_share], compare: [Rockridge, Temescal]}", nil},
		{"disparities without compare, unknown breaks", "{name: a, onto: neighborhood, indicators: [renter_share], disparities: true, breaks: jenks}",
			[]string{"interpolate[0].disparities: needs compare", `interpolate[0].breaks: unknown class breaks "jenks" (use quantile, equal_interval or fisher_jenks); did you mean "fisher_jenks"?`}},
		{"indicators alone need no columns", "{name: a, onto: neighborhood, indicators: [renter_share, white_share]}", nil},
		{"unknown indicator", "{name: a, onto: neighborhood, indicators: [renter_shares]}",
			[]string{`interpolate[0].indicators[0]: "renter_shares" is not a defined indicator (indicators.define); did you mean "renter_share"?`}},
		{"compare without indicators", "{name: a, onto: neighborhood, columns: [B03002_001E], compare: [Rockridge, Temescal]}",
			[]string{"interpolate[0].compare: needs indicators"}},
		{"one feature", "{name: a, onto: neighborhood, indicators: [renter_share], compare: [Rockridge]}",
			[]string{"interpolate[0].compare: name at least two features to compare"}},
		{"twice", "{name: a, onto: neighborhood, indicators: [renter_share], compare: [Rockridge, Temescal, Rockridge]}",
			[]string{`interpolate[0].compare[2]: "Rockridge" is named twice`}},
		{"too many", "{name: a, onto: neighborhood, indicators: [renter_share], compare: [" + strings.Join(many, ", ") + "]}",
			[]string{fmt.Sprintf("interpolate[0].compare: %d features make %d pairs; name at most %d", len(many), len(many)*(len(many)-1)/2, MaxCompareFeatures)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", append(append([]byte{}, demo...), "\ninterpolate:\n  - "+tt.block+"\n"...))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v; want %q", err, w)
				}
			}
		})
	}
}

// TestRepeatCheck: a source with no key has its places' id checked for
// repeats (or, for a directory, the key places look it up by); a source
// with a key, or that no places set reads, has none.
func TestRepeatCheck(t *testing.T) {
	c := &Config{
		Sources: map[string]*Source{"stations": {}, "schools": {}, "directory": {}, "keyed": {Key: "cds"}, "acs": {}},
		Places: map[string]*Places{
			"stations": {Source: "stations", ID: "station_name"},
			"schools":  {Source: "schools", ID: "cds", Locate: &Locate{Source: "directory", Key: "CDSCode"}},
			"keyed":    {Source: "keyed", ID: "cds"},
		},
	}
	for _, tt := range []struct{ source, col, mean string }{
		{"stations", "station_name", `the id of places "stations"`},
		{"schools", "cds", `the id of places "schools"`},
		{"directory", "CDSCode", `the key places "schools" look coordinates up by`},
		{"keyed", "", ""},
		{"acs", "", ""},
	} {
		col, mean := c.RepeatCheck(tt.source)
		if col != tt.col || !strings.HasPrefix(mean, tt.mean) {
			t.Errorf("RepeatCheck(%q) = %q, %q; want %q, %q...", tt.source, col, mean, tt.col, tt.mean)
		}
	}
}
