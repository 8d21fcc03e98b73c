package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/groundwork-org/groundwork/pipeline"
)

// runFlags are the runner's flags, shared by run and plan: which stages to
// force, the cache, partitioned outputs, and the log format.
type runFlags struct {
	force       stageList
	noCache     bool
	cacheDir    string
	partitioned bool
	engine      string
	sparkMaster string
	logFormat   string
	summary     bool
	debug       bool
}

// stageList collects a repeatable flag; commas also separate values.
type stageList []string

func (s *stageList) String() string { return strings.Join(*s, ",") }

func (s *stageList) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*s = append(*s, x)
		}
	}
	return nil
}

// addRunFlags declares the runner's flags on fs (for run and plan).
func addRunFlags(fs *flag.FlagSet, forRun bool) *runFlags {
	f := &runFlags{}
	fs.Var(&f.force, "force", "run `STAGE` even if its results are cached: a stage name as plan prints it, a kind (sources, boundaries, areas, tracts, places, summaries, segments, partitions, report) or all; repeatable")
	fs.StringVar(&f.cacheDir, "cache", "", "stage cache `folder` (default: "+pipeline.CacheDirName+" beside the output folder)")
	fs.BoolVar(&f.partitioned, "partitioned", false, "also write tracts and places as Hive-style partitioned GeoParquet under partitioned/ (state=SS/county=CCC)")
	fs.StringVar(&f.engine, "engine", "", "`engine` that places points: native or sedona (a Spark job with Apache Sedona; set up with scripts/setup-python.sh); default: the pipeline file's engine, else native")
	if forRun {
		fs.StringVar(&f.sparkMaster, "spark-master", "", "Spark master `URL` of the sedona engine (default local[*]; spark://host:7077, yarn, k8s://https://host:443)")
	}
	if forRun {
		fs.BoolVar(&f.noCache, "no-cache", false, "run every stage and leave the cache as it is")
		fs.StringVar(&f.logFormat, "log-format", "text", "log `format`: text or json (log/slog)")
		fs.BoolVar(&f.debug, "debug", false, "log at debug level too (a crashed stage's stack, to attach to a bug report)")
		fs.BoolVar(&f.summary, "summary", true, "print the per-stage run summary (rows, warnings, time, memory) at the end")
	}
	return f
}

// apply sets the runner options the flags control.
func (f *runFlags) apply(o *pipeline.Options) {
	o.Force = f.force
	o.NoCache = f.noCache
	o.CacheDir = f.cacheDir
	o.Partitioned = f.partitioned
	o.Engine = f.engine
	o.SparkMaster = f.sparkMaster
}

// logger returns the run's logger on w: text (without timestamps) or JSON.
func (f *runFlags) logger(w io.Writer, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "", "text":
		opts.ReplaceAttr = dropTime
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", f.logFormat)
}

// logEvery is the interval of the "running" log record when no bars are
// drawn.
const logEvery = 10 * time.Second

// progress sets how the run shows its progress on stderr and returns where
// its log (and the Census client's progress lines) should go. On a terminal,
// with text logs and without --quiet, live bars are drawn (Run calls
// bars.Update) and log lines print above them; bars is then not nil and
// must be cleared once Run returns. Otherwise there are no bars and the log
// gets a "running" record every logEvery with each stage's rows done, rate
// and ETA.
func (f *runFlags) progress(stderr io.Writer, quiet bool, o *pipeline.Options) (logTo io.Writer, bars *progressBars) {
	if t, ok := stderr.(*os.File); ok && !quiet && (f.logFormat == "" || f.logFormat == "text") && term.IsTerminal(int(t.Fd())) {
		bars = newBars(t, func() int {
			w, _, err := term.GetSize(int(t.Fd()))
			if err != nil {
				return 0
			}
			return w
		})
		o.OnProgress = bars.Update
		return bars, bars
	}
	o.ProgressEvery = logEvery
	return stderr, nil
}

// printSummary writes the per-stage run summary to w.
func (f *runFlags) printSummary(w io.Writer, res *pipeline.Result) {
	if f.summary {
		writeSummary(w, res)
	}
}

const planUsage = `Usage: groundwork plan [PIPELINE] [--out DIR] [--force STAGE]...

Prints the stages of a pipeline in run order and, for each, whether the next
groundwork run would run it or reuse its cached results, and why: which input
file, configuration or upstream stage changed since the last run into DIR.
Nothing is run or written. Without PIPELINE it plans the embedded Oakland demo.

Stages are named by kind and item: source:NAME, boundary:NAME, area:NAME,
tracts, places:NAME, summary:NAME, segment:NAME, partitions:..., report.

Examples:
  groundwork plan my-city/pipeline.yaml --out my-city/out
  groundwork plan my-city/pipeline.yaml --out my-city/out --force summary:income

Flags:
`

// planCmd is `groundwork plan`.
func planCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("plan", flag.ContinueOnError)
	fl.SetOutput(helpOutput(args, stdout, stderr))
	out := fl.String("out", DefaultOut, "output `folder` the run would write")
	rf := addRunFlags(fl, false)
	fl.Usage = func() { fmt.Fprint(fl.Output(), planUsage); fl.PrintDefaults() }
	if err := parseInterspersed(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fl.NArg() > 1 {
		fmt.Fprintf(stderr, "groundwork plan: want at most one pipeline file, got %d arguments\n", fl.NArg())
		return ExitUsage
	}
	cfg, cleanup, code, err := loadPipeline(fl.Arg(0))
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "groundwork plan: %v\n", err)
		return code
	}
	opts := pipeline.Options{OutDir: *out}
	rf.apply(&opts)
	stages, err := pipeline.Plan(ctx, cfg, opts)
	if err != nil {
		fmt.Fprintf(stderr, "groundwork plan: %v\n", err)
		if errors.Is(err, pipeline.ErrUnknownStage) {
			return ExitUsage
		}
		return ExitFailure
	}
	if err := writePlan(stdout, stages); err != nil {
		fmt.Fprintf(stderr, "groundwork plan: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}
