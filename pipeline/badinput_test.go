package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput edits a copy of the demo in one way each and checks the
// error or warning names the file, the line or feature, and the fix, and that
// a failed run leaves the previous outputs intact.
func TestBadInput(t *testing.T) {
	replace := func(file, old, new string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s does not contain %q", file, old)
			}
			os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
		}
	}
	tests := []struct {
		name     string
		edit     func(t *testing.T, dir string)
		wantErr  []string // run fails with all of these
		wantWarn string   // run succeeds with this warning
	}{
		{
			name:    "missing file",
			edit:    func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "api_2000_oakland.csv")) },
			wantErr: []string{"source:api2000", "api_2000_oakland.csv", "no such file"},
		},
		{
			name:    "malformed census response",
			edit:    replace("alameda_acs5_2018_tracts.json", `"06","001","400100"],`, `"06","001","400100"`),
			wantErr: []string{`source "acs"`, "alameda_acs5_2018_tracts.json"},
		},
		{
			name: "recorded census response cut short",
			edit: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "alameda_acs5_2018_tracts.json")
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(p, b[:len(b)/2], 0o644)
			},
			wantErr: []string{`source "acs"`, "alameda_acs5_2018_tracts.json: the recorded response is cut short", `ends with "]]"); save the whole answer again`},
		},
		{
			name:    "a header shortened",
			edit:    replace("cde_schools_2018_oakland.csv", "Latitude,Longitude", "Lat,Longitude"),
			wantErr: []string{"cde_schools_2018_oakland.csv:1", `column "Latitude": no such column in the header; did you mean "Lat"?`},
		},
		{
			name:    "wrong column name",
			edit:    replace("cde_schools_2018_oakland.csv", "Latitude,Longitude", "Latitud,Longitude"),
			wantErr: []string{"cde_schools_2018_oakland.csv:1", `column "Latitude": no such column in the header; did you mean "Latitud"?`},
		},
		{
			name:    "CDS code that lost its leading zero",
			edit:    replace("api_2000_oakland.csv", `"01612590132092"`, `"1612590132092"`),
			wantErr: []string{"api_2000_oakland.csv:2", `column "cds"`, "leading zeros were probably lost", `"01612590132092"`},
		},
		{
			name:    "GEOID written as a number",
			edit:    replace("alameda_tracts_2010.geojson", `"GEOID":"06001400100"`, `"GEOID":6001400100`),
			wantErr: []string{"alameda_tracts_2010.geojson: feature 0", "numeric IDs lose leading zeros"},
		},
		{
			name:    "duplicate feature ID",
			edit:    replace("alameda_tracts_2010.geojson", `"GEOID":"06001400200"`, `"GEOID":"06001400100"`),
			wantErr: []string{"alameda_tracts_2010.geojson: feature 1 (06001400100)", `duplicate ID "06001400100" (also feature 0)`},
		},
		{
			name:     "unclosed ring is closed and reported",
			edit:     replace("alameda_tracts_2010.geojson", `,[-122.24692,37.885438]]]]`, `]]]`),
			wantWarn: "feature 0 (06001400100): polygon 0 ring 0 was not closed; closed it by repeating its first point",
		},
		{
			// A Unix timestamp has no zone: the reminder's event_time
			// would show the number, so the run says so.
			name:     "timeslot that is not a start time",
			edit:     replace("fixture_mobilize_attendees.csv", "9002,e1,Tenant meeting,2026-10-03T18:00:00-07:00", "9002,e1,Tenant meeting,1791075600"),
			wantWarn: `followup: fixture_mobilize_attendees.csv: 1 sign-up row(s) have a timeslot that is not a start time with its UTC offset (line 3: "1791075600"), so the lists' event_time column shows it as written; map timeslot: to a column of start times such as 2026-10-03T18:00:00-07:00`,
		},
		{
			name:    "custom field named as a follow-up column",
			edit:    replace("pipeline.yaml", "custom: [language]", "custom: [language, event]"),
			wantErr: []string{"contacts.exports.custom", `custom field "event": the follow-up lists already have a column of that name; rename the field`},
		},
		{
			name:     "school outside every boundary",
			edit:     replace("cde_schools_2018_oakland.csv", "37.786684,-122.23578", "38.786684,-122.23578"),
			wantWarn: "could not be placed; see unplaced/schools.csv",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := demoDir(t)
			out := filepath.Join(t.TempDir(), "out")
			if _, err := runDemo(t, dir, out); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(filepath.Join(out, "report.html"))
			tt.edit(t, dir)
			res, err := runDemo(t, dir, out)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; want %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\ndoes not contain %q", err, w)
					}
				}
				after, _ := os.ReadFile(filepath.Join(out, "report.html"))
				if !bytes.Equal(before, after) {
					t.Error("a failed run changed the previous outputs")
				}
				if left := beside(t, out, false); len(left) > 0 {
					t.Errorf("a failed run left %v beside the output folder", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range res.Warnings {
				found = found || strings.Contains(w, tt.wantWarn)
			}
			if !found {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.wantWarn)
			}
			report, _ := os.ReadFile(filepath.Join(out, "report.html"))
			if !bytes.Contains(report, []byte("Run notes")) {
				t.Error("report does not show the run notes")
			}
		})
	}
}
