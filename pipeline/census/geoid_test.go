package census

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestGEOIDsKeptUntilColumnsChange: the GEOIDs check builds are the ones
// Record writes while the table's geography columns stay as decoded, and
// are built again when a geography column is replaced, its Raw replaced,
// or a geography column added or dropped; GEOIDs's slice is the caller's.
func TestGEOIDsKeptUntilColumnsChange(t *testing.T) {
	body := `[["NAME","B19013_001E","state","county","tract"],["a","1","06","001","400100"],["b","2","06","1","400200"]]`
	decode := func() *Table {
		tb, err := Decode(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	recordIDs := func(tb *Table) []string {
		rec, err := tb.Record()
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		a := rec.Column(0).(*array.String)
		var out []string
		for i := range a.Len() {
			out = append(out, a.Value(i))
		}
		return out
	}
	geo := func(name string, vals ...string) *Column {
		return &Column{Name: name, Kind: KindGeography, Raw: vals, Null: make([]bool, len(vals))}
	}
	for _, tt := range []struct {
		name   string
		change func(tb *Table)
		want   []string
	}{
		{"unchanged", func(*Table) {}, []string{"06001400100", "06001400200"}},
		{"column replaced", func(tb *Table) { tb.Columns[3] = geo("county", "013", "013") }, []string{"06013400100", "06013400200"}},
		{"Raw replaced", func(tb *Table) { tb.Columns[4].Raw = []string{"1", "2"} }, []string{"06001000001", "06001000002"}},
		{"column added", func(tb *Table) { tb.Columns = append(tb.Columns, geo("block group", "1", "2")) }, []string{"060014001001", "060014002002"}},
		{"column dropped", func(tb *Table) { tb.Columns = tb.Columns[:4] }, []string{"06001", "06001"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb := decode()
			if got := tb.geoids().ids; !slices.Equal(got, []string{"06001400100", "06001400200"}) {
				t.Fatalf("geoids = %q", got)
			}
			tt.change(tb)
			if got := recordIDs(tb); !slices.Equal(got, tt.want) {
				t.Errorf("record's geoids = %q, want %q", got, tt.want)
			}
			ids := tb.GEOIDs()
			ids[0] = "x"
			if got := tb.geoids().ids; !slices.Equal(got, tt.want) || !slices.Equal(tb.GEOIDs(), tt.want) {
				t.Errorf("after a change to GEOIDs's slice: geoids %q, GEOIDs %q, want %q", got, tb.GEOIDs(), tt.want)
			}
		})
	}
}
