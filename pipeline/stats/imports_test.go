package stats

import (
	"go/build"
	"testing"
)

// TestImports keeps pipeline/stats a leaf: the standard library's maths and
// gonum only (house style: gonum is owned by this package).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"errors": true, "fmt": true, "math": true, "math/bits": true, "sort": true, "strconv": true, "strings": true,
		"gonum.org/v1/gonum/stat": true,
	}
	for _, imp := range pkg.Imports {
		if !allowed[imp] {
			t.Errorf("stats imports %s, not in its allow table", imp)
		}
	}
}
