package indicator

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Column names of an aggregated record.
const (
	AreaColumn  = "area"
	UnitsColumn = "units"
)

// Aggregate sums count columns of rec's rows (tracts) into areas, by the
// rules of stats.AggregateAreas (root of summed squared MOEs, only the
// largest MOE among zero estimates; ACS General Handbook 2020, ch. 8), so
// that indicators can then be evaluated per area with Evaluate and areas
// compared with stats.Compare.
//
// area[i] names the area of row i ("" for rows in no area, which are
// skipped); declared lists areas to include even when no row falls in them.
// vars are the estimate columns to sum; each one's MOE column (E -> M) is
// summed alongside when rec has it. The result has one row per area, sorted
// by name, with columns "area" (string), "units" (int, member rows), and per
// var: the estimate, its MOE column if the input had one, and
// "<var>_note". A sum is null, with its reason in the note, when the area
// has no member rows ("no units in area") or any member's estimate or MOE is
// null or a Census annotation value ("k of n units null"). vars listed in
// notSummable (medians, means) are refused with a *NotSummableError that
// quotes reasons[var] (Options.Reasons; may be nil). The
// caller must Release the record. It returns an error when len(area) differs
// from rec's row count or a column is missing or not numeric.
func Aggregate(rec arrow.RecordBatch, area []string, declared []string, vars []string, notSummable map[string]bool, reasons map[string]string) (arrow.RecordBatch, error) {
	if len(area) != int(rec.NumRows()) {
		return nil, fmt.Errorf("aggregate: %d area labels for %d rows", len(area), rec.NumRows())
	}
	for _, v := range vars {
		if notSummable[v] {
			return nil, fmt.Errorf("aggregate: %w", &NotSummableError{Name: v, In: "an aggregation of areas", Why: reasons[v]})
		}
	}
	var cols []*table.Column
	var names []string
	var units []int
	for k, v := range vars {
		est, estOK, err := table.Floats(rec, v)
		if err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
		mcol := strings.TrimSuffix(v, "E") + "M"
		hasM := strings.HasSuffix(v, "E") && table.Has(rec, mcol)
		exact := !hasM && !censusVar.MatchString(v)
		var moe []float64
		var moeOK []bool
		if hasM {
			if moe, moeOK, err = table.Floats(rec, mcol); err != nil {
				return nil, fmt.Errorf("aggregate: %w", err)
			}
		}
		vals := make([]stats.Value, len(est))
		for i := range est {
			x := stats.Value{Est: est[i]}
			if _, ann := annotations[est[i]]; !estOK[i] || ann && !exact {
				x.Est = math.NaN()
			}
			switch {
			case exact:
			case !hasM:
				x.MOE = 0 // the MOE column is not output; keep the sum defined
			case !moeOK[i]:
				x.MOE = math.NaN()
			case moe[i] == -555555555:
				x.MOE = 0
			default:
				if _, ann := annotations[moe[i]]; ann {
					x.MOE = math.NaN()
				} else {
					x.MOE = math.Abs(moe[i])
				}
			}
			vals[i] = x
		}
		sums := stats.AggregateAreas(area, vals, declared)
		ec := &table.Column{Name: v, Type: table.Float}
		mc := &table.Column{Name: mcol, Type: table.Float}
		nc := &table.Column{Name: v + table.NoteSuffix, Type: table.String}
		for _, s := range sums {
			ok := s.N > 0 && s.Missing == 0
			ec.AppendFloat(nan0(s.Est), ok)
			mc.AppendFloat(nan0(s.MOE), ok)
			switch {
			case s.N == 0:
				nc.AppendString("no units in area", true)
			case s.Missing > 0:
				nc.AppendString(strconv.Itoa(s.Missing)+" of "+strconv.Itoa(s.N)+" units null", true)
			default:
				nc.AppendString("", false)
			}
		}
		cols = append(cols, ec)
		if hasM {
			cols = append(cols, mc)
		}
		cols = append(cols, nc)
		if k == 0 {
			for _, s := range sums {
				names = append(names, s.Area)
				units = append(units, s.N)
			}
		}
	}
	if len(vars) == 0 {
		for _, s := range stats.AggregateAreas(area, make([]stats.Value, len(area)), declared) {
			names = append(names, s.Area)
			units = append(units, s.N)
		}
	}
	ac := table.NewString(AreaColumn, names)
	uc := &table.Column{Name: UnitsColumn, Type: table.Int}
	for _, u := range units {
		uc.AppendInt(int64(u), true)
	}
	return table.Build(nil, append([]*table.Column{ac, uc}, cols...)...)
}

// GroupCounts reads the estimate columns groups (for example the
// race/ethnicity cells of B03002) from rec as one row of counts per record
// row, ready for stats.Dissimilarity, stats.Theil and the other segregation
// measures. Rows where any group is null, NaN, negative or a Census
// annotation value are left out, and their row indexes returned in dropped
// (ascending), because those measures are not defined with a missing count;
// the caller reports them. kept gives the record row of each returned row.
// It returns an error naming the column when a column is missing or not
// numeric.
func GroupCounts(rec arrow.RecordBatch, groups []string) (counts [][]float64, kept, dropped []int, err error) {
	cols := make([][]float64, len(groups))
	oks := make([][]bool, len(groups))
	for j, g := range groups {
		if cols[j], oks[j], err = table.Floats(rec, g); err != nil {
			return nil, nil, nil, fmt.Errorf("group counts: %w", err)
		}
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		row := make([]float64, len(groups))
		good := true
		for j := range groups {
			x := cols[j][i]
			_, ann := annotations[x]
			if !oks[j][i] || math.IsNaN(x) || x < 0 || ann {
				good = false
				break
			}
			row[j] = x
		}
		if !good {
			dropped = append(dropped, i)
			continue
		}
		counts = append(counts, row)
		kept = append(kept, i)
	}
	return counts, kept, dropped, nil
}
