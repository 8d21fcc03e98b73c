package census

import (
	"math"
	"slices"
	"strings"
)

// Coding says whether a median was top- or bottom-coded: the value stands for
// "this or more" ("this or less"), not the median itself. The value is kept.
type Coding int8

// Codings. OpenEnded is a median the API marks as falling in an
// open-ended interval (its MOE is -333333333, "median in an open-ended
// interval") at a value the code table has no code for: a bound in an
// unknown direction, never an estimate.
const (
	NotCoded Coding = iota
	TopCoded
	BottomCoded
	OpenEnded
)

func (c Coding) String() string {
	switch c {
	case TopCoded:
		return "top-coded"
	case BottomCoded:
		return "bottom-coded"
	case OpenEnded:
		return "open-ended"
	}
	return "not coded"
}

// openEndedWords are the words of an OpenEnded value.
const openEndedWords = "the Census marks this median as falling in an open-ended interval (margin of error -333333333), at a value the code table has no code for"

// markOpenEnded codes as OpenEnded every valid estimate that no entry of
// TopCodes codes but whose MOE column (the same name ending in M) holds the
// API's -333333333: the Bureau's own mark of a median in an open-ended
// interval outranks the code table, which cannot list every year's codes.
func (t *Table) markOpenEnded() {
	for _, c := range t.Columns {
		if c.Kind != KindEstimate || c.Coding == nil || !strings.HasSuffix(c.Name, "E") {
			continue
		}
		m := t.Column(strings.TrimSuffix(c.Name, "E") + "M")
		if m == nil || m.Kind != KindMOE {
			continue
		}
		for i := range c.Coding {
			if c.Valid[i] && c.Coding[i] == NotCoded && m.Annotation[i] == MOENotAppropriate {
				c.setCoding(i, OpenEnded, openEndedWords)
			}
		}
	}
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

// Sources of the code table. The values and words are the Bureau's; the
// years are not in any Bureau document found (see srcAfter2014).
const (
	// srcNotes: the Bureau's note that a median in the open-ended upper
	// (lower) interval of its distribution is published as the interval's
	// edge followed by "+" ("-"), which the API sends as a number.
	srcNotes = "U.S. Census Bureau, Notes on ACS Estimate and Annotation Values (https://www.census.gov/data/developers/data-sets/acs-1year/notes-on-acs-estimate-and-annotation-values.html): a '+' ('-') following a median estimate means the median falls in the upper (lowest) interval of an open-ended distribution"
	// srcJam: the Bureau's list of the numbers that stand for those
	// edges ("jam values for medians"): value, meaning and subject. Read
	// in two editions, neither opened here directly: the 2019 Summary File
	// handbook's Table 5.2 as transcribed row by row in the R package
	// getACS (elipousson/getACS data-raw/jam_values.R @ 0e8e726), and the
	// 2008-2012 5-year Summary File Technical Documentation as quoted in
	// full in the R package ACSdownload (ejanalysis/ACSdownload R/get.acs.R
	// @ 00392e5).
	// The two agree on every value used here; they differ only on the
	// "or later" year codes, which the table does not use.
	srcJam = srcNotes + "; U.S. Census Bureau, Understanding and Using the American Community Survey Summary File: What Data Users Need to Know (2019), ch. 5, Table 5.2 \"Jam Values for Medians\" (https://www.census.gov/content/dam/Census/library/publications/2019/acs/acs_summary-file_handbook_2019_ch05.pdf), and 2008-2012 ACS 5-Year Summary File Technical Documentation, \"Jam Values for Medians\""
	// srcAfter2014: the codes of the distributions widened in the 2015
	// ACS. Neither edition of the jam-value list has them (both still
	// list 2001 and 1000001 only), so the value is attested by data: the
	// recorded ACS 2014-2018 response for Alameda County tracts has three
	// median gross rents of 3501 and two median values of 2000001, and its
	// ACS 2008-2012 pull tops out at 2001 and 1000001. The 2014/2015
	// boundary itself is not in a Bureau document found here.
	srcAfter2014 = srcNotes + "; values not in the Bureau's jam-value list (which lists 2001 and 1000001 only): observed as the maxima of the recorded ACS 2014-2018 Alameda County tract response (B25064 3501, B25077 2000001) where its ACS 2008-2012 pull has 2001 and 1000001; first release year 2015 not attested by a Bureau document"

	// srcAPI: the API's own annotation of a value, read in recorded ACS
	// 1-year responses by state (2005-2018) that carry the annotation
	// variables (…EA "200,000+" beside …E 200001); see
	// pipeline/census/testdata/PROVENANCE.md, api_annotated.
	srcAPI = srcNotes + "; the Census Data API's estimate annotations (EA) in recorded ACS 1-year state responses, 2005-2018 (pipeline/census/testdata/api_annotated)"
)

var (
	// "Income, Earnings" in the jam-value list.
	incomeTables = []string{"B07011", "B19013", "B19019", "B19049", "B19113", "B19119", "B19202", "B19326", "B20002", "B20017", "B20018", "B25099", "B25119"}
	// The income medians whose "200,000+" (200001) the recorded responses
	// show in 2005-2008, before the distribution reached $250,000.
	income2008Tables = []string{"B19013", "B19113", "B19202"}
	// Earnings medians by occupation, industry and class of worker, and
	// B20017: "100,000+" (100001) in 2005-2008, "250,000+" from 2009,
	// "2,500-" throughout, all in the recorded responses.
	earningsTables     = []string{"B24011", "B24012", "B24021", "B24022", "B24031", "B24032", "B24041", "B24042", "B24081", "B24082", "B24091", "B24092"}
	earnings2008Tables = []string{"B20017", "B24011", "B24012", "B24021", "B24022", "B24031", "B24032", "B24041", "B24042", "B24081", "B24082", "B24091", "B24092"}
	// "Value".
	valueTables = []string{"B25076", "B25077", "B25078", "B25097", "B25107", "B25109"}
	// "Rent, Gross Rent".
	rentTables = []string{"B25031", "B25057", "B25058", "B25059", "B25064", "B25111", "B25113"}
	// "Selected Monthly Owner Costs, Monthly Housing Costs".
	costTables = []string{"B25088", "B25105"}
	// "Gross Rent as Percentage of Income, Owner Costs as Percentage of
	// Income": B25071 (gross rent), B25092 (owner costs, by mortgage status).
	percentTables = []string{"B25071", "B25092"}
	// "Rooms": B25018 median rooms, B25021 by tenure.
	roomTables = []string{"B25018", "B25021"}
	// "Year Built": B25035 median year structure built, B25037 by tenure.
	builtTables = []string{"B25035", "B25037"}
	// "Year Moved In": B25039 median year householder moved into unit.
	movedTables = []string{"B25039"}
	// "Age": B01002 median age by sex (and its race iterations).
	ageTables = []string{"B01002"}
)

// TopCodes is the top/bottom-code table of ACS medians and quartiles. Every
// estimate cell of a listed table is checked (B25088_002 and _003, the
// medians with and without a mortgage, as much as _001). The value is the
// number the API sends: the interval's edge plus (minus) one for money
// ("250,000 or more" is 250001), the edge itself for percentages, rooms and
// years ("50.0 or more" is 50, "1939 or earlier" is 1939), as the Bureau's
// list gives them, except where the API's own annotations in recorded
// responses show other numbers or years (srcAPI): "200,000 or more" and
// "100,000 or more" through 2008, "10.0 or less" as 10 in 2008-2017 and as
// 9 in 2018 (when 10.0 is a median).
//
// Not listed, because no Bureau document found gives them: the "or later"
// codes of year built and year moved in (the two editions of the list say
// 2005 and 2010; the Bureau's ACS office has said its documentation of them
// lagged the data), a bottom code for rooms, 1,000 or more (1001, "Selected
// Monthly Owner Costs": the list does not say which cells), the top codes
// of contract rent (B25056) after the 2015 widening, "10.0 or less" before
// 2008 and after 2018, and B20002 and B20018 before 2009.
var TopCodes = []TopCode{
	{incomeTables, 0, 0, 250001, TopCoded, "250,000 or more", srcJam},
	{incomeTables, 0, 0, 2499, BottomCoded, "2,500 or less", srcJam},
	{income2008Tables, 0, 2008, 200001, TopCoded, "200,000 or more", srcJam + "; years: " + srcAPI},
	{earningsTables, 0, 0, 250001, TopCoded, "250,000 or more", srcJam + "; tables: " + srcAPI},
	{earningsTables, 0, 0, 2499, BottomCoded, "2,500 or less", srcJam + "; tables: " + srcAPI},
	{earnings2008Tables, 0, 2008, 100001, TopCoded, "100,000 or more", srcAPI},
	{valueTables, 0, 2014, 1000001, TopCoded, "1,000,000 or more", srcJam},
	{valueTables, 2015, 0, 2000001, TopCoded, "2,000,000 or more", srcAfter2014},
	{valueTables, 0, 0, 9999, BottomCoded, "10,000 or less", srcJam},
	{rentTables, 0, 2014, 2001, TopCoded, "2,000 or more", srcJam},
	{rentTables, 2015, 0, 3501, TopCoded, "3,500 or more", srcAfter2014},
	{rentTables, 0, 0, 99, BottomCoded, "100 or less", srcJam},
	{costTables, 0, 0, 4001, TopCoded, "4,000 or more", srcJam},
	{costTables, 0, 0, 99, BottomCoded, "100 or less", srcJam},
	{percentTables, 0, 0, 50, TopCoded, "50.0 or more", srcJam},
	{percentTables, 2008, 2017, 10, BottomCoded, "10.0 or less", srcJam + "; years: " + srcAPI},
	{percentTables, 2018, 2018, 9, BottomCoded, "10.0 or less", srcAPI},
	{roomTables, 0, 0, 9, TopCoded, "9.0 or more", srcJam},
	{builtTables, 0, 0, 1939, BottomCoded, "1939 or earlier", srcJam},
	{movedTables, 0, 0, 1969, BottomCoded, "1969 or earlier", srcJam},
	{ageTables, 0, 0, 116, TopCoded, "115 or more", srcJam},
	{ageTables, 0, 0, 0, BottomCoded, "1 or less", srcJam},
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
// (0: any year): the first entry of TopCodes for table whose value is v and
// whose years include year. Only equal values are codes: a value beyond a
// code is not always one (the recorded 2005 responses have medians of
// B25092 below 10.0 that are real medians, while 2018's "10.0-" is 9.0 and
// its 10.0 a real median).
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
		var codes []TopCode // codeIn's entries for the column's table and year, in order
		for _, tc := range c.codes() {
			if (tc.From == 0 || year >= tc.From) && (tc.To == 0 || year <= tc.To) {
				codes = append(codes, tc)
			}
		}
		if len(codes) == 0 && c.CodingWords == nil && allZero(c.Coding) {
			continue // nothing coded, nothing to code
		}
		for i := range c.Coding {
			c.setCoding(i, NotCoded, "")
			if !c.Valid[i] {
				continue
			}
			for k := range codes {
				if codes[k].Value == c.Values[i] {
					c.setCoding(i, codes[k].Coding, codes[k].Words)
					break
				}
			}
		}
	}
	t.markOpenEnded()
}

// settleCodes withdraws a top code that is not the largest value of its
// column, and a bottom code that is not the smallest. The code table spans
// ACS years whose codes differ (median gross rent was top-coded at 2,001
// before it was at 3,501): in a response where some tract's median rent is
// 2,500, a tract at 2,001 has a median of $2,001, not "2,000 or more". A
// code can only be an extreme of the values it limits.
func (c *Column) settleCodes() {
	if c.Coding == nil || allZero(c.Coding) || !slices.ContainsFunc(c.Coding, func(k Coding) bool { return k == TopCoded || k == BottomCoded }) {
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
			c.setCoding(i, NotCoded, "")
		}
	}
}
