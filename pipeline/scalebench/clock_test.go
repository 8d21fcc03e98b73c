package scalebench

import (
	"context"
	"io"
	"log/slog"
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
