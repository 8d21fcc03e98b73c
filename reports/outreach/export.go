package outreach

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
)

// Options configures an Exporter.
type Options struct {
	// Profiles to write; nil means all (see Profiles).
	Profiles []string
	// Custom lists the custom field names (Contact.Custom keys) that the
	// profiles with custom columns (callhub, actionnetwork, generic) write,
	// in this order. Fields not listed never leave.
	Custom []string
	// Areas and Tracts give turf geometry: a contact's turf is its Area (a
	// feature ID of Areas) or, without an area, its Tract (a feature ID of
	// Tracts). Either may be nil; turfs without geometry are left out of the
	// GeoJSON but keep their walk list.
	Areas, Tracts *geo.Layer
	// Turfs enables turf GeoJSON and walk lists. Walk lists keep, per
	// segment, the address fields of the contacts that have a street in
	// memory until Close (they must be sorted); the profile files stream.
	Turfs bool
	// Seats lists the decision layers whose seat each turf reports: a
	// turf's seats are the seats of its contacts (Contact.Custom[Column],
	// "" for none), counted, in the GeoJSON properties and the walk list
	// page header.
	Seats []SeatLayer
}

// SeatLayer is a decision layer as the turfs report it: Column is the
// Contact.Custom key holding a contact's seat ("city_seat"), Title the
// layer's title ("Oakland City Council, at-large seat").
type SeatLayer struct {
	Column, Title string
}

// Exporter writes contacts, as they arrive, to one CSV per segment and
// profile under a directory:
//
//	<dir>/<profile>/<segment-slug>.csv
//	<dir>/turfs/<segment-slug>.geojson          (Options.Turfs)
//	<dir>/walklists/<segment-slug>/<turf-slug>.csv  (Options.Turfs)
//	<dir>/walklists/<segment-slug>.html             (Options.Turfs)
//	<dir>/decisions.csv                             every contact left out or with a channel withheld
//	<dir>/summary.csv, <dir>/summary.json
//
// Rows keep the order of Add calls. Every file of a segment is written, with
// its header, even when no contact qualifies. Nothing is visible under the
// final names until Close succeeds. An Exporter is not safe for concurrent
// use.
type Exporter struct {
	dir      string
	segments []string
	slugs    map[string]string
	profiles []profile
	opt      Options
	files    map[[2]string]*tempCSV // (profile, segment)
	sum      map[[2]string]*SummaryRow
	noSeg    int
	unknown  map[string]int
	turfs    map[string]map[string]*TurfCount // segment -> turf -> counts
	walk     map[string][]walkEntry           // segment -> entries
	doors    map[string]map[string]bool       // segment -> turf and door
	log      *tempCSV                         // decisions.csv
	closed   bool
}

// CustomClashes lists, one error each, the custom fields that name a
// column an export already writes: a column of one of the profiles (nil:
// all of them) that writes custom columns or, with followUp, of the
// follow-up lists (CallHub's columns, event, event_time), and a field
// listed twice. Unknown profile names are skipped; an empty, non-nil
// profiles checks none.
func CustomClashes(profiles, custom []string, followUp bool) []error {
	if profiles == nil {
		profiles = Profiles()
	}
	var errs []error
	given := map[string]bool{}
	for _, c := range custom {
		if given[c] {
			errs = append(errs, fmt.Errorf("custom field %q is listed twice; list it once", c))
		}
		given[c] = true
	}
	owners := map[string][]string{} // custom field -> the exports with that column
	check := func(what string, header []string) {
		for _, c := range header {
			if given[c] && !slices.Contains(owners[c], what) {
				owners[c] = append(owners[c], what)
			}
		}
	}
	for _, n := range profiles {
		p, ok := profileByName(n)
		if !ok || len(p.header(custom)) == len(p.header(nil)) {
			continue // unknown, or the profile writes no custom columns
		}
		check("profile "+p.name, p.header(nil))
	}
	if followUp {
		check("the follow-up lists", followUpHeader(nil))
	}
	for _, c := range custom { // each once: reported fields leave owners
		if o := owners[c]; len(o) > 0 {
			verb := "has"
			if len(o) > 1 || o[0] == "the follow-up lists" {
				verb = "have"
			}
			errs = append(errs, fmt.Errorf("custom field %q: %s already %s a column of that name; rename the field", c, strings.Join(o, " and "), verb))
			delete(owners, c)
		}
	}
	return errs
}

