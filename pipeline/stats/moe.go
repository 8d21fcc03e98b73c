package stats

import (
	"fmt"
	"math"
	"strconv"
)

// Value is an estimate with its margin of error. MOE is the half-width of
// the confidence interval at the confidence level the caller works in (the
// ACS publishes 90%); all Values combined by one function must share that
// level. A NaN Est or MOE means unknown (null). MOE is never negative.
type Value struct {
	Est float64
	MOE float64
}

// Confidence is a confidence level for margins of error, in percent.
type Confidence int

// The confidence levels groundwork accepts. ACS tables publish MOEs at 90%.
const (
	Conf90 Confidence = 90
	Conf95 Confidence = 95
	Conf99 Confidence = 99
)

// Z returns the two-sided standard normal critical value of c as the Census
// Bureau rounds it (ACS General Handbook 2020, ch. 7 "Calculating Measures
// of Error"): 1.645 for 90%, 1.960 for 95%, 2.576 for 99%. It panics on any
// other level (a programmer error: validate with Valid first).
func (c Confidence) Z() float64 {
	switch c {
	case Conf90:
		return 1.645
	case Conf95:
		return 1.960
	case Conf99:
		return 2.576
	}
	panic(fmt.Sprintf("stats: unsupported confidence level %d", int(c)))
}

// Valid reports whether c is one of 90, 95 or 99.
func (c Confidence) Valid() bool { return c == Conf90 || c == Conf95 || c == Conf99 }

// ConvertMOE converts a margin of error from one confidence level to another:
// MOE_to = MOE_from * Z_to / Z_from (ACS General Handbook 2020, ch. 7; e.g.
// a published 90% MOE times 1.960/1.645 is the 95% MOE). NaN stays NaN.
func ConvertMOE(moe float64, from, to Confidence) float64 {
	if from == to {
		return moe
	}
	return moe * to.Z() / from.Z()
}

// SE returns the standard error behind a margin of error at level c:
// SE = MOE / Z (ACS General Handbook 2020, ch. 7).
func SE(moe float64, c Confidence) float64 { return moe / c.Z() }

// Sum returns the sum of terms with its approximate MOE
//
//	MOE = sqrt(sum of MOE_i^2)
//
// (ACS General Handbook 2020, ch. 8, "Calculating MOEs for Aggregated Count
// Data"), applying the handbook's rule for zero estimates: when several terms
// have an estimate of exactly 0, only the largest MOE among those
// zero-estimate terms enters the sum of squares. Any NaN estimate or MOE
// makes the result's corresponding field NaN. An empty call returns {0, 0}.
// Negative estimates (differences already taken) are summed like any other.
func Sum(terms ...Value) Value {
	var est, sq, zeroMax float64
	for _, t := range terms {
		est += t.Est
		switch {
		case math.IsNaN(t.MOE):
			sq = math.NaN()
		case t.Est == 0:
			zeroMax = math.Max(zeroMax, math.Abs(t.MOE))
		default:
			sq += t.MOE * t.MOE
		}
	}
	return Value{Est: est, MOE: math.Sqrt(sq + zeroMax*zeroMax)}
}

// Difference returns a - b with the MOE of Sum (a difference is a sum with
// a negated term; ACS General Handbook 2020, ch. 8), including its rule for
// zero estimates.
func Difference(a, b Value) Value {
	return Sum(a, Value{Est: -b.Est, MOE: b.MOE})
}

// Scale multiplies v by a constant known without error:
// Est = c*Est, MOE = |c|*MOE (ACS General Handbook 2020, ch. 8: percent
// scaling multiplies a proportion and its MOE by 100).
func Scale(v Value, c float64) Value {
	return Value{Est: v.Est * c, MOE: v.MOE * math.Abs(c)}
}

