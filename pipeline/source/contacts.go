package source

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// Contact is one usable row of a contact list, normalised and placed.
//
// Field problems that do not make the row unusable (a bad email next to a good
// phone) blank the field and are listed in Problems; an export profile that
// needs the field then skips the contact with that reason. Phone and Mobile
// are E.164 ("+15105550123"); PhoneRegion/MobileRegion are the CLDR region of
// each number taken from the number itself (a +44 number is "GB" whatever the
// address says) and PhoneCC/MobileCC its country calling code ("44"). A
// number is a mobile only because it came from the column mapped as mobile:
// nothing in a number says whether it can receive texts (North American
// numbers do not encode it), so a contact with only Phone is never texted.
// Email is trimmed, with its domain lower-cased. Lon/Lat are EPSG:4326
// degrees and meaningful only when HasPoint. OptIn is email consent,
// SMSOptIn text consent (false unless the list says yes), DoNotCall the
// do-not-call mark.
//
// It is reports/outreach's Contact (one type: the reader fills what the
// export profiles write).
type Contact = outreach.Contact

// Invitee is a contact on a follow-up list with the timeslots the list is
// about (reports/outreach's Invitee).
type Invitee = outreach.Invitee

// Sentinel reasons for skipped contact rows; a skip is reported as a
// *ParseError wrapping one of these.
var (
	ErrMalformedRow     = errors.New("malformed row")
	ErrDoNotContact     = errors.New("do not contact")
	ErrDuplicate        = errors.New("duplicate contact")
	ErrNoContactMethod  = errors.New("no usable email or phone")
	errSkipReasonsOrder = []error{ErrMalformedRow, ErrDoNotContact, ErrDuplicate, ErrNoContactMethod}
)

// A Placer places a contact once it is read: it sets Tract, Area and
// Segments and returns the evidence used, "point", "geoid", "zip" or "none"
// (pipeline/place/contact.Placer is the one the pipeline uses). The reader
// counts it in ContactStats.PlacedBy and reports a point it did not place
// by as a problem.
type Placer interface {
	PlaceContact(c *Contact) string
}

// ZIP5 is the 5-digit ZIP that z (a ZIP or ZIP+4) begins with, or "".
func ZIP5(z string) string {
	if len(z) >= 5 && allDigits(z[:5]) {
		return z[:5]
	}
	return ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ContactStats counts what a ContactReader did. Skipped is keyed by the skip
// reason's text (errSkipReasonsOrder gives the order); Problems by field problem kind; PlacedBy by
// what the Placer returned. Examples holds the first MaxExamples skips, in
// file order.
type ContactStats struct {
	Read     int
	Kept     int
	Skipped  map[string]int
	Problems map[string]int
	PlacedBy map[string]int
	Examples []*ParseError
	// Warnings summarises, one line per kind (notes.Set.Lines: a count and
	// the first examples), the rows skipped for a flaw of their own
	// (unreadable, a duplicate, no usable email or phone, a do-not-contact
	// mark that is not yes or no) and the fields of kept rows that were left
	// out or read the safe way (an email that is not an address, a phone
	// with a letter, an opt-in that is not yes or no, coordinates out of
	// range). Each example names the file (its base name), the line, the
	// column and the value, and what was done. Rows skipped as marked
	// do-not-contact are only counted: that is what the list asks for.
	Warnings []string
}

// MaxExamples bounds ContactStats.Examples so a list of millions of rows does
// not accumulate errors in memory.
const MaxExamples = 100

// Suppressions is a set of hashed emails and phones (FNV-64a of the
// normalised value, never the value itself) marked do-not-contact anywhere in
// a list. See ReadSuppressions.
type Suppressions map[uint64]int

// ContactReader streams a contact list CSV: it holds one row at a time plus,
// for duplicate detection, one 64-bit hash and a line number per distinct
// email and phone seen (about 40 bytes each in a Go map), never names or
// addresses. Not safe for concurrent use.
type ContactReader struct {
	file   string
	r      *csv.Reader
	m      ContactMapping
	p      Placer
	ncols  int
	idx    map[string]int // yaml key -> column index
	custom []string       // custom names, sorted
	cidx   []int
	seen   map[uint64]int
	ids    map[uint64]int // hashed contact ID -> line
	dnc    Suppressions
	stats  ContactStats
	notes  notes.Set
}

// NewContactReader reads the header of a contact list and checks it against
// m (which must already pass Validate). file names the list in errors. p may
// be nil (contacts are not placed).
func NewContactReader(ctx context.Context, r io.Reader, file string, m ContactMapping, p Placer) (*ContactReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("contact mapping for %s: %w", file, err)
	}
	cr := newCSVReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := readHeader(cr, file, "a header row")
	if err != nil {
		return nil, err
	}
	if err := m.CheckHeader(file, header); err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, h := range header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	c := &ContactReader{file: file, r: cr, m: m, p: p, ncols: len(header), idx: map[string]int{}, seen: map[uint64]int{}, ids: map[uint64]int{},
		stats: ContactStats{Skipped: map[string]int{}, Problems: map[string]int{}, PlacedBy: map[string]int{}}}
	for _, f := range m.fields() {
		if f[1] != "" {
			c.idx[f[0]] = pos[f[1]]
		}
	}
	c.custom = slices.Sorted(maps.Keys(m.Custom))
	for _, name := range c.custom {
		c.cidx = append(c.cidx, pos[m.Custom[name]])
	}
	return c, nil
}

