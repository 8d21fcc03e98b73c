package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

const jobUsage = `Usage: groundwork job [--engine sedona] [PIPELINE] --out DIR

Writes the Spark jobs of a pipeline's places sets into DIR/NAME (one folder
per places set: job.py, job.json and the inputs), without running them, for
a cluster you submit to yourself (Databricks, EMR, Dataproc; see
docs/scale.md). The pipeline's other stages run natively to find the points,
into a temporary folder that is removed. After the jobs ran, copy each
out/ folder back into DIR/NAME and build the report with
groundwork report --from DIR.

Flags:
`

func jobCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("job", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	out := fs.String("out", "", "`folder` for the job folders (required)")
	engine := fs.String("engine", "sedona", "`engine` of the jobs (sedona)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), jobUsage); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if *out == "" || *engine != "sedona" || fs.NArg() > 1 {
		fmt.Fprintln(stderr, "groundwork job: want --out DIR, --engine sedona and at most one pipeline file")
		return ExitUsage
	}
	cfg, cleanup, code, err := loadPipeline(fs.Arg(0))
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return code
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitFailure
	}
	tmp, err := os.MkdirTemp("", "groundwork-job-*")
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitFailure
	}
	defer os.RemoveAll(tmp)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: dropTime}))
	_, err = pipeline.Run(ctx, cfg, pipeline.Options{OutDir: filepath.Join(tmp, "out"), Logger: log, NoCache: true,
		Engine: "sedona", JobsOut: dir})
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitFailure
	}
	names := slices.Sorted(maps.Keys(cfg.Places))
	if len(names) == 0 {
		fmt.Fprintln(stdout, "The pipeline has no places set: there is no job to write.")
		return ExitOK
	}
	fmt.Fprintf(stdout, "Wrote %d job folder(s) in %s. Submit each, e.g.:\n", len(names), dir)
	for _, n := range names {
		fmt.Fprintf(stdout, "  spark-submit --packages %s %s job.json\n", sedona.Packages(), filepath.Join(dir, n, "job.py"))
	}
	fmt.Fprintf(stdout, "(run from each folder, or add --base URI for inputs on cluster storage); then groundwork report --from %s\n", dir)
	return ExitOK
}

const reportUsage = `Usage: groundwork report --from DIR [PIPELINE] [--out OUT]

Builds the report and the exports of a pipeline from Spark jobs that ran
elsewhere: DIR holds the job folders groundwork job wrote, each with its out/
folder copied back. Every output is built as groundwork run --engine sedona
builds it.

Flags:
`

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	from := fs.String("from", "", "`folder` of finished job folders (required)")
	out := fs.String("out", DefaultOut, "output `folder`")
	fs.Usage = func() { fmt.Fprint(fs.Output(), reportUsage); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if *from == "" || fs.NArg() > 1 {
		fmt.Fprintln(stderr, "groundwork report: want --from DIR and at most one pipeline file")
		return ExitUsage
	}
	cfg, cleanup, code, err := loadPipeline(fs.Arg(0))
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return code
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: dropTime}))
	res, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: *out, Logger: log, NoCache: true, Engine: "sedona", JobsFrom: *from})
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "Wrote %d files to %s", len(res.Files), res.OutDir)
	if res.Report != "" {
		fmt.Fprintf(stdout, "; open %s", res.Report)
	}
	fmt.Fprintln(stdout)
	return ExitOK
}
