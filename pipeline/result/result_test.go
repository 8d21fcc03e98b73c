package result

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnplacedTally(t *testing.T) {
	var us []Unplaced
	for i := range 150 {
		us = append(us, Unplaced{ID: fmt.Sprintf("P%03d", i), Reason: fmt.Sprintf("its location (%d.5, -122.1) is outside every boundary", i)})
	}
	us = append(us, Unplaced{ID: "Q1", Reason: "no coordinates"}, Unplaced{ID: "Q2", Reason: "a (b) c (d) e"})
	var tally UnplacedTally
	for _, u := range us {
		tally.Add(u)
	}
	got := tally.Set()
	want := []ReasonCount{{"its location is outside every boundary", 150}, {"a c e", 1}, {"no coordinates", 1}}
	if diff := cmp.Diff(want, got.ByReason); diff != "" {
		t.Errorf("ByReason (-want +got):\n%s", diff)
	}
	if got.Total != 152 || len(got.Sample) != MaxUnplacedSample || got.Sample[0].ID != "P000" {
		t.Errorf("Total %d, sample of %d starting %v", got.Total, len(got.Sample), got.Sample[0])
	}
}
