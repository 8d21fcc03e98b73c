package table

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildAndRead(t *testing.T) {
	rec, err := Build(map[string]string{"b": "2", "a": "1"},
		NewString(GEOID, []string{"06001400100", "06001400200"}),
		&Column{Name: "n", Type: Int, Ints: []int64{3, 0}, Valid: []bool{true, false}},
		&Column{Name: "x", Type: Float, Floats: []float64{1.5, 2}, Valid: []bool{true, true}},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ids, valid, err := Strings(rec, GEOID)
	if err != nil || !cmp.Equal(ids, []string{"06001400100", "06001400200"}) || !cmp.Equal(valid, []bool{true, true}) {
		t.Errorf("Strings = %v, %v, %v", ids, valid, err)
	}
	n, nv, err := Floats(rec, "n") // int64 columns read as floats
	if err != nil || !cmp.Equal(n, []float64{3, 0}) || !cmp.Equal(nv, []bool{true, false}) {
		t.Errorf("Floats(n) = %v, %v, %v", n, nv, err)
	}
	if got := Row(rec, 1); !cmp.Equal(got, map[string]any{GEOID: "06001400200", "n": nil, "x": 2.0}) {
		t.Errorf("Row(1) = %v", got)
	}
	if k := rec.Schema().Metadata().Keys(); !cmp.Equal(k, []string{"a", "b"}) {
		t.Errorf("metadata keys %v, want sorted", k)
	}
	for _, tt := range []struct {
		call func() error
		want string
	}{
		{func() error { _, _, err := Strings(rec, "nope"); return err }, `no column "nope" (have geoid, n, x)`},
		{func() error { _, _, err := Strings(rec, "x"); return err }, `column "x" is float64, want string`},
		{func() error { _, _, err := Floats(rec, GEOID); return err }, `column "geoid" is utf8, want float or int`},
		{func() error { _, err := Build(nil, NewString("a", nil), NewString("a", nil)); return err }, `duplicate column "a"`},
	} {
		if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]Type{"string": String, "TEXT": String, "float": Float, "number": Float, "int": Int, "integer": Int, "bool": Bool} {
		if got, ok := ParseType(in); !ok || got != want {
			t.Errorf("ParseType(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := ParseType("date"); ok {
		t.Error(`ParseType("date") accepted`)
	}
}
