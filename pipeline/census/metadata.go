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
