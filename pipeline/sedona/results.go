package sedona

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// SummaryGroup is one group of a summary the job computed.
type SummaryGroup struct {
	// Keys are the group's By values as strings; nil when one is null
	// (records outside every area, which groundwork does not summarise).
	Keys []string
	// N is the number of records in the group.
	N int64
	// Measures holds each measure's statistics.
	Measures map[string]MeasureStats
}

// MeasureStats are a measure's statistics in a group, as
// tabulate.Summarize computes them: Count values (non-null), Sum of them
// in record order, and N, Min, Median and Max of those that are numbers
// (not NaN; NaN statistics when there are none).
type MeasureStats struct {
	Count, N         int64
	Sum              float64
	Min, Median, Max float64
}

// SegmentMembers is a segment the job selected: Recs are the records
// kept (their "rec"), in rank order; Matched counts every record the rule
// kept (before the limit), Missing those it could not decide because a
// value it compares is null.
type SegmentMembers struct {
	Recs             []int64
	Matched, Missing int64
}

// parquetFiles lists the Parquet files of a dataset folder the job wrote,
// sorted; ErrNoOutput when the folder is not there.
func parquetFiles(dir, what string) ([]string, error) {
	root := filepath.Join(dir, "out", filepath.FromSlash(what))
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			files = append(files, path)
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("sedona job %s: %s: %w (run the job first)", dir, what, ErrNoOutput)
	}
	if err != nil {
		return nil, fmt.Errorf("sedona job %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}

// ReadSummary reads summary s from the job folder dir, in no particular
// order.
func ReadSummary(ctx context.Context, dir string, s Summary) ([]SummaryGroup, error) {
	files, err := parquetFiles(dir, "summaries/"+s.Name)
	if err != nil {
		return nil, err
	}
	var out []SummaryGroup
	for _, f := range files {
		err := store.ScanParquet(ctx, f, func(rec arrow.RecordBatch) error {
			n, err := ints(rec, "n")
			if err != nil {
				return err
			}
			keys := make([][]string, len(s.By))
			valid := make([][]bool, len(s.By))
			for k, b := range s.By {
				if keys[k], valid[k], err = table.Strings(rec, b); err != nil {
					return err
				}
			}
			ms := map[string]map[string][]float64{}
			counts := map[string]map[string][]int64{}
			for _, m := range s.Measures {
				ms[m], counts[m] = map[string][]float64{}, map[string][]int64{}
				for _, c := range []string{"count", "n"} {
					if counts[m][c], err = ints(rec, m+"__"+c); err != nil {
						return err
					}
				}
				for _, c := range []string{"sum", "min", "median", "max"} {
					vals, ok, err := table.Floats(rec, m+"__"+c)
					if err != nil {
						return err
					}
					for i := range vals {
						if !ok[i] {
							vals[i] = math.NaN()
						}
					}
					ms[m][c] = vals
				}
			}
			for i := range n {
				g := SummaryGroup{N: n[i], Measures: map[string]MeasureStats{}, Keys: make([]string, len(s.By))}
				for k := range s.By {
					if !valid[k][i] {
						g.Keys = nil
						break
					}
					g.Keys[k] = keys[k][i]
				}
				for _, m := range s.Measures {
					st := MeasureStats{Count: counts[m]["count"][i], N: counts[m]["n"][i],
						Sum: ms[m]["sum"][i], Min: ms[m]["min"][i], Median: ms[m]["median"][i], Max: ms[m]["max"][i]}
					if st.Count == 0 {
						st.Sum = 0
					}
					g.Measures[m] = st
				}
				out = append(out, g)
			}
			return nil
		})
		if err != nil {
			rel, _ := filepath.Rel(dir, f)
			return nil, fmt.Errorf("sedona job output %s: %w", rel, err)
		}
	}
	return out, nil
}

// ReadSegment reads segment name from the job folder dir.
func ReadSegment(ctx context.Context, dir, name string) (*SegmentMembers, error) {
	out := &SegmentMembers{}
	files, err := parquetFiles(dir, "segments/"+name+"/counts")
	if err != nil {
		return nil, err
	}
	rows := 0
	for _, f := range files {
		err := store.ScanParquet(ctx, f, func(rec arrow.RecordBatch) error {
			matched, err := ints(rec, "matched")
			if err != nil {
				return err
			}
			missing, err := ints(rec, "missing")
			if err != nil {
				return err
			}
			for i := range matched {
				out.Matched, out.Missing = matched[i], missing[i]
				rows++
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sedona job output %s: %w", f, err)
		}
	}
	if rows != 1 {
		return nil, fmt.Errorf("sedona job %s: segment %q: %d count rows, want 1", dir, name, rows)
	}
	if files, err = parquetFiles(dir, "segments/"+name+"/members"); err != nil {
		return nil, err
	}
	var pos []int64
	for _, f := range files {
		err := store.ScanParquet(ctx, f, func(rec arrow.RecordBatch) error {
			r, err := ints(rec, "rec")
			if err != nil {
				return err
			}
			p, err := ints(rec, "pos")
			if err != nil {
				return err
			}
			out.Recs, pos = append(out.Recs, r...), append(pos, p...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sedona job output %s: %w", f, err)
		}
	}
	// Positions run 1..n; put each record at its own.
	ranked := make([]int64, len(out.Recs))
	seen := make([]bool, len(out.Recs))
	for i, p := range pos {
		if p < 1 || int(p) > len(ranked) || seen[p-1] {
			return nil, fmt.Errorf("sedona job %s: segment %q: position %d out of 1..%d or repeated", dir, name, p, len(ranked))
		}
		ranked[p-1], seen[p-1] = out.Recs[i], true
	}
	out.Recs = ranked
	return out, nil
}
