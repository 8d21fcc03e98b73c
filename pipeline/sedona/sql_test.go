package sedona

import (
	"errors"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestRuleSQLRefuses lists rules the job cannot evaluate as groundwork does:
// RuleSQL says so (ErrNotSQL) and the caller keeps them native. The
// translations that it does make are compared with segment.Rule on real
// records in TestSummariesAndSegmentsInSpark.
func TestRuleSQLRefuses(t *testing.T) {
	types := map[string]table.Type{"api00": table.Int, "stype": table.String, "ok": table.Bool, "share": table.Float}
	for _, tc := range []struct {
		rule    string
		notSQL  bool // ErrNotSQL; otherwise a plain error
		wantSQL string
	}{
		{rule: `stype == "E"`, wantSQL: "(`stype` <=> CAST(unhex('45') AS STRING))"},
		{rule: `api00 < 600`, wantSQL: "(`api00` < CAST(600 AS BIGINT))"},
		{rule: `api00 == nil`, wantSQL: "(`api00` <=> NULL)"},
		{rule: `api00 / 2 > 300`, notSQL: true},
		{rule: `len(stype) > 1`, notSQL: true},
		{rule: `ok && api00 > 1`, notSQL: true},
		{rule: `api00 == "600"`, notSQL: true},
		{rule: `stype < 5`, notSQL: true},
		{rule: `stype in [api00]`, notSQL: true},
		{rule: `api00 + 1`, notSQL: true},
		{rule: `stype matches "E"`, notSQL: true},
		{rule: `nosuch == 1`},
		{rule: `api00 <`},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, err := RuleSQL(tc.rule, types)
			switch {
			case tc.wantSQL != "":
				if err != nil || got != tc.wantSQL {
					t.Errorf("RuleSQL = %q, %v; want %q", got, err, tc.wantSQL)
				}
			case err == nil:
				t.Errorf("RuleSQL = %q, want an error", got)
			case errors.Is(err, ErrNotSQL) != tc.notSQL:
				t.Errorf("RuleSQL error %v: ErrNotSQL is %v, want %v", err, errors.Is(err, ErrNotSQL), tc.notSQL)
			}
		})
	}
}
