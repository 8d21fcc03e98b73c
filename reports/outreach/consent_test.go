package outreach

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConsentThroughEveryProfile sends the consent fixture (made-up people
// with mixed email, text and call consent and UK and Canadian numbers; see
// pipeline/source/testdata/FIXTURES.md) through every profile and checks,
// from decisions.csv and the files, who went where and why.
func TestConsentThroughEveryProfile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := NewExporter(ctx, dir, []string{"flatlands", "lower hills", "hills"}, Options{Custom: []string{"language"}})
	if err != nil {
		t.Fatal(err)
	}
	cs := loadPlaced(t, "testdata/fixture_contacts_consent_placed.csv")
	for _, c := range cs {
		if err := e.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// got[profile][id] = "exported", "skipped: reason" or
	// "withheld: channel: reason" (several joined with " | ").
	got := map[string]map[string]string{}
	for _, p := range Profiles() {
		got[p] = map[string]string{}
		for _, c := range cs {
			got[p][c.ID] = "exported"
		}
	}
	for _, r := range readCSV(t, filepath.Join(dir, "decisions.csv"))[1:] {
		prof, id, status, reason := r[0], r[2], r[4], r[5]
		switch {
		case status == "skipped":
			got[prof][id] = "skipped: " + reason
		case got[prof][id] == "exported":
			got[prof][id] = "withheld: " + reason
		default:
			got[prof][id] += " | " + reason
		}
	}
	const dnc = "withheld: phones: do not call"
	want := map[string]map[string]string{
		CallHub: {
			"C01": "exported", "C02": "exported", // C02: a landline is called, never texted
			"C03": "withheld: voice: do not call", // texts consented, calls not
			"C04": "exported",
			"C05": "skipped: do not call, and no text-message consent",
			"C06": "skipped: do not call", "C07": "skipped: do not call",
			"C08": "exported",
		},
		ActionNetwork: {
			"C01": "exported", "C02": "skipped: not opted in to email", "C03": "exported", "C04": "exported",
			"C05": "withheld: mobile: no text-message consent", "C06": "skipped: no email address",
			"C07": "skipped: not opted in to email", "C08": "withheld: email: not opted in to email",
		},
		EveryAction: {
			"C01": "exported", "C02": "withheld: email: not opted in to email", "C03": dnc, "C04": "exported",
			"C05": dnc, "C06": dnc, "C07": "withheld: email: not opted in to email | phones: do not call",
			"C08": "skipped: no first and last name",
		},
		NationBuilder: {
			"C01": "exported", "C02": "exported", "C03": "exported", "C04": "exported",
			"C05": "withheld: phone_number: do not call | mobile_number: do not call",
			"C06": "skipped: do not call", "C07": "withheld: phone_number: do not call", "C08": "exported",
		},
		Mobilize: {
			"C01": "exported", "C02": "skipped: not opted in to email", "C03": "exported", "C04": "exported",
			"C05": "withheld: phone_number: do not call", "C06": "skipped: no email address",
			"C07": "skipped: not opted in to email", "C08": "skipped: not opted in to email",
		},
		Generic: {"C01": "exported", "C02": "exported", "C03": "exported", "C04": "exported",
			"C05": "exported", "C06": "exported", "C07": "exported", "C08": "exported"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("who went where (-want +got):\n%s", diff)
	}

	// The cells that carry consent and countries.
	cell := func(file, key, col string) string {
		t.Helper()
		rows := readCSV(t, filepath.Join(dir, file))
		ci := -1
		for i, h := range rows[0] {
			if h == col {
				ci = i
			}
		}
		for _, r := range rows[1:] {
			for _, v := range r {
				if v == key {
					return r[ci]
				}
			}
		}
		t.Fatalf("%s: no row with %q", file, key)
		return ""
	}
	for _, tt := range []struct{ file, key, col, want string }{
		// C04: a UK number with a US address: the number's country, not the address's.
		{"callhub/flatlands.csv", "442079460959", "country_code", "GB"},
		{"callhub/flatlands.csv", "442079460959", "mobile", "442079460959"},
		{"everyaction/flatlands.csv", "C04", "CellPhone", "2079460959"},
		{"everyaction/flatlands.csv", "C04", "CellPhoneCountryCode", "44"},
		{"everyaction/flatlands.csv", "C04", "CountryCode", "US"},
		{"everyaction/flatlands.csv", "C01", "PhoneCountryCode", "01"},
		{"everyaction/flatlands.csv", "C06", "Phone", ""},
		// C03: do-not-call, texts consented: CallHub's voice column is empty.
		{"callhub/flatlands.csv", "15105550143", "contact", ""},
		// C01: both channels; C02: a landline is never put in the SMS column.
		{"callhub/flatlands.csv", "15105550141", "contact", "15105550131"},
		{"callhub/flatlands.csv", "15105550132", "mobile", ""},
		{"callhub/flatlands.csv", "15105550131", "tags", "flatlands,Clinton"},
		{"nationbuilder/flatlands.csv", "fixture103@example.org", "mobile_opt_in", "Y"},
		{"nationbuilder/flatlands.csv", "fixture102@example.org", "email_opt_in", "N"},
		{"nationbuilder/hills.csv", "fixture108@example.org", "mobile_number", "15105550148"},
		{"mobilize/flatlands.csv", "fixture104@example.org", "sms_opt_in", "OPT_IN"},
		{"mobilize/flatlands.csv", "fixture105@example.org", "sms_opt_in", "UNSPECIFIED"},
		{"actionnetwork/hills.csv", "15105550148", "email", ""},
	} {
		if got := cell(tt.file, tt.key, tt.col); got != tt.want {
			t.Errorf("%s, row %s, %s = %q, want %q", tt.file, tt.key, tt.col, got, tt.want)
		}
	}
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}
