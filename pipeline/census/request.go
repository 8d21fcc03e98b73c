package census

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// MaxVariables is the Census Data API's limit on names in one get= clause.
const MaxVariables = 50

// Request is one pull: the same variables for every geography matched.
type Request struct {
	// Dataset is the API path after the year: "acs/acs5", "acs/acs1",
	// "acs/acs5/subject", "acs/acs5/profile", "acs/acs5/cprofile",
	// "dec/pl", "dec/dhc", "dec/sf1".
	Dataset string
	Year    int
	// Variables are codes ("B19013_001E") and group pulls ("group(B19013)"),
	// in the order wanted. NAME is always added.
	Variables []string
	// MOE adds the margin of error (…M / …PM) of every estimate named in
	// Variables.
	MOE bool
	// Annotations keeps EA/MA annotation columns of group pulls (dropped
	// by default).
	Annotations bool
	// For is the geography wanted, "level:codes" ("tract:*",
	// "county:001,013") or just "level" with GEOIDs.
	For string
	// In restricts it: "state:06 county:001". Comma lists ("county:001,013")
	// and missing levels that cannot be wildcarded fan out into one request
	// each.
	In string
	// GEOIDs lists the wanted geographies of level For explicitly
	// ("06001400100"); In must then be empty.
	GEOIDs []string
}

// Metadata returns the variables, groups and geography of a dataset vintage,
// fetched once per client and cached on disk. A dataset or year the API does
// not have gives a *DatasetError.
func (c *Client) Metadata(ctx context.Context, dataset string, year int) (*Metadata, error) {
	k := fmt.Sprintf("%d/%s", year, dataset)
	c.mu.Lock()
	e := c.meta[k]
	if e == nil {
		e = &metaEntry{}
		c.meta[k] = e
	}
	c.mu.Unlock()
	// One load at a time per vintage; a failed load is not remembered, so a
	// later call (with a live context) tries again.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m != nil {
		return e.m, nil
	}
	m, err := c.loadMetadata(ctx, dataset, year)
	if err != nil {
		return nil, err
	}
	e.m = m
	return m, nil
}

func (c *Client) loadMetadata(ctx context.Context, dataset string, year int) (*Metadata, error) {
	if dataset == "" || strings.Contains(dataset, "..") || strings.HasPrefix(dataset, "/") {
		return nil, &DatasetError{Dataset: dataset, Year: year, Hint: "name a dataset such as acs/acs5"}
	}
	m := &Metadata{Dataset: dataset, Year: year}
	for _, f := range []string{"variables.json", "groups.json", "geography.json"} {
		b, _, err := c.get(ctx, c.metaCall(dataset, year, f))
		if errors.Is(err, errNotFound) {
			return nil, &DatasetError{Dataset: dataset, Year: year, Hint: datasetHint(dataset, year)}
		}
		if err != nil {
			return nil, err
		}
		switch f {
		case "variables.json":
			m.Variables, err = parseVariables(b)
		case "groups.json":
			m.Groups, err = parseGroups(b)
		default:
			m.Geography, err = parseGeography(b)
		}
		if err != nil {
			return nil, fmt.Errorf("census: %d %s: %w", year, dataset, err)
		}
	}
	return m, nil
}

// SearchVariables returns the variables of a dataset vintage whose code,
// label or concept contains every word of text (case-insensitive), sorted by
// code. With an offline client it works from the metadata cache alone. This
// backs `groundwork vars search TEXT --dataset acs/acs5 --year 2022`.
func SearchVariables(ctx context.Context, c *Client, dataset string, year int, text string) ([]Variable, error) {
	m, err := c.Metadata(ctx, dataset, year)
	if err != nil {
		return nil, err
	}
	return m.Search(text), nil
}

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

