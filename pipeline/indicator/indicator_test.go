package indicator

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/expr-lang/expr/file"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// medians are the non-summable variables of the test table.
var medians = map[string]bool{"B19013_001E": true, "B25064_001E": true, "B25077_001E": true}

// loadTracts reads testdata/oakland_acs5_2018_14_tracts.csv (real ACS rows,
// see testdata/PROVENANCE.md) into a record: geoid as string, every other
// column as float64.
func loadTracts(t testing.TB) (arrow.RecordBatch, []string) {
	t.Helper()
	f, err := os.Open("testdata/oakland_acs5_2018_14_tracts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	cols := make([]*table.Column, len(header))
	for j, h := range header {
		typ := table.Float
		if h == "geoid" {
			typ = table.String
		}
		cols[j] = &table.Column{Name: h, Type: typ}
	}
	for _, r := range recs[1:] {
		for j, v := range r {
			if cols[j].Type == table.String {
				cols[j].AppendString(v, true)
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			cols[j].AppendFloat(x, true)
		}
	}
	rec, err := table.Build(nil, cols...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Release)
	return rec, header
}

func rowOf(t *testing.T, rec arrow.RecordBatch, geoid string) int {
	t.Helper()
	ids, _, err := table.Strings(rec, "geoid")
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id == geoid {
			return i
		}
	}
	t.Fatalf("no tract %s", geoid)
	return -1
}

const renterShare = "B25003_003E / (B25003_002E + B25003_003E)"

func TestCompileErrors(t *testing.T) {
	_, cols := loadTracts(t)
	tests := []struct {
		name    string
		spec    Spec
		opts    Options
		target  any    // pointer to the error type wanted, or nil
		is      error  // sentinel wanted, or nil
		message string // substring of the message
	}{
		{"unknown name with suggestion", Spec{Name: "s", Expr: "B25003_03E / B25003_002E"}, Options{}, new(*UnknownNameError), nil, "unknown column B25003_03E; did you mean B25003_003E?"},
		{"unknown name far from any column", Spec{Name: "s", Expr: "members / 2"}, Options{}, new(*UnknownNameError), nil, "unknown column members; add it"},
		{"syntax error", Spec{Name: "s", Expr: "B25003_003E / ("}, Options{}, nil, ErrSyntax, "syntax error"},
		{"power operator", Spec{Name: "s", Expr: "B25003_003E ** 2"}, Options{}, nil, ErrUnsupported, `operator "**"`},
		{"comparison", Spec{Name: "s", Expr: "B25003_003E > 2"}, Options{}, nil, ErrUnsupported, `operator ">"`},
		{"function call", Spec{Name: "s", Expr: "abs(B25003_003E)"}, Options{}, nil, ErrUnsupported, "abs"},
		{"string literal", Spec{Name: "s", Expr: `"x"`}, Options{}, nil, ErrUnsupported, "unsupported"},
		{"MOE column used directly", Spec{Name: "s", Expr: "B25003_003M / 2"}, Options{}, nil, ErrUnsupported, "B25003_003M is a margin of error"},
		{"median in a sum", Spec{Name: "s", Expr: "B19013_001E + B25064_001E"}, Options{NotSummable: medians}, new(*NotSummableError), nil, "B19013_001E is a median or mean and cannot be used in a sum or difference"},
		{"median in a nested difference", Spec{Name: "s", Expr: "(B25064_001E * 12 - 1) / 2"}, Options{NotSummable: medians}, new(*NotSummableError), nil, "B25064_001E"},
		{"median in a proportion", Spec{Name: "s", Expr: "B25064_001E / B19013_001E", Kind: Proportion}, Options{NotSummable: medians}, new(*NotSummableError), nil, "in a proportion"},
		{"proportion without division", Spec{Name: "s", Expr: "B25003_003E * 2", Kind: Proportion}, Options{}, nil, ErrUnsupported, "numerator / denominator"},
		{"bad confidence", Spec{Name: "s", Expr: renterShare}, Options{Confidence: 80}, nil, nil, "confidence 80: want 90, 95 or 99"},
		{"bad bands", Spec{Name: "s", Expr: renterShare}, Options{Bands: stats.Bands{Caution: 30, Unreliable: 10}}, nil, nil, "reliability bands"},
		{"no name", Spec{Expr: renterShare}, Options{}, nil, nil, "no name"},
		{"empty expression", Spec{Name: "s", Expr: ""}, Options{}, nil, ErrSyntax, "syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.spec, cols, tt.opts)
			if err == nil {
				t.Fatalf("Compile(%q) succeeded, want error", tt.spec.Expr)
			}
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Indicator != tt.spec.Name {
				t.Errorf("error %v is not a *CompileError for %q", err, tt.spec.Name)
			}
			if tt.target != nil && !errors.As(err, tt.target) {
				t.Errorf("error %v does not wrap %T", err, tt.target)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	_, cols := loadTracts(t)
	for _, e := range []string{
		renterShare,
		"B19013_001E / 12",                 // a median scaled
		"B25064_001E * 12 / B19013_001E",   // rent-to-income ratio of medians
		"-B25003_003E + 2.5 * B25003_002E", // unary minus, float literal
		"(B03002_004E + B03002_012E) / B03002_001E",
	} {
		if _, err := Compile(Spec{Name: "x", Expr: e}, cols, Options{NotSummable: medians}); err != nil {
			t.Errorf("Compile(%q): %v", e, err)
		}
	}
}

type rowWant struct {
	geoid string
	valid bool
	est   float64
	moe   float64
	cv    float64
	band  stats.Reliability
	note  string // substring; "" means the note must be empty
}

func checkRows(t *testing.T, rec arrow.RecordBatch, r *Result, rows []rowWant) {
	t.Helper()
	for _, w := range rows {
		i := rowOf(t, rec, w.geoid)
		if r.Valid[i] != w.valid || !near(r.Est[i], w.est) || !near(r.MOE[i], w.moe) || (!math.IsNaN(w.cv) && !near(r.CV[i], w.cv)) || r.Reliability[i] != w.band {
			t.Errorf("%s: got valid %v est %v moe %v cv %v %s; want %v %v %v %v %s", w.geoid, r.Valid[i], r.Est[i], r.MOE[i], r.CV[i], r.Reliability[i], w.valid, w.est, w.moe, w.cv, w.band)
		}
		if (w.note == "") != (r.Note[i] == "") || !strings.Contains(r.Note[i], w.note) {
			t.Errorf("%s: note %q, want %q", w.geoid, r.Note[i], w.note)
		}
	}
}

func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// Expected values: Python 3.11.7 on the handbook formulas, e.g. for tract
// 06001400100 p = 139/1297, MOE = sqrt(74^2 - p^2 (92^2 + 74^2)) / 1297.
func TestEvaluateRenterShare(t *testing.T) {
	rec, cols := loadTracts(t)
	nan := math.NaN()
	tests := []struct {
		name string
		spec Spec
		opts Options
		rows []rowWant
	}{
		{"proportion in percent", Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, Options{}, []rowWant{
			{"06001400100", true, 10.71703932151118, 5.621446834527035, 31.886538865896508, stats.Unreliable, ""},
			// All occupied units rented: negative radicand, ratio formula.
			{"06001420400", true, 100, 8.089339396039644, 8.089339396039644 / 1.645, stats.Reliable, "ratio formula"},
			// Zero renters: MOE sqrt(12^2)/21; the CV of a zero is infinite.
			{"06001422600", true, 0, 57.14285714285714, math.Inf(1), stats.Unreliable, ""},
			// The water tract: 0 / (0 + 0).
			{"06001990000", false, nan, nan, nan, stats.Unknown, "division by zero"},
		}},
		{"ratio formula when not marked proportion", Spec{Name: "renter_share", Expr: renterShare, Percent: true}, Options{}, []rowWant{
			{"06001400100", true, 10.71703932151118, 5.788281828161979, 5.788281828161979 / 1.645 / 10.71703932151118 * 100, stats.Unreliable, ""},
		}},
		{"MOE at 95%", Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, Options{Confidence: stats.Conf95}, []rowWant{
			// MOE * 1.960/1.645; the CV does not depend on the level.
			{"06001400100", true, 10.71703932151118, 6.697894100713063, 31.886538865896508, stats.Unreliable, ""},
		}},
		{"custom bands", Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, Options{Bands: stats.Bands{Caution: 20, Unreliable: 40}}, []rowWant{
			{"06001400100", true, 10.71703932151118, 5.621446834527035, 31.886538865896508, stats.Caution, ""},
		}},
		{"median without MOE column", Spec{Name: "monthly_income", Expr: "B19013_001E / 12"}, Options{NotSummable: medians}, []rowWant{
			{"06001400300", true, 7894.333333333333, nan, nan, stats.Unknown, "no MOE column for B19013_001E"},
			{"06001990000", false, nan, nan, nan, stats.Unknown, "B19013_001E: estimate not computable"},
		}},
		{"product with annotation MOE", Spec{Name: "rent_total", Expr: "B25064_001E * B25003_003E"}, Options{NotSummable: medians}, []rowWant{
			{"06001400300", true, 2049704, 403113.26375722245, 403113.26375722245 / 1.645 / 2049704 * 100, stats.Reliable, ""},
			{"06001400100", true, 3501 * 139, nan, nan, stats.Unknown, "B25064_001M: median in an open-ended interval"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ind, err := Compile(tt.spec, cols, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ind.Evaluate(rec)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Est) != int(rec.NumRows()) {
				t.Fatalf("%d results for %d rows", len(r.Est), rec.NumRows())
			}
			checkRows(t, rec, r, tt.rows)
		})
	}
}

// TestEvaluateNulls covers null inputs, an all-null column with notes, and
// an empty record.
func TestEvaluateNulls(t *testing.T) {
	num := &table.Column{Name: "B25003_003E", Type: table.Float}
	numM := &table.Column{Name: "B25003_003M", Type: table.Float}
	den := &table.Column{Name: "B25003_002E", Type: table.Float}
	denM := &table.Column{Name: "B25003_002M", Type: table.Float}
	note := &table.Column{Name: "B25003_003E_note", Type: table.String}
	for i := 0; i < 2; i++ {
		num.AppendFloat(0, false)
		numM.AppendFloat(0, false)
		den.AppendFloat(100, true)
		denM.AppendFloat(10, true)
	}
	note.AppendString("suppressed by the source", true)
	note.AppendString("", false)
	rec, err := table.Build(nil, num, numM, den, denM, note)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ind, err := Compile(Spec{Name: "x", Expr: renterShare, Kind: Proportion}, []string{"B25003_003E", "B25003_003M", "B25003_002E", "B25003_002M"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes := []string{"B25003_003E is null (suppressed by the source)", "B25003_003E is null"}
	for i := range wantNotes {
		if r.Valid[i] || r.Note[i] != wantNotes[i] || r.Reliability[i] != stats.Unknown {
			t.Errorf("row %d: valid %v note %q band %s; want null with note %q", i, r.Valid[i], r.Note[i], r.Reliability[i], wantNotes[i])
		}
	}
	empty, err := table.Build(nil, &table.Column{Name: "B25003_003E", Type: table.Float}, &table.Column{Name: "B25003_002E", Type: table.Float})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Release()
	r, err = ind.Evaluate(empty)
	if err != nil || len(r.Est) != 0 {
		t.Errorf("empty record: %v, %d rows; want no error, 0 rows", err, len(r.Est))
	}
	// A missing column is an error naming it.
	only, err := table.Build(nil, &table.Column{Name: "B25003_002E", Type: table.Float})
	if err != nil {
		t.Fatal(err)
	}
	defer only.Release()
	if _, err := ind.Evaluate(only); err == nil || !strings.Contains(err.Error(), `no column "B25003_003E"`) {
		t.Errorf("missing column: %v", err)
	}
}

func TestResultColumns(t *testing.T) {
	rec, cols := loadTracts(t)
	ind, err := Compile(Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		t.Fatal(err)
	}
	out, err := table.Build(nil, r.Columns()...)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	var names []string
	for _, f := range out.Schema().Fields() {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "renter_share,renter_share_moe,renter_share_cv,renter_share_reliability,renter_share_note"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	i := rowOf(t, rec, "06001990000")
	row := table.Row(out, i)
	if row["renter_share"] != nil || row["renter_share_moe"] != nil || row["renter_share_reliability"] != "unknown" || row["renter_share_note"] == nil {
		t.Errorf("water tract row %v: want null estimate and MOE with a note", row)
	}
	j := rowOf(t, rec, "06001422600")
	if row := table.Row(out, j); row["renter_share_cv"] != nil || row["renter_share"] != 0.0 {
		t.Errorf("zero-renter tract row %v: want estimate 0 and null (infinite) CV", row)
	}
	if got, want := ind.Inputs(), []string{"B25003_002E", "B25003_002M", "B25003_003E", "B25003_003M"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Inputs = %v, want %v", got, want)
	}
}

// TestEstimatesMatchExpr is a differential test: the walker's estimates
// equal expr's own evaluation of the same expression on every valid row.
func TestEstimatesMatchExpr(t *testing.T) {
	rec, cols := loadTracts(t)
	for _, e := range []string{
		renterShare,
		"B25003_003E - (B25003_002E - B03002_004E) + -B03002_012E",
		"(B03002_004E + B03002_012E) / B03002_001E * 100",
		"B25064_001E * 12 / B19013_001E",
		"2 * B25003_002E / 3 - 1.5",
	} {
		differential(t, rec, cols, e)
	}
}

func differential(t *testing.T, rec arrow.RecordBatch, cols []string, e string) {
	t.Helper()
	ind, err := Compile(Spec{Name: "x", Expr: e}, cols, Options{})
	if err != nil {
		return
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		t.Fatalf("%q: %v", e, err)
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		if !r.Valid[i] {
			continue
		}
		vals := map[string]float64{}
		for _, in := range ind.inputs {
			v, _, _ := table.Floats(rec, in.name)
			vals[in.name] = v[i]
		}
		want, err := ind.runExpr(vals)
		if err != nil {
			t.Fatalf("%q: expr: %v", e, err)
		}
		if math.Abs(r.Est[i]-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%q row %d: walker %v, expr %v", e, i, r.Est[i], want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		renterShare,
		"B19013_001E / 12",
		"B25003_03E",
		"(B03002_004E + B03002_012E) / B03002_001E",
		"-B25003_003E - -B25003_002E * 0.5",
		"B25003_003E ** 2",
		"1 / 0",
		"B25003_003E / (",
		"abs(B25003_003E)",
		"B25003_003E.x[0] ?? 1",
		"let x = 1; x",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	rec, cols := loadTracts(f)
	f.Fuzz(func(t *testing.T, e string, prop bool) {
		kind := Ratio
		if prop {
			kind = Proportion
		}
		ind, err := Compile(Spec{Name: "x", Expr: e, Kind: kind}, cols, Options{NotSummable: medians})
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("%q: error %v is not a *CompileError", e, err)
			}
			return
		}
		r, err := ind.Evaluate(rec)
		if err != nil {
			t.Fatalf("%q: %v", e, err)
		}
		for i := range r.Est {
			if r.Valid[i] && (math.IsNaN(r.Est[i]) || r.MOE[i] < 0) {
				t.Fatalf("%q row %d: valid with estimate %v MOE %v", e, i, r.Est[i], r.MOE[i])
			}
			if !r.Valid[i] && r.Note[i] == "" {
				t.Fatalf("%q row %d: null without a note", e, i)
			}
		}
		if kind == Ratio {
			differential(t, rec, cols, e)
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	rec, cols := loadTracts(b)
	ind, err := Compile(Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, cols, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ind.Evaluate(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEvaluateNonFinite(t *testing.T) {
	c := &table.Column{Name: "members", Type: table.Float}
	c.AppendFloat(math.NaN(), true)
	c.AppendFloat(1e308, true)
	rec, err := table.Build(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ind, err := Compile(Spec{Name: "x", Expr: "members * 10"}, []string{"members"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"members is not a number", "the result is not a finite number"} {
		if r.Valid[i] || r.Note[i] != want {
			t.Errorf("row %d: valid %v note %q, want null with %q", i, r.Valid[i], r.Note[i], want)
		}
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	_, err := Compile(Spec{Name: "s", Expr: "B25003_003E / (1 +"}, []string{"B25003_003E"}, Options{})
	var fe *file.Error
	if !errors.As(err, &fe) || fe.Line != 1 || fe.Column == 0 {
		t.Fatalf("error %v does not carry expr's position (line 1, a column)", err)
	}
}
