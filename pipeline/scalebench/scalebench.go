// Package scalebench generates the inputs of groundwork's national-scale
// benchmark and measures a run on them.
//
// The inputs are GENERATED, not real data: real national tract files are not
// available offline, so the real 2018 cartographic boundary tracts of Ohio
// (2,948) and Georgia (1,966) (U.S. Census Bureau cb_2018_39/13_tract_500k)
// are replicated, each copy translated by a whole number of degrees, until
// there are as many tracts as asked (85,000 for the nation's roughly 85,000
// tracts). Each copy gets its own two-digit state code (01, 02, ...), so
// GEOIDs are unique and partitions are realistic in number, but no GEOID,
// place or value refers to a real place. The 30 ACS-named variables and the
// points are drawn from a PCG generator with a fixed seed: the same Spec
// always gives byte-identical files.
package scalebench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

// Spec sizes a generated benchmark.
type Spec struct {
	// Tracts is the number of tract polygons (85,000 for the nation).
	Tracts int
	// Points is the number of point records placed in them.
	Points int
	// Variables is the number of ACS estimate columns (at most 30).
	Variables int
	// Seed seeds the value and point generator.
	Seed uint64
	// Report adds a report with a tract map to the pipeline.
	Report bool
}

// National is the target: 85,000 tracts with 30 variables and
// 1,000,000 points.
var National = Spec{Tracts: 85000, Points: 1000000, Variables: 30, Seed: 1, Report: true}

// variables are real ACS 5-year variable names used as column names; their
// values are generated.
var variables = []string{
	"B19013_001E", "B01001_001E", "B01001_002E", "B01001_026E", "B01002_001E", "B02001_002E",
	"B02001_003E", "B02001_005E", "B03002_003E", "B03002_012E", "B05002_013E", "B08301_010E",
	"B11001_001E", "B15003_022E", "B15003_023E", "B17001_002E", "B19001_002E", "B19001_017E",
	"B19301_001E", "B22010_002E", "B23025_005E", "B25001_001E", "B25002_003E", "B25003_002E",
	"B25003_003E", "B25064_001E", "B25077_001E", "B27010_017E", "C16002_004E", "B28002_013E",
}

// Sources are the real tract files the geometry is replicated from.
var Sources = []string{"cb_2018_39_tract_500k.zip", "cb_2018_13_tract_500k.zip"}

// Generate writes the benchmark's pipeline into dir: pipeline.yaml,
// tracts.parquet (GeoParquet boundary), acs.json (a recorded Census Data
// API response), points.csv and regions.csv (a tract-to-region lookup).
// dataDir holds the real tract zips named in Sources. It returns the path of
// pipeline.yaml.
func Generate(ctx context.Context, dataDir, dir string, spec Spec) (string, error) {
	if spec.Variables <= 0 || spec.Variables > len(variables) {
		return "", fmt.Errorf("variables: %d; use 1 to %d", spec.Variables, len(variables))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var base []geo.Feature
	for _, z := range Sources {
		l, err := geo.Read(ctx, "tract", filepath.Join(dataDir, z), "GEOID")
		if err != nil {
			return "", fmt.Errorf("read real tracts: %w (the benchmark needs %s in %s)", err, strings.Join(Sources, " and "), dataDir)
		}
		base = append(base, l.Features...)
	}
	// Copies are laid out on a grid of 6 columns, 15 degrees of longitude
	// and 13 of latitude apart; Ohio and Georgia together span about 5 by
	// 12 degrees, so copies never overlap and stay within lon/lat bounds.
	layer := &geo.Layer{Name: "tract"}
	for i := 0; i < spec.Tracts; i++ {
		c, f := i/len(base), base[i%len(base)]
		dx, dy := float64(c%6)*15-60, float64(c/6)*13-25
		st := 1 + 2*c
		if strings.HasPrefix(f.ID, "13") {
			st++
		}
		if st > 99 {
			return "", fmt.Errorf("tracts: %d needs more than 99 state codes; at most %d", spec.Tracts, 49*len(base))
		}
		id := fmt.Sprintf("%02d%s", st, f.ID[2:])
		mp := make(orb.MultiPolygon, len(f.Geom))
		for j, p := range f.Geom {
			mp[j] = make(orb.Polygon, len(p))
			for k, r := range p {
				nr := make(orb.Ring, len(r))
				for m, pt := range r {
					nr[m] = orb.Point{pt[0] + dx, pt[1] + dy}
				}
				mp[j][k] = nr
			}
		}
		region := "north"
		if strings.HasPrefix(f.ID, "13") {
			region = "south"
		}
		layer.Features = append(layer.Features, geo.Feature{ID: id, Geom: mp, Bound: mp.Bound(), Props: map[string]any{"region": region}})
	}
	if err := geo.WriteGeoParquet(ctx, filepath.Join(dir, "tracts.parquet"), layer, "GEOID"); err != nil {
		return "", err
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x67726f756e64))
	if err := writeACS(filepath.Join(dir, "acs.json"), layer, spec, rng); err != nil {
		return "", err
	}
	if err := writeCSV(filepath.Join(dir, "regions.csv"), func(w *bufio.Writer) error {
		w.WriteString("geoid,region\n")
		for _, f := range layer.Features {
			fmt.Fprintf(w, "%s,%s\n", f.ID, f.Props["region"])
		}
		return nil
	}); err != nil {
		return "", err
	}
	if err := writePoints(ctx, filepath.Join(dir, "points.csv"), layer, spec, rng); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "pipeline.yaml")
	return path, store.WriteAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, pipelineYAML(spec))
		return err
	})
}

