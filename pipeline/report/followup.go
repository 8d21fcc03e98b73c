package report

import (
	"fmt"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/reports"
)

// followUpSection reports the follow-up loop: per event who confirmed, who
// came, who confirmed and did not come and who walked in, by segment and
// area; the three lists of the three-contact plan with their files and
// everyone left out by reason; and how sign-ups and sign-ins were matched
// to the contact list.
func (in *Input) followUpSection(f *result.FollowUp) reports.Section {
	sec := reports.Section{ID: "followup", Title: "Follow-up: reminders, confirmations, no-shows"}
	rows, skipped := 0, 0
	for _, n := range f.Rows {
		rows += n
	}
	for _, n := range f.Skipped {
		skipped += n
	}
	var rules []string
	for _, r := range []struct{ rule, words string }{{engage.MatchEmail, "by email"}, {engage.MatchPhone, "by phone"},
		{engage.MatchNameAddress, "by name and address"}, {engage.MatchNone, "not in the contact list"}} {
		if n := f.Matched[r.rule]; n > 0 {
			rules = append(rules, fmt.Sprintf("%d %s", n, r.words))
		}
	}
	p := fmt.Sprintf("%d sign-up and sign-in rows read (%d unusable); matched to the contact list %s.", rows, skipped, strings.Join(rules, ", "))
	if n := len(f.Ambiguous); n > 0 {
		p += fmt.Sprintf(" %d row(s) matched more than one contact or disagreed between rules and were not merged: see exports/followup/matches.csv.", n)
	}
	sec.Paragraphs = append(sec.Paragraphs, p)
	for _, e := range f.Events {
		t := e.Total
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%s: %d confirmed, %d came, %d confirmed and did not come, %d came without confirming, %d registered, %d cancelled.",
			e.Event, t.Confirmed, t.Came, t.NoShows, t.WalkIns, t.Registered, t.Cancelled))
	}
	lt := reports.Table{Title: "The three-contact plan: lists to load into CallHub", Header: []string{"Event", "List", "Channel", "People", "Left out (why)", "File"},
		Numeric: []bool{false, false, false, true, false, false}}
	for _, l := range f.Lists {
		n := 0
		for _, k := range l.Skipped {
			n += k
		}
		why := fmt.Sprint(n)
		if n > 0 {
			why += parenCounts(l.Skipped)
		}
		lt.Rows = append(lt.Rows, []string{l.Event, strings.ReplaceAll(l.List, "-", " "), l.Channel, fmt.Sprint(l.Exported), why, "exports/" + l.File})
	}
	lt.Note = "Reminder texts go to confirmed people with a mobile and text consent, the day before; confirmation calls to people registered but not confirmed, never to a do-not-call number; the no-show list after the event. People not in the contact list are on no list: their consent is unknown. Each list names the event and each person's time (its event and event_time columns), for the text's message or the caller's script."
	gt := reports.Table{Title: "Turnout by segment and area", Header: []string{"Event", "Group", "Confirmed", "Came", "Confirmed, did not come", "Walk-ins"},
		Numeric: []bool{false, false, true, true, true, true}}
	for _, e := range f.Events {
		for _, c := range append(append([]engage.FollowUpCount(nil), e.BySegment...), e.ByArea...) {
			name := c.Key
			switch c.Kind {
			case "segment":
				name = "segment " + c.Key
			case "tract":
				name = "tract " + c.Key
			case "unplaced":
				name = "in the list, not placed"
			case "not in contact list":
				name = "not in the contact list"
			}
			gt.Rows = append(gt.Rows, []string{e.Event, name, fmt.Sprint(c.Confirmed), fmt.Sprint(c.Came), fmt.Sprint(c.NoShows), fmt.Sprint(c.WalkIns)})
		}
	}
	sec.Tables = append(sec.Tables, lt, gt)
	return sec
}
