package source

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Points describes how to read a point dataset (GeoJSON Point features or a
// Parquet file): the columns wanted, the null spellings and the key. With no
// Columns, every property (GeoJSON) or column (Parquet) is read, typed from
// the data.
type Points struct {
	Columns []Column
	Null    []string
	Key     string
	// Repeats and RepeatsMean are CSV's: with no Key, repeated values of
	// column Repeats are warned about in Warnings, saying RepeatsMean.
	Repeats, RepeatsMean string
	Warnings             *notes.Set
}

// checked is the column whose values are checked for repeats
// (checkedColumn).
func (spec Points) checked() (col string, soft bool) { return checkedColumn(spec.Key, spec.Repeats) }

// checkedColumn is the column of a source whose values are checked for
// repeats: its key, where a repeat is an error, or else the column named by
// Repeats (soft: a repeat is a warning).
func checkedColumn(key, repeats string) (col string, soft bool) {
	if key == "" && repeats != "" {
		return repeats, true
	}
	return key, false
}

// repeated warns that the value of Repeats at where repeats the one at
// first.
func (spec Points) repeated(file, where, first, value string) {
	if spec.Warnings != nil {
		spec.Warnings.Add("repeated-id", fmt.Sprintf("repeated %s values, %s", spec.Repeats, spec.RepeatsMean),
			fmt.Sprintf("%s: %s: %q, first in %s", filepath.Base(file), where, value, first))
	}
}

// The coordinate columns ReadGeoJSONPoints adds (EPSG:4326 decimal degrees).
const (
	LonColumn = "lon"
	LatColumn = "lat"
)

// ReadGeoJSONPoints reads a GeoJSON FeatureCollection of Point features at
// path: one row per feature, in file order, with the feature's properties as
// columns and its coordinates as the float columns lon and lat (RFC 7946
// lon/lat; a feature with a null geometry has null coordinates and is
// listed as unplaced downstream). Declared columns are read like CSV cells:
// a JSON number in a string column is written without exponent (and a code
// column with Digits catches one that lost its leading zeros), a JSON string
// in a number column must parse. Undeclared properties are ignored. With no
// columns declared, every property becomes a column: float when all its
// values are numbers, bool when all are booleans, otherwise string.
//
// Every problem (not a FeatureCollection, a geometry that is not a Point, a
// coordinate outside lon/lat range, a value of the wrong type, a missing
// property, a duplicate key) is a *ParseError naming the file, the feature
// (1-based, in Line) and the column, up to 20, joined with errors.Join.
func ReadGeoJSONPoints(ctx context.Context, path string, spec Points) (arrow.RecordBatch, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, &ParseError{File: path, Err: fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)}
	}
	cols := spec.Columns
	if len(cols) == 0 {
		cols = inferGeoJSONColumns(fc)
	}
	if p := findColumn(cols, LonColumn, LatColumn); p != "" {
		return nil, &ParseError{File: path, Column: p, Err: fmt.Errorf("a property named %q would clash with the coordinate column groundwork adds; rename it with header:", p)}
	}
	var errs []error
	add := func(e *ParseError) bool {
		errs = append(errs, e)
		return len(errs) >= maxErrors
	}
	nulls := map[string]bool{"": true}
	for _, n := range spec.Null {
		nulls[n] = true
	}
	out := make([]*table.Column, len(cols))
	for i, c := range cols {
		out[i] = &table.Column{Name: c.Name, Type: c.Type}
	}
	lon := &table.Column{Name: LonColumn, Type: table.Float}
	lat := &table.Column{Name: LatColumn, Type: table.Float}
	keys := map[string]int{}
	checked, soft := spec.checked()
	seen := map[string]bool{}
