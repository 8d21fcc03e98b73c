package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/reports"
)

// outreachSections reports what the contact list gave each outreach tool,
// the listening survey's top concerns by area, and event turnout.
func (in *Input) outreachSections(o *result.Outreach) []reports.Section {
	ct := in.Config.Contacts
	sec := reports.Section{ID: "outreach", Title: "Outreach lists"}
	cs := o.Contacts
	skipped := 0
	for _, n := range cs.Skipped {
		skipped += n
	}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%s: %d rows read, %d usable, %d skipped%s. Only the mapped columns are exported; every cell is made safe against spreadsheet formulas.",
		cmp.Or(ct.Title, ct.File), cs.Read, cs.Kept, skipped, parenCounts(cs.Skipped)))
	t := reports.Table{Title: "Contacts exported per tool and segment", Header: []string{"Tool", "Segment", "Exported", "Skipped (why)", "File"}, Numeric: []bool{false, false, true, false, false}}
	for _, r := range o.Export.Rows {
		n := 0
		for _, k := range r.Skipped {
			n += k
		}
		why := fmt.Sprint(n)
		if n > 0 {
			why += parenCounts(r.Skipped)
		}
		if len(r.Withheld) > 0 {
			why += "; channel withheld: " + Counts(r.Withheld)
		}
		t.Rows = append(t.Rows, []string{r.Profile, r.Segment, fmt.Sprint(r.Exported), why, "exports/" + r.File})
	}
	if o.Export.NotInSegment > 0 {
		t.Note = fmt.Sprintf("%d usable contacts are in no segment and are not exported.", o.Export.NotInSegment)
	}
	t.Note = strings.TrimSpace(t.Note + " A contact is texted only on a mobile with text consent, called only without a do-not-call mark, emailed only with email opt-in; exports/decisions.csv says, by contact ID, who was left out or had a channel withheld, and why.")
	sec.Tables = append(sec.Tables, t)
	out := []reports.Section{sec}
	area := ct.Area
	if l := o.Listening; l != nil {
		ls := reports.Section{ID: "listening", Title: "What people said"}
		ls.Paragraphs = append(ls.Paragraphs, fmt.Sprintf("%s: %d responses counted (%d incomplete, %d unusable). A respondent can name several concerns, so shares add up to more than 100%%.",
			cmp.Or(in.Config.Listening.Title, l.File), l.Counted, l.Incomplete, l.Skipped))
		// Concerns by area only for areas of the contacts' area
		// definition; responses placed otherwise (a tract, a ZIP, a
		// neighborhood in no area) or not at all go in a table of their own.
		type agg struct {
			n int
			c map[string]int
		}
		byArea, byOther := map[string]*agg{}, map[string]*agg{}
		var areas, others []string
		for _, a := range l.Areas {
			k, isArea := in.placeWords(area, a.Place)
			by, order := byOther, &others
			if isArea {
				by, order = byArea, &areas
			}
			if by[k] == nil {
				by[k] = &agg{c: map[string]int{}}
				*order = append(*order, k)
			}
			by[k].n += a.Respondents
			for _, c := range a.Concerns {
				by[k].c[c.Concern] += c.Count
			}
		}
		in.sortByArea(area, areas)
		slices.Sort(others)
		table := func(title, head string, order []string, by map[string]*agg) reports.Table {
			lt := reports.Table{Title: title, Header: []string{head, "Respondents", "Top concerns (share of respondents)"}, Numeric: []bool{false, true, false}}
			fewest := math.MaxInt
			for _, k := range order {
				a := by[k]
				fewest = min(fewest, a.n)
				type kv struct {
					k string
					n int
				}
				var cs []kv
				for c, n := range a.c {
					cs = append(cs, kv{c, n})
				}
				sort.Slice(cs, func(i, j int) bool { return cs[i].n > cs[j].n || cs[i].n == cs[j].n && cs[i].k < cs[j].k })
				var parts []string
				for i, c := range cs {
					if i == 3 {
						break
					}
					parts = append(parts, fmt.Sprintf("%s (%s%%)", c.k, reports.Number(100*float64(c.n)/float64(a.n), 0)))
				}
				lt.Rows = append(lt.Rows, []string{k, fmt.Sprint(a.n), strings.Join(parts, "; ")})
			}
			if fewest < 10 {
				lt.Note = "Fewer than 10 respondents in a row: these are individual voices, not a measure of the place."
			}
			return lt
		}
		areaTitle := "area"
		if a, ok := in.Config.Areas[area]; ok {
			areaTitle = strings.ToLower(cmp.Or(a.Title, area))
		}
		if len(areas) > 0 {
			ls.Tables = append(ls.Tables, table("Top concerns by "+areaTitle, upperFirst(areaTitle), areas, byArea))
		}
		if len(others) > 0 {
			ls.Tables = append(ls.Tables, table("Responses not in a "+areaTitle+" area: where they were placed", "Placed by", others, byOther))
		}
		out = append(out, ls)
	}
	if tu := o.Turnout; tu != nil {
		ts := reports.Section{ID: "turnout", Title: "Who came"}
		rate := func(x engage.Turnout) string {
			if r, ok := x.ConfirmedRate(); ok {
				return reports.Number(100*r, 0) + "%"
			}
			return "–"
		}
		walkIns := func(x engage.Turnout) int { return x.Attended - x.ConfirmedAttended }
		ts.Paragraphs = append(ts.Paragraphs, fmt.Sprintf("%s: %d signed up and %d confirmed. Of the %d who confirmed, %d came (%s) and %d did not: they are the ones to follow up. %d more came without confirming; they are counted apart, so the shares add up.",
			cmp.Or(in.Config.Turnout.Title, tu.File), tu.Total.SignedUp, tu.Total.Confirmed, tu.Total.Confirmed, tu.Total.ConfirmedAttended, rate(tu.Total), tu.Total.NoShows(), walkIns(tu.Total)))
		head := []string{"", "Signed up", "Confirmed", "Confirmed and came", "Share of confirmed who came", "Confirmed, did not come", "Came without confirming"}
		num := []bool{false, true, true, true, true, true, true}
		row := func(name string, x engage.Turnout) []string {
			return []string{name, fmt.Sprint(x.SignedUp), fmt.Sprint(x.Confirmed), fmt.Sprint(x.ConfirmedAttended), rate(x), fmt.Sprint(x.NoShows()), fmt.Sprint(walkIns(x))}
		}
		seg := reports.Table{Title: "Turnout by segment", Header: append([]string{"Segment"}, head[1:]...), Numeric: num}
		for _, x := range tu.BySegment {
			seg.Rows = append(seg.Rows, row(x.Key, x))
		}
		byArea := map[string]engage.Turnout{}
		var order []string
		for _, x := range tu.ByPlace {
			k, _ := in.placeWords(area, contact.Place{ID: x.Key, Kind: x.Kind})
			a, ok := byArea[k]
			if !ok {
				order = append(order, k)
			}
			a.SignedUp += x.SignedUp
			a.Confirmed += x.Confirmed
			a.Attended += x.Attended
			a.ConfirmedAttended += x.ConfirmedAttended
			a.Cancelled += x.Cancelled
			byArea[k] = a
		}
		in.sortByArea(area, order)
		at := reports.Table{Title: "Turnout by area", Header: append([]string{"Area"}, head[1:]...), Numeric: num}
		for _, k := range order {
			at.Rows = append(at.Rows, row(k, byArea[k]))
		}
		ts.Tables = append(ts.Tables, at, seg)
		out = append(out, ts)
	}
	if f := o.FollowUp; f != nil {
		out = append(out, in.followUpSection(f))
	}
	return out
}

// sortByArea orders area values as the area definition lists them, then
// other keys alphabetically.
func (in *Input) sortByArea(area string, keys []string) {
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := in.Config.AreaRank(area, keys[i]), in.Config.AreaRank(area, keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}

// parenCounts renders " (reason: n; ...)" or "".
func parenCounts(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	return " (" + Counts(m) + ")"
}

// placeWords says where a response or sign-in was placed: its area of the
// area definition area (isArea true), else how it was placed ("ZIP
// 94621", "tract 06001400100", "neighborhood Piedmont, in no area", "not
// placed").
func (in *Input) placeWords(area string, p contact.Place) (words string, isArea bool) {
	switch p.Kind {
	case "area":
		if v := in.AreaOf[area][p.ID]; v != "" && area != "" {
			return v, true
		}
		b := "feature"
		if a, ok := in.Config.Areas[area]; ok {
			b = a.Boundary
		}
		return fmt.Sprintf("%s %s, in no area", b, p.ID), false
	case "unplaced":
		return "not placed", false
	case "zip":
		return "ZIP " + p.ID, false
	}
	return p.Kind + " " + p.ID, false
}
