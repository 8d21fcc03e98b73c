package engage

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/place/contact/contacttest"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// readAttendanceFile reads the fixture attendance file name (in
// pipeline/source/testdata).
func readAttendanceFile(t *testing.T, name string, m source.AttendanceMapping) ([]source.Attendee, []*source.ParseError) {
	t.Helper()
	f, err := os.Open(contacttest.Testdata(name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	att, bad, err := source.ReadAttendance(context.Background(), f, name, m)
	if err != nil {
		t.Fatal(err)
	}
	return att, bad
}

var sheetMapping = source.AttendanceMapping{Kind: source.SignIns, Event: "e2 Listening session", First: "First", Last: "Last", Email: "Email", Phone: "Phone", Street: "Address"}

// TestFollowUpFixture runs the follow-up loop over the fixture contact list,
// the Mobilize sign-ups and the sign-in sheet (all made up; FIXTURES.md),
// with every count hand-made from the three files.
func TestFollowUpFixture(t *testing.T) {
	signups, bad1 := readAttendanceFile(t, "fixture_mobilize_attendees.csv", source.AttendanceMapping{})
	sheet, bad2 := readAttendanceFile(t, "fixture_signin_sheet.csv", sheetMapping)
	// 9012 (status MAYBE), 9013 (attended "perhaps"), and the sheet's Guest.
	if len(bad1) != 2 || len(bad2) != 1 {
		t.Fatalf("skipped %v and %v, want 2 and 1", bad1, bad2)
	}
	m := NewMatcher(append(signups, sheet...))
	_, err := source.ReadContactsFile(context.Background(), contacttest.Testdata("fixture_contacts.csv"), contacttest.Mapping, contacttest.Placer(t), func(c source.Contact) error {
		m.Offer(c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res := m.Resolve(map[string][]string{"94621": {"flatlands"}})

	var matches []string
	for _, x := range res.Matches {
		s := fmt.Sprintf("%s:%d %s %s", x.File, x.Line, x.Rule, x.Contact)
		if x.Note != "" {
			s += " (" + x.Note + ": " + strings.Join(x.Candidates, ",") + ")"
		}
		matches = append(matches, s)
	}
	want := []string{
		"fixture_mobilize_attendees.csv:2 email F001",
		"fixture_mobilize_attendees.csv:3 email F002",
		"fixture_mobilize_attendees.csv:4 email F005",
		"fixture_mobilize_attendees.csv:5 email F006",
		"fixture_mobilize_attendees.csv:6 email F007",
		"fixture_mobilize_attendees.csv:7 email F013",
		"fixture_mobilize_attendees.csv:8 none ", // F003 was suppressed (do-not-contact)
		"fixture_mobilize_attendees.csv:9 email F002",
		"fixture_mobilize_attendees.csv:10 email F009",
		"fixture_mobilize_attendees.csv:11 email F011",
		"fixture_mobilize_attendees.csv:12 email F024",
		"fixture_signin_sheet.csv:2 phone F009",
		"fixture_signin_sheet.csv:3 name+address F008",
		"fixture_signin_sheet.csv:4 none ",
		"fixture_signin_sheet.csv:5 email F006 (phone points to another contact: F006,F007)",
	}
	if diff := cmp.Diff(want, matches); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	if len(res.Ambiguous) != 1 || res.Ambiguous[0].Line != 5 {
		t.Errorf("ambiguous = %+v, want the sheet's line 5", res.Ambiguous)
	}

	ids := func(cs []source.Invitee) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, " ")
	}
	type ev struct {
		Total                     FollowUpCount
		Reminder, Confirm, NoShow string
		NotInList                 map[string]int
	}
	got := map[string]ev{}
	for _, e := range res.Events {
		got[e.Event] = ev{e.Total, ids(e.Reminder), ids(e.Confirm), ids(e.NoShow), e.NotInList}
	}
	wantEv := map[string]ev{
		// e1: F001 F002 F005 F013 F003 confirmed (F003 unmatched), F006
		// registered and came, F007 cancelled; F013 did not come.
		"e1 Tenant meeting": {FollowUpCount{Key: "e1 Tenant meeting", Kind: "event", Confirmed: 5, Came: 5, NoShows: 1, WalkIns: 1, Registered: 1, Cancelled: 1},
			"F001 F002 F005 F013", "F006", "F013", map[string]int{"reminder": 1}},
		// e2: F009 confirmed and (by the sheet) came; F011 and F024
		// registered, F024 came; F008, Person 901 and F006 walked in.
		"e2 Listening session": {FollowUpCount{Key: "e2 Listening session", Kind: "event", Confirmed: 1, Came: 5, NoShows: 0, WalkIns: 4, Registered: 2},
			"F009", "F011 F024", "", nil},
	}
	if diff := cmp.Diff(wantEv, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// The sign-ups' title and timeslot reach the lists; the sheet's e2
	// rows have neither, and its title is the mapped event name.
	if e := res.Events[0]; e.Title != "Tenant meeting" || len(e.Reminder) == 0 || !slices.Equal(e.Reminder[0].Timeslots, []string{"2026-10-03T18:00:00-07:00"}) {
		t.Errorf("e1 title %q, first reminder %+v; want Tenant meeting at 2026-10-03T18:00:00-07:00", e.Title, e.Reminder[:min(1, len(e.Reminder))])
	}
	var e1 []string
	for _, c := range append(res.Events[0].BySegment, res.Events[0].ByArea...) {
		e1 = append(e1, fmt.Sprintf("%s %s: %d/%d/%d/%d", c.Kind, c.Key, c.Confirmed, c.Came, c.NoShows, c.WalkIns))
	}
	wantE1 := []string{
		"segment flatlands: 5/5/1/1", // F003 by its ZIP 94621
		"area Clinton: 1/1/0/0", "area Fremont: 1/2/0/1", "area Frick: 0/0/0/0", "area Hawthorne: 1/1/0/0",
		"not in contact list : 1/1/0/0", // F003
		"unplaced : 1/0/1/0",            // F013, placed by ZIP only
	}
	if diff := cmp.Diff(wantE1, e1); diff != "" {
		t.Errorf("e1 by segment and area, confirmed/came/no-shows/walk-ins (-want +got):\n%s", diff)
	}
}

// TestMatcherAmbiguous: two contacts with the same name at the same address
// (a parent and child) are not merged; the row stays unmatched and listed.
func TestMatcherAmbiguous(t *testing.T) {
	m := NewMatcher([]source.Attendee{{File: "sheet.csv", Line: 2, Event: "e", First: "Fixture", Last: "Person", Street: "12 Main Street", Came: true}})
	m.Offer(source.Contact{ID: "A", Line: 2, First: "Fixture", Last: "Person", Street: "12 Main St."})
	m.Offer(source.Contact{ID: "B", Line: 3, First: "fixture", Last: "PERSON", Street: "12  main street"})
	m.Offer(source.Contact{ID: "C", Line: 4, First: "Fixture", Last: "Person", Street: "14 Main Street"})
	res := m.Resolve(nil)
	got := res.Matches[0]
	want := Match{File: "sheet.csv", Line: 2, Event: "e", Rule: MatchNone, Note: "name+address matches 2 contacts; not merged", Candidates: []string{"A", "B"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(res.Ambiguous) != 1 || res.Events[0].Total.WalkIns != 1 || res.Events[0].NotInList != nil {
		t.Errorf("ambiguous %v, events %+v", res.Ambiguous, res.Events)
	}
}

// FuzzResolve: whatever attendance rows a file yields, the follow-up loop
// resolves them without failing, and every row has its match.
func FuzzResolve(f *testing.F) {
	data, err := os.ReadFile(contacttest.Testdata("fixture_mobilize_attendees.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("First,Last,Email,Phone,Address\nA,B,,,1 Main St\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, m := range []source.AttendanceMapping{{}, sheetMapping} {
			att, _, err := source.ReadAttendance(context.Background(), strings.NewReader(in), "f.csv", m)
			if err != nil {
				continue
			}
			if res := NewMatcher(att).Resolve(nil); len(res.Matches) != len(att) {
				t.Fatalf("%d matches for %d rows", len(res.Matches), len(att))
			}
		}
	})
}

// TestFollowUpTimeslots: a person's lists carry the timeslots the list is
// about, each by its own last status: a shift confirmed and another
// cancelled leave the confirmed one on the reminder; a shift confirmed
// then cancelled (the last row) is off; registered shifts go to the
// confirmation call; rows without a timeslot add none.
func TestFollowUpTimeslots(t *testing.T) {
	const (
		sat = "2026-10-03T10:00:00-07:00"
		sun = "2026-10-04T10:00:00-07:00"
	)
	row := func(line int, email, slot, status string) source.Attendee {
		return source.Attendee{File: "signups.csv", Line: line, Event: "e9 Canvass", Title: "Canvass", Timeslot: slot, Email: email, Status: status}
	}
	m := NewMatcher([]source.Attendee{
		row(2, "a@example.org", sat, "CONFIRMED"),
		row(3, "a@example.org", sun, "CANCELLED"),
		row(4, "a@example.org", sun, "CONFIRMED"), // later row: Sunday confirmed after all
		row(5, "b@example.org", sat, "CONFIRMED"),
		row(6, "b@example.org", sun, "CONFIRMED"),
		row(7, "b@example.org", sat, "CANCELLED"),
		row(8, "b@example.org", sun, "CONFIRMED"), // repeated: one Sunday
		row(9, "c@example.org", sun, "REGISTERED"),
		row(10, "c@example.org", sat, "REGISTERED"),
		row(11, "d@example.org", "", "CONFIRMED"),
	})
	for i, e := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org"} {
		m.Offer(source.Contact{ID: string(rune('A' + i)), Line: i + 2, Email: e})
	}
	res := m.Resolve(nil)
	if len(res.Events) != 1 || res.Events[0].Title != "Canvass" {
		t.Fatalf("events %+v, want one, titled Canvass", res.Events)
	}
	got := map[string][]string{}
	for name, l := range map[string][]source.Invitee{"reminder": res.Events[0].Reminder, "confirm": res.Events[0].Confirm, "no_show": res.Events[0].NoShow} {
		for _, in := range l {
			got[name] = append(got[name], in.ID+" "+strings.Join(in.Timeslots, " "))
		}
	}
	want := map[string][]string{
		"reminder": {"A " + sat + " " + sun, "B " + sun, "D "},
		"confirm":  {"C " + sun + " " + sat},
		"no_show":  {"A " + sat + " " + sun, "B " + sun, "D "},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lists, contact and timeslots (-want +got):\n%s", diff)
	}
}
