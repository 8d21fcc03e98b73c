package outreach

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteFollowUp puts every contact of the consent fixture (made up; see
// pipeline/source/testdata/FIXTURES.md) on all three lists of an event and
// checks that the text list holds only SMS-consented mobiles, the call list
// no do-not-call number, and that every person left out is counted by
// reason.
func TestWriteFollowUp(t *testing.T) {
	var cs []Invitee
	for i, c := range loadPlaced(t, "testdata/fixture_contacts_consent_placed.csv") {
		// The first contact signed up for two shifts; one timeslot is an
		// id (mobilize_participations), written as given.
		in := Invitee{Contact: c, Timeslots: []string{"2026-10-03T18:00:00-07:00"}}
		if i == 0 {
			in.Timeslots = append(in.Timeslots, "2026-10-04 09:30:00-07:00", "48812")
		}
		cs = append(cs, in)
	}
	dir := t.TempDir()
	sum, err := WriteFollowUp(context.Background(), dir, []FollowUpEvent{{Event: "e1 Tenant meeting", Title: "Tenant meeting", Reminder: cs, Confirm: cs, NoShow: cs,
		NotInList: map[string]int{"reminder": 2}}},
		[]MatchRow{{File: "signups.csv", Line: 2, Event: "e1 Tenant meeting", Rule: "email", Contact: "C01", ContactLine: 2},
			{File: "sheet.csv", Line: 5, Event: "e1 Tenant meeting", Rule: "email", Contact: "C05", ContactLine: 6, Note: "phone points to another contact", Candidates: []string{"C05", "C06"}}},
		[]string{"language"})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"followup/e1-tenant-meeting/confirmation-calls.csv", "followup/e1-tenant-meeting/no-show-followup.csv",
		"followup/e1-tenant-meeting/reminder-texts.csv", "followup/matches.csv", "followup/summary.json"}
	if diff := cmp.Diff(wantFiles, sum.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantFiles, listFiles(t, dir)); diff != "" {
		t.Errorf("files on disk (-want +got):\n%s", diff)
	}
	got := map[string][]string{}
	for _, l := range sum.Lists {
		rows := readCSV(t, filepath.Join(dir, l.File))
		for _, r := range rows[1:] {
			got[l.List] = append(got[l.List], r[0]+"/"+r[1]+"/"+r[5])
		}
		for _, k := range slices.Sorted(maps.Keys(l.Skipped)) {
			got[l.List] = append(got[l.List], k+": "+strings.Repeat("x", l.Skipped[k]))
		}
	}
	want := map[string][]string{
		// contact/mobile/country_code of each row, then skips by reason.
		ListReminder: {"/15105550141/US", "/15105550143/US", "/442079460959/GB", "/15105550148/US",
			"landline only (no mobile number): xxx", "no text-message consent: x", ReasonNotInList + ": xx"},
		ListConfirm: {"15105550131//US", "15105550132//US", "442079460959//GB", "15105550148//US", "do not call: xxxx"},
		ListNoShow: {"15105550131/15105550141/US", "15105550132//US", "/15105550143/US", "442079460959/442079460959/GB", "15105550148/15105550148/US",
			"do not call: xx", "do not call, and no text-message consent: x"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
	// The event columns sit between tags and the custom columns, as
	// CallHub custom fields a text or a script can show.
	noShow := readCSV(t, filepath.Join(dir, "followup", "e1-tenant-meeting", "no-show-followup.csv"))
	wantHead := []string{"contact", "mobile", "first_name", "last_name", "email", "country_code", "address", "city", "state", "zipcode", "tags", "event", "event_time", "language"}
	if diff := cmp.Diff(wantHead, noShow[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if got, want := noShow[1][11:13], []string{"Tenant meeting", "Sat, Oct 3, 2026, 6:00 PM; Sun, Oct 4, 2026, 9:30 AM; 48812"}; !slices.Equal(got, want) {
		t.Errorf("first row's event and event_time %q, want %q", got, want)
	}
	if got, want := noShow[2][11:13], []string{"Tenant meeting", "Sat, Oct 3, 2026, 6:00 PM"}; !slices.Equal(got, want) {
		t.Errorf("second row's event and event_time %q, want %q", got, want)
	}
	m, err := os.ReadFile(filepath.Join(dir, "followup", "matches.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantM := "file,line,event,rule,contact,contact_line,note,candidates\n" +
		"signups.csv,2,e1 Tenant meeting,email,C01,2,,\n" +
		"sheet.csv,5,e1 Tenant meeting,email,C05,6,phone points to another contact,C05 C06\n"
	if string(m) != wantM {
		t.Errorf("matches.csv:\n%s\nwant:\n%s", m, wantM)
	}
}
