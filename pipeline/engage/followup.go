package engage

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/groundwork-org/groundwork/pipeline/source"
)

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
	att      []source.Attendee
	byEmail  map[string][]int
	byPhone  map[string][]int
	byName   map[string][]int
	contacts []source.Contact
	hits     [][3][]int // per attendee, per rule: indices into contacts
}

// NewMatcher indexes the attendance rows.
func NewMatcher(att []source.Attendee) *Matcher {
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
func (m *Matcher) Offer(c source.Contact) {
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

// nameAddressKey is "first|last|street" lower-cased, without punctuation,
// street as source.NormalizeStreet makes it; empty unless all three are given.
func nameAddressKey(first, last, street string) string {
	norm := func(s string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	}
	a, b, c := norm(first), norm(last), source.NormalizeStreet(street)
	if a == "" || b == "" || c == "" {
		return ""
	}
	return a + "|" + b + "|" + c
}

func contactRef(c source.Contact) string {
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
//
// Each listed contact carries the timeslots the list is about: the ones
// whose own last status is CONFIRMED on Reminder and NoShow, REGISTERED on
// Confirm, in the order the files first name them (a person's status is
// merged per event, the last row winning; a timeslot's per timeslot).
// Title is what the event's people read (source.Attendee.Title: the
// first row's).
type EventFollowUp struct {
	Event     string           `json:"event"`
	Title     string           `json:"title"`
	Total     FollowUpCount    `json:"total"`
	BySegment []FollowUpCount  `json:"by_segment"`
	ByArea    []FollowUpCount  `json:"by_area"`
	Reminder  []source.Invitee `json:"-"`
	Confirm   []source.Invitee `json:"-"`
	NoShow    []source.Invitee `json:"-"`
	NotInList map[string]int   `json:"not_in_contact_list,omitempty"`
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
	slots          []slot // the sign-ups' timeslots, first-named first
}

// listed is a person on a list: the contact's index and the timeslots.
type listed struct {
	contact int
	slots   []string
}

// slot is one timeslot of a person's sign-ups and its last status.
type slot struct{ at, status string }

// setSlot records status as the last of timeslot at.
func (p *person) setSlot(at, status string) {
	for i := range p.slots {
		if p.slots[i].at == at {
			p.slots[i].status = status
			return
		}
	}
	p.slots = append(p.slots, slot{at, status})
}

// slotsWith lists the timeslots whose last status is status.
func (p *person) slotsWith(status string) []string {
	var out []string
	for _, s := range p.slots {
		if s.status == status {
			out = append(out, s.at)
		}
	}
	return out
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
	titles := map[string]string{}
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
			titles[a.Event] = a.Title
		}
		p := ev[key]
		if p == nil {
			p = &person{contact: chosen}
			ev[key] = p
			order[a.Event] = append(order[a.Event], key)
		}
		if a.Status != "" {
			p.status, p.signedUp = a.Status, true
			if at := strings.TrimSpace(a.Timeslot); at != "" {
				p.setSlot(at, a.Status)
			}
		}
		p.came = p.came || a.Came
		if p.zip == "" {
			p.zip = a.Zip
		}
	}
	sort.Strings(eventOrder)
	for _, name := range eventOrder {
		ev := events[name]
		ef := EventFollowUp{Event: name, Title: titles[name], Total: FollowUpCount{Key: name, Kind: "event"}, NotInList: map[string]int{}}
		bySeg, byArea := map[string]*FollowUpCount{}, map[string]*FollowUpCount{}
		var rem, conf, ns []listed
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
			} else if z := source.ZIP5(p.zip); z != "" {
				segs = slices.Compact(slices.Sorted(slices.Values(zipSegments[z])))
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
			add := func(list string, dst *[]listed, status string) {
				if p.contact < 0 {
					ef.NotInList[list]++
					return
				}
				*dst = append(*dst, listed{p.contact, p.slotsWith(status)})
			}
			switch {
			case confirmed && !p.came:
				add("reminder", &rem, "CONFIRMED")
				add("no_show", &ns, "CONFIRMED")
			case confirmed:
				add("reminder", &rem, "CONFIRMED")
			case p.status == "REGISTERED" && p.signedUp:
				add("confirm", &conf, "REGISTERED")
			}
		}
		pick := func(ls []listed) []source.Invitee {
			sort.Slice(ls, func(i, j int) bool { return ls[i].contact < ls[j].contact })
			out := make([]source.Invitee, 0, len(ls))
			for _, l := range ls {
				out = append(out, source.Invitee{Contact: m.contacts[l.contact], Timeslots: l.slots})
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
