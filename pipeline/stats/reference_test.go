package stats

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/groundwork-org/groundwork/internal/pyref"
)

// alamedaColumns reads columns of the real Alameda County ACS 2014-2018
// tract response (pipeline/census/testdata, see its PROVENANCE.md) as
// numbers; a row with any null or negative (annotation) value in them is
// left out, in every column alike.
func alamedaColumns(t *testing.T, names ...string) [][]float64 {
	t.Helper()
	b, err := os.ReadFile("../census/testdata/alameda_acs5_2018_tracts.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]*string
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	idx := make([]int, len(names))
	for j, n := range names {
		idx[j] = -1
		for k, h := range rows[0] {
			if *h == n {
				idx[j] = k
			}
		}
		if idx[j] < 0 {
			t.Fatalf("no column %s", n)
		}
	}
	out := make([][]float64, len(names))
rows:
	for _, r := range rows[1:] {
		vals := make([]float64, len(names))
		for j, k := range idx {
			if r[k] == nil {
				continue rows
			}
			v, err := strconv.ParseFloat(*r[k], 64)
			if err != nil || v < 0 {
				continue rows
			}
			vals[j] = v
		}
		for j := range vals {
			out[j] = append(out[j], vals[j])
		}
	}
	return out
}

type refBreaks struct {
	Quantiles   []float64 `json:"quantiles"`
	Linear      []float64 `json:"linear"`
	InvertedCDF []float64 `json:"inverted_cdf"`
	Equal       []float64 `json:"equal"`
	FisherJenks []float64 `json:"fisher_jenks"`
	Natural     []float64 `json:"natural"`
}

type refResult struct {
	Segregation struct {
		Dissim  float64     `json:"dissim"`
		Gini    float64     `json:"gini"`
		Entropy float64     `json:"entropy"`
		Theil   float64     `json:"theil"`
		LQ      [][]float64 `json:"lq"`
	} `json:"segregation"`
	Breaks []refBreaks `json:"breaks"`
}

// TestReferenceLibraries runs pysal's segregation 2.5.4 and mapclassify
// 2.10.0 (testdata/reference.py, pinned in /requirements.txt) on the same
// inputs as the Go functions in the same test run, and compares to 1e-9
// (bounds that are data values: exactly).
//
// Segregation: the 360 Alameda County tracts with a population, B03002
// White, Black, Asian, Hispanic and "other" (the rest of the total), Black
// residents as the focal group (pysal's single-group indices compare the
// group with the rest of the population: b = total - a here). pysal's own
// Sacramento test data (libpysal example "Sacramento1") is not shipped with
// the packages and is downloaded from the GeoDa Center, which the test
// machines cannot reach: it is not used.
//
// Breaks: the tract median household incomes (B19013, 357 tracts with a
// value) and x = 1..77 with k = 11 (the case the floating-point type 1
// quantile got wrong). Documented differences, pinned here:
//   - mapclassify.Quantiles interpolates linearly between order statistics
//     (numpy's default percentile, Hyndman and Fan type 7); QuantileBreaks is
//     type 1, numpy's method="inverted_cdf": the test checks mapclassify
//     against type 7 and QuantileBreaks against inverted_cdf;
//   - mapclassify.NaturalBreaks is a k-means heuristic; JenksBreaks is the
//     exact optimum of the same criterion, equal to mapclassify.FisherJenks:
//     the test checks that JenksBreaks' within-class sum of squared
//     deviations is at most that of NaturalBreaks' classes.
//   - mapclassify's bins are the k upper bounds; ours add the minimum first.
func TestReferenceLibraries(t *testing.T) {
	c := alamedaColumns(t, "B03002_001E", "B03002_003E", "B03002_004E", "B03002_006E", "B03002_012E")
	var tot, white, black, asian, hisp, other []float64
	for i := range c[0] {
		if c[0][i] == 0 {
			continue // an unpopulated tract: no group counts to compare
		}
		tot = append(tot, c[0][i])
		white, black, asian, hisp = append(white, c[1][i]), append(black, c[2][i]), append(asian, c[3][i]), append(hisp, c[4][i])
		other = append(other, c[0][i]-c[1][i]-c[2][i]-c[3][i]-c[4][i])
	}
	inc := alamedaColumns(t, "B19013_001E")[0]
	seq77 := make([]float64, 77)
	for i := range seq77 {
		seq77[i] = float64(i + 1)
	}
	type breaksReq struct {
		Values []float64 `json:"values"`
		K      int       `json:"k"`
	}
	req := map[string]any{
		"segregation": map[string]any{
			"groups": []map[string]any{{"name": "white", "counts": white}, {"name": "black", "counts": black}, {"name": "asian", "counts": asian}, {"name": "hispanic", "counts": hisp}, {"name": "other", "counts": other}},
			"focal":  "black",
		},
		"breaks": []breaksReq{{inc, 5}, {inc, 7}, {seq77, 11}},
	}
	var ref refResult
	pyref.Run(t, "testdata/reference.py", req, &ref)

	rest := make([]float64, len(tot))
	for i := range tot {
		rest[i] = tot[i] - black[i]
	}
	groups := [][]float64{white, black, asian, hisp, other} // the request's order
	counts := make([][]float64, len(tot))
	for i := range tot {
		counts[i] = []float64{white[i], black[i], asian[i], hisp[i], other[i]}
	}
	close := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %.15g, reference %.15g", name, got, want)
		}
	}
	close("Dissimilarity (Black vs rest)", Dissimilarity(black, rest), ref.Segregation.Dissim)
	close("GiniSegregation (Black vs rest)", GiniSegregation(black, rest), ref.Segregation.Gini)
	close("TheilTwoGroup (Black vs rest) vs segregation.Entropy", TheilTwoGroup(black, rest), ref.Segregation.Entropy)
	close("Theil (five groups) vs MultiInfoTheory", Theil(counts), ref.Segregation.Theil)
	for g, x := range groups {
		lq := LocationQuotients(x, tot)
		for i := range lq {
			close("LocationQuotients", lq[i], ref.Segregation.LQ[g][i])
		}
	}

	for bi, in := range req["breaks"].([]breaksReq) {
		r := ref.Breaks[bi]
		q, err := QuantileBreaks(in.Values, in.K)
		if err != nil {
			t.Fatal(err)
		}
		for j := range r.Quantiles {
			close("mapclassify.Quantiles is type 7", r.Quantiles[j], r.Linear[j])
			if q[j+1] != r.InvertedCDF[j] {
				t.Errorf("k=%d: QuantileBreaks b_%d = %v, numpy inverted_cdf %v", in.K, j+1, q[j+1], r.InvertedCDF[j])
			}
		}
		eq, _ := EqualIntervalBreaks(in.Values, in.K)
		for j := range r.Equal {
			close("EqualIntervalBreaks", eq[j+1], r.Equal[j])
		}
		jb, _ := JenksBreaks(in.Values, in.K)
		for j := range r.FisherJenks {
			if jb[j+1] != r.FisherJenks[j] {
				t.Errorf("k=%d: JenksBreaks b_%d = %v, mapclassify.FisherJenks %v", in.K, j+1, jb[j+1], r.FisherJenks[j])
			}
		}
		nb := append([]float64{jb[0]}, r.Natural...)
		if got, theirs := withinSSD(in.Values, jb), withinSSD(in.Values, nb); got > theirs*(1+1e-12) {
			t.Errorf("k=%d: JenksBreaks within-class sum of squares %v, more than mapclassify.NaturalBreaks' %v", in.K, got, theirs)
		}
	}
}

