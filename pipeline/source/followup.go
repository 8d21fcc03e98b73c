package source

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// AttendanceMapping names the columns of one attendance file of an event:
// a sign-up export (Kind "signups", one row per sign-up and timeslot, with a
// status and whether the person came) or a sign-in sheet (Kind "signins",
// one row per person who came; status and attended are not read).
//
// Preset fills the unmapped keys of a sign-up export with the column names
// of a known export:
//
//   - "mobilize_api" (the default for signups): the field names of
//     Mobilize's public API (Attendance: status, attended; its Person:
//     given_name, family_name, email_address, phone_number, postal_code;
//     event_id, event_title, timeslot_start), which the demo fixture uses.
//   - "mobilize_participations": the columns of Mobilize's "participations"
//     SQL view (github.com/mobilizeamerica/api, sql_data_dictionary):
//     event_id, timeslot_id, user__given_name, user__family_name,
//     user__email_address, user__phone_number, user__postal_code, status,
//     attended.
//
// The columns of the CSV that Mobilize's dashboard "Export signups" button
// writes are not published (unverified): map them by hand. A sign-in sheet
// has no preset. Only mapped columns are read.
type AttendanceMapping struct {
	Kind       string `yaml:"kind"`
	Preset     string `yaml:"preset"`
	Event      string `yaml:"event"` // a fixed event name for files without an event column
	EventID    string `yaml:"event_id"`
	EventTitle string `yaml:"event_title"`
	Timeslot   string `yaml:"timeslot"`
	Email      string `yaml:"email"`
	Phone      string `yaml:"phone"`
	First      string `yaml:"first_name"`
	Last       string `yaml:"last_name"`
	Street     string `yaml:"street"`
	Zip        string `yaml:"zip"`
	Status     string `yaml:"status"`
	Attended   string `yaml:"attended"`
	// PhoneRegion reads numbers without a country code; empty means "US".
	PhoneRegion string `yaml:"phone_region"`
}

// Attendance kinds.
const (
	SignUps = "signups"
	SignIns = "signins"
)

var attendancePresets = map[string]AttendanceMapping{
	"mobilize_api": {EventID: "event_id", EventTitle: "event_title", Timeslot: "timeslot_start", Email: "email_address",
		Phone: "phone_number", First: "given_name", Last: "family_name", Zip: "postal_code", Status: "status", Attended: "attended"},
	"mobilize_participations": {EventID: "event_id", Timeslot: "timeslot_id", Email: "user__email_address",
		Phone: "user__phone_number", First: "user__given_name", Last: "user__family_name", Zip: "user__postal_code",
		Status: "status", Attended: "attended"},
}

// Validate checks the mapping before any file is read and reports every
// problem at once.
func (m AttendanceMapping) Validate() error {
	var errs []error
	switch m.Kind {
	case "", SignUps, SignIns:
	default:
		errs = append(errs, fmt.Errorf("kind: %q is not %s or %s", m.Kind, SignUps, SignIns))
	}
	if m.Preset != "" {
		if _, ok := attendancePresets[m.Preset]; !ok {
			errs = append(errs, fmt.Errorf("preset: %q is unknown; use mobilize_api or mobilize_participations", m.Preset))
		}
		if m.Kind == SignIns {
			errs = append(errs, errors.New("preset: a sign-in sheet has no preset; map its columns"))
		}
	}
	w := m.withDefaults()
	if w.Email == "" && w.Phone == "" && (w.First == "" || w.Last == "") {
		errs = append(errs, errors.New("email, phone, first_name/last_name: map at least one way to recognise a person"))
	}
	if w.kind() == SignUps && w.Status == "" {
		errs = append(errs, errors.New("status: a sign-up export needs its status column (REGISTERED, CONFIRMED, CANCELLED)"))
	}
	return errors.Join(errs...)
}

func (m AttendanceMapping) kind() string {
	if m.Kind == "" {
		return SignUps
	}
	return m.Kind
}

func (m AttendanceMapping) withDefaults() AttendanceMapping {
	if m.kind() != SignUps {
		return m
	}
	p := attendancePresets["mobilize_api"]
	if m.Preset != "" {
		p = attendancePresets[m.Preset]
	}
	fill := func(dst *string, def string) {
		if *dst == "" {
			*dst = def
		}
	}
	fill(&m.EventID, p.EventID)
	fill(&m.EventTitle, p.EventTitle)
	fill(&m.Timeslot, p.Timeslot)
	fill(&m.Email, p.Email)
	fill(&m.Phone, p.Phone)
	fill(&m.First, p.First)
	fill(&m.Last, p.Last)
	fill(&m.Zip, p.Zip)
	fill(&m.Status, p.Status)
	fill(&m.Attended, p.Attended)
	return m
}

