// Package censusread reads the census sources of a pipeline file for the
// run's source stage: a recorded Census Data API response or a live pull
// (pipeline/census), its MOEs converted to the source's confidence level,
// its years joined and their changes tested, its tracts moved to the other
// vintage when the file asks, and its variables labelled in words for the
// report. It knows the pipeline file (pipeline/config) and the source note
// it fills (pipeline/result); the runner calls Reader.Read.
package censusread

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// Reader reads census sources of one pipeline file.
type Reader struct {
	// Config is the validated pipeline file; paths are relative to it.
	Config *config.Config
	// Options configure live pulls and boundary downloads.
	Options Options
	// Log receives the client's messages; it must not be nil.
	Log *slog.Logger
	// Warn records a run warning (the run notes); it must not be nil.
	Warn func(format string, args ...any)
}

// ReadRecorded reads a saved Census Data API response and checks it against
// the source's request (census.ReadRecorded): variables, geography, unique
// GEOIDs, rows, and the year and dataset its file name gives. Its top- and
// bottom-coded medians are flagged for the ACS release year (0 when not
// known; census.Table.CodeMedians).
func ReadRecorded(path string, s *config.Source, year int) (*census.Table, error) {
	t, err := census.ReadRecorded(path, census.Request{Dataset: s.Dataset, Year: s.Year, Variables: s.Variables, For: s.For, In: s.In})
	if errors.Is(err, census.ErrTruncated) {
		return nil, cutShort{path: path, err: err}
	}
	if err != nil {
		return nil, err
	}
	t.CodeMedians(year)
	return t, nil
}

// crosswalk moves a census source's table to the other tract vintage when
// the pipeline file asks (sources.<name>.crosswalk), with the Census
// Bureau's 2020-to-2010 tract relationship file: the one named, or the
// national file fetched into the boundary cache. Counts are shared out by
// land area with their MOEs (census.Crosswalk); the run notes say so.
func (r Reader) crosswalk(ctx context.Context, name string, s *config.Source, t *census.Table) (*census.Table, error) {
	cw := s.Crosswalk
	if cw == nil {
		return t, nil
	}
	file := r.Config.Path(cw.File)
	if cw.File == "" {
		files, err := r.Options.Files(r.Log)
		if err != nil {
			return nil, err
		}
		got, err := files.Get(ctx, census.RelationshipPath, "", nil)
		if err != nil {
			return nil, fmt.Errorf("tract relationship file: %w", err)
		}
		file = got.Path
	}
	rel, err := geo.ReadRelationship(ctx, file)
	if err != nil {
		return nil, err
	}
	from := cw.From()
	rows, err := rel.Weights(from)
	if err != nil {
		return nil, err
	}
	notSum := r.Config.NotSummable(name)
	out, err := census.Crosswalk(t, rows, from, func(c string) bool { return notSum[c] })
	if err != nil {
		return nil, err
	}
	r.Warn("source %s: moved from %d tracts onto %d tracts with the Census Bureau's tract relationship file %s (%d rows; counts shared out by land area, MOEs carried): %d tracts in, %d out", name, from, cw.To, filepath.Base(file), len(rel.Rows), t.Len(), out.Len())
	return out, nil
}

// ACSYear is the release year whose top codes apply to a census source:
// its year for an ACS dataset, 0 (not known) otherwise.
func ACSYear(s *config.Source) int {
	if strings.HasPrefix(s.Dataset, "acs/") {
		return s.Year
	}
	return 0
}

// Options configure live Census Data API pulls. The zero value pulls
// from the real API with the key in CENSUS_API_KEY, caching responses under
// the user cache folder.
type Options struct {
	// Client holds the client settings: HTTP and BaseURL (tests point them
	// at an httptest server), CacheDir ("" means <user cache
	// dir>/groundwork/census), Offline, Progress and Terminal. Its Key and
	// Logger are set by the run: the key comes from the environment.
	Client census.Config
	// Getenv reads the environment (default os.Getenv); the key is never
	// logged or written.
	Getenv func(string) string
	// Boundaries configures the download of boundary files named by Census
	// layer: HTTP and BaseURL (tests point them at an httptest server);
	// CacheDir "" means the boundaries folder of the Census cache
	// (Client.CacheDir, or its default); Offline follows Client.Offline.
	Boundaries census.FilesConfig
}

