// Package result holds what the pipeline's stages compute besides their
// files: summaries, segments, indicators, outreach counts, unplaced records
// and source notes. The stage cache saves these values (encoding/gob) and
// pipeline/report turns them into the report; every field is therefore
// exported and holds plain data.
package result

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// Summary is a computed summary: one Group per combination of the By
// columns' values, in area order then value order.
type Summary struct {
	Name, Title string
	By          []string
	Measures    []*config.Measure
	Groups      []*Group
	// Area is the By column that is an area with a comparison, if any.
	Area    string
	Compare *config.Compare
}

// Group is one row of a summary.
type Group struct {
	Keys   []string // values of the By columns ("" for null)
	Labels []string // display labels of Keys
	N      int
	Stats  map[string]stats.Summary // by measure column
	Mean   map[string]float64
	// Bounds marks, by measure column then statistic ("min", "median",
	// "max", "mean"), the statistics that are bounds rather than estimates
	// because a top- or bottom-coded value gave them: the Bureau's words
	// when the statistic is a Census code itself (250001 is "250,000 or
	// more", 1939 "1939 or earlier"; indicator.CodeWords reads the edge
	// back), else "at least", "at most" or "not exact:"
	// (indicator.Bound.Words). Nil when none is.
	Bounds map[string]map[string]string
}

// Find returns the group whose keys equal keys, or nil.
func (s *Summary) Find(keys ...string) *Group {
	for _, g := range s.Groups {
		if strings.Join(g.Keys, "\x00") == strings.Join(keys, "\x00") {
			return g
		}
	}
	return nil
}

// StatValue is the named statistic of a measure (count, min, median, max,
// or mean, given as mean); NaN for another name.
func StatValue(s stats.Summary, mean float64, stat string) float64 {
	switch stat {
	case "count":
		return float64(s.N)
	case "min":
		return s.Min
	case "median":
		return s.Median
	case "max":
		return s.Max
	case "mean":
		return mean
	}
	return math.NaN()
}

// Segment is a selected, ranked segment.
type Segment struct {
	Name, Title, Of, Where string
	Rank                   *config.Rank
	Columns                []string
	Rows                   []map[string]any
	// Missing counts records the rule could not decide because a value it
	// needs is null; they are not in the segment.
	Missing int
	Files   []string
}

// Indicators are the computed indicators beyond the per-tract columns.
type Indicators struct {
	Confidence stats.Confidence
	Defs       []*config.IndicatorDef
	// Areas holds, per compared indicator, each area's value from the summed
	// tract counts, in area order.
	Area  string
	Areas []AreaValues
	// Comparisons holds the pairwise tests per compared indicator.
	Comparisons []Comparison
	Segregation *Segregation
	Need        *Need
	// Interpolations are tract counts apportioned onto other boundaries.
	Interpolations []Interpolation
}

// Interpolation is tract counts apportioned onto another boundary's
// features.
type Interpolation struct {
	Name, Title, Onto string
	Method            string   // "area" or "population (<source>)"
	Columns           []string // the estimate columns, in order
	Rows              []InterpolatedRow
	// Indicators are the defined indicators evaluated on each feature's
	// apportioned counts (each row's Indicators), at Confidence;
	// Comparisons, when asked, test every pair of features on each.
	Indicators  []string
	Confidence  stats.Confidence
	Comparisons []Comparison
}

// InterpolatedRow is one target feature with its apportioned values, in
// Columns order (Valid false: a source tract had no value), and its
// indicators by name.
type InterpolatedRow struct {
	ID         string
	Values     []stats.Value
	Valid      []bool
	Indicators map[string]AreaValue
}

// AreaValues is one area's indicator values.
type AreaValues struct {
	Area   string
	Tracts int
	Values map[string]AreaValue
}

// AreaValue is an estimate with MOE, CV and reliability, or a note why not.
type AreaValue struct {
	Value       stats.Value
	Valid       bool
	CV          float64
	Reliability stats.Reliability
	Note        string
}

// Comparison is the test of one indicator between two areas.
type Comparison struct {
	Indicator string
	A, B      string
	stats.Comparison
	// RateDiff and RateRatio are a - b and a / b with their MOEs, when the
	// pipeline file asks for disparities.
	RateDiff, RateRatio *stats.Value
}

// Segregation holds the segregation measures across tracts.
type Segregation struct {
	Tracts        int
	Dropped       []string // GEOIDs left out for a missing count
	Groups        []string
	Theil         float64
	Dissimilarity []PairIndex
	Gini          []PairIndex // when asked, the pairs' segregation Gini
	PairTheil     []PairIndex // when asked, the pairs' two-group Theil's H
	Where         string      // which tracts, in words
	// Within holds the same measures among the tracts of each area, in the
	// area's order, when asked.
	Within []AreaSegregation
	// LQColumns are the tract columns of location quotients, by group.
	LQColumns map[string]string
}

// AreaSegregation is the segregation among the tracts of one area.
type AreaSegregation struct {
	Area          string
	Tracts        int
	Theil         float64
	Dissimilarity []PairIndex
	Gini          []PairIndex
	PairTheil     []PairIndex
}

// PairIndex is a two-group index.
type PairIndex struct {
	A, B  string
	Value float64
}

// Need describes the composite need index.
type Need struct {
	Name, Label, Method string
	Scored, Unscored    int
	// Bounded lists the GEOIDs of scored tracts whose rank rests on a
	// top- or bottom-coded input (a bound, not an estimate), and
	// BoundedInputs the variables that had such values.
	Bounded       []string
	BoundedInputs []string
}

