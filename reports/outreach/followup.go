package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FollowUpEvent is one event's three-contact plan: the people to text a
// reminder the day before (confirmed), to call to confirm (registered, not
// confirmed), and to follow up after (confirmed, did not come). Event
// names the event's folder, Title is what its people read (the event
// column of each list). The pipeline fills it from engage.EventFollowUp.
type FollowUpEvent struct {
	Event    string
	Title    string
	Reminder []Invitee
	Confirm  []Invitee
	NoShow   []Invitee
	// NotInList counts, per list ("reminder", "confirm", "no_show"), the
	// people left out because they are not in the contact list, so their
	// consent is unknown.
	NotInList map[string]int
}

// Invitee is a contact on a follow-up list and the timeslots the list is
// about, as the sign-up export writes them: the confirmed ones on the
// reminder and no-show lists, the registered ones on the confirmation
// list. A list's event_time column shows them (TimeslotText).
type Invitee struct {
	Contact
	Timeslots []string
}

// TimeslotTime reads a timeslot as a start time: RFC 3339 with its offset
// ("2026-10-03T18:00:00-07:00", Mobilize's API form), or the same with a
// space for the T. ok is false for anything else (a timeslot id, a time
// without an offset, a Unix timestamp), whose local time is not known.
func TimeslotTime(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// TimeslotText is the event_time cell of a follow-up row: each timeslot
// that is a start time (TimeslotTime) as the people at the event read it,
// in its own offset ("Sat, Oct 3, 2026, 6:00 PM"), others as written,
// joined by "; ".
func TimeslotText(slots []string) string {
	out := make([]string, 0, len(slots))
	for _, s := range slots {
		if t, ok := TimeslotTime(s); ok {
			out = append(out, t.Format("Mon, Jan 2, 2006, 3:04 PM"))
		} else {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return strings.Join(out, "; ")
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

// The two columns a follow-up list adds to CallHub's (after tags, before
// the custom columns): CallHub imports them as custom fields, which a text
// broadcast's message and a call script can show.
const (
	FollowUpEventColumn = "event"
	FollowUpTimeColumn  = "event_time"
)

// followUpHeader is callHubHeader with the event columns after tags.
func followUpHeader(custom []string) []string {
	h := callHubHeader(nil)
	return append(append(h, FollowUpEventColumn, FollowUpTimeColumn), custom...)
}

// followUpCells puts the event columns into a callHubRow's cells, after
// tags, as followUpHeader does.
func followUpCells(cells []string, title, when string) []string {
	n := len(callHubHeader(nil))
	out := make([]string, 0, len(cells)+2)
	out = append(out, cells[:n]...)
	out = append(out, title, when)
	return append(out, cells[n:]...)
}

// WriteFollowUp writes, under dir/followup/<event-slug>/, the three lists of
// each event in CallHub's import format (the tool that both calls and
// texts; columns as in the callhub profile, then event, the event's title,
// and event_time, the person's timeslots (TimeslotText), then custom):
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
	if errs := CustomClashes([]string{}, custom, true); len(errs) > 0 { // the lists only
		return fail(errors.Join(errs...))
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
			cs                       []Invitee
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
			if err := f.write(followUpHeader(custom)); err != nil {
				return fail(err)
			}
			fl := FollowUpList{Event: ev.Event, List: l.name, File: rel, Channel: l.channel, Skipped: map[string]int{}}
			if n := ev.NotInList[l.notInList]; n > 0 {
				fl.Skipped[ReasonNotInList] = n
			}
			for i := range l.cs {
				c := &l.cs[i].Contact
				r := callHubRow(c, tags(c, c.Segments...), custom, l.mode)
				if r.skip != "" {
					fl.Skipped[r.skip]++
					continue
				}
				r.cells = followUpCells(r.cells, ev.Title, TimeslotText(l.cs[i].Timeslots))
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
