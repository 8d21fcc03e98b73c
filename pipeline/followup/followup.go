// Package followup is the follow-up loop of the outreach stage: it reads
// the followup section's sign-up exports and sign-in sheets, matches their
// rows against the contact list as it streams by (engage.Matcher), and
// writes each event's reminder, confirm and no-show lists and matches.csv
// (outreach.WriteFollowUp), returning the counts the report shows
// (result.FollowUp).
package followup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// Attendance is the loop's input: every attendance row, indexed for
// matching against the contact list as it streams by (Offer).
type Attendance struct {
	matcher       *engage.Matcher
	rows, skipped map[string]int
}

// Read reads the attendance files of f (nil without a followup section:
// Read returns nil), their paths resolved by path, and records through warn
// how many rows of each file were skipped and the first.
func Read(ctx context.Context, f *config.FollowUp, path func(string) string, warn func(format string, args ...any)) (*Attendance, error) {
	if f == nil {
		return nil, nil
	}
	a := &Attendance{rows: map[string]int{}, skipped: map[string]int{}}
	var all []source.Attendee
	for _, af := range f.Files {
		name := filepath.Base(af.File)
		rows, bad, err := readFile(ctx, path(af.File), name, af.Mapping)
		a.skipped[name] += len(bad)
		if len(bad) > 0 {
			warn("followup: %s: %d row(s) skipped, first: %v", name, len(bad), bad[0])
		}
		if err != nil {
			return nil, fmt.Errorf("followup: %w", err)
		}
		a.rows[name] += len(rows) + a.skipped[name]
		if at, line, n := notTimes(rows); n > 0 {
			warn("followup: %s: %d sign-up row(s) have a timeslot that is not a start time with its UTC offset (line %d: %q), so the lists' event_time column shows it as written; map timeslot: to a column of start times such as 2026-10-03T18:00:00-07:00", name, n, line, at)
		}
		all = append(all, rows...)
	}
	a.matcher = engage.NewMatcher(all)
	return a, nil
}

// notTimes counts the rows whose timeslot is given and is not a start
// time (outreach.TimeslotTime), and returns the first.
func notTimes(rows []source.Attendee) (first string, line, n int) {
	for _, r := range rows {
		if r.Timeslot == "" {
			continue
		}
		if _, ok := outreach.TimeslotTime(r.Timeslot); !ok {
			if n == 0 {
				first, line = r.Timeslot, r.Line
			}
			n++
		}
	}
	return first, line, n
}

// readFile reads one attendance file (source.ReadAttendance).
func readFile(ctx context.Context, path, name string, m source.AttendanceMapping) ([]source.Attendee, []*source.ParseError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return source.ReadAttendance(ctx, f, name, m)
}

// Offer offers contact c of the contact list to the matcher.
func (a *Attendance) Offer(c source.Contact) { a.matcher.Offer(c) }

// Write resolves the matches (by the contact list's zip segments), writes
// the three lists of each event and matches.csv under dir/followup (dir is
// the exports folder) with the export's custom columns, records through
// warn the rows not merged, and returns the counts and the files written,
// relative to dir.
func (a *Attendance) Write(ctx context.Context, dir string, zipSegments map[string][]string, custom []string, warn func(format string, args ...any)) (*result.FollowUp, []string, error) {
	r := a.matcher.Resolve(zipSegments)
	var events []outreach.FollowUpEvent
	for _, e := range r.Events {
		events = append(events, outreach.FollowUpEvent{Event: e.Event, Title: e.Title, Reminder: e.Reminder, Confirm: e.Confirm,
			NoShow: e.NoShow, NotInList: e.NotInList})
	}
	matches := make([]outreach.MatchRow, len(r.Matches))
	res := &result.FollowUp{Rows: a.rows, Skipped: a.skipped, Matched: map[string]int{}, Ambiguous: r.Ambiguous}
	for i, m := range r.Matches {
		matches[i] = outreach.MatchRow(m)
		res.Matched[m.Rule]++
	}
	sum, err := outreach.WriteFollowUp(ctx, dir, events, matches, custom)
	if err != nil {
		return nil, nil, fmt.Errorf("followup: %w", err)
	}
	res.Lists = sum.Lists
	for _, e := range r.Events {
		e.Reminder, e.Confirm, e.NoShow = nil, nil, nil
		res.Events = append(res.Events, e)
	}
	if n := len(r.Ambiguous); n > 0 {
		warn("followup: %d sign-up/sign-in row(s) matched several contacts or disagreed between rules, not merged; see exports/followup/matches.csv", n)
	}
	return res, sum.Files, nil
}
