package segment

import (
	"github.com/expr-lang/expr/ast"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Over returns a function that decides the rule on record i of a table
// whose columns col gives (nil: no such column, every value null), reading
// the columns typed instead of running expr-lang's program on a map of the
// record's values. Its answers are Match's on the same values: true or
// false, or false and ErrMissing when a comparison it needs has a null
// operand, with the same short-circuits (TestOverAsMatch).
//
// It covers the rules most pipeline files write: comparisons of a column
// with a literal of its type (==, !=, <, <=, >, >= on text and numbers; ==
// and != on true/false; a text column in a list of texts), joined by &&,
// ||, and, or, and negated by ! or not. (A list holding "" is left to
// expr-lang, which finds a null in it.) For any other rule, or a column
// whose type does not fit its comparison, it returns nil: the caller then
// uses Match.
func (r *Rule) Over(col func(name string) *table.Column) func(i int) (bool, error) {
	if r.tree == nil {
		return nil
	}
	f := compileNode(r.tree, col)
	if f == nil {
		return nil
	}
	return func(i int) (bool, error) {
		switch f(i) {
		case isTrue:
			return true, nil
		case isFalse:
			return false, nil
		}
		return false, ErrMissing
	}
}

// outcome is a node's answer for one record.
type outcome uint8

const (
	isFalse outcome = iota
	isTrue
	missing // a comparison with a null: Match's ErrMissing
)

func of(b bool) outcome {
	if b {
		return isTrue
	}
	return isFalse
}

// compileNode compiles n, or returns nil when it is outside the subset.
func compileNode(n ast.Node, col func(string) *table.Column) func(int) outcome {
	switch n := n.(type) {
	case *ast.UnaryNode:
		if n.Operator != "!" && n.Operator != "not" {
			return nil
		}
		f := compileNode(n.Node, col)
		if f == nil {
			return nil
		}
		return func(i int) outcome {
			switch o := f(i); o {
			case isTrue:
				return isFalse
			case isFalse:
				return isTrue
			default:
				return o
			}
		}
	case *ast.BinaryNode:
		switch n.Operator {
		case "&&", "and", "||", "or":
			a, b := compileNode(n.Left, col), compileNode(n.Right, col)
			if a == nil || b == nil {
				return nil
			}
			stop := isFalse // && stops at false, || at true
			if n.Operator == "||" || n.Operator == "or" {
				stop = isTrue
			}
			return func(i int) outcome {
				if o := a(i); o == stop || o == missing {
					return o
				}
				return b(i)
			}
		case "in":
			return compileIn(n, col)
		case "==", "!=", "<", "<=", ">", ">=":
			return compileCompare(n, col)
		}
	}
	return nil
}

// swapped gives the operator with its operands exchanged (5 < x is x > 5).
var swapped = map[string]string{"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// compileCompare compiles a column compared with a literal.
func compileCompare(n *ast.BinaryNode, col func(string) *table.Column) func(int) outcome {
	op := n.Operator
	id, ok := n.Left.(*ast.IdentifierNode)
	lit := n.Right
	if !ok {
		if id, ok = n.Right.(*ast.IdentifierNode); !ok {
			return nil
		}
		lit, op = n.Left, swapped[op]
	}
	if builtin(id.Value) {
		return nil
	}
	c := col(id.Value)
	if c == nil {
		return nil // always null: left to expr-lang
	}
	valid := c.Valid
	// A null operand: == is false and != true (expr-lang's Equal of nil
	// and a value); an order is Match's ErrMissing.
	nullIs := missing
	switch op {
	case "==":
		nullIs = isFalse
	case "!=":
		nullIs = isTrue
	}
	switch l := lit.(type) {
	case *ast.StringNode:
		if c.Type != table.String {
			return nil
		}
		return orderFunc(op, valid, c.Strings, l.Value, nullIs)
	case *ast.IntegerNode:
		switch c.Type {
		case table.Int:
			return orderFunc(op, valid, c.Ints, int64(l.Value), nullIs)
		case table.Float:
			return orderFunc(op, valid, c.Floats, float64(l.Value), nullIs)
		}
	case *ast.FloatNode:
		switch c.Type {
		case table.Float:
			return orderFunc(op, valid, c.Floats, l.Value, nullIs)
		case table.Int:
			ints, x := c.Ints, l.Value
			return cmpFunc(op, valid, nullIs, func(i int) int {
				return compareOrdered(float64(ints[i]), x)
			})
		}
	case *ast.BoolNode:
		if c.Type != table.Bool || (op != "==" && op != "!=") {
			return nil
		}
		bools, want := c.Bools, l.Value
		eq := op == "=="
		return func(i int) outcome {
			if !valid[i] {
				return nullIs
			}
			return of((bools[i] == want) == eq)
		}
	}
	return nil
}

// compareOrdered is -1, 0 or +1 as Go's < and == order a and b; 2 when
// neither holds either way (a NaN), so that every comparison is false.
func compareOrdered[T int64 | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a == b:
		return 0
	case a > b:
		return 1
	}
	return 2
}

func orderFunc[T int64 | float64 | string](op string, valid []bool, vals []T, x T, nullIs outcome) func(int) outcome {
	// The common comparisons without the indirection of cmpFunc.
	switch op {
	case "==":
		return func(i int) outcome {
			if !valid[i] {
				return nullIs
			}
			return of(vals[i] == x)
		}
	case ">=":
		return func(i int) outcome {
			if !valid[i] {
				return nullIs
			}
			return of(vals[i] >= x)
		}
	case "<":
		return func(i int) outcome {
			if !valid[i] {
				return nullIs
			}
			return of(vals[i] < x)
		}
	}
	return cmpFunc(op, valid, nullIs, func(i int) int { return compareOrdered(vals[i], x) })
}

// cmpFunc decides op on the order cmp gives record i against the literal.
func cmpFunc(op string, valid []bool, nullIs outcome, cmp func(int) int) func(int) outcome {
	var holds func(c int) bool
	switch op {
	case "==":
		holds = func(c int) bool { return c == 0 }
	case "!=":
		holds = func(c int) bool { return c != 0 }
	case "<":
		holds = func(c int) bool { return c == -1 }
	case "<=":
		holds = func(c int) bool { return c == -1 || c == 0 }
	case ">":
		holds = func(c int) bool { return c == 1 }
	case ">=":
		holds = func(c int) bool { return c == 1 || c == 0 }
	default:
		return nil
	}
	return func(i int) outcome {
		if !valid[i] {
			return nullIs
		}
		return of(holds(cmp(i)))
	}
}

// compileIn compiles a text column in a list of non-empty texts: false
// for a null.
func compileIn(n *ast.BinaryNode, col func(string) *table.Column) func(int) outcome {
	id, ok := n.Left.(*ast.IdentifierNode)
	arr, ok2 := n.Right.(*ast.ArrayNode)
	if !ok || !ok2 || builtin(id.Value) {
		return nil
	}
	c := col(id.Value)
	if c == nil || c.Type != table.String {
		return nil
	}
	set := make(map[string]bool, len(arr.Nodes))
	for _, e := range arr.Nodes {
		s, ok := e.(*ast.StringNode)
		if !ok || s.Value == "" {
			// expr-lang finds a null in a list holding "": left to it.
			return nil
		}
		set[s.Value] = true
	}
	valid, strs := c.Valid, c.Strings
	return func(i int) outcome {
		return of(valid[i] && set[strs[i]])
	}
}
