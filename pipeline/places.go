package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"sort"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
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
	src, err := st.source(ctx, pl.Source)
	if err != nil {
		return err
	}
	var rule *segment.Rule
	if pl.Where != "" {
		if rule, err = segment.Compile(pl.Where, src.Cols()); err != nil {
			return err
		}
	}
	locate := place.Coordinates(pl, st.raw)
	bounds, areas := slices.Sorted(maps.Keys(st.cfg.Boundaries)), slices.Sorted(maps.Keys(st.cfg.Areas))
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	buf := loc.Buffer()
	env := map[string]any{}
	counts := map[string]int{}
	var unplaced []result.Unplaced
	nPlaced := 0
	prog := st.progress(src.Len())
	meta := map[string]string{"groundwork:table": name}
	rel := filepath.Join("places", name+".parquet")
	inherit := st.inheritance(name)

	// placeChunk filters, locates and keeps the placed records of one
	// chunk of the source, whose first record is record base of the source.
	placeChunk := func(r *frame.Table, base int) error {
		if rule != nil {
			var kept []int
			for i := range r.Len() {
				ok, err := r.Match(rule, i, env)
				if err != nil && !errors.Is(err, segment.ErrMissing) {
					return err
				}
				if ok {
					kept = append(kept, i)
				}
			}
			r.Keep(kept)
		}
		for _, c := range []string{"lon", "lat"} {
			r.AddCol(c, table.Float)
		}
		r.AddCol("located_by", table.String)
		for _, b := range bounds {
			r.AddCol(b, table.String)
		}
		for _, a := range areas {
			r.AddCol(a, table.String)
		}
		inherit.addCols(r)
		var placed []int
		for i := range r.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				prog.done(base + i)
			}
			p, how, reason := locate(r, i)
			if reason != "" {
				unplaced = append(unplaced, result.Unplaced{ID: fmt.Sprint(r.Get(i, pl.ID)), Name: r.Str(i, pl.Name), Reason: reason})
				continue
			}
			loc.Into(p, buf)
			inAny := false
			for _, b := range bounds {
				v := loc.Get(buf, b)
				r.Set(i, b, nullIfEmpty(v))
				inAny = inAny || v != ""
			}
			for _, a := range areas {
				r.Set(i, a, nullIfEmpty(loc.Get(buf, a)))
			}
			if !inAny {
				unplaced = append(unplaced, result.Unplaced{ID: fmt.Sprint(r.Get(i, pl.ID)), Name: r.Str(i, pl.Name), Reason: fmt.Sprintf("its location (%.6f, %.6f) is outside every boundary", p[1], p[0])})
				continue
			}
			r.Set(i, "lon", p[0])
			r.Set(i, "lat", p[1])
			r.Set(i, "located_by", how)
			inherit.set(r, i)
			counts[how]++
			placed = append(placed, i)
		}
		r.Keep(placed)
		nPlaced += len(placed)
		return nil
	}

	if !src.Streamed() {
		r := src // st.source gives a fresh copy of an in-memory source
		if err := placeChunk(r, 0); err != nil {
			return err
		}
		st.places[name] = r
		rec, err := r.Record(meta)
		if err != nil {
			return err
		}
		defer rec.Release()
		if err := st.writeParquet(ctx, rel, rec); err != nil {
			return err
		}
	} else {
		// A streamed source is placed a row group at a time and written
		// as it goes; later stages read places/<name>.parquet back the
		// same way (see rows.scan).
		var w *store.Writer
		var cols []string
		types := map[string]table.Type{}
		err := src.Scan(ctx, func(r *frame.Table, base int) error {
			if err := placeChunk(r, base); err != nil {
				return err
			}
			rec, err := r.Record(meta)
			if err != nil {
				return err
			}
			defer rec.Release()
			if w == nil {
				if w, err = st.parquetWriter(rel, rec.Schema()); err != nil {
					return err
				}
				cols, types = r.Cols(), r.Types()
			}
			return w.Write(ctx, rec)
		})
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
		st.places[name] = frame.InFile(filepath.Join(st.out, rel), cols, types, nPlaced)
	}
	prog.done(src.Len())
	sort.SliceStable(unplaced, func(i, j int) bool { return unplaced[i].ID < unplaced[j].ID })
	st.unplaced[name] = unplaced
	st.placedBy[name] = counts
	if len(unplaced) > 0 {
		st.warn("places %s: %d of %d record(s) could not be placed; see unplaced/%s.csv", name, len(unplaced), len(unplaced)+nPlaced, name)
	}
	return st.writeFile(filepath.Join("unplaced", name+".csv"), func(w io.Writer) error {
		return writeCSV(w, []string{"id", "name", "reason"}, func(emit func(...string) error) error {
			for _, u := range unplaced {
				if err := emit(u.ID, u.Name, u.Reason); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// inheritance copies the columns of a place's tract into its row (see
// config.InheritedColumns).
type inheritance struct {
	tracts   *frame.Table
	boundary string         // the tract boundary: the places' column with the tract GEOID
	row      map[string]int // tract GEOID -> row of tracts
	cols     []string
	types    map[string]table.Type
}

func (st *state) inheritance(places string) *inheritance {
	cols := st.cfg.InheritedColumns(places)
	if len(cols) == 0 || st.tracts == nil {
		return nil
	}
	in := &inheritance{tracts: st.tracts, boundary: st.cfg.Tracts.Boundary, row: map[string]int{}, types: st.tracts.Types()}
	for _, c := range cols {
		if _, ok := in.types[c]; ok {
			in.cols = append(in.cols, c)
		}
	}
	for i := range st.tracts.Len() {
		in.row[st.tracts.Str(i, table.GEOID)] = i
	}
	return in
}

func (in *inheritance) addCols(r *frame.Table) {
	if in == nil {
		return
	}
	for _, c := range in.cols {
		r.AddCol(c, in.types[c])
	}
}

func (in *inheritance) set(r *frame.Table, i int) {
	if in == nil {
		return
	}
	j, ok := in.row[r.Str(i, in.boundary)]
	if !ok {
		return
	}
	for _, c := range in.cols {
		r.Set(i, c, in.tracts.Get(j, c))
	}
}
