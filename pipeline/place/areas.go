package place

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// AreaMap maps each feature of area name's boundary (layer) to its area
// through the lookup table rec: lookup values outside the area's order and
// exclude lists are errors; lookup rows that match no feature and features
// that no lookup row names are returned as warnings. Excluded values map no
// feature.
func AreaMap(name string, a *config.Area, rec arrow.RecordBatch, layer *geo.Layer) (map[string]string, []string, error) {
	var warns []string
	keys, kv, err := table.Strings(rec, a.Lookup.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("area %q: lookup %q: %w", name, a.Lookup.Source, err)
	}
	vals, vv, err := table.Strings(rec, a.Lookup.Value)
	if err != nil {
		return nil, nil, fmt.Errorf("area %q: lookup %q: %w", name, a.Lookup.Source, err)
	}
	ids := map[string]bool{}
	for _, f := range layer.Features {
		ids[f.ID] = true
	}
	m := map[string]string{}
	var errs []error
	var unknown []string
	for i := range keys {
		if !kv[i] || !vv[i] {
			continue
		}
		if len(a.Order) > 0 && !slices.Contains(a.Order, vals[i]) && !slices.Contains(a.Exclude, vals[i]) {
			errs = append(errs, fmt.Errorf("area %q: lookup %s row %d: value %q is neither in order (%s) nor in exclude", name, a.Lookup.Source, i+2, vals[i], strings.Join(a.Order, ", ")))
			continue
		}
		if !ids[keys[i]] {
			unknown = append(unknown, strconv.Quote(keys[i]))
			continue
		}
		if slices.Contains(a.Exclude, vals[i]) {
			continue
		}
		m[keys[i]] = vals[i]
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if len(unknown) > 0 {
		warns = append(warns, fmt.Sprintf("area %s: lookup %s names %d value(s) that are not features of boundary %s: %s", name, a.Lookup.Source, len(unknown), a.Boundary, notes.List(unknown, 0)))
	}
	var missing []string
	for _, f := range layer.Features {
		if _, ok := m[f.ID]; !ok && !excludedIn(rec, a, f.ID) {
			missing = append(missing, f.ID)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		warns = append(warns, fmt.Sprintf("area %s: %d feature(s) of %s have no row in %s and belong to no area: %s", name, len(missing), a.Boundary, a.Lookup.Source, notes.List(missing, 0)))
	}
	return m, warns, nil
}

func excludedIn(rec arrow.RecordBatch, a *config.Area, id string) bool {
	keys, _, _ := table.Strings(rec, a.Lookup.Key)
	vals, _, _ := table.Strings(rec, a.Lookup.Value)
	for i := range keys {
		if keys[i] == id && slices.Contains(a.Exclude, vals[i]) {
			return true
		}
	}
	return false
}
