package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// writeDemo copies the embedded Oakland demo into a new temporary folder.
func writeDemo() (string, error) {
	dir, err := os.MkdirTemp("", "groundwork-example-*")
	if err != nil {
		return "", err
	}
	ents, _ := oakland.Files.ReadDir(".")
	for _, e := range ents {
		b, _ := oakland.Files.ReadFile(e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Plan says which stages the next run would run and why; after a run, an
// edit to one segment's rule reruns only that segment and the report.
func ExamplePlan() {
	dir, err := writeDemo()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	opts := pipeline.Options{OutDir: filepath.Join(dir, "out")}
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := pipeline.Run(ctx, cfg, opts); err != nil {
		fmt.Println(err)
		return
	}
	cfg.Segments[0].Where = `terrain == "flatlands" && api00 < 500`
	stages, err := pipeline.Plan(ctx, cfg, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	run := 0
	for _, s := range stages {
		if s.Run {
			run++
			fmt.Printf("%s: %s\n", s.Name, s.Why)
		}
	}
	fmt.Printf("%d of %d stages would run; the others reuse their cached results\n", run, len(stages))
	// Output:
	// segment:flatland_elementary_api_under_600: its configuration changed
	// report: its configuration changed; upstream segment:flatland_elementary_api_under_600 changed
	// 2 of 16 stages would run; the others reuse their cached results
}
