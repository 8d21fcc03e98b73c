package source

import (
	"context"
	"strings"
	"testing"
)

var fixtureSurveyMapping = SurveyMapping{
	Lat: "loc[lat]", Lon: "loc[lon]", Zip: "zip", Neighborhood: "nbhd", Concerns: "concerns",
	Labels: map[string]string{"SQ001": "housing costs", "SQ002": "rent increases and evictions", "SQ003": "public safety",
		"SQ004": "schools", "SQ005": "air quality", "other": "other"},
}

func TestScanLimeSurveyHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		header string
		m      SurveyMapping
		want   string
	}{
		{"full-text headings", `"Response ID","Date submitted","Where do you live?","What worries you? [Rent]"`, fixtureSurveyMapping,
			`x.csv:1: column "id": mapped as id but not in the header`},
		{"no concerns columns", `"id","submitdate","zip","q2"`, SurveyMapping{Zip: "zip", Concerns: "concerns"},
			`x.csv:1: column "concerns": concerns: no column "concerns" or "concerns[SQ001]"...; export with headings set to "Question code"`},
		{"mapping", `"id"`, SurveyMapping{Lat: "a"}, "survey mapping for x.csv: concerns: no question code"},
		{"mistyped code", `"id","submitdate","zip_code","concerns"`, SurveyMapping{Zip: "zipcode", Concerns: "concerns"},
			`x.csv:1: column "zipcode": mapped as zip but not in the header; did you mean "zip_code"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScanLimeSurvey(context.Background(), strings.NewReader(tt.header+"\n"), "x.csv", tt.m, func(Response) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