features:
	for fi, f := range fc.Features {
		n := fi + 1
		for k := range f.Properties {
			seen[k] = true
		}
		switch g := f.Geometry.(type) {
		case orb.Point:
			if math.IsNaN(g[0]) || math.IsNaN(g[1]) || g[0] < -180 || g[0] > 180 || g[1] < -90 || g[1] > 90 {
				if add(&ParseError{File: path, Line: n, Column: "geometry", Err: fmt.Errorf("feature %d: coordinates [%g, %g] are not lon/lat; GeoJSON points are EPSG:4326 longitude, latitude", n, g[0], g[1])}) {
					break features
				}
			}
			lon.AppendFloat(g[0], true)
			lat.AppendFloat(g[1], true)
		case nil:
			lon.AppendFloat(0, false)
			lat.AppendFloat(0, false)
		default:
			if add(&ParseError{File: path, Line: n, Column: "geometry", Err: fmt.Errorf("feature %d: geometry is %s, want Point (a point dataset; polygons belong under boundaries)", n, g.GeoJSONType())}) {
				break features
			}
			lon.AppendFloat(0, false)
			lat.AppendFloat(0, false)
		}
		for i, c := range cols {
			h := headerOf(c)
			v, ok := f.Properties[h]
			raw, isNull := propString(v)
			if !ok && len(spec.Columns) > 0 {
				isNull = true
			}
			if e := appendCell(out[i], c, raw, isNull || nulls[raw]); e != nil {
				if add(&ParseError{File: path, Line: n, Column: h, Err: fmt.Errorf("feature %d: %w", n, e)}) {
					break features
				}
			}
			if c.Name == checked && !isNull && !nulls[raw] {
				if first, dup := keys[raw]; dup && soft {
					spec.repeated(path, fmt.Sprintf("feature %d", n), fmt.Sprintf("feature %d", first), raw)
				} else if dup {
					if add(&ParseError{File: path, Line: n, Column: c.Name, Err: fmt.Errorf("feature %d: duplicate key %q (first in feature %d); keys must be unique", n, raw, first)}) {
						break features
					}
				} else {
					keys[raw] = n
				}
			}
		}
	}
	if len(spec.Columns) > 0 {
		var have []string
		for k := range seen {
			have = append(have, k)
		}
		for _, c := range spec.Columns {
			if h := headerOf(c); !seen[h] && len(fc.Features) > 0 {
				errs = append(errs, &ParseError{File: path, Column: h, Err: fmt.Errorf("no feature has this property%s", didYouMean(h, have))})
			}
		}
	}
	if spec.Key != "" && findColumn(cols, spec.Key) == "" {
		errs = append(errs, &ParseError{File: path, Column: spec.Key, Err: errors.New("key column is not among the columns")})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return table.Build(map[string]string{"groundwork:file": path}, append(out, lon, lat)...)
}

// propString renders a decoded JSON property as a CSV-like cell; null is
// reported as such. Whole numbers are written without a decimal point or
// exponent, so a string column reads 6001400100, not 6.0014001e+09.
func propString(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.TrimSpace(t), false
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), false
	case bool:
		return strconv.FormatBool(t), false
	}
	return fmt.Sprint(v), false
}

func inferGeoJSONColumns(fc *geojson.FeatureCollection) []Column {
	kinds := map[string]map[string]bool{}
	for _, f := range fc.Features {
		for k, v := range f.Properties {
			if kinds[k] == nil {
				kinds[k] = map[string]bool{}
			}
			switch v.(type) {
			case nil:
			case float64:
				kinds[k]["number"] = true
			case bool:
				kinds[k]["bool"] = true
			default:
				kinds[k]["string"] = true
			}
		}
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	cols := make([]Column, len(names))
	for i, n := range names {
		t := table.String
		switch k := kinds[n]; {
		case len(k) == 1 && k["number"]:
			t = table.Float
		case len(k) == 1 && k["bool"]:
			t = table.Bool
		}
		cols[i] = Column{Name: n, Type: t}
	}
	return cols
}

// findColumn returns the first of names that is a column of cols.
func findColumn(cols []Column, names ...string) string {
	for _, c := range cols {
		for _, n := range names {
			if c.Name == n {
				return n
			}
		}
	}
	return ""
}
