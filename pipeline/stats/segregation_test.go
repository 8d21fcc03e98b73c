package stats

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

type raceTable struct {
	geoid                                     []string
	total, white, black, asian, latinx, other []float64
}

// loadRace reads testdata/oakland_race_12_tracts.csv (real ACS rows; see
// testdata/PROVENANCE.md).
func loadRace(t testing.TB) raceTable {
	t.Helper()
	f, err := os.Open("testdata/oakland_race_12_tracts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	num := func(r []string, c string) float64 {
		v, err := strconv.ParseFloat(r[col[c]], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var rt raceTable
	for _, r := range recs[1:] {
		rt.geoid = append(rt.geoid, r[col["GEOID"]])
		tot, w, b, a, l := num(r, "totraceE"), num(r, "WhiteE"), num(r, "BlackE"), num(r, "AsianE"), num(r, "LatinxE")
		rt.total = append(rt.total, tot)
		rt.white = append(rt.white, w)
		rt.black = append(rt.black, b)
		rt.asian = append(rt.asian, a)
		rt.latinx = append(rt.latinx, l)
		rt.other = append(rt.other, tot-w-b-a-l)
	}
	return rt
}

type pythonIndices struct {
	Python     string    `json:"python"`
	Geoids     []string  `json:"geoids"`
	DWB        float64   `json:"dissimilarity_white_black"`
	DWL        float64   `json:"dissimilarity_white_latinx"`
	Theil2     float64   `json:"theil_two_group_white_black"`
	TheilMulti float64   `json:"theil_multigroup_white_black_asian_latinx_other"`
	GiniBW     float64   `json:"gini_black_white"`
	LQBlack    []float64 `json:"location_quotient_black"`
}

// TestIndicesAgainstPython compares with testdata/indices_python.json, the
// output of testdata/indices.py (an independent implementation in the
// Python 3.11.7 standard library) on the same 12 Oakland tracts.
func TestIndicesAgainstPython(t *testing.T) {
	rt := loadRace(t)
	b, err := os.ReadFile("testdata/indices_python.json")
	if err != nil {
		t.Fatal(err)
	}
	var want pythonIndices
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if want.Python != "3.11.7" || len(want.Geoids) != len(rt.geoid) {
		t.Fatalf("reference made with python %s on %d tracts; want 3.11.7 on %d", want.Python, len(want.Geoids), len(rt.geoid))
	}
	for i := range rt.geoid {
		if rt.geoid[i] != want.Geoids[i] {
			t.Fatalf("row %d: geoid %s, reference %s", i, rt.geoid[i], want.Geoids[i])
		}
	}
	multi := make([][]float64, len(rt.geoid))
	for i := range multi {
		multi[i] = []float64{rt.white[i], rt.black[i], rt.asian[i], rt.latinx[i], rt.other[i]}
	}
	tests := []struct {
		name      string
		got, want float64
	}{
		{"dissimilarity white-black", Dissimilarity(rt.white, rt.black), want.DWB},
		{"dissimilarity white-latinx", Dissimilarity(rt.white, rt.latinx), want.DWL},
		{"theil two-group white-black", TheilTwoGroup(rt.white, rt.black), want.Theil2},
		{"theil multigroup", Theil(multi), want.TheilMulti},
		{"gini black-white", GiniSegregation(rt.black, rt.white), want.GiniBW},
	}
	for _, tt := range tests {
		if !near(tt.got, tt.want, 1e-12) {
			t.Errorf("%s = %.15g, python %.15g", tt.name, tt.got, tt.want)
		}
	}
	lq := LocationQuotients(rt.black, rt.total)
	for i := range lq {
		if !near(lq[i], want.LQBlack[i], 1e-12) {
			t.Errorf("LQ[%s] = %.15g, python %.15g", rt.geoid[i], lq[i], want.LQBlack[i])
		}
	}
}

func TestIndicesEdgeCases(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name      string
		got, want float64
	}{
		{"dissimilarity empty", Dissimilarity(nil, nil), nan},
		{"dissimilarity absent group", Dissimilarity([]float64{1, 2}, []float64{0, 0}), nan},
		{"dissimilarity complete segregation", Dissimilarity([]float64{5, 0}, []float64{0, 7}), 1},
		{"dissimilarity identical distribution", Dissimilarity([]float64{1, 2, 3}, []float64{10, 20, 30}), 0},
		{"dissimilarity null count", Dissimilarity([]float64{1, nan}, []float64{1, 1}), nan},
		{"dissimilarity negative count", Dissimilarity([]float64{1, -1}, []float64{1, 1}), nan},
		{"theil empty", Theil(nil), nan},
		{"theil one group only", Theil([][]float64{{3, 0}, {4, 0}}), nan},
		{"theil complete segregation", Theil([][]float64{{3, 0, 0}, {0, 4, 0}, {0, 0, 9}}), 1},
		{"theil even", Theil([][]float64{{1, 2}, {2, 4}}), 0},
		{"theil empty unit ignored", Theil([][]float64{{3, 0}, {0, 0}, {0, 4}}), 1},
		{"gini complete segregation", GiniSegregation([]float64{5, 0}, []float64{0, 5}), 1},
		{"gini absent group", GiniSegregation([]float64{0, 0}, []float64{1, 5}), nan},
	}
	for _, tt := range tests {
		if !near(tt.got, tt.want, 1e-12) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	// X/T = 2/8; unit 0: (1/2)/(1/4) = 2; unit 2: (1/6)/(1/4) = 2/3.
	lq := LocationQuotients([]float64{1, 0, 1}, []float64{2, 0, 6})
	if !near(lq[0], 2, 1e-12) || !math.IsNaN(lq[1]) || !near(lq[2], 2.0/3, 1e-12) {
		t.Errorf("LQ with an empty unit = %v, want [2 NaN 0.667]", lq)
	}
}

// TestIndexProperties checks, on random counts (fixed seed), that D, H and G
// stay in [0, 1] and do not change when every count is multiplied by the same
// factor.
func TestIndexProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(30)
		m := 2 + r.IntN(4)
		a := make([]float64, n)
		b := make([]float64, n)
		multi := make([][]float64, n)
		for i := 0; i < n; i++ {
			a[i] = float64(r.IntN(1000))
			b[i] = float64(r.IntN(1000))
			multi[i] = make([]float64, m)
			for j := range multi[i] {
				multi[i][j] = float64(r.IntN(500))
			}
		}
		k := 1 + 99*r.Float64()
		as, bs := scaled(a, k), scaled(b, k)
		ms := make([][]float64, n)
		for i := range multi {
			ms[i] = scaled(multi[i], k)
		}
		for _, c := range []struct {
			name  string
			v, vs float64
		}{
			{"dissimilarity", Dissimilarity(a, b), Dissimilarity(as, bs)},
			{"theil", Theil(multi), Theil(ms)},
			{"theil two-group", TheilTwoGroup(a, b), TheilTwoGroup(as, bs)},
			{"gini", GiniSegregation(a, b), GiniSegregation(as, bs)},
		} {
			if math.IsNaN(c.v) {
				continue // a group absent: documented NaN
			}
			if c.v < -1e-12 || c.v > 1+1e-12 {
				t.Fatalf("trial %d: %s = %v outside [0,1]", trial, c.name, c.v)
			}
			if !near(c.v, c.vs, 1e-9) {
				t.Fatalf("trial %d: %s = %v, scaled by %v = %v", trial, c.name, c.v, k, c.vs)
			}
		}
	}
}

func scaled(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

func BenchmarkTheil(b *testing.B) {
	rt := loadRace(b)
	multi := make([][]float64, len(rt.geoid))
	for i := range multi {
		multi[i] = []float64{rt.white[i], rt.black[i], rt.asian[i], rt.latinx[i], rt.other[i]}
	}
	b.ReportAllocs()
	for b.Loop() {
		Theil(multi)
	}
}
