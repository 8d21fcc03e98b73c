package report

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
)

// columnLabel names a column of a places set or of the tracts in words,
// never as a code: the segment's headers, else the label the pipeline file
// gives the column anywhere (a defined indicator, the need index, a
// summary measure, a map shade or the map's circles), else what the
// column is (the places' name and ID, a tract's GEOID, a boundary's
// feature, an area, a decision layer's seat), else the name with spaces
// for underscores.
func (in *Input) columnLabel(col string, headers map[string]string) string {
	if h := headers[col]; h != "" {
		return h
	}
	c := in.Config
	if d := in.indicatorDef(col); d != nil && d.Label != "" {
		return d.Label
	}
	if ic := c.Indicators; ic != nil && ic.Need != nil && ic.Need.Name == col && ic.Need.Label != "" {
		return ic.Need.Label
	}
	for _, s := range c.Summaries {
		for _, m := range s.Measures {
			if m.Column == col && m.Label != "" {
				return m.Label
			}
		}
	}
	if rc := c.Report; rc != nil && rc.Map != nil {
		for _, sh := range append([]*config.Shade{rc.Map.Shade}, rc.Map.Shades...) {
			if sh != nil && sh.Column == col && sh.Label != "" {
				return sh.Label
			}
		}
		if pm := rc.Map.Points; pm != nil {
			switch col {
			case pm.Size:
				return cmp.Or(pm.SizeLabel, col)
			case pm.Color:
				return cmp.Or(pm.ColorLabel, col)
			}
		}
	}
	for _, pl := range c.Places {
		switch col {
		case pl.Name:
			return "Name"
		case pl.ID:
			return "ID"
		}
	}
	if col == "geoid" {
		return "Tract (GEOID)"
	}
	for _, b := range c.DecisionLayers() {
		if col == config.SeatColumn(b) {
			return "Seat: " + c.Boundaries[b].Decides.Title
		}
	}
	if a, ok := c.Areas[col]; ok && a.Title != "" {
		return a.Title
	}
	for _, s := range in.Sources {
		if l := s.Labels[col]; l != "" {
			return l // the Census Bureau's own label
		}
	}
	if b, ok := c.Boundaries[col]; ok && b.Title != "" && !strings.Contains(b.Title, "(") {
		return b.Title
	}
	if censusVar.MatchString(col) {
		return col // a Census variable no file labels: its code is its name (add it to headers)
	}
	return upperFirst(strings.ReplaceAll(col, "_", " "))
}

var censusVar = regexp.MustCompile(`^[A-Z]\d{5}[A-Z]{0,2}_\d{3}[EM]$`)

// columnFormat is how to show a column's values: the segment's format,
// else the format the pipeline file gives the column (a measure, a shade),
// else "percent" for an indicator shown as a percent, else a plain number.
// k divides the stored value for the format: tract indicators shown as
// percents are stored in points, so k is 100 for them.
func (in *Input) columnFormat(col string, formats map[string]string) (format string, k float64) {
	if d := in.indicatorDef(col); d != nil && d.Percent {
		return "percent", 100
	}
	if f := formats[col]; f != "" {
		return f, 1
	}
	for _, s := range in.Config.Summaries {
		for _, m := range s.Measures {
			if m.Column == col && m.Format != "" {
				return m.Format, 1
			}
		}
	}
	if rc := in.Config.Report; rc != nil && rc.Map != nil {
		for _, sh := range append([]*config.Shade{rc.Map.Shade}, rc.Map.Shades...) {
			if sh != nil && sh.Column == col && sh.Format != "" {
				return sh.Format, 1
			}
		}
	}
	return "number", 1
}

// segmentTable lays a segment out for the report: a column per segment
// column but its margins of error and reliability bands, which go into
// the estimate's cell ("about 18.5%, likely between 17.0% and 20.0%") and
// its mark; labels for names (columnLabel); numbers rounded to what their
// margin supports.
func (in *Input) segmentTable(s *result.Segment, sc *config.Segment) reports.Table {
	var headers, formats map[string]string
	if sc != nil {
		headers, formats = sc.Headers, sc.Format
	}
	var cols []string
	for _, c := range s.Columns {
		base, isMOE := strings.CutSuffix(c, indicator.MOESuffix)
		rbase, isRel := strings.CutSuffix(c, indicator.ReliabilitySuffix)
		if isMOE && slices.Contains(s.Columns, base) || isRel && slices.Contains(s.Columns, rbase) {
			continue // said in the estimate's cell
		}
		cols = append(cols, c)
	}
	t := reports.Table{Header: []string{"#"}, Numeric: []bool{true}}
	for _, c := range cols {
		t.Header = append(t.Header, in.columnLabel(c, headers))
		t.Numeric = append(t.Numeric, false)
	}
	for i, row := range s.Rows {
		cells := []string{fmt.Sprint(i + 1)}
		marks := []string{""}
		printed := make([]string, 1+len(cols))
		for j, c := range cols {
			v := row[c]
			x, isNum := frame.ToFloat(v)
			_, isString := v.(string)
			mark := ""
			switch {
			case isNum && !isString:
				t.Numeric[j+1] = true
				format, k := in.columnFormat(c, formats)
				moe, hasMOE := frame.ToFloat(row[c+indicator.MOESuffix])
				if !hasMOE {
					moe = 0
				}
				switch {
				case indicator.NoteBound(noteOf(row, c)) != indicator.Exact:
					cells = append(cells, boundCell(v, row[c+table.NoteSuffix], func(x float64) string { return reports.Rounded(x/k, 0, format) }))
				case hasMOE && moe > 0:
					cells = append(cells, in.interval(c, x/k, moe/k, format))
					printed[len(cells)-1] = in.shortInterval(c, x/k, moe/k, format)
				default:
					cells = append(cells, reports.Rounded(x/k, 0, format))
				}
				if band, ok := row[c+indicator.ReliabilitySuffix].(string); ok {
					switch stats.Reliability(band) {
					case stats.Caution:
						mark = "caution"
					case stats.Unreliable:
						mark = "unreliable"
					}
				}
			default:
				cells = append(cells, frame.Cell(v))
			}
			marks = append(marks, mark)
		}
		t.Rows = append(t.Rows, cells)
		t.Marks = append(t.Marks, marks)
		t.Print = append(t.Print, printed)
	}
	return t
}

func noteOf(row map[string]any, col string) string {
	s, _ := row[col+table.NoteSuffix].(string)
	return s
}

// boundCell renders a segment cell, saying when its value is a bound: a
// Census top or bottom code as the Bureau words it, the interval's edge
// formatted by f and the words after it ("250,000 or more", "2,500 or
// less", "1939 or earlier"; indicator.NoteCode), a value computed from one
// as "at least 7.2" or "at most 7.2" (the row's <column>_note, read by
// indicator.NoteBound). f formats a number.
func boundCell(v, note any, f func(float64) string) string {
	s, _ := note.(string)
	x, isNum := frame.ToFloat(v)
	b := indicator.NoteBound(s)
	if !isNum || b == indicator.Exact {
		return frame.Cell(v)
	}
	if words, ok := indicator.NoteCode(s); ok {
		edge, rest, _ := indicator.CodeWords(words)
		return f(edge) + " " + rest
	}
	if b == indicator.Inexact {
		return f(x) + " (not exact: from a coded value)"
	}
	return b.Words() + " " + f(x)
}
