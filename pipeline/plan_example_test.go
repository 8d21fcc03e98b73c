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
	n := 0
	for _, s := range stages {
		verb := "reuse"
		if s.Run {
			verb = "run  "
			n++
		}
		fmt.Printf("%s  %-41s  %s\n", verb, s.Name, s.Why)
	}
	fmt.Printf("%d of %d stage(s) would run.\n", n, len(stages))
	// Output:
	// reuse  source:acs                                 cached: inputs unchanged
	// reuse  source:api2000                             cached: inputs unchanged
	// reuse  source:directory                           cached: inputs unchanged
	// reuse  source:terrain_lookup                      cached: inputs unchanged
	// reuse  boundary:neighborhood                      cached: inputs unchanged
	// reuse  boundary:tract                             cached: inputs unchanged
	// reuse  area:terrain                               cached: inputs unchanged
	// reuse  tracts                                     cached: inputs unchanged
	// reuse  places:schools                             cached: inputs unchanged
	// reuse  summary:schools                            cached: inputs unchanged
	// reuse  summary:income                             cached: inputs unchanged
	// run    segment:flatland_elementary_api_under_600  its configuration changed
	// reuse  segment:highest_need_tracts                cached: inputs unchanged
	// reuse  outreach                                   cached: inputs unchanged
	// run    report                                     its configuration changed; upstream segment:flatland_elementary_api_under_600 changed
	// 2 of 15 stage(s) would run.
}