// NewExporter prepares an export of the named segments into dir (created if
// missing). Segment names must be unique and give distinct file names.
func NewExporter(ctx context.Context, dir string, segments []string, opt Options) (*Exporter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &Exporter{dir: dir, opt: opt, slugs: map[string]string{}, files: map[[2]string]*tempCSV{},
		sum: map[[2]string]*SummaryRow{}, unknown: map[string]int{}, turfs: map[string]map[string]*TurfCount{}, walk: map[string][]walkEntry{},
		doors: map[string]map[string]bool{}}
	names := opt.Profiles
	if names == nil {
		names = Profiles()
	}
	var errs []error
	for _, n := range names {
		p, ok := profileByName(n)
		if !ok {
			errs = append(errs, fmt.Errorf("profile %q: unknown; valid profiles are %s", n, strings.Join(Profiles(), ", ")))
			continue
		}
		e.profiles = append(e.profiles, p)
	}
	if len(errs) == 0 {
		errs = append(errs, CustomClashes(names, opt.Custom, false)...)
	}
	bySlug := map[string]string{}
	for _, s := range segments {
		sl := Slug(s)
		if prev, dup := bySlug[sl]; dup {
			errs = append(errs, fmt.Errorf("segment %q: file name %q is also the name of segment %q; rename one", s, sl, prev))
			continue
		}
		bySlug[sl] = s
		e.slugs[s] = sl
		e.segments = append(e.segments, s)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("outreach export: %w", errors.Join(errs...))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("outreach export: %w", err)
	}
	log, err := newTempCSV(filepath.Join(dir, "decisions.csv"))
	if err != nil {
		return nil, fmt.Errorf("outreach export: %w", err)
	}
	e.log = log
	if err := log.write(decisionHeader); err != nil {
		e.Abort()
		return nil, fmt.Errorf("outreach export: %w", err)
	}
	for _, p := range e.profiles {
		if err := os.MkdirAll(filepath.Join(dir, p.name), 0o755); err != nil {
			e.Abort()
			return nil, fmt.Errorf("outreach export: %w", err)
		}
		for _, s := range e.segments {
			f, err := newTempCSV(filepath.Join(dir, p.name, e.slugs[s]+".csv"))
			if err != nil {
				e.Abort()
				return nil, fmt.Errorf("outreach export: %w", err)
			}
			e.files[[2]string{p.name, s}] = f
			if err := f.write(p.header(opt.Custom)); err != nil {
				e.Abort()
				return nil, fmt.Errorf("outreach export: %w", err)
			}
			e.sum[[2]string{p.name, s}] = &SummaryRow{Profile: p.name, Segment: s, Skipped: map[string]int{}, Withheld: map[string]int{}}
		}
	}
	return e, nil
}

// Slug turns a segment or turf name into a file name: lower case ASCII
// letters and digits, other runs of characters become one "-".
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		out = "unnamed"
	}
	return out
}

