package census

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// Variable is one entry of a dataset's variables.json.
type Variable struct {
	Name    string `json:"-"`
	Label   string `json:"label"`
	Concept string `json:"concept"`
	// PredicateType is "int", "float", "string" or "" (geography and
	// predicate-only entries).
	PredicateType string `json:"predicateType"`
	Group         string `json:"group"`
	// Attributes lists the companion variables ("B19013_001M,B19013_001EA").
	Attributes string `json:"attributes"`
}

// Group is one entry of a dataset's groups.json.
type Group struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Universe is sent under the key "universe " (with a trailing space)
	// by the API.
	Universe string `json:"universe "`
}

// GeoLevel is one entry of a dataset's geography.json "fips" list: a
// geography that can stand in a for clause, with the levels that must stand
// in its in clause (Requires, in hierarchy order) and those of them that may
// be given as "*" (Wildcard).
type GeoLevel struct {
	Name              string   `json:"name"`
	SummaryLevel      string   `json:"geoLevelDisplay"`
	ReferenceDate     string   `json:"referenceDate"`
	Requires          []string `json:"requires"`
	Wildcard          []string `json:"wildcard"`
	OptionalWithWCFor string   `json:"optionalWithWCFor"`
}

// Metadata is a dataset vintage's variables, groups and geographies.
type Metadata struct {
	Dataset   string
	Year      int
	Variables map[string]Variable
	Groups    map[string]Group
	// Geography lists the fips entries in the file's order; a level name can
	// occur more than once (e.g. county under state and under a CBSA).
	Geography []GeoLevel
}

func parseVariables(b []byte) (map[string]Variable, error) {
	var doc struct {
		Variables map[string]Variable `json:"variables"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("variables.json: %w", err)
	}
	if doc.Variables == nil {
		return nil, fmt.Errorf("variables.json: no \"variables\" object")
	}
	for k, v := range doc.Variables {
		v.Name = k
		doc.Variables[k] = v
	}
	return doc.Variables, nil
}

func parseGroups(b []byte) (map[string]Group, error) {
	var doc struct {
		Groups []Group `json:"groups"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("groups.json: %w", err)
	}
	m := make(map[string]Group, len(doc.Groups))
	for _, g := range doc.Groups {
		m[g.Name] = g
	}
	return m, nil
}

