package outreach

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/geo"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// loadFixture reads testdata/fixture_contacts_placed.csv: the contacts that
// source.ContactReader keeps from pipeline/source/testdata/fixture_contacts.csv
// (made-up people at real Oakland school addresses), written out once with
// their placement; see testdata/README.md.
func loadFixture(t testing.TB) []Contact {
	return loadPlaced(t, "testdata/fixture_contacts_placed.csv")
}

// loadPlaced reads a placed-contact CSV (the layout of
// fixture_contacts_placed.csv).
func loadPlaced(t testing.TB, path string) []Contact {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []Contact
	for _, r := range rows[1:] {
		line, _ := strconv.Atoi(r[0])
		lon, _ := strconv.ParseFloat(r[11], 64)
		lat, _ := strconv.ParseFloat(r[12], 64)
		var segs []string
		if r[17] != "" {
			segs = strings.Split(r[17], ";")
		}
		out = append(out, Contact{Line: line, ID: r[1], First: r[2], Last: r[3], Email: r[4], Phone: r[5], Mobile: r[6],
			Street: r[7], City: r[8], State: r[9], Zip: r[10], Lon: lon, Lat: lat, HasPoint: r[13] == "true", GEOID: r[14],
			Tract: r[15], Area: r[16], Segments: segs, OptIn: r[18] == "true", Custom: map[string]string{"language": r[19]},
			PhoneRegion: r[20], PhoneCC: r[21], MobileRegion: r[22], MobileCC: r[23], SMSOptIn: r[24] == "true", DoNotCall: r[25] == "true"})
	}
	return out
}

