package pipeline

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestIndicatorsAgainstRawCounts recomputes, from the raw Census JSON and
// the run's tract-to-area assignment, the hills' renter share with its MOE
// (ACS General Handbook 2020, ch. 8: sum MOE = sqrt(sum MOE_i^2); proportion
// MOE = sqrt(MOE_num^2 - p^2 MOE_den^2) / den), and the White-Black index
// of dissimilarity over the area tracts (Massey and Denton 1988:
// D = 1/2 sum |w_i/W - b_i/B|), and compares them with the run's outputs.
func TestIndicatorsAgainstRawCounts(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	res, err := runDemo(t, dir, out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "alameda_acs5_2018_tracts.json"))
	var raw [][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range raw[0] {
		col[h] = i
	}
	num := func(r []string, v string) float64 {
		x, err := strconv.ParseFloat(r[col[v]], 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tracts, err := store.ReadParquet(context.Background(), filepath.Join(out, "tracts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer tracts.Release()
	ids, _, _ := table.Strings(tracts, "geoid")
	terr, tv, _ := table.Strings(tracts, "terrain")
	areaOf := map[string]string{}
	for i, id := range ids {
		if tv[i] {
			areaOf[id] = terr[i]
		}
	}
	var own, rent, ownM2, rentM2 float64
	var w, bl []float64
	for _, r := range raw[1:] {
		id := r[col["state"]] + r[col["county"]] + r[col["tract"]]
		a, ok := areaOf[id]
		if !ok {
			continue
		}
		w = append(w, num(r, "B03002_003E"))
		bl = append(bl, num(r, "B03002_004E"))
		if a != "hills" {
			continue
		}
		own += num(r, "B25003_002E")
		rent += num(r, "B25003_003E")
		ownM2 += math.Pow(num(r, "B25003_002M"), 2)
		rentM2 += math.Pow(num(r, "B25003_003M"), 2)
	}
	den := own + rent
	p := rent / den
	moeNum := math.Sqrt(rentM2)
	moeDen := math.Sqrt(rentM2 + ownM2)
	moe := math.Sqrt(moeNum*moeNum-p*p*moeDen*moeDen) / den
	got := res.state.indicators.Areas[0]
	if got.Area != "hills" {
		t.Fatalf("first area is %q, want hills", got.Area)
	}
	v := got.Values["renter_share"]
	if math.Abs(v.Value.Est-100*p) > 1e-9 || math.Abs(v.Value.MOE-100*moe) > 1e-9 {
		t.Errorf("hills renter share = %.6f ± %.6f, independent %.6f ± %.6f", v.Value.Est, v.Value.MOE, 100*p, 100*moe)
	}
	var W, B, d float64
	for i := range w {
		W += w[i]
		B += bl[i]
	}
	for i := range w {
		d += math.Abs(w[i]/W - bl[i]/B)
	}
	d /= 2
	sg := res.state.indicators.Segregation
	if sg.Dissimilarity[0].A != "White" || sg.Dissimilarity[0].B != "Black" || math.Abs(sg.Dissimilarity[0].Value-d) > 1e-12 {
		t.Errorf("dissimilarity %+v, independent White-Black %.12f", sg.Dissimilarity[0], d)
	}
	if sg.Tracts != len(w) {
		t.Errorf("segregation over %d tracts, independent %d", sg.Tracts, len(w))
	}
}
