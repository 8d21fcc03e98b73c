package census

import (
	"fmt"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// DefaultBoundaryBaseURL is the root of the Census Bureau's boundary files:
// the cartographic boundary files live under GENZ{year}/ and TIGER/Line under
// TIGER{year}/.
const DefaultBoundaryBaseURL = "https://www2.census.gov/geo/tiger"

// Boundary vintages that can be fetched by name: 2010 through NewestVintage.
const (
	OldestVintage = 2010
	NewestVintage = 2025
)

// Layer names a kind of Census geography that a boundary can name.
type Layer string

// The layers a boundary can be fetched for. Every layer but ZCTA is fetched
// for one state (national files are filtered to it).
const (
	LayerState          Layer = "state"
	LayerCounty         Layer = "county"
	LayerTract          Layer = "tract"
	LayerBlockGroup     Layer = "block_group"
	LayerPlace          Layer = "place"
	LayerZCTA           Layer = "zcta"
	LayerCountySub      Layer = "county_subdivision"
	LayerUnified        Layer = "school_district_unified"
	LayerElementary     Layer = "school_district_elementary"
	LayerSecondary      Layer = "school_district_secondary"
	LayerCongressional  Layer = "congressional_district"
	LayerStateUpper     Layer = "state_legislative_upper"
	LayerStateLower     Layer = "state_legislative_lower"
	layerAreaWater      Layer = "areawater" // TIGER/Line water polygons, by county
	layerRelationship20 Layer = "tract_relationship"
)

// Layers lists the layers a pipeline file can name, in documentation order.
var Layers = []Layer{LayerState, LayerCounty, LayerTract, LayerBlockGroup, LayerPlace, LayerZCTA, LayerCountySub,
	LayerUnified, LayerElementary, LayerSecondary, LayerCongressional, LayerStateUpper, LayerStateLower}

// layerInfo says how one layer is named in each product.
type layerInfo struct {
	cb      string // cartographic boundary name since 2013 (cb_{year}_{st|us}_{cb}_500k)
	sumlev  string // 2010 cartographic boundary summary level (gz_2010_{st|us}_{sumlev}_500k)
	tiger   string // TIGER/Line folder and name (TIGER{year}/{TIGER}/tl_{year}_{st|us}_{tiger})
	us      bool   // published as one national file
	cbFrom  int    // first year with a cartographic boundary file after 2010 (0: 2013)
	cbUntil int    // last year with one (0: every year)
	// countyInID says the GEOID starts with state and county codes, so a
	// county filter is a GEOID prefix; otherwise it is an area overlap.
	countyInID bool
	stateInID  bool
}

var layerTable = map[Layer]layerInfo{
	LayerState:         {cb: "state", sumlev: "040_00", tiger: "state", us: true, stateInID: true},
	LayerCounty:        {cb: "county", sumlev: "050_00", tiger: "county", us: true, stateInID: true, countyInID: true},
	LayerTract:         {cb: "tract", sumlev: "140_00", tiger: "tract", stateInID: true, countyInID: true},
	LayerBlockGroup:    {cb: "bg", sumlev: "150_00", tiger: "bg", stateInID: true, countyInID: true},
	LayerPlace:         {cb: "place", sumlev: "160_00", tiger: "place", stateInID: true},
	LayerZCTA:          {cb: "zcta510", sumlev: "860_00", tiger: "zcta510", us: true, cbUntil: 2020},
	LayerCountySub:     {cb: "cousub", sumlev: "060_00", tiger: "cousub", stateInID: true, countyInID: true},
	LayerUnified:       {cb: "unsd", sumlev: "970_00", tiger: "unsd", stateInID: true, cbFrom: 2015},
	LayerElementary:    {cb: "elsd", sumlev: "950_00", tiger: "elsd", stateInID: true, cbFrom: 2015},
	LayerSecondary:     {cb: "scsd", sumlev: "960_00", tiger: "scsd", stateInID: true, cbFrom: 2015},
	LayerCongressional: {cb: "cd", sumlev: "500_11", tiger: "cd", us: true, stateInID: true},
	LayerStateUpper:    {cb: "sldu", sumlev: "610_u2", tiger: "sldu", stateInID: true},
	LayerStateLower:    {cb: "sldl", sumlev: "620_l2", tiger: "sldl", stateInID: true},
}

// ParseLayer returns the layer named s. Spaces and hyphens count as
// underscores, and a few common short names are accepted (bg, cousub, unsd,
// elsd, scsd, cd, sldu, sldl, zip). An unknown name is an error with the
// closest layer name.
func ParseLayer(s string) (Layer, error) {
	n := strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.TrimSpace(s)))
	alias := map[string]Layer{"bg": LayerBlockGroup, "blockgroup": LayerBlockGroup, "cousub": LayerCountySub,
		"unsd": LayerUnified, "elsd": LayerElementary, "scsd": LayerSecondary, "cd": LayerCongressional,
		"sldu": LayerStateUpper, "sldl": LayerStateLower, "zip": LayerZCTA, "zcta5": LayerZCTA}
	if l, ok := alias[n]; ok {
		return l, nil
	}
	if _, ok := layerTable[Layer(n)]; ok {
		return Layer(n), nil
	}
	var names []string
	for _, l := range Layers {
		names = append(names, string(l))
	}
	hint := ""
	if best := suggest.Closest(n, names); best != "" {
		hint = fmt.Sprintf("; did you mean %s?", best)
	}
	return "", fmt.Errorf("unknown boundary layer %q%s (layers: %s)", s, hint, strings.Join(names, ", "))
}

