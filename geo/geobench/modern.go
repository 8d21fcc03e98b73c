package geobench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// The DuckDB spatial and SedonaDB peers are Python scripts run with the
// interpreter of the repository's .venv (requirements.txt pins duckdb,
// duckdb-extension-spatial and sedonadb).
var (
	//go:embed modern_duckdb.py
	duckdbScript string
	//go:embed modern_sedonadb.py
	sedonadbScript string
)

// runModern runs one of the scripts above on every point of in and reads
// back its per-point answers.
func runModern(ctx context.Context, python, name, script string, in *peerInput) (Result, []int32, error) {
	if _, err := os.Stat(python); err != nil {
		return Result{}, nil, fmt.Errorf("%s %w (run scripts/setup-python.sh and pass the .venv's python)", python, errNotInstalled)
	}
	out := filepath.Join(in.dir, "modern.i32")
	cmd := exec.CommandContext(ctx, python, "-c", script, in.polyCSV, in.pointsBin, strconv.Itoa(len(in.pts)), out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return Result{}, nil, fmt.Errorf("%s: %w: %s", name, err, lastLine(stderr.String()))
	}
	var rep struct {
		PointsSeconds float64 `json:"points_seconds"`
		Seconds       float64 `json:"seconds"`
		CPUSeconds    float64 `json:"cpu_seconds"`
		PeakRSSKiB    float64 `json:"peak_rss_kib"`
		Threads       int     `json:"threads"`
		SpatialJoin   *bool   `json:"spatial_join"`
		Version       string  `json:"version"`
	}
	if err := json.Unmarshal(stdout, &rep); err != nil {
		return Result{}, nil, fmt.Errorf("%s output %q: %w", name, stdout, err)
	}
	got, err := readInt32s(out, len(in.pts))
	if err != nil {
		return Result{}, nil, err
	}
	note := fmt.Sprintf("join only; making the point geometries took %.2f s more", rep.PointsSeconds)
	if rep.Threads > 0 {
		note += fmt.Sprintf("; %d threads", rep.Threads)
	}
	if rep.SpatialJoin != nil {
		if *rep.SpatialJoin {
			note += "; plan: SPATIAL_JOIN (R-tree)"
		} else {
			note += "; plan: no SPATIAL_JOIN operator"
		}
	}
	return Result{Engine: name, Version: rep.Version, Points: len(in.pts), Seconds: rep.Seconds, CPUSeconds: rep.CPUSeconds, PeakRSSMiB: rep.PeakRSSKiB / 1024, Note: note}, got, nil
}

// cpuSeconds is this process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
