// Package segment selects and ranks records by rules written in a pipeline
// file, such as `terrain == "flatlands" && stype == "E" && api00 < 600`.
//
// Rules are expr-lang expressions (https://expr-lang.org) over a record's
// columns, which must evaluate to a boolean. A null value is nil in the
// expression; a comparison with nil (api00 < 600 when api00 is null) does not
// match rather than fail, so rows with missing values are left out of a
// segment and counted by the caller.
package segment

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// Rule is a compiled boolean expression. A Rule is safe for concurrent use.
type Rule struct {
	src  string
	prog *vm.Program
	cols []string // the columns the rule reads, sorted, each once
	tree ast.Node // the parsed rule, for Over
}

// Type is the kind of value a column holds, as a rule sees it.
type Type int

// Column types. Any is a column whose type is not known before the data is
// read: it is never reported.
const (
	Any    Type = iota
	Text        // string columns
	Number      // int and float columns
	Bool        // bool columns
)

func (t Type) String() string {
	switch t {
	case Text:
		return "text"
	case Number:
		return "a number"
	case Bool:
		return "true/false"
	}
	return "any"
}

// CheckTypes parses src and verifies that every identifier it uses is a
// column of types (which maps every column name to its Type), without
// keeping the compiled program, and it also refuses a rule that compares a
// column with a value of another type (`stype == 5` where stype is text):
// such a comparison is never true, so the rule would silently select
// nothing. The error names the column, its type and the value, and shows
// the comparison written with the column's type (`stype == "5"`). A
// comparison of two columns, or through a function, is checked by
// expr-lang's own type checker, whose message names the operator and the
// two types.
func CheckTypes(src string, types map[string]Type) error {
	cols := make([]string, 0, len(types))
	for c := range types {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	if _, err := Compile(src, cols); err != nil {
		return err
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return fmt.Errorf("rule %q: %w", src, err)
	}
	var problems []string
	ast.Walk(&tree.Node, visitor(func(n *ast.Node) {
		b, ok := (*n).(*ast.BinaryNode)
		if !ok || !comparison[b.Operator] {
			return
		}
		for _, side := range [][2]ast.Node{{b.Left, b.Right}, {b.Right, b.Left}} {
			id, ok := side[0].(*ast.IdentifierNode)
			if !ok || types[id.Value] == Any {
				continue
			}
			want := types[id.Value]
			lits := []ast.Node{side[1]}
			if arr, ok := side[1].(*ast.ArrayNode); ok && b.Operator == "in" && side[0] == b.Left {
				lits = arr.Nodes
			}
			for _, lit := range lits {
				got, text, ok := literal(lit)
				if !ok || got == want {
					continue
				}
				problems = append(problems, fmt.Sprintf("column %q is %s but is compared with %s, which never matches; %s",
					id.Value, want, text, fix(id.Value, b.Operator, want, lit, side[0] == b.Left)))
			}
		}
	}))
	if len(problems) > 0 {
		return fmt.Errorf("rule %q: %s", src, strings.Join(problems, "; "))
	}
	env := make(map[string]any, len(types))
	for c, t := range types {
		switch t {
		case Text:
			env[c] = ""
		case Number:
			env[c] = 0.0
		case Bool:
			env[c] = false
		default:
			env[c] = nil
		}
	}
	if _, err := expr.Compile(src, expr.Env(env), expr.AsBool()); err != nil && strings.Contains(err.Error(), "mismatched types") {
		return fmt.Errorf("rule %q compares values of different types (text, a number, true/false), which never matches: %w", src, err)
	}
	return nil
}

// comparison lists the operators CheckTypes checks the operands of.
var comparison = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "in": true,
	"contains": true, "startsWith": true, "endsWith": true, "matches": true}

// literal returns the type of a literal node and how it is written.
func literal(n ast.Node) (Type, string, bool) {
	switch l := n.(type) {
	case *ast.StringNode:
		return Text, fmt.Sprintf("the text %q", l.Value), true
	case *ast.IntegerNode:
		return Number, fmt.Sprintf("the number %d", l.Value), true
	case *ast.FloatNode:
		return Number, fmt.Sprintf("the number %s", strconv.FormatFloat(l.Value, 'g', -1, 64)), true
	case *ast.BoolNode:
		return Bool, fmt.Sprintf("%t", l.Value), true
	}
	return Any, "", false
}

