package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// beside lists the entries beside the output folder out other than out
// itself, the version folder it links to and the stage cache, and, when
// previous is set, one committed earlier version (a version folder without
// a lock, kept until the next run begins). A failed or finished run must
// leave nothing else.
func beside(t *testing.T, out string, previous bool) []string {
	t.Helper()
	target, _ := os.Readlink(out)
	ents, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	kept := false
	for _, e := range ents {
		n := e.Name()
		switch {
		case n == filepath.Base(out) || n == target || n == CacheDirName:
		case previous && !kept && e.IsDir() && strings.HasPrefix(n, "."+filepath.Base(out)+".v-"):
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), n+".lock")); err != nil {
				kept = true
				continue
			}
			left = append(left, n)
		default:
			left = append(left, n)
		}
	}
	return left
}

// TestOutputIsALink checks the layout of package outdir in a real run: the
// output path is a symbolic link to a version folder beside it, a second
// run switches it to a new version and keeps the previous one, and a third
// run removes the first.
func TestOutputIsALink(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	var targets []string
	for i := 0; i < 3; i++ {
		if _, err := runDemo(t, dir, out); err != nil {
			t.Fatal(err)
		}
		target, err := os.Readlink(out)
		if err != nil {
			t.Fatalf("run %d: the output is not a link: %v", i+1, err)
		}
		if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
			t.Fatal(err)
		}
		if left := beside(t, out, i > 0); len(left) > 0 {
			t.Errorf("run %d left %v beside the output", i+1, left)
		}
		targets = append(targets, target)
	}
	if targets[0] == targets[1] || targets[1] == targets[2] {
		t.Errorf("runs reused a version folder: %v", targets)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(out), targets[0])); !os.IsNotExist(err) {
		t.Errorf("the first version %s is still there after the third run", targets[0])
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(out), targets[1])); err != nil {
		t.Errorf("the previous version %s was removed too early: %v", targets[1], err)
	}
}
