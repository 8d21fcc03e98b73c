package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/groundwork-org/groundwork/pipeline/feed"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/partition"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// placeAll places every places set.
func (st *state) placeAll(ctx context.Context) error {
	for _, name := range slices.Sorted(maps.Keys(st.cfg.Places)) {
		if err := st.place(ctx, name); err != nil {
			return fmt.Errorf("places %q: %w", name, err)
		}
	}
	return nil
}

// place filters a places source, finds each record's coordinates (its own
// lat/lon columns, or a lookup by key in a directory source, optionally
// falling back to another directory row at the same street address), and
// puts it in every boundary and area. Records that cannot be placed are
// listed with the reason in unplaced/<name>.csv and in the report.
func (st *state) place(ctx context.Context, name string) error {
	pl := st.cfg.Places[name]
	// The records: from the source stage that shares this stage's pass
	// (st.feed: chunks as the file is read, their number not known yet),
	// or from the source's table or raw file.
	var src *frame.Table
	var cols []string
	total, streamed := 0, true
	var scan func(context.Context, func(*frame.Table, int) error) error
	if fd := st.feed; fd != nil && fd.Source() == pl.Source {
		defer fd.Stop()
		first, err := fd.Peek(ctx)
		if err != nil {
			return err
		}
		cols, scan = first.Cols(), fd.Scan
	} else {
		var err error
		if src, err = st.source(ctx, pl.Source); err != nil {
			return err
		}
		cols, total, streamed, scan = src.Cols(), src.Len(), src.Streamed(), src.Scan
	}
	bounds, areas := slices.Sorted(maps.Keys(st.cfg.Boundaries)), slices.Sorted(maps.Keys(st.cfg.Areas))
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	placer, err := place.NewPlacer(pl, cols, place.Coordinates(pl, st.raw), loc, bounds, areas)
	if err != nil {
		return err
	}
	if st.spark != nil {
		// Placed by the sedona stage's job: the placement pass below
		// is the native one's, on the job's placements, so every
		// output is built exactly as with the native engine.
		if err := loc.Precompute(st.spark.Names, st.spark.At); err != nil {
			return err
		}
		st.log.Info("sedona engine: placements from the job", "places", name)
	}
	prog := st.progress(total)
	meta := map[string]string{"groundwork:table": name}
	rel := filepath.Join("places", name+".parquet")
	var inherit *place.Inheritance // columns copied from each place's tract
	if st.tracts != nil {
		inherit = place.NewInheritance(st.tracts, st.cfg.Tracts.Boundary, st.cfg.InheritedColumns(name))
	}
	placeChunk := func(r *frame.Table, base int) error {
		if err := placer.Place(ctx, r, base, prog.done); err != nil {
			return err
		}
		inherit.Apply(r)
		return nil
	}

	seen := total // records read
	if !streamed && len(st.fanout) > 0 {
		return fmt.Errorf("places %q: in one pass with summaries but not streamed (a bug: please report it)", name)
	}
	if !streamed {
		r := src // st.source gives a fresh copy of an in-memory source
		if err := placeChunk(r, 0); err != nil {
			return err
		}
		st.places[name] = r
		if err := st.writeGeoParquet(ctx, rel, r, partition.PointGeom(r), meta); err != nil {
			return err
		}
	} else {
		// A streamed source is placed a row group at a time and written
		// as it goes; later stages read places/<name>.parquet back the
		// same way (see frame.Table.Scan).
		var w *partition.File
		var cols []string
		types := map[string]table.Type{}
		// A chunk from the source stage of this pass is this stage's
		// alone (its columns too: source.ScanCSVColumns): once written
		// and read by every summary and segment of the pass, its
		// columns go back for later chunks (frame.Table.Recycle).
		recycle := st.feed != nil && st.feed.Source() == pl.Source
		// Placing and writing overlap: a placed chunk is written, and
		// handed to the summaries and segments, on a goroutine of its
		// own while the next is placed. A chunk read is the stage's own
		// (see above, and frame.Table.Scan), so it may outlive fn.
		guarded := func(f func() error) error { return guard(st.log, "places:"+name, f) }
		placed := feed.Go(ctx, name, "places:"+name, guarded, func(r *frame.Table) error {
			done := func() {}
			if recycle {
				var readers atomic.Int32
				readers.Store(int32(len(st.fanout) + 1))
				done = func() {
					if readers.Add(-1) == 0 {
						r.Recycle()
					}
				}
			}
			if len(st.fanout) > 0 {
				// The summaries and segments in this pass get the
				// chunk as written (its columns, in file order), as
				// they would read it back; none of them modifies it.
				c := r.Project(cols)
				for _, fd := range st.fanout {
					if err := fd.Send(ctx, c, done); err != nil {
						return err
					}
				}
			}
			if err := w.WriteFrame(ctx, r, cols); err != nil {
				return err
			}
			done()
			return nil
		})
		defer placed.Wait(errors.New("the places stage crashed")) // after a crash too
		err := scan(ctx, func(r *frame.Table, base int) error {
			seen = base + r.Len()
			if err := placeChunk(r, base); err != nil {
				return err
			}
			if w == nil {
				var err error
				if w, err = st.geoParquetWriter(rel, r, meta); err != nil {
					return err
				}
				cols, types = r.Cols(), r.Types()
			}
			return placed.Send(ctx, r)
		})
		err = placed.Wait(err)
		if err == nil && w == nil {
			err = fmt.Errorf("source %q gave no records to place", pl.Source) // ScanParquet always gives one
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			if w != nil {
				w.Abort()
			}
			return err
		}
		for _, fd := range st.fanout {
			fd.Close(nil) // every chunk sent: the readers need not wait for the rest
		}
		st.places[name] = frame.InFile(filepath.Join(st.out, rel), cols, types, placer.Placed)
	}
	if src == nil {
		prog.counted(seen) // now known
	}
	prog.done(seen)
	if n := loc.Missed(); n > 0 {
		return fmt.Errorf("sedona engine: %d point(s) were not in the job's placements (a bug: please report it)", n)
	}
	unplaced := &placer.Unplaced
	st.placedBy[name] = placer.PlacedBy
	if n := unplaced.Len(); n > 0 {
		st.warn("places %s: %d of %d record(s) could not be placed; see unplaced/%s.csv", name, n, n+placer.Placed, name)
	}
	// The CSV gets every record, by ID; the report gets counts and a
	// bounded sample.
	var tally result.UnplacedTally
	err = st.writeFile(filepath.Join("unplaced", name+".csv"), func(w io.Writer) error {
		return outreach.WriteCSV(w, []string{"id", "name", "reason"}, func(emit func(...string) error) error {
			return unplaced.Each(func(u result.Unplaced) error {
				tally.Add(u)
				return emit(u.ID, u.Name, u.Reason)
			})
		})
	})
	st.unplaced[name] = tally.Set()
	return err
}