// Suppress makes the reader skip, as do-not-contact, every row whose email or
// phone is in s (from an earlier ReadSuppressions pass over the same list).
func (c *ContactReader) Suppress(s Suppressions) { c.dnc = s }

// Stats returns the counts so far, with Warnings as of now; the maps are the
// reader's own, read them after the last Next.
func (c *ContactReader) Stats() ContactStats {
	s := c.stats
	s.Warnings = c.notes.Lines()
	return s
}

// Next returns the next usable contact. Rows that cannot be used are skipped,
// counted in Stats and never returned; Next returns io.EOF after the last
// row, ctx.Err() if ctx is done, and an error only for I/O failures.
func (c *ContactReader) Next(ctx context.Context) (Contact, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Contact{}, err
		}
		rec, err := c.r.Read()
		if err == io.EOF {
			return Contact{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.stats.Read++
			c.skip(&ParseError{File: c.file, Line: pe.StartLine, Err: fmt.Errorf("%w: %w", ErrMalformedRow, pe.Err)})
			continue
		}
		if err != nil {
			return Contact{}, fmt.Errorf("read %s: %w", c.file, err)
		}
		c.stats.Read++
		line, _ := c.r.FieldPos(0)
		if len(rec) != c.ncols {
			c.skip(&ParseError{File: c.file, Line: line, Err: fmt.Errorf("%w: %d fields, the header has %d; check for unquoted commas", ErrMalformedRow, len(rec), c.ncols)})
			continue
		}
		if err := checkFields(rec); err != nil {
			c.skip(&ParseError{File: c.file, Line: line, Err: fmt.Errorf("%w: %w", ErrMalformedRow, err)})
			continue
		}
		ct, perr := c.row(rec, line)
		if perr != nil {
			c.skip(perr)
			continue
		}
		c.stats.Kept++
		return ct, nil
	}
}

func (c *ContactReader) skip(e *ParseError) {
	reason := "other"
	for _, r := range errSkipReasonsOrder {
		if errors.Is(e, r) {
			reason = r.Error()
		}
	}
	c.stats.Skipped[reason]++
	if len(c.stats.Examples) < MaxExamples {
		c.stats.Examples = append(c.stats.Examples, e)
	}
	var marked *markedError
	if errors.As(e, &marked) {
		return // skipped as the list asks: counted, not a flaw
	}
	summary := map[string]string{
		ErrMalformedRow.Error():    "row(s) skipped, unreadable",
		ErrDoNotContact.Error():    "row(s) skipped as do-not-contact",
		ErrDuplicate.Error():       "row(s) skipped as duplicates of an earlier row",
		ErrNoContactMethod.Error(): "row(s) skipped with no usable email or phone",
	}[reason]
	// the summary names the reason: the example gives the rest
	b := *e
	if msg, ok := strings.CutPrefix(e.Err.Error(), reason+": "); ok {
		b.Err = errors.New(msg)
	}
	c.notes.Add("skip:"+reason, cmp.Or(summary, "row(s) skipped"), c.where(&b))
}

