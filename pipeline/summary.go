package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

func (st *state) tableRows(of string) *frame.Table {
	if of == "tracts" {
		return st.tracts
	}
	return st.places[of]
}

// rowsOf returns the records a summary or segment of of reads: those of
// st.tableRows, or, when the stage runs in one pass with the places stage
// of of (st.placedIn), a stream of the chunks that stage places
// (frame.Stream), read once, whose Len is known once it has been read.
func (st *state) rowsOf(ctx context.Context, of string) (*frame.Table, error) {
	fd := st.placedIn
	if fd == nil || fd.Source() != of || of == "tracts" && st.cfg.Tracts != nil {
		return st.tableRows(of), nil
	}
	first, err := fd.Peek(ctx)
	if err != nil {
		return nil, err
	}
	return frame.Stream(first.Cols(), first.Types(), fd.Scan), nil
}

// summarize computes every summary and writes summaries/<name>.parquet.
// Records whose group value is null (outside every area) form no group;
// they are counted in a warning.
func (st *state) summarize(ctx context.Context) error {
	for _, s := range st.cfg.Summaries {
		r, err := st.rowsOf(ctx, s.Of)
		if err != nil {
			return fmt.Errorf("summary %q: %w", s.Name, err)
		}
		if r == nil {
			return fmt.Errorf("summary %q: %s was not computed", s.Name, s.Of)
		}
		total := r.Len() // 0 for a stream, until it is read
		prog := st.progress(total)
		var res *result.Summary
		var outside int
		if sp := st.spark.Summary(s); sp != nil { // computed by the sedona engine's job
			st.log.Info("sedona engine: summary from the job", "summary", s.Name)
			res, outside = tabulate.SummaryOf(st.cfg, s, sp.Groups), sp.Outside
		} else {
			if st.spark.Computed(s.Name) {
				// The job is cached (its key covers placement only) and
				// the summary changed since: computed here, over the
				// job's placements, with the same result.
				st.log.Info("sedona engine: summary computed natively", "summary", s.Name, "reason", "changed since the cached job ran")
			}
			var err error
			if res, outside, err = tabulate.Summarize(ctx, st.cfg, s, r, prog.done); err != nil {
				return fmt.Errorf("summary %q: %w", s.Name, err)
			}
		}
		if n := r.Len(); n != total {
			prog.counted(n - total)
		}
		prog.done(r.Len())
		if outside > 0 {
			st.warn("summary %s: %d record(s) of %s have no value for %s (outside every area) and are not summarised", s.Name, outside, s.Of, strings.Join(s.By, " or "))
		}
		st.summaries = append(st.summaries, res)
		rec, err := tabulate.SummaryTable(s, res).Record(map[string]string{"groundwork:summary": s.Name})
		if err != nil {
			return err
		}
		err = st.writeParquet(ctx, filepath.Join("summaries", s.Name+".parquet"), rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}
