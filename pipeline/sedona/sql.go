package sedona

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// ErrNotSQL is returned by RuleSQL for a rule that uses something the job
// cannot evaluate the way groundwork does; the caller computes that summary
// or segment natively.
var ErrNotSQL = errors.New("not translatable to Spark SQL")

// RuleSQL translates a pipeline rule (pipeline/segment's expr-lang
// language) over columns of the given types into a Spark SQL boolean
// expression with the same three outcomes as segment.Rule.Match: TRUE
// (matches), FALSE, and NULL where Match reports segment.ErrMissing (a
// comparison or arithmetic with a null value that decides the rule).
//
// The translation keeps expr-lang's semantics: == and != are null-safe
// (<=>), && and || evaluate left to right and stop at the first operand that
// decides (so `a != nil && a < 5` never compares a null), and an operand
// that is missing makes the whole rule missing. It covers literals (nil,
// booleans, numbers, strings), columns, the comparisons, &&/and, ||/or,
// !/not, in/not in over a list of literals, and + - * on numbers; anything
// else (functions, division, member access, comparing a string with a
// number) is ErrNotSQL. String literals are written as bytes (unhex), so no
// quoting can change their meaning.
func RuleSQL(src string, types map[string]table.Type) (string, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", src, err)
	}
	t := translator{types: types}
	e, err := t.expr(tree.Node)
	if err != nil {
		return "", fmt.Errorf("rule %q: %w", src, err)
	}
	if e.kind != kindBool {
		return "", fmt.Errorf("rule %q: not a comparison: %w", src, ErrNotSQL)
	}
	return e.sql, nil
}

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
)

type sqlExpr struct {
	sql  string
	kind kind
	lit  bool // a literal (allowed in an in-list)
}

type translator struct {
	types map[string]table.Type
}

func notSQL(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrNotSQL)
}

