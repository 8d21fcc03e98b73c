package contact_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/place/contact/contacttest"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// update rewrites the placed-contact fixtures that TestConsentFixture
// writes (go test ./... -update).
var update = flag.Bool("update", false, "rewrite the placed-contact fixtures of reports/outreach/testdata")

var consentMapping = source.ContactMapping{
	ID: "Contact ID", First: "First Name", Last: "Last Name", Email: "Email", Phone: "Phone", Mobile: "Cell",
	Street: "Address", City: "City", State: "State", Zip: "Zip", Lat: "Latitude", Lon: "Longitude",
	OptIn: "Email Opt In", SMSOptIn: "SMS Opt In", DoNotCall: "Do Not Call",
	Custom: map[string]string{"language": "Language"},
}

// TestConsentFixture reads fixture_contacts_consent.csv (made-up people, see
// FIXTURES.md) and checks the consent flags and the country of each number,
// taken from the number and not from the (US) address.
func TestConsentFixture(t *testing.T) {
	var cs []source.Contact
	stats, err := source.ReadContactsFile(context.Background(), contacttest.Testdata("fixture_contacts_consent.csv"), consentMapping, contacttest.Placer(t), func(c source.Contact) error {
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type flags struct {
		Phone, PhoneRegion, PhoneCC, Mobile, MobileRegion, MobileCC string
		OptIn, SMSOptIn, DoNotCall                                  bool
	}
	got := map[string]flags{}
	for _, c := range cs {
		got[c.ID] = flags{c.Phone, c.PhoneRegion, c.PhoneCC, c.Mobile, c.MobileRegion, c.MobileCC, c.OptIn, c.SMSOptIn, c.DoNotCall}
	}
	want := map[string]flags{
		"C01": {"+15105550131", "US", "1", "+15105550141", "US", "1", true, true, false},
		"C02": {"+15105550132", "US", "1", "", "", "", false, false, false},
		"C03": {"", "", "", "+15105550143", "US", "1", true, true, true},
		"C04": {"", "", "", "+442079460959", "GB", "44", true, true, false},
		"C05": {"+15105550135", "US", "1", "+15105550145", "US", "1", true, false, true},
		"C06": {"+14165550199", "CA", "1", "", "", "", false, false, true},
		"C07": {"+442079460958", "GB", "44", "", "", "", false, false, true},
		"C08": {"", "", "", "+15105550148", "US", "1", false, true, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if n := stats.Problems["bad do-not-call"]; n != 1 {
		t.Errorf("bad do-not-call problems = %d, want 1 (C07's %q)", n, "maybe")
	}
	writePlaced(t, cs, "../../../reports/outreach/testdata/fixture_contacts_consent_placed.csv")
}

// writePlaced writes contacts in the column layout of
// reports/outreach/testdata/fixture_contacts_placed.csv and compares the
// result with the file at path (rewriting it with -update).
func writePlaced(t *testing.T, cs []source.Contact, path string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"line", "id", "first", "last", "email", "phone", "mobile", "street", "city", "state", "zip", "lon", "lat", "has_point",
		"geoid", "tract", "area", "segments", "opt_in", "language", "phone_region", "phone_cc", "mobile_region", "mobile_cc", "sms_opt_in", "do_not_call"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, c := range cs {
		w.Write([]string{strconv.Itoa(c.Line), c.ID, c.First, c.Last, c.Email, c.Phone, c.Mobile, c.Street, c.City, c.State, c.Zip,
			f(c.Lon), f(c.Lat), strconv.FormatBool(c.HasPoint), c.GEOID, c.Tract, c.Area, strings.Join(c.Segments, ";"),
			strconv.FormatBool(c.OptIn), c.Custom["language"], c.PhoneRegion, c.PhoneCC, c.MobileRegion, c.MobileCC,
			strconv.FormatBool(c.SMSOptIn), strconv.FormatBool(c.DoNotCall)})
	}
	w.Flush()
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pipeline/place/contact -run TestConsentFixture -update)", err)
	}
	if diff := cmp.Diff(string(old), b.String()); diff != "" {
		t.Errorf("%s is out of step with the reader (-file +reader):\n%s", path, diff)
	}
}