// Files returns the boundary file fetcher of o, logging to log: its
// CacheDir defaults to the boundaries folder of the Census cache.
func (o Options) Files(log *slog.Logger) (*census.Files, error) {
	cfg := o.Boundaries
	if cfg.CacheDir == "" {
		dir := o.Client.CacheDir
		if dir == "" {
			var err error
			if dir, err = census.DefaultCacheDir(); err != nil {
				return nil, fmt.Errorf("no cache folder for Census boundary files (set one with --census-cache): %w", err)
			}
		}
		cfg.CacheDir = filepath.Join(dir, "boundaries")
	}
	cfg.Offline = cfg.Offline || o.Client.Offline
	if cfg.Logger == nil {
		cfg.Logger = log
	}
	if cfg.OfflineHint == "" {
		cfg.OfflineHint = "run `groundwork run` once without --offline to download it into the cache"
	}
	return census.NewFiles(cfg), nil
}

// Read reads census source name (s): the recorded response when the pipeline
// file names one, otherwise a pull through the Census Data API client. It
// returns the record, a description of where it came from and, for a pull,
// the variables its metadata says are not counts (census.Classify on the
// dataset's variables.json, which the pull has loaded and cached).
func (r Reader) Read(ctx context.Context, name string, s *config.Source, info *result.Source) (arrow.RecordBatch, string, error) {
	if s.Recorded != "" {
		file := r.Config.Path(s.Recorded)
		t, err := ReadRecorded(file, s, ACSYear(s))
		if err == nil {
			convertMOEs(t, r.Config.SourceConfidence(name))
			t, err = r.crosswalk(ctx, name, s, t)
		}
		if err != nil {
			return nil, file, err
		}
		rec, err := t.Record()
		return rec, file, err
	}
	o := r.Options
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	key, err := census.ResolveKey(s.APIKey, getenv)
	if err != nil && !o.Client.Offline {
		return nil, "", err
	}
	cfg := o.Client
	if cfg.CacheDir == "" {
		dir, err := census.DefaultCacheDir()
		if err != nil {
			return nil, "", fmt.Errorf("no cache folder for Census responses (set one with --census-cache): %w", err)
		}
		cfg.CacheDir = dir
	}
	cfg.Key, cfg.Logger = key, r.Log
	cfg.CheckComplete = cfg.CheckComplete || s.CheckComplete
	if s.MaxResponseMB > 0 {
		cfg.MaxResponseBytes = int64(s.MaxResponseMB) << 20
	}
	client := census.NewClient(cfg)
	var vars []string
	for _, v := range s.Variables {
		if g, ok := config.GroupOf(v); ok {
			vars = append(vars, "group("+g+")") // the whole table
		} else if v != "NAME" {
			vars = append(vars, v)
		}
	}
	req := census.Request{Dataset: s.Dataset, Year: s.Year, Variables: vars, For: s.For, In: s.In}
	var t *census.Table
	if len(s.Years) > 1 {
		t, err = r.pullYears(ctx, name, s, client, req, info)
	} else if t, err = client.Get(ctx, req); err == nil {
		convertMOEs(t, r.Config.SourceConfidence(name))
	}
	if err != nil {
		return nil, "", err
	}
	t.CodeMedians(ACSYear(s))
	if m, err := client.Metadata(ctx, s.Dataset, s.Year); err == nil {
		info.Labels = censusLabels(vars, m)
		for _, v := range vars {
			if stat, why := census.Classify(v, m); !stat.Summable() {
				if info.NotCounts == nil {
					info.NotCounts = map[string]string{}
				}
				info.NotCounts[v] = why
			}
		}
	}
	if t, err = r.crosswalk(ctx, name, s, t); err != nil {
		return nil, "", err
	}
	rec, err := t.Record()
	from := fmt.Sprintf("Census Data API %d/%s", s.Year, s.Dataset)
	if len(s.Years) > 1 {
		from = fmt.Sprintf("Census Data API %s/%s", joinYears(s.Years), s.Dataset)
	}
	return rec, from, err
}

