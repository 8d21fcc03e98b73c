package sedona

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Placements is a point set's placement read back from a job's outputs.
type Placements struct {
	// Rows is the number of points.
	Rows int
	// Features holds, per boundary name, the ID of the feature holding each
	// row ("" for none).
	Features map[string][]string
	// Areas holds, per area name, each row's area value ("" for none).
	Areas map[string][]string
	// State and County are each row's partition (from the path), "" for
	// the null partition.
	State, County []string
	// Placed and Shared count, per boundary, the points placed in a
	// feature and those held by more than one (on a shared edge, or in
	// overlapping features), which the job resolved to the smallest ID.
	Placed, Shared map[string]int64
	// Files lists the Parquet files read, relative to the job folder,
	// sorted.
	Files []string
}

// ErrNoOutput is returned when a job folder has no output for a point set
// (the job did not run, or failed).
var ErrNoOutput = errors.New("no job output")

// ReadPlacements reads the placements of point set name from the job folder
// dir, for the given boundaries and areas (as in the job).
func ReadPlacements(ctx context.Context, dir, name string, boundaries, areas []string) (*Placements, error) {
	files, err := parquetFiles(dir, "placements/"+name)
	if errors.Is(err, ErrNoOutput) || err == nil && len(files) == 0 {
		return nil, fmt.Errorf("sedona job %s: point set %q: %w (run the job first)", dir, name, ErrNoOutput)
	}
	if err != nil {
		return nil, err
	}
	type part struct {
		state, county string
		rows          []int64
		cols          map[string][]string
		covers        map[string][]int64
	}
	var parts []part
	max := int64(-1)
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		state, county := hivePart(f, "state"), hivePart(f, "county")
		p := part{state: state, county: county, cols: map[string][]string{}, covers: map[string][]int64{}}
		err := store.ScanParquet(ctx, f, func(rec arrow.RecordBatch) error {
			rows, err := ints(rec, "row")
			if err != nil {
				return err
			}
			p.rows = append(p.rows, rows...)
			for _, c := range append(append([]string{}, boundaries...), areas...) {
				vals, valid, err := table.Strings(rec, c)
				if err != nil {
					return err
				}
				for i := range vals {
					if !valid[i] {
						vals[i] = ""
					}
				}
				p.cols[c] = append(p.cols[c], vals...)
			}
			for _, b := range boundaries {
				n, err := ints(rec, "covers_"+b)
				if err != nil {
					return err
				}
				p.covers[b] = append(p.covers[b], n...)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sedona job output %s: %w", rel, err)
		}
		for _, r := range p.rows {
			if r > max {
				max = r
			}
		}
		parts = append(parts, p)
	}
	n := int(max + 1)
	pl := &Placements{Rows: n, Features: map[string][]string{}, Areas: map[string][]string{},
		State: make([]string, n), County: make([]string, n), Placed: map[string]int64{}, Shared: map[string]int64{}}
	for _, b := range boundaries {
		pl.Features[b] = make([]string, n)
	}
	for _, a := range areas {
		pl.Areas[a] = make([]string, n)
	}
	seen := make([]bool, n)
	for _, p := range parts {
		for i, r := range p.rows {
			if r < 0 || seen[r] {
				return nil, fmt.Errorf("sedona job %s: point set %q: row %d placed twice", dir, name, r)
			}
			seen[r] = true
			pl.State[r], pl.County[r] = p.state, p.county
			for _, b := range boundaries {
				pl.Features[b][r] = p.cols[b][i]
				if p.cols[b][i] != "" {
					pl.Placed[b]++
				}
				if p.covers[b][i] > 1 {
					pl.Shared[b]++
				}
			}
			for _, a := range areas {
				pl.Areas[a][r] = p.cols[a][i]
			}
		}
	}
	for r, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("sedona job %s: point set %q: row %d missing from the output", dir, name, r)
		}
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		pl.Files = append(pl.Files, filepath.ToSlash(rel))
	}
	return pl, nil
}

// hivePart returns the value of the Hive partition key in path ("" for
// Hive's null partition or when absent).
func hivePart(path, key string) string {
	for _, seg := range strings.Split(filepath.ToSlash(path), "/") {
		if v, ok := strings.CutPrefix(seg, key+"="); ok {
			if v == "__HIVE_DEFAULT_PARTITION__" {
				return ""
			}
			return v
		}
	}
	return ""
}

func ints(rec arrow.RecordBatch, name string) ([]int64, error) {
	a, err := table.Lookup(rec, name)
	if err != nil {
		return nil, err
	}
	c, ok := a.(*array.Int64)
	if !ok {
		return nil, fmt.Errorf("column %q is %s, want int64", name, a.DataType())
	}
	out := make([]int64, c.Len())
	for i := range out {
		if c.IsNull(i) {
			return nil, fmt.Errorf("column %q: null at row %d", name, i)
		}
		out[i] = c.Value(i)
	}
	return out, nil
}