// Add exports one contact to every profile of every segment it is in.
// Contacts in no segment, or only in segments not being exported, are
// counted in the summary and written nowhere.
func (e *Exporter) Add(ctx context.Context, c Contact) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.closed {
		panic("outreach: Add after Close or Abort")
	}
	if len(c.Segments) == 0 {
		e.noSeg++
		return nil
	}
	for _, s := range c.Segments {
		if _, ok := e.slugs[s]; !ok {
			e.unknown[s]++
			continue
		}
		for _, p := range e.profiles {
			r := p.row(&c, s, e.opt.Custom)
			sr := e.sum[[2]string{p.name, s}]
			if err := e.decide(&c, p.name, s, r); err != nil {
				return fmt.Errorf("outreach export: %w", err)
			}
			if r.skip != "" {
				sr.Skipped[r.skip]++
				continue
			}
			for _, w := range r.withheld {
				sr.Withheld[w]++
			}
			if err := e.files[[2]string{p.name, s}].write(neutralizeRow(r.cells)); err != nil {
				return fmt.Errorf("outreach export: %w", err)
			}
			sr.Exported++
		}
		if e.opt.Turfs {
			e.addTurf(&c, s)
		}
	}
	return nil
}

// decisionHeader is the header of decisions.csv.
var decisionHeader = []string{"profile", "segment", "contact", "line", "status", "reason"}

// decide logs a contact left out of a profile, or exported with a channel
// withheld, to decisions.csv: the contact's ID (or its line) and the
// reason, never a name, email or number.
func (e *Exporter) decide(c *Contact, prof, seg string, r row) error {
	line := strconv.Itoa(c.Line)
	if r.skip != "" {
		return e.log.write(neutralizeRow([]string{prof, seg, c.ID, line, "skipped", r.skip}))
	}
	for _, w := range r.withheld {
		if err := e.log.write(neutralizeRow([]string{prof, seg, c.ID, line, "withheld", w})); err != nil {
			return err
		}
	}
	return nil
}

// neutralizeRow passes every cell through Neutralize, in place.
func neutralizeRow(row []string) []string {
	for i := range row {
		row[i] = Neutralize(row[i])
	}
	return row
}

// SummaryRow counts one profile and segment: contacts exported, contacts
// left out by reason, and channels withheld from exported rows by
// "channel: reason" ("mobile: no text-message consent").
type SummaryRow struct {
	Profile  string         `json:"profile"`
	Segment  string         `json:"segment"`
	File     string         `json:"file"`
	Exported int            `json:"exported"`
	Skipped  map[string]int `json:"skipped"`
	Withheld map[string]int `json:"withheld,omitempty"`
}

// Summary is what an export wrote and left out, for the report. Rows are in
// profile order (Profiles), then segment order as given to NewExporter.
type Summary struct {
	Rows []SummaryRow `json:"rows"`
	// NotInSegment counts contacts in no segment.
	NotInSegment int `json:"not_in_segment"`
	// UnknownSegments counts contacts per segment name that was not in the
	// export's segment list.
	UnknownSegments map[string]int `json:"unknown_segments,omitempty"`
	// Turfs lists, per segment, the turfs with their counts, sorted by turf.
	Turfs map[string][]TurfCount `json:"turfs,omitempty"`
	// Files lists every file written, relative to the export directory,
	// sorted.
	Files []string `json:"files"`
}

