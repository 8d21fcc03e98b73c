package indicator

import (
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// madeupTwo builds a one-row record of two estimates with their MOEs.
func madeupTwo(t *testing.T, a, am, b, bm float64) (arrow.RecordBatch, []string) {
	t.Helper()
	names := []string{"B01001_001E", "B01001_001M", "B01001_002E", "B01001_002M"}
	var cols []*table.Column
	for i, x := range []float64{a, am, b, bm} {
		c := &table.Column{Name: names[i], Type: table.Float}
		c.AppendFloat(x, true)
		cols = append(cols, c)
	}
	rec, err := table.Build(nil, cols...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Release)
	return rec, names
}

// censusRecord decodes a Census API response with pipeline/census, codes
// its medians for the ACS release year and returns its record (the caller
// releases it) and column names.
func censusRecord(t *testing.T, r io.Reader, year int) (arrow.RecordBatch, []string) {
	t.Helper()
	tb, err := census.Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	tb.CodeMedians(year)
	rec, err := tb.Record()
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, fl := range rec.Schema().Fields() {
		cols = append(cols, fl.Name)
	}
	return rec, cols
}

func evalOne(t *testing.T, rec arrow.RecordBatch, cols []string, spec Spec, opts Options) *Result {
	t.Helper()
	ind, err := Compile(spec, cols, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPercentChangeForms: every way of writing a percent change from X1 to
// X2 gets the handbook's estimate and MOE: 100 (X2/X1 - 1) with 100 times
// the MOE of the ratio X2/X1 (ACS General Handbook 2020, ch. 8). Made-up
// X1 = 41,123 ± 1,262 and X2 = 43,571 ± 1,408: the ratio is R = 1.0595287,
// its MOE sqrt(1408^2 + R^2 1262^2) / 41123 = 0.0472179 (by hand in Python
// 3.11: math.sqrt(1408**2 + (43571/41123)**2 * 1262**2) / 41123), so the
// change is 5.95287 ± 4.72179 percent. Propagating 100 * (X2 - X1) / X1
// term by term gave 4.60153 (the difference's MOE, then a ratio's): X1 is
// in both places, so those terms are not independent.
func TestPercentChangeForms(t *testing.T) {
	rec, cols := madeupTwo(t, 41123, 1262, 43571, 1408)
	wantEst := (43571.0/41123 - 1) * 100
	wantMOE := math.Sqrt(1408*1408+(43571.0/41123)*(43571.0/41123)*1262*1262) / 41123 * 100
	for _, tt := range []struct {
		expr    string
		percent bool
	}{
		{"pct_change(B01001_001E, B01001_002E)", false},
		{"(B01001_002E - B01001_001E) / B01001_001E * 100", false},
		{"100 * (B01001_002E - B01001_001E) / B01001_001E", false},
		{"B01001_002E / B01001_001E * 100 - 100", false},
		{"(B01001_002E / B01001_001E - 1) * 100", false},
		{"(B01001_002E - B01001_001E) / B01001_001E", true},
		{"-((B01001_001E - B01001_002E) / B01001_001E) * 100", false},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			r := evalOne(t, rec, cols, Spec{Name: "change", Expr: tt.expr, Percent: tt.percent}, Options{})
			if !near(r.Est[0], wantEst) || math.Abs(r.MOE[0]-wantMOE) > 1e-9 {
				t.Errorf("%s = %.9f ± %.9f, want %.9f ± %.9f", tt.expr, r.Est[0], r.MOE[0], wantEst, wantMOE)
			}
		})
	}
	// expr's own evaluation of pct_change agrees on the estimate.
	ind, err := Compile(Spec{Name: "c", Expr: "pct_change(B01001_001E, B01001_002E)"}, cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ind.runExpr(map[string]float64{"B01001_001E": 41123, "B01001_002E": 43571})
	if err != nil || !near(got, wantEst) {
		t.Errorf("runExpr = %v, %v; want %v", got, err, wantEst)
	}
	for _, bad := range []string{"pct_change(B01001_001E)", "max(B01001_001E, B01001_002E)"} {
		if _, err := Compile(Spec{Name: "c", Expr: bad}, cols, Options{}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", bad, err)
		}
	}
}

// TestImpossibleProportion: a kind proportion whose numerator exceeds its
// denominator is computed but noted and warned about.
func TestImpossibleProportion(t *testing.T) {
	rec, cols := madeupTwo(t, 120, 10, 100, 10)
	r := evalOne(t, rec, cols, Spec{Name: "p", Expr: "B01001_001E / B01001_002E", Kind: Proportion}, Options{})
	if !strings.Contains(r.Note[0], "not a proportion") || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "p: not a proportion: the numerator B01001_001E (120)") {
		t.Errorf("note %q, warnings %q; want a not-a-proportion note and warning", r.Note[0], r.Warnings)
	}
}

// TestNegativeMOE: a negative MOE that is not an annotation value is not
// silently made positive: the MOE is unknown, with a note and a warning.
func TestNegativeMOE(t *testing.T) {
	rec, cols := madeupTwo(t, 120, -10, 100, 10)
	r := evalOne(t, rec, cols, Spec{Name: "s", Expr: "B01001_001E + B01001_002E"}, Options{})
	if !math.IsNaN(r.MOE[0]) || !strings.Contains(r.Note[0], "B01001_001M is -10: a negative margin of error") || len(r.Warnings) != 1 {
		t.Errorf("MOE %v note %q warnings %q; want unknown MOE with note and warning", r.MOE[0], r.Note[0], r.Warnings)
	}
}

// TestNotSummableReason: the refusal says why the variable is a median.
func TestNotSummableReason(t *testing.T) {
	_, cols := madeupTwo(t, 1, 1, 1, 1)
	why := `B01001_002E is a mean (variables.json label "Estimate!!Average household size --!!Total")`
	_, err := Compile(Spec{Name: "x", Expr: "B01001_001E + B01001_002E"}, cols, Options{NotSummable: map[string]bool{"B01001_002E": true}, Reasons: map[string]string{"B01001_002E": why}})
	var ns *NotSummableError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), why) {
		t.Errorf("error %v; want a NotSummableError quoting %q", err, why)
	}
}