// Attendee is one row of an attendance file: a person at one event
// timeslot. Email is normalised (domain lower-cased) and Phone E.164 when
// they parse, else empty. Status is REGISTERED, CONFIRMED or CANCELLED for
// sign-ups and empty for sign-ins. Came is whether the person came: the
// attended column of a sign-up, always true on a sign-in sheet.
type Attendee struct {
	File, Event, Timeslot     string
	Line                      int
	Email, Phone, First, Last string
	Street, Zip               string
	Status                    string
	Came                      bool
}

// ReadAttendance reads an attendance file. Rows it cannot use (a status or
// attended value it does not understand, a row with no email, phone or name
// to recognise the person by) are skipped and returned as ParseErrors; only
// I/O and header problems are errors. A person repeated for the same event
// and timeslot is kept once per row here; FollowUp merges them.
func ReadAttendance(ctx context.Context, r io.Reader, file string, m AttendanceMapping) ([]Attendee, []*ParseError, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, fmt.Errorf("attendance mapping for %s: %w", file, err)
	}
	kind := m.kind()
	u := m // what the user mapped, before the preset
	m = m.withDefaults()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := readHeader(cr, file, "a header row")
	if err != nil {
		return nil, nil, err
	}
	h := newHeaderIndex(file, header)
	// Columns a preset supplies are optional when absent; columns the user
	// mapped must exist.
	var errs []error
	opt := func(key, col, userCol string) int {
		if userCol == "" {
			if i, ok := h.pos[col]; ok {
				return i
			}
			return -1
		}
		return h.need(&errs, key, col)
	}
	iEv := opt("event_id", m.EventID, u.EventID)
	iTitle := opt("event_title", m.EventTitle, u.EventTitle)
	iSlot := opt("timeslot", m.Timeslot, u.Timeslot)
	iEmail := opt("email", m.Email, u.Email)
	iPhone := opt("phone", m.Phone, u.Phone)
	iFirst := opt("first_name", m.First, u.First)
	iLast := opt("last_name", m.Last, u.Last)
	iStreet := opt("street", m.Street, u.Street)
	iZip := opt("zip", m.Zip, u.Zip)
	iStatus, iAtt := -1, -1
	if kind == SignUps {
		iStatus = h.need(&errs, "status", m.Status)
		iAtt = opt("attended", m.Attended, u.Attended)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if iEmail < 0 && iPhone < 0 && (iFirst < 0 || iLast < 0) {
		return nil, nil, &ParseError{File: file, Line: 1, Err: errors.New("no email, phone or name column in the header; map one")}
	}
	region := m.PhoneRegion
	if region == "" {
		region = "US"
	}
	var out []Attendee
	var bad []*ParseError
	skip := func(line int, col string, err error) {
		bad = append(bad, &ParseError{File: file, Line: line, Column: col, Err: err})
	}
	rows := 0
	err = eachRecord(ctx, cr, file, len(h.cols), &rows, func(line int, err error) { skip(line, "", err) }, func(rec []string, line int) error {
		a := Attendee{File: file, Line: line, Timeslot: cell(rec, iSlot), First: cell(rec, iFirst), Last: cell(rec, iLast),
			Street: cell(rec, iStreet)}
		a.Event = m.Event
		if a.Event == "" {
			a.Event = strings.TrimSpace(cell(rec, iEv) + " " + cell(rec, iTitle))
		}
		if a.Event == "" {
			a.Event = "(no event)"
		}
		if e, err := NormalizeEmail(cell(rec, iEmail)); err == nil {
			a.Email = e
		}
		if p, err := NormalizePhone(cell(rec, iPhone), region); err == nil {
			a.Phone = p
		}
		if z, err := NormalizeZIP(cell(rec, iZip)); err == nil {
			a.Zip = z
		}
		if a.Email == "" && a.Phone == "" && (a.First == "" || a.Last == "") {
			skip(line, "", errors.New("no usable email, phone or name: the person cannot be recognised"))
			return nil
		}
		if kind == SignIns {
			a.Came = true
			out = append(out, a)
			return nil
		}
		status, ok := parseStatus(cell(rec, iStatus))
		if !ok {
			skip(line, m.Status, fmt.Errorf("status %q is not REGISTERED, CONFIRMED or CANCELLED", cell(rec, iStatus)))
			return nil
		}
		a.Status = status
		came, ok := parseAttended(cell(rec, iAtt))
		if !ok {
			skip(line, m.Attended, fmt.Errorf("attended value %q is not yes/no", cell(rec, iAtt)))
			return nil
		}
		a.Came = came
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, bad, nil
}

func parseStatus(v string) (string, bool) {
	switch s := strings.ToUpper(strings.TrimSpace(v)); s {
	case "":
		return "REGISTERED", true
	case "REGISTERED", "CONFIRMED", "CANCELLED":
		return s, true
	case "CANCELED":
		return "CANCELLED", true
	}
	return "", false
}

// parseAttended reads Mobilize's attended (true/false, empty when not set)
// and the usual spreadsheet spellings; empty is "did not come".
func parseAttended(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return false, true
	case "attended", "checked in", "present":
		return true, true
	case "no show", "no-show", "absent":
		return false, true
	}
	return parseYesNo(v)
}

// Match rules, in the order they are tried.
const (
	MatchEmail       = "email"
	MatchPhone       = "phone"
	MatchNameAddress = "name+address"
	MatchNone        = "none"
)

// Match is how one attendance row was matched to the contact list: the rule
// that found the contact, the contact's ID and line, and Note for
// disagreements (another rule pointed to another contact) and ambiguity
// (the rule found several contacts, so none was taken). Candidates lists
// the contact IDs (or "line N") involved when Note is set.
type Match struct {
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Event       string   `json:"event"`
	Rule        string   `json:"rule"`
	Contact     string   `json:"contact,omitempty"`
	ContactLine int      `json:"contact_line,omitempty"`
	Note        string   `json:"note,omitempty"`
	Candidates  []string `json:"candidates,omitempty"`
}

// Matcher matches attendance rows to a contact list streamed through Offer:
// by email, then phone, then first name, last name and street address
// (compared without case, punctuation or the usual street-type spellings:
// "Blvd" is "Boulevard"). It keeps only the contacts that match some row,
// so a list of millions of contacts costs the memory of the attendees. Not
// safe for concurrent use.
type Matcher struct {
	att      []Attendee
	byEmail  map[string][]int
	byPhone  map[string][]int
	byName   map[string][]int
	contacts []Contact
	hits     [][3][]int // per attendee, per rule: indices into contacts
}

// NewMatcher indexes the attendance rows.
func NewMatcher(att []Attendee) *Matcher {
	m := &Matcher{att: att, byEmail: map[string][]int{}, byPhone: map[string][]int{}, byName: map[string][]int{}, hits: make([][3][]int, len(att))}
	for i, a := range att {
		if a.Email != "" {
			m.byEmail[strings.ToLower(a.Email)] = append(m.byEmail[strings.ToLower(a.Email)], i)
		}
		if a.Phone != "" {
			m.byPhone[a.Phone] = append(m.byPhone[a.Phone], i)
		}
		if k := nameAddressKey(a.First, a.Last, a.Street); k != "" {
			m.byName[k] = append(m.byName[k], i)
		}
	}
	return m
}

// Offer looks c up against every attendance row and keeps it if it
// matches one by any rule.
func (m *Matcher) Offer(c Contact) {
	ci := -1
	keep := func(rows []int, rule int) {
		if len(rows) == 0 {
			return
		}
		if ci < 0 {
			ci = len(m.contacts)
			m.contacts = append(m.contacts, c)
		}
		for _, r := range rows {
			if l := m.hits[r][rule]; len(l) == 0 || l[len(l)-1] != ci {
				m.hits[r][rule] = append(l, ci)
			}
		}
	}
	if c.Email != "" {
		keep(m.byEmail[strings.ToLower(c.Email)], 0)
	}
	for _, p := range []string{c.Phone, c.Mobile} {
		if p != "" {
			keep(m.byPhone[p], 1)
		}
	}
	if k := nameAddressKey(c.First, c.Last, c.Street); k != "" {
		keep(m.byName[k], 2)
	}
}

var streetWords = map[string]string{"boulevard": "blvd", "avenue": "ave", "av": "ave", "street": "st", "road": "rd", "drive": "dr",
	"lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "highway": "hwy", "parkway": "pkwy", "circle": "cir", "way": "way",
	"north": "n", "south": "s", "east": "e", "west": "w", "apartment": "apt", "suite": "ste", "unit": "unit"}

// nameAddressKey is "first|last|street" lower-cased, without punctuation,
// street types abbreviated; empty unless all three are given.
func nameAddressKey(first, last, street string) string {
	norm := func(s string, street bool) string {
		f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if street {
			for i, w := range f {
				if a, ok := streetWords[w]; ok {
					f[i] = a
				}
			}
		}
		return strings.Join(f, " ")
	}
	a, b, c := norm(first, false), norm(last, false), norm(street, true)
	if a == "" || b == "" || c == "" {
		return ""
	}
	return a + "|" + b + "|" + c
}

func contactRef(c Contact) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("line %d", c.Line)
}

