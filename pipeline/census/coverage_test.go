package census

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/geo"
)

// layerIDs reads the feature IDs of a real boundary file.
func layerIDs(t *testing.T, path, idProp string) []string {
	t.Helper()
	l, err := geo.Read(context.Background(), "b", path, idProp)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range l.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

// recordedIDs reads the GEOIDs of a recorded answer, its first n rows when
// n > 0 (a cut at a row boundary, still valid JSON).
func recordedIDs(t *testing.T, path string, r Request, n int) []string {
	t.Helper()
	tb, err := ReadRecorded(path, r)
	if err != nil {
		t.Fatal(err)
	}
	ids := tb.GEOIDs()
	if n > 0 {
		ids = ids[:n]
	}
	return ids
}

// TestTractCoverage checks the coverage of real tables against real
// boundaries: the Alameda County ACS 2014-2018 answer (361 tracts, one of
// them water-only, 06001990000, which the cartographic boundary file
// leaves out) against its 360 tract polygons; the Fulton and DeKalb answer
// (349 tracts) against the Census Bureau's unmodified Georgia file (1,966
// tracts, 349 in the two counties: testdata/atlanta/PROVENANCE.md); the
// Alameda answer against 2020 tracts clipped to Oakland (another vintage:
// geo/testdata/PROVENANCE.md); and each answer cut at a row boundary.
func TestTractCoverage(t *testing.T) {
	root := filepath.Join("..", "..")
	alameda := Request{Dataset: "acs/acs5", Year: 2018, For: "tract:*", In: "state:06 county:001"}
	atlanta := Request{Dataset: "acs/acs5", Year: 2018, For: "tract:*", In: "state:13 county:121,089"}
	alamedaRows := recordedIDs(t, alamedaFile, alameda, 0)
	alamedaTracts := layerIDs(t, filepath.Join(root, "pipeline", "demo", "oakland", "alameda_tracts_2010.geojson"), "GEOID")
	atlantaFile := filepath.Join(root, "testdata", "atlanta", "atlanta_acs5_2018_tracts.json")
	atlantaRows := recordedIDs(t, atlantaFile, atlanta, 0)
	georgia := layerIDs(t, filepath.Join(root, "testdata", "atlanta", "cb_2018_13_tract_500k.zip"), "GEOID")
	oakland2020 := layerIDs(t, filepath.Join(root, "geo", "testdata", "oakland_tracts_2020_clipped.geojson"), "GEOID")

	tests := []struct {
		name        string
		r           Request
		rows, tract []string
		within      int
		missing     int
		short       bool
		errHas      []string
	}{
		{name: "Alameda as recorded, water tract without a polygon", r: alameda, rows: alamedaRows, tract: alamedaTracts, within: 360},
		{name: "Alameda cut after 100 rows", r: alameda, rows: alamedaRows[:100], tract: alamedaTracts, within: 360, missing: 260, short: true,
			errHas: []string{"the response is incomplete: it has 100 row(s) and lacks 260 of the 360 land tracts the boundary has in 06001 (06001", "and 255 more)", "the answer was cut short"}},
		{name: "Alameda missing its last row", r: alameda, rows: alamedaRows[:359], tract: alamedaTracts, within: 360, missing: 1, short: true,
			errHas: []string{"lacks 1 of the 360 land tracts"}},
		{name: "Fulton and DeKalb against the whole state's file", r: atlanta, rows: atlantaRows, tract: georgia, within: 349},
		{name: "Fulton and DeKalb cut after 300 rows", r: atlanta, rows: atlantaRows[:300], tract: georgia, within: 349, missing: 49, short: true,
			errHas: []string{"in 13089, 13121"}},
		{name: "Fulton alone against the whole state's file", r: Request{For: "tract:*", In: "state:13 county:121"}, rows: atlantaRows[145:], tract: georgia, within: 204},
		// 6 of the 116 tracts are 2020 splits (06001402801, 06001402802,
		// 06001403301, 06001403302, 06001403401, 06001403402) and 250 land
		// tracts of the table are not in the clipped layer: both counted
		// independently with Python's json module.
		{name: "2020 tracts against a 2010-tract table: another vintage, not short", r: alameda, rows: alamedaRows, tract: oakland2020, within: 116, missing: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := TractCoverage(tt.r, tt.rows, tt.tract)
			if !ok {
				t.Fatal("the check does not apply")
			}
			if c.Within != tt.within || len(c.Missing) != tt.missing || c.Short() != tt.short {
				t.Errorf("within %d, missing %d, short %v; want %d, %d, %v (unknown %d)", c.Within, len(c.Missing), c.Short(), tt.within, tt.missing, tt.short, len(c.Unknown))
			}
			err := c.Err()
			if (err != nil) != tt.short || err != nil && !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Err() = %v, want an ErrIncomplete: %v", err, tt.short)
			}
			for _, w := range tt.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestTractCoverageApplies(t *testing.T) {
	rows, tracts := []string{"06001400100"}, []string{"06001400100", "06001400200", "06001990000"}
	tests := []struct {
		name    string
		r       Request
		ok      bool
		area    []string
		missing []string
	}{
		{"a county", Request{For: "tract:*", In: "state:06 county:001"}, true, []string{"06001"}, []string{"06001400200"}},
		{"a state", Request{For: "tract:*", In: "state:06"}, true, []string{"06"}, []string{"06001400200"}},
		{"every county", Request{For: "tract:*", In: "state:06 county:*"}, true, []string{"06"}, []string{"06001400200"}},
		{"another county", Request{For: "tract:*", In: "state:06 county:013"}, true, []string{"06013"}, nil},
		{"unpadded codes", Request{For: "tract:*", In: "state:6 county:1"}, true, []string{"06001"}, []string{"06001400200"}},
		{"tracts by code", Request{For: "tract:400100", In: "state:06 county:001"}, false, nil, nil},
		{"counties", Request{For: "county:*", In: "state:06"}, false, nil, nil},
		{"no state", Request{For: "tract:*"}, false, nil, nil},
		{"every state", Request{For: "tract:*", In: "state:*"}, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := TractCoverage(tt.r, rows, tracts)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.area, c.Area); diff != "" {
				t.Errorf("area (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.missing, c.Missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}
