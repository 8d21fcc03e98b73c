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
	if s.Kind == KindCSV {
		return s.File
	}
	return s.Recorded
}

// columnNames lists the columns a source's table has.
func (s *Source) columnNames() []string {
	if s.Kind == KindCensus {
		return append([]string{"geoid", "name"}, s.Variables...)
	}
	var n []string
	for _, c := range s.Columns {
		if c != nil {
			n = append(n, c.Name)
		}
	}
	return n
}
