package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/groundwork-org/groundwork/pipeline"
)

// writePlan prints a plan as a table: one line per stage with what happens
// and why.
func writePlan(w io.Writer, stages []pipeline.StagePlan) error {
	width := 0
	for _, s := range stages {
		width = max(width, len(s.Name))
	}
	n := 0
	for _, s := range stages {
		verb := "reuse"
		if s.Run {
			verb = "run  "
			n++
		}
		if _, err := fmt.Fprintf(w, "%s  %-*s  %s\n", verb, width, s.Name, s.Why); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d of %d stage(s) would run.\n", n, len(stages))
	return err
}

// writeSummary prints the run summary: one line per stage with its status,
// rows in and out, warnings, wall time and peak memory, then the totals.
func writeSummary(w io.Writer, res *pipeline.Result) error {
	width := len("stage")
	for _, s := range res.Stages {
		width = max(width, len(s.Name))
	}
	if _, err := fmt.Fprintf(w, "%-*s  %-8s  %10s  %10s  %8s  %9s  %8s\n", width, "stage", "status", "rows in", "rows out", "warnings", "wall", "peak MiB"); err != nil {
		return err
	}
	for _, s := range res.Stages {
		if _, err := fmt.Fprintf(w, "%-*s  %-8s  %10d  %10d  %8d  %9s  %8d\n", width, s.Name, s.Status, s.RowsIn, s.RowsOut, s.Warnings, s.Wall.Round(time.Millisecond), s.PeakBytes>>20); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d of %d stage(s) ran, %d warning(s), %s, peak %d MiB\n", res.Ran(), len(res.Stages), len(res.Warnings), res.Wall.Round(time.Millisecond), res.PeakBytes>>20)
	return err
}
