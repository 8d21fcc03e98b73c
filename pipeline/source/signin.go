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

// Turnout counts sign-ups and attendance for one group (a place, a segment,
// an event, or everything).
//
//   - SignedUp: sign-ups not cancelled (REGISTERED or CONFIRMED).
//   - Confirmed: sign-ups with status CONFIRMED.
//   - Attended: people marked as attended, whatever their status (walk-ins
//     included).
//   - ConfirmedAttended: confirmed and attended.
//   - Cancelled: sign-ups with status CANCELLED.
type Turnout struct {
	Key               string   `json:"key"`
	Kind              string   `json:"kind"`
	Segments          []string `json:"segments,omitempty"`
	SignedUp          int      `json:"signed_up"`
	Confirmed         int      `json:"confirmed"`
	Attended          int      `json:"attended"`
	ConfirmedAttended int      `json:"confirmed_attended"`
	Cancelled         int      `json:"cancelled"`
}

// ConfirmedRate is ConfirmedAttended / Confirmed, the share of people who
// confirmed and came; ok is false when nobody confirmed.
func (t Turnout) ConfirmedRate() (rate float64, ok bool) {
	if t.Confirmed == 0 {
		return 0, false
	}
	return float64(t.ConfirmedAttended) / float64(t.Confirmed), true
}

// NoShows is the number of people who confirmed and did not come: the list
// an organizer follows up.
func (t Turnout) NoShows() int { return t.Confirmed - t.ConfirmedAttended }

// TurnoutSummary is turnout by place (Kind area, tract, zip or unplaced, as
// in Place), by segment and by event, each sorted by Key, plus the total.
// A person (email, or the row when there is no email) is counted once per
// event timeslot; later rows for the same person and timeslot update the
// earlier one (the last status wins, attended if any row says attended).
type TurnoutSummary struct {
	File       string        `json:"file"`
	Rows       int           `json:"rows"`
	Duplicates int           `json:"duplicates"`
	Skipped    int           `json:"skipped"`
	Examples   []*ParseError `json:"-"`
	ByPlace    []Turnout     `json:"by_place"`
	BySegment  []Turnout     `json:"by_segment"`
	ByEvent    []Turnout     `json:"by_event"`
	Total      Turnout       `json:"total"`
}

type attendance struct {
	status   string
	attended bool
	place    Place
	segments []string
	event    string
}

// PlaceBook remembers where the contacts of a contact list were placed,
// keyed by a 64-bit hash of the lower-cased email (no email, name or address
// is kept), so that sign-ins can be placed where their contact was. Places
// are shared between contacts: memory is about 40 bytes per contact. Not safe
// for concurrent Add.
type PlaceBook struct {
	byEmail map[uint64]int32
	places  []bookPlace
	index   map[string]int32
}

type bookPlace struct {
	place    Place
	segments []string
}

// NewPlaceBook returns an empty book.
func NewPlaceBook() *PlaceBook {
	return &PlaceBook{byEmail: map[uint64]int32{}, index: map[string]int32{}}
}

// Add records c's place (its area, else its tract, else its ZIP) and
// segments. Contacts without an email are ignored.
func (b *PlaceBook) Add(c Contact) {
	if c.Email == "" {
		return
	}
	pl := Place{Kind: "unplaced"}
	switch {
	case c.Area != "":
		pl = Place{c.Area, "area"}
	case c.Tract != "":
		pl = Place{c.Tract, "tract"}
	case zip5(c.Zip) != "" && len(c.Segments) > 0:
		pl = Place{zip5(c.Zip), "zip"}
	}
	key := pl.Kind + "\x00" + pl.ID + "\x00" + strings.Join(c.Segments, "\x00")
	i, ok := b.index[key]
	if !ok {
		i = int32(len(b.places))
		b.places = append(b.places, bookPlace{pl, c.Segments})
		b.index[key] = i
	}
	b.byEmail[hashKey("e:"+strings.ToLower(c.Email))] = i
}

// Len is the number of contacts recorded.
func (b *PlaceBook) Len() int { return len(b.byEmail) }

func (b *PlaceBook) lookup(email string) (Place, []string, bool) {
	if b == nil || email == "" {
		return Place{}, nil, false
	}
	i, ok := b.byEmail[hashKey("e:"+strings.ToLower(email))]
	if !ok {
		return Place{}, nil, false
	}
	return b.places[i].place, b.places[i].segments, true
}

