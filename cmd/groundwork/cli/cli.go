// Package cli is groundwork's command line: subcommands, flags, help, and
// the mapping of errors to exit codes.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/scaffold"
)

// Exit codes. This table is the only place they are defined.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the run failed: bad data, I/O, a stage error
	ExitUsage    = 2 // bad command line
	ExitConfig   = 3 // the pipeline file is invalid
	ExitCanceled = 130
)

// DefaultOut is where `groundwork run` writes when --out is not given.
const DefaultOut = "groundwork-out"

const usage = `groundwork turns public census data and a community's own datasets into
maps, disparity findings and target lists that organizers act on.

Usage:
  groundwork run [PIPELINE] [--out DIR]   run a pipeline file (default: the embedded Oakland demo)
  groundwork init DIR                     write the Oakland demo pipeline and its data to DIR, to edit
  groundwork init --state S [--county C] DIR   scaffold a pipeline for a new place
  groundwork vars search TEXT [flags]     search Census variable labels and concepts (offline, from the cache)
  groundwork plan [PIPELINE] [--out DIR]  show which stages the next run would run, and why
  groundwork job [PIPELINE] --out DIR     write the Sedona (Spark) job of the run, to submit yourself
  groundwork report --from DIR [PIPELINE] build the report and exports from a job that ran elsewhere
  groundwork bench join|job|all [flags]   measure the join and the whole job against DuckDB, SedonaDB, GeoPandas, PostGIS
  groundwork bench-scale [flags]          measure a national-size run on generated inputs
  groundwork help [COMMAND]               show help

Examples:
  groundwork run                          # the Oakland schools demo, into ./groundwork-out
  groundwork init my-city && groundwork run my-city/pipeline.yaml --out my-city/out

Exit codes: 0 ok, 1 run failed, 2 bad command line, 3 invalid pipeline file, 130 interrupted.
`

// Run executes the command line args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "groundwork: no command given: name one (groundwork run runs the Oakland demo)\n\n%s", usage)
		return ExitUsage
	}
	switch args[0] {
	case "run":
		setMemoryLimit(os.Getenv, "/proc/meminfo", "/sys/fs/cgroup/memory.max")
		defer startGCTuner(os.Getenv, gcHeadroomFloor, gcMinShare).Stop()
		return runCmd(ctx, args[1:], stdout, stderr)
	case "init":
		return initCmd(ctx, args[1:], stdout, stderr)
	case "vars":
		return varsCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCmd(ctx, args[1:], stdout, stderr)
	case "plan":
		return planCmd(ctx, args[1:], stdout, stderr)
	case "bench-scale":
		setMemoryLimit(os.Getenv, "/proc/meminfo", "/sys/fs/cgroup/memory.max")
		defer startGCTuner(os.Getenv, gcHeadroomFloor, gcMinShare).Stop()
		return benchScaleCmd(ctx, args[1:], stdout, stderr)
	case "job":
		return jobCmd(ctx, args[1:], stdout, stderr)
	case "report":
		return reportCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "groundwork: unknown command %q\n\n%s", args[0], usage)
	return ExitUsage
}

type runOptions struct {
	pipeline string
	out      string
	quiet    bool
	offline  bool
	refresh  bool
	cacheDir string
	apiURL   string
	filesURL string
	rf       *runFlags
}