// markedError is the reason of a row skipped because the list marks it, or
// another row of the same person, do-not-contact.
type markedError struct{ msg string }

func (e *markedError) Error() string { return e.msg }

// where is e as a warning example: e with the file's base name, so that
// warnings (which reach the report) do not depend on where the list lives.
func (c *ContactReader) where(e *ParseError) string {
	b := *e
	b.File = filepath.Base(b.File)
	return b.Error()
}

func (c *ContactReader) get(rec []string, key string) string {
	i, ok := c.idx[key]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (c *ContactReader) row(rec []string, line int) (Contact, *ParseError) {
	ct := Contact{Line: line}
	perr := func(col string, err error) *ParseError {
		return &ParseError{File: c.file, Line: line, Column: col, Err: err}
	}
	var flawed []fieldProblem // warned about once the row is kept
	problem := func(kind, col, format string, args ...any) {
		c.stats.Problems[kind]++
		msg := fmt.Sprintf(format, args...)
		ct.Problems = append(ct.Problems, fmt.Sprintf("column %q: ", col)+msg)
		flawed = append(flawed, fieldProblem{kind, &ParseError{File: c.file, Line: line, Column: col, Err: errors.New(msg)}})
	}
	if v := c.get(rec, "do_not_contact"); v != "" {
		yes, ok := parseYesNo(v)
		if !ok {
			return ct, perr(c.m.DoNotContact, fmt.Errorf("%w: value %q is not yes/no, treated as do-not-contact to be safe", ErrDoNotContact, v))
		}
		if yes {
			return ct, perr(c.m.DoNotContact, fmt.Errorf("%w: %w", ErrDoNotContact, &markedError{fmt.Sprintf("marked %q", v)}))
		}
	}
	ct.ID, ct.First, ct.Last = c.get(rec, "id"), c.get(rec, "first_name"), c.get(rec, "last_name")
	ct.Street, ct.City, ct.State = c.get(rec, "street"), c.get(rec, "city"), c.get(rec, "state")
	if v := c.get(rec, "email"); v != "" {
		if e, err := NormalizeEmail(v); err != nil {
			problem("bad email", c.m.Email, "%v", err)
		} else {
			ct.Email = e
		}
	}
	for _, f := range []struct {
		key, col        string
		dst, region, cc *string
	}{{"phone", c.m.Phone, &ct.Phone, &ct.PhoneRegion, &ct.PhoneCC}, {"mobile", c.m.Mobile, &ct.Mobile, &ct.MobileRegion, &ct.MobileCC}} {
		if v := c.get(rec, f.key); v != "" {
			if e, err := NormalizePhone(v, c.m.region()); err != nil {
				problem("bad phone", f.col, "%v", err)
			} else {
				*f.dst = e
				*f.region, *f.cc = PhoneCountry(e)
			}
		}
	}
	if ct.Email == "" && ct.Phone == "" && ct.Mobile == "" {
		why := "no email or phone given"
		if len(ct.Problems) > 0 {
			why = strings.Join(ct.Problems, "; ")
		}
		return ct, perr("", fmt.Errorf("%w: %s", ErrNoContactMethod, why))
	}
	keys := make([]struct {
		what string
		h    uint64
	}, 0, 3)
	if ct.Email != "" {
		keys = append(keys, struct {
			what string
			h    uint64
		}{"email", EmailKey(ct.Email)})
	}
	for _, ph := range []string{ct.Phone, ct.Mobile} {
		if ph != "" {
			keys = append(keys, struct {
				what string
				h    uint64
			}{"phone", hashKey("p:" + ph)})
		}
	}
	for _, k := range keys {
		if l, ok := c.dnc[k.h]; ok {
			return ct, perr("", fmt.Errorf("%w: %w", ErrDoNotContact, &markedError{fmt.Sprintf("same %s as do-not-contact line %d", k.what, l)}))
		}
		if l, ok := c.seen[k.h]; ok {
			return ct, perr("", fmt.Errorf("%w: same %s as line %d", ErrDuplicate, k.what, l))
		}
	}
	// Two rows with one ID are two people to this reader but one record to
	// every tool the exports go to (an import matches on the ID and
	// overwrites): the later row is skipped, and named.
	var idKey uint64
	if ct.ID != "" {
		idKey = hashKey("i:" + ct.ID)
		if l, ok := c.ids[idKey]; ok {
			return ct, perr(c.m.ID, fmt.Errorf("%w: ID %q is also the ID of line %d; the row is skipped: give each contact its own ID", ErrDuplicate, ct.ID, l))
		}
	}
	for _, k := range keys {
		c.seen[k.h] = line
	}
	if ct.ID != "" {
		c.ids[idKey] = line
	}
	if v := c.get(rec, "opt_in"); v != "" {
		yes, ok := parseYesNo(v)
		if !ok {
			problem("bad opt-in", c.m.OptIn, "value %q is not yes/no, treated as not opted in", v)
		}
		ct.OptIn = yes && ok
	}
	if v := c.get(rec, "sms_opt_in"); v != "" {
		yes, ok := parseYesNo(v)
		if !ok {
			problem("bad sms opt-in", c.m.SMSOptIn, "value %q is not yes/no, treated as not opted in to texts", v)
		}
		ct.SMSOptIn = yes && ok
	}
	if v := c.get(rec, "do_not_call"); v != "" {
		yes, ok := parseYesNo(v)
		if !ok {
			problem("bad do-not-call", c.m.DoNotCall, "value %q is not yes/no, treated as do-not-call to be safe", v)
		}
		ct.DoNotCall = yes || !ok
	}
	if v := c.get(rec, "zip"); v != "" {
		if z, err := NormalizeZIP(v); err != nil {
			problem("bad zip", c.m.Zip, "%v", err)
		} else {
			ct.Zip = z
		}
	}
	var pt *orb.Point
	if c.m.Lat != "" {
		la, lo := c.get(rec, "lat"), c.get(rec, "lon")
		if la != "" || lo != "" {
			if p, err := ParseLonLat(lo, la); err != nil {
				problem("bad coordinates", c.m.Lat, "%v", err)
			} else {
				ct.Lon, ct.Lat, ct.HasPoint = p[0], p[1], true
				pt = &p
			}
		}
	}
	if v := c.get(rec, "geoid"); v != "" {
		if g, err := ValidateGEOID(v); err != nil {
			problem("bad geoid", c.m.GEOID, "%v", err)
		} else {
			ct.GEOID = g
		}
	}
	if len(c.custom) > 0 {
		ct.Custom = make(map[string]string, len(c.custom))
		for i, name := range c.custom {
			ct.Custom[name] = strings.TrimSpace(rec[c.cidx[i]])
		}
	}
	by := ""
	if c.p != nil {
		by = c.p.PlaceContact(&ct)
		if pt != nil && by != "point" {
			problem("point outside tracts", c.m.Lat, "point (%g, %g) is in no tract of the boundary layer", ct.Lon, ct.Lat)
		}
		c.stats.PlacedBy[by]++
	}
	for _, f := range flawed {
		c.warnField(f, by)
	}
	return ct, nil
}

// fieldProblem is a flaw of one field of a row: its kind (a key of
// ContactStats.Problems) and where it is.
type fieldProblem struct {
	kind string
	at   *ParseError
}

// fieldSummary says, for each kind of field problem, what was done with the
// field of a row that is kept.
var fieldSummary = map[string]string{
	"bad email":            "row(s) kept without their email, which is not an address (no email export has them)",
	"bad phone":            "row(s) kept without a phone number that is not valid (no call or text list has it)",
	"bad opt-in":           "row(s) with an email opt-in that is not yes or no, treated as not opted in",
	"bad sms opt-in":       "row(s) with a text opt-in that is not yes or no, treated as not opted in to texts",
	"bad do-not-call":      "row(s) with a do-not-call mark that is not yes or no, treated as do-not-call",
	"bad zip":              "row(s) kept without their ZIP, which is not a ZIP",
	"bad geoid":            "row(s) kept without their tract GEOID, which is not a GEOID",
	"bad coordinates":      "row(s) whose coordinates were not used",
	"point outside tracts": "row(s) whose point is in no tract of the boundary layer",
}

// warnField adds a field problem of a kept row to the warnings; by is how
// the row was placed (ContactStats.PlacedBy; "" without a Placer), which a
// location problem names.
func (c *ContactReader) warnField(f fieldProblem, by string) {
	ex := c.where(f.at)
	if f.kind == "bad coordinates" || f.kind == "point outside tracts" {
		switch by {
		case "geoid":
			ex += "; placed by its tract GEOID instead"
		case "zip":
			ex += "; placed by its ZIP instead"
		case "none":
			ex += "; the row is not placed (in no tract, area or segment)"
		}
	}
	c.notes.Add("field:"+f.kind, cmp.Or(fieldSummary[f.kind], "row(s) with a field left out"), ex)
}

// EmailKey is the 64-bit hash (FNV-64a) of the lower-cased email that
// readers and placement key people by, so that no email is kept.
func EmailKey(email string) uint64 { return hashKey("e:" + strings.ToLower(email)) }

func hashKey(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// ReadSuppressions makes a first pass over a contact list and returns the
// hashed emails and phones of every row marked do-not-contact, so that a
// second pass (ContactReader.Suppress) also skips other rows of the same
// person that come earlier in the file. Rows it cannot read are ignored here
// (the second pass reports them).
func ReadSuppressions(ctx context.Context, r io.Reader, file string, m ContactMapping) (Suppressions, error) {
	s := Suppressions{}
	if m.DoNotContact == "" {
		return s, nil
	}
	c, err := NewContactReader(ctx, r, file, m, nil)
	if err != nil {
		return nil, err
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := c.r.Read()
		if err == io.EOF {
			return s, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		if len(rec) != c.ncols {
			continue
		}
		v := c.get(rec, "do_not_contact")
		if v == "" {
			continue
		}
		if yes, ok := parseYesNo(v); ok && !yes {
			continue
		}
		line, _ := c.r.FieldPos(0)
		if e, err := NormalizeEmail(c.get(rec, "email")); err == nil {
			s[EmailKey(e)] = line
		}
		for _, k := range []string{"phone", "mobile"} {
			if p, err := NormalizePhone(c.get(rec, k), m.region()); err == nil {
				s[hashKey("p:"+p)] = line
			}
		}
	}
}

// ReadContactsFile streams the contact list at path through fn, one contact
// at a time, in file order. When m maps a do-not-contact column it first
// reads the file once for ReadSuppressions, so a person marked do-not-contact
// anywhere in the list is skipped everywhere. It stops at the first error fn
// returns. The returned stats count every row; errors name the file.
func ReadContactsFile(ctx context.Context, path string, m ContactMapping, p Placer, fn func(Contact) error) (ContactStats, error) {
	var supp Suppressions
	if m.DoNotContact != "" {
		f, err := os.Open(path)
		if err != nil {
			return ContactStats{}, fmt.Errorf("contact list: %w", err)
		}
		supp, err = ReadSuppressions(ctx, f, path, m)
		f.Close()
		if err != nil {
			return ContactStats{}, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return ContactStats{}, fmt.Errorf("contact list: %w", err)
	}
	defer f.Close()
	r, err := NewContactReader(ctx, f, path, m, p)
	if err != nil {
		return ContactStats{}, err
	}
	r.Suppress(supp)
	for {
		c, err := r.Next(ctx)
		if err == io.EOF {
			return r.Stats(), nil
		}
		if err != nil {
			return r.Stats(), err
		}
		if err := fn(c); err != nil {
			return r.Stats(), err
		}
	}
}
