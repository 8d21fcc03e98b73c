package config

import "strings"

// Kind is the kind of a source: what reads it and which keys it takes.
type Kind string

// The source kinds. Adding one means a row in kinds below, its reader in
// pipeline/sources.go, and its keys' checks here (see docs/architecture.md).
const (
	// KindCensus is a Census Data API table: dataset, year, variables, for,
	// in, and optionally a recorded response to read instead of the API.
	KindCensus Kind = "census"
	// KindCSV is a local delimited file with declared, typed columns.
	KindCSV Kind = "csv"
	// KindParquet is a local Parquet file; the declared columns' types must
	// match its schema.
	KindParquet Kind = "parquet"
	// KindGeoJSON is a local GeoJSON FeatureCollection of Point features:
	// properties are columns, and the coordinates become lon and lat.
	KindGeoJSON Kind = "geojson"
)

// kindDef is a row of kinds.
type kindDef struct {
	kind  Kind
	check func(p *problems, at string, s *Source)
}

// kinds is the one table of source kinds: for each, the check of its keys
// (every problem added to p, paths under at).
var kinds = []kindDef{
	{KindCensus, checkCensusSource},
	{KindCSV, checkCSVSource},
	{KindParquet, checkCSVSource},
	{KindGeoJSON, checkCSVSource},
}

// Local says whether a source is a local file with declared columns (csv,
// parquet or geojson), which areas can look up and places can place.
func (s *Source) Local() bool {
	return s != nil && (s.Kind == KindCSV || s.Kind == KindParquet || s.Kind == KindGeoJSON)
}

// kindList names the kinds for messages: "census or csv".
func kindList() string {
	var k []string
	for _, x := range kinds {
		k = append(k, string(x.kind))
	}
	if len(k) < 2 {
		return strings.Join(k, "")
	}
	return strings.Join(k[:len(k)-1], ", ") + " or " + k[len(k)-1]
}

// InputFile is the file a source reads, as written in the pipeline file: a
// csv source's file, a census source's recorded response; "" for a live
// Census pull.
func (s *Source) InputFile() string {
	if s.Local() {
		return s.File
	}
	return s.Recorded
}

// columnNames lists the columns a source's table has.
func (s *Source) columnNames() []string {
	if s.Kind == KindCensus {
		cols := []string{"geoid", "name"}
		for _, v := range s.Variables {
			if g, ok := GroupOf(v); ok {
				cols = append(cols, groupColumns(g)...)
			} else {
				cols = append(cols, v)
			}
		}
		return cols
	}
	var n []string
	for _, c := range s.Columns {
		if c != nil {
			n = append(n, c.Name)
		}
	}
	if s.Kind == KindGeoJSON {
		n = append(n, "lon", "lat")
	}
	return n
}
