package census

import (
	"fmt"
	"strings"
	"testing"
)

// TestCodeOf checks the year- and table-aware code table: each case is an
// ACS release year, a variable and a value, with the coding the Bureau's
// notes give it (see TopCodes for the sources).
func TestCodeOf(t *testing.T) {
	tests := []struct {
		name  string
		year  int
		v     float64
		want  Coding
		words string
	}{
		{"B25064_001E", 2010, 2001, TopCoded, "2,000 or more"}, // 2006-2010: rent distribution ends at $2,000+
		{"B25064_001E", 2018, 2001, NotCoded, ""},              // 2014-2018: $2,001 is a rent
		{"B25064_001E", 2018, 3501, TopCoded, "3,500 or more"}, // 2014-2018: $3,500+
		{"B25064_001E", 2012, 3501, NotCoded, ""},              // no such code before 2015
		{"B25077_001E", 2014, 1000001, TopCoded, "1,000,000 or more"},
		{"B25077_001E", 2019, 1000001, NotCoded, ""},
		{"B25088_002E", 2018, 4001, TopCoded, "4,000 or more"}, // a sub-cell, not only _001
		{"B25088_003E", 2018, 99, BottomCoded, "100 or less"},
		{"B19019_005E", 2018, 250001, TopCoded, "250,000 or more"},
		{"B19049_003E", 2018, 2499, BottomCoded, "2,500 or less"},
		{"B19119_002E", 2018, 250001, TopCoded, "250,000 or more"},
		{"B19013B_001E", 2018, 250001, TopCoded, "250,000 or more"}, // race iteration
		{"B25076_001E", 2018, 2000001, TopCoded, "2,000,000 or more"},
		{"B25078_001E", 2018, 9999, BottomCoded, "10,000 or less"},
		{"B25031_004E", 2018, 3501, TopCoded, "3,500 or more"},
		{"B25119_003E", 2018, 250001, TopCoded, "250,000 or more"},
		{"B20017_002E", 2018, 250001, TopCoded, "250,000 or more"},
		{"B19326_001E", 2018, 250001, TopCoded, "250,000 or more"},
		{"B03002_001E", 2018, 250001, NotCoded, ""}, // a count, never coded
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d %v", tt.name, tt.year, tt.v), func(t *testing.T) {
			got, words := CodeOf(tt.name, tt.year, tt.v)
			if got != tt.want || words != tt.words {
				t.Errorf("CodeOf = %v %q, want %v %q", got, words, tt.want, tt.words)
			}
		})
	}
}

// TestCodeMedians: with the year known, a code is a code whether or not it
// is its column's extreme, and a value that is no code in that year is not
// flagged even when it is the column's maximum (the made-up two-tract
// responses of TestCodesAreExtremes).
func TestCodeMedians(t *testing.T) {
	tests := []struct {
		col   string
		vals  [2]string
		year  int
		want0 Coding
	}{
		{"B25064_001E", [2]string{"2001", "1500"}, 2018, NotCoded}, // the column's max, but 2,001 is a rent in 2018
		{"B25064_001E", [2]string{"2001", "1500"}, 2010, TopCoded}, // 2006-2010: a code
		{"B25064_001E", [2]string{"99", "60"}, 2018, BottomCoded},  // a code although 60 is lower (a bad row, but the code stands)
		{"B25088_002E", [2]string{"4001", "1200"}, 2018, TopCoded}, // sub-cell
		{"B19019_002E", [2]string{"250001", "90000"}, 2019, TopCoded},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v %d", tt.col, tt.vals, tt.year), func(t *testing.T) {
			in := fmt.Sprintf(`[["NAME","%s","state","county","tract"],["a","%s","06","001","400100"],["b","%s","06","001","400200"]]`, tt.col, tt.vals[0], tt.vals[1])
			tb, err := Decode(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			tb.CodeMedians(tt.year)
			if got := tb.Column(tt.col).Coding[0]; got != tt.want0 {
				t.Errorf("%s = %s in %d: %v, want %v", tt.col, tt.vals[0], tt.year, got, tt.want0)
			}
		})
	}
}

// TestTopCodesCited: every entry of the code table names its source.
func TestTopCodesCited(t *testing.T) {
	for _, c := range TopCodes {
		if !strings.Contains(c.Source, "census.gov") || len(c.Tables) == 0 || c.Words == "" {
			t.Errorf("entry %v %v: want tables, words and a census.gov source", c.Tables, c.Value)
		}
	}
}
