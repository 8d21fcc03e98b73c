package census

import (
	"context"
	"fmt"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
)

// BoundarySpec names a Census boundary layer: what a pipeline file's
// `census: {layer, year, state, county, water}` says.
type BoundarySpec struct {
	Layer Layer
	Year  int
	State string // two-digit FIPS code
	// Counties are three-digit FIPS codes; none means the whole state.
	Counties []string
	// Water erases the TIGER/Line area-water polygons (AREAWATER) of the
	// counties concerned from every feature.
	Water bool
	// SHA256, when set, pins the main file's checksum.
	SHA256 string
}

// String names the spec for messages: "tract 2018 state 13 county 121".
func (s BoundarySpec) String() string {
	out := fmt.Sprintf("%s %d state %s", s.Layer, s.Year, s.State)
	if len(s.Counties) > 0 {
		out += " county " + strings.Join(s.Counties, ",")
	}
	if s.Water {
		out += " (water erased)"
	}
	return out
}

// Validate checks a spec without any I/O and returns every problem.
func (s BoundarySpec) Validate() []string {
	var out []string
	if _, err := ParseLayer(string(s.Layer)); err != nil {
		out = append(out, "layer: "+err.Error())
	}
	if s.Year < OldestVintage || s.Year > NewestVintage {
		out = append(out, fmt.Sprintf("year: %d is not a vintage that can be fetched; give %d through %d", s.Year, OldestVintage, NewestVintage))
	}
	if len(s.State) != 2 || !isDigits(s.State) {
		out = append(out, fmt.Sprintf("state: %q is not a two-digit FIPS code (Georgia is \"13\"; groundwork init --state writes it)", s.State))
	}
	for _, c := range s.Counties {
		if len(c) != 3 || !isDigits(c) {
			out = append(out, fmt.Sprintf("county: %q is not a three-digit FIPS code (Fulton County, Georgia is \"121\")", c))
		}
	}
	if s.SHA256 != "" && (len(s.SHA256) != 64 || strings.Trim(strings.ToLower(s.SHA256), "0123456789abcdef") != "") {
		out = append(out, fmt.Sprintf("sha256: %q is not a hex SHA-256 (64 characters)", s.SHA256))
	}
	return out
}

// IDProperty is the property that identifies features of the layer's files:
// GEOID, except ZCTAs (GEOID10 through 2019, GEOID20 from 2020) and the 2010
// cartographic files, whose GEO_ID ("1400000US13121000100") LoadBoundary
// turns into a GEOID.
func IDProperty(l Layer, year int) string {
	switch {
	case year == 2010 && !strings.HasPrefix(mustPath(l, year).Path, "TIGER"):
		return "GEO_ID"
	case l == LayerZCTA && year >= 2020:
		return "GEOID20"
	case l == LayerZCTA:
		return "GEOID10"
	}
	return "GEOID"
}

func mustPath(l Layer, year int) BoundaryFile {
	f, _ := BoundaryPath(l, year, "00")
	return f
}

// LoadedBoundary is a boundary layer fetched by name, with what a report's
// sources section says about it.
type LoadedBoundary struct {
	Layer *geo.Layer // IDs are GEOIDs; every feature also has a GEOID property
	Files []*Fetched // the main file first, then water files
	// Product is "cartographic boundary file (1:500,000)" or "TIGER/Line".
	Product string
	// Notes say what was filtered and erased, in words.
	Notes []string
}

