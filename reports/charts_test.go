package reports

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		name           string
		lo, hi         float64
		n              int
		want           []float64
		wantLo, wantHi float64
	}{
		// raw step (120-0)/4 = 30 rounds up to 50 (1, 2, 5 × 10^k)
		{"zero to 120 in about 4", 0, 120, 4, []float64{0, 50, 100, 150}, 0, 150},
		// raw step (900-400)/5 = 100
		{"API scores", 400, 900, 5, []float64{400, 500, 600, 700, 800, 900}, 400, 900},
		{"negative to positive", -3, 7, 5, []float64{-4, -2, 0, 2, 4, 6, 8}, -4, 8},
		{"empty range widened", 5, 5, 4, []float64{5, 5.5, 6}, 5, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lo, hi := niceTicks(tt.lo, tt.hi, tt.n)
			if diff := cmp.Diff(tt.want, got); diff != "" || lo != tt.wantLo || hi != tt.wantHi {
				t.Errorf("niceTicks(%g, %g, %d) = %v, %g, %g; want %v, %g, %g", tt.lo, tt.hi, tt.n, got, lo, hi, tt.want, tt.wantLo, tt.wantHi)
			}
		})
	}
}

// TestBarView checks the bar geometry by hand: the axis runs 0-150 (see
// TestNiceTicks) over x = 150..440, so x(v) = 150 + v/150*290.
func TestBarView(t *testing.T) {
	b := &BarChart{Bars: []Bar{
		{Label: "flatlands", Value: 100, MOE: 20},     // x(100) = 343.3, whisker x(80) = 304.7 to x(120) = 382
		{Label: "hills", Value: 50, Unreliable: true}, // x(50) = 246.7
		{Label: "lower hills", Value: math.NaN()},     // no bar
	}}
	v := b.view()
	type row struct {
		Label, Text            string
		HasBar, Whisker, Hatch bool
		X, W, WX0, WX1         float64
	}
	var got []row
	for _, r := range v.Rows {
		got = append(got, row{r.Label, r.Text, r.HasBar, r.Whisker, r.Unreliable, r.X, r.W, r.WX0, r.WX1})
	}
	want := []row{
		{"flatlands", "100 ± 20", true, true, false, 150, 193.3, 304.7, 382},
		{"hills †", "50", true, false, true, 150, 96.7, 0, 0},
		{"lower hills", "no estimate", false, false, false, 0, 0, 0, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}
	if !v.AnyUnreliable {
		t.Error("AnyUnreliable = false; want true")
	}
}
