package census

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
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
