package tabulate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// TestStatBounds: a summary statistic that is a Census code itself carries
// the Bureau's words for it (read from the raw layer's note), whatever the
// relation of the value sent to the edge: 3501 is "3,500 or more", 1939
// "1939 or earlier". A statistic computed from a code says "at least" or
// "at most". Made-up tract values.
func TestStatBounds(t *testing.T) {
	code := func(x float64, note string) codedValue {
		w, _ := indicator.NoteCode(note)
		return codedValue{x, indicator.NoteBound(note), w}
	}
	tests := []struct {
		name  string
		vals  []float64
		coded []codedValue
		want  map[string]string
	}{
		{"rent top code is the max", []float64{1200, 1800, 3501},
			[]codedValue{code(3501, "top-coded: 3,500 or more (3501)")},
			map[string]string{"max": "3,500 or more", "mean": "at least"}},
		{"year built bottom code is the min and the median", []float64{1939, 1939, 1955},
			[]codedValue{code(1939, "bottom-coded: 1939 or earlier (1939)"), code(1939, "bottom-coded: 1939 or earlier (1939)")},
			map[string]string{"min": "1939 or earlier", "median": "1939 or earlier", "mean": "at most"}},
		{"an indicator computed from a code", []float64{10, 20, 42},
			[]codedValue{code(42, "the result is at least the value shown (a top-coded input)")},
			map[string]string{"max": "at least", "mean": "at least"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statBounds(tt.vals, stats.Summarize(tt.vals), tt.coded)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("statBounds (-want +got):\n%s", d)
			}
		})
	}
}
