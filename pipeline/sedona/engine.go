package sedona

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
)

// Engine places point sets with a Spark job, for the runner's
// `--engine sedona`.
type Engine struct {
	Setup *Setup
	// Master is the Spark master URL; "" means local[*].
	Master string
	// Log receives the job's output; nil discards it.
	Log io.Writer
	// Usage, when not nil, receives the last job's usage.
	Usage *Usage
	// WriteTo, when set, makes Run write the job into WriteTo without
	// running it (`groundwork job`: the user submits it).
	WriteTo string
	// ReadFrom, when set, makes Run take the outputs of a job run
	// elsewhere from ReadFrom (written with WriteTo, its out/ copied
	// back) instead of running one (`groundwork report --from`).
	ReadFrom string
}

// CountyCoded reports whether every feature ID of l starts with five ASCII
// digits (the state and county FIPS codes of tracts and block groups), so
// that the job can partition points by county. Any grouping of the features
// by ID prefix gives the same placements (each point is paired with every
// group whose envelope holds it); the county one bounds each join.
func CountyCoded(l *geo.Layer) bool {
	if len(l.Features) == 0 {
		return false
	}
	for _, f := range l.Features {
		if len(f.ID) < 5 {
			return false
		}
		for _, c := range []byte(f.ID[:5]) {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// Located is a point set's placements read back from a job: for each
// point, its feature ID in every boundary and its value in every area (""
// for none), in the order of Names.
type Located struct {
	Names []string // boundary names, then area names
	At    map[orb.Point][]string
}

// Run runs job in a temporary folder under dir and returns the folder, from
// which the caller reads the outputs (ReadLocated, ReadSummary,
// ReadSegment), and a cleanup that removes it.
//
// With WriteTo it writes the job into WriteTo and returns "" without
// running it (`groundwork job`). With ReadFrom it returns ReadFrom, a job
// written and run elsewhere (`groundwork report --from`), after checking
// that it was written from the same inputs: job is written to a temporary
// folder and its job.json and every input file must equal ReadFrom's byte
// for byte (groundwork writes them deterministically).
func (e *Engine) Run(ctx context.Context, dir string, job *Job) (work string, cleanup func(), err error) {
	cleanup = func() {}
	if e.WriteTo != "" {
		return "", cleanup, Write(ctx, e.WriteTo, job)
	}
	tmp, err := os.MkdirTemp(dir, ".sedona-job-")
	if err != nil {
		return "", cleanup, fmt.Errorf("sedona engine: %w", err)
	}
	cleanup = func() { os.RemoveAll(tmp) }
	if err := Write(ctx, tmp, job); err != nil {
		cleanup()
		return "", func() {}, err
	}
	if e.ReadFrom != "" {
		err := sameInputs(tmp, e.ReadFrom)
		cleanup()
		if err != nil {
			return "", func() {}, err
		}
		return e.ReadFrom, func() {}, nil
	}
	if err := Submit(ctx, tmp, e.Setup, SubmitOptions{Master: e.Master, Log: e.Log, Usage: e.Usage}); err != nil {
		cleanup()
		return "", func() {}, err
	}
	return tmp, cleanup, nil
}

// sameInputs checks that the job folder have holds the job written in want:
// the same job.json and input files.
func sameInputs(want, have string) error {
	stale := fmt.Sprintf("the job in %s was written from other inputs or another pipeline file; write it again with groundwork job", have)
	return filepath.WalkDir(want, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		if rel == "job.py" {
			return nil // checked by its version in job.json
		}
		w, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("sedona engine: %w", err)
		}
		h, err := os.ReadFile(filepath.Join(have, rel))
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sedona engine: %s has no %s (write the job with groundwork job)", have, filepath.ToSlash(rel))
		}
		if err != nil {
			return fmt.Errorf("sedona engine: %w", err)
		}
		if !bytes.Equal(w, h) {
			return fmt.Errorf("sedona engine: %s differs: %s", filepath.ToSlash(rel), stale)
		}
		return nil
	})
}

// ReadLocated reads the placements of point set name from the job folder
// work, whose row i is pts[i], in the boundaries and areas given.
func ReadLocated(ctx context.Context, work, name string, bounds, areaNames []string, pts []orb.Point) (*Located, error) {
	pl, err := ReadPlacements(ctx, work, name, bounds, areaNames)
	if err != nil {
		return nil, err
	}
	if pl.Rows != len(pts) {
		return nil, fmt.Errorf("sedona engine: the job in %s placed %d points, want %d", work, pl.Rows, len(pts))
	}
	loc := &Located{Names: append(append([]string{}, bounds...), areaNames...), At: make(map[orb.Point][]string, len(pts))}
	for i, p := range pts {
		row := make([]string, 0, len(loc.Names))
		for _, b := range bounds {
			row = append(row, pl.Features[b][i])
		}
		for _, a := range areaNames {
			row = append(row, pl.Areas[a][i])
		}
		loc.At[p] = row
	}
	return loc, nil
}