// congress is the Congress whose districts the Bureau's files of a year
// hold (the files follow the redistricting after each census).
func congress(year int) int {
	switch {
	case year >= 2024:
		return 119
	case year >= 2022:
		return 118
	case year >= 2018:
		return 116
	case year >= 2016:
		return 115
	case year >= 2014:
		return 114
	case year == 2013:
		return 113
	case year >= 2011:
		return 112
	}
	return 111
}

// BoundaryFile is where one boundary file is published.
type BoundaryFile struct {
	// Path is the file's path under the base URL, e.g.
	// "GENZ2018/shp/cb_2018_13_tract_500k.zip"; the cache mirrors it.
	Path string
	// Product is "cartographic boundary file (1:500,000)" or "TIGER/Line".
	Product string
	// National says the file covers the whole country (it is filtered to
	// the state on load).
	National bool
}

// BoundaryPath returns where the Bureau publishes layer l of a vintage for a
// state (two-digit FIPS code): the cartographic boundary file (1:500,000,
// under GENZ{year}) when the Bureau makes one for that layer and year,
// otherwise TIGER/Line (under TIGER{year}). The layouts per year:
//
//   - 2010: GENZ2010/gz_2010_{st|us}_{summary level}_500k.zip
//   - 2011, 2012: TIGER/Line only (TIGER{year}/{LAYER}/tl_{year}_{st|us}_{layer}.zip)
//   - 2013: GENZ2013/cb_2013_{st|us}_{layer}_500k.zip (no shp/ folder)
//   - 2014 on: GENZ{year}/shp/cb_{year}_{st|us}_{layer}_500k.zip
//
// ZCTAs are zcta510 through 2019 and zcta520 from 2020, with no cartographic
// file after 2020; congressional districts carry the Congress number
// (cd116 in 2018-2021, cd118 in 2022-2023, cd119 from 2024); school
// districts have cartographic files from 2015 on (TIGER/Line before).
func BoundaryPath(l Layer, year int, state string) (BoundaryFile, error) {
	info, ok := layerTable[l]
	if !ok {
		_, err := ParseLayer(string(l))
		return BoundaryFile{}, err
	}
	if year < OldestVintage || year > NewestVintage {
		return BoundaryFile{}, fmt.Errorf("boundary year %d: vintages %d through %d can be fetched", year, OldestVintage, NewestVintage)
	}
	if len(state) != 2 || !isDigits(state) {
		return BoundaryFile{}, fmt.Errorf("boundary state %q: want a two-digit FIPS code such as \"13\"", state)
	}
	where := state
	if info.us {
		where = "us"
	}
	name := info.cb
	tigerName := info.tiger
	switch l {
	case LayerZCTA:
		if year >= 2020 {
			name, tigerName = "zcta520", "zcta520"
		}
	case LayerCongressional:
		name = fmt.Sprintf("cd%d", congress(year))
		tigerName = name
	}
	cbOK := year == 2010 || year >= 2013
	if info.cbFrom != 0 && year != 2010 && year < info.cbFrom {
		cbOK = false
	}
	if info.cbUntil != 0 && year > info.cbUntil {
		cbOK = false
	}
	const cbProduct = "cartographic boundary file (1:500,000)"
	switch {
	case cbOK && year == 2010:
		return BoundaryFile{Path: fmt.Sprintf("GENZ2010/gz_2010_%s_%s_500k.zip", where, info.sumlev), Product: cbProduct, National: info.us}, nil
	case cbOK && year == 2013:
		return BoundaryFile{Path: fmt.Sprintf("GENZ2013/cb_2013_%s_%s_500k.zip", where, name), Product: cbProduct, National: info.us}, nil
	case cbOK:
		return BoundaryFile{Path: fmt.Sprintf("GENZ%d/shp/cb_%d_%s_%s_500k.zip", year, year, where, name), Product: cbProduct, National: info.us}, nil
	}
	folder := strings.ToUpper(tigerName)
	switch l {
	case LayerZCTA:
		folder = "ZCTA5"
		if year >= 2020 {
			folder = "ZCTA520"
		}
	case LayerCongressional:
		folder = "CD"
	}
	return BoundaryFile{Path: fmt.Sprintf("TIGER%d/%s/tl_%d_%s_%s.zip", year, folder, year, where, tigerName), Product: "TIGER/Line", National: info.us}, nil
}

// WaterPath is the TIGER/Line area-water file of one county (state and
// county FIPS codes): TIGER{year}/AREAWATER/tl_{year}_{st}{county}_areawater.zip.
// Published from 2011; for 2010 the 2011 file is the nearest.
func WaterPath(year int, state, county string) string {
	if year < 2011 {
		year = 2011
	}
	return fmt.Sprintf("TIGER%d/AREAWATER/tl_%d_%s%s_areawater.zip", year, year, state, county)
}

// RelationshipPath is the national 2020-to-2010 census tract relationship
// file, under the Bureau's geo/docs folder (a sibling of geo/tiger).
const RelationshipPath = "../docs/maps-data/data/rel2020/tract/tab20_tract20_tract10_natl.txt"

// filterInfo says how a layer's features are matched to a state and county.
func filterInfo(l Layer) (stateInID, countyInID bool) {
	info := layerTable[l]
	return info.stateInID, info.countyInID
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
