package reports_test

import (
	"math"
	"testing"

	"github.com/groundwork-org/groundwork/reports"
)

func TestInterval(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name         string
		est, moe     float64
		format, want string
	}{
		{"issue 15's example", 0.185, 0.015, "percent", "about 18.5%, likely between 17.0% and 20.0%"},
		{"wide percent margin rounds to whole points", 0.185, 0.15, "percent", "about 19%, likely between 4% and 34%"},
		{"percent floor at zero, margin of 8 points keeps the tenth", 0.05, 0.08, "percent", "about 5.0%, likely between 0.0% and 13.0%"},
		{"dollars to the hundred", 54313, 5012, "dollars", "about $54,300, likely between $49,300 and $59,300"},
		{"dollars, small margin, whole dollars", 54313, 54, "dollars", "about $54,313, likely between $54,259 and $54,367"},
		{"count", 10450, 420, "", "about 10,450, likely between 10,030 and 10,870"},
		{"count, margin in the thousands", 88100, 1900, "", "about 88,100, likely between 86,200 and 90,000"},
		{"a number may go below zero", -2.4, 3.1, "number", "about −2.4, likely between −5.5 and 0.7"},
		{"no margin", 0.185, 0, "percent", "about 18.5%"},
		{"NaN margin", 54313, nan, "dollars", "about $54,313"},
		{"no estimate", nan, 1, "", "no estimate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := reports.Interval(tt.est, tt.moe, tt.format); got != tt.want {
				t.Errorf("Interval(%v, %v, %q) = %q; want %q", tt.est, tt.moe, tt.format, got, tt.want)
			}
		})
	}
}

func TestRounded(t *testing.T) {
	for _, tt := range []struct {
		est, moe     float64
		format, want string
	}{
		{0.185, 0.015, "percent", "18.5%"},
		{0.1849, 0.15, "percent", "18%"},
		{54313, 5012, "dollars", "$54,300"},
		{54313, 0, "dollars", "$54,313"},
		{0.9972144846796658, 0, "number", "0.997"},  // a need index without a margin: three decimals at most
		{0.9972144846796658, 0.2, "number", "1.00"}, // margin 0.2: hundredths
		{331, 0, "", "331"},                         // a whole count stays whole
		{194.5, 0, "", "194.5"},                     // a median of counts keeps its half
		{-0.004, 0.5, "number", "0.00"},             // no minus sign on a rounded zero
		{math.NaN(), 1, "", "–"},
	} {
		if got := reports.Rounded(tt.est, tt.moe, tt.format); got != tt.want {
			t.Errorf("Rounded(%v, %v, %q) = %q; want %q", tt.est, tt.moe, tt.format, got, tt.want)
		}
	}
}

func TestReliabilityWord(t *testing.T) {
	for band, want := range map[string]string{
		"reliable": "reliable", "caution": "use with caution", "unreliable": "too uncertain to use", "unknown": "", "": "",
	} {
		if got := reports.ReliabilityWord(band); got != want {
			t.Errorf("ReliabilityWord(%q) = %q; want %q", band, got, want)
		}
	}
}

func TestTimes(t *testing.T) {
	for _, tt := range []struct {
		ratio float64
		want  string
	}{
		{331 / 194.5, "1.7 times"}, {1.02, "about the same"}, {2.01, "twice"}, {0.5, "half"}, {0.59, "0.6 times"},
		{math.Inf(1), ""}, {math.NaN(), ""}, {0, ""},
	} {
		if got := reports.Times(tt.ratio); got != tt.want {
			t.Errorf("Times(%v) = %q; want %q", tt.ratio, got, tt.want)
		}
	}
}

// TestProportionInterval: a share's range is said within 0% and 100%
// (Atlanta's tract 13089021204: renters about 100%, MOE 15 points, was
// "likely between 85% and 115%"); a value that is not a share (a percent
// change) keeps its range past 100%.
func TestProportionInterval(t *testing.T) {
	for _, tt := range []struct {
		name     string
		est, moe float64
		share    bool
		want     string
	}{
		{"share at 100%", 1.0, 0.15, true, "about 100%, likely between 85% and 100%"},
		{"share near 100%", 0.984, 0.04, true, "about 98.4%, likely between 94.4% and 100.0%"},
		{"share near 0%", 0.02, 0.05, true, "about 2.0%, likely between 0.0% and 7.0%"},
		{"share inside the bounds", 0.457, 0.005, true, "about 45.7%, likely between 45.2% and 46.2%"},
		{"percent change is not a share", 1.0, 0.15, false, "about 100%, likely between 85% and 115%"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := reports.Interval
			if tt.share {
				f = reports.ProportionInterval
			}
			if got := f(tt.est, tt.moe, "percent"); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestShortInterval: the printed form of Interval's cases, the same
// numbers in brackets.
func TestShortInterval(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name         string
		est, moe     float64
		share        bool
		format, want string
	}{
		{"issue 15's example", 0.185, 0.015, false, "percent", "18.5% (17.0–20.0)"},
		{"wide percent margin", 0.185, 0.15, false, "percent", "19% (4–34)"},
		{"percent floor at zero", 0.05, 0.08, false, "percent", "5.0% (0.0–13.0)"},
		{"share at most 100%", 0.984, 0.04, true, "percent", "98.4% (94.4–100.0)"},
		{"dollars", 54313, 5012, false, "dollars", "$54,300 ($49,300–$59,300)"},
		{"count", 10450, 420, false, "", "10,450 (10,030–10,870)"},
		{"a number below zero", -2.4, 3.1, false, "number", "−2.4 (−5.5 to 0.7)"},
		{"no margin", 0.185, 0, false, "percent", "18.5%"},
		{"no estimate", nan, 1, false, "", "–"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := reports.ShortInterval
			if tt.share {
				f = reports.ShortProportionInterval
			}
			if got := f(tt.est, tt.moe, tt.format); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
