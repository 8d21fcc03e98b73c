package result

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// WriteSummaryJSON writes o as exports/outreach-summary.json holds it
// (indented JSON): the contact counts with the skipped rows as
// "file:line: reason" (file names without their folder), the export's
// summary, and the listening, turnout and follow-up summaries when present.
// It reads o.Contacts.Examples, which the stage cache cannot save, so it
// runs before they are cleared.
func (o *Outreach) WriteSummaryJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	stats := o.Contacts
	cs := contactSummary{Read: stats.Read, Kept: stats.Kept, Skipped: stats.Skipped, Problems: stats.Problems, PlacedBy: stats.PlacedBy}
	for _, e := range stats.Examples {
		cs.Examples = append(cs.Examples, fmt.Sprintf("%s:%d: %v", filepath.Base(e.File), e.Line, e.Err))
	}
	return enc.Encode(struct {
		Contacts  contactSummary           `json:"contacts"`
		Export    *outreach.Summary        `json:"export"`
		Listening *engage.ListeningSummary `json:"listening,omitempty"`
		Turnout   *engage.TurnoutSummary   `json:"turnout,omitempty"`
		FollowUp  *FollowUp                `json:"followup,omitempty"`
	}{cs, o.Export, o.Listening, o.Turnout, o.FollowUp})
}

// contactSummary is the JSON form of source.ContactStats.
type contactSummary struct {
	Read     int            `json:"read"`
	Kept     int            `json:"kept"`
	Skipped  map[string]int `json:"skipped"`
	Problems map[string]int `json:"problems"`
	PlacedBy map[string]int `json:"placed_by"`
	Examples []string       `json:"skipped_rows"`
}