// Proportion returns p = num/den for a numerator that is a subset of the
// denominator (renters among occupied units), with
//
//	MOE(p) = sqrt(MOE_num^2 - p^2 * MOE_den^2) / den
//
// (ACS General Handbook 2020, ch. 8, "Calculating MOEs for Derived
// Proportions"). When the radicand is negative the handbook says to use the
// ratio formula instead (see Quotient); fellBack reports that case. A zero
// denominator gives {NaN, NaN} (the proportion is undefined), as do NaN
// inputs.
func Proportion(num, den Value) (p Value, fellBack bool) {
	if den.Est == 0 || math.IsNaN(num.Est) || math.IsNaN(den.Est) {
		return Value{Est: math.NaN(), MOE: math.NaN()}, false
	}
	r := num.Est / den.Est
	rad := num.MOE*num.MOE - r*r*den.MOE*den.MOE
	if rad < 0 {
		return Quotient(num, den), true
	}
	return Value{Est: r, MOE: math.Sqrt(rad) / math.Abs(den.Est)}, false
}

// Quotient returns the ratio r = num/den of two estimates where the
// numerator is not a subset of the denominator, with
//
//	MOE(r) = sqrt(MOE_num^2 + r^2 * MOE_den^2) / |den|
//
// (ACS General Handbook 2020, ch. 8, "Calculating MOEs for Derived Ratios").
// A zero denominator gives {NaN, NaN}, as do NaN inputs. (Ratio, the plain
// float division kept for existing callers, has no MOE.)
func Quotient(num, den Value) Value {
	if den.Est == 0 || math.IsNaN(num.Est) || math.IsNaN(den.Est) {
		return Value{Est: math.NaN(), MOE: math.NaN()}
	}
	r := num.Est / den.Est
	return Value{Est: r, MOE: math.Sqrt(num.MOE*num.MOE+r*r*den.MOE*den.MOE) / math.Abs(den.Est)}
}

// Product returns a*b with
//
//	MOE(a*b) = sqrt(a^2 * MOE_b^2 + b^2 * MOE_a^2)
//
// (ACS General Handbook 2020, ch. 8, "Calculating MOEs for the Product of
// Two Estimates"). NaN inputs give NaN fields.
func Product(a, b Value) Value {
	return Value{Est: a.Est * b.Est, MOE: math.Sqrt(a.Est*a.Est*b.MOE*b.MOE + b.Est*b.Est*a.MOE*a.MOE)}
}

// CV returns the coefficient of variation of v in percent:
//
//	CV = SE / |Est| * 100, SE = MOE / Z(c)
//
// (ACS General Handbook 2020, ch. 7, "Coefficient of variation"). It is NaN
// when Est or MOE is NaN, and when both Est and MOE are 0 (an exact zero has
// no relative error to speak of); +Inf when Est is 0 and MOE is positive.
func CV(v Value, c Confidence) float64 {
	if math.IsNaN(v.Est) || math.IsNaN(v.MOE) {
		return math.NaN()
	}
	if v.Est == 0 {
		if v.MOE == 0 {
			return math.NaN()
		}
		return math.Inf(1)
	}
	return SE(v.MOE, c) / math.Abs(v.Est) * 100
}

// Reliability is the reliability band of an estimate.
type Reliability string

// Reliability bands. Unknown is used when the CV cannot be computed (no MOE,
// or an estimate and MOE of exactly zero).
const (
	Reliable   Reliability = "reliable"
	Caution    Reliability = "caution"
	Unreliable Reliability = "unreliable"
	Unknown    Reliability = "unknown"
)

// Bands are the CV thresholds, in percent, that separate reliability bands:
// CV < Caution is Reliable, Caution <= CV <= Unreliable is Caution, CV >
// Unreliable is Unreliable. The zero Bands is not valid; use DefaultBands.
type Bands struct {
	Caution    float64
	Unreliable float64
}

// DefaultBands are groundwork's default thresholds: under 15% reliable,
// 15-30% use with caution, over 30% unreliable. The ACS General Handbook
// 2020 (ch. 7) explains the CV but sets no fixed cut points; 15 and 30 are
// widely used in ACS practice, and other organisations use others, so the
// bands are configurable.
var DefaultBands = Bands{Caution: 15, Unreliable: 30}

// Validate reports thresholds that are not 0 < Caution < Unreliable.
func (b Bands) Validate() error {
	if !(b.Caution > 0 && b.Unreliable > b.Caution) {
		return fmt.Errorf("reliability bands: want 0 < caution (%g) < unreliable (%g); the default is 15 and 30", b.Caution, b.Unreliable)
	}
	return nil
}

