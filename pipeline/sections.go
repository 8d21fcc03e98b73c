package pipeline

import "github.com/groundwork-org/groundwork/reports"

// sections returns the report sections beyond the area tables: indicators
// with their margins of error, area comparisons, segregation measures, and
// the outreach, listening and turnout summaries, in that order.
func (st *state) sections() []reports.Section {
	return nil
}
