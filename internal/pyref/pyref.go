// Package pyref runs the Python reference libraries (pysal segregation,
// inequality, mapclassify, tobler) from Go tests: a small script reads a
// JSON request on stdin and writes its results as JSON, so the Go code and
// the reference see the same inputs in the same test run.
//
// The interpreter is $GROUNDWORK_PYTHON or <repo>/.venv/bin/python (made by
// scripts/setup-python.sh from /requirements.txt). Without it the calling
// test is skipped with a message saying how to set it up, unless CI=true,
// where it fails: the reference checks must run in CI.
package pyref

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Python returns the path of the reference interpreter, or skips (fails
// under CI=true) the test when there is none.
func Python(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GROUNDWORK_PYTHON"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("pyref: no go.mod above the test's directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, ".venv", "bin", "python")
	if _, err := os.Stat(p); err != nil {
		msg := "pyref: no " + p + " (run scripts/setup-python.sh, or set GROUNDWORK_PYTHON): the reference-library checks did not run"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Run runs the Python script at path with req as JSON on stdin and decodes
// its stdout into resp. A failing script fails the test with its stderr.
func Run(t testing.TB, script string, req, resp any) {
	t.Helper()
	py := Python(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pyref: %s %s: %v\n%s", py, script, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("pyref: %s: output is not the expected JSON: %v\n%s", script, err, stdout.String())
	}
}
