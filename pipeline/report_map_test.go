package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// TestReportMapFallsBackToCounties runs the Oakland demo with
// report.map.max_tracts below the 360 Alameda County tracts it maps: the map
// then shows their one
// county (06001), dissolved, and says so.
func TestReportMapFallsBackToCounties(t *testing.T) {
	dir := demoDir(t)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Report.Map.MaxTracts = 50
	res, err := Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "out")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.Report)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		"This map shows 1 county, not the 360 tracts: more than 50 tracts are too many",
		`data-id="06001"`,
		"median of each county&#39;s tracts",
	} {
		if !strings.Contains(html, want) {
			i := strings.Index(html, "This map shows")
			t.Errorf("report lacks %q; has %.120q", want, html[max(i, 0):])
		}
	}
	if strings.Contains(html, `data-id="06001400100"`) {
		t.Error("report still draws tracts one by one")
	}

	cfg.Report.Map.MaxTracts = -1
	if probs := strings.Join(cfg.Validate(), "\n"); !strings.Contains(probs, "report.map.max_tracts") {
		t.Errorf("max_tracts -1: validation problems %q", probs)
	}
}