func writeCSV(path string, fill func(*bufio.Writer) error) error {
	return store.WriteAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeACS writes a Census Data API response: a header row, then one row per
// tract with NAME, the variables, state, county and tract.
func writeACS(path string, l *geo.Layer, spec Spec, rng *rand.Rand) error {
	return writeCSV(path, func(w *bufio.Writer) error {
		head := append([]string{"NAME"}, variables[:spec.Variables]...)
		head = append(head, "state", "county", "tract")
		b, _ := json.Marshal(head)
		w.WriteString("[")
		w.Write(b)
		for _, f := range l.Features {
			row := []string{fmt.Sprintf("Census Tract %s (generated)", f.ID[5:])}
			for j := range spec.Variables {
				v := int64(rng.ExpFloat64() * 2000)
				if j == 0 {
					v = int64(20000 + rng.ExpFloat64()*50000) // median income
				}
				row = append(row, strconv.FormatInt(v, 10))
			}
			row = append(row, f.ID[:2], f.ID[2:5], f.ID[5:])
			b, _ := json.Marshal(row)
			w.WriteString(",\n")
			w.Write(b)
		}
		w.WriteString("]\n")
		return nil
	})
}

// writePoints writes spec.Points records, each inside a random tract (by
// rejection sampling in its bounding box, falling back to its first vertex
// pulled 1% towards the box centre after 32 misses).
func writePoints(ctx context.Context, path string, l *geo.Layer, spec Spec, rng *rand.Rand) error {
	kinds := []string{"member", "volunteer", "donor", "contact"}
	return writeCSV(path, func(w *bufio.Writer) error {
		w.WriteString("id,name,kind,score,visits,lat,lon\n")
		for i := range spec.Points {
			if i%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			f := &l.Features[rng.IntN(len(l.Features))]
			x := geo.NewBruteIndex(&geo.Layer{Features: []geo.Feature{*f}})
			var p orb.Point
			ok := false
			for range 32 {
				p = orb.Point{f.Bound.Min[0] + rng.Float64()*(f.Bound.Max[0]-f.Bound.Min[0]), f.Bound.Min[1] + rng.Float64()*(f.Bound.Max[1]-f.Bound.Min[1])}
				if _, ok = x.Locate(p); ok {
					break
				}
			}
			if !ok {
				c, v := f.Bound.Center(), f.Geom[0][0][0]
				p = orb.Point{v[0] + (c[0]-v[0])*0.01, v[1] + (c[1]-v[1])*0.01}
			}
			fmt.Fprintf(w, "P%07d,Person %d,%s,%d,%d,%.6f,%.6f\n", i, i, kinds[rng.IntN(len(kinds))],
				int(math.Round(rng.Float64()*100)), rng.IntN(20), p[1], p[0])
		}
		return nil
	})
}

func pipelineYAML(spec Spec) string {
	var b strings.Builder
	b.WriteString(`# GENERATED benchmark pipeline (groundwork pipeline/scalebench): replicated real
# Ohio and Georgia tract geometry with generated values and points. Not real data.
name: "Scale benchmark (generated data)"
sources:
  acs:
    kind: census
    title: "Generated tract table in the shape of an ACS response"
    dataset: acs/acs5
    year: 2018
    for: "tract:*"
    variables: [NAME, ` + strings.Join(variables[:spec.Variables], ", ") + `]
    recorded: acs.json
  points:
    kind: csv
    title: "Generated points"
    file: points.csv
    key: id
    columns:
      - id: string
      - name: string
      - kind: string
      - score: int
      - visits: int
      - lat: float
      - lon: float
  regions:
    kind: csv
    file: regions.csv
    key: geoid
    columns:
      - geoid: string
      - region: string
boundaries:
  tract:
    file: tracts.parquet
    id: GEOID
areas:
  region:
    title: Region
    boundary: tract
    lookup: {source: regions, key: geoid, value: region}
    order: [north, south]
    compare: {focus: south, reference: north}
places:
  people:
    source: points
    id: id
    name: name
    lat: lat
    lon: lon
tracts:
  source: acs
  boundary: tract
summaries:
  - name: income
    of: tracts
    by: [region]
    measures:
      - {column: B19013_001E, format: dollars, stats: [min, median, max]}
  - name: people
    of: people
    by: [region, kind]
    measures:
      - {column: score, stats: [count, median, mean]}
segments:
  - name: top_volunteers
    of: people
    where: 'kind == "volunteer" && score >= 90'
    rank: {by: visits, order: desc}
    limit: 1000
    columns: [id, name, tract, region, score, visits]
`)
	if spec.Report {
		b.WriteString(`report:
  title: "Scale benchmark (generated data)"
  map:
    shade: {column: B19013_001E, label: Generated income, format: dollars}
`)
	}
	return b.String()
}
