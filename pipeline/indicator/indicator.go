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
	// the default when zero), 95 or 99. Input MOEs are always read as the
	// ACS's 90% MOEs.
	Confidence stats.Confidence
	// Bands are the CV thresholds of the reliability bands; the zero value
	// means stats.DefaultBands (15% and 30%).
	Bands stats.Bands
	// NotSummable names the estimate columns that are medians, means or
	// other non-additive statistics (B19013_001E median household income,
	// B25077_001E median home value, B25064_001E median gross rent). They may
	// not appear inside a sum or difference, nor in a proportion.
	NotSummable map[string]bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Confidence == 0 {
		o.Confidence = stats.Conf90
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
}

func (e *NotSummableError) Error() string {
	return fmt.Sprintf("%s is a median or mean and cannot be used in %s: medians and means do not add up across categories or areas; use the counts it summarises, or compare it as a ratio", e.Name, e.In)
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
			return fail(&NotSummableError{Name: name, In: "a proportion"})
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
	prog, err := expr.Compile(spec.Expr, expr.Env(env), expr.AsFloat64())
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
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-":
			if name := firstNotSummable(n, ind.opts.NotSummable); name != "" {
				return &NotSummableError{Name: name, In: "a sum or difference"}
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
	}
	for row := 0; row < n; row++ {
		e := evaluator{ind: ind, cols: cols, row: row}
		v, ok := e.top()
		if ok && ind.spec.Percent {
			v = stats.Scale(v, 100)
		}
		if ok && (math.IsNaN(v.Est) || math.IsInf(v.Est, 0)) {
			e.note("the result is not a finite number")
			ok = false
		}
		r.Note[row] = strings.Join(e.notes, "; ")
		if !ok {
			r.Est[row], r.MOE[row], r.CV[row] = math.NaN(), math.NaN(), math.NaN()
			r.Reliability[row] = stats.Unknown
			continue
		}
		r.Valid[row] = true
		r.Est[row] = v.Est
		r.CV[row] = stats.CV(v, stats.Conf90)
		r.MOE[row] = stats.ConvertMOE(v.MOE, stats.Conf90, ind.opts.Confidence)
		r.Reliability[row] = ind.opts.Bands.Classify(r.CV[row])
	}
	return r, nil
}

// evaluator computes one row. Values carry MOEs at 90%.
type evaluator struct {
	ind   *Indicator
	cols  []column
	row   int
	notes []string
	seen  map[string]bool
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

func (e *evaluator) top() (stats.Value, bool) {
	if b, ok := e.ind.root.(*ast.BinaryNode); ok && b.Operator == "/" && e.ind.spec.Kind == Proportion {
		num, ok1 := e.eval(b.Left)
		den, ok2 := e.eval(b.Right)
		if !ok1 || !ok2 {
			return stats.Value{}, false
		}
		if den.Est == 0 {
			e.note(fmt.Sprintf("division by zero: the denominator %s is 0", b.Right.String()))
			return stats.Value{}, false
		}
		p, fell := stats.Proportion(num, den)
		if fell {
			e.note("proportion MOE used the ratio formula (negative radicand, ACS handbook rule)")
		}
		return p, true
	}
	return e.eval(e.ind.root)
}

func (e *evaluator) eval(n ast.Node) (stats.Value, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return stats.Value{Est: float64(n.Value)}, true
	case *ast.FloatNode:
		return stats.Value{Est: n.Value}, true
	case *ast.IdentifierNode:
		return e.ident(n.Value)
	case *ast.UnaryNode:
		v, ok := e.eval(n.Node)
		if n.Operator == "-" {
			v.Est = -v.Est
		}
		return v, ok
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-":
			var terms []stats.Value
			ok := e.sumTerms(n, 1, &terms)
			if !ok {
				return stats.Value{}, false
			}
			return stats.Sum(terms...), true
		case "*":
			a, ok1 := e.eval(n.Left)
			b, ok2 := e.eval(n.Right)
			if !ok1 || !ok2 {
				return stats.Value{}, false
			}
			return stats.Product(a, b), true
		case "/":
			a, ok1 := e.eval(n.Left)
			b, ok2 := e.eval(n.Right)
			if !ok1 || !ok2 {
				return stats.Value{}, false
			}
			if b.Est == 0 {
				e.note(fmt.Sprintf("division by zero: the denominator %s is 0", n.Right.String()))
				return stats.Value{}, false
			}
			return stats.Quotient(a, b), true
		}
	}
	// Compile admits nothing else.
	panic(fmt.Sprintf("indicator: unexpected node %T", n))
}

// sumTerms flattens a chain of + and - into signed terms, so the zero-estimate
// rule sees every term of the sum at once.
func (e *evaluator) sumTerms(n ast.Node, sign float64, terms *[]stats.Value) bool {
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
	v, ok := e.eval(n)
	if !ok {
		return false
	}
	*terms = append(*terms, stats.Value{Est: sign * v.Est, MOE: v.MOE})
	return true
}

func (e *evaluator) ident(name string) (stats.Value, bool) {
	i := e.ind.byName[name]
	in, c := e.ind.inputs[i], &e.cols[i]
	if !c.estOK[e.row] {
		msg := name + " is null"
		if c.note != nil && c.note[e.row] != "" {
			msg += " (" + c.note[e.row] + ")"
		}
		e.note(msg)
		return stats.Value{}, false
	}
	est := c.est[e.row]
	if math.IsNaN(est) {
		e.note(name + " is not a number")
		return stats.Value{}, false
	}
	if a, ok := annotations[est]; ok && !in.exact {
		e.note(name + ": " + a)
		return stats.Value{}, false
	}
	v := stats.Value{Est: est}
	switch {
	case in.exact:
	case !c.hasMOE:
		v.MOE = math.NaN()
		e.note("no MOE column for " + name + "; MOE unknown")
	case !c.moeOK[e.row]:
		v.MOE = math.NaN()
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
		}
		v.MOE = math.Abs(m)
	}
	return v, true
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

// FormatValue renders an estimate with its MOE for reports, e.g.
// "40.2 ± 3.1", with prec decimals; a null estimate is "n/a" and an unknown
// MOE is "± ?".
func FormatValue(est, moe float64, prec int) string {
	if math.IsNaN(est) {
		return "n/a"
	}
	s := strconv.FormatFloat(est, 'f', prec, 64)
	if math.IsNaN(moe) {
		return s + " ± ?"
	}
	return s + " ± " + strconv.FormatFloat(moe, 'f', prec, 64)
}