// withinSSD is the criterion natural breaks minimise: the sum over classes
// of the squared deviations of the values from their class mean.
func withinSSD(xs, bounds []float64) float64 {
	classes := make([][]float64, len(bounds)-1)
	for _, x := range xs {
		k := ClassOf(x, bounds)
		classes[k] = append(classes[k], x)
	}
	s := 0.0
	for _, c := range classes {
		m := 0.0
		for _, x := range c {
			m += x
		}
		m /= float64(len(c))
		for _, x := range c {
			s += (x - m) * (x - m)
		}
	}
	return s
}

// TestInequalityReference runs pysal's inequality 1.1.2
// (testdata/inequality_ref.py, pinned in /requirements.txt) on the same
// tract counts as TestReferenceLibraries: the 360 populated Alameda County
// tracts, ACS 2014-2018 B03002, Black residents as the focal group. The
// library measures the inequality of one value per observation; the
// segregation indices are its measures of the tract shares carried by each
// resident, rescaled (the script's doc comment gives the identities and
// their sources): Gini over residents / (1 - P) is GiniSegregation, the
// Schutz distance / (1 - P) is Dissimilarity, and the P-weighted Theil T
// indices over E are Theil's H (Theil, and TheilTwoGroup for two groups).
// The library computes them another way (sorting 1.6 million residents,
// not summing over tract pairs), so agreement to 1e-9 checks our
// formulas, not a shared implementation.
func TestInequalityReference(t *testing.T) {
	c := alamedaColumns(t, "B03002_001E", "B03002_003E", "B03002_004E", "B03002_006E", "B03002_012E")
	var white, black, asian, hisp, other, rest []float64
	var counts [][]float64
	for i := range c[0] {
		if c[0][i] == 0 {
			continue
		}
		w, b, a, h := c[1][i], c[2][i], c[3][i], c[4][i]
		o := c[0][i] - w - b - a - h
		white, black, asian, hisp, other = append(white, w), append(black, b), append(asian, a), append(hisp, h), append(other, o)
		rest = append(rest, c[0][i]-b)
		counts = append(counts, []float64{w, b, a, h, o})
	}
	req := map[string]any{
		"groups": []map[string]any{{"name": "white", "counts": white}, {"name": "black", "counts": black}, {"name": "asian", "counts": asian}, {"name": "hispanic", "counts": hisp}, {"name": "other", "counts": other}},
		"focal":  "black",
	}
	var ref struct {
		Gini     float64 `json:"gini"`
		Dissim   float64 `json:"dissim"`
		Theil    float64 `json:"theil"`
		TheilTwo float64 `json:"theil_two"`
	}
	pyref.Run(t, "testdata/inequality_ref.py", req, &ref)
	for _, tt := range []struct {
		name      string
		got, want float64
	}{
		{"GiniSegregation vs inequality.Gini / (1 - P)", GiniSegregation(black, rest), ref.Gini},
		{"Dissimilarity vs inequality.Schutz distance / (1 - P)", Dissimilarity(black, rest), ref.Dissim},
		{"Theil (five groups) vs inequality.Theil", Theil(counts), ref.Theil},
		{"TheilTwoGroup (Black vs rest) vs inequality.Theil", TheilTwoGroup(black, rest), ref.TheilTwo},
	} {
		d := math.Abs(tt.got - tt.want)
		if d > 1e-9 {
			t.Errorf("%s: %.15g, reference %.15g", tt.name, tt.got, tt.want)
		}
		t.Logf("%s: %.15g, difference %.2g", tt.name, tt.got, d)
	}
}