// TestTopCodedBound evaluates indicators on the real Alameda County
// response (pipeline/census/testdata, ACS 2014-2018) decoded by
// pipeline/census: tract 4001's median gross rent is 3501, "3,500 or more".
// Every value derived from it says it is a bound, in which direction.
func TestTopCodedBound(t *testing.T) {
	f, err := os.Open("../census/testdata/alameda_acs5_2018_tracts.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, cols := censusRecord(t, f, 2018)
	defer rec.Release()
	row, row2 := -1, -1
	ids, _, _ := table.Strings(rec, table.GEOID)
	for i, id := range ids {
		switch id {
		case "06001400100":
			row = i
		case "06001422600": // median value 2000001 and income 250001: both top-coded
			row2 = i
		}
	}
	opts := Options{NotSummable: map[string]bool{"B25064_001E": true, "B19013_001E": true}}
	tests := []struct {
		expr string
		want Bound
	}{
		{"B25064_001E * 12", AtLeast},
		{"B25064_001E * 12 / B19013_001E", AtLeast}, // tract 4001's income 200,893 is not coded
		{"B19013_001E / B25064_001E", AtMost},
		{"-B25064_001E", AtMost},
		{"B03002_001E / B03002_001E", Exact},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			r := evalOne(t, rec, cols, Spec{Name: "x", Expr: tt.expr}, opts)
			if r.Bound[row] != tt.want || NoteBound(r.Note[row]) != tt.want {
				t.Errorf("bound %v, want %v (note %q)", r.Bound[row], tt.want, r.Note[row])
			}
			if tt.want != Exact && !strings.Contains(r.Note[row], "B25064_001E is top-coded: 3,500 or more (3501): a bound") {
				t.Errorf("note %q does not name the top-coded input", r.Note[row])
			}
		})
	}
	// The ratio of two top codes: 2,000,001 / 250,001 = 7.999972,
	// an estimate of nothing: both bounds pull it different ways.
	r := evalOne(t, rec, cols, Spec{Name: "value_to_income", Expr: "B25077_001E / B19013_001E"}, opts)
	if r.Bound[row2] != Inexact || !strings.Contains(r.Note[row2], "not exact") {
		t.Errorf("tract 4226: %v %v %q; want Inexact with a note", r.Est[row2], r.Bound[row2], r.Note[row2])
	}
	// The need index carries the flag too: see stats.TestSVICompositeFlags.
}