func readLayer(t testing.TB) *geo.Layer {
	t.Helper()
	l, err := geo.ReadGeoJSON(context.Background(), "neighborhoods", "testdata/fixture_neighborhoods_trimmed.geojson", "name")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// listFiles returns every file under dir, relative, slash-separated, sorted.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func exportFixture(t *testing.T, dir string) *Summary {
	t.Helper()
	ctx := context.Background()
	e, err := NewExporter(ctx, dir, []string{"flatlands", "lower hills", "hills"}, Options{Custom: []string{"language"}, Areas: readLayer(t), Turfs: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadFixture(t) {
		if err := e.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := e.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestGolden compares every file of an export of the fixture contacts with
// testdata/golden (regenerate with go test ./reports/outreach -update and
// review the diff).
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	sum := exportFixture(t, dir)
	files := listFiles(t, dir)
	if diff := cmp.Diff(sum.Files, files); diff != "" {
		t.Errorf("Summary.Files and the files on disk differ (temporary files left?) (-summary +disk):\n%s", diff)
	}
	golden := filepath.Join("testdata", "golden")
	if *update {
		os.RemoveAll(golden)
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteFileAtomic(filepath.Join(golden, f), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if diff := cmp.Diff(listFiles(t, golden), files); diff != "" {
		t.Fatalf("file list differs from golden (-golden +got):\n%s", diff)
	}
	for _, f := range files {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		want, err := os.ReadFile(filepath.Join(golden, f))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s differs from golden (-want +got):\n%s", f, diff)
		}
	}
}

// TestSummaryCounts checks the export's counts against a hand count of
// testdata/fixture_contacts_placed.csv (18 contacts: 12 flatlands, 4 lower
// hills, 2 hills, 4 in no segment).
func TestSummaryCounts(t *testing.T) {
	sum := exportFixture(t, t.TempDir())
	type key struct{ profile, segment string }
	got := map[key]string{}
	for _, r := range sum.Rows {
		s := fmt.Sprintf("exported %d", r.Exported)
		for _, k := range slices.Sorted(maps.Keys(r.Skipped)) {
			s += fmt.Sprintf(", %s %d", k, r.Skipped[k])
		}
		got[key{r.Profile, r.Segment}] = s
	}
	want := map[key]string{
		// flatlands: F001 F002 F004 F005 F006 F007 F013 F015 F024 F025 = 10
		// F005 and F015 have no phone.
		{CallHub, "flatlands"}: "exported 8, no phone number 2",
		// F004 has no email; F024 did not opt in (value "maybe").
		{ActionNetwork, "flatlands"}: "exported 8, no email address 1, not opted in to email 1",
		{EveryAction, "flatlands"}:   "exported 10",
		{NationBuilder, "flatlands"}: "exported 10",
		// Mobilize is an invitation list: email with opt-in, names and a ZIP
		// (F004 has no email, F024 did not opt in); a phone is optional.
		{Mobilize, "flatlands"}: "exported 8, no email address 1, not opted in to email 1",
		{Generic, "flatlands"}:  "exported 10",
		// lower hills: F008 F010 F020; F010 did not opt in.
		{CallHub, "lower hills"}:       "exported 3",
		{ActionNetwork, "lower hills"}: "exported 2, not opted in to email 1",
		{EveryAction, "lower hills"}:   "exported 3",
		{NationBuilder, "lower hills"}: "exported 3",
		{Mobilize, "lower hills"}:      "exported 2, not opted in to email 1",
		{Generic, "lower hills"}:       "exported 3",
		// hills: F009 F011.
		{CallHub, "hills"}: "exported 2", {ActionNetwork, "hills"}: "exported 2", {EveryAction, "hills"}: "exported 2",
		{NationBuilder, "hills"}: "exported 2", {Mobilize, "hills"}: "exported 2", {Generic, "hills"}: "exported 2",
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	// F012, F022, F023 (no segment); 18 contacts in all.
	if sum.NotInSegment != 3 {
		t.Errorf("NotInSegment = %d, want 3", sum.NotInSegment)
	}
}

// TestNeutralize runs the cell guard over OWASP's trigger characters
// (https://owasp.org/www-community/attacks/CSV_Injection: = + - @, tab,
// carriage return, line feed), NUL, and the plain numbers it must leave
// alone (a negative amount, an E.164 number with its "+").
func TestNeutralize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"equals", `=HYPERLINK("http://example.org/x","click")`, `'=HYPERLINK("http://example.org/x","click")`},
		{"equals sum", "=1+1", "'=1+1"},
		{"plus formula", "+SUM(1;2)", "'+SUM(1;2)"},
		{"minus formula", "-2+3", "'-2+3"},
		{"DDE", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"at", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"at word", "@cmd", "'@cmd"},
		{"tab", "\tPerson", "'\tPerson"},
		{"carriage return", "\rPerson", "'\rPerson"},
		{"line feed", "\n=1+1", "'\n=1+1"},
		{"NUL", "\x00=1", "'\x00=1"},
		{"negative number", "-12.5", "-12.5"},
		{"negative integer", "-3", "-3"},
		{"E.164 with plus", "+15105551234", "+15105551234"},
		{"phone with spaces", "+1 510 555 1234", "'+1 510 555 1234"},
		{"minus alone", "-", "'-"},
		{"plus alone", "+", "'+"},
		{"trailing dot", "-12.", "'-12."},
		{"leading dot", "-.5", "'-.5"},
		{"two dots", "-1.2.3", "'-1.2.3"},
		{"double minus", "--1", "'--1"},
		{"exponent", "+1e5", "'+1e5"},
		{"plain", "Fixture", "Fixture"},
		{"inner equals", "a=b", "a=b"},
		{"empty", "", ""},
		{"E.164 digits", "15105550101", "15105550101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Neutralize(tt.in); got != tt.want {
				t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzNeutralize checks the guard's contract on any input: the result is
// the input or the input behind one quote, and a result that does not start
// with a quote either starts with no trigger character or is a plain number.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"=1+1", "-12.5", "+15105551234", "@x", "\t", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Neutralize(s)
		if got != s && got != "'"+s {
			t.Fatalf("Neutralize(%q) = %q", s, got)
		}
		if got == s && s != "" && strings.ContainsRune("=+-@\t\r\n\x00", rune(s[0])) {
			if s[0] != '+' && s[0] != '-' || !plainNumber(s[1:]) {
				t.Fatalf("Neutralize(%q) left a trigger character unguarded", s)
			}
			if strings.ContainsAny(s[1:], "+-*/=@(),;:!|&^%$#'\" ") {
				t.Fatalf("Neutralize(%q) passed an operator", s)
			}
		}
	})
}

func TestParseStreet(t *testing.T) {
	tests := []struct {
		in   string
		want Address
	}{
		{"4610 Foothill Boulevard", Address{Number: 4610, HasNumber: true, Name: "Foothill Boulevard"}},
		{"12250 Skyline Boulevard Apt 3", Address{Number: 12250, HasNumber: true, Name: "Skyline Boulevard", Unit: "Apt 3"}},
		{"525 Midcrest Road, #2B", Address{Number: 525, HasNumber: true, Name: "Midcrest Road", Unit: "#2B"}},
		{"12A  Main   St", Address{Number: 12, HasNumber: true, Suffix: "A", Name: "Main St"}},
		{"12 1/2 Main St", Address{Number: 12, HasNumber: true, Suffix: "1/2", Name: "Main St"}},
		{"300 A Street", Address{Number: 300, HasNumber: true, Name: "A Street"}},
		{"39899 Balentine Drive, Suite 335", Address{Number: 39899, HasNumber: true, Name: "Balentine Drive", Unit: "Suite 335"}},
		{"General Delivery", Address{Name: "General Delivery"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseStreet(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseStreet: any text splits without panicking, and a split keeps the
// house number and street name of the input.
func FuzzParseStreet(f *testing.F) {
	for _, s := range []string{"4610 Foothill Boulevard", "12 1/2 Main St", "525 Midcrest Road, #2B", "12A Main St", "General Delivery", "", "99999999 X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := ParseStreet(s)
		norm := strings.Join(strings.Fields(s), " ")
		if a.HasNumber && !strings.HasPrefix(norm, strconv.Itoa(a.Number)) && !strings.HasPrefix(norm, "0") {
			t.Fatalf("%q: number %d is not the start of the address", s, a.Number)
		}
		if !strings.Contains(norm, a.Name) || !strings.Contains(norm, a.Unit) {
			t.Fatalf("%q: name %q or unit %q not in the address", s, a.Name, a.Unit)
		}
		if norm != "" && a.Name == "" {
			t.Fatalf("%q: empty street name", s)
		}
	})
}

func TestWalkOrder(t *testing.T) {
	// House numbers of real school addresses on two Oakland streets (CDE
	// directory): string order would put "750" after "6701".
	var ws []walkEntry
	for i, s := range []string{"6701 International Boulevard", "4610 Foothill Boulevard", "750 International Boulevard",
		"2825 International Boulevard", "915 Foothill Boulevard", "4215 Foothill Boulevard", "No Number Lane", "2825 international boulevard"} {
		a := ParseStreet(s)
		ws = append(ws, walkEntry{number: a.Number, hasNumber: a.HasNumber, name: a.Name, street: s, line: i})
	}
	sortWalk(ws)
	var got []string
	for _, w := range ws {
		got = append(got, sideName(w)+" "+w.street)
	}
	want := []string{
		"odd 915 Foothill Boulevard", "odd 4215 Foothill Boulevard", "even 4610 Foothill Boulevard",
		"odd 2825 International Boulevard", "odd 2825 international boulevard", "odd 6701 International Boulevard", "even 750 International Boulevard",
		" No Number Lane",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walk order (-want +got):\n%s", diff)
	}
}

func TestNewExporterErrors(t *testing.T) {
	_, err := NewExporter(context.Background(), t.TempDir(), []string{"East Oakland", "east-oakland"}, Options{Profiles: []string{"callhub", "mailchimp"}})
	want := "outreach export: profile \"mailchimp\": unknown; valid profiles are callhub, actionnetwork, everyaction, nationbuilder, mobilize, generic\n" +
		"segment \"east-oakland\": file name \"east-oakland\" is also the name of segment \"East Oakland\"; rename one"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestCustomFieldClash(t *testing.T) {
	_, err := NewExporter(context.Background(), t.TempDir(), []string{"s"}, Options{Profiles: []string{CallHub, Generic}, Custom: []string{"zipcode", "language"}})
	want := `outreach export: custom field "zipcode": profile callhub already has a column of that name; rename the field`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := NewExporter(ctx, dir, []string{"flatlands"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadFixture(t) {
		if err := e.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	e.Abort()
	if files := listFiles(t, dir); len(files) != 0 {
		t.Errorf("files left after Abort: %q", files)
	}
}

// FuzzExportNoFormula: whatever text a contact's fields hold, no exported
// cell of any profile, walk list or summary can begin a spreadsheet formula.
func FuzzExportNoFormula(f *testing.F) {
	f.Add(`=HYPERLINK("http://example.org/x","click")`, "+SUM(1;2)", "@cmd", "-2+3 Main St", "=1+1")
	f.Add("\tPerson", "\rPerson", "Fixture", "750 International Boulevard", "\n=cmd|' /C calc'!A0")
	f.Add("", "", "", "", "")
	f.Add("Fixture", "Person", `"=1"`, "12 =A1 St", "=seg")
	f.Add("-12.5", "+15105551234", "-1", "-2+3", "+")
	f.Fuzz(func(t *testing.T, first, last, custom, street, segment string) {
		ctx := context.Background()
		dir := t.TempDir()
		segment = "s " + segment
		e, err := NewExporter(ctx, dir, []string{segment}, Options{Custom: []string{"x"}, Turfs: true})
		if err != nil {
			t.Skip() // segment names that make no distinct file name
		}
		c := Contact{First: first, Last: last, Email: "fixture@example.org", Phone: "+15105550101", OptIn: true,
			Street: street, City: custom, Zip: custom, Area: custom + "area", Segments: []string{segment}, Custom: map[string]string{"x": custom}}
		if err := e.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Close(ctx); err != nil {
			t.Skip() // turf names that collide as file names
		}
		for _, name := range listFiles(t, dir) {
			if !strings.HasSuffix(name, ".csv") {
				continue
			}
			fh, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			r := csv.NewReader(fh)
			r.FieldsPerRecord = -1
			rows, err := r.ReadAll()
			fh.Close()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, row := range rows {
				for _, cell := range row {
					if cell == "" || !strings.ContainsRune("=+-@\t\r\n\x00", rune(cell[0])) {
						continue
					}
					// The one exception of Neutralize: a plain number.
					if (cell[0] == '+' || cell[0] == '-') && plainNumber(cell[1:]) {
						continue
					}
					t.Fatalf("%s: cell %q begins a formula", name, cell)
				}
			}
		}
	})
}

func BenchmarkExporter(b *testing.B) {
	contacts := loadFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		e, err := NewExporter(ctx, b.TempDir(), []string{"flatlands", "lower hills", "hills"}, Options{Custom: []string{"language"}})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 1000; i++ {
			if err := e.Add(ctx, contacts[i%len(contacts)]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := e.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleNewExporter() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "outreach")
	defer os.RemoveAll(dir)
	e, err := NewExporter(ctx, dir, []string{"flatlands"}, Options{Profiles: []string{CallHub, ActionNetwork}})
	if err != nil {
		fmt.Println(err)
		return
	}
	e.Add(ctx, Contact{First: "=Fixture", Last: "Person 001", Mobile: "+15105550101", MobileRegion: "US", MobileCC: "1",
		SMSOptIn: true, Segments: []string{"flatlands"}})
	sum, err := e.Close(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range sum.Rows {
		fmt.Println(r.File, r.Exported, r.Skipped)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "callhub", "flatlands.csv"))
	fmt.Print(string(data))
	// Output:
	// callhub/flatlands.csv 1 map[]
	// actionnetwork/flatlands.csv 1 map[]
	// contact,mobile,first_name,last_name,email,country_code,address,city,state,zipcode,tags
	// 15105550101,15105550101,'=Fixture,Person 001,,US,,,,,flatlands
}
