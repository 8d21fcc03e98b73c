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

// TopCode is one entry of the top/bottom-code table: in the ACS releases
// From..To (inclusive; 0 leaves that end open), a value of Value in any
// estimate cell of the listed tables (or their race iterations, B19013A to
// B19013I) is not a median but the bound of the open-ended interval the
// median fell in. Words say so in plain words ("250,000 or more"); Source
// cites where the Bureau publishes the code.
type TopCode struct {
	Tables   []string
	From, To int
	Value    float64
	Coding   Coding
	Words    string
	Source   string
}

// Sources of the code table.
const (
	// srcNotes: the Bureau's note that an open-ended median is published as
	// the interval's bound followed by "+" or "-" (sent by the API as the
	// bound plus or minus one: "250,000+" is 250001, "2,500-" is 2499).
	srcNotes = "U.S. Census Bureau, Notes on ACS Estimate and Annotation Values (https://www.census.gov/data/developers/data-sets/acs-1year/notes-on-acs-estimate-and-annotation-values.html); ACS Subject Definitions, Derived Measures: Medians (open-ended distributions)"
	// srcIncome: income and earnings medians are computed on the standard
	// income distribution, whose top interval is $250,000 or more and whose
	// bottom interval is under $2,500.
	srcIncome = srcNotes + "; ACS Subject Definitions, Income: Median income (standard distribution $2,500 to $250,000+)"
	// srcValue2015: home values: the value distribution (B25075) ends at
	// $1,000,000 or more through the 2014 ACS and at $2,000,000 or more from
	// the 2015 ACS.
	srcValue = srcNotes + "; ACS table shells B25075 (top row $1,000,000 or more through 2014, $2,000,000 or more from 2015)"
	// srcRent: gross and contract rent distributions (B25063, B25056) end at
	// $2,000 or more through the 2014 ACS and at $3,500 or more from 2015.
	srcRent = srcNotes + "; ACS table shells B25063 and B25056 (top row $2,000 or more through 2014, $3,500 or more from 2015)"
	// srcCosts: monthly housing and owner costs (B25104, B25087) end at
	// $4,000 or more.
	srcCosts = srcNotes + "; ACS table shells B25104 and B25087 (top row $4,000 or more)"
)

var (
	incomeTables = []string{"B19013", "B19019", "B19049", "B19113", "B19119", "B19202", "B19326", "B20002", "B20017", "B20018", "B25099", "B25119"}
	valueTables  = []string{"B25076", "B25077", "B25078", "B25097", "B25107", "B25109"}
	rentTables   = []string{"B25031", "B25057", "B25058", "B25059", "B25064", "B25111", "B25113"}
	costTables   = []string{"B25088", "B25105"}
)

// TopCodes is the top/bottom-code table of ACS medians and quartiles. Every
// estimate cell of a listed table is checked (B25088_002 and _003, the
// medians with and without a mortgage, as much as _001). Tables whose
// open-ended codes are not listed here (B25071 and B25092, rent and owner
// costs as a percentage of income; B25018 rooms; B25035 and B25039 years)
// are medians all the same (see Classify) but their values are never
// flagged: their codes could not be checked against a Bureau source here.
var TopCodes = []TopCode{
	{incomeTables, 0, 0, 250001, TopCoded, "250,000 or more", srcIncome},
	{incomeTables, 0, 0, 2499, BottomCoded, "2,500 or less", srcIncome},
	{valueTables, 0, 2014, 1000001, TopCoded, "1,000,000 or more", srcValue},
	{valueTables, 2015, 0, 2000001, TopCoded, "2,000,000 or more", srcValue},
	{valueTables, 0, 0, 9999, BottomCoded, "10,000 or less", srcValue},
	{rentTables, 0, 2014, 2001, TopCoded, "2,000 or more", srcRent},
	{rentTables, 2015, 0, 3501, TopCoded, "3,500 or more", srcRent},
	{rentTables, 0, 0, 99, BottomCoded, "100 or less", srcRent},
	{costTables, 0, 0, 4001, TopCoded, "4,000 or more", srcCosts},
	{costTables, 0, 0, 99, BottomCoded, "100 or less", srcCosts},
}

// baseTable returns the table ID of an estimate variable with race
// iterations folded into their base table (B19013B_001E is B19013), or "".
func baseTable(name string) string {
	tbl, _, ok := strings.Cut(name, "_")
	if !ok {
		return ""
	}
	if n := len(tbl); n == 7 && tbl[n-1] >= 'A' && tbl[n-1] <= 'I' && tbl[0] == 'B' {
		return tbl[:n-1]
	}
	return tbl
}

var codedTables = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range TopCodes {
		for _, t := range c.Tables {
			m[t] = true
		}
	}
	return m
}()

// medianTable returns the base table of an estimate variable that has coded
// medians, or "" (every cell of those tables is checked).
func medianTable(name string) string {
	if t := baseTable(name); codedTables[t] {
		return t
	}
	return ""
}

// codingOf returns the coding of value v of table in any ACS year (the year
// unknown: Decode, then settleCodes keeps only extremes).
func codingOf(table string, v float64) (Coding, string) { return codeIn(table, 0, v) }

// codeIn returns the coding of value v of table in the ACS release year
// (0: any year).
func codeIn(table string, year int, v float64) (Coding, string) {
	for _, c := range TopCodes {
		if c.Value != v || (year != 0 && ((c.From != 0 && year < c.From) || (c.To != 0 && year > c.To))) {
			continue
		}
		for _, t := range c.Tables {
			if t == table {
				return c.Coding, c.Words
			}
		}
	}
	return NotCoded, ""
}

// CodeOf returns how value v of the estimate variable name (B25064_001E) is
// coded in the ACS release year (the end year of a 5-year dataset), with its
// plain words, from TopCodes. It is NotCoded for a table without codes and
// for a value that is an ordinary median in that year (2,001 is a rent from
// the 2015 ACS on).
func CodeOf(name string, year int, v float64) (Coding, string) {
	t := medianTable(name)
	if t == "" {
		return NotCoded, ""
	}
	return codeIn(t, year, v)
}

// CodeMedians re-flags the top- and bottom-coded medians of every estimate
// column for the ACS release year (the end year of a 5-year dataset): a
// value is coded exactly when TopCodes lists it for its table in that year.
// Decode, which does not know the year, flags a code of any year only when
// it is the largest (smallest) value of its column; CodeMedians replaces
// that guess. year 0 leaves the table as it is.
func (t *Table) CodeMedians(year int) {
	if year == 0 {
		return
	}
	for _, c := range t.Columns {
		if c.Kind != KindEstimate || c.Coding == nil {
			continue
		}
		tbl := medianTable(c.Name)
		for i := range c.Coding {
			c.Coding[i], c.CodingWords[i] = NotCoded, ""
			if tbl != "" && c.Valid[i] {
				c.Coding[i], c.CodingWords[i] = codeIn(tbl, year, c.Values[i])
			}
		}
	}
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