// FollowUpCount is one event's turnout for a group (the event as a whole, a
// segment, or an area: Kind "event", "segment", "area", "tract" or
// "not in contact list"), counted per person:
//
//   - Confirmed: the sign-up status is CONFIRMED.
//   - Came: the person came (attended on the sign-up, or on a sign-in sheet).
//   - NoShows: confirmed and did not come.
//   - WalkIns: came without confirming (registered only, or no sign-up).
//   - Registered: signed up, neither confirmed nor cancelled.
//   - Cancelled: the sign-up status is CANCELLED.
type FollowUpCount struct {
	Key        string `json:"key"`
	Kind       string `json:"kind"`
	Confirmed  int    `json:"confirmed"`
	Came       int    `json:"came"`
	NoShows    int    `json:"no_shows"`
	WalkIns    int    `json:"walk_ins"`
	Registered int    `json:"registered"`
	Cancelled  int    `json:"cancelled"`
}

// EventFollowUp is one event's turnout and its three-contact plan lists.
// Reminder holds the confirmed people (for the reminder text the day
// before), Confirm the registered people not yet confirmed (for the
// confirmation call), NoShow the confirmed people who did not come (for the
// follow-up). The lists hold matched contacts only, in contact-list order:
// consent comes from the contact list, so a person not in it is counted in
// NotInList (by list name) and in no list. Which channel each contact may
// be reached on is the export's decision (reports/outreach).
type EventFollowUp struct {
	Event     string          `json:"event"`
	Total     FollowUpCount   `json:"total"`
	BySegment []FollowUpCount `json:"by_segment"`
	ByArea    []FollowUpCount `json:"by_area"`
	Reminder  []Contact       `json:"-"`
	Confirm   []Contact       `json:"-"`
	NoShow    []Contact       `json:"-"`
	NotInList map[string]int  `json:"not_in_contact_list,omitempty"`
}