func parseGeography(b []byte) ([]GeoLevel, error) {
	var doc struct {
		Fips []json.RawMessage `json:"fips"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("geography.json: %w", err)
	}
	if len(doc.Fips) == 0 {
		return nil, fmt.Errorf("geography.json: no \"fips\" entries")
	}
	out := make([]GeoLevel, 0, len(doc.Fips))
	for i, raw := range doc.Fips {
		// optionalWithWCFor is a string in the API's files but a list in
		// some; accept both.
		var g struct {
			GeoLevel
			Optional json.RawMessage `json:"optionalWithWCFor"`
		}
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, fmt.Errorf("geography.json: fips[%d]: %w", i, err)
		}
		var s string
		var list []string
		if json.Unmarshal(g.Optional, &s) == nil {
			g.GeoLevel.OptionalWithWCFor = s
		} else if json.Unmarshal(g.Optional, &list) == nil && len(list) > 0 {
			g.GeoLevel.OptionalWithWCFor = list[0]
		}
		out = append(out, g.GeoLevel)
	}
	return out, nil
}

// levels returns the geography.json entries named name.
func (m *Metadata) levels(name string) []GeoLevel {
	var out []GeoLevel
	for _, g := range m.Geography {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out
}

func (m *Metadata) levelNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range m.Geography {
		if !seen[g.Name] {
			seen[g.Name] = true
			out = append(out, g.Name)
		}
	}
	return out
}

// Search returns the variables whose name, label or concept contains every
// word of text (case-insensitive), sorted by name. Predicate-only entries
// (for, in, ucgid) are left out.
func (m *Metadata) Search(text string) []Variable {
	words := strings.Fields(strings.ToLower(text))
	var out []Variable
	for _, v := range m.Variables {
		if v.PredicateType == "" && v.Group == "" && v.Label == "" {
			continue
		}
		if v.Name == "for" || v.Name == "in" || v.Name == "ucgid" {
			continue
		}
		hay := strings.ToLower(v.Name + " " + v.Label + " " + v.Concept)
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// didYouMean returns up to three names of candidates at the smallest edit
// distance from name, if that distance is at most 2 (B16002_001E finds
// C16002_001E), ties by name.
func didYouMean(name string, candidates []string) []string {
	type scored struct {
		s string
		d int
	}
	var best []scored
	for _, c := range candidates {
		d := suggest.Distance(strings.ToUpper(name), strings.ToUpper(c))
		if d <= 2 {
			best = append(best, scored{c, d})
		}
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		return best[i].s < best[j].s
	})
	var out []string
	for i := 0; i < len(best) && i < 3 && best[i].d == best[0].d; i++ {
		out = append(out, best[i].s)
	}
	return out
}

// Statistic is what an estimate variable measures, as far as adding it up
// goes.
type Statistic int8

// Statistics. Only Count may be summed or used in a proportion.
const (
	// Count is a count or an aggregate (people, households, aggregate
	// income): it adds up across categories and areas.
	Count Statistic = iota
	// Median is a median.
	Median
	// Mean is a mean or average (average household size, per capita income).
	Mean
	// Quartile is a lower or upper quartile (B25076, B25078).
	Quartile
	// Percent is a percentage or rate (data profile PE cells, subject table
	// percent columns).
	Percent
	// Index is a ratio or index that is not a count (the Gini index).
	Index
)

func (s Statistic) String() string {
	switch s {
	case Median:
		return "a median"
	case Mean:
		return "a mean"
	case Quartile:
		return "a quartile"
	case Percent:
		return "a percentage"
	case Index:
		return "a ratio or index"
	}
	return "a count"
}

// Summable reports whether values of the statistic add up (only counts and
// aggregates do).
func (s Statistic) Summable() bool { return s == Count }

// statOverride is an entry of the small override table: tables whose
// variables.json text does not say what they are.
type statOverride struct {
	table  string
	stat   Statistic
	source string
}

// statOverrides are the tables Classify cannot read from the metadata's
// words, each with the Bureau's definition that says what it is.
var statOverrides = []statOverride{
	// "Per capita income is the mean income computed for every man, woman,
	// and child in a particular group" (ACS Subject Definitions, Income).
	{"B19301", Mean, "ACS Subject Definitions, Income: per capita income is a mean"},
	// "The Gini index is a summary measure of income inequality" (ACS
	// Subject Definitions, Income: Gini index; a ratio of areas, 0 to 1).
	{"B19083", Index, "ACS Subject Definitions, Income: the Gini index is a ratio"},
}

// uncodedStats are tables of medians and means without top codes in
// TopCodes, for Classify's fallback when no variables.json entry is at hand
// (their variables.json words say the same: "Median income in the past 12
// months", "Average household size"). B06011 is an income median, but no
// recorded response shows its codes, so it is not in TopCodes.
var uncodedStats = map[string]Statistic{
	"B06011": Median, "B25010": Mean,
}

// statWords are the words of a variables.json label or concept that mark a
// statistic other than a count, checked in this order.
var statWords = []struct {
	word string
	stat Statistic
}{
	{"median", Median},
	{"quartile", Quartile},
	{"average", Mean},
	{"mean ", Mean},
	{"per capita", Mean},
	{"gini index", Index},
}

// percentLabel reports a label with a segment that starts with "Percent"
// ("Percent!!SEX AND AGE!!...", "Estimate!!Percent below poverty level!!..."),
// the form of data profile and subject table percent cells; a count's
// bracket such as "30.0 to 34.9 percent" (B25070) does not start with it.
func percentLabel(label string) bool {
	for _, seg := range strings.Split(label, "!!") {
		if strings.HasPrefix(strings.ToLower(seg), "percent") {
			return true
		}
	}
	return false
}

// Classify says what the estimate variable name measures, with the reason
// in words that name where the answer came from. In order:
//
//  1. the override table (statOverrides), for tables the metadata's words do
//     not describe, each with the Bureau's definition;
//  2. the variable's entry in variables.json (m may be nil): a label or
//     concept containing "median", "quartile", "average", "mean", "per
//     capita" or "Gini index" (B19013B_001E's concept is "MEDIAN
//     HOUSEHOLD INCOME ... (BLACK OR AFRICAN AMERICAN ALONE HOUSEHOLDER)";
//     B25010_001E's label "Estimate!!Average household size --!!Total:"),
//     except labels that say "aggregate", which are counts; then a label
//     segment that starts with "Percent" (DP and subject percent cells;
//     B25070's "30.0 to 34.9 percent" is a count); then a predicateType of "float", which no count has (counts are "int");
//  3. without an entry: the variable's code: a data profile or subject table
//     percent (…PE), a table of TopCodes (their cells are medians or
//     quartiles) or of uncodedStats (B01002 median age, B25010 average
//     household size, ...), else a count, and the reason says that the
//     metadata was not at hand.
func Classify(name string, m *Metadata) (Statistic, string) {
	tbl := baseTable(name)
	for _, o := range statOverrides {
		if o.table == tbl {
			return o.stat, fmt.Sprintf("%s is %s (%s)", name, o.stat, o.source)
		}
	}
	if m != nil {
		if v, ok := m.Variables[name]; ok {
			for _, text := range []struct{ what, s string }{{"label", v.Label}, {"concept", v.Concept}} {
				low := strings.ToLower(strings.ReplaceAll(text.s, "!!", " ")) + " "
				if strings.Contains(low, "aggregate") {
					return Count, fmt.Sprintf("%s is an aggregate (variables.json %s %q)", name, text.what, text.s)
				}
				for _, w := range statWords {
					if strings.Contains(low, w.word) {
						return w.stat, fmt.Sprintf("%s is %s (variables.json %s %q)", name, w.stat, text.what, text.s)
					}
				}
			}
			if percentLabel(v.Label) {
				return Percent, fmt.Sprintf("%s is a percentage (variables.json label %q)", name, v.Label)
			}
			if v.PredicateType == "float" {
				return Index, fmt.Sprintf("%s is not a count (variables.json predicateType float; counts are int)", name)
			}
			return Count, fmt.Sprintf("%s is a count (variables.json label %q)", name, v.Label)
		}
	}
	if strings.HasSuffix(name, "PE") {
		return Percent, fmt.Sprintf("%s is a percentage (a PE variable; no variables.json entry at hand)", name)
	}
	if codedTables[tbl] {
		return Median, fmt.Sprintf("%s is a median (table %s has open-ended median codes; no variables.json entry at hand)", name, tbl)
	}
	if st, ok := uncodedStats[tbl]; ok {
		return st, fmt.Sprintf("%s is %s (table %s; no variables.json entry at hand)", name, st, tbl)
	}
	return Count, fmt.Sprintf("%s is taken as a count (no variables.json entry at hand)", name)
}
