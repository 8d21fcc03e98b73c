package engage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/place/contact/contacttest"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// fixtureZIPPlacer uses a made-up ZIP list (the kind a pipeline file gives a
// segment); the attendee export has ZIPs only.
func fixtureZIPPlacer() *contact.Placer {
	return contact.NewPlacer(nil, nil, nil).WithZIPSegments(map[string][]string{
		"94601": {"flatlands"}, "94605": {"flatlands"}, "94606": {"flatlands"}, "94621": {"flatlands"},
		"94611": {"hills"}, "94619": {"hills"},
	})
}

func TestReadTurnoutFixture(t *testing.T) {
	f, err := os.Open(contacttest.Testdata("fixture_mobilize_attendees.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadTurnout(context.Background(), f, "fixture_mobilize_attendees.csv", source.SignInMapping{}, fixtureZIPPlacer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Hand count of the 13 rows: row 9008 repeats 9002 (same email, other
	// case) and marks them attended; 9012 and 9013 have values not understood.
	if s.Rows != 13 || s.Duplicates != 1 || s.Skipped != 2 {
		t.Errorf("rows %d duplicates %d skipped %d, want 13 1 2", s.Rows, s.Duplicates, s.Skipped)
	}
	render := func(ts []Turnout) []string {
		var out []string
		for _, x := range ts {
			out = append(out, fmt.Sprintf("%s %s: signed up %d, confirmed %d, attended %d, confirmed+attended %d, cancelled %d, no-shows %d",
				x.Kind, x.Key, x.SignedUp, x.Confirmed, x.Attended, x.ConfirmedAttended, x.Cancelled, x.NoShows()))
		}
		return out
	}
	tests := []struct {
		name string
		got  []Turnout
		want []string
	}{
		{"by place", s.ByPlace, []string{
			"zip 94601: signed up 3, confirmed 2, attended 3, confirmed+attended 2, cancelled 0, no-shows 0",
			"zip 94605: signed up 0, confirmed 0, attended 0, confirmed+attended 0, cancelled 1, no-shows 0",
			"zip 94606: signed up 1, confirmed 1, attended 1, confirmed+attended 1, cancelled 0, no-shows 0",
			"zip 94609: signed up 1, confirmed 0, attended 1, confirmed+attended 0, cancelled 0, no-shows 0",
			"zip 94611: signed up 1, confirmed 1, attended 0, confirmed+attended 0, cancelled 0, no-shows 1",
			"zip 94619: signed up 1, confirmed 0, attended 0, confirmed+attended 0, cancelled 0, no-shows 0",
			"zip 94621: signed up 2, confirmed 2, attended 1, confirmed+attended 1, cancelled 0, no-shows 1",
		}},
		{"by segment", s.BySegment, []string{
			"segment flatlands: signed up 6, confirmed 5, attended 5, confirmed+attended 4, cancelled 1, no-shows 1",
			"segment hills: signed up 2, confirmed 1, attended 0, confirmed+attended 0, cancelled 0, no-shows 1",
		}},
		{"by event", s.ByEvent, []string{
			"event e1 Tenant meeting: signed up 6, confirmed 5, attended 5, confirmed+attended 4, cancelled 1, no-shows 1",
			"event e2 Listening session: signed up 3, confirmed 1, attended 1, confirmed+attended 0, cancelled 0, no-shows 1",
		}},
		{"total", []Turnout{s.Total}, []string{
			"all all: signed up 9, confirmed 6, attended 6, confirmed+attended 4, cancelled 1, no-shows 2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, render(tt.got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if r, ok := s.Total.ConfirmedRate(); !ok || r != 4.0/6.0 {
		t.Errorf("ConfirmedRate = %g, %v; want 4/6", r, ok)
	}
	if _, ok := (Turnout{}).ConfirmedRate(); ok {
		t.Error("ConfirmedRate of nobody confirmed must not be ok")
	}
}

// TestReadTurnoutPlaceBook places attendees where their contact was placed
// (the fixture contact list, placed as in contact.TestPlaceContactsFixture). F003 was
// suppressed there, so fixture003 falls back to its ZIP.
func TestReadTurnoutPlaceBook(t *testing.T) {
	book := contact.NewPlaceBook()
	_, err := source.ReadContactsFile(context.Background(), contacttest.Testdata("fixture_contacts.csv"), contacttest.Mapping, contacttest.Placer(t), func(c source.Contact) error {
		book.Add(c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if book.Len() != 17 { // 18 kept contacts, F004 has no email
		t.Errorf("book has %d contacts, want 17", book.Len())
	}
	f, err := os.Open(contacttest.Testdata("fixture_mobilize_attendees.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadTurnout(context.Background(), f, "fixture_mobilize_attendees.csv", source.SignInMapping{}, fixtureZIPPlacer(), book)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range append(s.ByPlace, s.BySegment...) {
		got = append(got, fmt.Sprintf("%s %s: %d/%d/%d/%d/%d", x.Kind, x.Key, x.SignedUp, x.Confirmed, x.Attended, x.ConfirmedAttended, x.Cancelled))
	}
	// signed up / confirmed / attended / confirmed and attended / cancelled,
	// hand-counted from the two fixtures.
	want := []string{
		"area Clinton: 1/1/1/1/0",                   // F001
		"area Fairview Park: 1/0/1/0/0",             // F024 walk-in
		"area Fremont: 2/1/2/1/0",                   // F005, F006
		"area Frick: 0/0/0/0/1",                     // F007 cancelled
		"area Hawthorne: 1/1/1/1/0",                 // F002 (row 9008 marks attended)
		"area Montclair: 1/1/0/0/0",                 // F009
		"area Skyline-Hillcrest Estates: 1/0/0/0/0", // F011
		"zip 94621: 2/2/1/1/0",                      // F013 (placed by ZIP), F003 (not in book)
		"segment flatlands: 7/5/6/4/1",
		"segment hills: 2/1/0/0/0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzReadTurnout(f *testing.F) {
	data, err := os.ReadFile(contacttest.Testdata("fixture_mobilize_attendees.csv"))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	for _, l := range lines[1:] {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, body string) {
		s, err := ReadTurnout(context.Background(), strings.NewReader(lines[0]+body), "fuzz.csv", source.SignInMapping{}, fixtureZIPPlacer(), nil)
		if err != nil {
			t.Fatal(err)
		}
		tot := s.Total
		if tot.ConfirmedAttended > tot.Confirmed || tot.ConfirmedAttended > tot.Attended || tot.Confirmed > tot.SignedUp {
			t.Fatalf("inconsistent total %+v", tot)
		}
		n := 0
		for _, p := range s.ByPlace {
			n += p.SignedUp + p.Cancelled
		}
		if n != tot.SignedUp+tot.Cancelled {
			t.Fatalf("places sum to %d people, total %d", n, tot.SignedUp+tot.Cancelled)
		}
	})
}

func ExampleReadTurnout() {
	export := "event_id,event_title,timeslot_start,email_address,postal_code,status,attended\n" +
		"e1,Tenant meeting,2026-10-03T18:00,fixture001@example.org,94621,CONFIRMED,true\n" +
		"e1,Tenant meeting,2026-10-03T18:00,fixture002@example.org,94621,CONFIRMED,false\n"
	p := contact.NewPlacer(nil, nil, nil).WithZIPSegments(map[string][]string{"94621": {"east oakland"}})
	s, err := ReadTurnout(context.Background(), strings.NewReader(export), "attendees.csv", source.SignInMapping{}, p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range s.BySegment {
		r, _ := t.ConfirmedRate()
		fmt.Printf("%s: %d of %d confirmed came (%.0f%%), %d to follow up\n", t.Key, t.ConfirmedAttended, t.Confirmed, 100*r, t.NoShows())
	}
	// Output:
	// east oakland: 1 of 2 confirmed came (50%), 1 to follow up
}
