package place

import (
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Inheritance copies the columns of a place's tract into its row (see
// config.InheritedColumns).
type Inheritance struct {
	tracts   *frame.Table
	boundary string         // the tract boundary: the places' column with the tract GEOID
	row      map[string]int // tract GEOID -> row of tracts
	cols     []string
	types    map[string]table.Type
}

// NewInheritance returns the Inheritance of cols from tracts, whose rows
// are found by the places' column boundary (the tract GEOID); nil when
// there is nothing to inherit.
func NewInheritance(tracts *frame.Table, boundary string, cols []string) *Inheritance {
	if len(cols) == 0 || tracts == nil {
		return nil
	}
	in := &Inheritance{tracts: tracts, boundary: boundary, row: map[string]int{}, types: tracts.Types()}
	for _, c := range cols {
		if _, ok := in.types[c]; ok {
			in.cols = append(in.cols, c)
		}
	}
	for i := range tracts.Len() {
		in.row[tracts.Str(i, table.GEOID)] = i
	}
	return in
}

// Apply adds the inherited columns to the placed records of r and fills
// each from the tract the record lies in (null outside every tract).
func (in *Inheritance) Apply(r *frame.Table) {
	if in == nil {
		return
	}
	for _, c := range in.cols {
		r.AddCol(c, in.types[c])
	}
	for i := range r.Len() {
		j, ok := in.row[r.Str(i, in.boundary)]
		if !ok {
			continue
		}
		for _, c := range in.cols {
			r.Set(i, c, in.tracts.Get(j, c))
		}
	}
}
