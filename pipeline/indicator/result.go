package indicator

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Result holds an indicator's values, one entry per row of the evaluated
// record. Where Valid[i] is false, Est, MOE and CV are NaN and Note[i] says
// why. MOE (at Confidence) and CV may be NaN for a valid estimate (no MOE
// available; Note says so). CV is in percent.
type Result struct {
	Name        string
	Confidence  stats.Confidence
	Est         []float64
	MOE         []float64
	CV          []float64
	Valid       []bool
	Reliability []stats.Reliability
	Note        []string
	// Bound says, per row, whether the value is an estimate (Exact) or only
	// a bound on one because a coded input entered it (top-coded: AtLeast).
	Bound []Bound
	// Warnings lists problems with the inputs worth a run warning, once
	// each with the number of rows: a kind proportion whose numerator
	// exceeds its denominator, a negative MOE that is not an annotation.
	Warnings []string
}

// Column names of an indicator's outputs.
const (
	MOESuffix         = "_moe"
	CVSuffix          = "_cv"
	ReliabilitySuffix = "_reliability"
)

// Columns returns the result as table columns: <name> (estimate),
// <name>_moe, <name>_cv (percent), <name>_reliability (reliable, caution,
// unreliable, unknown) and <name>_note. NaN values become nulls; notes are
// null when empty.
func (r *Result) Columns() []*table.Column {
	n := len(r.Est)
	est := &table.Column{Name: r.Name, Type: table.Float}
	moe := &table.Column{Name: r.Name + MOESuffix, Type: table.Float}
	cv := &table.Column{Name: r.Name + CVSuffix, Type: table.Float}
	rel := &table.Column{Name: r.Name + ReliabilitySuffix, Type: table.String}
	note := &table.Column{Name: r.Name + table.NoteSuffix, Type: table.String}
	for i := 0; i < n; i++ {
		est.AppendFloat(nan0(r.Est[i]), r.Valid[i] && !math.IsNaN(r.Est[i]))
		moe.AppendFloat(nan0(r.MOE[i]), !math.IsNaN(r.MOE[i]))
		cv.AppendFloat(inf0(r.CV[i]), !math.IsNaN(r.CV[i]) && !math.IsInf(r.CV[i], 0))
		rel.AppendString(string(r.Reliability[i]), true)
		note.AppendString(r.Note[i], r.Note[i] != "")
	}
	return []*table.Column{est, moe, cv, rel, note}
}

func nan0(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

func inf0(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// Census annotation values that the Data API sends in place of estimates and
// MOEs ("Notes on ACS estimate and annotation values"). An estimate equal to
// one of these is read as null; an MOE of -555555555 (estimate controlled,
// no sampling error) as 0, any other as unknown.
var annotations = map[float64]string{
	-999999999: "too few sample observations to compute (annotation -999999999)",
	-888888888: "not applicable or not available (annotation -888888888)",
	-666666666: "estimate not computable: too few sample observations (annotation -666666666)",
	-555555555: "estimate controlled, no sampling error (annotation -555555555)",
	-333333333: "median in an open-ended interval, MOE not appropriate (annotation -333333333)",
	-222222222: "MOE not computable: too few sample observations (annotation -222222222)",
}

type column struct {
	est, moe     []float64
	estOK, moeOK []bool
	note         []string
	hasMOE       bool
}

// Evaluate computes the indicator for every row of rec. rec must have the
// columns Inputs names, numeric (float64 or int64). Per row:
//   - a null input estimate (or a Census annotation value in its place)
//     makes the result null, with a note naming the column and, when the
//     record has a "<column>_note" string column, its reason;
//   - a zero denominator makes the result null with the note "division by
//     zero: the denominator <expression> is 0";
//   - a null or missing input MOE leaves the estimate but makes the MOE, CV
//     and reliability unknown, with a note;
//   - for kind proportion, a fallback to the ratio formula is noted;
//   - a NaN input, or a result that overflows to ±Inf, is null with a note.
//
// An empty record gives an empty Result. Evaluate does not modify rec.
func (ind *Indicator) Evaluate(rec arrow.RecordBatch) (*Result, error) {
	cols := make([]column, len(ind.inputs))
	for i, in := range ind.inputs {
		c := &cols[i]
		var err error
		c.est, c.estOK, err = table.Floats(rec, in.name)
		if err != nil {
			return nil, fmt.Errorf("indicator %s: %w", ind.spec.Name, err)
		}
		if in.moeCol != "" && table.Has(rec, in.moeCol) {
			c.moe, c.moeOK, err = table.Floats(rec, in.moeCol)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: %w", ind.spec.Name, err)
			}
			c.hasMOE = true
		}
		if nc := in.name + table.NoteSuffix; table.Has(rec, nc) {
			if notes, ok, err := table.Strings(rec, nc); err == nil {
				c.note = notes
				for j := range notes {
					if !ok[j] {
						notes[j] = ""
					}
				}
			}
		}
	}
	n := int(rec.NumRows())
	r := &Result{
		Name:        ind.spec.Name,
		Confidence:  ind.opts.Confidence,
		Est:         make([]float64, n),
		MOE:         make([]float64, n),
		CV:          make([]float64, n),
		Valid:       make([]bool, n),
		Reliability: make([]stats.Reliability, n),
		Note:        make([]string, n),
		Bound:       make([]Bound, n),
	}
	warned := map[string]int{}
	var order []string
	for row := 0; row < n; row++ {
		e := evaluator{ind: ind, cols: cols, row: row}
		x, ok := e.top()
		v := x.v
		if ok && ind.spec.Percent {
			v = stats.Scale(v, 100)
		}
		if ok && (math.IsNaN(v.Est) || math.IsInf(v.Est, 0)) {
			e.note("the result is not a finite number")
			ok = false
		}
		if ok && x.b != Exact {
			e.note(boundNote[x.b])
		}
		for _, w := range e.warns {
			if warned[w] == 0 {
				order = append(order, w)
			}
			warned[w]++
		}
		r.Note[row] = strings.Join(e.notes, "; ")
		if !ok {
			r.Est[row], r.MOE[row], r.CV[row] = math.NaN(), math.NaN(), math.NaN()
			r.Reliability[row] = stats.Unknown
			continue
		}
		r.Valid[row] = true
		r.Bound[row] = x.b
		r.Est[row] = v.Est
		r.CV[row] = stats.CV(v, ind.opts.Input)
		r.MOE[row] = stats.ConvertMOE(v.MOE, ind.opts.Input, ind.opts.Confidence)
		r.Reliability[row] = ind.opts.Bands.Classify(r.CV[row])
	}
	for _, w := range order {
		if k := warned[w]; k > 1 {
			w = fmt.Sprintf("%s (and %d more rows like it)", w, k-1)
		}
		r.Warnings = append(r.Warnings, ind.spec.Name+": "+w)
	}
	return r, nil
}
