// Package indicator evaluates derived indicators declared as arithmetic
// expressions over table columns (for example
// renter_share: B25003_003E / (B25003_002E + B25003_003E)) and propagates the
// ACS margins of error through them by the Census Bureau's approximation
// formulas (pipeline/stats; ACS General Handbook 2020, ch. 8).
//
// Expressions are parsed and type-checked by github.com/expr-lang/expr. The
// accepted language is deliberately small: numbers, column names, the
// operators + - * /, unary minus and parentheses. Evaluation walks expr's
// syntax tree rather than running expr's virtual machine, because MOE
// propagation needs the estimate and MOE of every sub-expression; a
// differential test checks the estimates against expr's own evaluation.
//
// Column conventions (pipeline/table): a Census estimate column ends in E
// (B25003_003E) and its 90% margin of error is the same name ending in M
// (B25003_003M). How each name's MOE is found:
//   - an E column with its M column present: that MOE (ACS 90%);
//   - a Census variable (like B19013_001E) without its M column: MOE unknown,
//     so the indicator's MOE, CV and reliability are null, with a note;
//   - any other column (a community's own counts): exact, MOE 0;
//   - a number in the expression: exact, MOE 0.
//
// MOE rules applied: sums and differences (sqrt of summed squared MOEs, only
// the largest MOE among zero-estimate terms: stats.Sum), ratios
// (stats.Quotient), products (stats.Product), and, for an indicator of kind
// proportion, the proportion formula at the top-level division
// (stats.Proportion, falling back to the ratio formula when its radicand is
// negative). A chain such as a + (b - c) + d is treated as one sum of four
// terms.
//
// Compiled indicators are immutable and safe for concurrent use.
package indicator

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Kind says how the top-level division of an indicator is treated.
type Kind int

const (
	// Ratio is the default: every division uses the ratio MOE formula
	// (stats.Quotient). Use it when the numerator is not a subset of the
	// denominator (people per housing unit, renters per owner).
	Ratio Kind = iota
	// Proportion marks an indicator whose expression is a division whose
	// numerator is a subset of its denominator (renters among occupied
	// units); that top-level division uses the proportion MOE formula
	// (stats.Proportion), which gives a smaller MOE. Groundwork cannot check
	// the subset relation: the analyst asserts it.
	Proportion
)

// ParseKind reads a kind as written in a pipeline file: "ratio" or
// "proportion" ("" is ratio).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "ratio":
		return Ratio, nil
	case "proportion":
		return Proportion, nil
	}
	return 0, fmt.Errorf("unknown indicator kind %q: want ratio or proportion", s)
}

func (k Kind) String() string {
	if k == Proportion {
		return "proportion"
	}
	return "ratio"
}

// Spec declares an indicator.
type Spec struct {
	// Name is the indicator's column name in outputs.
	Name string
	// Expr is the expression over column names.
	Expr string
	// Kind is Ratio (default) or Proportion.
	Kind Kind
	// Percent multiplies the estimate and its MOE by 100 (a share of 0.402
	// becomes 40.2). The CV does not change.
	Percent bool
}

// Options apply to every indicator of a run.
type Options struct {
	// Confidence is the level of the MOEs in the results: 90 (the ACS's own,
	// the default when zero), 95 or 99.
	Confidence stats.Confidence
	// Input is the level of the input MOE columns: 90 (the ACS's own, the
	// default when zero) unless the source converted them at pull.
	Input stats.Confidence
	// Bands are the CV thresholds of the reliability bands; the zero value
	// means stats.DefaultBands (15% and 30%).
	Bands stats.Bands
	// NotSummable names the estimate columns that are medians, means or
	// other non-additive statistics (B19013_001E median household income,
	// B25077_001E median home value, B25064_001E median gross rent). They may
	// not appear inside a sum or difference, nor in a proportion.
	NotSummable map[string]bool
	// Reasons gives, per NotSummable column, why it is not a count in the
	// words of census.Classify ("B25010_001E is a mean (variables.json label
	// ...)"); the refusal quotes it.
	Reasons map[string]string
}

