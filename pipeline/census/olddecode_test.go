package census

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// This file keeps Decode's fast path as it was before the columns were
// typed in parallel with a number fast path (session 4, issue 14): the
// baseline of BenchmarkRecordedToParquet and the reference of the
// differential tests (TestDecodeMatchesOld, FuzzDecodeMatchesOld).

// oldDecodeBody is the old Decode of body through the fast path, ok false
// when scanRows refused it (Decode then took encoding/json, unchanged).
func oldDecodeBody(body []byte) (*Table, bool, error) {
	rows, null, ok := scanRows(body)
	if !ok {
		return nil, false, nil
	}
	if len(rows) == 0 {
		return nil, true, &DecodeError{Row: -2, Err: errors.New("empty array: no header row")}
	}
	flat := 0
	offsets := make([]int, len(rows))
	for i, row := range rows {
		offsets[i] = flat
		flat += len(row)
	}
	t, err := oldBuild(len(rows[0]), len(rows)-1, func(i int) int { return len(rows[i+1]) }, func(i, j int) (string, bool, error) {
		return rows[i+1][j], null[offsets[i+1]+j], nil
	})
	return t, true, err
}

func oldBuild(width, n int, rowLen func(i int) int, at func(i, j int) (string, bool, error)) (*Table, error) {
	if width == 0 {
		return nil, &DecodeError{Row: -1, Err: errors.New("header row has no columns")}
	}
	t := &Table{rows: n}
	seen := map[string]bool{}
	for j := range width {
		s, null, err := at(-1, j)
		if err != nil || null || s == "" {
			if err == nil {
				err = errors.New("column name is null or empty")
			}
			return nil, &DecodeError{Row: -1, Column: s, Err: err}
		}
		if seen[s] {
			return nil, &DecodeError{Row: -1, Column: s, Err: errors.New("duplicate column name")}
		}
		seen[s] = true
		t.Columns = append(t.Columns, oldNewColumn(s, t.rows))
	}
	for i := range n {
		if l := rowLen(i); l != width {
			return nil, &DecodeError{Row: i, Err: fmt.Errorf("row has %d values, the header has %d", l, width)}
		}
		for j, c := range t.Columns {
			s, null, err := at(i, j)
			if err != nil {
				return nil, &DecodeError{Row: i, Column: c.Name, Err: err}
			}
			if err := c.oldSet(i, s, null); err != nil {
				return nil, &DecodeError{Row: i, Column: c.Name, Err: err}
			}
		}
	}
	for _, c := range t.Columns {
		c.settleCodes()
	}
	t.markOpenEnded()
	return t, nil
}

func oldNewColumn(name string, n int) *Column {
	c := &Column{Name: name, Kind: KindOf(name), Raw: make([]string, n), Null: make([]bool, n)}
	if c.Kind == KindEstimate || c.Kind == KindMOE {
		c.Values = make([]float64, n)
		c.Valid = make([]bool, n)
		c.Annotation = make([]Annotation, n)
		c.Coding = make([]Coding, n)
		c.CodingWords = make([]string, n)
	}
	return c
}

func (c *Column) oldSet(i int, s string, null bool) error {
	c.Raw[i], c.Null[i] = s, null
	if c.Values == nil || null {
		return nil
	}
	v, err := parseNumber(s)
	if err != nil {
		return fmt.Errorf("%s value %q is not a number; check that %s is a numeric variable: %w", c.Kind, truncate(s, 40), c.Name, err)
	}
	if a := annotationOf(v); a != NoAnnotation {
		c.Annotation[i] = a
		if a == Controlled && c.Kind == KindMOE {
			c.Values[i], c.Valid[i] = 0, true
		}
		return nil
	}
	c.Values[i], c.Valid[i] = v, true
	if c.Kind == KindEstimate {
		if tbl := medianTable(c.Name); tbl != "" {
			c.Coding[i], c.CodingWords[i] = codingOf(tbl, v)
		}
	}
	return nil
}

// oldCodeMedians is CodeMedians as it was: codeIn per cell.
func (t *Table) oldCodeMedians(year int) {
	if year == 0 {
		return
	}
	for _, c := range t.Columns {
		if c.Kind != KindEstimate || c.Coding == nil {
			continue
		}
		tbl := medianTable(c.Name)
		for i := range c.Coding {
			c.Coding[i], c.CodingWords[i] = NotCoded, ""
			if tbl != "" && c.Valid[i] {
				c.Coding[i], c.CodingWords[i] = codeIn(tbl, year, c.Values[i])
			}
		}
	}
	t.markOpenEnded()
}

// oldRecord is Record as it was: through table.Build's builders.
func (t *Table) oldRecord() (arrow.RecordBatch, error) {
	n := t.rows
	cols := []*table.Column{table.NewString(table.GEOID, t.GEOIDs())}
	if c := t.Column("NAME"); c != nil {
		cols = append(cols, oldStringColumn("name", c))
	}
	for _, c := range t.Columns {
		if c.Name == "NAME" {
			continue
		}
		if c.Kind != KindEstimate && c.Kind != KindMOE {
			cols = append(cols, oldStringColumn(c.Name, c))
			continue
		}
		fc := &table.Column{Name: c.Name, Type: table.Float, Floats: make([]float64, n), Valid: make([]bool, n)}
		copy(fc.Floats, c.Values)
		copy(fc.Valid, c.Valid)
		cols = append(cols, fc)
		var note *table.Column
		for i := 0; i < n; i++ {
			s, ok := c.Note(i)
			if !ok {
				continue
			}
			if note == nil {
				note = &table.Column{Name: c.Name + table.NoteSuffix, Type: table.String, Strings: make([]string, n), Valid: make([]bool, n)}
			}
			note.Strings[i], note.Valid[i] = s, true
		}
		if note != nil {
			cols = append(cols, note)
		}
	}
	rec, err := table.Build(map[string]string{"source": "census data api"}, cols...)
	if err != nil {
		return nil, fmt.Errorf("census: building record: %w", err)
	}
	return rec, nil
}

func oldStringColumn(name string, c *Column) *table.Column {
	sc := &table.Column{Name: name, Type: table.String, Strings: make([]string, len(c.Raw)), Valid: make([]bool, len(c.Raw))}
	for i, s := range c.Raw {
		sc.Strings[i], sc.Valid[i] = s, !c.Null[i]
	}
	return sc
}
