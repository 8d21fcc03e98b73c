package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline"
)

func TestPlanCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		args     []string
		runFirst bool
		code     int
		want     string // in stdout (or stderr when code != 0)
	}{
		{name: "before any run", args: []string{"--out", out}, code: ExitOK, want: "16 of 16 stage(s) would run."},
		{name: "after a run", args: []string{"--out", out}, runFirst: true, code: ExitOK, want: "0 of 16 stage(s) would run."},
		{name: "forced stage", args: []string{"--out", out, "--force", "summary:income"}, code: ExitOK, want: "run    summary:income"},
		{name: "forced kind", args: []string{"--out", out, "--force", "segments,report"}, code: ExitOK, want: "3 of 16 stage(s) would run."},
		{name: "unknown stage", args: []string{"--out", out, "--force", "segment:x"}, code: ExitUsage, want: "--force segment:x: no such stage"},
		{name: "missing file", args: []string{filepath.Join(out, "nope.yaml")}, code: ExitFailure, want: "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.runFirst {
				var so, se bytes.Buffer
				if code := Run(ctx, []string{"run", "--out", out, "--quiet"}, &so, &se); code != ExitOK {
					t.Fatalf("run: exit %d: %s", code, se.String())
				}
			}
			var so, se bytes.Buffer
			code := planCmd(ctx, c.args, &so, &se)
			if code != c.code {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, c.code, se.String())
			}
			got := so.String()
			if c.code != ExitOK {
				got = se.String()
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, got)
			}
		})
	}
}

func TestRunFlags(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	rf := addRunFlags(fs, true)
	if err := fs.Parse([]string{"--force", "tracts", "--force", "summary:a,summary:b", "--log-format", "json", "--no-cache", "--partitioned"}); err != nil {
		t.Fatal(err)
	}
	var o pipeline.Options
	rf.apply(&o)
	if strings.Join(o.Force, " ") != "tracts summary:a summary:b" || !o.NoCache || !o.Partitioned {
		t.Errorf("options: %+v", o)
	}
	var buf bytes.Buffer
	log, err := rf.logger(&buf, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("stage finished", "stage", "tracts", "rows_out", 361)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("--log-format json wrote %q: %v", buf.String(), err)
	}
	if rec["stage"] != "tracts" || rec["rows_out"] != 361.0 {
		t.Errorf("json log record: %v", rec)
	}
	// Not a terminal (a buffer, or /dev/null, which is a character device):
	// no bars, and the log gets the periodic running record.
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for _, w := range []io.Writer{&buf, null} {
		for _, format := range []string{"text", "json"} {
			rf.logFormat = format
			o := pipeline.Options{}
			logTo, bars := rf.progress(w, false, &o)
			if bars != nil || o.OnProgress != nil || logTo != w || o.ProgressEvery != logEvery {
				t.Errorf("progress(%T, %s): bars %v, OnProgress set %v, log to %T, ProgressEvery %v; want no bars and a running record every %v",
					w, format, bars, o.OnProgress != nil, logTo, o.ProgressEvery, logEvery)
			}
		}
	}
	rf.logFormat = "xml"
	if _, err := rf.logger(&buf, slog.LevelInfo); err == nil {
		t.Error("--log-format xml accepted")
	}
}