// TestPercentRoomsYearCodesCarried: the codes whose value is the interval's
// edge itself (the Bureau's jam-value list: 50 is "50.0 or more" for gross
// rent as a percentage of income, 9 "9.0 or more" rooms, 1939 "1939 or
// earlier" year built) are flagged by pipeline/census and carried into
// indicators exactly as the money codes are. No recorded response here has
// these tables, so the two tracts are made up (values at and below the
// codes).
func TestPercentRoomsYearCodesCarried(t *testing.T) {
	in := `[["B25071_001E","B25018_001E","B25035_001E","state","county","tract"],` +
		`["50.0","9.0","1939","06","001","400100"],["31.4","5.2","1962","06","001","400200"]]`
	rec, cols := censusRecord(t, strings.NewReader(in), 2018)
	defer rec.Release()
	opts := Options{NotSummable: map[string]bool{"B25071_001E": true, "B25018_001E": true, "B25035_001E": true}}
	tests := []struct {
		expr, note string
		want       Bound
	}{
		{"B25071_001E / 100", "B25071_001E is top-coded: 50.0 or more (50.0)", AtLeast},
		{"B25018_001E * 1", "B25018_001E is top-coded: 9.0 or more (9.0)", AtLeast},
		{"-B25035_001E", "B25035_001E is bottom-coded: 1939 or earlier (1939)", AtLeast},
		{"B25035_001E * 1", "B25035_001E is bottom-coded: 1939 or earlier (1939)", AtMost},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			r := evalOne(t, rec, cols, Spec{Name: "x", Expr: tt.expr}, opts)
			if r.Bound[0] != tt.want || NoteBound(r.Note[0]) != tt.want || !strings.Contains(r.Note[0], tt.note) {
				t.Errorf("tract 1: bound %v, note %q; want %v naming %q", r.Bound[0], r.Note[0], tt.want, tt.note)
			}
			if r.Bound[1] != Exact {
				t.Errorf("tract 2: bound %v, want exact", r.Bound[1])
			}
		})
	}
}

// TestNoteCode reads the Bureau's words back from the raw layer's notes,
// and the edge the report shows from the words.
func TestNoteCode(t *testing.T) {
	tests := []struct {
		note, words string
		edge        float64
		rest        string
		ok          bool
	}{
		{"top-coded: 250,000 or more (250001)", "250,000 or more", 250000, "or more", true},
		{"bottom-coded: 2,500 or less (2499)", "2,500 or less", 2500, "or less", true},
		{"top-coded: 50.0 or more (50.0)", "50.0 or more", 50, "or more", true},
		{"bottom-coded: 1939 or earlier (1939)", "1939 or earlier", 1939, "or earlier", true},
		{"open-ended: the Census marks this median as falling in an open-ended interval (margin of error -333333333), at a value the code table has no code for (9.0)", "", 0, "", false},
		{"the result is at least the value shown (a top-coded input)", "", 0, "", false},
		{"estimate not computable: too few sample observations (-666666666)", "", 0, "", false},
	}
	if b := NoteBound("open-ended: the Census marks this median as falling in an open-ended interval (margin of error -333333333), at a value the code table has no code for (9.0)"); b != Inexact {
		t.Errorf("an open-ended median's note: %v, want Inexact (a bound in an unknown direction)", b)
	}
	for _, tt := range tests {
		words, ok := NoteCode(tt.note)
		if words != tt.words || ok != tt.ok {
			t.Errorf("NoteCode(%q) = %q %v, want %q %v", tt.note, words, ok, tt.words, tt.ok)
		}
		if !ok {
			continue
		}
		if edge, rest, ok := CodeWords(words); edge != tt.edge || rest != tt.rest || !ok {
			t.Errorf("CodeWords(%q) = %v %q %v, want %v %q", words, edge, rest, ok, tt.edge, tt.rest)
		}
	}
}
