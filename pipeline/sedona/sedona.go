// Package sedona runs the point-heavy stages of a groundwork run as one
// Apache Spark job with Apache Sedona: the point-in-polygon placement of
// point sets in boundaries and areas, and the summaries and segments over
// places sets' records (SQL aggregation). It writes the job's inputs and its
// script (the Python file job.py, embedded in the binary and so versioned
// with it), submits it to a local or remote Spark master, and reads the
// job's Parquet outputs back.
//
// A job folder holds:
//
//	job.py                         the job script (JobScript)
//	job.json                       what to place where, and the tables (written by Write)
//	inputs/boundaries/NAME.parquet GeoParquet: "id", WKB "geometry" (OGC:CRS84)
//	inputs/areas/NAME.parquet      Parquet: "id" (a boundary feature), "value"
//	inputs/points/NAME.parquet     Parquet: "row" (position), "lon", "lat"
//	inputs/tables/NAME.parquet     Parquet: "rec", "point" and the columns summaries and segments read
//	out/placements/NAME/state=SS/county=CCC/part-*.parquet   (written by the job)
//	out/summaries/NAME/, out/segments/NAME/{members,counts}/ (written by the job)
//
// The boundary rule is groundwork's (see geo.Index): a point on an edge
// belongs to the polygon, and a point held by several features goes to the
// one with the smallest ID in byte order. The job applies it with Sedona's
// ST_Intersects (true on the boundary) and min(id) over the features that
// hold the point; Placements.Shared counts the points it resolved that way.
// Summaries and segments follow tabulate.Summarize and tabulate.Select
// exactly (see RuleSQL, ReadSummary, ReadSegment); what the job cannot
// compute so is refused with ErrNotSQL and left to the caller.
package sedona

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// JobScript is the Python job, as written to job.py beside the inputs.
//
//go:embed job.py
var JobScript []byte

//go:embed jars.lock
var jarsLock string

// jobVersion is the version of job.json that job.py reads.
const jobVersion = 2

// Boundary is a polygon layer the job places points in.
type Boundary struct {
	Layer *geo.Layer
	// Counties says the layer's feature IDs start with the 2-digit state
	// and 3-digit county FIPS codes (tracts, block groups): the job then
	// partitions points by state and county and joins each partition with
	// that county's features only, and writes placements partitioned by
	// the state and county of this boundary's feature.
	Counties bool
}

// Area maps the features of a boundary to area values (a neighborhood to
// its terrain).
type Area struct {
	Name     string
	Boundary string            // a Boundary's layer name
	Values   map[string]string // feature ID -> area value; features not listed have none
}

// Points is a point set to place: Points[i] is the EPSG:4326 lon/lat position
// of row i, or none when Valid is non-nil and Valid[i] is false.
type Points struct {
	Name       string
	Points     []orb.Point
	Valid      []bool
	Boundaries []string // layer names, in the order of the placement columns
	Areas      []string // area names
}

// Table is a places set's records, over which the job computes summaries
// and segments (see job.py's run_table): the records of a point set's
// placements that are in a feature of one of Boundaries.
type Table struct {
	Name string
	// Points is the point set whose placements the records take.
	Points string
	// Boundaries are the boundaries a record must be in one feature of to
	// be placed (the others are groundwork's unplaced records).
	Boundaries []string
	// Records emits the records, a batch at a time, each with the columns
	// "rec" (int64: the record's position among the records with a point,
	// from 0), "point" (int64: the row of its point in the point set) and
	// the columns the summaries and segments read that are not placement
	// columns. Every batch has the same schema.
	Records   func(emit func(arrow.RecordBatch) error) error
	Summaries []Summary
	Segments  []Segment
}

// Summary is a summary the job computes over a Table: the records its
// Where keeps (a Spark SQL boolean, see RuleSQL; "" for all) grouped by
// the By columns, with the statistics of every measure.
type Summary struct {
	Name     string   `json:"name"`
	Where    string   `json:"where,omitempty"`
	By       []string `json:"by"`
	Measures []string `json:"measures"`
}

// Segment is a segment the job selects from a Table: the records its
// Where keeps, ranked by Rank (a numeric column; "" for none) in
// descending order when Desc, nulls last, ties by the ID column as a string
// then by record, the first Limit of them (0: all).
type Segment struct {
	Name  string `json:"name"`
	Where string `json:"where,omitempty"`
	Rank  string `json:"rank,omitempty"`
	Desc  bool   `json:"desc"`
	ID    string `json:"id"`
	Limit int    `json:"limit"`
}

