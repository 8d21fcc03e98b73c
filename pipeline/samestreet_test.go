package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSameStreetFallback turns on the same-street-address match that
// SOURCES.md describes: of the 22 Oakland schools that are closed in the 2018
// directory, 21 share their street address with a school that has
// coordinates; with Cox and Lazear, absent from the directory, 3 of the 75
// stay unplaced. Each match is reported in located_by.
func TestSameStreetFallback(t *testing.T) {
	dir := demoDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	b, _ := os.ReadFile(p)
	s := strings.Replace(string(b), "      # same_street: Street", "      same_street: Street", 1)
	if s == string(b) {
		t.Fatal("the demo pipeline no longer has the commented same_street line")
	}
	os.WriteFile(p, []byte(s), 0o644)
	res, err := runDemo(t, dir, filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	st := res.state
	if got := st.unplaced["schools"].Total; got != 3 {
		t.Errorf("%d schools unplaced, want 3 (1 closed without a same-address match, Cox and Lazear): %v", got, st.unplaced["schools"])
	}
	matched := 0
	for how, n := range st.placedBy["schools"] {
		if strings.HasPrefix(how, "same street address as ") {
			matched += n
		}
	}
	if matched != 21 {
		t.Errorf("%d schools placed by same street address, want 21 (SOURCES.md); placed by: %v", matched, st.placedBy["schools"])
	}
}
