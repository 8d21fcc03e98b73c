package census

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// clause is a parsed "level:codes" pair.
type clause struct {
	level string
	codes string
}

func parseClauses(s string) ([]clause, error) {
	var out []clause
	// Levels contain spaces ("block group:1"), so split on the spaces that
	// follow a code: scan "name:codes" pairs.
	rest := strings.TrimSpace(s)
	for rest != "" {
		i := strings.Index(rest, ":")
		if i <= 0 {
			return nil, fmt.Errorf("%q: want level:codes, e.g. state:06 county:001", s)
		}
		level := strings.TrimSpace(rest[:i])
		rest = rest[i+1:]
		j := strings.IndexByte(rest, ' ')
		codes := rest
		if j >= 0 {
			codes, rest = rest[:j], strings.TrimSpace(rest[j+1:])
		} else {
			rest = ""
		}
		if codes == "" {
			return nil, fmt.Errorf("%q: level %q has no codes", s, level)
		}
		out = append(out, clause{level, codes})
	}
	return out, nil
}

// geoQuery is one for/in pair the API accepts.
type geoQuery struct{ forC, inC string }

// plan validates r against the dataset's metadata and returns the for/in
// pairs and get= lists it will request, without sending data requests.
// Every problem is reported at once in a *ValidationError.
func (c *Client) plan(ctx context.Context, r Request, m *Metadata) ([]geoQuery, [][]string, error) {
	var problems []string
	vars, vp := c.expandVariables(r, m)
	problems = append(problems, vp...)
	geos, gp := c.expandGeography(ctx, r, m)
	problems = append(problems, gp...)
	if len(problems) > 0 {
		return nil, nil, &ValidationError{Dataset: r.Dataset, Year: r.Year, Problems: problems}
	}
	return geos, chunk(vars), nil
}

// expandVariables checks the names against variables.json / groups.json
// and adds MOEs.
func (c *Client) expandVariables(r Request, m *Metadata) ([]string, []string) {
	var problems []string
	var out []string
	seen := map[string]bool{"NAME": true}
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(r.Variables) == 0 {
		problems = append(problems, "no variables requested")
	}
	var names []string
	for _, v := range r.Variables {
		v = strings.TrimSpace(v)
		if g, ok := strings.CutPrefix(v, "group("); ok && strings.HasSuffix(g, ")") {
			g = strings.TrimSuffix(g, ")")
			if _, ok := m.Groups[g]; !ok {
				problems = append(problems, unknown("group", g, m.groupNames()))
				continue
			}
			add("group(" + g + ")")
			continue
		}
		if v == "NAME" {
			continue
		}
		if _, ok := m.Variables[v]; !ok {
			if names == nil {
				names = m.variableNames()
			}
			problems = append(problems, unknown("variable", v, names))
			continue
		}
		add(v)
		if r.MOE {
			base, suf := splitSuffix(v)
			if moe := base + strings.TrimSuffix(suf, "E") + "M"; (suf == "E" || suf == "PE") && m.Variables[moe].Name != "" {
				add(moe)
			}
		}
	}
	return out, problems
}

func unknown(what, name string, candidates []string) string {
	s := fmt.Sprintf("unknown %s %q", what, name)
	if dym := didYouMean(name, candidates); len(dym) > 0 {
		s += "; did you mean " + strings.Join(dym, " or ") + "?"
	} else {
		s += "; search the names with 'groundwork vars search'"
	}
	return s
}

