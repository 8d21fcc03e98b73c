package stats

import (
	"math"
	"sort"
)

// AreaSum is the aggregate of one area's member units.
type AreaSum struct {
	Area    string
	Value       // Sum of the members' counts with its MOE
	N       int // member units
	Missing int // members whose estimate or MOE is null
}

// AggregateAreas sums unit-level counts (tract estimates with MOEs) into
// areas with the rules of Sum (ACS General Handbook 2020, ch. 8: root of the
// summed squared MOEs, only the largest MOE among zero estimates). Only
// counts may be aggregated this way; medians and means may not (the caller
// refuses them).
//
// area[i] names the area of unit i ("" for units outside every area, which
// are skipped); vals[i] is its estimate and MOE, with NaN for null. declared
// lists areas that must appear even when no unit falls in them. The result
// has one entry per area, sorted by name. Results:
//   - an area with no member units has N == 0 and {NaN, NaN}: there is no
//     estimate for it, rather than a count of 0;
//   - an area with any null member has Missing > 0 and a NaN Est and MOE,
//     because a partial sum would understate the count.
//
// It panics if area and vals differ in length.
func AggregateAreas(area []string, vals []Value, declared []string) []AreaSum {
	if len(area) != len(vals) {
		panic("stats: AggregateAreas: area and vals differ in length")
	}
	members := map[string][]Value{}
	for _, a := range declared {
		if a != "" {
			members[a] = members[a][:0:0]
		}
	}
	for i, a := range area {
		if a == "" {
			continue
		}
		members[a] = append(members[a], vals[i])
	}
	names := make([]string, 0, len(members))
	for a := range members {
		names = append(names, a)
	}
	sort.Strings(names)
	out := make([]AreaSum, 0, len(names))
	for _, a := range names {
		m := members[a]
		s := AreaSum{Area: a, N: len(m)}
		for _, v := range m {
			if math.IsNaN(v.Est) || math.IsNaN(v.MOE) {
				s.Missing++
			}
		}
		if s.N == 0 || s.Missing > 0 {
			s.Value = Value{Est: math.NaN(), MOE: math.NaN()}
		} else {
			s.Value = Sum(m...)
		}
		out = append(out, s)
	}
	return out
}