// Get pulls r: it loads and checks the metadata, plans the requests (every
// problem reported at once, before any data request), fetches them with
// bounded concurrency from the cache or the API, and merges them into one
// table: NAME, the requested variables in order, then the geography columns,
// rows sorted by GEOID. A pull interrupted earlier resumes: requests already
// cached are not sent again. When a pull fans out into several geography
// requests, a part that has no rows (HTTP 204) is skipped with a warning;
// if every part is empty, or a single-request pull is, the error wraps
// ErrNoData.
func (c *Client) Get(ctx context.Context, r Request) (*Table, error) {
	m, err := c.Metadata(ctx, r.Dataset, r.Year)
	if err != nil {
		return nil, err
	}
	geos, chunks, err := c.plan(ctx, r, m)
	if err != nil {
		return nil, err
	}
	type job struct{ g, k int }
	jobs := make([]job, 0, len(geos)*len(chunks))
	for g := range geos {
		for k := range chunks {
			jobs = append(jobs, job{g, k})
		}
	}
	results := make([][]*Table, len(geos))
	for g := range results {
		results[g] = make([]*Table, len(chunks))
	}
	lists := make([]map[string]bool, len(geos))
	if c.cfg.CheckComplete {
		for g := range geos {
			if lists[g], err = c.geographyList(ctx, r, geos[g]); err != nil {
				return nil, err
			}
		}
	}
	prog := newProgress(c.cfg, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(j job) {
			defer wg.Done()
			defer func() { <-sem }()
			q := url.Values{}
			q.Set("get", strings.Join(chunks[j.k], ","))
			q.Set("for", geos[j.g].forC)
			if geos[j.g].inC != "" {
				q.Set("in", geos[j.g].inC)
			}
			cl := c.dataCall(r.Dataset, r.Year, q)
			cl.expect.list = lists[j.g]
			_, t, err := c.get(ctx, cl)
			if err != nil && errors.Is(err, ErrNoData) && len(geos) > 1 {
				// One part of a fan-out with no rows (e.g. a county with no
				// block groups in this vintage) is not a failure of the pull.
				c.cfg.Logger.Warn("census: no data for one part of the pull", "for", geos[j.g].forC, "in", geos[j.g].inC)
				prog.done()
				return
			}
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[j.g][j.k] = t
			prog.done()
		}(j)
	}
	wg.Wait()
	prog.finish()
	if firstErr != nil {
		return nil, firstErr
	}
	var parts []*Table
	for g := range geos {
		empty := 0
		for _, t := range results[g] {
			if t == nil {
				empty++
			}
		}
		if empty == len(results[g]) {
			continue
		}
		if empty > 0 {
			return nil, fmt.Errorf("census: %d %s for=%s in=%s: some of the split requests returned no data (HTTP 204) and others did: %w", r.Year, r.Dataset, geos[g].forC, geos[g].inC, ErrNoData)
		}
		t, err := mergeColumns(results[g])
		if err != nil {
			return nil, fmt.Errorf("census: %d %s for=%s in=%s: %w", r.Year, r.Dataset, geos[g].forC, geos[g].inC, err)
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("census: %d %s for=%s in=%s: every part of the pull: %w", r.Year, r.Dataset, r.For, r.In, ErrNoData)
	}
	t, err := concatRows(parts)
	if err != nil {
		return nil, fmt.Errorf("census: %d %s: %w", r.Year, r.Dataset, err)
	}
	if !r.Annotations {
		t = t.without(func(c *Column) bool { return c.Kind == KindAnnotation })
	}
	if err := t.retype(m); err != nil {
		return nil, fmt.Errorf("census: %d %s: %w", r.Year, r.Dataset, err)
	}
	return t, nil
}

// geographyList returns the GEOIDs of every geography of g (a get=NAME
// request, cached like any other), for Config.CheckComplete; nil when g's
// for= names codes (those are checked one by one), when the level has no
// rows (HTTP 204: the data request will say so), or when offline and the
// list is not cached.
func (c *Client) geographyList(ctx context.Context, r Request, g geoQuery) (map[string]bool, error) {
	if _, codes, _ := strings.Cut(g.forC, ":"); codes != "*" {
		return nil, nil
	}
	q := url.Values{}
	q.Set("get", "NAME")
	q.Set("for", g.forC)
	if g.inC != "" {
		q.Set("in", g.inC)
	}
	_, t, err := c.get(ctx, c.dataCall(r.Dataset, r.Year, q))
	switch {
	case errors.Is(err, ErrNoData):
		return nil, nil
	case errors.Is(err, ErrOffline):
		c.cfg.Logger.Warn("census: offline and the geography list is not cached; answers are not checked for completeness", "for", g.forC, "in", g.inC)
		return nil, nil
	case err != nil:
		return nil, err
	}
	ids := t.GEOIDs()
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// progress reports requests done/total.
type progress struct {
	cfg   Config
	total int
	start time.Time
	mu    sync.Mutex
	n     int
}

func newProgress(cfg Config, total int) *progress {
	return &progress{cfg: cfg, total: total, start: cfg.Now()}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.cfg.Progress == nil {
		return
	}
	if p.cfg.Terminal {
		eta := ""
		if p.n < p.total {
			el := p.cfg.Now().Sub(p.start)
			rem := time.Duration(float64(el) / float64(p.n) * float64(p.total-p.n)).Round(time.Second)
			eta = fmt.Sprintf(", ETA %s", rem)
		}
		fmt.Fprintf(p.cfg.Progress, "\rcensus: %d/%d requests%s\x1b[K", p.n, p.total, eta)
		return
	}
	fmt.Fprintf(p.cfg.Progress, "census: %d/%d requests done\n", p.n, p.total)
}

func (p *progress) finish() {
	if p.cfg.Progress != nil && p.cfg.Terminal && p.n > 0 {
		io.WriteString(p.cfg.Progress, "\n")
	}
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

// retype makes numeric the columns that KindOf could not classify by name
// but variables.json declares int or float (the 2010 and 2000 decennial
// codes such as P001001 have no E/N suffix).
func (t *Table) retype(m *Metadata) error {
	for j, c := range t.Columns {
		if c.Kind != KindOther {
			continue
		}
		if pt := m.Variables[c.Name].PredicateType; pt != "int" && pt != "float" {
			continue
		}
		nc := newColumnKind(c.Name, KindEstimate, t.rows)
		for i := range c.Raw {
			if err := nc.set(i, c.Raw[i], c.Null[i]); err != nil {
				return &DecodeError{Row: i, Column: c.Name, Err: err}
			}
		}
		t.Columns[j] = nc
	}
	return nil
}