func (m *Metadata) variableNames() []string {
	out := make([]string, 0, len(m.Variables))
	for k := range m.Variables {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *Metadata) groupNames() []string {
	out := make([]string, 0, len(m.Groups))
	for k := range m.Groups {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// chunk splits names into get= lists of at most MaxVariables names, NAME
// first in each; a group(...) pull goes in a list of its own.
func chunk(vars []string) [][]string {
	var out [][]string
	cur := []string{"NAME"}
	for _, v := range vars {
		if strings.HasPrefix(v, "group(") {
			if len(cur) > 1 {
				out = append(out, cur)
				cur = []string{"NAME"}
			}
			out = append(out, []string{"NAME", v})
			continue
		}
		if len(cur) == MaxVariables {
			out = append(out, cur)
			cur = []string{"NAME"}
		}
		cur = append(cur, v)
	}
	if len(cur) > 1 || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// expandGeography turns For/In/GEOIDs into for/in pairs using the levels'
// requires and wildcard lists from geography.json, fanning out where a
// required level is missing and cannot be wildcarded, and over comma lists
// in In.
func (c *Client) expandGeography(ctx context.Context, r Request, m *Metadata) ([]geoQuery, []string) {
	forC := strings.TrimSpace(r.For)
	level, codes, hasCodes := strings.Cut(forC, ":")
	level = strings.TrimSpace(level)
	if level == "" {
		return nil, []string{"no geography: set For, e.g. tract:*"}
	}
	entries := m.levels(level)
	if len(entries) == 0 {
		hint := ""
		if dym := didYouMean(level, m.levelNames()); len(dym) > 0 {
			hint = "; did you mean " + strings.Join(dym, " or ") + "?"
		}
		if level == "block group" {
			hint += " (the ACS publishes block groups through the API from the 2013 5-year estimates on)"
		}
		return nil, []string{fmt.Sprintf("geography %q is not available in %d %s%s; available: %s", level, r.Year, r.Dataset, hint, strings.Join(m.levelNames(), ", "))}
	}
	if len(r.GEOIDs) > 0 {
		if r.In != "" {
			return nil, []string{"give either GEOIDs or In, not both"}
		}
		return geoidQueries(level, r.GEOIDs, entries[0])
	}
	if !hasCodes {
		codes = "*"
	}
	in, err := parseClauses(r.In)
	if err != nil {
		return nil, []string{"in clause " + err.Error()}
	}
	given := map[string]string{}
	for _, cl := range in {
		given[cl.level] = cl.codes
	}
	// Pick the first geography.json entry whose requirements the In clause
	// meets, filling wildcards and marking fan-outs.
	var lastProblem string
	for _, e := range entries {
		ok := true
		for _, cl := range in {
			if !contains(e.Requires, cl.level) {
				ok = false
				lastProblem = fmt.Sprintf("%s cannot be requested within %s in %d %s (it requires %s); the API would answer \"unknown/unsupported geography heirarchy\"",
					level, cl.level, r.Year, r.Dataset, requiresText(e.Requires))
				if level == zctaName {
					lastProblem += "; from the 2020 vintages ZCTAs cannot be filtered by state: request all ZCTAs (no In) and keep the GEOIDs you need"
				}
				break
			}
		}
		if !ok {
			continue
		}
		if p := connecticutProblem(r, given); p != "" {
			return nil, []string{p}
		}
		// Each required level: given, wildcardable, or fanned out.
		var fan []string
		for _, req := range e.Requires {
			if _, ok := given[req]; ok {
				continue
			}
			if contains(e.Wildcard, req) || e.OptionalWithWCFor == req {
				continue // "*" added below
			}
			fan = append(fan, req)
		}
		// Levels before a fanned-out one must be given (fan-out enumerates
		// the codes of a level within its given parents).
		return c.buildQueries(ctx, r, m, level+":"+codes, e, given, fan)
	}
	return nil, []string{lastProblem}
}

func requiresText(r []string) string {
	if len(r) == 0 {
		return "no parent geography"
	}
	return strings.Join(r, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildQueries expands comma lists and fan-outs into for/in pairs.
func (c *Client) buildQueries(ctx context.Context, r Request, m *Metadata, forC string, e GeoLevel, given map[string]string, fan []string) ([]geoQuery, []string) {
	// Start with one partial assignment and extend it level by level.
	type assign []clause
	parts := []assign{nil}
	for _, req := range e.Requires {
		var next []assign
		for _, p := range parts {
			var codes []string
			switch {
			case given[req] != "":
				codes = strings.Split(given[req], ",")
			case contains(fan, req):
				list, err := c.enumerate(ctx, r, req, p)
				if err != nil {
					return nil, []string{fmt.Sprintf("listing the %s codes to fan out %s: %s", req, forC, err)}
				}
				codes = list
			default:
				codes = []string{"*"}
			}
			for _, code := range codes {
				q := append(append(assign(nil), p...), clause{req, strings.TrimSpace(code)})
				next = append(next, q)
			}
		}
		parts = next
	}
	out := make([]geoQuery, 0, len(parts))
	for _, p := range parts {
		var ins []string
		for _, cl := range p {
			ins = append(ins, cl.level+":"+cl.codes)
		}
		out = append(out, geoQuery{forC: forC, inC: strings.Join(ins, " ")})
	}
	return out, nil
}

// enumerate lists the codes of level within the parents in p, with a NAME
// request (cached like any other).
func (c *Client) enumerate(ctx context.Context, r Request, level string, p []clause) ([]string, error) {
	q := url.Values{}
	q.Set("get", "NAME")
	q.Set("for", level+":*")
	var ins []string
	for _, cl := range p {
		ins = append(ins, cl.level+":"+cl.codes)
	}
	if len(ins) > 0 {
		q.Set("in", strings.Join(ins, " "))
	}
	_, t, err := c.get(ctx, c.dataCall(r.Dataset, r.Year, q))
	if err != nil {
		return nil, err
	}
	col := t.Column(level)
	if col == nil {
		return nil, fmt.Errorf("the response has no %q column", level)
	}
	codes := append([]string(nil), col.Raw...)
	sort.Strings(codes)
	return codes, nil
}

// geoidQueries groups explicit GEOIDs by their parents.
func geoidQueries(level string, ids []string, e GeoLevel) ([]geoQuery, []string) {
	widths := []int{}
	names := append(append([]string(nil), e.Requires...), level)
	total := 0
	for _, n := range names {
		r := geoRank(n)
		if r < 0 {
			return nil, []string{fmt.Sprintf("GEOIDs for %s: the code widths of %q are not known; use For/In instead", level, n)}
		}
		widths = append(widths, geoHierarchy[r].width)
		total += geoHierarchy[r].width
	}
	groups := map[string][]string{}
	var order []string
	var problems []string
	for _, id := range ids {
		if len(id) != total || strings.Trim(id, "0123456789") != "" {
			problems = append(problems, fmt.Sprintf("GEOID %q is not a %d-digit %s GEOID (%s)", id, total, level, strings.Join(names, " + ")))
			continue
		}
		var ins []string
		pos := 0
		for i, n := range names[:len(names)-1] {
			ins = append(ins, n+":"+id[pos:pos+widths[i]])
			pos += widths[i]
		}
		k := strings.Join(ins, " ")
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], id[pos:])
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var out []geoQuery
	for _, k := range order {
		out = append(out, geoQuery{forC: level + ":" + strings.Join(groups[k], ","), inC: k})
	}
	return out, nil
}

// connecticutProblem flags the pre-2022 Connecticut county codes (001-015)
// in a 2022 or later ACS request: the Census Bureau replaced Connecticut's
// eight counties with nine planning regions (county codes 110-190) from the
// 2022 ACS on.
func connecticutProblem(r Request, given map[string]string) string {
	if given["state"] != "09" || r.Year < 2022 || !strings.HasPrefix(r.Dataset, "acs/") {
		return ""
	}
	for _, code := range strings.Split(given["county"], ",") {
		if len(code) == 3 && code >= "001" && code <= "015" {
			return fmt.Sprintf("county 09%s: Connecticut's counties were replaced by planning regions (county codes 110-190) from the 2022 ACS; use the planning-region codes, or a 2021 or earlier vintage for the old counties", code)
		}
	}
	return ""
}
