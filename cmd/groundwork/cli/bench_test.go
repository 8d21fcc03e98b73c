package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchJoinSmall runs the benchmark command on few points over the real
// tracts in ../shared/data (beside the repository, as on the developers'
// machines and in CI), without peers.
func TestBenchJoinSmall(t *testing.T) {
	data := filepath.Join("..", "..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "census", "cb_2018_39_tract_500k.zip")); err != nil {
		t.Skipf("shared data not beside the repository: %v", err)
	}
	code, out, e := run(t, "bench", "join", "--data", data, "--points", "5000")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, e)
	}
	for _, want := range []string{"groundwork LocateAll, 1 worker(s)", "points/s", "5000"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := run(t, "bench"); code != ExitUsage {
		t.Errorf("bench without join: exit %d", code)
	}
}
