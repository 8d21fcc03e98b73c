package census

import (
	"os"
	"strings"
	"testing"
)

// TestClassify reads the statistic of each variable from its variables.json
// entry (testdata/variables_statistics_2018.json, hand-written: see
// PROVENANCE.md), and from the code alone when no metadata is at hand.
func TestClassify(t *testing.T) {
	b, err := os.ReadFile("testdata/variables_statistics_2018.json")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := parseVariables(b)
	if err != nil {
		t.Fatal(err)
	}
	m := &Metadata{Dataset: "acs/acs5", Year: 2018, Variables: vars}
	tests := []struct {
		name   string
		want   Statistic
		reason string // a part of the reason
	}{
		{"B19013B_001E", Median, "Median household income"}, // race iteration: not on any table-ID list
		{"B01002A_001E", Median, "Median age"},
		{"B25010_001E", Mean, "Average household size"},
		{"B25119_002E", Median, "Median household income"},
		{"B20002_001E", Median, "Median earnings"},
		{"B20017_002E", Median, "Median earnings"},
		{"B19326_001E", Median, "Median income"},
		{"B25031_004E", Median, "Median gross rent"},
		{"B25076_001E", Quartile, "Lower value quartile"},
		{"B25078_001E", Quartile, "Upper value quartile"},
		{"DP03_0062E", Median, "Median household income"},
		{"S1901_C01_012E", Median, "Median income"},
		{"B19083_001E", Index, "Gini"},
		{"B19301_001E", Mean, "per capita income is a mean"},
		{"B19025_001E", Count, "aggregate"},
		{"B25070_007E", Count, "30.0 to 34.9 percent"}, // a bracket of a count table
		{"B08301_010E", Count, "Public transportation"},
		{"DP05_0071PE", Percent, "Percent Estimate"},
		{"S1701_C03_001E", Percent, "Percent below poverty level"},
		{"B25003_003E", Count, "Renter occupied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Classify(tt.name, m)
			if got != tt.want || !strings.Contains(why, tt.reason) || !strings.HasPrefix(why, tt.name) {
				t.Errorf("Classify = %v, %q; want %v, a reason naming %s and containing %q", got, why, tt.want, tt.name, tt.reason)
			}
		})
	}
	// Without metadata: the code alone.
	for _, tt := range []struct {
		name string
		want Statistic
	}{
		{"B19013B_001E", Median}, {"B25088_003E", Median}, {"DP05_0071PE", Percent}, {"B25003_003E", Count}, {"B19301_001E", Mean},
		{"B25010_001E", Mean}, {"B01002A_001E", Median},
		{"B25071_001E", Median}, {"B25092_002E", Median}, {"B25018_001E", Median}, {"B25021_003E", Median},
		{"B25035_001E", Median}, {"B25037_001E", Median}, {"B25039_003E", Median},
	} {
		if got, why := Classify(tt.name, nil); got != tt.want || !strings.Contains(why, tt.name) {
			t.Errorf("Classify(%s, nil) = %v, %q; want %v", tt.name, got, why, tt.want)
		}
	}
}