// fix says how to write the comparison of column col with lit for a column
// of type want.
func fix(col, op string, want Type, lit ast.Node, colLeft bool) string {
	var v string
	switch l := lit.(type) {
	case *ast.StringNode:
		v = l.Value
	case *ast.IntegerNode:
		v = strconv.Itoa(l.Value)
	case *ast.FloatNode:
		v = strconv.FormatFloat(l.Value, 'g', -1, 64)
	case *ast.BoolNode:
		v = strconv.FormatBool(l.Value)
	}
	var written string
	switch want {
	case Text:
		written = strconv.Quote(v)
	case Number:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("compare %s with a number (without quotes), or declare the column as string", col)
		}
		written = v
	case Bool:
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Sprintf("compare %s with true or false", col)
		}
		written = v
	}
	how := map[Type]string{Text: "quote the value", Number: "write the number without quotes", Bool: "write true or false without quotes"}[want]
	if op == "in" && colLeft {
		return fmt.Sprintf("%s in the list (%s)", how, written)
	}
	if colLeft {
		return fmt.Sprintf("%s: %s %s %s", how, col, op, written)
	}
	return fmt.Sprintf("%s: %s %s %s", how, written, op, col)
}

// Compile parses a rule over the given column names. Unknown names are an
// error that lists the close matches.
func Compile(src string, columns []string) (*Rule, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", src, err)
	}
	known := map[string]bool{}
	for _, c := range columns {
		known[c] = true
	}
	var unknown []string
	used := map[string]bool{}
	ast.Walk(&tree.Node, visitor(func(n *ast.Node) {
		id, ok := (*n).(*ast.IdentifierNode)
		switch {
		case !ok || builtin(id.Value):
		case !known[id.Value]:
			unknown = append(unknown, id.Value)
		default:
			used[id.Value] = true
		}
	}))
	if len(unknown) > 0 {
		sort.Strings(unknown)
		var parts []string
		for _, u := range unknown {
			parts = append(parts, fmt.Sprintf("unknown column %q%s", u, closest(u, columns)))
		}
		return nil, fmt.Errorf("rule %q: %s", src, strings.Join(parts, "; "))
	}
	prog, err := expr.Compile(src, expr.AsBool(), expr.AllowUndefinedVariables())
	if err != nil {
		return nil, fmt.Errorf("rule %q: %w", src, err)
	}
	cols := make([]string, 0, len(used))
	for c := range used {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return &Rule{src: src, prog: prog, cols: cols, tree: tree.Node}, nil
}

// Columns returns the names of the columns the rule reads, sorted. A caller
// that evaluates many records may fill a reused row map with these alone.
// The slice must not be modified.
func (r *Rule) Columns() []string { return r.cols }

func builtin(name string) bool {
	switch name {
	case "true", "false", "nil":
		return true
	}
	return false
}

type visitor func(*ast.Node)

func (v visitor) Visit(n *ast.Node) { v(n) }

// ErrMissing reports that a rule could not be decided because a value it
// compares is null.
var ErrMissing = errors.New("a value the rule needs is missing")

// Match evaluates the rule on a row (column name to value; nil for null). It
// returns false and ErrMissing when the rule compares a null value.
func (r *Rule) Match(row map[string]any) (bool, error) {
	out, err := expr.Run(r.prog, row)
	if err != nil {
		if strings.Contains(err.Error(), "nil") {
			return false, ErrMissing
		}
		return false, fmt.Errorf("rule %q: %w", r.src, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("rule %q gives %v, not true or false; write a comparison such as api00 < 600", r.src, out)
	}
	return b, nil
}

// String returns the rule's source text.
func (r *Rule) String() string { return r.src }

func closest(want string, have []string) string {
	if best := suggest.Closest(want, have); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
