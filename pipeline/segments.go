package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
)

// selectSegments evaluates each segment's rule on its places, ranks and
// limits the matches, and writes segments/<name>.csv and .geojson.
func (st *state) selectSegments(ctx context.Context) error {
	for _, s := range st.cfg.Segments {
		r := st.tableRows(s.Of)
		idCol := "geoid"
		if pl, ok := st.cfg.Places[s.Of]; ok {
			idCol = pl.ID
		}
		rule, err := segment.Compile(s.Where, r.Cols())
		if s.Where == "" {
			rule, err = segment.Compile("true", r.Cols())
		}
		if err != nil {
			return fmt.Errorf("segment %q: %w", s.Name, err)
		}
		res := &result.Segment{Name: s.Name, Title: s.Title, Of: s.Of, Where: s.Where, Rank: s.Rank, Columns: s.Columns}
		if len(res.Columns) == 0 {
			res.Columns = r.Cols()
		}
		// Select record indexes, rank them on precomputed keys, and build a
		// row map only for the records kept.
		type match struct {
			i     int
			x     float64
			hasX  bool
			tieID string
			row   map[string]any // built once the match survives its chunk
		}
		less := func(a, b match) bool {
			switch {
			case a.hasX && !b.hasX:
				return true // nulls last
			case !a.hasX && b.hasX:
				return false
			case a.hasX && b.hasX && a.x != b.x:
				if s.Rank.Order == "asc" {
					return a.x < b.x
				}
				return a.x > b.x
			}
			if a.tieID != b.tieID {
				return a.tieID < b.tieID
			}
			return a.i < b.i // a total order: top-k below equals a stable sort
		}
		// trim sorts the matches and, with a limit, keeps the first Limit.
		// It runs whenever the matches pile up and at the end of each chunk,
		// so memory stays bounded by the limit however many records match;
		// a match's row map is built at the end of its chunk only if it is
		// still among the first Limit, so the table is read once.
		var ms []match
		trim := func() {
			sort.Slice(ms, func(i, j int) bool { return less(ms[i], ms[j]) })
			if s.Limit > 0 && len(ms) > s.Limit {
				clear(ms[s.Limit:])
				ms = ms[:s.Limit]
			}
		}
		env := map[string]any{}
		prog := st.progress(r.Len())
		err = r.Scan(ctx, func(c *frame.Table, base int) error {
			fresh := len(ms) // without a limit, matches before it have their rows
			for i := range c.Len() {
				if i%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
					prog.done(base + i)
				}
				ok, err := c.Match(rule, i, env)
				if errors.Is(err, segment.ErrMissing) {
					res.Missing++
					continue
				}
				if err != nil {
					return fmt.Errorf("segment %q: %w", s.Name, err)
				}
				if ok {
					m := match{i: base + i, tieID: fmt.Sprint(c.Get(i, idCol))}
					if s.Rank != nil {
						m.x, m.hasX = frame.ToFloat(c.Get(i, s.Rank.By))
					}
					ms = append(ms, m)
					if s.Limit > 0 && len(ms) >= 2*s.Limit+4096 {
						trim()
					}
				}
			}
			if s.Limit > 0 {
				trim()
				fresh = 0
			}
			for k := fresh; k < len(ms); k++ {
				if ms[k].row == nil {
					ms[k].row = c.Row(ms[k].i - base)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		prog.done(r.Len())
		trim()
		res.Rows = make([]map[string]any, len(ms))
		for k, m := range ms {
			res.Rows[k] = m.row
		}
		if res.Missing > 0 {
			st.warn("segment %s: %d record(s) left out because a value the rule needs is missing", s.Name, res.Missing)
		}
		csvName := filepath.Join("segments", s.Name+".csv")
		gjName := filepath.Join("segments", s.Name+".geojson")
		res.Files = []string{csvName, gjName}
		header := append([]string{"rank"}, res.Columns...)
		if err := st.writeFile(csvName, func(w io.Writer) error {
			return writeCSV(w, header, func(emit func(...string) error) error {
				for i, row := range res.Rows {
					cells := []string{strconv.Itoa(i + 1)}
					for _, c := range res.Columns {
						cells = append(cells, frame.Cell(row[c]))
					}
					if err := emit(cells...); err != nil {
						return err
					}
				}
				return nil
			})
		}); err != nil {
			return err
		}
		if err := st.writeFile(gjName, func(w io.Writer) error {
			fc := geojson.NewFeatureCollection()
			for i, row := range res.Rows {
				f := geojson.NewFeature(st.geometry(s.Of, row))
				f.Properties["rank"] = i + 1
				for _, c := range res.Columns {
					f.Properties[c] = row[c]
				}
				fc.Append(f)
			}
			b, err := json.MarshalIndent(fc, "", " ")
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}); err != nil {
			return err
		}
		st.segments = append(st.segments, res)
	}
	return nil
}

// geometry returns a record's geometry for GeoJSON: a place's point, or a
// tract's polygon from the tract boundary.
func (st *state) geometry(of string, row map[string]any) orb.Geometry {
	if of == "tracts" {
		id, _ := row["geoid"].(string)
		for _, f := range st.layers[st.cfg.Tracts.Boundary].Features {
			if f.ID == id {
				return f.Geom
			}
		}
		return nil
	}
	lon, _ := frame.ToFloat(row["lon"])
	lat, _ := frame.ToFloat(row["lat"])
	return orb.Point{lon, lat}
}
