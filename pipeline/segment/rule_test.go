package segment

import (
	"errors"
	"strings"
	"testing"
)

func TestRules(t *testing.T) {
	cols := []string{"terrain", "stype", "api00", "enroll", "name"}
	tests := []struct {
		name     string
		rule     string
		row      map[string]any
		want     bool
		wantErr  string // compile error
		missing  bool   // Match returns ErrMissing
		matchErr string // Match error
	}{
		{name: "match", rule: `terrain == "flatlands" && api00 < 600`, row: map[string]any{"terrain": "flatlands", "api00": int64(507)}, want: true},
		{name: "no match", rule: `terrain == "flatlands" && api00 < 600`, row: map[string]any{"terrain": "hills", "api00": int64(507)}},
		{name: "float and int compare", rule: `enroll >= 600.5`, row: map[string]any{"enroll": int64(631)}, want: true},
		{name: "null compared", rule: `api00 < 600`, row: map[string]any{"api00": nil}, missing: true},
		{name: "null equality is fine", rule: `terrain == nil`, row: map[string]any{"terrain": nil}, want: true},
		{name: "string functions", rule: `name startsWith "Gar"`, row: map[string]any{"name": "Garfield"}, want: true},
		{name: "unknown column with suggestion", rule: `api0 < 600`, wantErr: `unknown column "api0" (did you mean "api00"?)`},
		{name: "two unknown columns", rule: `foo > 1 || bar < 2`, wantErr: `unknown column "bar"; unknown column "foo"`},
		{name: "syntax error", rule: `api00 <`, wantErr: `rule "api00 <"`},
		{name: "not boolean", rule: `api00 + 1`, row: map[string]any{"api00": int64(1)}, matchErr: "invalid operation: bool(int)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(tt.rule, cols)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Compile error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Match(tt.row)
			if tt.matchErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.matchErr) {
					t.Fatalf("Match error %v, want %q", err, tt.matchErr)
				}
				return
			}
			if tt.missing {
				if !errors.Is(err, ErrMissing) {
					t.Fatalf("Match error %v, want ErrMissing", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Match = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	cols := []string{"terrain", "stype", "api00", "enroll", "name"}
	tests := []struct {
		name, rule string
		want       string
	}{
		{"each once, sorted", `terrain == "flatlands" && api00 < 600 && (api00 > 1 || terrain != nil)`, "api00,terrain"},
		{"constant", `true`, ""},
		{"nil is not a column", `name == nil`, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(tt.rule, cols)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Columns(), ","); got != tt.want {
				t.Errorf("Columns() = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzCompile: any text either compiles to a rule that evaluates without
// panicking on a row of nulls and values, or is refused with an error.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`terrain == "flatlands" && stype == "E" && api00 < 600`, `api00 <`, `len(name) > 3`, `enroll / 0 > 1`, `"a" + 1`} {
		f.Add(s)
	}
	cols := []string{"terrain", "stype", "api00", "enroll", "name"}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := Compile(src, cols)
		if err != nil {
			return
		}
		for _, row := range []map[string]any{
			{"terrain": "flatlands", "stype": "E", "api00": int64(507), "enroll": 331.0, "name": "Garfield"},
			{"terrain": nil, "stype": nil, "api00": nil, "enroll": nil, "name": nil},
		} {
			r.Match(row)
		}
	})
}

func TestCheckTypes(t *testing.T) {
	types := map[string]Type{"stype": Text, "api00": Number, "charter": Bool, "note": Any, "terrain": Text}
	tests := []struct {
		name, rule string
		wantErr    string // "" means the rule is accepted
	}{
		{"text with text", `stype == "E"`, ""},
		{"number with number", `api00 < 600 && api00 >= 1.5`, ""},
		{"bool with bool", `charter == true`, ""},
		{"nil is any type", `terrain != nil && api00 != nil`, ""},
		{"unknown type is never reported", `note == 5`, ""},
		{"text function", `terrain startsWith "fl"`, ""},
		{"text list", `stype in ["E", "M"]`, ""},
		{"text column with a number", `stype == 5`,
			`column "stype" is text but is compared with the number 5, which never matches; quote the value: stype == "5"`},
		{"number on the left", `5 != stype`, `quote the value: "5" != stype`},
		{"number column with text", `api00 < "600"`,
			`column "api00" is a number but is compared with the text "600", which never matches; write the number without quotes: api00 < 600`},
		{"number column with a word", `api00 == "high"`, `compare api00 with a number (without quotes), or declare the column as string`},
		{"bool column with text", `charter == "yes"`, `column "charter" is true/false but is compared with the text "yes"`},
		{"text list with a number", `stype in ["E", 7]`, `column "stype" is text but is compared with the number 7, which never matches; quote the value in the list ("7")`},
		{"float literal", `stype == 2.5`, `quote the value: stype == "2.5"`},
		{"negative number through expr's checker", `stype == -5`, `compares values of different types`},
		{"two columns of different types", `stype == api00`, `mismatched types string and float64`},
		{"unknown column still first", `styp == 5`, `unknown column "styp" (did you mean "stype"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTypes(tt.rule, types)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckTypes(%q) = %v, want nil", tt.rule, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("CheckTypes(%q) = %v, want an error containing %q", tt.rule, err, tt.wantErr)
			}
		})
	}
}
