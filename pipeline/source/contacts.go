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
	"math"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// ContactMapping names, for each contact field groundwork understands, the
// column of a contact list CSV that holds it. It is decoded from the pipeline
// file (the yaml tags are the keys there). An empty string means the field is
// not in the list. Only mapped columns are ever read: every other column of
// the file is ignored and never leaves the machine.
type ContactMapping struct {
	ID     string `yaml:"id"`
	First  string `yaml:"first_name"`
	Last   string `yaml:"last_name"`
	Email  string `yaml:"email"`
	Phone  string `yaml:"phone"`
	Mobile string `yaml:"mobile"`
	Street string `yaml:"street"`
	City   string `yaml:"city"`
	State  string `yaml:"state"`
	Zip    string `yaml:"zip"`
	Lat    string `yaml:"lat"`
	Lon    string `yaml:"lon"`
	GEOID  string `yaml:"geoid"`
	// OptIn is the email opt-in column (yes/no).
	OptIn string `yaml:"opt_in"`
	// SMSOptIn is the text-message opt-in column (yes/no). Without it no
	// contact is sent to a texting list: consent is never assumed.
	SMSOptIn string `yaml:"sms_opt_in"`
	// DoNotCall marks contacts who must not be phoned (yes/no; a value that
	// is not yes/no counts as do-not-call). Their numbers are withheld from
	// calling lists; email and texting consent are separate.
	DoNotCall    string `yaml:"do_not_call"`
	DoNotContact string `yaml:"do_not_contact"`
	// Custom maps an output field name (lower case letters, digits and
	// underscores; it becomes an export column) to a source column.
	Custom map[string]string `yaml:"custom"`
	// PhoneRegion is the CLDR region used for numbers written without a
	// country code; empty means "US".
	PhoneRegion string `yaml:"phone_region"`
}

// fields lists the mapping's standard fields as (yaml key, column) pairs in a
// fixed order.
func (m *ContactMapping) fields() [][2]string {
	return [][2]string{
		{"id", m.ID}, {"first_name", m.First}, {"last_name", m.Last}, {"email", m.Email},
		{"phone", m.Phone}, {"mobile", m.Mobile}, {"street", m.Street}, {"city", m.City},
		{"state", m.State}, {"zip", m.Zip}, {"lat", m.Lat}, {"lon", m.Lon}, {"geoid", m.GEOID},
		{"opt_in", m.OptIn}, {"sms_opt_in", m.SMSOptIn}, {"do_not_call", m.DoNotCall}, {"do_not_contact", m.DoNotContact},
	}
}

func (m *ContactMapping) region() string {
	if m.PhoneRegion == "" {
		return "US"
	}
	return strings.ToUpper(m.PhoneRegion)
}

// Validate checks the mapping on its own, before any file is opened, and
// reports every problem at once (joined with errors.Join), each prefixed with
// its key.
func (m *ContactMapping) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Email == "" && m.Phone == "" && m.Mobile == "" {
		add("email, phone, mobile: none is mapped; map at least one, a contact must be reachable")
	}
	if (m.Lat == "") != (m.Lon == "") {
		add("lat, lon: only one is mapped; map both columns or neither")
	}
	if m.Lat == "" && m.GEOID == "" && m.Zip == "" {
		add("lat/lon, geoid, zip: none is mapped; map one of them so contacts can be placed in areas")
	}
	used := map[string]string{}
	use := func(key, col string) {
		if col == "" {
			return
		}
		if prev, dup := used[col]; dup {
			add("%s: column %q is already mapped to %s; map each column once", key, col, prev)
			return
		}
		used[col] = key
	}
	for _, f := range m.fields() {
		use(f[0], f[1])
	}
	std := map[string]bool{}
	for _, f := range m.fields() {
		std[f[0]] = true
	}
	for _, name := range slices.Sorted(maps.Keys(m.Custom)) {
		key := "custom." + name
		if !validFieldName(name) {
			add("%s: field name must be lower case letters, digits and underscores, starting with a letter", key)
		}
		if std[name] {
			add("%s: %q is a standard field; map it with its own key", key, name)
		}
		if m.Custom[name] == "" {
			add("%s: no source column given", key)
			continue
		}
		use(key, m.Custom[name])
	}
	if m.PhoneRegion != "" {
		ok := false
		for r := range phonenumbers.GetSupportedRegions() {
			if r == m.region() {
				ok = true
				break
			}
		}
		if !ok {
			add("phone_region: %q is not a region code; use a two-letter code such as US", m.PhoneRegion)
		}
	}
	return errors.Join(errs...)
}

