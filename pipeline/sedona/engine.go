package sedona

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

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
func (e *Engine) Locate(ctx context.Context, dir, name string, layers map[string]*geo.Layer, areas []Area, pts []orb.Point) (*Located, error) {
	work, err := os.MkdirTemp(dir, ".sedona-job-")
	if err != nil {
		return nil, fmt.Errorf("sedona engine: %w", err)
	}
	defer os.RemoveAll(work)

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
	if err := Submit(ctx, work, e.Setup, SubmitOptions{Master: e.Master, Log: e.Log, Usage: e.Usage}); err != nil {
		return nil, err
	}
	pl, err := ReadPlacements(ctx, work, name, bounds, areaNames)
	if err != nil {
		return nil, err
	}
	if pl.Rows != len(uniq) {
		return nil, fmt.Errorf("sedona engine: the job placed %d points, want %d", pl.Rows, len(uniq))
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