func (o Options) withDefaults() (Options, error) {
	if o.Confidence == 0 {
		o.Confidence = stats.Conf90
	}
	if o.Input == 0 {
		o.Input = stats.Conf90
	}
	if !o.Input.Valid() {
		return o, fmt.Errorf("input confidence %d: want 90, 95 or 99", int(o.Input))
	}
	if !o.Confidence.Valid() {
		return o, fmt.Errorf("confidence %d: want 90, 95 or 99", int(o.Confidence))
	}
	if o.Bands == (stats.Bands{}) {
		o.Bands = stats.DefaultBands
	}
	if err := o.Bands.Validate(); err != nil {
		return o, err
	}
	return o, nil
}

// CompileError reports why an indicator was refused. Err is one of
// *UnknownNameError, *NotSummableError, ErrSyntax or ErrUnsupported (wrapped),
// or a problem with the options.
type CompileError struct {
	Indicator string
	Expr      string
	Err       error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("indicator %s (%s): %s", e.Indicator, e.Expr, e.Err.Error())
}

func (e *CompileError) Unwrap() error { return e.Err }

// Errors wrapped by CompileError.
var (
	// ErrSyntax wraps expr's syntax errors.
	ErrSyntax = errors.New("syntax error")
	// ErrUnsupported is a construct outside the indicator language.
	ErrUnsupported = errors.New("unsupported in an indicator")
)

// UnknownNameError is a name in an expression that is not a column.
type UnknownNameError struct {
	Name       string
	Suggestion string // closest column name, "" when none is close
}

func (e *UnknownNameError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("unknown column %s; did you mean %s?", e.Name, e.Suggestion)
	}
	return fmt.Sprintf("unknown column %s; add it to the source's variables or fix the name", e.Name)
}

// NotSummableError is a median or mean used where counts are needed.
type NotSummableError struct {
	Name string
	In   string // "a sum or difference" or "a proportion"
	Why  string // why Name is not a count (Options.Reasons), "" if not known
}

func (e *NotSummableError) Error() string {
	why := ""
	if e.Why != "" {
		why = " (" + e.Why + ")"
	}
	return fmt.Sprintf("%s is a median or mean and cannot be used in %s%s: medians and means do not add up across categories or areas; use the counts it summarises, or compare it as a ratio", e.Name, e.In, why)
}

// Indicator is a compiled indicator.
type Indicator struct {
	spec    Spec
	opts    Options
	root    ast.Node
	program *vm.Program
	inputs  []input // sorted by name
	byName  map[string]int
}

type input struct {
	name   string
	moeCol string // "" when exact or unknown
	exact  bool   // not a Census estimate: MOE 0
}

