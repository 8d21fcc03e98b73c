package outreach

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FollowUpEvent is one event's three-contact plan: the people to text a
// reminder the day before (confirmed), to call to confirm (registered, not
// confirmed), and to follow up after (confirmed, did not come). The
// pipeline fills it from engage.EventFollowUp.
type FollowUpEvent struct {
	Event    string
	Reminder []Contact
	Confirm  []Contact
	NoShow   []Contact
	// NotInList counts, per list ("reminder", "confirm", "no_show"), the
	// people left out because they are not in the contact list, so their
	// consent is unknown.
	NotInList map[string]int
}

// MatchRow is one attendance row and how it was matched (engage.Match).
type MatchRow struct {
	File        string
	Line        int
	Event       string
	Rule        string
	Contact     string
	ContactLine int
	Note        string
	Candidates  []string
}

// FollowUpList counts one list of one event: the file, the contacts in it
// and, by reason, those left out.
type FollowUpList struct {
	Event    string         `json:"event"`
	List     string         `json:"list"`
	File     string         `json:"file"`
	Channel  string         `json:"channel"`
	Exported int            `json:"exported"`
	Skipped  map[string]int `json:"skipped"`
}

// FollowUpSummary lists every follow-up file written, relative to the
// export directory, and the counts of each list.
type FollowUpSummary struct {
	Lists []FollowUpList `json:"lists"`
	Files []string       `json:"files"`
}

// Follow-up list names and the reason for people not in the contact list.
const (
	ListReminder     = "reminder-texts"
	ListConfirm      = "confirmation-calls"
	ListNoShow       = "no-show-followup"
	ReasonNotInList  = "not in the contact list (consent unknown)"
	followUpSubdir   = "followup"
	followUpMatchCSV = "matches.csv"
)

// WriteFollowUp writes, under dir/followup/<event-slug>/, the three lists of
// each event in CallHub's import format (the tool that both calls and
// texts; columns as in the callhub profile):
//
//	reminder-texts.csv      text only: a number in mobile, never in contact;
//	                        only mobiles with SMS consent
//	confirmation-calls.csv  calls only: never a do-not-call number
//	no-show-followup.csv    a call and a text, each per its consent
//
// and dir/followup/matches.csv (every attendance row: file, line, event,
// match rule, contact ID, and the note and candidates of ambiguous or
// disputed matches; no names, emails or numbers) and
// dir/followup/summary.json. tags are the contact's segments and area.
// Every cell goes through Neutralize; files appear under their final names
// only when all are written.
func WriteFollowUp(ctx context.Context, dir string, events []FollowUpEvent, matches []MatchRow, custom []string) (*FollowUpSummary, error) {
	sum := &FollowUpSummary{Lists: []FollowUpList{}}
	var pending []*tempCSV
	fail := func(err error) (*FollowUpSummary, error) {
		for _, f := range pending {
			f.abort()
		}
		return nil, fmt.Errorf("follow-up export: %w", err)
	}
	seen := map[string]string{}
	for _, ev := range events {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		sl := Slug(ev.Event)
		if prev, dup := seen[sl]; dup {
			return fail(fmt.Errorf("events %q and %q have the same folder name %q; rename one", prev, ev.Event, sl))
		}
		seen[sl] = ev.Event
		for _, l := range []struct {
			name, channel, notInList string
			mode                     callHubMode
			cs                       []Contact
		}{
			{ListReminder, "text", "reminder", textOnly, ev.Reminder},
			{ListConfirm, "call", "confirm", callOnly, ev.Confirm},
			{ListNoShow, "call and text", "no_show", callAndText, ev.NoShow},
		} {
			rel := filepath.ToSlash(filepath.Join(followUpSubdir, sl, l.name+".csv"))
			f, err := newTempCSV(filepath.Join(dir, rel))
			if err != nil {
				return fail(err)
			}
			pending = append(pending, f)
			if err := f.write(callHubHeader(custom)); err != nil {
				return fail(err)
			}
			fl := FollowUpList{Event: ev.Event, List: l.name, File: rel, Channel: l.channel, Skipped: map[string]int{}}
			if n := ev.NotInList[l.notInList]; n > 0 {
				fl.Skipped[ReasonNotInList] = n
			}
			for i := range l.cs {
				c := &l.cs[i]
				r := callHubRow(c, tags(c, c.Segments...), custom, l.mode)
				if r.skip != "" {
					fl.Skipped[r.skip]++
					continue
				}
				if err := f.write(neutralizeRow(r.cells)); err != nil {
					return fail(err)
				}
				fl.Exported++
			}
			sum.Lists = append(sum.Lists, fl)
			sum.Files = append(sum.Files, rel)
		}
	}
	mf, err := newTempCSV(filepath.Join(dir, followUpSubdir, followUpMatchCSV))
	if err != nil {
		return fail(err)
	}
	pending = append(pending, mf)
	if err := mf.write([]string{"file", "line", "event", "rule", "contact", "contact_line", "note", "candidates"}); err != nil {
		return fail(err)
	}
	for _, m := range matches {
		cl := ""
		if m.ContactLine > 0 {
			cl = strconv.Itoa(m.ContactLine)
		}
		if err := mf.write(neutralizeRow([]string{m.File, strconv.Itoa(m.Line), m.Event, m.Rule, m.Contact, cl, m.Note, strings.Join(m.Candidates, " ")})); err != nil {
			return fail(err)
		}
	}
	sum.Files = append(sum.Files, followUpSubdir+"/"+followUpMatchCSV, followUpSubdir+"/summary.json")
	sort.Strings(sum.Files)
	for _, f := range pending {
		if err := f.finish(); err != nil {
			return fail(err)
		}
	}
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, followUpSubdir, "summary.json"), append(data, '\n')); err != nil {
		return fail(err)
	}
	for _, f := range pending {
		if err := f.commit(); err != nil {
			return fail(err)
		}
	}
	return sum, nil
}
