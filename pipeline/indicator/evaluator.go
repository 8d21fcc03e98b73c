package indicator

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"github.com/groundwork-org/groundwork/pipeline/stats"
)

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
