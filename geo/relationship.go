package geo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// RelationshipRow is one row of the Census Bureau's 2020-to-2010 census
// tract relationship file: the part of a 2020 tract that lies in a 2010
// tract. Areas are square metres, as the Bureau computed them from the
// full-resolution TIGER/Line geometry.
type RelationshipRow struct {
	Tract20, Tract10    string // 11-character GEOIDs
	Land20, Water20     float64
	Land10, Water10     float64
	LandPart, WaterPart float64
	Name20, Name10      string
	Line                int // line in the file (the header is line 1)
}

// Relationship is a parsed tract relationship file.
type Relationship struct {
	File string
	Rows []RelationshipRow // in file order
}

// relationshipColumns are the columns ReadRelationship needs, as the Bureau
// names them in tab20_tract20_tract10_natl.txt (its header, 16 columns;
// "Relationship File Layouts & Contents", 2020 Census Tract Relationship
// Files record layout).
var relationshipColumns = []string{"GEOID_TRACT_20", "NAMELSAD_TRACT_20", "AREALAND_TRACT_20", "AREAWATER_TRACT_20",
	"GEOID_TRACT_10", "NAMELSAD_TRACT_10", "AREALAND_TRACT_10", "AREAWATER_TRACT_10", "AREALAND_PART", "AREAWATER_PART"}

// ReadRelationship reads a 2020-to-2010 tract relationship file (pipe
// delimited, header first, the Bureau's column names; other columns are
// ignored; a UTF-8 byte-order mark is skipped). Every problem (a missing
// column, a field count that differs from the header's, a GEOID that is not
// 11 digits, an area that is not a whole number of square metres) is an
// error naming the file and line.
func ReadRelationship(ctx context.Context, path string) (*Relationship, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tract relationship file: %w", err)
	}
	defer f.Close()
	return ParseRelationship(ctx, path, f)
}

// ParseRelationship is ReadRelationship on a reader; file names it in
// errors.
func ParseRelationship(ctx context.Context, file string, r io.Reader) (*Relationship, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return nil, fmt.Errorf("%s: empty file; want the Bureau's tract relationship file with its header", file)
	}
	header := strings.Split(strings.TrimPrefix(strings.TrimRight(sc.Text(), "\r"), "\ufeff"), "|")
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, c := range relationshipColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: line 1: not a 2020-to-2010 tract relationship file: no column %s (want the Bureau's pipe-delimited header, e.g. OID_TRACT_20|GEOID_TRACT_20|...)", file, strings.Join(missing, ", "))
	}
	rel := &Relationship{File: file}
	var errs []string
	line := 1
	for sc.Scan() {
		line++
		if line%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		fs := strings.Split(text, "|")
		if len(fs) != len(header) {
			errs = append(errs, fmt.Sprintf("%s: line %d: %d fields, the header has %d", file, line, len(fs), len(header)))
			continue
		}
		row := RelationshipRow{Line: line, Tract20: fs[col["GEOID_TRACT_20"]], Tract10: fs[col["GEOID_TRACT_10"]],
			Name20: fs[col["NAMELSAD_TRACT_20"]], Name10: fs[col["NAMELSAD_TRACT_10"]]}
		bad := false
		for _, g := range []struct{ name, v string }{{"GEOID_TRACT_20", row.Tract20}, {"GEOID_TRACT_10", row.Tract10}} {
			if len(g.v) != 11 || strings.Trim(g.v, "0123456789") != "" {
				errs = append(errs, fmt.Sprintf("%s: line %d: column %s: %q is not an 11-digit tract GEOID", file, line, g.name, g.v))
				bad = true
			}
		}
		num := func(name string) float64 {
			v, err := strconv.ParseInt(fs[col[name]], 10, 64)
			if err != nil || v < 0 {
				errs = append(errs, fmt.Sprintf("%s: line %d: column %s: %q is not a whole number of square metres", file, line, name, fs[col[name]]))
				bad = true
			}
			return float64(v)
		}
		row.Land20, row.Water20 = num("AREALAND_TRACT_20"), num("AREAWATER_TRACT_20")
		row.Land10, row.Water10 = num("AREALAND_TRACT_10"), num("AREAWATER_TRACT_10")
		row.LandPart, row.WaterPart = num("AREALAND_PART"), num("AREAWATER_PART")
		if !bad {
			rel.Rows = append(rel.Rows, row)
		}
		if len(errs) >= 20 {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", file, line+1, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d problem(s) in the tract relationship file:\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	if len(rel.Rows) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", file)
	}
	return rel, nil
}

