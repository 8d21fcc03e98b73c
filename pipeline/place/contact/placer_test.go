package contact_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/place/contact/contacttest"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// Expected tracts and neighborhoods were computed independently of the geo
// package with a crossing-number point-in-polygon test in Python 3 over the
// full alameda_tracts_2010.geojson and oakland_neighborhoods.geojson (the
// script is in pipeline/source/testdata/FIXTURES.md); every point fell in exactly one tract.
func TestPlaceContactsFixture(t *testing.T) {
	var got []source.Contact
	stats, err := source.ReadContactsFile(context.Background(), contacttest.Testdata("fixture_contacts.csv"), contacttest.Mapping, contacttest.Placer(t), func(c source.Contact) error {
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]source.Contact{}
	for _, c := range got {
		byID[c.ID] = c
	}
	type want struct {
		kept                 bool
		email, phone, mobile string
		tract, area          string
		segments             []string
		optIn                bool
		problems             int
	}
	tests := []struct {
		id   string
		want want
	}{
		{"F001", want{true, "fixture001@example.org", "+15105550101", "", "06001405401", "Clinton", []string{"flatlands"}, true, 0}},
		{"F002", want{true, "fixture002@example.org", "", "+15105550102", "06001406100", "Hawthorne", []string{"flatlands"}, true, 0}},
		{"F003 suppressed by do-not-contact F019 with the same email", want{kept: false}},
		{"F004", want{true, "", "+15105550104", "", "06001405402", "Clinton", []string{"flatlands"}, false, 0}},
		{"F005", want{true, "fixture005@example.org", "", "", "06001407200", "Fremont", []string{"flatlands"}, true, 0}},
		{"F007", want{true, "fixture007@example.org", "+15105550107", "+15105550117", "06001408700", "Frick", []string{"flatlands"}, true, 0}},
		{"F008", want{true, "fixture008@example.org", "+15105550108", "", "06001408200", "Millsmont", []string{"lower hills"}, true, 0}},
		{"F009", want{true, "fixture009@example.org", "+15105550109", "", "06001404502", "Montclair", []string{"hills"}, true, 0}},
		{"F010", want{true, "fixture010@example.org", "+15105550110", "", "06001405100", "Crocker Highland", []string{"lower hills"}, false, 0}},
		{"F011", want{true, "fixture011@example.org", "+15105550111", "", "06001408100", "Skyline-Hillcrest Estates", []string{"hills"}, true, 0}},
		{"F012 placed by GEOID only", want{true, "fixture012@example.org", "+15105550112", "", "06001406000", "", nil, true, 0}},
		{"F013 placed by ZIP only", want{true, "fixture013@example.org", "+15105550113", "", "", "", []string{"flatlands"}, true, 0}},
		{"F014 bad email and unparseable phone", want{kept: false}},
		{"F015 unparseable phone, good email", want{true, "fixture015@example.org", "", "", "06001408800", "Lockwood Tevis", []string{"flatlands"}, true, 1}},
		{"F016 duplicate email", want{kept: false}},
		{"F017 duplicate phone", want{kept: false}},
		{"F018 do not contact", want{kept: false}},
		{"F019 do not contact", want{kept: false}},
		{"F020 formula payloads are kept here, neutralised on export", want{true, "fixture020@example.org", "+15105550120", "", "06001409800", "Golf Links", []string{"lower hills"}, true, 0}},
		{"F021 too few fields", want{kept: false}},
		{"F022 GEOID lost its leading zero", want{true, "fixture022@example.org", "+15105550122", "", "", "", nil, true, 1}},
		{"F023 lat and lon swapped", want{true, "fixture023@example.org", "+15105550123", "", "", "", nil, true, 1}},
		{"F024 opt-in not understood", want{true, "fixture024@example.org", "+15105550124", "", "06001400400", "Fairview Park", []string{"flatlands"}, false, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			id := strings.Fields(tt.id)[0]
			c, ok := byID[id]
			if ok != tt.want.kept {
				t.Fatalf("kept = %v, want %v", ok, tt.want.kept)
			}
			if !ok {
				return
			}
			gotW := want{true, c.Email, c.Phone, c.Mobile, c.Tract, c.Area, c.Segments, c.OptIn, len(c.Problems)}
			if diff := cmp.Diff(tt.want, gotW, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("contact mismatch (-want +got):\n%s\nproblems: %q", diff, c.Problems)
			}
		})
	}
	wantStats := map[string]int{"malformed row": 1, "do not contact": 3, "duplicate contact": 2, "no usable email or phone": 1}
	if diff := cmp.Diff(wantStats, stats.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if stats.Read != 25 || stats.Kept != 18 {
		t.Errorf("read %d kept %d, want 25 and 18", stats.Read, stats.Kept)
	}
	if c := byID["F020"]; c.First != `=HYPERLINK("http://example.org/x","click")` || c.Custom["language"] != "@cmd" {
		t.Errorf("F020 first %q language %q: reader must keep values verbatim", c.First, c.Custom["language"])
	}
	// The unmapped "Private Notes" column must not reach any contact.
	for _, c := range got {
		all := fmt.Sprintf("%+v", c)
		if strings.Contains(all, "private note") || strings.Contains(all, "placed by") {
			t.Errorf("contact %s carries an unmapped column: %s", c.ID, all)
		}
	}
	for _, e := range stats.Examples {
		if filepath.Base(e.File) != "fixture_contacts.csv" || e.Line < 2 {
			t.Errorf("skip without location: %v", e)
		}
	}
}

func TestPlacerOrderOfEvidence(t *testing.T) {
	p := contacttest.Placer(t).WithAreaOfTract(func(tract string) string { return "area of " + tract })
	pt := orb.Point{-122.27863, 37.817864} // outside the trimmed tracts
	tests := []struct {
		name  string
		pt    *orb.Point
		geoid string
		zip   string
		want  contact.Placement
	}{
		{"point wins", &orb.Point{-122.25135, 37.793888}, "06001406000", "94621", contact.Placement{"06001405401", "Clinton", []string{"flatlands"}, "point"}},
		{"point outside tracts falls back to GEOID", &pt, "060014060001", "", contact.Placement{"06001406000", "area of 06001406000", nil, "geoid"}},
		{"ZIP in the list", nil, "", "94621-3501", contact.Placement{"", "", []string{"flatlands"}, "zip"}},
		{"ZIP not in the list", nil, "", "94601", contact.Placement{By: "none"}},
		{"nothing", nil, "", "", contact.Placement{By: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, p.Place(tt.pt, tt.geoid, tt.zip)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkContactReader reads and places 1,000 contacts.
func BenchmarkContactReader(b *testing.B) {
	data, err := os.ReadFile(contacttest.Testdata("fixture_contacts.csv"))
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// 1,000 distinct rows: the fixture's first row with its email and phone
	// numbered, so none is a duplicate.
	var buf bytes.Buffer
	buf.WriteString(lines[0])
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&buf, "B%04d,Bench,Person,bench%04d@example.org,(510) 555-01%02d,,750 International Boulevard,Oakland,CA,94606,37.793888,-122.25135,,yes,,Spanish,note\r\n", i, i, i%100)
	}
	p := contacttest.Placer(b)
	m := contacttest.Mapping
	m.Phone = "" // phones repeat every 100 rows; keep only email for dedup
	m.Custom = nil
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		r, err := source.NewContactReader(ctx, bytes.NewReader(buf.Bytes()), "bench.csv", m, p)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(ctx); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func ExamplePlacer_PlaceContact() {
	list := "name,surname,mail,cell,zip\r\n" +
		"Fixture,Person 001,fixture001@example.org,(510) 555-0101,94621\r\n" +
		"Fixture,Person 002,not-an-email,,94621\r\n"
	m := source.ContactMapping{First: "name", Last: "surname", Email: "mail", Mobile: "cell", Zip: "zip"}
	p := contact.NewPlacer(nil, nil, nil).WithZIPSegments(map[string][]string{"94621": {"east oakland"}})
	ctx := context.Background()
	r, err := source.NewContactReader(ctx, strings.NewReader(list), "contacts.csv", m, p)
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		c, err := r.Next(ctx)
		if err != nil {
			break
		}
		fmt.Println(c.First, c.Last, c.Mobile, c.Segments)
	}
	for _, e := range r.Stats().Examples {
		fmt.Println(e)
	}
	// Output:
	// Fixture Person 001 +15105550101 [east oakland]
	// contacts.csv:3: no usable email or phone: column "mail": "not-an-email" is not an email address
}
