package sedona

import (
	"errors"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestSummarySpecLeavesTextToGroundwork: a measure of a text or boolean
// column (a count of the records with a value there, the only statistic
// the pipeline file allows of one) is refused with ErrNotSQL, so the
// sedona engine computes that summary natively (gather logs "summary
// computed natively") and the job never sees it; a number column is taken.
func TestSummarySpecLeavesTextToGroundwork(t *testing.T) {
	types := map[string]table.Type{"terrain": table.String, "stype": table.String, "open": table.Bool, "enroll": table.Int}
	for _, tt := range []struct {
		column string
		sql    bool
	}{{"enroll", true}, {"stype", false}, {"open", false}} {
		s := &config.Summary{Name: "s", Of: "schools", By: []string{"terrain"}, Measures: []*config.Measure{{Column: tt.column, Stats: []string{"count"}}}}
		_, err := SummarySpec(s, types)
		if got := err == nil; got != tt.sql {
			t.Errorf("count of %s: error %v; want translated %v", tt.column, err, tt.sql)
		}
		if err != nil && !errors.Is(err, ErrNotSQL) {
			t.Errorf("count of %s: error %v; want ErrNotSQL", tt.column, err)
		}
	}
}