// Ident quotes a column name for Spark SQL.
func Ident(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// stringLit is a Spark SQL string literal of s, as its UTF-8 bytes.
func stringLit(s string) string {
	if s == "" {
		return "''"
	}
	return "CAST(unhex('" + hex.EncodeToString([]byte(s)) + "') AS STRING)"
}

func (t translator) expr(n ast.Node) (sqlExpr, error) {
	switch n := n.(type) {
	case *ast.NilNode:
		return sqlExpr{"NULL", kindNull, true}, nil
	case *ast.BoolNode:
		return sqlExpr{strings.ToUpper(strconv.FormatBool(n.Value)), kindBool, true}, nil
	case *ast.IntegerNode:
		return sqlExpr{"CAST(" + strconv.Itoa(n.Value) + " AS BIGINT)", kindNumber, true}, nil
	case *ast.FloatNode:
		return sqlExpr{"CAST('" + strconv.FormatFloat(n.Value, 'g', -1, 64) + "' AS DOUBLE)", kindNumber, true}, nil
	case *ast.StringNode:
		return sqlExpr{stringLit(n.Value), kindString, true}, nil
	case *ast.IdentifierNode:
		switch n.Value {
		case "nil":
			return sqlExpr{"NULL", kindNull, true}, nil
		case "true", "false":
			return sqlExpr{strings.ToUpper(n.Value), kindBool, true}, nil
		}
		typ, ok := t.types[n.Value]
		if !ok {
			return sqlExpr{}, fmt.Errorf("unknown column %q", n.Value)
		}
		switch typ {
		case table.String:
			return sqlExpr{Ident(n.Value), kindString, false}, nil
		case table.Int, table.Float:
			return sqlExpr{Ident(n.Value), kindNumber, false}, nil
		}
		// A bare boolean column: expr-lang fails on a null one in ways
		// that are not all "missing".
		return sqlExpr{}, notSQL("column %q is boolean", n.Value)
	case *ast.UnaryNode:
		x, err := t.expr(n.Node)
		if err != nil {
			return sqlExpr{}, err
		}
		switch n.Operator {
		case "!", "not":
			if x.kind != kindBool {
				return sqlExpr{}, notSQL("%s of a non-boolean", n.Operator)
			}
			return sqlExpr{"(NOT " + x.sql + ")", kindBool, false}, nil
		case "-":
			if x.kind != kindNumber {
				return sqlExpr{}, notSQL("minus of a non-number")
			}
			return sqlExpr{"(-" + x.sql + ")", kindNumber, false}, nil
		}
		return sqlExpr{}, notSQL("operator %q", n.Operator)
	case *ast.BinaryNode:
		return t.binary(n)
	}
	return sqlExpr{}, notSQL("%T", n)
}

func (t translator) binary(n *ast.BinaryNode) (sqlExpr, error) {
	l, err := t.expr(n.Left)
	if err != nil {
		return sqlExpr{}, err
	}
	if n.Operator == "in" || n.Operator == "not in" {
		return t.in(n, l)
	}
	r, err := t.expr(n.Right)
	if err != nil {
		return sqlExpr{}, err
	}
	switch n.Operator {
	case "&&", "and", "||", "or":
		if l.kind != kindBool || r.kind != kindBool {
			return sqlExpr{}, notSQL("%s of non-booleans", n.Operator)
		}
		if n.Operator == "&&" || n.Operator == "and" {
			return sqlExpr{fmt.Sprintf("(CASE WHEN %[1]s IS NULL THEN NULL WHEN NOT %[1]s THEN FALSE ELSE %[2]s END)", l.sql, r.sql), kindBool, false}, nil
		}
		return sqlExpr{fmt.Sprintf("(CASE WHEN %[1]s IS NULL THEN NULL WHEN %[1]s THEN TRUE ELSE %[2]s END)", l.sql, r.sql), kindBool, false}, nil
	case "==", "!=":
		if l.kind != r.kind && l.kind != kindNull && r.kind != kindNull {
			// expr-lang says false; Spark would cast one side.
			return sqlExpr{}, notSQL("%s between different kinds of value", n.Operator)
		}
		s := "(" + l.sql + " <=> " + r.sql + ")"
		if n.Operator == "!=" {
			s = "(NOT " + s + ")"
		}
		return sqlExpr{s, kindBool, false}, nil
	case "<", ">", "<=", ">=":
		// A null operand is missing (expr-lang fails with "nil"); other
		// kinds must match, as expr-lang refuses "a" < 5.
		if l.kind == kindNull || r.kind == kindNull {
			return sqlExpr{"CAST(NULL AS BOOLEAN)", kindBool, false}, nil
		}
		if l.kind != r.kind || l.kind == kindBool {
			return sqlExpr{}, notSQL("%s between different kinds of value", n.Operator)
		}
		return sqlExpr{"(" + l.sql + " " + n.Operator + " " + r.sql + ")", kindBool, false}, nil
	case "+", "-", "*":
		if l.kind != kindNumber || r.kind != kindNumber {
			return sqlExpr{}, notSQL("%s of non-numbers", n.Operator)
		}
		// Doubles, as expr-lang's int arithmetic does not overflow
		// the way Spark's ANSI mode fails.
		return sqlExpr{"(CAST(" + l.sql + " AS DOUBLE) " + n.Operator + " CAST(" + r.sql + " AS DOUBLE))", kindNumber, false}, nil
	}
	return sqlExpr{}, notSQL("operator %q", n.Operator)
}

// in translates `x in [a, b]`: false for a null x, as expr-lang compares it
// with each element by ==.
func (t translator) in(n *ast.BinaryNode, l sqlExpr) (sqlExpr, error) {
	arr, ok := n.Right.(*ast.ArrayNode)
	if !ok {
		return sqlExpr{}, notSQL("in over something other than a list")
	}
	var items []string
	for _, e := range arr.Nodes {
		x, err := t.expr(e)
		if err != nil {
			return sqlExpr{}, err
		}
		if !x.lit || x.kind == kindNull || l.kind != kindNull && x.kind != l.kind {
			return sqlExpr{}, notSQL("in over a list that is not of literals of the same kind")
		}
		items = append(items, x.sql)
	}
	s := "FALSE"
	if len(items) > 0 && l.kind != kindNull {
		s = "coalesce(" + l.sql + " IN (" + strings.Join(items, ", ") + "), FALSE)"
	}
	if n.Operator == "not in" {
		s = "(NOT " + s + ")"
	}
	return sqlExpr{s, kindBool, false}, nil
}

// ruleColumns returns the identifiers a rule reads (none when it does not
// parse: the caller's translation reports that).
func ruleColumns(src string) map[string]bool {
	cols := map[string]bool{}
	if src == "" {
		return cols
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return cols
	}
	ast.Walk(&tree.Node, walker(func(n *ast.Node) {
		if id, ok := (*n).(*ast.IdentifierNode); ok && id.Value != "nil" && id.Value != "true" && id.Value != "false" {
			cols[id.Value] = true
		}
	}))
	return cols
}

type walker func(*ast.Node)

func (w walker) Visit(n *ast.Node) { w(n) }
