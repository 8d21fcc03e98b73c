package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
)

// SignInMapping names the columns of an event sign-in / attendance export.
// Every key has a default modelled on Mobilize's attendance data (the field
// names of its API's Attendance and Person objects, which its attendee
// export follows): event_id, event_title, timeslot_start, email_address,
// postal_code, status, attended. Only these columns are read; names and
// phones are never needed.
type SignInMapping struct {
	EventID    string `yaml:"event_id"`
	EventTitle string `yaml:"event_title"`
	Timeslot   string `yaml:"timeslot"`
	Email      string `yaml:"email"`
	Zip        string `yaml:"zip"`
	// Lat and Lon are optional (an address geocoded by the organizer).
	Lat string `yaml:"lat"`
	Lon string `yaml:"lon"`
	// Status holds the sign-up status: REGISTERED, CONFIRMED or CANCELLED
	// (Mobilize's values, any case); empty counts as REGISTERED.
	Status string `yaml:"status"`
	// Attended holds whether the person came: true/false, yes/no, 1/0,
	// "attended"/"no show"; empty means not recorded (not attended).
	Attended string `yaml:"attended"`
}

func (m SignInMapping) withDefaults() SignInMapping {
	m.EventID = orDefault(m.EventID, "event_id")
	m.EventTitle = orDefault(m.EventTitle, "event_title")
	m.Timeslot = orDefault(m.Timeslot, "timeslot_start")
	m.Email = orDefault(m.Email, "email_address")
	m.Zip = orDefault(m.Zip, "postal_code")
	m.Status = orDefault(m.Status, "status")
	m.Attended = orDefault(m.Attended, "attended")
	return m
}

// SignIn is one usable row of a sign-in export. Event is the event ID and
// title joined by a space ("(no event)" when both are empty); Email is as
// written, trimmed; Zip is the normalised ZIP, empty when missing or not a
// ZIP; Point is the row's lat/lon, nil when not mapped or not valid; Status
// is REGISTERED, CONFIRMED or CANCELLED.
type SignIn struct {
	Line     int
	Event    string
	Timeslot string
	Email    string
	Zip      string
	Point    *orb.Point
	Status   string
	Attended bool
}

// RowStats counts the rows a reader streamed: Rows read, Skipped those it
// could not use, Examples the first MaxExamples problems, in file order.
type RowStats struct {
	Rows     int
	Skipped  int
	Examples []*ParseError
}

// skip counts a row not used and keeps it as an example.
func (s *RowStats) skip(file string, line int, col string, err error) {
	s.Skipped++
	s.example(file, line, col, err)
}

// example keeps a problem as an example, up to MaxExamples.
func (s *RowStats) example(file string, line int, col string, err error) {
	if len(s.Examples) < MaxExamples {
		s.Examples = append(s.Examples, &ParseError{File: file, Line: line, Column: col, Err: err})
	}
}

// ScanSignIns reads an event sign-in or attendance export (see
// SignInMapping) one row at a time and calls fn with each usable row, in
// file order. Rows with an unknown status or attended value are skipped and
// counted; only I/O and header problems, and fn's errors, are returned.
func ScanSignIns(ctx context.Context, r io.Reader, file string, m SignInMapping, fn func(SignIn) error) (RowStats, error) {
	var s RowStats
	if (m.Lat == "") != (m.Lon == "") {
		return s, fmt.Errorf("sign-in mapping for %s: lat, lon: only one is mapped; map both or neither", file)
	}
	m = m.withDefaults()
	cr := newCSVReader(r)
	cr.FieldsPerRecord = -1
	header, err := readHeader(cr, file, "a header row")
	if err != nil {
		return s, err
	}
	h := newHeaderIndex(file, header)
	var errs []error
	iEv, iTitle, iSlot := h.need(&errs, "event_id", m.EventID), h.need(&errs, "event_title", m.EventTitle), h.need(&errs, "timeslot", m.Timeslot)
	iEmail, iZip := h.need(&errs, "email", m.Email), h.need(&errs, "zip", m.Zip)
	iStatus, iAtt := h.need(&errs, "status", m.Status), h.need(&errs, "attended", m.Attended)
	iLat, iLon := h.need(&errs, "lat", m.Lat), h.need(&errs, "lon", m.Lon)
	if len(errs) > 0 {
		return s, errors.Join(errs...)
	}
	err = eachRecord(ctx, cr, file, len(h.cols), &s.Rows, func(line int, err error) { s.skip(file, line, "", err) }, func(rec []string, line int) error {
		status := strings.ToUpper(cell(rec, iStatus))
		switch status {
		case "":
			status = "REGISTERED"
		case "REGISTERED", "CONFIRMED", "CANCELLED":
		case "CANCELED":
			status = "CANCELLED"
		default:
			s.skip(file, line, m.Status, fmt.Errorf("status %q is not REGISTERED, CONFIRMED or CANCELLED", cell(rec, iStatus)))
			return nil
		}
		att := false
		if v := cell(rec, iAtt); v != "" {
			switch strings.ToLower(v) {
			case "attended", "checked in", "present":
				att = true
			case "no show", "no-show", "absent":
			default:
				yes, ok := parseYesNo(v)
				if !ok {
					s.skip(file, line, m.Attended, fmt.Errorf("attended value %q is not yes/no", v))
					return nil
				}
				att = yes
			}
		}
		event := cell(rec, iEv)
		if t := cell(rec, iTitle); t != "" {
			event = strings.TrimSpace(event + " " + t)
		}
		if event == "" {
			event = "(no event)"
		}
		in := SignIn{Line: line, Event: event, Timeslot: cell(rec, iSlot), Email: cell(rec, iEmail), Status: status, Attended: att}
		if iLat >= 0 {
			if q, err := ParseLonLat(cell(rec, iLon), cell(rec, iLat)); err == nil {
				in.Point = &q
			}
		}
		if z, err := NormalizeZIP(cell(rec, iZip)); err == nil {
			in.Zip = z
		}
		return fn(in)
	})
	return s, err
}
