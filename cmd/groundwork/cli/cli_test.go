package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "no arguments", args: nil, wantCode: ExitUsage, wantStderr: "groundwork: no command given: name one (groundwork run runs the Oakland demo)"},
		{name: "help", args: []string{"help"}, wantCode: ExitOK, wantStdout: "groundwork run [PIPELINE]"},
		{name: "help run", args: []string{"help", "run"}, wantCode: ExitOK, wantStdout: "Examples:"},
		{name: "run --help", args: []string{"run", "--help"}, wantCode: ExitOK, wantStdout: "-out folder"},
		{name: "init --help", args: []string{"init", "--help"}, wantCode: ExitOK, wantStdout: "groundwork init DIR"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: ExitUsage, wantStderr: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"run", "--bogus"}, wantCode: ExitUsage, wantStderr: "flag provided but not defined"},
		{name: "two pipelines", args: []string{"run", "a.yaml", "b.yaml"}, wantCode: ExitUsage, wantStderr: "at most one pipeline file"},
		{name: "missing pipeline file", args: []string{"run", filepath.Join(dir, "nope.yaml")}, wantCode: ExitFailure, wantStderr: "nope.yaml: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(out, tt.wantStdout) {
				t.Errorf("stdout %q does not contain %q", out, tt.wantStdout)
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantStderr)
			}
		})
	}
}

// TestInitThenRun writes the demo out, runs it with flags after the
// argument, breaks the pipeline file and checks the config exit code, and
// checks that init refuses to overwrite.
func TestInitThenRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "city")
	if code, _, e := run(t, "init", dir); code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, e)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, e := run(t, "run", filepath.Join(dir, "pipeline.yaml"), "--out", out, "--quiet")
	if code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	if stdout != "" {
		t.Errorf("--quiet printed %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Error(err)
	}
	if code, _, e := run(t, "init", dir); code != ExitFailure || !strings.Contains(e, "already has") {
		t.Errorf("second init: exit %d, stderr %q; want a refusal", code, e)
	}
	p := filepath.Join(dir, "pipeline.yaml")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("rank: {by: enroll"), []byte("rank: {by: enrol"), 1), 0o644)
	code, _, e = run(t, "run", p, "--out", out)
	if code != ExitConfig || !strings.Contains(e, `segments[0].rank.by: no column "enrol" in schools; did you mean "enroll"?`) {
		t.Errorf("broken pipeline: exit %d, stderr %q", code, e)
	}
}

func TestRunRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	mine := filepath.Join(out, "thesis.docx")
	os.WriteFile(mine, []byte("precious"), 0o644)
	code, _, e := run(t, "run", "--out", out, "--quiet")
	if code != ExitFailure || !strings.Contains(e, "was not written by groundwork") {
		t.Errorf("exit %d, stderr %q; want a refusal", code, e)
	}
	if b, _ := os.ReadFile(mine); string(b) != "precious" {
		t.Error("the user's file was changed")
	}
}

func TestInitScaffold(t *testing.T) {
	t.Setenv("CENSUS_API_KEY", "")
	dir := filepath.Join(t.TempDir(), "alameda")
	code, out, e := run(t, "init", "--state", "CA", "--county", "1", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, e)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `in: "state:06 county:001"`) || !strings.Contains(string(b), "cb_2018_06_tract_500k.zip") || !strings.Contains(out, "pipeline.yaml") {
		t.Errorf("scaffold:\n%s\nstdout: %s", b, out)
	}
	if code, _, e := run(t, "init", "--state", "CA", dir); code != ExitFailure || !strings.Contains(e, "already exists") {
		t.Errorf("second scaffold: exit %d, %q", code, e)
	}
	if code, _, e := run(t, "init", "--state", "CA", "--county", "Alameda", t.TempDir()); code != ExitFailure || !strings.Contains(e, "set CENSUS_API_KEY") {
		t.Errorf("county name without key: exit %d, %q", code, e)
	}
	if code, _, e := run(t, "init", "--county", "001", t.TempDir()); code != ExitUsage || !strings.Contains(e, "--county needs --state") {
		t.Errorf("county without state: exit %d, %q", code, e)
	}
}
