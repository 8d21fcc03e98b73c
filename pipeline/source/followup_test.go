package source

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var sheetMapping = AttendanceMapping{Kind: SignIns, Event: "e2 Listening session", First: "First", Last: "Last", Email: "Email", Phone: "Phone", Street: "Address"}

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
	want := []Attendee{{File: "participations.csv", Event: "7", Title: "7", Timeslot: "70", Line: 2, Email: "fixture001@example.org", Phone: "+15105550101",
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
		}
	})
}
