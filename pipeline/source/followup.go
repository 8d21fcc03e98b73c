package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
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
// attended column of a sign-up, always true on a sign-in sheet. Event
// tells events apart (the event id and title, or the mapped event name);
// Title is what a person reads (the title, else the event name, else the
// id). Timeslot is the timeslot cell as written (a start time in
// mobilize_api, an id in mobilize_participations).
type Attendee struct {
	File, Event, Title, Timeslot string
	Line                         int
	Email, Phone, First, Last    string
	Street, Zip                  string
	Status                       string
	Came                         bool
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
	cr := newCSVReader(r)
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
		a.Title = cell(rec, iTitle)
		if a.Title == "" {
			a.Title = a.Event
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
