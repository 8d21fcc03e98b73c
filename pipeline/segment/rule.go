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
}

// Check parses src and verifies that every identifier it uses is one of
// columns, without compiling it for evaluation.
func Check(src string, columns []string) error {
	_, err := Compile(src, columns)
	return err
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
	return &Rule{src: src, prog: prog, cols: cols}, nil
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
