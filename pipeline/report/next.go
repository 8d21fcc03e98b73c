package report

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/reports"
)

// toolNames are the export profiles as organizers know the tools.
var toolNames = map[string]string{
	"callhub": "CallHub", "actionnetwork": "Action Network", "everyaction": "EveryAction (VAN)",
	"nationbuilder": "NationBuilder", "mobilize": "Mobilize", "generic": "any tool (CSV)",
}

// listNames are the follow-up lists as organizers say them.
var listNames = map[string]string{"reminder-texts": "reminder texts", "confirmation-calls": "confirmation calls", "no-show-followup": "no-show calls"}

// nextSteps is "What to do next": for each contact segment the contacts
// exported per tool with their files, the turfs and walk lists; the follow
// up of who confirmed and did not come; each segment's list with its
// files; and who decides, or, when the pipeline declares no decision
// layer, that the report does not yet say and how to make it say. Links
// are relative to report.html.
func (in *Input) nextSteps(decides []reports.DecisionLayer) []reports.NextStep {
	var out []reports.NextStep
	if o := in.Outreach; o != nil && o.Export != nil && in.Config.Contacts != nil {
		ex := o.Export
		var segs []string
		for _, r := range ex.Rows {
			if !slices.Contains(segs, r.Segment) {
				segs = append(segs, r.Segment)
			}
		}
		for _, seg := range segs {
			step := reports.NextStep{Title: "Contact " + in.contactSegmentWords(seg)}
			most := 0
			slug := ""
			for _, r := range ex.Rows {
				if r.Segment != seg {
					continue
				}
				most = max(most, r.Exported)
				slug = strings.TrimSuffix(path.Base(r.File), ".csv")
				if r.Exported > 0 {
					step.Links = append(step.Links, reports.Link{Text: fmt.Sprintf("%s (%d)", cmp.Or(toolNames[r.Profile], r.Profile), r.Exported), Href: "exports/" + r.File})
				}
			}
			text := []string{plural(most, "contact", "contacts") + " to export"}
			if turfs := ex.Turfs[seg]; len(turfs) > 0 {
				text = append(text, fmt.Sprintf("%s to walk, with a walk list each", plural(len(turfs), "turf", "turfs")))
				step.Links = append(step.Links, reports.Link{Text: "turfs (map file)", Href: "exports/turfs/" + slug + ".geojson"}, reports.Link{Text: "walk lists", Href: "exports/walklists/" + slug + "/"})
			}
			step.Text = upperFirst(strings.Join(text, "; ")) + "."
			out = append(out, step)
		}
		switch fu := o.FollowUp; {
		case fu != nil && len(fu.Lists) > 0:
			step := reports.NextStep{Title: "Follow up"}
			noShows := 0
			for _, l := range fu.Lists {
				if l.Exported == 0 {
					continue
				}
				if strings.Contains(l.File, "no-show") {
					noShows += l.Exported
				}
				list := strings.TrimSuffix(path.Base(l.File), ".csv")
				list = cmp.Or(listNames[list], strings.ReplaceAll(list, "-", " "))
				step.Links = append(step.Links, reports.Link{Text: fmt.Sprintf("%s, %s (%d)", list, l.Event, l.Exported), Href: "exports/" + l.File})
			}
			step.Text = fmt.Sprintf("Reminders and confirmations before each event; %s to call back after.", plural(noShows, "no-show", "no-shows"))
			step.Links = append(step.Links, reports.Link{Text: "the plan", Href: "#followup"})
			out = append(out, step)
		case o.Turnout != nil && o.Turnout.Total.NoShows() > 0:
			out = append(out, reports.NextStep{Title: "Follow up", Text: fmt.Sprintf("%s confirmed and did not come.", plural(o.Turnout.Total.NoShows(), "person", "people")),
				Links: []reports.Link{{Text: "who came", Href: "#turnout"}}})
		}
	}
	for _, s := range in.Segments {
		step := reports.NextStep{Title: cmp.Or(s.Title, s.Name), Text: fmt.Sprintf("%s in the list.", plural(len(s.Rows), singular(s.Of), s.Of))}
		for _, f := range s.Files {
			text := map[string]string{".csv": "spreadsheet (CSV)", ".geojson": "map file (GeoJSON)"}[path.Ext(f)]
			step.Links = append(step.Links, reports.Link{Text: cmp.Or(text, path.Base(f)), Href: f})
		}
		out = append(out, step)
	}
	if len(decides) == 0 {
		out = append(out, reports.NextStep{Title: "Find out who decides",
			Text: "This report does not yet name who can act on it: the elected members (of a council, a commission, a board) whose districts cover these areas. " +
				"Ask whoever ran it to add their districts to the pipeline file (decides: on a boundary); the report then lists the seats that cover each area and list."})
	}
	for _, d := range decides {
		var seats []string
		for _, s := range d.Seats {
			seats = append(seats, s.Name)
		}
		out = append(out, reports.NextStep{Title: "Take it to who decides",
			Text:  fmt.Sprintf("%s: %s.", d.Title, joinAnd(seats)),
			Links: []reports.Link{{Text: "which seats cover each area", Href: "#" + d.ID}}})
	}
	return out
}

// contactSegmentWords names a contact segment in words: "people in the
// flatlands" for an area segment, the tract segment's title for a tract
// segment, else its name.
func (in *Input) contactSegmentWords(name string) string {
	for _, cs := range in.Config.Contacts.Segments {
		if cs.Name != name {
			continue
		}
		switch {
		case cs.Area != "" && cs.Value != "":
			return "people in the " + cs.Value
		case cs.Segment != "":
			for _, s := range in.Segments {
				if s.Name == cs.Segment {
					return "people in: " + cmp.Or(s.Title, s.Name)
				}
			}
		}
	}
	return "the " + strings.ReplaceAll(name, "_", " ") + " list"
}

// joinAnd joins words as "a, b and c".
func joinAnd(w []string) string {
	switch len(w) {
	case 0:
		return ""
	case 1:
		return w[0]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