// Close finishes every file, writes the turfs, walk lists and summary, and
// renames everything into place. On error nothing more is renamed and the
// remaining temporary files are removed.
func (e *Exporter) Close(ctx context.Context) (*Summary, error) {
	if e.closed {
		return nil, errors.New("outreach export: already closed")
	}
	e.closed = true
	sum := &Summary{NotInSegment: e.noSeg}
	if len(e.unknown) > 0 {
		sum.UnknownSegments = e.unknown
	}
	pending := []*tempCSV{e.log}
	for _, p := range e.profiles {
		for _, s := range e.segments {
			f := e.files[[2]string{p.name, s}]
			pending = append(pending, f)
			sr := *e.sum[[2]string{p.name, s}]
			sr.File = filepath.ToSlash(filepath.Join(p.name, e.slugs[s]+".csv"))
			sum.Rows = append(sum.Rows, sr)
		}
	}
	fail := func(err error) (*Summary, error) {
		for _, f := range pending {
			f.abort()
		}
		return nil, fmt.Errorf("outreach export: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	for _, f := range pending {
		if err := f.finish(); err != nil {
			return fail(err)
		}
	}
	var extra []string
	if e.opt.Turfs {
		files, turfs, err := e.writeTurfs(ctx)
		if err != nil {
			return fail(err)
		}
		extra = files
		sum.Turfs = turfs
	}
	for _, f := range pending {
		rel, _ := filepath.Rel(e.dir, f.final)
		sum.Files = append(sum.Files, filepath.ToSlash(rel))
	}
	for i := range sum.Rows {
		if len(sum.Rows[i].Withheld) == 0 {
			sum.Rows[i].Withheld = nil
		}
	}
	sum.Files = append(sum.Files, extra...)
	sum.Files = append(sum.Files, "summary.csv", "summary.json")
	sort.Strings(sum.Files)
	if err := writeSummary(e.dir, sum); err != nil {
		return fail(err)
	}
	for _, f := range pending {
		if err := f.commit(); err != nil {
			return fail(err)
		}
	}
	return sum, nil
}

// Abort removes every temporary file; nothing is left under the final names.
func (e *Exporter) Abort() {
	e.closed = true
	for _, f := range e.files {
		f.abort()
	}
	if e.log != nil {
		e.log.abort()
	}
}

// writeSummary writes summary.csv (one line per profile, segment and reason;
// reason "" is the exported count) and summary.json.
func writeSummary(dir string, s *Summary) error {
	f, err := newTempCSV(filepath.Join(dir, "summary.csv"))
	if err != nil {
		return err
	}
	if err := f.write([]string{"profile", "segment", "status", "reason", "contacts"}); err != nil {
		f.abort()
		return err
	}
	for _, r := range s.Rows {
		rows := [][]string{{r.Profile, r.Segment, "exported", "", strconv.Itoa(r.Exported)}}
		for _, reason := range slices.Sorted(maps.Keys(r.Skipped)) {
			rows = append(rows, []string{r.Profile, r.Segment, "skipped", reason, strconv.Itoa(r.Skipped[reason])})
		}
		for _, reason := range slices.Sorted(maps.Keys(r.Withheld)) {
			rows = append(rows, []string{r.Profile, r.Segment, "withheld", reason, strconv.Itoa(r.Withheld[reason])})
		}
		for _, row := range rows {
			if err := f.write(neutralizeRow(row)); err != nil {
				f.abort()
				return err
			}
		}
	}
	if err := f.write([]string{"", "", "not in any segment", "", strconv.Itoa(s.NotInSegment)}); err != nil {
		f.abort()
		return err
	}
	if err := f.finish(); err != nil {
		return err
	}
	if err := f.commit(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "summary.json"), append(data, '\n'))
}

// tempCSV is a CSV being written to a temporary file beside its final name.
type tempCSV struct {
	final string
	f     *os.File
	bw    *bufio.Writer
	w     *csv.Writer
	done  bool
}

func newTempCSV(final string) (*tempCSV, error) {
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*.tmp")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(f)
	return &tempCSV{final: final, f: f, bw: bw, w: csv.NewWriter(bw)}, nil
}

func (t *tempCSV) write(row []string) error {
	if err := t.w.Write(row); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	return nil
}

// finish flushes and closes the temporary file.
func (t *tempCSV) finish() error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	if err := t.bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	if err := t.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	return nil
}

// commit renames the finished temporary file to its final name.
func (t *tempCSV) commit() error {
	if err := os.Rename(t.f.Name(), t.final); err != nil {
		return fmt.Errorf("write %s: %w", t.final, err)
	}
	t.done = true
	return nil
}

func (t *tempCSV) abort() {
	if t.done {
		return
	}
	t.f.Close()
	os.Remove(t.f.Name())
	t.done = true
}

// WriteFileAtomic writes data to a temporary file in path's directory and
// renames it to path, so readers see the old file or the new one, never a
// part.
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