// pullYears pulls a census source for each of its years (census.GetYears,
// which checks every year's variable labels first), puts each label change
// in the run notes, tests every estimate's change between consecutive years
// in each tract (YearChanges) and returns the last year's table with the
// earlier years' estimates and MOEs as <variable>_<year> columns.
func (r Reader) pullYears(ctx context.Context, name string, s *config.Source, client *census.Client, req census.Request, info *result.Source) (*census.Table, error) {
	tabs, labels, err := client.GetYears(ctx, req, s.Years)
	if err != nil {
		return nil, err
	}
	for _, l := range labels {
		r.Warn("source %s: %s", name, l)
		info.LabelChanges = append(info.LabelChanges, l.String())
	}
	c := r.Config.SourceConfidence(name)
	for _, t := range tabs {
		convertMOEs(t, c)
	}
	for k := 0; k+1 < len(tabs); k++ {
		info.Changes = append(info.Changes, YearChanges(tabs[k], s.Years[k], tabs[k+1], s.Years[k+1], c)...)
	}
	out := tabs[len(tabs)-1]
	for i := len(tabs) - 2; i >= 0; i-- {
		var missing int
		out, missing = out.JoinYear(tabs[i], s.Years[i])
		if missing > 0 {
			r.Warn("source %s: %d of %d tracts of %d have no row in %d (tract codes differ between the years); their %d columns are empty", name, missing, out.Len(), s.Year, s.Years[i], s.Years[i])
		}
	}
	return out, nil
}

// convertMOEs converts the MOE columns of t from the Census Bureau's 90%
// to level c (stats.ConvertMOE: MOE × Z(c)/1.645), in place; the raw text
// stays as sent. A controlled MOE (0) stays 0.
func convertMOEs(t *census.Table, c stats.Confidence) {
	if c == stats.Conf90 {
		return
	}
	for _, col := range t.Columns {
		if col.Kind != census.KindMOE {
			continue
		}
		for i, v := range col.Values {
			if col.Valid[i] {
				col.Values[i] = stats.ConvertMOE(v, stats.Conf90, c)
			}
		}
	}
}

// YearChanges tests, for every estimate with its MOE in both tables, the
// change of each tract's estimate from year a to year b with the ACS
// handbook's test of a difference (stats.Compare at level c; the MOEs
// must be at c).
func YearChanges(a *census.Table, ya int, b *census.Table, yb int, c stats.Confidence) []result.YearChange {
	pos := map[string]int{}
	for j, id := range a.GEOIDs() {
		pos[id] = j
	}
	ids := b.GEOIDs()
	var out []result.YearChange
	for _, eb := range b.Columns {
		if eb.Kind != census.KindEstimate || !strings.HasSuffix(eb.Name, "E") {
			continue
		}
		mName := strings.TrimSuffix(eb.Name, "E") + "M"
		mb, ea, ma := b.Column(mName), a.Column(eb.Name), a.Column(mName)
		if mb == nil || ea == nil || ma == nil {
			continue
		}
		ch := result.YearChange{Variable: eb.Name, From: ya, To: yb, Confidence: int(c)}
		for i, id := range ids {
			j, ok := pos[id]
			if !ok || !eb.Valid[i] || !mb.Valid[i] || !ea.Valid[j] || !ma.Valid[j] {
				ch.Untested++
				continue
			}
			cmp := stats.Compare("", stats.Value{Est: eb.Values[i], MOE: mb.Values[i]}, "", stats.Value{Est: ea.Values[j], MOE: ma.Values[j]}, c)
			switch {
			case cmp.Significant && cmp.Diff > 0:
				ch.Up++
			case cmp.Significant:
				ch.Down++
			default:
				ch.Same++
			}
		}
		out = append(out, ch)
	}
	return out
}

func joinYears(ys []int) string {
	var b strings.Builder
	for i, y := range ys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, y)
	}
	return b.String()
}

// Confidence is the MOE level of a census source for its note: 0 for
// other sources and for the Bureau's own 90%.
func Confidence(c *config.Config, name string) int {
	if s := c.Sources[name]; s == nil || s.Kind != config.KindCensus || s.Confidence == 90 {
		return 0
	}
	return c.Sources[name].Confidence
}