// Classify returns the band of a CV given in percent (NaN is Unknown, +Inf
// is Unreliable).
func (b Bands) Classify(cv float64) Reliability {
	switch {
	case math.IsNaN(cv):
		return Unknown
	case cv < b.Caution:
		return Reliable
	case cv <= b.Unreliable:
		return Caution
	default:
		return Unreliable
	}
}

// Comparison is the result of testing the difference between two estimates.
type Comparison struct {
	Diff        float64    // A.Est - B.Est
	Z           float64    // test statistic; NaN when it cannot be computed
	Confidence  Confidence // level of the test and of the inputs' MOEs
	Significant bool       // |Z| > Confidence.Z()
	Statement   string     // the result in plain words
}

// Compare tests whether two estimates differ, following the ACS General
// Handbook 2020, ch. 7 ("Making Comparisons"):
//
//	Z = (E_A - E_B) / sqrt(SE_A^2 + SE_B^2), SE = MOE / Z(c)
//
// The difference is significant at level c when |Z| > Z(c) (1.645 at 90%).
// The MOEs of a and b must be at level c. The test assumes independent
// estimates (it ignores covariance, as the handbook's approximation does);
// for an area and a sub-area of it the test is conservative. When both SEs
// are zero, a nonzero difference is significant and Z is ±Inf. NaN inputs
// give NaN Z, Significant false and a statement that says the test could
// not be made. nameA and nameB name the estimates in Statement.
func Compare(nameA string, a Value, nameB string, b Value, c Confidence) Comparison {
	cmp := Comparison{Diff: a.Est - b.Est, Confidence: c}
	se := math.Hypot(SE(a.MOE, c), SE(b.MOE, c))
	if math.IsNaN(cmp.Diff) || math.IsNaN(se) {
		cmp.Z = math.NaN()
		cmp.Statement = fmt.Sprintf("%s and %s cannot be compared: an estimate or its margin of error is missing.", nameA, nameB)
		return cmp
	}
	switch {
	case se == 0 && cmp.Diff == 0:
		cmp.Z = 0
	default:
		cmp.Z = cmp.Diff / se
	}
	level := strconv.Itoa(int(c)) + "%"
	cmp.Significant = math.Abs(cmp.Z) > c.Z()
	zs := strconv.FormatFloat(cmp.Z, 'f', 2, 64)
	switch {
	case cmp.Significant && cmp.Diff > 0:
		cmp.Statement = fmt.Sprintf("%s is higher than %s, and the difference is statistically significant at the %s confidence level (Z = %s).", nameA, nameB, level, zs)
	case cmp.Significant:
		cmp.Statement = fmt.Sprintf("%s is lower than %s, and the difference is statistically significant at the %s confidence level (Z = %s).", nameA, nameB, level, zs)
	default:
		cmp.Statement = fmt.Sprintf("The difference between %s and %s is not statistically significant at the %s confidence level (Z = %s): the data do not show that they differ.", nameA, nameB, level, zs)
	}
	return cmp
}

// PairComparison is the comparison of estimates A and B (indexes into the
// slices given to ComparePairs).
type PairComparison struct {
	A, B int
	Comparison
}

// ComparePairs runs Compare on every pair of named estimates, in the order
// (0,1), (0,2), ..., (1,2), ...: the comparisons of terrain areas or
// user-drawn areas a report states. It panics if names and vals differ in
// length. Making many comparisons raises the chance that one is significant
// by accident; the handbook (ch. 7) notes this and leaves any correction to
// the analyst.
func ComparePairs(names []string, vals []Value, c Confidence) []PairComparison {
	if len(names) != len(vals) {
		panic("stats: ComparePairs: names and vals differ in length")
	}
	var out []PairComparison
	for i := range vals {
		for j := i + 1; j < len(vals); j++ {
			out = append(out, PairComparison{i, j, Compare(names[i], vals[i], names[j], vals[j], c)})
		}
	}
	return out
}

// RateDifference returns the absolute disparity a - b between two rates
// (for example two areas' renter shares) with the MOE of a difference
// (ACS General Handbook 2020, ch. 8). Test it with Compare.
func RateDifference(a, b Value) Value { return Difference(a, b) }

// RateRatio returns the relative disparity a / b between two rates with the
// MOE of a ratio (Quotient; ACS General Handbook 2020, ch. 8). A zero b gives
// {NaN, NaN}.
func RateRatio(a, b Value) Value { return Quotient(a, b) }