const runUsage = `Usage: groundwork run [PIPELINE] [--out DIR] [--quiet]

Runs a pipeline file: reads its sources and boundaries, writes them to Parquet,
places points and tracts in the areas, computes the summaries and segments, and
writes report.html. Without PIPELINE it runs the embedded Oakland demo.

The output folder is replaced as a whole when the run succeeds and left as it
was when the run fails. groundwork refuses to replace a non-empty folder that it
did not write.

Census sources without a recorded response are pulled from the Census Data API
with the key in CENSUS_API_KEY (get one at https://api.census.gov/data/key_signup.html);
responses are cached, so a rerun works offline.

Examples:
  groundwork run
  groundwork run my-city/pipeline.yaml --out my-city/out
  CENSUS_API_KEY=... groundwork run my-city/pipeline.yaml
  groundwork run my-city/pipeline.yaml --offline
  groundwork run my-city/pipeline.yaml --refresh     # pull the Census tables again

Flags:
`

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	fs.StringVar(&o.out, "out", DefaultOut, "output `folder`")
	fs.BoolVar(&o.quiet, "quiet", false, "print only warnings and errors")
	fs.BoolVar(&o.offline, "offline", false, "serve Census pulls from the cache only; fail on a miss")
	fs.BoolVar(&o.refresh, "refresh", false, "pull every Census Data API answer again, replacing the cached one (after an answer that was cut short)")
	fs.StringVar(&o.cacheDir, "census-cache", "", "`folder` of cached Census responses and boundary files (default: the user cache folder)")
	fs.StringVar(&o.apiURL, "census-api", census.DefaultBaseURL, "base `URL` of the Census Data API (a mirror or a test server)")
	fs.StringVar(&o.filesURL, "census-files", census.DefaultBoundaryBaseURL, "base `URL` of the Census Bureau's boundary files (a mirror or a test server)")
	o.rf = addRunFlags(fs, true)
	fs.Usage = func() { fmt.Fprint(fs.Output(), runUsage); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.pipeline = fs.Arg(0)
	default:
		fmt.Fprintf(stderr, "groundwork run: want at most one pipeline file, got %d arguments\n", fs.NArg())
		return ExitUsage
	}
	if o.refresh && o.offline {
		fmt.Fprintln(stderr, "groundwork run: --refresh pulls from the Census Data API, --offline never does: give one of them")
		return ExitUsage
	}
	return doRun(ctx, o, stdout, stderr)
}

// helpOutput is where a command's flag set writes: stdout when the user
// asked for help (-h, -help, --help: the help is the answer), stderr
// otherwise (usage after a mistake is an error message).
func helpOutput(args []string, stdout, stderr io.Writer) io.Writer {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			return stdout
		}
	}
	return stderr
}

// parseInterspersed lets flags follow the positional argument
// (`groundwork run p.yaml --out x`).
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func doRun(ctx context.Context, o runOptions, stdout, stderr io.Writer) int {
	if o.pipeline == "" && !o.quiet {
		fmt.Fprintln(stdout, "No pipeline file given: running the embedded Oakland demo (groundwork init DIR writes it out to edit).")
	}
	cfg, cleanup, code, err := loadPipeline(o.pipeline)
	defer cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return code
	}
	level := slog.LevelInfo
	if o.quiet {
		level = slog.LevelWarn
	}
	if o.rf.debug {
		level = slog.LevelDebug
	}
	opts := pipeline.Options{OutDir: o.out}
	o.rf.apply(&opts)
	logTo, bars := o.rf.progress(stderr, o.quiet, &opts)
	if opts.Logger, err = o.rf.logger(logTo, level); err != nil {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitUsage
	}
	opts.Census = pipeline.CensusOptions{Client: census.Config{CacheDir: o.cacheDir, Offline: o.offline, Refresh: o.refresh, BaseURL: o.apiURL},
		Boundaries: census.FilesConfig{BaseURL: o.filesURL}}
	if !o.quiet {
		opts.Census.Client.Progress = logTo
	}
	res, err := pipeline.Run(ctx, cfg, opts)
	if bars != nil {
		bars.Clear()
	}
	if errors.Is(err, pipeline.ErrUnknownStage) {
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitUsage
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "groundwork: interrupted; %s was left as it was\n", o.out)
			return ExitCanceled
		}
		fmt.Fprintf(stderr, "groundwork: %v\n", err)
		return ExitFailure
	}
	if !o.quiet {
		fmt.Fprintf(stdout, "Wrote %d files to %s", len(res.Files), res.OutDir)
		if res.Report != "" {
			fmt.Fprintf(stdout, "; open %s", res.Report)
		}
		fmt.Fprintln(stdout)
		if len(res.Warnings) > 0 {
			fmt.Fprintf(stdout, "%d warning(s); they are listed in the report under Run notes.\n", len(res.Warnings))
		}
		o.rf.printSummary(stdout, res)
	}
	return ExitOK
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

const initUsage = `Usage: groundwork init DIR
       groundwork init --state STATE [--county COUNTY] [--year YEAR] DIR

Without --state, writes the Oakland demo pipeline (pipeline.yaml) and its data
files to DIR, ready to edit and run.

With --state (a name, postal code or FIPS code) and optionally --county (one
county: a name or three-digit FIPS code), writes a pipeline for that place's tracts with the
standard ACS indicators, a need index and a segment of the highest-need tracts.
County names are looked up through the Census Data API (CENSUS_API_KEY) and
cached; FIPS codes work offline. DIR must not already hold a pipeline.yaml.

Examples:
  groundwork init my-city
  groundwork init --state 06 --county 001 alameda
  groundwork init --state 13 --county 121 --year 2018 atl
  groundwork init --state California --county Alameda alameda

Flags:
`

func initCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	state := fs.String("state", "", "`state` name, postal code or FIPS code")
	county := fs.String("county", "", "one `county`: its name or three-digit FIPS code (with --state); init takes one county")
	year := fs.Int("year", scaffold.DefaultYear, "ACS 5-year `vintage` (with --state)")
	cacheDir := fs.String("census-cache", "", "`folder` of cached Census responses (default: the user cache folder)")
	apiURL := fs.String("census-api", census.DefaultBaseURL, "base `URL` of the Census Data API (a mirror or a test server)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), initUsage); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return ExitUsage
	}
	dir := fs.Arg(0)
	if *state == "" {
		if *county != "" {
			fmt.Fprintln(stderr, "groundwork init: --county needs --state")
			return ExitUsage
		}
		return initDemo(dir, stdout, stderr)
	}
	st, err := scaffold.ResolveState(*state)
	if err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitUsage
	}
	opts := scaffold.Options{State: st, Year: *year}
	if *county != "" {
		var list scaffold.CountyLister
		if key, err := census.ResolveKey("", os.Getenv); err == nil {
			cache := *cacheDir
			if cache == "" {
				if d, err := census.DefaultCacheDir(); err == nil {
					cache = d
				}
			}
			list = scaffold.CensusCounties(census.NewClient(census.Config{Key: key, CacheDir: cache, BaseURL: *apiURL}), *year)
		}
		c, err := scaffold.ResolveCounty(ctx, st, *county, list)
		if err != nil {
			fmt.Fprintf(stderr, "groundwork init: %v\n", err)
			return ExitFailure
		}
		opts.County = &c
	}
	b, err := scaffold.Pipeline(opts)
	if err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitFailure
	}
	p := filepath.Join(dir, "pipeline.yaml")
	if _, err := os.Stat(p); err == nil {
		fmt.Fprintf(stderr, "groundwork init: %s already exists; choose another folder (nothing was written)\n", p)
		return ExitFailure
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitFailure
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "Wrote %s. Set CENSUS_API_KEY, then: groundwork run %s --out %s (the first run downloads the ACS table and the tract boundaries into the cache)\n", p, p, filepath.Join(dir, "out"))
	return ExitOK
}

func initDemo(dir string, stdout, stderr io.Writer) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitFailure
	}
	var clash []string
	ents, _ := oakland.Files.ReadDir(".")
	for _, e := range ents {
		if _, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			clash = append(clash, e.Name())
		}
	}
	if len(clash) > 0 {
		fmt.Fprintf(stderr, "groundwork init: %s already has %s; choose an empty folder (nothing was written)\n", dir, strings.Join(clash, ", "))
		return ExitFailure
	}
	if err := writeDemo(dir); err != nil {
		fmt.Fprintf(stderr, "groundwork init: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "Wrote the Oakland pipeline to %s. Edit %s, then run:\n  groundwork run %s --out %s\n",
		dir, filepath.Join(dir, oakland.Pipeline), filepath.Join(dir, oakland.Pipeline), filepath.Join(dir, "out"))
	return ExitOK
}

// writeDemo copies the embedded demo files into dir.
func writeDemo(dir string) error {
	ents, err := oakland.Files.ReadDir(".")
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, err := oakland.Files.ReadFile(e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// loadPipeline loads and validates the pipeline file at path or, when path
// is empty, the embedded Oakland demo written to a temporary folder, which
// cleanup removes (cleanup is never nil). On failure it returns the exit
// code: ExitConfig for an invalid file, ExitFailure when it cannot be read.
func loadPipeline(path string) (cfg *config.Config, cleanup func(), code int, err error) {
	cleanup = func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "groundwork-demo-*")
		if err != nil {
			return nil, cleanup, ExitFailure, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		if err := writeDemo(dir); err != nil {
			return nil, cleanup, ExitFailure, err
		}
		path = filepath.Join(dir, oakland.Pipeline)
	}
	cfg, err = config.Load(path)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) {
			return nil, cleanup, ExitConfig, err
		}
		return nil, cleanup, ExitFailure, err
	}
	return cfg, cleanup, ExitOK, nil
}