// CheckHeader reports every mapped column missing from header, naming the
// file and suggesting a header of the same spelling in another case.
func (m *ContactMapping) CheckHeader(file string, header []string) error {
	have := map[string]bool{}
	for _, h := range header {
		have[h] = true
	}
	var errs []error
	check := func(key, col string) {
		if col == "" || have[col] {
			return
		}
		errs = append(errs, &ParseError{File: file, Line: 1, Column: col,
			Err: fmt.Errorf("mapped as %s but not in the header%s", key, suggest.Hint(col, header))})
	}
	for _, f := range m.fields() {
		check(f[0], f[1])
	}
	for _, name := range slices.Sorted(maps.Keys(m.Custom)) {
		check("custom."+name, m.Custom[name])
	}
	return errors.Join(errs...)
}

func validFieldName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

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
	file    string
	r       *csv.Reader
	m       ContactMapping
	p       Placer
	ncols   int
	idx     map[string]int // yaml key -> column index
	custom  []string       // custom names, sorted
	cidx    []int
	seen    map[uint64]int
	ids     map[uint64]int // hashed contact ID -> line
	dnc     Suppressions
	stats   ContactStats
	notes   notes.Set
	started bool
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
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := readHeader(cr, file, "a header row")
	if err != nil {
		return nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
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

// parseYesNo reads the usual spreadsheet spellings of a flag; ok is false for
// anything else.
func parseYesNo(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "t", "1", "x", "opted in", "opt-in", "opt in", "subscribed":
		return true, true
	case "n", "no", "false", "f", "0", "opted out", "opt-out", "opt out", "unsubscribed":
		return false, true
	}
	return false, false
}

// NormalizePhone parses s as a phone number (numbers without a country code
// are read in region, a CLDR code such as "US") and returns it in E.164
// ("+15105550123"). Extensions ("x23", "ext. 23") are dropped. A number
// holding any other letter is refused: in a list of people a letter is a
// typo for a digit far more often than a vanity number (libphonenumber
// would read "555-01O1" as 555-0161), so it is never guessed. Numbers
// libphonenumber does not consider valid for their region are refused.
func NormalizePhone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty phone number")
	}
	if letters := phoneLetters(s); letters != "" {
		return "", fmt.Errorf("%q holds the letter(s) %s: a letter in a phone number is usually a typo for a digit (O for 0, I or l for 1); fix the number (a vanity number such as 1-800-FLOWERS: write its digits)", s, letters)
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number: %w", s, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		if r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())); strings.HasPrefix(s, "+") && r != "ZZ" {
			return "", fmt.Errorf("%q is not a valid phone number of its country (%s, +%d)", s, r, n.GetCountryCode())
		}
		return "", fmt.Errorf("%q is not a valid phone number for region %s; write it with its area code, or with +country code", s, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// phoneExtension matches an extension at the end of a phone number.
var phoneExtension = regexp.MustCompile(`(?i)\s*(?:;ext=|ext\.?|extension|x|#)\s*[0-9]+\s*$`)

// phoneLetters returns the letters of s outside a trailing extension, each
// once, in order ("" when there are none).
func phoneLetters(s string) string {
	s = phoneExtension.ReplaceAllString(s, "")
	var out []rune
	for _, r := range s {
		if unicode.IsLetter(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// PhoneCountry returns the CLDR region ("GB") and country calling code
// ("44") of an E.164 number, read from the number itself. A number shared
// by several regions (+1 covers the US, Canada and the Caribbean) gets the
// region libphonenumber assigns to its area code. Both are empty when e164
// does not parse.
func PhoneCountry(e164 string) (region, callingCode string) {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return "", ""
	}
	return phonenumbers.GetRegionCodeForNumber(n), strconv.Itoa(int(n.GetCountryCode()))
}

// NormalizeEmail checks that s is a bare email address (RFC 5322 addr-spec as
// net/mail parses it, no display name) with a dotted domain, at most 254
// characters and a local part of at most 64, and returns it with the domain
// lower-cased.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty email")
	}
	if len(s) > 254 {
		return "", fmt.Errorf("email of %d characters, the limit is 254", len(s))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > 64 {
		return "", fmt.Errorf("%q: the part before @ is longer than 64 characters", s)
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return "", fmt.Errorf("%q: domain %q is not a dotted host name", s, domain)
	}
	return local + "@" + domain, nil
}

// NormalizeZIP accepts a US ZIP ("94601") or ZIP+4 ("94601-1234" or
// "946011234") and returns "94601" or "94601-1234".
func NormalizeZIP(s string) (string, error) {
	s = strings.TrimSpace(s)
	d := strings.ReplaceAll(s, "-", "")
	switch {
	case len(d) == 5 && allDigits(d):
		return d, nil
	case len(d) == 9 && allDigits(d):
		return d[:5] + "-" + d[5:], nil
	case (len(d) == 4 || len(d) == 8) && allDigits(d):
		return "", fmt.Errorf("ZIP %q has %d digits: a leading zero was probably lost; format the column as text", s, len(d))
	}
	return "", fmt.Errorf("%q is not a 5-digit ZIP or ZIP+4", s)
}

// ValidateGEOID checks a tract (11 digits: state 2, county 3, tract 6) or
// block-group (12 digits) GEOID written as text and returns it. It explains
// the two ways spreadsheets break GEOIDs: a lost leading zero and scientific
// notation.
func ValidateGEOID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if allDigits(s) && (len(s) == 11 || len(s) == 12) {
		return s, nil
	}
	if allDigits(s) && (len(s) == 10 || len(s) == 9) {
		return "", fmt.Errorf("GEOID %q has %d digits: a leading zero was probably lost (write 0%s); format the column as text", s, len(s), s)
	}
	if strings.ContainsAny(s, "eE") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "", fmt.Errorf("GEOID %q is in scientific notation: a spreadsheet turned it into a number; format the column as text and re-enter it", s)
		}
	}
	if strings.HasSuffix(s, ".0") && allDigits(strings.TrimSuffix(s, ".0")) {
		return "", fmt.Errorf("GEOID %q was stored as a number; write it as 11 or 12 digits of text", s)
	}
	return "", fmt.Errorf("%q is not a tract (11-digit) or block-group (12-digit) GEOID", s)
}

