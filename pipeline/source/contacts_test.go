package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"
)

// fixtureMapping maps the columns of testdata/fixture_contacts.csv.
var fixtureMapping = ContactMapping{
	ID: "Contact ID", First: "First Name", Last: "Last Name", Email: "Email", Phone: "Phone", Mobile: "Cell",
	Street: "Address", City: "City", State: "State", Zip: "Zip", Lat: "Latitude", Lon: "Longitude",
	GEOID: "Tract GEOID", OptIn: "Email Opt In", DoNotContact: "Do Not Contact",
	Custom: map[string]string{"language": "Language"},
}

func readAll(t *testing.T, path string, m ContactMapping, p Placer, suppress bool) ([]Contact, ContactStats) {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewContactReader(ctx, bytes.NewReader(data), filepath.Base(path), m, p)
	if err != nil {
		t.Fatal(err)
	}
	if suppress {
		s, err := ReadSuppressions(ctx, bytes.NewReader(data), filepath.Base(path), m)
		if err != nil {
			t.Fatal(err)
		}
		r.Suppress(s)
	}
	var out []Contact
	for {
		c, err := r.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out, r.Stats()
}

func TestContactReaderSkipMessages(t *testing.T) {
	_, stats := readAll(t, "testdata/fixture_contacts.csv", fixtureMapping, nil, false)
	got := map[int]string{}
	for _, e := range stats.Examples {
		got[e.Line] = e.Error()
	}
	want := map[int]string{
		15: `fixture_contacts.csv:15: no usable email or phone: column "Email": "not-an-email" is not an email address; column "Phone": "555-CALL" holds the letter(s) CAL: a letter in a phone number is usually a typo for a digit (O for 0, I or l for 1); fix the number (a vanity number such as 1-800-FLOWERS: write its digits)`,
		17: "fixture_contacts.csv:17: duplicate contact: same email as line 2",
		18: "fixture_contacts.csv:18: duplicate contact: same phone as line 3",
		19: `fixture_contacts.csv:19: column "Do Not Contact": do not contact: marked "yes"`,
		20: `fixture_contacts.csv:20: column "Do Not Contact": do not contact: marked "Y"`,
		22: "fixture_contacts.csv:22: malformed row: 9 fields, the header has 17; check for unquoted commas",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skip messages (-want +got):\n%s", diff)
	}
	for _, e := range stats.Examples {
		if !errors.Is(e, ErrMalformedRow) && !errors.Is(e, ErrDuplicate) && !errors.Is(e, ErrDoNotContact) && !errors.Is(e, ErrNoContactMethod) {
			t.Errorf("%v wraps no skip reason", e)
		}
	}
}

func TestReadContactsFile(t *testing.T) {
	var ids []string
	stats, err := ReadContactsFile(context.Background(), "testdata/fixture_contacts.csv", fixtureMapping, nil, func(c Contact) error {
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Same 18 as contact.TestPlaceContactsFixture: F003 goes with F019's do-not-contact.
	want := "F001 F002 F004 F005 F006 F007 F008 F009 F010 F011 F012 F013 F015 F020 F022 F023 F024 F025"
	if got := strings.Join(ids, " "); got != want || stats.Kept != 18 {
		t.Errorf("kept %d: %s\nwant 18: %s", stats.Kept, got, want)
	}
	stop := errors.New("stop")
	_, err = ReadContactsFile(context.Background(), "testdata/fixture_contacts.csv", fixtureMapping, nil, func(Contact) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("err = %v, want the callback's error", err)
	}
	_, err = ReadContactsFile(context.Background(), "testdata/no_such_file.csv", fixtureMapping, nil, func(Contact) error { return nil })
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}

func TestContactReaderCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := os.Open("testdata/fixture_contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewContactReader(ctx, f, "fixture_contacts.csv", fixtureMapping, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel = %v, want context.Canceled", err)
	}
}

func TestContactMappingValidate(t *testing.T) {
	tests := []struct {
		name string
		m    ContactMapping
		want []string // substrings, one per expected problem; nil = valid
	}{
		{"fixture mapping", fixtureMapping, nil},
		{"no way to reach", ContactMapping{Zip: "zip"}, []string{"email, phone, mobile: none is mapped"}},
		{"half a point and no place", ContactMapping{Email: "e", Lat: "lat"},
			[]string{"lat, lon: only one is mapped"}},
		{"no place at all", ContactMapping{Email: "e"}, []string{"lat/lon, geoid, zip: none is mapped"}},
		{"column twice", ContactMapping{Email: "e", Phone: "p", Mobile: "p", Zip: "z"}, []string{`mobile: column "p" is already mapped to phone`}},
		{"bad custom names", ContactMapping{Email: "e", Zip: "z", Custom: map[string]string{"Bad Name": "x", "email": "y", "ok": ""}},
			[]string{"custom.Bad Name: field name must be", `custom.email: "email" is a standard field`, "custom.ok: no source column"}},
		{"bad region", ContactMapping{Phone: "p", Zip: "z", PhoneRegion: "XX"}, []string{`phone_region: "XX" is not a region code`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("got %d problems %q, want %d", len(lines), lines, len(tt.want))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCheckHeader(t *testing.T) {
	m := ContactMapping{Email: "Email", Zip: "ZIP", Phone: "Phone", Custom: map[string]string{"lang": "Language"}}
	err := m.CheckHeader("list.csv", []string{"email", "ZIP", "Phnoe"})
	want := "list.csv:1: column \"Email\": mapped as email but not in the header; did you mean \"email\"?\n" +
		"list.csv:1: column \"Phone\": mapped as phone but not in the header; did you mean \"Phnoe\"?\n" +
		"list.csv:1: column \"Language\": mapped as custom.lang but not in the header"
	if err == nil || err.Error() != want {
		t.Errorf("CheckHeader = %v, want %s", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Column != "Email" {
		t.Errorf("want a *ParseError for column Email, got %#v", err)
	}
}

func TestNormalizers(t *testing.T) {
	tests := []struct {
		name    string
		f       func(string) (string, error)
		in      string
		want    string
		wantErr string
	}{
		{"phone national", func(s string) (string, error) { return NormalizePhone(s, "US") }, "(510) 555-0101", "+15105550101", ""},
		{"phone with country code", func(s string) (string, error) { return NormalizePhone(s, "US") }, "+1 510 555 0103", "+15105550103", ""},
		{"phone extension dropped", func(s string) (string, error) { return NormalizePhone(s, "US") }, "510-555-0104 ext 12", "+15105550104", ""},
		{"phone letters", func(s string) (string, error) { return NormalizePhone(s, "US") }, "555-CALL", "", `"555-CALL" holds the letter(s) CAL`},
		// libphonenumber alone reads the O as a vanity letter (6).
		{"phone O for 0", func(s string) (string, error) { return NormalizePhone(s, "US") }, "(510) 555-01O1", "", `"(510) 555-01O1" holds the letter(s) O: a letter in a phone number is usually a typo for a digit`},
		{"phone vanity", func(s string) (string, error) { return NormalizePhone(s, "US") }, "1-800-FLOWERS", "", "write its digits"},
		{"phone extension x", func(s string) (string, error) { return NormalizePhone(s, "US") }, "(510) 555-0101 x23", "+15105550101", ""},
		{"phone extension #", func(s string) (string, error) { return NormalizePhone(s, "US") }, "510.555.0101 #7", "+15105550101", ""},
		{"phone too short", func(s string) (string, error) { return NormalizePhone(s, "US") }, "12345", "", "not a valid phone number"},
		{"phone UK", func(s string) (string, error) { return NormalizePhone(s, "US") }, "+44 20 7946 0018", "+442079460018", ""},
		// A +44 number is judged as a UK number, and the error says so.
		{"phone UK invalid", func(s string) (string, error) { return NormalizePhone(s, "US") }, "+44 7700 900123", "", "not a valid phone number of its country (GB, +44)"},
		{"email domain lowered", NormalizeEmail, "Person.One@Example.ORG", "Person.One@example.org", ""},
		{"email display name", NormalizeEmail, "Person <p@example.org>", "", "not an email address"},
		{"email no at", NormalizeEmail, "not-an-email", "", "not an email address"},
		{"email dotless domain", NormalizeEmail, "p@localhost", "", "not a dotted host name"},
		{"email two ats", NormalizeEmail, "a@b@example.org", "", "not an email address"},
		{"zip5", NormalizeZIP, "94601", "94601", ""},
		{"zip+4", NormalizeZIP, "946011404", "94601-1404", ""},
		{"zip lost zero", NormalizeZIP, "2134", "", "leading zero was probably lost"},
		{"zip text", NormalizeZIP, "Oakland", "", "not a 5-digit ZIP"},
		{"tract", ValidateGEOID, "06001406000", "06001406000", ""},
		{"block group", ValidateGEOID, "060014060001", "060014060001", ""},
		{"tract lost zero", ValidateGEOID, "6001406000", "", "leading zero was probably lost (write 06001406000)"},
		{"tract scientific", ValidateGEOID, "6.001406E+09", "", "scientific notation"},
		{"tract as float", ValidateGEOID, "6001406000.0", "", "stored as a number"},
		{"county only", ValidateGEOID, "06001", "", "not a tract"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseLonLat(t *testing.T) {
	tests := []struct {
		name, lon, lat string
		want           orb.Point
		wantErr        string
	}{
		{"McClymonds High (CDE directory)", "-122.27863", "37.817864", orb.Point{-122.27863, 37.817864}, ""},
		{"swapped", "37.833534", "-122.26018", orb.Point{}, "swapped"},
		{"half", "-122.2", "", orb.Point{}, "only one"},
		{"null island", "0", "0", orb.Point{}, "placeholder"},
		{"projected", "565000", "4185000", orb.Point{}, "outside lon/lat range"},
		{"text", "west", "north", orb.Point{}, "not decimal degrees"},
		{"nan", "NaN", "37", orb.Point{}, `longitude "NaN": not decimal degrees`},
		{"latitude text", "-122.20972", "abc", orb.Point{}, `latitude "abc": not decimal degrees`},
		{"latitude out of range", "-122.25135", "97.793888", orb.Point{}, "latitude 97.793888 is outside -90..90"},
		{"longitude out of range", "-222.25135", "37.793888", orb.Point{}, "longitude -222.25135 is outside -180..180"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLonLat(tt.lon, tt.lat)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("= %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// FuzzContactReader feeds arbitrary bytes after a fixed header: the reader
// must never fail except through I/O (none here), and everything it returns
// must be normalised.
func FuzzContactReader(f *testing.F) {
	data, err := os.ReadFile("testdata/fixture_contacts.csv")
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	header := lines[0]
	for _, l := range lines[1:] {
		f.Add(l)
	}
	f.Add("\"unterminated,\n")
	f.Add(",,,,,,,,,,,,,,,,\n")
	f.Add("F1,a,b,x@y.zz,+999,,,,,,91,181,0600140600,,maybe,,\n")
	f.Fuzz(func(t *testing.T, body string) {
		ctx := context.Background()
		r, err := NewContactReader(ctx, strings.NewReader(header+body), "fuzz.csv", fixtureMapping, nil)
		if err != nil {
			t.Fatal(err)
		}
		for {
			c, err := r.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if c.Email == "" && c.Phone == "" && c.Mobile == "" {
				t.Fatalf("contact without email or phone returned: %+v", c)
			}
			for _, ph := range []string{c.Phone, c.Mobile} {
				if ph != "" && !strings.HasPrefix(ph, "+") {
					t.Fatalf("phone %q is not E.164", ph)
				}
			}
			if c.GEOID != "" && len(c.GEOID) != 11 && len(c.GEOID) != 12 {
				t.Fatalf("GEOID %q passed validation", c.GEOID)
			}
		}
		st := r.Stats()
		n := st.Kept
		for _, v := range st.Skipped {
			n += v
		}
		if n != st.Read {
			t.Fatalf("read %d, kept+skipped %d", st.Read, n)
		}
	})
}

// stubPlacer places every contact in tract "t" and reports evidence by.
type stubPlacer string

func (by stubPlacer) PlaceContact(c *Contact) string {
	c.Tract = "t"
	return string(by)
}

// TestContactReaderPlacer: the reader hands every kept contact to its
// Placer, counts what it returned, and reports a point not placed by.
func TestContactReaderPlacer(t *testing.T) {
	plain, _ := readAll(t, "testdata/fixture_contacts.csv", fixtureMapping, nil, true)
	withPoint := 0
	for _, c := range plain {
		if c.HasPoint {
			withPoint++
		}
	}
	for _, by := range []string{"point", "zip"} {
		got, stats := readAll(t, "testdata/fixture_contacts.csv", fixtureMapping, stubPlacer(by), true)
		if n := stats.PlacedBy[by]; n != len(got) || len(got) != len(plain) {
			t.Errorf("%s: placed %d of %d contacts, want all %d", by, n, len(got), len(plain))
		}
		for _, c := range got {
			if c.Tract != "t" {
				t.Errorf("%s: contact %s was not placed", by, c.ID)
			}
		}
		want := 0
		if by != "point" {
			want = withPoint
		}
		if n := stats.Problems["point outside tracts"]; n != want || withPoint == 0 {
			t.Errorf("%s: %d point-outside-tracts problems, want %d", by, n, want)
		}
	}
}

// TestContactReaderInvalidUTF8 checks that a row with a Latin-1 byte or a
// NUL is skipped as malformed, naming its line, instead of reaching the
// exports.
func TestContactReaderInvalidUTF8(t *testing.T) {
	b, err := os.ReadFile("testdata/fixture_contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	lines[1] = strings.Replace(lines[1], "Person", "Pers\xf3n", 1)
	lines[2] = strings.Replace(lines[2], "Person", "Per\x00son", 1)
	p := filepath.Join(t.TempDir(), "fixture_contacts.csv")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stats := readAll(t, p, fixtureMapping, nil, false)
	got := map[int]string{}
	for _, e := range stats.Examples {
		if errors.Is(e, ErrMalformedRow) {
			got[e.Line] = e.Error()
		}
	}
	for _, line := range []int{2, 3} {
		if !strings.Contains(got[line], "malformed row: field 3: ") {
			t.Errorf("line %d: got %q, want a malformed row naming field 3", line, got[line])
		}
	}
}

// placeBy is a Placer that places every contact by the same evidence.
type placeBy string

func (p placeBy) PlaceContact(*Contact) string { return string(p) }

// TestContactWarnings checks that each flaw of a contact row is a warning
// naming the file, the line, the column and the value, and what was done
// with the row, counted per kind; rows skipped as marked do-not-contact are
// counted only.
func TestContactWarnings(t *testing.T) {
	const header = "Contact ID,Email,Phone,Zip,Latitude,Longitude,Email Opt In,Do Not Contact\n"
	m := ContactMapping{ID: "Contact ID", Email: "Email", Phone: "Phone", Zip: "Zip", Lat: "Latitude", Lon: "Longitude",
		OptIn: "Email Opt In", DoNotContact: "Do Not Contact"}
	tests := []struct {
		name    string
		rows    string
		placer  Placer
		kept    int
		want    []string // the warnings, in order
		skipped map[string]int
	}{
		{name: "clean row", rows: "A1,a@example.org,(510) 555-0101,94601,37.79,-122.25,yes,\n", kept: 1},
		{name: "phone with a letter", rows: "A1,a@example.org,(510) 555-01O1,,,,yes,\n", kept: 1, want: []string{
			`row(s) kept without a phone number that is not valid (no call or text list has it): list.csv:2: column "Phone": "(510) 555-01O1" holds the letter(s) O: a letter in a phone number is usually a typo for a digit (O for 0, I or l for 1); fix the number (a vanity number such as 1-800-FLOWERS: write its digits)`}},
		{name: "email without @", rows: "A1,aexample.org,(510) 555-0101,,,,yes,\n", kept: 1, want: []string{
			`row(s) kept without their email, which is not an address (no email export has them): list.csv:2: column "Email": "aexample.org" is not an email address`}},
		{name: "opt-in maybe", rows: "A1,a@example.org,,,,,maybe,\n", kept: 1, want: []string{
			`row(s) with an email opt-in that is not yes or no, treated as not opted in: list.csv:2: column "Email Opt In": value "maybe" is not yes/no, treated as not opted in`}},
		{name: "latitude out of range, placed by ZIP", rows: "A1,a@example.org,,94601,97.793888,-122.25135,yes,\n", placer: placeBy("zip"), kept: 1, want: []string{
			`row(s) whose coordinates were not used: list.csv:2: column "Latitude": latitude 97.793888 is outside -90..90; coordinates must be EPSG:4326 degrees; placed by its ZIP instead`}},
		{name: "latitude not a number, not placed", rows: "A1,a@example.org,,,abc,-122.25135,yes,\n", placer: placeBy("none"), kept: 1, want: []string{
			`row(s) whose coordinates were not used: list.csv:2: column "Latitude": latitude "abc": not decimal degrees; the row is not placed (in no tract, area or segment)`}},
		{name: "an ID used twice", rows: "F001,a@example.org,,,,,yes,\nF001,b@example.org,,,,,yes,\n", kept: 1, skipped: map[string]int{"duplicate contact": 1}, want: []string{
			`row(s) skipped as duplicates of an earlier row: list.csv:3: column "Contact ID": ID "F001" is also the ID of line 2; the row is skipped: give each contact its own ID`}},
		{name: "marked do-not-contact is only counted", rows: "A1,a@example.org,,,,,yes,yes\n", skipped: map[string]int{"do not contact": 1}},
		{name: "do-not-contact mark not understood", rows: "A1,a@example.org,,,,,yes,perhaps\n", skipped: map[string]int{"do not contact": 1}, want: []string{
			`row(s) skipped as do-not-contact: list.csv:2: column "Do Not Contact": value "perhaps" is not yes/no, treated as do-not-contact to be safe`}},
		{name: "counted with the first examples", rows: "A1,x1,(510) 555-0101,,,,yes,\nA2,x2,(510) 555-0102,,,,yes,\nA3,x3,(510) 555-0103,,,,yes,\n", kept: 3, want: []string{
			`3 row(s) kept without their email, which is not an address (no email export has them), e.g. list.csv:2: column "Email": "x1" is not an email address; list.csv:3: column "Email": "x2" is not an email address; list.csv:4: column "Email": "x3" is not an email address`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			// a folder in the name, which warnings leave out
			r, err := NewContactReader(ctx, strings.NewReader(header+tt.rows), "/some/folder/list.csv", m, tt.placer)
			if err != nil {
				t.Fatal(err)
			}
			kept := 0
			for {
				_, err := r.Next(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				kept++
			}
			st := r.Stats()
			if kept != tt.kept {
				t.Errorf("kept %d rows, want %d", kept, tt.kept)
			}
			if diff := cmp.Diff(tt.want, st.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, st.Skipped, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestContactReaderQuotedBOMHeader: a contact list saved with a byte order
// mark and every header field quoted (R's write.csv with fileEncoding
// "UTF-8-BOM"; Excel quotes a header with a comma) reads like the list
// without them; encoding/csv alone refused it ("bare \" in non-quoted
// field"). The row is the MADE-UP fixture's first contact.
func TestContactReaderQuotedBOMHeader(t *testing.T) {
	data, err := os.ReadFile("testdata/fixture_contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 3)
	fields := strings.Split(strings.TrimRight(lines[0], "\r"), ",")
	for i, f := range fields {
		fields[i] = `"` + f + `"`
	}
	in := "\ufeff" + strings.Join(fields, ",") + "\n" + lines[1] + "\n"
	r, err := NewContactReader(context.Background(), strings.NewReader(in), "bom.csv", fixtureMapping, nil)
	if err != nil {
		t.Fatalf("NewContactReader: %v", err)
	}
	c, err := r.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if c.ID == "" || c.Email == "" {
		t.Errorf("contact %+v; want the fixture's first contact with its ID and email", c)
	}
}
