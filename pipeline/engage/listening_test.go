package engage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/place/contact/contacttest"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

var fixtureSurveyMapping = source.SurveyMapping{
	Lat: "loc[lat]", Lon: "loc[lon]", Zip: "zip", Neighborhood: "nbhd", Concerns: "concerns",
	Labels: map[string]string{"SQ001": "housing costs", "SQ002": "rent increases and evictions", "SQ003": "public safety",
		"SQ004": "schools", "SQ005": "air quality", "other": "other"},
}

func readSurvey(t testing.TB) *ListeningSummary {
	t.Helper()
	f, err := os.Open(contacttest.Testdata("fixture_limesurvey_responses.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadListening(context.Background(), f, "fixture_limesurvey_responses.csv", fixtureSurveyMapping, contacttest.Placer(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The expected counts are a hand count of the 13 rows of
// pipeline/source/testdata/fixture_limesurvey_responses.csv; places of the
// coordinates as in contact.TestPlaceContactsFixture (independent Python point-in-polygon).
func TestReadListeningFixture(t *testing.T) {
	s := readSurvey(t)
	type row struct {
		Place       string
		Segments    string
		Respondents int
		Concerns    string
	}
	var got []row
	for _, a := range s.Areas {
		var cs []string
		for _, c := range a.Concerns {
			cs = append(cs, fmt.Sprintf("%s %d", c.Concern, c.Count))
		}
		got = append(got, row{a.Place.Kind + " " + a.Place.ID, strings.Join(a.Segments, ","), a.Respondents, strings.Join(cs, "; ")})
	}
	want := []row{
		{"area Clinton", "flatlands", 1, "housing costs 1"},                                          // response 2
		{"area Coliseum", "flatlands", 1, "air quality 1; rent increases and evictions 1"},           // 9
		{"area Crocker Highland", "lower hills", 1, "public safety 1; schools 1"},                    // 12, by name
		{"area Fremont", "flatlands", 2, "housing costs 2; other 1; rent increases and evictions 1"}, // 1, 8
		{"area Montclair", "hills", 2, "schools 2"},                                                  // 4 ("montclair "), 13
		{"zip 94621", "flatlands", 2, "air quality 1; housing costs 1; public safety 1"},             // 3, 10
		{"unplaced ", "", 1, "housing costs 1"},                                                      // 7 ("Atlantis")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("areas (-want +got):\n%s", diff)
	}
	if s.Rows != 13 || s.Counted != 10 || s.Incomplete != 1 || s.Skipped != 2 {
		t.Errorf("rows %d counted %d incomplete %d skipped %d, want 13 10 1 2", s.Rows, s.Counted, s.Incomplete, s.Skipped)
	}
	top := s.Overall.Top(2)
	wantTop := []ConcernCount{{"housing costs", 5, 0.5}, {"schools", 3, 0.3}}
	if diff := cmp.Diff(wantTop, top); diff != "" {
		t.Errorf("overall top 2 (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, e := range s.Examples {
		msgs = append(msgs, e.Error())
	}
	wantMsgs := []string{
		`fixture_limesurvey_responses.csv:7: column "concerns": response 6 answered no concern`,
		"fixture_limesurvey_responses.csv:12: malformed row: 5 fields, the header has 18",
	}
	if diff := cmp.Diff(wantMsgs, msgs); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}

// TestReadListeningWarnings checks that a response whose coordinates cannot
// be used is a warning naming the file, line, column and value, and how the
// response was placed instead, and that skipped rows are warnings too. The
// rows are those of the fixture with one latitude edited.
func TestReadListeningWarnings(t *testing.T) {
	const header = `"id","submitdate","loc[lat]","loc[lon]","zip","nbhd","concerns[SQ001]"` + "\n"
	tests := []struct {
		name, rows string
		want       []string
	}{
		{"clean", `"1","2026-09-12 18:04:11","37.774400","-122.20972","","","Y"` + "\n", nil},
		{"latitude not a number, nothing else", `"1","2026-09-12 18:04:11","abc","-122.20972","","","Y"` + "\n", []string{
			`response(s) whose coordinates were not used: responses.csv:2: column "loc[lat]": location not used: latitude "abc": not decimal degrees; not placed: counted in the overall concerns only`}},
		{"latitude out of range, a ZIP", `"1","2026-09-12 18:04:11","97.7744","-122.20972","94621","","Y"` + "\n", []string{
			`response(s) whose coordinates were not used: responses.csv:2: column "loc[lat]": location not used: latitude 97.7744 is outside -90..90; coordinates must be EPSG:4326 degrees; placed by its ZIP answer instead`}},
		{"longitude not a number, a neighborhood", `"1","2026-09-12 18:04:11","37.7744","west","","Montclair","Y"` + "\n", []string{
			`response(s) whose coordinates were not used: responses.csv:2: column "loc[lon]": location not used: longitude "west": not decimal degrees; placed by its neighborhood answer instead`}},
		{"neighborhood of no area, nothing else", `"1","2026-09-12 18:04:11","","","","Atlantis","Y"` + "\n", []string{
			`response(s) whose neighborhood answer names no area, not placed (counted in the overall concerns only): responses.csv:2: column "nbhd": "Atlantis" is not an area of the contacts' area layer`}},
		{"neighborhood of no area, a ZIP", `"1","2026-09-12 18:04:11","","","94621","Atlantis","Y"` + "\n", nil},
		{"skipped rows", `"1","2026-09-12 18:04:11","","","94621","",""` + "\n" + `"2","x"` + "\n", []string{
			"response(s) skipped, no concern answered: responses.csv:2: column \"concerns\": response 1 answered no concern",
			"response(s) skipped, unreadable: responses.csv:3: malformed row: 2 fields, the header has 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := source.SurveyMapping{Lat: "loc[lat]", Lon: "loc[lon]", Zip: "zip", Neighborhood: "nbhd", Concerns: "concerns"}
			s, err := ReadListening(context.Background(), strings.NewReader(header+tt.rows), "/a/folder/responses.csv", m, contacttest.Placer(t))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzReadListening(f *testing.F) {
	data, err := os.ReadFile(contacttest.Testdata("fixture_limesurvey_responses.csv"))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	for _, l := range lines[1:] {
		f.Add(l)
	}
	f.Add("\"unterminated\n")
	f.Fuzz(func(t *testing.T, body string) {
		s, err := ReadListening(context.Background(), strings.NewReader(lines[0]+body), "fuzz.csv", fixtureSurveyMapping, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Counted+s.Incomplete+s.Skipped != s.Rows {
			t.Fatalf("rows %d != counted %d + incomplete %d + skipped %d", s.Rows, s.Counted, s.Incomplete, s.Skipped)
		}
		n := 0
		for _, a := range s.Areas {
			n += a.Respondents
			for _, c := range a.Concerns {
				if c.Share <= 0 || c.Share > 1 {
					t.Fatalf("share %g out of (0, 1]", c.Share)
				}
			}
		}
		if n != s.Counted {
			t.Fatalf("area respondents %d != counted %d", n, s.Counted)
		}
	})
}

func ExampleReadListening() {
	export := `"id","submitdate","lastpage","startlanguage","seed","zip","concerns[SQ001]","concerns[SQ002]"` + "\n" +
		`"1","2026-09-12 18:04:11","2","en","1187426532","94621","Y",""` + "\n" +
		`"2","2026-09-12 18:10:02","2","en","402211873","94621","Y","Y"` + "\n"
	m := source.SurveyMapping{Zip: "zip", Concerns: "concerns", Labels: map[string]string{"SQ001": "housing costs", "SQ002": "schools"}}
	s, err := ReadListening(context.Background(), strings.NewReader(export), "responses.csv", m, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range s.Areas {
		for _, c := range a.Top(3) {
			fmt.Printf("%s %s: %s %d of %d\n", a.Place.Kind, a.Place.ID, c.Concern, c.Count, a.Respondents)
		}
	}
	// Output:
	// zip 94621: housing costs 2 of 2
	// zip 94621: schools 1 of 2
}
