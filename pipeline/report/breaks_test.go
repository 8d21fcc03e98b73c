package report

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDivergingBreaks(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name    string
		vals    []float64
		mid     float64
		perSide int
		want    []float64
	}{
		{"two a side around zero", []float64{-4, -3, -2, -1, 1, 2, 3, 4}, 0, 2, []float64{-3, 0, 2}},
		{"NaN left out, mid counts below", []float64{-2, nan, 0, 1, 5}, 0, 2, []float64{-2, 0, 1}},
		{"nothing above keeps the browns below", []float64{0.2, 0.5, 0.9}, 1, 2, []float64{0.5, 1, 1}},
		{"one a side is the midpoint alone", []float64{-1, 1}, 0, 1, []float64{0}},
		{"three a side", []float64{-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6}, 0, 3, []float64{-5, -3, 0, 2, 4}},
		{"no classes", []float64{1}, 0, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := divergingBreaks(tt.vals, tt.mid, tt.perSide)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("divergingBreaks(%v, %v, %d) (-want +got):\n%s", tt.vals, tt.mid, tt.perSide, diff)
			}
		})
	}
}
