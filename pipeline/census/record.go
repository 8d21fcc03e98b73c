package census

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Record converts the table to an Arrow record with the pipeline/table
// conventions: "geoid" (string) first, "name" (the NAME column, string) if
// present, then each other column in response order: estimates and MOEs
// float64 (null where an annotation value stood), geography components and
// other columns as strings, and for every estimate/MOE column that has any
// annotated or top/bottom-coded value a string column "<col>_note" (e.g.
// "B19013_001E_note") holding the reason in plain words for those rows
// ("estimate not computable: too few sample observations (-666666666)",
// "top-coded: 250,000 or more (250001)"), null elsewhere.
//
// Each note column directly follows its column. JSON nulls in an estimate or
// MOE column are null with the note "no value in the API response (null)";
// nulls in string columns are null without a note. A Controlled (-555555555)
// MOE is 0, valid, with a note. The caller must Release the record. Record
// fails only if a response column is itself named "geoid", "name" or
// "<col>_note" of another column.
func (t *Table) Record() (arrow.RecordBatch, error) {
	n := t.rows
	cols := []*table.Column{table.NewString(table.GEOID, t.GEOIDs())}
	if c := t.Column("NAME"); c != nil {
		cols = append(cols, stringColumn("name", c))
	}
	for _, c := range t.Columns {
		if c.Name == "NAME" {
			continue
		}
		if c.Kind != KindEstimate && c.Kind != KindMOE {
			cols = append(cols, stringColumn(c.Name, c))
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

func stringColumn(name string, c *Column) *table.Column {
	sc := &table.Column{Name: name, Type: table.String, Strings: make([]string, len(c.Raw)), Valid: make([]bool, len(c.Raw))}
	for i, s := range c.Raw {
		sc.Strings[i], sc.Valid[i] = s, !c.Null[i]
	}
	return sc
}

// Encode writes t in the API's array-of-arrays form: the header row, then one
// row per data row, every value a JSON string (its Raw text) or null. Decode
// of the output gives back an equal table. Rows are written one per line.
func (t *Table) Encode(w io.Writer) error {
	bw := bufio.NewWriter(w)
	row := make([]*string, len(t.Columns))
	write := func(prefix string) error {
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		bw.WriteString(prefix)
		_, err = bw.Write(b)
		return err
	}
	for j, c := range t.Columns {
		name := c.Name
		row[j] = &name
	}
	if err := write("["); err != nil {
		return fmt.Errorf("census: encoding header: %w", err)
	}
	for i := 0; i < t.rows; i++ {
		for j, c := range t.Columns {
			if c.Null[i] {
				row[j] = nil
			} else {
				row[j] = &c.Raw[i]
			}
		}
		if err := write(",\n"); err != nil {
			return fmt.Errorf("census: encoding row %d: %w", i, err)
		}
	}
	bw.WriteString("]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("census: writing table: %w", err)
	}
	return nil
}