// Unplaced is a record that could not be placed on the map, with the reason.
type Unplaced struct {
	ID, Name, Reason string
}

// MaxUnplacedSample bounds the unplaced records a places set keeps for the
// report (the first by ID); every one is in unplaced/<name>.csv. A run with
// a million unplaced points would otherwise write a report no phone opens.
const MaxUnplacedSample = 100

// UnplacedSet is what the report shows of a places set's unplaced records:
// how many, how many for each kind of reason, and a bounded sample.
type UnplacedSet struct {
	Total    int
	ByReason []ReasonCount // most frequent first, then by reason
	Sample   []Unplaced    // at most MaxUnplacedSample, by ID
}

// ReasonCount is the number of records unplaced for one kind of reason
// (the reason without its record-specific details in parentheses).
type ReasonCount struct {
	Reason string
	N      int
}

// UnplacedTally builds a places set's UnplacedSet from its records, given
// one at a time in ID order. The zero value is ready to use.
type UnplacedTally struct {
	set    UnplacedSet
	counts map[string]int
	// Consecutive reasons mostly differ only inside their parentheses (the
	// coordinates): the last kind is remembered rather than rebuilt.
	lastPre, lastSuf, lastKind string
}

// Add counts u. Its strings are copied where kept, so they may be reused
// after the call.
func (t *UnplacedTally) Add(u Unplaced) {
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	if t.set.Total++; len(t.set.Sample) < MaxUnplacedSample {
		t.set.Sample = append(t.set.Sample, Unplaced{ID: strings.Clone(u.ID), Name: strings.Clone(u.Name), Reason: strings.Clone(u.Reason)})
	}
	r := u.Reason
	i := strings.IndexByte(r, '(')
	j := strings.IndexByte(r, ')')
	if i < 0 || j < i || strings.IndexByte(r[j+1:], '(') >= 0 {
		t.counts[reasonKind(r)]++
		return
	}
	if pre, suf := r[:i], r[j+1:]; pre != t.lastPre || suf != t.lastSuf || t.lastKind == "" {
		t.lastPre, t.lastSuf, t.lastKind = strings.Clone(pre), strings.Clone(suf), reasonKind(r)
	}
	t.counts[t.lastKind]++
}

// Set is the summary of the records added so far.
func (t *UnplacedTally) Set() UnplacedSet {
	set := t.set
	set.Sample = slices.Clone(set.Sample)
	set.ByReason = nil
	for r, n := range t.counts {
		set.ByReason = append(set.ByReason, ReasonCount{Reason: r, N: n})
	}
	sort.Slice(set.ByReason, func(i, j int) bool {
		a, b := set.ByReason[i], set.ByReason[j]
		return a.N > b.N || a.N == b.N && a.Reason < b.Reason
	})
	return set
}

// reasonKind drops the parenthesised details of a reason: "its location
// (37.1, -122.3) is outside every boundary" -> "its location is outside
// every boundary".
func reasonKind(r string) string {
	var b strings.Builder
	depth := 0
	for _, c := range r {
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Source describes a dataset read by the run.
type Source struct {
	Name, Title, About, File string
	Rows                     int
	// Streamed is true for a source read a row group at a time and held in
	// its Parquet file rather than in memory (see config.Config.StreamedSource).
	Streamed bool
	// NotCounts lists, for a Census source pulled with its metadata, the
	// variables that variables.json says are not counts (medians, means,
	// percentages: census.Classify), with the reason.
	NotCounts map[string]string
	// Labels names a Census source's variables in words, from its
	// variables.json (a pull only; a recorded response has none).
	Labels map[string]string
	// Confidence is, for a census source whose MOEs were converted from the
	// Bureau's 90%, their level (95 or 99); 0 otherwise.
	Confidence int
	// Changes are, for a census source pulled for several years, each
	// variable's tracts whose change between consecutive years is
	// statistically significant (stats.Compare), and the label changes of
	// the variables between those years (census.LabelChange, in words).
	Changes      []YearChange
	LabelChanges []string
}

// YearChange counts the tracts by the significance test of the change of
// one estimate between two years, at the confidence level Confidence
// (percent): Up and Down changed significantly, Same did not, Untested
// lack an estimate or MOE in one year.
type YearChange struct {
	Variable                 string
	From, To                 int
	Up, Down, Same, Untested int
	Confidence               int
}

// Outreach is what the outreach stage produced, for the report.
type Outreach struct {
	Contacts  *source.ContactStats
	Export    *outreach.Summary
	Listening *engage.ListeningSummary
	Turnout   *engage.TurnoutSummary
	FollowUp  *FollowUp
	// Seats counts the exported contacts by decision layer (boundary
	// name), contact segment and seat ("" for none).
	Seats map[string]map[string]map[string]int
}

// FollowUp is the follow-up loop's counts, for the report: per event the
// turnout (total, by segment, by area), the three lists with their files
// and skips, and how the attendance rows were matched. It holds no contact:
// the lists themselves are the files under exports/followup (the stage cache
// must not hold names or numbers).
type FollowUp struct {
	Events []engage.EventFollowUp // Reminder, Confirm and NoShow are nil
	Lists  []outreach.FollowUpList
	// Rows counts the attendance rows read, Skipped those that could not be
	// used (unknown status, nobody to recognise), per file.
	Rows, Skipped map[string]int
	// Matched counts rows by match rule (engage.MatchEmail, ...).
	Matched map[string]int
	// Ambiguous lists the rows whose match was ambiguous or disputed.
	Ambiguous []engage.Match
}
