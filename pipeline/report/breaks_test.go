package report

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
			got := divergingBreaks(tt.vals, tt.mid, tt.perSide, "")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("divergingBreaks(%v, %v, %d) (-want +got):\n%s", tt.vals, tt.mid, tt.perSide, diff)
			}
		})
	}
}

// TestClassBreaks checks each breaks method of a map shade against values
// worked by hand: ten values 1..9 and 30 (one far outlier).
func TestClassBreaks(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 30}
	for _, tt := range []struct {
		method string
		n      int
		want   []float64
	}{
		// type 1 quantiles: x_(ceil(10 j/5)) = x_2, x_4, x_6, x_8
		{"", 5, []float64{2, 4, 6, 8}},
		{"quantile", 5, []float64{2, 4, 6, 8}},
		// width (30-1)/5 = 5.8
		{"equal_interval", 5, []float64{6.8, 12.6, 18.4, 24.2}},
		// two classes: {1..9} and {30} leave the least squared deviations
		{"fisher_jenks", 2, []float64{9}},
		// three distinct values, four classes asked: the top bound repeats
		{"fisher_jenks", 4, nil},
	} {
		got := classBreaks(vals, tt.n, tt.method)
		if tt.want == nil {
			got = classBreaks([]float64{1, 1, 2, 5, 5}, tt.n, tt.method)
			tt.want = []float64{1, 2, 5}
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Errorf("classBreaks(%s, %d) (-want +got):\n%s", tt.method, tt.n, diff)
		}
	}
}

// TestClassCounts counts values per class by the map's rule (a value on a
// bound belongs to the class below it).
func TestClassCounts(t *testing.T) {
	got := classCounts([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 30}, []float64{6.8, 12.6, 18.4, 24.2}, "tracts")
	if want := "6, 3, 0, 0 and 1 tracts, lowest class first"; got != want {
		t.Errorf("classCounts = %q, want %q", got, want)
	}
}
