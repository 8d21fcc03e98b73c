package sedona

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
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
	// WriteTo, when set, makes Locate write each job into WriteTo/NAME
	// and return no placements, without running it (`groundwork job`:
	// the user submits the jobs).
	WriteTo string
	// ReadFrom, when set, makes Locate read the placements of a job run
	// elsewhere from ReadFrom/NAME (written with WriteTo, its out/
	// copied back) instead of running one (`groundwork report --from`).
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

// Located is the result of Engine.Locate: for each distinct point, its
// feature ID in every boundary and its value in every area ("" for none),
// in the order of Names.
type Located struct {
	Names []string // boundary names (sorted), then area names (sorted)
	At    map[orb.Point][]string
}

// Locate runs one job in a temporary folder under dir (removed afterwards)
// that places the distinct points of pts in every layer and area, and
// returns each point's placement. The boundary rule is geo.Index's.
//
// With WriteTo it writes the job into WriteTo/name and returns nil; with
// ReadFrom it reads the placements from ReadFrom/name, whose inputs give the
// points (so the placements answer for exactly the points the job placed).
func (e *Engine) Locate(ctx context.Context, dir, name string, layers map[string]*geo.Layer, areas []Area, pts []orb.Point) (*Located, error) {
	if e.ReadFrom != "" {
		return readLocated(ctx, filepath.Join(e.ReadFrom, name), name, layers, areas)
	}
	work := ""
	if e.WriteTo != "" {
		work = filepath.Join(e.WriteTo, name)
		if err := os.MkdirAll(work, 0o755); err != nil {
			return nil, fmt.Errorf("sedona engine: %w", err)
		}
	} else {
		var err error
		if work, err = os.MkdirTemp(dir, ".sedona-job-"); err != nil {
			return nil, fmt.Errorf("sedona engine: %w", err)
		}
		defer os.RemoveAll(work)
	}

	seen := make(map[orb.Point]bool, len(pts))
	uniq := make([]orb.Point, 0, len(pts))
	for _, p := range pts {
		if !seen[p] {
			seen[p] = true
			uniq = append(uniq, p)
		}
	}
	bounds := slices.Sorted(maps.Keys(layers))
	job := &Job{}
	for _, b := range bounds {
		job.Boundaries = append(job.Boundaries, Boundary{Layer: layers[b], Counties: CountyCoded(layers[b])})
	}
	areas = slices.Clone(areas)
	slices.SortFunc(areas, func(a, b Area) int { return strings.Compare(a.Name, b.Name) })
	var areaNames []string
	for _, a := range areas {
		areaNames = append(areaNames, a.Name)
	}
	job.Areas = areas
	job.Points = []Points{{Name: name, Points: uniq, Boundaries: bounds, Areas: areaNames}}
	if err := Write(ctx, work, job); err != nil {
		return nil, err
	}
	if e.WriteTo != "" {
		return nil, nil
	}
	if err := Submit(ctx, work, e.Setup, SubmitOptions{Master: e.Master, Log: e.Log, Usage: e.Usage}); err != nil {
		return nil, err
	}
	return located(ctx, work, name, bounds, areaNames, uniq)
}

// located reads the placements of job folder work for the points pts (row i
// is pts[i]).
func located(ctx context.Context, work, name string, bounds, areaNames []string, uniq []orb.Point) (*Located, error) {
	pl, err := ReadPlacements(ctx, work, name, bounds, areaNames)
	if err != nil {
		return nil, err
	}
	if pl.Rows != len(uniq) {
		return nil, fmt.Errorf("sedona engine: the job in %s placed %d points, want %d", work, pl.Rows, len(uniq))
	}
	loc := &Located{Names: append(append([]string{}, bounds...), areaNames...), At: make(map[orb.Point][]string, len(uniq))}
	for i, p := range uniq {
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

// readLocated reads a finished job folder: its points from its inputs, its
// placements from out/, checking that it places in the same boundaries and
// areas as the run asks.
func readLocated(ctx context.Context, work, name string, layers map[string]*geo.Layer, areas []Area) (*Located, error) {
	data, err := os.ReadFile(filepath.Join(work, "job.json"))
	if err != nil {
		return nil, fmt.Errorf("sedona engine: %w (write the job with groundwork job)", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sedona engine: %s: %w", filepath.Join(work, "job.json"), err)
	}
	if len(m.Points) != 1 || m.Points[0].Name != name {
		return nil, fmt.Errorf("sedona engine: %s is not the job of places set %q", work, name)
	}
	bounds := slices.Sorted(maps.Keys(layers))
	var areaNames []string
	for _, a := range areas {
		areaNames = append(areaNames, a.Name)
	}
	slices.Sort(areaNames)
	if p := m.Points[0]; !slices.Equal(p.Boundaries, bounds) || !slices.Equal(p.Areas, areaNames) {
		return nil, fmt.Errorf("sedona engine: the job in %s places in %v and %v, the pipeline in %v and %v; write the job again", work, p.Boundaries, p.Areas, bounds, areaNames)
	}
	rec, err := store.ReadParquet(ctx, filepath.Join(work, m.Points[0].File))
	if err != nil {
		return nil, fmt.Errorf("sedona engine: %w", err)
	}
	defer rec.Release()
	lon, lonOK, err := table.Floats(rec, "lon")
	if err != nil {
		return nil, err
	}
	lat, latOK, err := table.Floats(rec, "lat")
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, len(lon))
	for i := range pts {
		if !lonOK[i] || !latOK[i] {
			return nil, fmt.Errorf("sedona engine: %s: row %d has no point", m.Points[0].File, i)
		}
		pts[i] = orb.Point{lon[i], lat[i]}
	}
	return located(ctx, work, name, bounds, areaNames, pts)
}
