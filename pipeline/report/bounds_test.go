package report

import (
	"testing"

	"github.com/groundwork-org/groundwork/reports"
)

// TestBoundWords: a Census code is shown as the Bureau words it, the
// interval's edge and the words after it, whether the value sent is the
// edge plus or minus one (money: 3501 is "3,500 or more") or the edge
// itself (the jam-value list's percentages, rooms and years: 50 is "50.0 or
// more", 1939 "1939 or earlier"). Before the codes carried their words the
// report computed the edge as value - 1 (value + 1), which made 1939
// "1,940 or less" and 50 "49 or more".
func TestBoundWords(t *testing.T) {
	dollars := func(x float64) string { return reports.Format(x, "dollars") }
	plain := func(x float64) string { return reports.Format(x, "") }
	year := func(x float64) string { return reports.Format(x, "year") }
	cells := []struct {
		v    float64
		note string
		f    func(float64) string
		want string
	}{
		{3501, "top-coded: 3,500 or more (3501)", dollars, "$3,500 or more"},
		{2499, "bottom-coded: 2,500 or less (2499)", dollars, "$2,500 or less"},
		{50, "top-coded: 50.0 or more (50.0)", plain, "50 or more"},
		{9, "top-coded: 9.0 or more (9.0)", plain, "9 or more"},
		{1939, "bottom-coded: 1939 or earlier (1939)", plain, "1,939 or earlier"}, // the column's number format, as its other cells
		{1939, "bottom-coded: 1939 or earlier (1939)", year, "1939 or earlier"},
		{42012, "the result is at least the value shown (a top-coded input)", dollars, "at least $42,012"},
		{7.2, "the result is not exact: coded inputs pull it both ways", plain, "7.2 (not exact: from a coded value)"},
		{1500, "", dollars, "1500"},
	}
	for _, tt := range cells {
		if got := boundCell(tt.v, tt.note, tt.f); got != tt.want {
			t.Errorf("boundCell(%v, %q) = %q, want %q", tt.v, tt.note, got, tt.want)
		}
	}
	stats := []struct {
		x             float64
		words, format string
		want          string
	}{
		{3501, "3,500 or more", "dollars", "$3,500 or more"},
		{250001, "250,000 or more", "dollars", "$250,000 or more"},
		{50, "50.0 or more", "", "50 or more"},
		{10, "10.0 or less", "", "10 or less"},
		{1969, "1969 or earlier", "", "1,969 or earlier"},
		{1969, "1969 or earlier", "year", "1969 or earlier"},
		{42012, "at least", "dollars", "at least $42,012"},
		{1500, "", "dollars", "$1,500"},
	}
	for _, tt := range stats {
		if got := boundFormat(tt.x, tt.words, tt.format); got != tt.want {
			t.Errorf("boundFormat(%v, %q, %q) = %q, want %q", tt.x, tt.words, tt.format, got, tt.want)
		}
	}
}