// Job is what a Spark job places: every point set in its boundaries and
// areas, then the summaries and segments over its tables.
type Job struct {
	Boundaries []Boundary
	Areas      []Area
	Points     []Points
	Tables     []Table
	// Partitions is the number of Spark shuffle partitions; 0 means 8.
	Partitions int
}

type manifest struct {
	Version    int           `json:"version"`
	Boundaries []manBoundary `json:"boundaries"`
	Areas      []manArea     `json:"areas"`
	Points     []manPoints   `json:"points"`
	Tables     []manTable    `json:"tables"`
	Output     string        `json:"output"`
	Partitions int           `json:"partitions"`
}

type manBoundary struct {
	Name     string `json:"name"`
	File     string `json:"file"`
	Counties bool   `json:"counties"`
}

type manArea struct {
	Name     string `json:"name"`
	Boundary string `json:"boundary"`
	File     string `json:"file"`
}

type manTable struct {
	Name       string    `json:"name"`
	Points     string    `json:"points"`
	File       string    `json:"file"`
	Boundaries []string  `json:"boundaries"`
	Summaries  []Summary `json:"summaries"`
	Segments   []Segment `json:"segments"`
}

type manPoints struct {
	Name       string   `json:"name"`
	File       string   `json:"file"`
	Boundaries []string `json:"boundaries"`
	Areas      []string `json:"areas"`
}

// Write writes job's inputs, job.json and job.py into dir (created if
// needed), ready for Submit or for a user's own spark-submit. It checks that
// every name a point set uses is defined and that names are safe file names.
func Write(ctx context.Context, dir string, job *Job) error {
	m := manifest{Version: jobVersion, Output: "out", Partitions: job.Partitions,
		Boundaries: []manBoundary{}, Areas: []manArea{}, Points: []manPoints{}, Tables: []manTable{}}
	if m.Partitions <= 0 {
		m.Partitions = 8
	}
	bounds := map[string]bool{}
	for _, b := range job.Boundaries {
		name := b.Layer.Name
		if err := checkName("boundary", name); err != nil {
			return err
		}
		if bounds[name] {
			return fmt.Errorf("sedona job: boundary %q given twice", name)
		}
		bounds[name] = true
		file := "inputs/boundaries/" + name + ".parquet"
		if err := writeBoundary(ctx, filepath.Join(dir, file), b.Layer); err != nil {
			return err
		}
		m.Boundaries = append(m.Boundaries, manBoundary{Name: name, File: file, Counties: b.Counties})
	}
	areas := map[string]bool{}
	for _, a := range job.Areas {
		if err := checkName("area", a.Name); err != nil {
			return err
		}
		if !bounds[a.Boundary] {
			return fmt.Errorf("sedona job: area %q: boundary %q is not in the job", a.Name, a.Boundary)
		}
		areas[a.Name] = true
		file := "inputs/areas/" + a.Name + ".parquet"
		if err := writeArea(ctx, filepath.Join(dir, file), a.Values); err != nil {
			return err
		}
		m.Areas = append(m.Areas, manArea{Name: a.Name, Boundary: a.Boundary, File: file})
	}
	for _, p := range job.Points {
		if err := checkName("point set", p.Name); err != nil {
			return err
		}
		for _, b := range p.Boundaries {
			if !bounds[b] {
				return fmt.Errorf("sedona job: point set %q: boundary %q is not in the job", p.Name, b)
			}
		}
		for _, a := range p.Areas {
			if !areas[a] {
				return fmt.Errorf("sedona job: point set %q: area %q is not in the job", p.Name, a)
			}
		}
		file := "inputs/points/" + p.Name + ".parquet"
		if err := writePoints(ctx, filepath.Join(dir, file), p); err != nil {
			return err
		}
		m.Points = append(m.Points, manPoints{Name: p.Name, File: file,
			Boundaries: append([]string{}, p.Boundaries...), Areas: append([]string{}, p.Areas...)})
	}
	sets := map[string]bool{}
	for _, p := range m.Points {
		sets[p.Name] = true
	}
	outs := map[string]bool{}
	for _, t := range job.Tables {
		if err := checkName("table", t.Name); err != nil {
			return err
		}
		if !sets[t.Points] {
			return fmt.Errorf("sedona job: table %q: point set %q is not in the job", t.Name, t.Points)
		}
		for _, b := range t.Boundaries {
			if !bounds[b] {
				return fmt.Errorf("sedona job: table %q: boundary %q is not in the job", t.Name, b)
			}
		}
		for _, s := range t.Summaries {
			if err := checkName("summary", s.Name); err != nil {
				return err
			}
			if outs["summary:"+s.Name] {
				return fmt.Errorf("sedona job: summary %q given twice", s.Name)
			}
			outs["summary:"+s.Name] = true
		}
		for _, s := range t.Segments {
			if err := checkName("segment", s.Name); err != nil {
				return err
			}
			if outs["segment:"+s.Name] {
				return fmt.Errorf("sedona job: segment %q given twice", s.Name)
			}
			outs["segment:"+s.Name] = true
		}
		file := "inputs/tables/" + t.Name + ".parquet"
		if err := writeRecords(ctx, filepath.Join(dir, file), t); err != nil {
			return err
		}
		m.Tables = append(m.Tables, manTable{Name: t.Name, Points: t.Points, File: file,
			Boundaries: append([]string{}, t.Boundaries...),
			Summaries:  append([]Summary{}, t.Summaries...), Segments: append([]Segment{}, t.Segments...)})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("sedona job: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "job.json"), append(data, '\n')); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "job.py"), JobScript)
}

// checkName refuses names that are not plain file names (the job uses them
// in paths and as column names).
func checkName(what, name string) error {
	if name == "" || strings.ContainsAny(name, `/\.`+"`") || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }) ||
		name == "row" || name == "state" || name == "county" {
		return fmt.Errorf("sedona job: %s name %q: use letters, digits and underscores (and not row, state or county)", what, name)
	}
	return nil
}