// ReadSignIns reads an event sign-in or attendance export (see
// SignInMapping) and computes turnout. A person whose email is in book (may
// be nil) is placed where their contact was; others by lat/lon when mapped,
// else by ZIP (see Placer: ZIP places give segments only through the ZIP
// list). It holds one small record per person and timeslot (for
// de-duplication), never names. Rows with an unknown status or attended
// value are skipped and counted; only I/O and header problems are errors.
func ReadSignIns(ctx context.Context, r io.Reader, file string, m SignInMapping, p *Placer, book *PlaceBook) (*TurnoutSummary, error) {
	if (m.Lat == "") != (m.Lon == "") {
		return nil, fmt.Errorf("sign-in mapping for %s: lat, lon: only one is mapped; map both or neither", file)
	}
	m = m.withDefaults()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := readHeader(cr, file, "a header row")
	if err != nil {
		return nil, err
	}
	h := newHeaderIndex(file, header)
	var errs []error
	iEv, iTitle, iSlot := h.need(&errs, "event_id", m.EventID), h.need(&errs, "event_title", m.EventTitle), h.need(&errs, "timeslot", m.Timeslot)
	iEmail, iZip := h.need(&errs, "email", m.Email), h.need(&errs, "zip", m.Zip)
	iStatus, iAtt := h.need(&errs, "status", m.Status), h.need(&errs, "attended", m.Attended)
	iLat, iLon := h.need(&errs, "lat", m.Lat), h.need(&errs, "lon", m.Lon)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &TurnoutSummary{File: file}
	skip := func(line int, col string, err error) {
		s.Skipped++
		if len(s.Examples) < MaxExamples {
			s.Examples = append(s.Examples, &ParseError{File: file, Line: line, Column: col, Err: err})
		}
	}
	people := map[string]*attendance{}
	var order []string
	err = eachRecord(ctx, cr, file, len(h.cols), &s.Rows, func(line int, err error) { skip(line, "", err) }, func(rec []string, line int) error {
		status := strings.ToUpper(cell(rec, iStatus))
		switch status {
		case "":
			status = "REGISTERED"
		case "REGISTERED", "CONFIRMED", "CANCELLED":
		case "CANCELED":
			status = "CANCELLED"
		default:
			skip(line, m.Status, fmt.Errorf("status %q is not REGISTERED, CONFIRMED or CANCELLED", cell(rec, iStatus)))
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
					skip(line, m.Attended, fmt.Errorf("attended value %q is not yes/no", v))
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
		who := strings.ToLower(cell(rec, iEmail))
		if who == "" {
			who = fmt.Sprintf("row %d", line)
		}
		key := event + "\x00" + cell(rec, iSlot) + "\x00" + who
		if prev, dup := people[key]; dup {
			s.Duplicates++
			prev.status = status
			prev.attended = prev.attended || att
			return nil
		}
		place, segs, found := book.lookup(cell(rec, iEmail))
		if !found {
			var pt *orb.Point
			if iLat >= 0 {
				if q, err := ParseLonLat(cell(rec, iLon), cell(rec, iLat)); err == nil {
					pt = &q
				}
			}
			zip := ""
			if z, err := NormalizeZIP(cell(rec, iZip)); err == nil {
				zip = z
			}
			place, segs = p.placeOf(pt, "", zip)
		}
		people[key] = &attendance{status: status, attended: att, place: place, segments: segs, event: event}
		order = append(order, key)
		return nil
	})
	if err != nil {
		return nil, err
	}

	byPlace, bySeg, byEvent := map[Place]*Turnout{}, map[string]*Turnout{}, map[string]*Turnout{}
	s.Total = Turnout{Key: "all", Kind: "all"}
	for _, k := range order {
		a := people[k]
		pt := byPlace[a.place]
		if pt == nil {
			pt = &Turnout{Key: a.place.ID, Kind: a.place.Kind, Segments: a.segments}
			byPlace[a.place] = pt
		}
		ev := byEvent[a.event]
		if ev == nil {
			ev = &Turnout{Key: a.event, Kind: "event"}
			byEvent[a.event] = ev
		}
		targets := []*Turnout{pt, ev, &s.Total}
		for _, sg := range a.segments {
			st := bySeg[sg]
			if st == nil {
				st = &Turnout{Key: sg, Kind: "segment"}
				bySeg[sg] = st
			}
			targets = append(targets, st)
		}
		for _, t := range targets {
			switch a.status {
			case "CANCELLED":
				t.Cancelled++
			case "CONFIRMED":
				t.Confirmed++
				t.SignedUp++
			default:
				t.SignedUp++
			}
			if a.attended {
				t.Attended++
				if a.status == "CONFIRMED" {
					t.ConfirmedAttended++
				}
			}
		}
	}
	for _, t := range byPlace {
		s.ByPlace = append(s.ByPlace, *t)
	}
	sort.Slice(s.ByPlace, func(i, j int) bool {
		a, b := s.ByPlace[i], s.ByPlace[j]
		if a.Kind != b.Kind {
			return placeKindOrder[a.Kind] < placeKindOrder[b.Kind]
		}
		return a.Key < b.Key
	})
	for _, k := range slices.Sorted(maps.Keys(bySeg)) {
		s.BySegment = append(s.BySegment, *bySeg[k])
	}
	for _, k := range slices.Sorted(maps.Keys(byEvent)) {
		s.ByEvent = append(s.ByEvent, *byEvent[k])
	}
	return s, nil
}
