package census

import (
	"math"
	"sort"
	"testing"
)

// TestMergedTextsAsSent: concatRows and JoinYear copy each estimate's and
// MOE's text as sent (Text), null, value and annotation, from tables of
// scanTable (texts derived from the values) and of the rows path (texts in
// the body) alike, on the large bodies of scanTableBodies (leading and
// trailing zeros among their numbers, in every part).
func TestMergedTextsAsSent(t *testing.T) {
	tested := 0
	for _, body := range scanTableBodies(t) {
		if len(body) < 100000 {
			continue
		}
		derived, ok := scanTable(body)
		rows, err, took := rowsDecode(body)
		if !ok || !took || err != nil {
			continue
		}
		for _, src := range []*Table{derived, rows} {
			ids := src.GEOIDs()
			order := make([]int, len(ids))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
			cat, err := concatRows([]*Table{src})
			if err != nil {
				t.Fatal(err)
			}
			joined, _ := src.JoinYear(src, 2012)
			for j, c := range src.Columns {
				if c.Values == nil {
					continue
				}
				got, add := cat.Columns[j], joined.Column(c.Name+"_2012")
				for i, from := range order {
					sameCell(t, "concatRows", got, i, c, from)
					sameCell(t, "JoinYear", add, from, c, from)
				}
			}
			tested++
		}
	}
	if tested < 6 {
		t.Fatalf("%d tables tested", tested)
	}
}

// sameCell fails t unless row i of got holds row j of want.
func sameCell(t *testing.T, what string, got *Column, i int, want *Column, j int) {
	t.Helper()
	if got.Text(i) != want.Text(j) || got.Null[i] != want.Null[j] || math.Float64bits(got.Values[i]) != math.Float64bits(want.Values[j]) ||
		got.Valid[i] != want.Valid[j] || got.Annotation[i] != want.Annotation[j] {
		t.Fatalf("%s: %s row %d: %q (null %v, %v), want row %d's %q (null %v, %v)", what, want.Name, i, got.Text(i), got.Null[i], got.Values[i], j, want.Text(j), want.Null[j], want.Values[j])
	}
}
