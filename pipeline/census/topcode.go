package census

import (
	"math"
	"strings"
)

// Coding says whether a median was top- or bottom-coded: the value stands for
// "this or more" ("this or less"), not the median itself. The value is kept.
type Coding int8

// Codings.
const (
	NotCoded Coding = iota
	TopCoded
	BottomCoded
)

func (c Coding) String() string {
	switch c {
	case TopCoded:
		return "top-coded"
	case BottomCoded:
		return "bottom-coded"
	}
	return "not coded"
}

// codedMedian is a top or bottom code of one ACS median.
type codedMedian struct {
	value  float64
	coding Coding
	words  string
}

// codedMedians lists the top and bottom codes of ACS medians by table ID
// (the variable code before the underscore; race iterations such as B19013A
// use their base table). Values as published in the ACS detailed tables and
// the Census Bureau's "Notes on ACS Estimate and Annotation Values" (open-ended
// medians shown as "250,000+" / "2,500-"): median household and family income
// 250,001 / 2,499; median home value 2,000,001 / 9,999 (1,000,001 before the
// 2015 ACS); median gross and contract rent 3,501 / 99 (2,001 in earlier
// years); median monthly housing costs and owner costs 4,001 / 99.
var codedMedians = map[string][]codedMedian{
	"B19013": {{250001, TopCoded, "250,000 or more"}, {2499, BottomCoded, "2,500 or less"}},
	"B19113": {{250001, TopCoded, "250,000 or more"}, {2499, BottomCoded, "2,500 or less"}},
	"B19019": {{250001, TopCoded, "250,000 or more"}, {2499, BottomCoded, "2,500 or less"}},
	"B19049": {{250001, TopCoded, "250,000 or more"}, {2499, BottomCoded, "2,500 or less"}},
	"B19119": {{250001, TopCoded, "250,000 or more"}, {2499, BottomCoded, "2,500 or less"}},
	"B25077": {{2000001, TopCoded, "2,000,000 or more"}, {1000001, TopCoded, "1,000,000 or more"}, {9999, BottomCoded, "10,000 or less"}},
	"B25064": {{3501, TopCoded, "3,500 or more"}, {2001, TopCoded, "2,000 or more"}, {99, BottomCoded, "100 or less"}},
	"B25058": {{3501, TopCoded, "3,500 or more"}, {2001, TopCoded, "2,000 or more"}, {99, BottomCoded, "100 or less"}},
	"B25105": {{4001, TopCoded, "4,000 or more"}, {99, BottomCoded, "100 or less"}},
	"B25088": {{4001, TopCoded, "4,000 or more"}, {99, BottomCoded, "100 or less"}},
}

// medianTable returns the base table of an estimate variable that has coded
// medians, or "" (only the _001 median cell of those tables is coded).
func medianTable(name string) string {
	tbl, rest, ok := strings.Cut(name, "_")
	if !ok || !strings.HasPrefix(rest, "001") {
		return ""
	}
	if _, ok := codedMedians[tbl]; ok {
		return tbl
	}
	// Race iterations: B19013A..B19013I.
	if n := len(tbl); n == 7 && tbl[n-1] >= 'A' && tbl[n-1] <= 'I' {
		if _, ok := codedMedians[tbl[:n-1]]; ok {
			return tbl[:n-1]
		}
	}
	return ""
}

func codingOf(table string, v float64) (Coding, string) {
	for _, c := range codedMedians[table] {
		if c.value == v {
			return c.coding, c.words
		}
	}
	return NotCoded, ""
}

// settleCodes withdraws a top code that is not the largest value of its
// column, and a bottom code that is not the smallest. The code table spans
// ACS years whose codes differ (median gross rent was top-coded at 2,001
// before it was at 3,501): in a response where some tract's median rent is
// 2,500, a tract at 2,001 has a median of $2,001, not "2,000 or more". A
// code can only be an extreme of the values it limits.
func (c *Column) settleCodes() {
	if c.Coding == nil {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, ok := range c.Valid {
		if ok {
			lo, hi = min(lo, c.Values[i]), max(hi, c.Values[i])
		}
	}
	for i, k := range c.Coding {
		if (k == TopCoded && c.Values[i] < hi) || (k == BottomCoded && c.Values[i] > lo) {
			c.Coding[i], c.CodingWords[i] = NotCoded, ""
		}
	}
}