func writeFile(path string, data []byte) error {
	return store.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeBoundary(ctx context.Context, path string, l *geo.Layer) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sedona job: %w", err)
	}
	t := &geoparquet.Table{CRS: crs.LonLat, Geoms: make([]orb.Geometry, len(l.Features))}
	ids := make([]any, len(l.Features))
	for i, f := range l.Features {
		t.Geoms[i] = f.Geom
		ids[i] = f.ID
	}
	t.Columns = []geoparquet.Column{{Name: "id", Values: ids}}
	if err := geoparquet.WriteFile(ctx, path, t); err != nil {
		return fmt.Errorf("sedona job: boundary %q: %w", l.Name, err)
	}
	return nil
}

func writeArea(ctx context.Context, path string, values map[string]string) error {
	ids := make([]string, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	vals := make([]string, len(ids))
	for i, id := range ids {
		vals[i] = values[id]
	}
	rec, err := table.Build(nil, table.NewString("id", ids), table.NewString("value", vals))
	if err != nil {
		return err
	}
	defer rec.Release()
	if err := store.WriteParquet(ctx, path, rec); err != nil {
		return fmt.Errorf("sedona job: %w", err)
	}
	return nil
}

// writeRecords writes a table's records, checking that each batch has the
// rec and point columns.
func writeRecords(ctx context.Context, path string, t Table) error {
	var w *store.Writer
	err := t.Records(func(rec arrow.RecordBatch) error {
		for _, c := range []string{"rec", "point"} {
			if _, err := ints(rec, c); err != nil {
				return err
			}
		}
		if w == nil {
			var err error
			if w, err = store.NewWriter(path, rec.Schema()); err != nil {
				return err
			}
		}
		return w.Write(ctx, rec)
	})
	if err == nil && w == nil {
		err = errors.New("no records batch (an empty table still needs one)")
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		if w != nil {
			w.Abort()
		}
		return fmt.Errorf("sedona job: table %q: %w", t.Name, err)
	}
	return nil
}

func writePoints(ctx context.Context, path string, p Points) error {
	if p.Valid != nil && len(p.Valid) != len(p.Points) {
		return fmt.Errorf("sedona job: point set %q: %d validity flags for %d points", p.Name, len(p.Valid), len(p.Points))
	}
	n := len(p.Points)
	row := &table.Column{Name: "row", Type: table.Int, Ints: make([]int64, n), Valid: make([]bool, n)}
	lon := &table.Column{Name: "lon", Type: table.Float, Floats: make([]float64, n), Valid: make([]bool, n)}
	lat := &table.Column{Name: "lat", Type: table.Float, Floats: make([]float64, n), Valid: make([]bool, n)}
	for i, pt := range p.Points {
		row.Ints[i], row.Valid[i] = int64(i), true
		ok := p.Valid == nil || p.Valid[i]
		lon.Floats[i], lon.Valid[i] = pt[0], ok
		lat.Floats[i], lat.Valid[i] = pt[1], ok
	}
	rec, err := table.Build(nil, row, lon, lat)
	if err != nil {
		return err
	}
	defer rec.Release()
	if err := store.WriteParquet(ctx, path, rec); err != nil {
		return fmt.Errorf("sedona job: point set %q: %w", p.Name, err)
	}
	return nil
}