// Weights returns the crosswalk from one tract vintage to the other as
// CrosswalkRows (From is a tract of vintage from, 2010 or 2020), sorted by
// From then To. The weight FromShare is the share of the From tract's land
// area that lies in the To tract (AREALAND_PART / AREALAND_TRACT_xx): counts
// of people and homes live on land, so land, not total area, is what the
// Bureau's relationship file is for. A From tract with no land at all
// (water-only tracts such as 06001990000) is weighted by water area
// instead; it holds no population, so this only decides where its zeros go.
// ToShare is the same share of the To tract. Rows that share no area at all
// (the file lists tracts that only touch along an edge) are left out.
func (r *Relationship) Weights(from int) ([]CrosswalkRow, error) {
	if from != 2010 && from != 2020 {
		return nil, fmt.Errorf("tract relationship: vintage %d; want 2010 or 2020", from)
	}
	var out []CrosswalkRow
	for _, row := range r.Rows {
		fromID, toID := row.Tract20, row.Tract10
		fl, fw, tl, tw := row.Land20, row.Water20, row.Land10, row.Water10
		if from == 2010 {
			fromID, toID = row.Tract10, row.Tract20
			fl, fw, tl, tw = row.Land10, row.Water10, row.Land20, row.Water20
		}
		share := func(land, water float64) float64 {
			switch {
			case land > 0:
				return row.LandPart / land
			case water > 0:
				return row.WaterPart / water
			}
			return 0
		}
		fs, ts := share(fl, fw), share(tl, tw)
		if fs == 0 && ts == 0 {
			continue
		}
		out = append(out, CrosswalkRow{From: fromID, To: toID, Area: row.LandPart + row.WaterPart, FromShare: fs, ToShare: ts})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].From != out[b].From {
			return out[a].From < out[b].From
		}
		return out[a].To < out[b].To
	})
	return out, nil
}

// CrosswalkOverlaps turns crosswalk rows into the Overlaps that Apportion
// takes, for estimates indexed by fromIDs (the source tracts, in the order
// of the estimate slices) onto the targets of the rows, returned sorted.
// Crosswalk rows whose From tract is not in fromIDs are left out and
// counted in missing (their share of a target is then simply not there; a
// caller reports it). Each From tract's weights should sum to 1; the
// largest departure is returned in maxGap so a caller can report a
// relationship file that does not cover its tracts.
func CrosswalkOverlaps(rows []CrosswalkRow, fromIDs []string) (ov []Overlap, targets []string, missing int, maxGap float64) {
	idx := make(map[string]int, len(fromIDs))
	for i, id := range fromIDs {
		idx[id] = i
	}
	tset := map[string]bool{}
	sum := map[string]float64{}
	for _, r := range rows {
		if _, ok := idx[r.From]; ok {
			tset[r.To] = true
			sum[r.From] += r.FromShare
		}
	}
	for _, s := range sum {
		maxGap = math.Max(maxGap, math.Abs(s-1))
	}
	for t := range tset {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	tidx := make(map[string]int, len(targets))
	for i, t := range targets {
		tidx[t] = i
	}
	for _, r := range rows {
		s, ok := idx[r.From]
		if !ok {
			missing++
			continue
		}
		ov = append(ov, Overlap{Source: s, Target: tidx[r.To], Area: r.Area, SourceShare: r.FromShare, TargetShare: r.ToShare})
	}
	return ov, targets, missing, maxGap
}
