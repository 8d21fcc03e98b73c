package pipeline

import (
	"reflect"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

func TestRowsRoundTripAndEdits(t *testing.T) {
	r := newRows()
	r.addCol("geoid", table.String)
	r.addCol("n", table.Int)
	r.addCol("x", table.Float)
	r.addCol("ok", table.Bool)
	r.appendRow(map[string]any{"geoid": "06001400100", "n": int64(3), "x": 1.5, "ok": true})
	r.appendRow(map[string]any{"geoid": "06001400200", "n": nil, "x": int64(2), "ok": false})
	r.appendRow(map[string]any{"geoid": nil, "n": "three", "x": "wrong type", "extra": 1})

	// A column added late is null in the earlier records.
	r.addCol("area", table.String)
	r.setString(0, "area", "hills")
	r.setString(1, "area", "")
	r.set(2, "x", 7.25)

	rec, err := r.record(map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	back := fromRecord(rec)
	want := []map[string]any{
		{"geoid": "06001400100", "n": int64(3), "x": 1.5, "ok": true, "area": "hills"},
		{"geoid": "06001400200", "n": nil, "x": 2.0, "ok": false, "area": nil},
		{"geoid": nil, "n": nil, "x": 7.25, "ok": nil, "area": nil},
	}
	if back.len() != len(want) {
		t.Fatalf("len %d, want %d", back.len(), len(want))
	}
	for i, w := range want {
		if got := back.row(i); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d = %v, want %v", i, got, w)
		}
	}
	if !reflect.DeepEqual(back.cols, []string{"geoid", "n", "x", "ok", "area"}) {
		t.Errorf("cols %v", back.cols)
	}

	sub := back.subset([]int{2, 0})
	if got := []any{sub.get(0, "x"), sub.get(1, "geoid")}; !reflect.DeepEqual(got, []any{7.25, "06001400100"}) {
		t.Errorf("subset = %v", got)
	}
	back.keep([]int{1, 2})
	if back.len() != 2 || back.str(0, "geoid") != "06001400200" || back.get(1, "x") != 7.25 {
		t.Errorf("after keep: %v, %v", back.row(0), back.row(1))
	}
	if back.get(0, "no such column") != nil || back.str(0, "x") != "" {
		t.Error("missing column or non-string column should read as null")
	}
	if err := back.putCol(&table.Column{Name: "short", Valid: []bool{true}}); err == nil {
		t.Error("putCol accepted a column of the wrong length")
	}
}

func TestRowsMatchFillsOnlyRuleColumns(t *testing.T) {
	r := newRows()
	r.addCol("terrain", table.String)
	r.addCol("api00", table.Int)
	r.appendRow(map[string]any{"terrain": "flatlands", "api00": int64(507)})
	r.appendRow(map[string]any{"terrain": "hills", "api00": nil})
	rule, err := segment.Compile(`api00 < 600`, r.cols)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]any{}
	if ok, err := r.match(rule, 0, env); !ok || err != nil {
		t.Errorf("record 0: %v, %v", ok, err)
	}
	if _, err := r.match(rule, 1, env); err == nil {
		t.Error("record 1 (null api00) should not be decidable")
	}
	if _, ok := env["terrain"]; ok {
		t.Error("match filled a column the rule does not read")
	}
}
