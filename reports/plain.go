package reports

import (
	"math"
	"strings"
)

// This file holds the plain-language words for uncertainty: an estimate
// with its margin of error said as a likely range, numbers rounded to the
// precision the margin supports, and reliability bands said as advice.
// The bands themselves are computed elsewhere (pipeline/stats classifies a
// coefficient of variation); here they only get their words.

// ReliabilityWord says a reliability band in words an organizer can act
// on: "reliable" is "reliable", "caution" is "use with caution",
// "unreliable" is "too uncertain to use". Any other band (such as
// "unknown", for an estimate without a margin of error) gives "".
func ReliabilityWord(band string) string {
	switch band {
	case "reliable":
		return "reliable"
	case "caution":
		return "use with caution"
	case "unreliable":
		return "too uncertain to use"
	}
	return ""
}

// Step returns the rounding step that an estimate with margin of error moe
// supports in a pipeline format (see Format): two significant digits of
// the margin, so "18.5% ± 1.5" keeps its tenth and "$54,313 ± $5,012"
// rounds to the hundred. It is never finer than what the format shows
// anyway (a tenth of a percentage point, a whole dollar, a whole number
// for an estimate that is one, a thousandth otherwise). A zero, negative
// or NaN moe gives that finest step. Percent margins are fractions, like
// the estimates.
func Step(est, moe float64, format string) float64 {
	finest := 0.001
	switch {
	case format == "percent":
		finest = 0.001 // a tenth of a point, as a fraction
	case format == "dollars":
		finest = 1
	case est == math.Trunc(est):
		finest = 1
	}
	if !(moe > 0) || math.IsInf(moe, 0) {
		return finest
	}
	step := math.Pow(10, math.Floor(math.Log10(moe))-1)
	if format == "percent" {
		// compare in points: a tenth of a point is the finest
		step = math.Pow(10, math.Floor(math.Log10(100*moe))-1) / 100
	}
	return math.Max(step, finest)
}

// Rounded formats est rounded to the step its margin of error supports
// (see Step), in a pipeline format: Rounded(54313, 5012, "dollars") is
// "$54,300"; Rounded(0.185, 0.015, "percent") is "18.5%". NaN is "–".
func Rounded(est, moe float64, format string) string {
	if math.IsNaN(est) {
		return "–"
	}
	s := roundTo(est, Step(est, moe, format), format)
	if !(moe > 0) && format != "percent" && strings.Contains(s, ".") {
		// no margin to say how precise: decimals only where needed
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// roundTo formats x rounded to step, showing the decimals the step has.
func roundTo(x, step float64, format string) string {
	if format == "percent" {
		x, step = 100*x, 100*step
	}
	r := math.Round(x/step) * step
	dec := 0
	for s := step; s < 0.999 && dec < 3; s *= 10 {
		dec++
	}
	s := Number(r, dec) // a rounded -0 is 0 to Number: no minus sign
	switch format {
	case "percent":
		return s + "%"
	case "dollars":
		if strings.HasPrefix(s, "−") {
			return "−$" + s[len("−"):]
		}
		return "$" + s
	}
	return s
}

// Interval says an estimate and its margin of error (90% for ACS) in plain
// words: "about 18.5%, likely between 17.0% and 20.0%". All three numbers
// are rounded to the step the margin supports (Step). The range is est ±
// moe; for "percent" and "dollars", which cannot be negative, a lower end
// under zero is said as zero (the ACS General Handbook 2020, ch. 7, does
// the same for counts). Without a margin (zero or NaN) it is "about
// 18.5%"; a NaN estimate is "no estimate".
func Interval(est, moe float64, format string) string {
	return interval(est, moe, format, math.Inf(1))
}

// ProportionInterval is Interval for a proportion (a share of a whole,
// est a fraction): the range is also said within its logical bounds, 0 and
// 1 ("likely between 85% and 100%", not "and 115%"), as Interval says a
// lower end under zero as zero (the ACS General Handbook 2020, ch. 7, for
// counts; the Census Bureau's ACS "Accuracy of the Data" notes: "When
// constructing confidence intervals, be aware of any 'natural' limits on
// the bounds"). A share cannot pass 100%. Only the words change: the MOE
// and the tables' "± MOE" are not.
func ProportionInterval(est, moe float64, format string) string {
	return interval(est, moe, format, 1)
}

// interval is Interval with the upper end of the range said as at most hi.
func interval(est, moe float64, format string, hi float64) string {
	mid, lo, up, ok := intervalParts(est, moe, format, hi)
	if !ok {
		return mid
	}
	return "about " + mid + ", likely between " + lo + " and " + up
}

// intervalParts rounds est and the ends of its range est ± moe (the lower
// one at least 0 for percent and dollars, the upper one at most hi) to the
// step the margin supports. Without a margin, or without an estimate, ok is
// false and mid is what Interval says.
func intervalParts(est, moe float64, format string, hi float64) (mid, lo, up string, ok bool) {
	if math.IsNaN(est) {
		return "no estimate", "", "", false
	}
	if !(moe > 0) || math.IsInf(moe, 0) {
		return "about " + Rounded(est, moe, format), "", "", false
	}
	step := Step(est, moe, format)
	l, u := est-moe, est+moe
	if l < 0 && est >= 0 && (format == "percent" || format == "dollars") {
		l = 0
	}
	if u > hi && est <= hi {
		u = hi
	}
	return roundTo(est, step, format), roundTo(l, step, format), roundTo(u, step, format), true
}

// ShortInterval is Interval in the few characters a printed table column
// has: "18.5% (17.0–20.0)", "$54,300 ($49,300–$59,300)", "10,450
// (10,030–10,870)"; the estimate, then in brackets the range the true value
// is likely in, rounded as Interval rounds them (a percent's range without
// its signs; "to" between ends with a minus sign). Without a margin it is the estimate alone ("18.5%"); a NaN
// estimate is "–". A table that prints it says once what the brackets mean.
func ShortInterval(est, moe float64, format string) string {
	return shortInterval(est, moe, format, math.Inf(1))
}

// ShortProportionInterval is ShortInterval for a share, its range within
// 0 and 1 as ProportionInterval says it: "98.4% (94.4–100.0)".
func ShortProportionInterval(est, moe float64, format string) string {
	return shortInterval(est, moe, format, 1)
}

func shortInterval(est, moe float64, format string, hi float64) string {
	mid, lo, up, ok := intervalParts(est, moe, format, hi)
	switch {
	case math.IsNaN(est):
		return "–"
	case !ok:
		return strings.TrimPrefix(mid, "about ")
	case format == "percent":
		lo, up = strings.TrimSuffix(lo, "%"), strings.TrimSuffix(up, "%")
	}
	if strings.HasPrefix(lo, "−") || strings.HasPrefix(up, "−") {
		return mid + " (" + lo + " to " + up + ")" // "−5.5–0.7" would read as one number
	}
	return mid + " (" + lo + "–" + up + ")"
}

// Times says a ratio of two values as "1.7 times" (one decimal; "about the
// same" within 5% either way, "half" and "twice" at 0.5 and 2). A NaN,
// infinite or non-positive ratio is "".
func Times(ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) || ratio <= 0 {
		return ""
	}
	r := math.Round(ratio*10) / 10
	switch {
	case math.Abs(ratio-1) < 0.05:
		return "about the same"
	case r == 2:
		return "twice"
	case r == 0.5:
		return "half"
	}
	return Number(r, 1) + " times"
}