// censusLabels names each variable in words from the dataset's
// variables.json, for the report: "Estimate!!Median gross rent" is "Median
// gross rent", "Estimate!!Total:!!Renter occupied" is "Total: Renter
// occupied"; margins of error say so. Variables the metadata lacks are
// left out.
func censusLabels(vars []string, m *census.Metadata) map[string]string {
	out := map[string]string{}
	for _, v := range vars {
		l := m.Variables[v].Label
		if l == "" {
			continue
		}
		moe := strings.HasPrefix(l, "Margin of Error!!")
		l = strings.TrimPrefix(strings.TrimPrefix(l, "Estimate!!"), "Margin of Error!!")
		l = strings.ReplaceAll(strings.ReplaceAll(l, ":!!", ": "), "!!", ": ")
		l = strings.TrimSuffix(l, ":")
		if moe {
			l += " (margin of error)"
		}
		out[v] = l
	}
	return out
}

// Boundary fetches boundary name of the pipeline file, named by Census
// layer, through the boundary file cache (census.LoadBoundary), or reads it
// from there, and returns it with its source note: About ends with the
// product, the layer and each file's publication and SHA-256.
func (o Options) Boundary(ctx context.Context, log *slog.Logger, name string, b *config.Boundary) (*census.LoadedBoundary, result.Source, error) {
	files, err := o.Files(log)
	if err != nil {
		return nil, result.Source{}, fmt.Errorf("boundary %q: %w", name, err)
	}
	lb, err := census.LoadBoundary(ctx, files, name, b.Census.Spec())
	if err != nil {
		return nil, result.Source{}, err
	}
	main := lb.Files[0]
	about := b.About
	if about != "" {
		about += " "
	}
	about += fmt.Sprintf("U.S. Census Bureau %s, %s: %s (SHA-256 %s).", lb.Product, b.Census.Spec(), main.Published, main.SHA256)
	for _, f := range lb.Files[1:] {
		about += fmt.Sprintf(" Also %s (SHA-256 %s).", f.Published, f.SHA256)
	}
	return lb, result.Source{Name: name, Title: b.Title, About: about, File: filepath.Base(main.Path), Rows: len(lb.Layer.Features)}, nil
}

// CheckCoverage refuses the census table of c's tracts stage when it is a
// table of every tract of some counties (for: "tract:*") that lacks land
// tracts its tract boundary has there while having none the boundary
// lacks: an answer cut short at a row boundary, which is still valid JSON
// (census.TractCoverage). A table of another tract vintage, a boundary of
// other counties or water-only tracts do not trip it; a crosswalked table
// is not checked (the relationship file decides which tracts it has). rows
// are the table's GEOIDs, every row (with a polygon or not); layer is the
// tract boundary.
func CheckCoverage(c *config.Config, rows []string, layer *geo.Layer) error {
	t := c.Tracts
	s := c.Sources[t.Source]
	if s == nil || s.Kind != config.KindCensus || s.Crosswalk != nil {
		return nil
	}
	ids := make([]string, len(layer.Features))
	for i, f := range layer.Features {
		ids[i] = f.ID
	}
	cov, ok := census.TractCoverage(census.Request{For: s.For, In: s.In}, rows, ids)
	if !ok {
		return nil
	}
	err := cov.Err()
	if err == nil {
		return nil
	}
	fix := "run again with --refresh to pull it from the Census Data API again (the cached answer is short)"
	if s.Recorded != "" {
		fix = fmt.Sprintf("the recorded file %s is short: save the whole answer again, or name the tracts it holds in for: (tract:400100,400200)", filepath.Base(s.Recorded))
	}
	return fmt.Errorf("source %q against boundary %q: %w; %s", t.Source, t.Boundary, err, fix)
}

// cutShort is the error of a recorded response that ends before its JSON
// array does: said once, with the fix (census.ReadRecorded's own text says
// "response body: response body is truncated").
type cutShort struct {
	path string
	err  error // census.ReadRecorded's, which wraps census.ErrTruncated
}

func (e cutShort) Error() string {
	size := ""
	if fi, err := os.Stat(e.path); err == nil {
		size = fmt.Sprintf(" after %d bytes", fi.Size())
	}
	return fmt.Sprintf("%s: the recorded response is cut short: it stops%s before its JSON array ends (a Census API answer ends with \"]]\"); save the whole answer again, or remove recorded: to pull it from the API", e.path, size)
}

func (e cutShort) Unwrap() error { return e.err }
