package scalebench

import (
	"go/build"
	"testing"
)

// TestImports keeps scalebench below package pipeline (house style: no
// pipeline/* package imports pipeline; the runs are measured from cmd).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range append(pkg.Imports, pkg.TestImports...) {
		if imp == "github.com/groundwork-org/groundwork/pipeline" {
			t.Errorf("scalebench imports %s", imp)
		}
	}
}
