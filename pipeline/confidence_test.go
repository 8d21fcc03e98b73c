package pipeline

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestCensusSourceConfidence runs the demo twice, the second time with
// `confidence: 95` on its census source: the source's MOE columns are the
// first run's times 1.960/1.645, the indicators (still asked at 90%) are
// not converted twice, and the report's sources section says so.
func TestCensusSourceConfidence(t *testing.T) {
	floats := func(out, file, col string) ([]float64, []bool) {
		t.Helper()
		rec, err := store.ReadParquet(context.Background(), filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		v, ok, err := table.Floats(rec, col)
		if err != nil {
			t.Fatal(err)
		}
		return v, ok
	}
	dir := demoDir(t)
	out90 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out90); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	b95 := bytes.Replace(b, []byte("    year: 2018\n"), []byte("    year: 2018\n    confidence: 95\n"), 1)
	if bytes.Equal(b, b95) {
		t.Fatal("demo pipeline changed: no census year line")
	}
	os.WriteFile(p, b95, 0o644)
	out95 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out95); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, col string }{
		{filepath.Join("raw", "acs.parquet"), "B25064_001M"},
		{"tracts.parquet", "B25003_003M"},
	} {
		m90, ok90 := floats(out90, c.file, c.col)
		m95, _ := floats(out95, c.file, c.col)
		n := 0
		for i := range m90 {
			if !ok90[i] {
				continue
			}
			n++
			if want := m90[i] * 1.960 / 1.645; math.Abs(m95[i]-want) > 1e-9*math.Max(1, want) {
				t.Fatalf("%s %s row %d: 95%% MOE %v, want %v (90%% MOE %v × 1.960/1.645)", c.file, c.col, i, m95[i], want, m90[i])
			}
		}
		if n == 0 {
			t.Errorf("%s %s: no MOE compared", c.file, c.col)
		}
	}
	i90, ok := floats(out90, "tracts.parquet", "renter_share_moe")
	i95, _ := floats(out95, "tracts.parquet", "renter_share_moe")
	for i := range i90 {
		if ok[i] && math.Abs(i90[i]-i95[i]) > 1e-9 {
			t.Fatalf("renter_share_moe row %d: %v with the source at 95%%, %v at 90%%; indicators.confidence is 90 in both", i, i95[i], i90[i])
		}
	}
	rep, _ := os.ReadFile(filepath.Join(out95, "report.html"))
	if !strings.Contains(string(rep), "converted from the Census Bureau&#39;s 90% to 95% confidence") {
		t.Error("report's sources section does not say the MOEs were converted to 95%")
	}
	if _, err := config.Load(p); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, bytes.Replace(b, []byte("    year: 2018\n"), []byte("    year: 2018\n    confidence: 80\n"), 1), 0o644)
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "sources.acs.confidence") {
		t.Errorf("confidence 80: err = %v, want one naming sources.acs.confidence", err)
	}
}
