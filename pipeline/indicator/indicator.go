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
	"regexp"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
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
