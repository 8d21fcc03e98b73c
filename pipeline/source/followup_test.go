package source

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readAttendanceFile(t *testing.T, path string, m AttendanceMapping) ([]Attendee, []*ParseError) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	att, bad, err := ReadAttendance(context.Background(), f, path[strings.LastIndex(path, "/")+1:], m)
	if err != nil {
		t.Fatal(err)
	}
	return att, bad
}

var sheetMapping = AttendanceMapping{Kind: SignIns, Event: "e2 Listening session", First: "First", Last: "Last", Email: "Email", Phone: "Phone", Street: "Address"}

// TestFollowUpFixture runs the follow-up loop over the fixture contact list,
// the Mobilize sign-ups and the sign-in sheet (all made up; FIXTURES.md),
// with every count hand-made from the three files.
func TestFollowUpFixture(t *testing.T) {
	signups, bad1 := readAttendanceFile(t, "testdata/fixture_mobilize_attendees.csv", AttendanceMapping{})
	sheet, bad2 := readAttendanceFile(t, "testdata/fixture_signin_sheet.csv", sheetMapping)
	// 9012 (status MAYBE), 9013 (attended "perhaps"), and the sheet's Guest.
	if len(bad1) != 2 || len(bad2) != 1 {
		t.Fatalf("skipped %v and %v, want 2 and 1", bad1, bad2)
	}
	m := NewMatcher(append(signups, sheet...))
	_, err := ReadContactsFile(context.Background(), "testdata/fixture_contacts.csv", fixtureMapping, fixturePlacer(t), func(c Contact) error {
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

	ids := func(cs []Contact) string {
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
	m := NewMatcher([]Attendee{{File: "sheet.csv", Line: 2, Event: "e", First: "Fixture", Last: "Person", Street: "12 Main Street", Came: true}})
	m.Offer(Contact{ID: "A", Line: 2, First: "Fixture", Last: "Person", Street: "12 Main St."})
	m.Offer(Contact{ID: "B", Line: 3, First: "fixture", Last: "PERSON", Street: "12  main street"})
	m.Offer(Contact{ID: "C", Line: 4, First: "Fixture", Last: "Person", Street: "14 Main Street"})
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

func TestAttendanceMappingErrors(t *testing.T) {
	tests := []struct {
		name string
		m    AttendanceMapping
		want string
	}{
		{"kind", AttendanceMapping{Kind: "walkins"}, `kind: "walkins" is not signups or signins`},
		{"preset", AttendanceMapping{Preset: "eventbrite"}, `preset: "eventbrite" is unknown`},
		{"sheet preset", AttendanceMapping{Kind: SignIns, Preset: "mobilize_api", Email: "e"}, "a sign-in sheet has no preset"},
		{"nothing to match on", AttendanceMapping{Kind: SignIns, First: "First"}, "map at least one way to recognise a person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	_, _, err := ReadAttendance(context.Background(), strings.NewReader("Name,Mail\n"), "sheet.csv", AttendanceMapping{Kind: SignIns, Email: "Email"})
	if err == nil || !strings.Contains(err.Error(), `sheet.csv:1: column "Email": mapped as email but not in the header`) {
		t.Errorf("err = %v", err)
	}
}

// TestAttendancePresetParticipations reads a header in the column names of
// Mobilize's participations view.
func TestAttendancePresetParticipations(t *testing.T) {
	in := "id,event_id,timeslot_id,user__given_name,user__family_name,user__email_address,user__phone_number,user__postal_code,status,attended\n" +
		"1,7,70,Fixture,Person 001,fixture001@example.org,5105550101,94606,CONFIRMED,true\n"
	att, bad, err := ReadAttendance(context.Background(), strings.NewReader(in), "participations.csv", AttendanceMapping{Preset: "mobilize_participations"})
	if err != nil || len(bad) != 0 {
		t.Fatal(err, bad)
	}
	want := []Attendee{{File: "participations.csv", Event: "7", Timeslot: "70", Line: 2, Email: "fixture001@example.org", Phone: "+15105550101",
		First: "Fixture", Last: "Person 001", Zip: "94606", Status: "CONFIRMED", Came: true}}
	if diff := cmp.Diff(want, att); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzReadAttendance: any input either fails on its header or yields
// attendees that can each be recognised, and skips that name a line.
func FuzzReadAttendance(f *testing.F) {
	data, err := os.ReadFile("testdata/fixture_mobilize_attendees.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("First,Last,Email,Phone,Address\nA,B,,,1 Main St\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, m := range []AttendanceMapping{{}, sheetMapping} {
			att, bad, err := ReadAttendance(context.Background(), strings.NewReader(in), "f.csv", m)
			if err != nil {
				continue
			}
			for _, a := range att {
				if a.Email == "" && a.Phone == "" && (a.First == "" || a.Last == "") {
					t.Fatalf("attendee %+v cannot be recognised", a)
				}
				if m.Kind == SignIns && !a.Came {
					t.Fatalf("a sign-in sheet row did not come: %+v", a)
				}
			}
			for _, b := range bad {
				if b.Line < 1 {
					t.Fatalf("skip without a line: %v", b)
				}
			}
			NewMatcher(att).Resolve(nil)
		}
	})
}