// FollowUpResult is the follow-up loop of every event in the attendance
// files: events sorted by name, every row's match, and the rows whose match
// was ambiguous or disputed (also in Matches, with Note set).
type FollowUpResult struct {
	Events    []EventFollowUp `json:"events"`
	Matches   []Match         `json:"matches"`
	Ambiguous []Match         `json:"ambiguous"`
}

type person struct {
	contact        int // index into m.contacts, or -1
	status         string
	signedUp, came bool
	zip            string
}

// Resolve matches every attendance row and builds each event's turnout and
// lists. A row is matched by the first rule that finds exactly one contact;
// a rule that finds several contacts makes the row ambiguous (listed, and
// unmatched unless a later rule finds exactly one); a later rule that points
// to another contact than the one taken is listed as a disagreement. Rows
// of the same person (same contact, or for unmatched rows the same email,
// else phone, else row) and event are merged: the last sign-up status wins
// and the person came if any row says so. zipSegments gives the segments of
// people not in the contact list by ZIP (may be nil).
func (m *Matcher) Resolve(zipSegments map[string][]string) *FollowUpResult {
	res := &FollowUpResult{Matches: []Match{}, Ambiguous: []Match{}}
	rules := []string{MatchEmail, MatchPhone, MatchNameAddress}
	events := map[string]map[string]*person{}
	var eventOrder []string
	order := map[string][]string{}
	for i, a := range m.att {
		mt := Match{File: a.File, Line: a.Line, Event: a.Event, Rule: MatchNone}
		chosen := -1
		for r := 0; r < 3; r++ {
			h := m.hits[i][r]
			switch {
			case len(h) == 0:
			case chosen < 0 && len(h) == 1:
				chosen = h[0]
				mt.Rule = rules[r]
			case chosen < 0:
				mt.Note = appendNote(mt.Note, fmt.Sprintf("%s matches %d contacts; not merged", rules[r], len(h)))
				for _, c := range h {
					mt.Candidates = append(mt.Candidates, contactRef(m.contacts[c]))
				}
			case len(h) > 1 || h[0] != chosen:
				mt.Note = appendNote(mt.Note, fmt.Sprintf("%s points to another contact", rules[r]))
				for _, c := range h {
					if c != chosen {
						mt.Candidates = append(mt.Candidates, contactRef(m.contacts[c]))
					}
				}
			}
		}
		if chosen >= 0 {
			mt.Contact, mt.ContactLine = contactRef(m.contacts[chosen]), m.contacts[chosen].Line
			if mt.Note != "" {
				mt.Candidates = append([]string{mt.Contact}, mt.Candidates...)
			}
		}
		res.Matches = append(res.Matches, mt)
		if mt.Note != "" {
			res.Ambiguous = append(res.Ambiguous, mt)
		}
		key := ""
		switch {
		case chosen >= 0:
			key = fmt.Sprintf("c%d", chosen)
		case a.Email != "":
			key = "e" + strings.ToLower(a.Email)
		case a.Phone != "":
			key = "p" + a.Phone
		default:
			key = fmt.Sprintf("r%s:%d", a.File, a.Line)
		}
		ev := events[a.Event]
		if ev == nil {
			ev = map[string]*person{}
			events[a.Event] = ev
			eventOrder = append(eventOrder, a.Event)
		}
		p := ev[key]
		if p == nil {
			p = &person{contact: chosen}
			ev[key] = p
			order[a.Event] = append(order[a.Event], key)
		}
		if a.Status != "" {
			p.status, p.signedUp = a.Status, true
		}
		p.came = p.came || a.Came
		if p.zip == "" {
			p.zip = a.Zip
		}
	}
	sort.Strings(eventOrder)
	for _, name := range eventOrder {
		ev := events[name]
		ef := EventFollowUp{Event: name, Total: FollowUpCount{Key: name, Kind: "event"}, NotInList: map[string]int{}}
		bySeg, byArea := map[string]*FollowUpCount{}, map[string]*FollowUpCount{}
		var rem, conf, ns []int
		for _, key := range order[name] {
			p := ev[key]
			var segs []string
			areaKey, areaKind := "", "not in contact list"
			if p.contact >= 0 {
				c := m.contacts[p.contact]
				segs = c.Segments
				switch {
				case c.Area != "":
					areaKey, areaKind = c.Area, "area"
				case c.Tract != "":
					areaKey, areaKind = c.Tract, "tract"
				default:
					areaKind = "unplaced"
				}
			} else if z := zip5(p.zip); z != "" {
				segs = uniqueSorted(zipSegments[z])
			}
			targets := []*FollowUpCount{&ef.Total}
			for _, s := range segs {
				if bySeg[s] == nil {
					bySeg[s] = &FollowUpCount{Key: s, Kind: "segment"}
				}
				targets = append(targets, bySeg[s])
			}
			ak := areaKind + "\x00" + areaKey
			if byArea[ak] == nil {
				byArea[ak] = &FollowUpCount{Key: areaKey, Kind: areaKind}
			}
			targets = append(targets, byArea[ak])
			confirmed := p.status == "CONFIRMED"
			for _, t := range targets {
				switch {
				case confirmed:
					t.Confirmed++
				case p.status == "CANCELLED":
					t.Cancelled++
				case p.signedUp:
					t.Registered++
				}
				if p.came {
					t.Came++
					if !confirmed {
						t.WalkIns++
					}
				} else if confirmed {
					t.NoShows++
				}
			}
			add := func(list string, dst *[]int) {
				if p.contact < 0 {
					ef.NotInList[list]++
					return
				}
				*dst = append(*dst, p.contact)
			}
			switch {
			case confirmed && !p.came:
				add("reminder", &rem)
				add("no_show", &ns)
			case confirmed:
				add("reminder", &rem)
			case p.status == "REGISTERED" && p.signedUp:
				add("confirm", &conf)
			}
		}
		pick := func(idx []int) []Contact {
			sort.Ints(idx)
			out := make([]Contact, 0, len(idx))
			for _, i := range idx {
				out = append(out, m.contacts[i])
			}
			return out
		}
		ef.Reminder, ef.Confirm, ef.NoShow = pick(rem), pick(conf), pick(ns)
		for _, k := range slices.Sorted(maps.Keys(bySeg)) {
			ef.BySegment = append(ef.BySegment, *bySeg[k])
		}
		for _, k := range slices.Sorted(maps.Keys(byArea)) {
			ef.ByArea = append(ef.ByArea, *byArea[k])
		}
		if len(ef.NotInList) == 0 {
			ef.NotInList = nil
		}
		res.Events = append(res.Events, ef)
	}
	return res
}

func appendNote(note, s string) string {
	if note == "" {
		return s
	}
	return note + "; " + s
}