// LoadBoundary fetches the file of spec through files (or reads it from the
// cache), reads it, keeps the features of the state and, when given, the
// county, and erases water when asked. Features are matched to the state and
// county by their GEOID prefix where the GEOID carries those codes (tracts,
// block groups, county subdivisions, counties); otherwise (places, ZCTAs,
// school and legislative districts) by area: a feature is kept when at least
// 1% of its area lies in the county (or state), measured against the same
// vintage's cartographic county (or state) file. Feature IDs are GEOIDs.
func LoadBoundary(ctx context.Context, files *Files, name string, spec BoundarySpec) (*LoadedBoundary, error) {
	if p := spec.Validate(); len(p) > 0 {
		return nil, fmt.Errorf("boundary %q: %s", name, strings.Join(p, "; "))
	}
	bf, err := BoundaryPath(spec.Layer, spec.Year, spec.State)
	if err != nil {
		return nil, fmt.Errorf("boundary %q: %w", name, err)
	}
	got, err := files.Get(ctx, bf.Path, spec.SHA256, CheckShapefileZip)
	if err != nil {
		return nil, fmt.Errorf("boundary %q (%s): %w", name, spec, err)
	}
	lb := &LoadedBoundary{Files: []*Fetched{got}, Product: bf.Product}
	l, err := readGEOID(ctx, name, got.Path, spec.Layer, spec.Year)
	if err != nil {
		return nil, err
	}
	stateInID, countyInID := filterInfo(spec.Layer)
	if stateInID && (bf.National || spec.Layer == LayerState) {
		n := geo.Filter(l, func(f *geo.Feature) bool { return strings.HasPrefix(f.ID, spec.State) })
		if n > 0 {
			lb.Notes = append(lb.Notes, fmt.Sprintf("kept the %d features of state %s from the national file (%d others left out)", len(l.Features), spec.State, n))
		}
	}
	needRegion := len(spec.Counties) > 0 && !countyInID || !stateInID
	var region *geo.Layer
	if needRegion || spec.Water && !countyInID {
		var rf *Fetched
		region, rf, err = loadRegion(ctx, files, name, spec)
		if err != nil {
			return nil, err
		}
		lb.Files = append(lb.Files, rf)
	}
	switch {
	case len(spec.Counties) > 0 && countyInID:
		n := geo.Filter(l, func(f *geo.Feature) bool { return inCounties(f.ID, spec) })
		lb.Notes = append(lb.Notes, fmt.Sprintf("kept the %d features in %s (%d others in the state left out)", len(l.Features), regionName(spec), n))
	case needRegion:
		n, err := geo.KeepOverlapping(ctx, l, region, 0.01)
		if err != nil {
			return nil, fmt.Errorf("boundary %q: filter to the county: %w", name, err)
		}
		lb.Notes = append(lb.Notes, fmt.Sprintf("kept the %d features with at least 1%% of their area in %s (%d others left out)", len(l.Features), regionName(spec), n))
	}
	if len(l.Features) == 0 {
		return nil, fmt.Errorf("boundary %q (%s): no features are left after filtering to %s; check the state and county codes", name, spec, regionName(spec))
	}
	if spec.Water {
		counties := waterCounties(l, region, spec, countyInID)
		water := &geo.Layer{Name: name + " water", File: "AREAWATER"}
		for _, c := range counties {
			wf, err := files.Get(ctx, WaterPath(spec.Year, spec.State, c), "", CheckShapefileZip)
			if err != nil {
				return nil, fmt.Errorf("boundary %q: water of county %s%s: %w", name, spec.State, c, err)
			}
			lb.Files = append(lb.Files, wf)
			w, err := geo.ReadShapefile(ctx, name+" water", wf.Path, "HYDROID")
			if err != nil {
				return nil, fmt.Errorf("boundary %q: water of county %s%s: %w", name, spec.State, c, err)
			}
			water.Features = append(water.Features, w.Features...)
		}
		st, err := geo.EraseWater(ctx, l, water)
		if err != nil {
			return nil, fmt.Errorf("boundary %q: %w", name, err)
		}
		lb.Notes = append(lb.Notes, fmt.Sprintf("erased %d TIGER/Line water polygons of %d county file(s) from %d features (%.2f km² in all)", len(water.Features), len(counties), st.Features, st.Removed/1e6))
	}
	lb.Layer = l
	return lb, nil
}

func regionName(s BoundarySpec) string {
	switch len(s.Counties) {
	case 0:
		return "state " + s.State
	case 1:
		return "county " + s.State + s.Counties[0]
	}
	var ids []string
	for _, c := range s.Counties {
		ids = append(ids, s.State+c)
	}
	return "counties " + strings.Join(ids, ", ")
}

// inCounties says whether a GEOID starts with the state and one of the
// spec's counties (any county of the state when none is given).
func inCounties(id string, s BoundarySpec) bool {
	if len(s.Counties) == 0 {
		return strings.HasPrefix(id, s.State)
	}
	for _, c := range s.Counties {
		if strings.HasPrefix(id, s.State+c) {
			return true
		}
	}
	return false
}

// loadRegion reads the cartographic county file of the spec's vintage (the
// region that layers without county codes in their IDs are filtered by),
// keeping the county, or every county of the state, with the file it came
// from.
func loadRegion(ctx context.Context, files *Files, name string, spec BoundarySpec) (*geo.Layer, *Fetched, error) {
	bf, err := BoundaryPath(LayerCounty, spec.Year, spec.State)
	if err != nil {
		return nil, nil, err
	}
	got, err := files.Get(ctx, bf.Path, "", CheckShapefileZip)
	if err != nil {
		return nil, nil, fmt.Errorf("boundary %q: the county file it is filtered by: %w", name, err)
	}
	r, err := readGEOID(ctx, name+" counties", got.Path, LayerCounty, spec.Year)
	if err != nil {
		return nil, nil, err
	}
	geo.Filter(r, func(f *geo.Feature) bool { return inCounties(f.ID, spec) })
	if len(r.Features) == 0 {
		return nil, nil, fmt.Errorf("boundary %q: the %d county file has no %s", name, spec.Year, regionName(spec))
	}
	return r, got, nil
}

// waterCounties lists the three-digit county codes whose water is erased.
func waterCounties(l, region *geo.Layer, spec BoundarySpec, countyInID bool) []string {
	if len(spec.Counties) > 0 {
		return spec.Counties
	}
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if len(id) >= 5 && !seen[id[2:5]] {
			seen[id[2:5]] = true
			out = append(out, id[2:5])
		}
	}
	if countyInID && spec.Layer != LayerState {
		for _, f := range l.Features {
			add(f.ID)
		}
	} else if region != nil {
		for _, f := range region.Features {
			add(f.ID)
		}
	}
	return out
}

// readGEOID reads a boundary zip with GEOIDs as feature IDs: the 2010
// cartographic files' GEO_ID loses its "1400000US" prefix, and ZCTA files'
// GEOID10/GEOID20 are used as they are. Each feature gets a GEOID property.
func readGEOID(ctx context.Context, name, path string, l Layer, year int) (*geo.Layer, error) {
	prop := IDProperty(l, year)
	ly, err := geo.ReadShapefile(ctx, name, path, prop)
	if err != nil {
		return nil, fmt.Errorf("boundary %q: %w", name, err)
	}
	for i := range ly.Features {
		f := &ly.Features[i]
		if prop == "GEO_ID" {
			if j := strings.Index(f.ID, "US"); j >= 0 {
				f.ID = f.ID[j+2:]
			}
		}
		f.Props["GEOID"] = f.ID
	}
	return ly, nil
}
