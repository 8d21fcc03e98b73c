package scalebench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/groundwork-org/groundwork/geo"
)

// dataDir is the folder of the real tract zips: the repository's copies of
// shared/data/census (see geo/testdata/PROVENANCE.md), so the test runs in
// any clone or worktree.
const dataDir = "../../geo/testdata"

// TestGenerateDeterministic generates a small benchmark twice: the files
// must be byte-identical, the tracts unique and as many as asked, with
// copies beyond the 4,914 real ones given new state codes.
func TestGenerateDeterministic(t *testing.T) {
	if _, err := os.Stat(filepath.Join(dataDir, Sources[0])); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("real tract zips not available: %v", err)
	}
	spec := Spec{Tracts: 5000, Points: 300, Variables: 3, Seed: 7}
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if _, err := Generate(ctx, dataDir, d, spec); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"pipeline.yaml", "tracts.parquet", "acs.json", "points.csv", "regions.csv"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two generations with the same spec", f)
		}
	}
	l, err := geo.Read(ctx, "tract", filepath.Join(a, "tracts.parquet"), "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Features) != spec.Tracts {
		t.Errorf("%d tracts, want %d", len(l.Features), spec.Tracts)
	}
	states := map[string]int{}
	for _, f := range l.Features {
		states[f.ID[:2]]++
	}
	// 2,948 Ohio + 1,966 Georgia = 4,914 real tracts in copy 0 (states 01
	// and 02); the remaining 86 are the first Ohio tracts of copy 1 (03).
	want := map[string]int{"01": 2948, "02": 1966, "03": 86}
	if len(states) != len(want) || states["01"] != want["01"] || states["02"] != want["02"] || states["03"] != want["03"] {
		t.Errorf("tracts per generated state code: %v, want %v", states, want)
	}
}

func TestGenerateRejectsBadSpec(t *testing.T) {
	for _, c := range []struct {
		name string
		spec Spec
	}{
		{"no variables", Spec{Tracts: 10, Points: 10, Variables: 0}},
		{"too many variables", Spec{Tracts: 10, Points: 10, Variables: 31}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Generate(context.Background(), dataDir, t.TempDir(), c.spec); err == nil {
				t.Error("accepted")
			}
		})
	}
}
