package scalebench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// TestClockWindow logs stage records through a Clock at known times: the
// window runs from the first start to the last finish among the stages
// asked for, and is not known when one of them did not finish.
func TestClockWindow(t *testing.T) {
	c := NewClock(slog.NewTextHandler(io.Discard, nil))
	log := slog.New(c)
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	at := func(sec float64, msg, stage string) {
		r := slog.NewRecord(t0.Add(time.Duration(sec*float64(time.Second))), slog.LevelInfo, msg, 0)
		r.AddAttrs(slog.String("stage", stage))
		if err := log.Handler().Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	at(0, "stage started", "boundary:tract")
	at(3, "stage finished", "boundary:tract")
	at(3, "stage started", "source:points")
	at(3, "stage started", "places:people")
	at(6.5, "stage finished", "source:points")
	at(7, "stage finished", "places:people")
	at(7, "stage started", "report")
	wall, cpu, ok := c.Window([]string{"source:points", "places:people"})
	if !ok || wall != 4*time.Second || cpu < 0 {
		t.Errorf("window: %v, %v CPU, %v; want 4s, CPU >= 0, true", wall, cpu, ok)
	}
	if _, _, ok := c.Window([]string{"places:people", "report"}); ok {
		t.Error("a window with an unfinished stage is known")
	}
	c.Reset()
	if _, _, ok := c.Window([]string{"source:points"}); ok {
		t.Error("a window is known after Reset")
	}
}

// TestPointsPass lists the per-point stages of the generated pipeline.
func TestPointsPass(t *testing.T) {
	cfg, err := config.Parse("pipeline.yaml", []byte(pipelineYAML(Spec{Variables: 3, Report: true})))
	if err != nil {
		t.Fatal(err)
	}
	got := PointsPass(cfg)
	want := []string{"source:points", "places:people", "summary:people", "segment:top_volunteers"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

// TestStageCPU profiles a goroutine labelled as a stage spinning until the
// process has used 300 ms of CPU: StageCPU finds CPU time under its name.
func TestStageCPU(t *testing.T) {
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		t.Skipf("a CPU profile is already running: %v", err)
	}
	start := processCPU()
	pprof.Do(context.Background(), pprof.Labels("stage", "places:people"), func(context.Context) {
		x := 0
		for processCPU()-start < 300*time.Millisecond {
			for i := range 100000 {
				x += i
			}
		}
		_ = x
	})
	pprof.StopCPUProfile()
	by, _, err := StageCPU(prof.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if by["places:people"] <= 0 || len(by) != 1 {
		t.Errorf("CPU by stage %v; want places:people's alone", by)
	}
	if _, _, err := StageCPU([]byte("not a profile")); err == nil {
		t.Error("no error for a file that is not a profile")
	}
}
