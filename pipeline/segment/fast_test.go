package segment_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// apiTable reads the real 2000 API file of Oakland's schools (the demo's;
// NA is null): text, integer and float columns, some with nulls, and a
// bool column derived from one of them (yes/no of sch.wide).
func apiTable(t testing.TB) *frame.Table {
	t.Helper()
	spec := source.CSV{Null: []string{"NA"}, Columns: []source.Column{
		{Name: "stype", Type: table.String}, {Name: "flag", Type: table.String}, {Name: "awards", Type: table.String},
		{Name: "sname", Type: table.String}, {Name: "schwide", Header: "sch.wide", Type: table.String},
		{Name: "api00", Type: table.Int}, {Name: "api99", Type: table.Int}, {Name: "meals", Type: table.Int},
		{Name: "acs_k3", Header: "acs.k3", Type: table.Int}, {Name: "avg_ed", Header: "avg.ed", Type: table.Float},
		{Name: "growth", Type: table.Int},
	}}
	rec, err := source.ReadCSV(context.Background(), filepath.Join("..", "demo", "oakland", "api_2000_oakland.csv"), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	r := frame.FromRecord(rec)
	r.AddCol("wide", table.Bool)
	r.AddCol("ed_or_nan", table.Float) // avg_ed, NaN where null
	for i := range r.Len() {
		switch r.Str(i, "schwide") {
		case "Yes":
			r.Set(i, "wide", true)
		case "No":
			r.Set(i, "wide", false)
		}
		if i%5 == 0 {
			r.Set(i, "wide", nil)
		}
		if x, ok := r.Get(i, "avg_ed").(float64); ok {
			r.Set(i, "ed_or_nan", x)
		} else if i%2 == 0 {
			r.SetFloat(i, "ed_or_nan", nan())
		}
	}
	return r
}

func nan() float64 { z := 0.0; return z / z }

// ruleGen makes random rules over the columns of r, with literals taken
// from r's values (so that == sometimes holds) and a few others.
type ruleGen struct {
	rnd  *rand.Rand
	r    *frame.Table
	cols []string
}

func (g *ruleGen) literal(col string) string {
	t := g.r.Types()[col]
	if g.rnd.IntN(8) == 0 { // a literal of another type now and then
		t = table.Type(g.rnd.IntN(4))
	}
	i := g.rnd.IntN(g.r.Len())
	switch t {
	case table.String:
		if s := g.r.Str(i, col); s != "" && g.rnd.IntN(3) > 0 {
			return strconv.Quote(s)
		}
		return strconv.Quote([]string{"E", "H", "M", "Yes", "No", "", "zz"}[g.rnd.IntN(7)])
	case table.Int, table.Float:
		x, ok := frame.ToFloat(g.r.Get(i, col))
		if !ok || g.rnd.IntN(4) == 0 {
			x = float64(g.rnd.IntN(1000))
		}
		switch g.rnd.IntN(3) {
		case 0:
			return strconv.FormatFloat(x+0.5, 'f', -1, 64)
		case 1:
			return strconv.FormatFloat(x, 'f', 1, 64) // "600.0": a float literal
		}
		return strconv.Itoa(int(x))
	}
	return []string{"true", "false"}[g.rnd.IntN(2)]
}

func (g *ruleGen) atom() string {
	col := g.cols[g.rnd.IntN(len(g.cols))]
	if g.rnd.IntN(10) == 0 && g.r.Types()[col] == table.String {
		var items []string
		for range 1 + g.rnd.IntN(3) {
			items = append(items, g.literal(col))
		}
		return fmt.Sprintf("%s in [%s]", col, strings.Join(items, ", "))
	}
	op := []string{"==", "!=", "<", "<=", ">", ">="}[g.rnd.IntN(6)]
	if g.rnd.IntN(4) == 0 {
		return fmt.Sprintf("%s %s %s", g.literal(col), op, col)
	}
	return fmt.Sprintf("%s %s %s", col, op, g.literal(col))
}

func (g *ruleGen) rule(depth int) string {
	if depth == 0 || g.rnd.IntN(3) == 0 {
		return g.atom()
	}
	switch g.rnd.IntN(6) {
	case 0:
		return "!(" + g.rule(depth-1) + ")"
	case 1:
		return "not (" + g.rule(depth-1) + ")"
	}
	op := []string{"&&", "||", "and", "or"}[g.rnd.IntN(4)]
	return fmt.Sprintf("(%s) %s %s", g.rule(depth-1), op, g.rule(depth-1))
}

// TestOverAsMatch: on every record of the real table, a rule decided on
// typed columns (Rule.Over, through frame.Table.Matcher) gives Match's
// answer: the same bool, ErrMissing on the same records; 3,000 random
// rules of comparisons, lists, &&, ||, ! and not, with nulls, NaNs,
// literals of the column's type and of others, plus the rules of the
// repository's pipeline files.
func TestOverAsMatch(t *testing.T) {
	r := apiTable(t)
	g := &ruleGen{rnd: rand.New(rand.NewPCG(1, 2)), r: r}
	for _, c := range r.Cols() {
		if c != "schwide" && c != "sname" {
			g.cols = append(g.cols, c)
		}
	}
	rules := []string{
		`kind == "volunteer" && score >= 90`, `stype == "E" && api00 < 600`, `api00 < 600`, `600 > api00`,
		`meals >= 50 || growth > 30`, `!(stype in ["E", "M"])`, `wide == true`, `wide != false`, `acs_k3 <= 20`,
		`ed_or_nan < 3`, `ed_or_nan != 2.5`, `ed_or_nan >= 2.25`, `avg_ed > 2`, `api00 == 594.0`, `api00 > 593.5`,
		`stype < "H"`, `flag == "x" || api00 > 700`, `true`, `nope == 5`, `api00 < api99`,
	}
	for range 3000 {
		rules = append(rules, g.rule(3))
	}
	fast := 0
	for _, src := range rules {
		rule, err := segment.Compile(src, append(r.Cols(), "kind", "score", "nope"))
		if err != nil {
			continue // a rule expr-lang refuses (true < wide): no record to compare
		}
		if rule.Over(r.Column) == nil {
			continue
		}
		fast++
		m := r.Matcher(rule, map[string]any{})
		env := map[string]any{}
		for i := range r.Len() {
			got, gerr := m(i)
			want, werr := r.Match(rule, i, env)
			if werr != nil && !errors.Is(werr, segment.ErrMissing) {
				t.Fatalf("rule %s, record %d: Match fails (%v) where Over decides %v, %v", src, i, werr, got, gerr)
			}
			if got != want || errors.Is(gerr, segment.ErrMissing) != errors.Is(werr, segment.ErrMissing) || (gerr == nil) != (werr == nil) {
				t.Fatalf("rule %s, record %d (%v): Over gives %v, %v; Match %v, %v", src, i, r.Row(i), got, gerr, want, werr)
			}
		}
	}
	if fast < 2000 {
		t.Errorf("only %d of %d rules were decided by Over: the test covers too little", fast, len(rules))
	}
	t.Logf("%d of %d rules decided on typed columns", fast, len(rules))
}
