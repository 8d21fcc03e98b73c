package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchScaleSmall generates a small benchmark (real Ohio and Georgia
// tract geometry, generated values) and runs it cold, warm and
// incrementally; it checks which stages each run ran, not how long they took.
func TestBenchScaleSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs a benchmark pipeline")
	}
	data := filepath.Join("..", "..", "..", "..", "shared", "data", "census")
	if _, err := os.Stat(filepath.Join(data, "cb_2018_13_tract_500k.zip")); err != nil {
		t.Skipf("shared data not beside the repository: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "bench")
	ctx := context.Background()
	var so, se bytes.Buffer
	if code := benchScaleCmd(ctx, []string{"generate", dir, "--data", data, "--tracts", "6000", "--points", "20000", "--variables", "5"}, &so, &se); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, se.String())
	}
	so.Reset()
	if code := benchScaleCmd(ctx, []string{"run", dir}, &so, &se); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, se.String())
	}
	out := so.String()
	for _, want := range []string{
		"13 of 13 stage(s) ran", // cold
		"0 of 13 stage(s) ran",  // warm
		"2 of 13 stage(s) ran",  // incremental: the segment and the report
		"segment:top_volunteers",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	t.Log(out)
}
