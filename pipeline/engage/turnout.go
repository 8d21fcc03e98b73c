package engage

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

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
	File       string               `json:"file"`
	Rows       int                  `json:"rows"`
	Duplicates int                  `json:"duplicates"`
	Skipped    int                  `json:"skipped"`
	Examples   []*source.ParseError `json:"-"`
	ByPlace    []Turnout            `json:"by_place"`
	BySegment  []Turnout            `json:"by_segment"`
	ByEvent    []Turnout            `json:"by_event"`
	Total      Turnout              `json:"total"`
}

type attendance struct {
	status   string
	attended bool
	place    contact.Place
	segments []string
	event    string
}

// ReadTurnout reads an event sign-in or attendance export (see
// source.SignInMapping and source.ScanSignIns) and computes turnout. A
// person whose email is in book (may be nil) is placed where their contact
// was; others by lat/lon when mapped, else by ZIP (see contact.Placer: ZIP
// places give segments only through the ZIP list). It holds one small
// record per person and timeslot (for de-duplication), never names. Rows
// with an unknown status or attended value are skipped and counted; only
// I/O and header problems are errors.
func ReadTurnout(ctx context.Context, r io.Reader, file string, m source.SignInMapping, p *contact.Placer, book *contact.PlaceBook) (*TurnoutSummary, error) {
	s := &TurnoutSummary{File: file}
	people := map[string]*attendance{}
	var order []string
	rs, err := source.ScanSignIns(ctx, r, file, m, func(in source.SignIn) error {
		who := strings.ToLower(in.Email)
		if who == "" {
			who = fmt.Sprintf("row %d", in.Line)
		}
		key := in.Event + "\x00" + in.Timeslot + "\x00" + who
		if prev, dup := people[key]; dup {
			s.Duplicates++
			prev.status = in.Status
			prev.attended = prev.attended || in.Attended
			return nil
		}
		place, segs, found := book.Lookup(in.Email)
		if !found {
			place, segs = p.PlaceOf(in.Point, "", in.Zip)
		}
		people[key] = &attendance{status: in.Status, attended: in.Attended, place: place, segments: segs, event: in.Event}
		order = append(order, key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Rows, s.Skipped, s.Examples = rs.Rows, rs.Skipped, rs.Examples

	byPlace, bySeg, byEvent := map[contact.Place]*Turnout{}, map[string]*Turnout{}, map[string]*Turnout{}
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
