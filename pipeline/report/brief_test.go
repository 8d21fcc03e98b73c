package report

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
)

func TestHeadlineRounding(t *testing.T) {
	for _, tt := range []struct {
		d    float64
		want string
	}{{-350.5, "350"}, {1234, "1,200"}, {35.5, "36"}, {0.4, "0"}} {
		if got := points(tt.d); got != tt.want {
			t.Errorf("points(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
	for _, tt := range []struct {
		x      float64
		format string
		want   string
	}{{53839, "dollars", "$53,800"}, {158125, "dollars", "$158,000"}, {0.692, "percent", "69.2%"}, {math.NaN(), "dollars", "–"}} {
		if got := sig3(tt.x, tt.format); got != tt.want {
			t.Errorf("sig3(%v, %q) = %q; want %q", tt.x, tt.format, got, tt.want)
		}
	}
}

// TestContrastWords writes the title and lead from made-up medians: a
// focus area with smaller, higher-scoring records says so.
func TestContrastWords(t *testing.T) {
	c := contrast{kind: "middle schools", focus: "east side", reference: "west side",
		size: &config.Measure{Column: "n", Label: "Enrollment"}, sizeF: 300, sizeR: 600,
		score: &config.Measure{Column: "s", Label: "Score"}, scoreF: 720, scoreR: 700,
		income: &config.Measure{Column: "i", Label: "Median income", Format: "dollars"}, incomeF: 40000, incomeR: 40500}
	if got, want := c.title(), "The median middle school in the east side has half the enrollment and scores 20 points higher than in the west side"; got != want {
		t.Errorf("title = %q; want %q", got, want)
	}
	if got, want := c.lead(), "Middle schools in the east side are smaller and score higher than in the west side."; got != want {
		t.Errorf("lead = %q; want %q (incomes about the same: no income clause)", got, want)
	}
}

func TestCoverOrder(t *testing.T) {
	got := cover("flatlands", "area", "schools", map[string]int{"D1": 3, "D2": 9, "": 2, "D3": 3})
	want := reports.Cover{What: "flatlands", Kind: "area", Unit: "schools", Outside: 2,
		Counts: []reports.SeatCount{{Seat: "D2", N: 9}, {Seat: "D1", N: 3}, {Seat: "D3", N: 3}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cover (-want +got):\n%s", diff)
	}
}

// TestIndicatorHeadlineWithoutMOE: a compared indicator whose counts have no
// margin of error (the Atlanta ACS file has no B15003 MOEs) cannot be
// tested. Its figure must say so, not that the difference "could be chance",
// and it must not be taken for the title's largest real difference. The
// estimates are made up.
func TestIndicatorHeadlineWithoutMOE(t *testing.T) {
	cfg := &config.Config{Indicators: &config.Indicators{
		Define:  []*config.IndicatorDef{{Name: "b", Label: "Adults with a degree", Percent: true}, {Name: "r", Label: "Renters", Percent: true}},
		Compare: &config.AreaCompare{Area: "county", Indicators: []string{"b", "r"}},
	}}
	val := func(est, moe float64, rel stats.Reliability) result.AreaValue {
		return result.AreaValue{Value: stats.Value{Est: est, MOE: moe}, Valid: true, Reliability: rel}
	}
	areas := []result.AreaValues{
		{Area: "East", Values: map[string]result.AreaValue{"b": val(43.4, math.NaN(), stats.Unknown), "r": val(45.7, 0.5, stats.Reliable)}},
		{Area: "West", Values: map[string]result.AreaValue{"b": val(51.4, math.NaN(), stats.Unknown), "r": val(48.5, 0.5, stats.Reliable)}},
	}
	var cmps []result.Comparison
	for _, name := range []string{"b", "r"} {
		c := stats.Compare("East", areas[0].Values[name].Value, "West", areas[1].Values[name].Value, stats.Conf90)
		cmps = append(cmps, result.Comparison{Indicator: name, A: "East", B: "West", Comparison: c})
	}
	in := &Input{Config: cfg, Indicators: &result.Indicators{Area: "county", Areas: areas, Comparisons: cmps}}
	gaps := in.indicatorHeadlines("East", "West")
	if len(gaps) != 2 {
		t.Fatalf("got %d headlines; want 2", len(gaps))
	}
	b := gaps[0]
	if strings.Contains(b.Comparison, "could be chance") || !strings.Contains(b.Comparison, "cannot be tested") {
		t.Errorf("no-MOE comparison = %q; want it to say the difference cannot be tested, not that it could be chance", b.Comparison)
	}
	if b.Margin == "" {
		t.Errorf("no-MOE figure has no margin words; want it to say there is no margin of error")
	}
	if b.gap != 0 {
		t.Errorf("no-MOE gap = %v; want 0 (not a real difference for the title)", b.gap)
	}
	if r := gaps[1]; strings.Contains(r.Comparison, "(") || r.gap == 0 {
		t.Errorf("significant comparison = %q, gap %v; want no remark and a gap", r.Comparison, r.gap)
	}
}

// TestIntervalOfProportion: the report's words for an indicator of kind
// proportion keep its range within 0 and 100% (Atlanta's segment table said
// "about 100%, likely between 85% and 115%"); a ratio indicator and a
// Census column keep theirs. The values are made up.
func TestIntervalOfProportion(t *testing.T) {
	in := &Input{Config: &config.Config{Indicators: &config.Indicators{Define: []*config.IndicatorDef{
		{Name: "renter_share", Kind: "proportion", Percent: true},
		{Name: "rent_change", Percent: true},
	}}}}
	for _, tt := range []struct{ col, want string }{
		{"renter_share", "about 100%, likely between 85% and 100%"},
		{"rent_change", "about 100%, likely between 85% and 115%"},
		{"B25003_003E", "about 100%, likely between 85% and 115%"},
	} {
		if got := in.interval(tt.col, 1.0, 0.15, "percent"); got != tt.want {
			t.Errorf("interval(%s) = %q; want %q", tt.col, got, tt.want)
		}
	}
}

// TestListWords: a need brief names the list's tracts with their count in
// its own title's words.
func TestListWords(t *testing.T) {
	rows := func(n int) []map[string]any { return make([]map[string]any, n) }
	for _, tt := range []struct {
		seg  result.Segment
		want string
	}{
		{result.Segment{Title: "Tracts with the highest need index", Rows: rows(25)}, "the 25 tracts with the highest need index"},
		{result.Segment{Title: "Oakland tracts with the highest need index", Rows: rows(20)}, "the 20 Oakland tracts with the highest need index"},
		{result.Segment{Name: "top_need", Rows: rows(1)}, `the 1 tract in the list "top_need"`},
	} {
		if got := listWords(&tt.seg); got != tt.want {
			t.Errorf("listWords(title %q, name %q) = %q, want %q", tt.seg.Title, tt.seg.Name, got, tt.want)
		}
	}
}
