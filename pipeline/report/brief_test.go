package report

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/reports"
)

func TestHeadlineRounding(t *testing.T) {
	for _, tt := range []struct {
		d    float64
		want string
	}{{-350.5, "350"}, {1234, "1,200"}, {35.5, "36"}, {0.4, "0"}} {
		if got := points(tt.d); got != tt.want {
			t.Errorf("points(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
	for _, tt := range []struct {
		x      float64
		format string
		want   string
	}{{53839, "dollars", "$53,800"}, {158125, "dollars", "$158,000"}, {0.692, "percent", "69.2%"}, {math.NaN(), "dollars", "–"}} {
		if got := sig3(tt.x, tt.format); got != tt.want {
			t.Errorf("sig3(%v, %q) = %q; want %q", tt.x, tt.format, got, tt.want)
		}
	}
}

// TestContrastWords writes the title and lead from made-up medians: a
// focus area with smaller, higher-scoring records says so.
func TestContrastWords(t *testing.T) {
	c := contrast{kind: "middle schools", focus: "east side", reference: "west side",
		size: &config.Measure{Column: "n", Label: "Enrollment"}, sizeF: 300, sizeR: 600,
		score: &config.Measure{Column: "s", Label: "Score"}, scoreF: 720, scoreR: 700,
		income: &config.Measure{Column: "i", Label: "Median income", Format: "dollars"}, incomeF: 40000, incomeR: 40500}
	if got, want := c.title(), "The median middle school in the east side has half the enrollment and scores 20 points higher than in the west side"; got != want {
		t.Errorf("title = %q; want %q", got, want)
	}
	if got, want := c.lead(), "Middle schools in the east side are smaller and score higher than in the west side."; got != want {
		t.Errorf("lead = %q; want %q (incomes about the same: no income clause)", got, want)
	}
}

func TestCoverOrder(t *testing.T) {
	got := cover("flatlands", "area", "schools", map[string]int{"D1": 3, "D2": 9, "": 2, "D3": 3})
	want := reports.Cover{What: "flatlands", Kind: "area", Unit: "schools", Outside: 2,
		Counts: []reports.SeatCount{{Seat: "D2", N: 9}, {Seat: "D1", N: 3}, {Seat: "D3", N: 3}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cover (-want +got):\n%s", diff)
	}
}
