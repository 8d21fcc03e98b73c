package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

const jobUsage = `Usage: groundwork job [--engine sedona] [PIPELINE] --out DIR

Writes the pipeline's Spark job into DIR (job.py, job.json and its inputs:
the points of every places set, the contacts, the listening survey and the
sign-ins, the boundaries and areas, and the records the summaries and
segments over places read), without running it, for a cluster you submit to
yourself (Databricks, EMR, Dataproc; see docs/scale.md). The pipeline's
other stages run natively to find the points, into a temporary folder that
is removed. After the job ran, copy its out/ folder back into DIR and build
the report with groundwork report --from DIR.

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
	if _, err := os.Stat(filepath.Join(dir, "job.json")); err != nil {
		fmt.Fprintln(stdout, "The pipeline has no places set and no contacts: there is no job to write.")
		return ExitOK
	}
	fmt.Fprintf(stdout, "Wrote the job in %s. Submit it, e.g. from that folder:\n", dir)
	fmt.Fprintf(stdout, "  spark-submit --packages %s job.py job.json\n", sedona.Packages())
	fmt.Fprintf(stdout, "(or add --base URI for inputs on cluster storage); then groundwork report --from %s\n", dir)
	return ExitOK
}

const reportUsage = `Usage: groundwork report --from DIR [PIPELINE] [--out OUT]

Builds the report and the exports of a pipeline from its Spark job that ran
elsewhere: DIR is the job folder groundwork job wrote, with its out/ folder
copied back. Every output is built as groundwork run --engine sedona
builds it.

Flags:
`

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	from := fs.String("from", "", "finished job `folder` (required)")
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