// ParseLonLat parses decimal-degree longitude and latitude (EPSG:4326) and
// refuses empty halves, non-numbers, values out of range, and (0, 0). It
// points out a likely swap of the two columns.
func ParseLonLat(lon, lat string) (orb.Point, error) {
	if lon == "" || lat == "" {
		return orb.Point{}, fmt.Errorf("only one of longitude %q and latitude %q is given", lon, lat)
	}
	x, errx := strconv.ParseFloat(lon, 64)
	y, erry := strconv.ParseFloat(lat, 64)
	bad := func(err error, v float64) bool { return err != nil || math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(errx, x) && bad(erry, y):
		return orb.Point{}, fmt.Errorf("longitude %q, latitude %q: not decimal degrees", lon, lat)
	case bad(erry, y):
		return orb.Point{}, fmt.Errorf("latitude %q: not decimal degrees", lat)
	case bad(errx, x):
		return orb.Point{}, fmt.Errorf("longitude %q: not decimal degrees", lon)
	}
	if y < -90 || y > 90 || x < -180 || x > 180 {
		switch {
		case x >= -90 && x <= 90 && y >= -180 && y <= 180:
			return orb.Point{}, fmt.Errorf("latitude %s is out of range but longitude %s would fit: are the lat and lon columns swapped?", lat, lon)
		case x >= -180 && x <= 180:
			return orb.Point{}, fmt.Errorf("latitude %s is outside -90..90; coordinates must be EPSG:4326 degrees", lat)
		case y >= -90 && y <= 90:
			return orb.Point{}, fmt.Errorf("longitude %s is outside -180..180; coordinates must be EPSG:4326 degrees", lon)
		}
		return orb.Point{}, fmt.Errorf("longitude %s, latitude %s are outside lon/lat range; coordinates must be EPSG:4326 degrees (reproject them)", lon, lat)
	}
	if x == 0 && y == 0 {
		return orb.Point{}, errors.New("point (0, 0) is a placeholder, not a location")
	}
	return orb.Point{x, y}, nil
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
