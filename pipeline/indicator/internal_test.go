package indicator

import (
	"fmt"
	"go/build"
	"math"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
)

func TestCensusVarPattern(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"B25003_003E", true}, {"B01001A_001E", true}, {"C17002_002E", true},
		{"S1701_C01_001E", true}, {"DP02_0001E", true}, {"DP05_0071PE", true},
		{"B25003_003M", false}, {"totraceE", false}, {"members", false}, {"AGE", false},
	}
	for _, tt := range tests {
		if got := censusVar.MatchString(tt.name); got != tt.want {
			t.Errorf("censusVar(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestImports keeps the package inside the house import rules: pipeline/*
// packages do not import pipeline, and only pipeline/census touches the
// network.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"errors": true, "fmt": true, "math": true, "regexp": true, "sort": true, "strconv": true, "strings": true,
		"github.com/apache/arrow-go/v18/arrow":                  true,
		"github.com/expr-lang/expr":                             true,
		"github.com/expr-lang/expr/ast":                         true,
		"github.com/expr-lang/expr/parser":                      true,
		"github.com/expr-lang/expr/vm":                          true,
		"github.com/groundwork-org/groundwork/pipeline/stats":   true,
		"github.com/groundwork-org/groundwork/pipeline/suggest": true,
		"github.com/groundwork-org/groundwork/pipeline/table":   true,
	}
	for _, imp := range pkg.Imports {
		if !allowed[imp] || strings.HasPrefix(imp, "net") {
			t.Errorf("indicator imports %s, not in its allow table", imp)
		}
	}
}

// runExpr evaluates the estimate of the indicator for one row of values with
// expr's own virtual machine, without MOEs. The differential tests compare
// Evaluate against it.
func (ind *Indicator) runExpr(vals map[string]float64) (float64, error) {
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