// censusVar matches ACS estimate variable names: detailed tables
// (B25003_003E, B01001A_001E, C17002_002E), subject tables (S1701_C01_001E)
// and data profiles, counts and percents (DP02_0001E, DP05_0071PE).
var censusVar = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{2,5}[A-Z]?(_C[0-9]{2})?_[0-9]{3,4}P?E$`)

// Compile parses spec.Expr and checks it against the available column names
// (estimates and MOEs alike). It refuses, with a *CompileError: syntax
// errors; names that are not columns (suggesting the closest one); MOE
// columns used directly; anything but numbers, names, + - * / and
// parentheses; NotSummable columns inside a sum or difference or in a
// proportion; and kind proportion on an expression that is not a division.
func Compile(spec Spec, columns []string, opts Options) (*Indicator, error) {
	fail := func(err error) (*Indicator, error) {
		return nil, &CompileError{Indicator: spec.Name, Expr: spec.Expr, Err: err}
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(spec.Name) == "" {
		return fail(errors.New("indicator has no name"))
	}
	tree, err := parser.Parse(spec.Expr)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrSyntax, err))
	}
	have := make(map[string]bool, len(columns))
	for _, c := range columns {
		have[c] = true
	}
	ind := &Indicator{spec: spec, opts: opts, root: tree.Node, byName: map[string]int{}}
	if err := ind.check(tree.Node, have, columns); err != nil {
		return fail(err)
	}
	if spec.Kind == Proportion {
		b, ok := tree.Node.(*ast.BinaryNode)
		if !ok || b.Operator != "/" {
			return fail(fmt.Errorf("%w: kind proportion needs an expression of the form numerator / denominator, got %s", ErrUnsupported, tree.Node.String()))
		}
		if name := firstNotSummable(tree.Node, opts.NotSummable); name != "" {
			return fail(&NotSummableError{Name: name, In: "a proportion", Why: opts.Reasons[name]})
		}
	}
	sort.Slice(ind.inputs, func(i, j int) bool { return ind.inputs[i].name < ind.inputs[j].name })
	env := make(map[string]float64, len(ind.inputs))
	for i, in := range ind.inputs {
		ind.byName[in.name] = i
		env[in.name] = 0
	}
	// expr's own compilation: a second, independent check of names and types,
	// and the program the differential tests compare against.
	prog, err := expr.Compile(spec.Expr, expr.Env(env), expr.AsFloat64(), pctChangeFunc)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrSyntax, err))
	}
	ind.program = prog
	return ind, nil
}

func (ind *Indicator) check(n ast.Node, have map[string]bool, columns []string) error {
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return nil
	case *ast.IdentifierNode:
		name := n.Value
		if !have[name] {
			return &UnknownNameError{Name: name, Suggestion: closest(name, columns)}
		}
		if strings.HasSuffix(name, "M") && have[strings.TrimSuffix(name, "M")+"E"] {
			return fmt.Errorf("%w: %s is a margin of error; write the estimate %sE and its MOE is propagated", ErrUnsupported, name, strings.TrimSuffix(name, "M"))
		}
		for _, in := range ind.inputs {
			if in.name == name {
				return nil
			}
		}
		in := input{name: name}
		if m := strings.TrimSuffix(name, "E") + "M"; strings.HasSuffix(name, "E") && have[m] {
			in.moeCol = m
		} else if !censusVar.MatchString(name) {
			in.exact = true
		}
		ind.inputs = append(ind.inputs, in)
		return nil
	case *ast.UnaryNode:
		if n.Operator != "-" && n.Operator != "+" {
			return fmt.Errorf("%w: operator %q (use numbers, column names, + - * / and parentheses)", ErrUnsupported, n.Operator)
		}
		return ind.check(n.Node, have, columns)
	case *ast.CallNode:
		if !isPctChange(n) {
			return fmt.Errorf("%w: %s (the one function is pct_change(from, to); otherwise use numbers, column names, + - * / and parentheses)", ErrUnsupported, n.String())
		}
		if err := ind.check(n.Arguments[0], have, columns); err != nil {
			return err
		}
		return ind.check(n.Arguments[1], have, columns)
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-":
			if name := firstNotSummable(n, ind.opts.NotSummable); name != "" {
				return &NotSummableError{Name: name, In: "a sum or difference", Why: ind.opts.Reasons[name]}
			}
		case "*", "/":
		default:
			return fmt.Errorf("%w: operator %q (use numbers, column names, + - * / and parentheses)", ErrUnsupported, n.Operator)
		}
		if err := ind.check(n.Left, have, columns); err != nil {
			return err
		}
		return ind.check(n.Right, have, columns)
	}
	return fmt.Errorf("%w: %s (use numbers, column names, + - * / and parentheses)", ErrUnsupported, n.String())
}

// firstNotSummable returns the first (leftmost) NotSummable name under n.
func firstNotSummable(n ast.Node, ns map[string]bool) string {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		if ns[n.Value] {
			return n.Value
		}
	case *ast.UnaryNode:
		return firstNotSummable(n.Node, ns)
	case *ast.BinaryNode:
		if s := firstNotSummable(n.Left, ns); s != "" {
			return s
		}
		return firstNotSummable(n.Right, ns)
	}
	return ""
}

// closest returns the column nearest to name by edit distance (ignoring
// case), if it is within a third of the name's length (at least 2 edits).
func closest(name string, columns []string) string { return suggest.Closest(name, columns) }

// Name returns the indicator's name.
func (ind *Indicator) Name() string { return ind.spec.Name }

// Spec returns the indicator's declaration.
func (ind *Indicator) Spec() Spec { return ind.spec }

// Inputs returns the columns the indicator reads (estimates, then the MOE
// columns found for them), sorted, without duplicates.
func (ind *Indicator) Inputs() []string {
	var out []string
	for _, in := range ind.inputs {
		out = append(out, in.name)
		if in.moeCol != "" {
			out = append(out, in.moeCol)
		}
	}
	sort.Strings(out)
	return out
}

// MissingMOE returns the Census estimates the indicator uses whose MOE
// column is absent (the indicator's MOE will be null), sorted.
func (ind *Indicator) MissingMOE() []string {
	var out []string
	for _, in := range ind.inputs {
		if in.moeCol == "" && !in.exact {
			out = append(out, in.name)
		}
	}
	return out
}

// Result holds an indicator's values, one entry per row of the evaluated
// record. Where Valid[i] is false, Est, MOE and CV are NaN and Note[i] says
// why. MOE (at Confidence) and CV may be NaN for a valid estimate (no MOE
// available; Note says so). CV is in percent.
type Result struct {
	Name        string
	Confidence  stats.Confidence
	Est         []float64
	MOE         []float64
	CV          []float64
	Valid       []bool
	Reliability []stats.Reliability
	Note        []string
	// Bound says, per row, whether the value is an estimate (Exact) or only
	// a bound on one because a coded input entered it (top-coded: AtLeast).
	Bound []Bound
	// Warnings lists problems with the inputs worth a run warning, once
	// each with the number of rows: a kind proportion whose numerator
	// exceeds its denominator, a negative MOE that is not an annotation.
	Warnings []string
}

// Column names of an indicator's outputs.
const (
	MOESuffix         = "_moe"
	CVSuffix          = "_cv"
	ReliabilitySuffix = "_reliability"
)

// Columns returns the result as table columns: <name> (estimate),
// <name>_moe, <name>_cv (percent), <name>_reliability (reliable, caution,
// unreliable, unknown) and <name>_note. NaN values become nulls; notes are
// null when empty.
func (r *Result) Columns() []*table.Column {
	n := len(r.Est)
	est := &table.Column{Name: r.Name, Type: table.Float}
	moe := &table.Column{Name: r.Name + MOESuffix, Type: table.Float}
	cv := &table.Column{Name: r.Name + CVSuffix, Type: table.Float}
	rel := &table.Column{Name: r.Name + ReliabilitySuffix, Type: table.String}
	note := &table.Column{Name: r.Name + table.NoteSuffix, Type: table.String}
	for i := 0; i < n; i++ {
		est.AppendFloat(nan0(r.Est[i]), r.Valid[i] && !math.IsNaN(r.Est[i]))
		moe.AppendFloat(nan0(r.MOE[i]), !math.IsNaN(r.MOE[i]))
		cv.AppendFloat(inf0(r.CV[i]), !math.IsNaN(r.CV[i]) && !math.IsInf(r.CV[i], 0))
		rel.AppendString(string(r.Reliability[i]), true)
		note.AppendString(r.Note[i], r.Note[i] != "")
	}
	return []*table.Column{est, moe, cv, rel, note}
}

func nan0(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

func inf0(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// Census annotation values that the Data API sends in place of estimates and
// MOEs ("Notes on ACS estimate and annotation values"). An estimate equal to
// one of these is read as null; an MOE of -555555555 (estimate controlled,
// no sampling error) as 0, any other as unknown.
var annotations = map[float64]string{
	-999999999: "too few sample observations to compute (annotation -999999999)",
	-888888888: "not applicable or not available (annotation -888888888)",
	-666666666: "estimate not computable: too few sample observations (annotation -666666666)",
	-555555555: "estimate controlled, no sampling error (annotation -555555555)",
	-333333333: "median in an open-ended interval, MOE not appropriate (annotation -333333333)",
	-222222222: "MOE not computable: too few sample observations (annotation -222222222)",
}

type column struct {
	est, moe     []float64
	estOK, moeOK []bool
	note         []string
	hasMOE       bool
}

// Evaluate computes the indicator for every row of rec. rec must have the
// columns Inputs names, numeric (float64 or int64). Per row:
//   - a null input estimate (or a Census annotation value in its place)
//     makes the result null, with a note naming the column and, when the
//     record has a "<column>_note" string column, its reason;
//   - a zero denominator makes the result null with the note "division by
//     zero: the denominator <expression> is 0";
//   - a null or missing input MOE leaves the estimate but makes the MOE, CV
//     and reliability unknown, with a note;
//   - for kind proportion, a fallback to the ratio formula is noted;
//   - a NaN input, or a result that overflows to ±Inf, is null with a note.
//
// An empty record gives an empty Result. Evaluate does not modify rec.
func (ind *Indicator) Evaluate(rec arrow.RecordBatch) (*Result, error) {
	cols := make([]column, len(ind.inputs))
	for i, in := range ind.inputs {
		c := &cols[i]
		var err error
		c.est, c.estOK, err = table.Floats(rec, in.name)
		if err != nil {
			return nil, fmt.Errorf("indicator %s: %w", ind.spec.Name, err)
		}
		if in.moeCol != "" && table.Has(rec, in.moeCol) {
			c.moe, c.moeOK, err = table.Floats(rec, in.moeCol)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: %w", ind.spec.Name, err)
			}
			c.hasMOE = true
		}
		if nc := in.name + table.NoteSuffix; table.Has(rec, nc) {
			if notes, ok, err := table.Strings(rec, nc); err == nil {
				c.note = notes
				for j := range notes {
					if !ok[j] {
						notes[j] = ""
					}
				}
			}
		}
	}
	n := int(rec.NumRows())
	r := &Result{
		Name:        ind.spec.Name,
		Confidence:  ind.opts.Confidence,
		Est:         make([]float64, n),
		MOE:         make([]float64, n),
		CV:          make([]float64, n),
		Valid:       make([]bool, n),
		Reliability: make([]stats.Reliability, n),
		Note:        make([]string, n),
		Bound:       make([]Bound, n),
	}
	warned := map[string]int{}
	var order []string
	for row := 0; row < n; row++ {
		e := evaluator{ind: ind, cols: cols, row: row}
		x, ok := e.top()
		v := x.v
		if ok && ind.spec.Percent {
			v = stats.Scale(v, 100)
		}
		if ok && (math.IsNaN(v.Est) || math.IsInf(v.Est, 0)) {
			e.note("the result is not a finite number")
			ok = false
		}
		if ok && x.b != Exact {
			e.note(boundNote[x.b])
		}
		for _, w := range e.warns {
			if warned[w] == 0 {
				order = append(order, w)
			}
			warned[w]++
		}
		r.Note[row] = strings.Join(e.notes, "; ")
		if !ok {
			r.Est[row], r.MOE[row], r.CV[row] = math.NaN(), math.NaN(), math.NaN()
			r.Reliability[row] = stats.Unknown
			continue
		}
		r.Valid[row] = true
		r.Bound[row] = x.b
		r.Est[row] = v.Est
		r.CV[row] = stats.CV(v, ind.opts.Input)
		r.MOE[row] = stats.ConvertMOE(v.MOE, ind.opts.Input, ind.opts.Confidence)
		r.Reliability[row] = ind.opts.Bands.Classify(r.CV[row])
	}
	for _, w := range order {
		if k := warned[w]; k > 1 {
			w = fmt.Sprintf("%s (and %d more rows like it)", w, k-1)
		}
		r.Warnings = append(r.Warnings, ind.spec.Name+": "+w)
	}
	return r, nil
}

// Bound says whether a result is an estimate or only a bound on one: it is
// a bound when an input is a top- or bottom-coded median ("250,000 or
// more"), whose published value is the edge of an open-ended interval.
type Bound int8

// Bounds. AtLeast means the true value is at least the result (it came from
// a top-coded input through operations that increase with it), AtMost the
// reverse; Inexact means coded inputs pull in opposite directions, so the
// result is neither an estimate nor a one-sided bound.
const (
	Exact Bound = iota
	AtLeast
	AtMost
	Inexact
)

// Words returns the plain words of b before a value ("at least", "at most",
// "not exact:"), "" for Exact.
func (b Bound) Words() string {
	switch b {
	case AtLeast:
		return "at least"
	case AtMost:
		return "at most"
	case Inexact:
		return "not exact:"
	}
	return ""
}

// boundNote is the note of a result that is a bound; NoteBound reads it
// back from an output's <name>_note column.
var boundNote = map[Bound]string{
	AtLeast: "the result is at least the value shown (a top-coded input)",
	AtMost:  "the result is at most the value shown (a coded input)",
	Inexact: "the result is not exact: coded inputs pull it both ways",
}

// NoteBound returns the Bound an indicator's note states (Evaluate writes
// it into Result.Note and so into the <name>_note column), or, for a raw
// Census column's note (census.Column.Note: "top-coded: 250,000 or more
// (250001)"), AtLeast for a top code and AtMost for a bottom code. Any other
// note is Exact.
func NoteBound(note string) Bound {
	if b := codedNote(note); b != Exact {
		return b
	}
	for b, s := range boundNote {
		if strings.Contains(note, s) {
			return b
		}
	}
	return Exact
}

// CodeWords reads the Bureau's words for a top or bottom code ("250,000 or
// more", "50.0 or more", "1939 or earlier"): the edge of the open-ended
// interval (250000, 50, 1939) and the words after it ("or more", "or
// earlier"). ok is false for words that do not start with a number. The
// edge, not the value sent, is what a report shows: the API sends the edge
// plus or minus one for money (250001, 2499) and the edge itself for
// percentages, rooms and years (50, 9, 1939), so the edge cannot be had
// from the value.
func CodeWords(s string) (edge float64, words string, ok bool) {
	num, rest, found := strings.Cut(s, " ")
	if !found || rest == "" {
		return 0, "", false
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil {
		return 0, "", false
	}
	return x, rest, true
}

// NoteCode returns the Bureau's words of a raw Census column's note of a
// top- or bottom-coded value (census.Column.Note: "top-coded: 250,000 or
// more (250001)" gives "250,000 or more"), or "" and false for any other
// note.
func NoteCode(note string) (string, bool) {
	_, rest, ok := strings.Cut(note, ": ")
	if !ok || codedNote(note) == Exact {
		return "", false
	}
	if i := strings.LastIndex(rest, " ("); i >= 0 {
		rest = rest[:i]
	}
	if _, _, ok := CodeWords(rest); !ok {
		return "", false
	}
	return rest, true
}

// flip is the bound of -x (or of 1/x for x > 0) given that of x.
func (b Bound) flip() Bound {
	switch b {
	case AtLeast:
		return AtMost
	case AtMost:
		return AtLeast
	}
	return b
}

// times is the bound contributed by a term whose partial derivative has the
// sign of s.
func (b Bound) times(s float64) Bound {
	switch {
	case b == Exact || s == 0:
		return Exact
	case s < 0:
		return b.flip()
	}
	return b
}

// join combines the bounds of the terms of one expression.
func join(a, b Bound) Bound {
	switch {
	case a == Exact:
		return b
	case b == Exact || a == b:
		return a
	}
	return Inexact
}

// tv is a sub-expression's value (MOE at 90%) and bound.
type tv struct {
	v stats.Value
	b Bound
}

// evaluator computes one row. Values carry MOEs at 90%.
type evaluator struct {
	ind   *Indicator
	cols  []column
	row   int
	notes []string
	seen  map[string]bool
	warns []string
}

func (e *evaluator) note(s string) {
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	if !e.seen[s] {
		e.seen[s] = true
		e.notes = append(e.notes, s)
	}
}

// warn notes s and records it as a warning of the indicator (Result.Warnings).
func (e *evaluator) warn(s string) {
	if e.seen == nil || !e.seen[s] {
		e.warns = append(e.warns, s)
	}
	e.note(s)
}

func (e *evaluator) top() (tv, bool) {
	if b, ok := e.ind.root.(*ast.BinaryNode); ok && b.Operator == "/" && e.ind.spec.Kind == Proportion {
		num, ok1 := e.eval(b.Left)
		den, ok2 := e.eval(b.Right)
		if !ok1 || !ok2 {
			return tv{}, false
		}
		if den.v.Est == 0 {
			e.note(fmt.Sprintf("division by zero: the denominator %s is 0", b.Right.String()))
			return tv{}, false
		}
		if num.v.Est > den.v.Est || num.v.Est < 0 || den.v.Est < 0 {
			e.warn(fmt.Sprintf("not a proportion: the numerator %s (%s) is not between 0 and the denominator %s (%s); the numerator must be a subset of the denominator (check the expression, or use kind ratio)",
				b.Left.String(), fmtNum(num.v.Est), b.Right.String(), fmtNum(den.v.Est)))
		}
		p, fell := stats.Proportion(num.v, den.v)
		if fell {
			e.note("proportion MOE used the ratio formula (negative radicand, ACS handbook rule)")
		}
		return tv{p, quotientBound(num, den)}, true
	}
	return e.eval(e.ind.root)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func quotientBound(a, b tv) Bound {
	return join(a.b.times(b.v.Est), b.b.times(-a.v.Est))
}

func (e *evaluator) eval(n ast.Node) (tv, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return tv{v: stats.Value{Est: float64(n.Value)}}, true
	case *ast.FloatNode:
		return tv{v: stats.Value{Est: n.Value}}, true
	case *ast.IdentifierNode:
		return e.ident(n.Value)
	case *ast.UnaryNode:
		x, ok := e.eval(n.Node)
		if n.Operator == "-" {
			x.v.Est = -x.v.Est
			x.b = x.b.flip()
		}
		return x, ok
	case *ast.CallNode:
		// pct_change(from, to) = (to / from - 1) * 100 (Compile admits no
		// other call).
		return e.pctChange(n.Arguments[0], n.Arguments[1], 1, 100)
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-":
			var terms []tv
			ok := e.sumTerms(n, 1, &terms)
			if !ok {
				return tv{}, false
			}
			vals := make([]stats.Value, len(terms))
			var b Bound
			for i, t := range terms {
				vals[i] = t.v
				b = join(b, t.b)
			}
			return tv{stats.Sum(vals...), b}, true
		case "*":
			a, ok1 := e.eval(n.Left)
			b, ok2 := e.eval(n.Right)
			if !ok1 || !ok2 {
				return tv{}, false
			}
			return tv{stats.Product(a.v, b.v), join(a.b.times(b.v.Est), b.b.times(a.v.Est))}, true
		case "/":
			if to, from, sign, scale, ok := changeForm(n); ok {
				return e.pctChange(from, to, sign, scale)
			}
			a, ok1 := e.eval(n.Left)
			b, ok2 := e.eval(n.Right)
			if !ok1 || !ok2 {
				return tv{}, false
			}
			if b.v.Est == 0 {
				e.note(fmt.Sprintf("division by zero: the denominator %s is 0", n.Right.String()))
				return tv{}, false
			}
			return tv{stats.Quotient(a.v, b.v), quotientBound(a, b)}, true
		}
	}
	// Compile admits nothing else.
	panic(fmt.Sprintf("indicator: unexpected node %T", n))
}

// changeForm recognises a relative change written as a difference over one
// of its terms: (to - from) / from, or (from - to) / from (sign -1), the
// difference possibly times a number (100 * (to - from) / from, scale 100).
// All equal scale * sign * (to / from - 1); the handbook computes the MOE of
// a percent change from the ratio to / from (see pctChange), which differs
// from the MOE of the difference divided by from, because from appears in
// both the numerator and the denominator.
func changeForm(n *ast.BinaryNode) (to, from ast.Node, sign, scale float64, ok bool) {
	num, scale := n.Left, 1.0
	if m, isMul := num.(*ast.BinaryNode); isMul && m.Operator == "*" {
		if c, isNum := number(m.Left); isNum {
			num, scale = m.Right, c
		} else if c, isNum := number(m.Right); isNum {
			num, scale = m.Left, c
		}
	}
	d, isDiff := num.(*ast.BinaryNode)
	if !isDiff || d.Operator != "-" {
		return nil, nil, 0, 0, false
	}
	den := n.Right.String()
	switch {
	case d.Right.String() == den && d.Left.String() != den:
		return d.Left, d.Right, 1, scale, true
	case d.Left.String() == den && d.Right.String() != den:
		return d.Right, d.Left, -1, scale, true
	}
	return nil, nil, 0, 0, false
}

// number returns the value of a number literal.
func number(n ast.Node) (float64, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return float64(n.Value), true
	case *ast.FloatNode:
		return n.Value, true
	}
	return 0, false
}

// pctChange returns scale * sign * (to / from - 1) with the MOE of the ratio
// to / from times scale (ACS General Handbook 2020, ch. 8: a percent change
// is computed as the ratio of the later to the earlier estimate, 100 *
// (X2 / X1 - 1), and its MOE as 100 times the MOE of the ratio X2 / X1).
func (e *evaluator) pctChange(fromN, toN ast.Node, sign, scale float64) (tv, bool) {
	from, ok1 := e.eval(fromN)
	to, ok2 := e.eval(toN)
	if !ok1 || !ok2 {
		return tv{}, false
	}
	if from.v.Est == 0 {
		e.note(fmt.Sprintf("division by zero: the earlier value %s is 0, so the change is not defined", fromN.String()))
		return tv{}, false
	}
	r := stats.Quotient(to.v, from.v)
	b := quotientBound(to, from).times(sign * scale)
	return tv{stats.Value{Est: scale * sign * (r.Est - 1), MOE: math.Abs(scale) * r.MOE}, b}, true
}

// sumTerms flattens a chain of + and - into signed terms, so the zero-estimate
// rule sees every term of the sum at once.
func (e *evaluator) sumTerms(n ast.Node, sign float64, terms *[]tv) bool {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "+" || b.Operator == "-") {
		ok1 := e.sumTerms(b.Left, sign, terms)
		rs := sign
		if b.Operator == "-" {
			rs = -sign
		}
		ok2 := e.sumTerms(b.Right, rs, terms)
		return ok1 && ok2
	}
	if u, ok := n.(*ast.UnaryNode); ok && u.Operator == "-" {
		return e.sumTerms(u.Node, -sign, terms)
	}
	if u, ok := n.(*ast.UnaryNode); ok && u.Operator == "+" {
		return e.sumTerms(u.Node, sign, terms)
	}
	x, ok := e.eval(n)
	if !ok {
		return false
	}
	*terms = append(*terms, tv{stats.Value{Est: sign * x.v.Est, MOE: x.v.MOE}, x.b.times(sign)})
	return true
}

// codedNote reports a pipeline/census note of a top- or bottom-coded value
// ("top-coded: 250,000 or more (250001)", census.Column.Note), or of a
// median the Census marks open-ended without a code ("open-ended: ...",
// a bound in an unknown direction: Inexact).
func codedNote(s string) Bound {
	switch {
	case strings.HasPrefix(s, "top-coded"):
		return AtLeast
	case strings.HasPrefix(s, "bottom-coded"):
		return AtMost
	case strings.HasPrefix(s, "open-ended"):
		return Inexact
	}
	return Exact
}

func (e *evaluator) ident(name string) (tv, bool) {
	i := e.ind.byName[name]
	in, c := e.ind.inputs[i], &e.cols[i]
	if !c.estOK[e.row] {
		msg := name + " is null"
		if c.note != nil && c.note[e.row] != "" {
			msg += " (" + c.note[e.row] + ")"
		}
		e.note(msg)
		return tv{}, false
	}
	est := c.est[e.row]
	if math.IsNaN(est) {
		e.note(name + " is not a number")
		return tv{}, false
	}
	if a, ok := annotations[est]; ok && !in.exact {
		e.note(name + ": " + a)
		return tv{}, false
	}
	x := tv{v: stats.Value{Est: est}}
	if c.note != nil {
		if b := codedNote(c.note[e.row]); b != Exact {
			x.b = b
			e.note(name + " is " + c.note[e.row] + ": a bound, not an estimate")
		}
	}
	switch {
	case in.exact:
	case !c.hasMOE:
		x.v.MOE = math.NaN()
		e.note("no MOE column for " + name + "; MOE unknown")
	case !c.moeOK[e.row]:
		x.v.MOE = math.NaN()
		e.note(in.moeCol + " is null; MOE unknown")
	default:
		m := c.moe[e.row]
		if a, ok := annotations[m]; ok {
			if m == -555555555 {
				m = 0
			} else {
				m = math.NaN()
				e.note(in.moeCol + ": " + a)
			}
		} else if m < 0 {
			// Not one of the Bureau's annotation values: a damaged or
			// mislabelled input, not an MOE to take the absolute value of.
			e.warn(fmt.Sprintf("%s is %s: a negative margin of error that is not a Census annotation value; MOE unknown (check the input)", in.moeCol, fmtNum(m)))
			m = math.NaN()
		}
		x.v.MOE = m
	}
	return x, true
}

// RunExpr evaluates the estimate of the indicator for one row of values with
// expr's own virtual machine, without MOEs. It exists for differential tests
// and debugging; Evaluate is the entry point.
func (ind *Indicator) RunExpr(vals map[string]float64) (float64, error) {
	env := make(map[string]float64, len(ind.inputs))
	for _, in := range ind.inputs {
		env[in.name] = vals[in.name]
	}
	out, err := expr.Run(ind.program, env)
	if err != nil {
		return math.NaN(), fmt.Errorf("indicator %s: %w", ind.spec.Name, err)
	}
	f, ok := out.(float64)
	if !ok {
		return math.NaN(), fmt.Errorf("indicator %s: expr returned %T", ind.spec.Name, out)
	}
	return f, nil
}

// isPctChange reports a call pct_change(from, to).
func isPctChange(n *ast.CallNode) bool {
	id, ok := n.Callee.(*ast.IdentifierNode)
	return ok && id.Value == "pct_change" && len(n.Arguments) == 2
}

// pctChangeFunc is pct_change for expr's own compilation and RunExpr.
var pctChangeFunc = expr.Function("pct_change", func(p ...any) (any, error) {
	from, ok1 := p[0].(float64)
	to, ok2 := p[1].(float64)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("pct_change: want two numbers")
	}
	return (to/from - 1) * 100, nil
}, new(func(float64, float64) float64))
