package pipeline

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/censusread"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/report"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// decodeFile decodes a recorded Census response.
func decodeFile(t *testing.T, b []byte) *census.Table {
	t.Helper()
	tab, err := census.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestYearChangesRealRentValue tests the change of median gross rent and
// median home value in Alameda County tracts between the ACS 2008-2012 and
// 2014-2018 5-year estimates (real values: testdata/years/PROVENANCE.md)
// and checks the counts against a recomputation of the handbook's Z from
// the raw JSON.
func TestYearChangesRealRentValue(t *testing.T) {
	b12, err := os.ReadFile(filepath.Join("testdata", "years", "alameda_acs5_2012_udp_rent_value.json"))
	if err != nil {
		t.Fatal(err)
	}
	b18, _ := oakland.Files.ReadFile("alameda_acs5_2018_tracts.json")
	t12, t18 := decodeFile(t, b12), decodeFile(t, b18)
	got := censusread.YearChanges(t12, 2012, t18, 2018, stats.Conf90)

	// independent recomputation from the raw arrays
	rows := func(b []byte) map[string]map[string]string {
		var all [][]*string
		if err := json.Unmarshal(b, &all); err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]string{}
		for _, r := range all[1:] {
			m := map[string]string{}
			for i, h := range all[0] {
				if r[i] != nil {
					m[*h] = *r[i]
				}
			}
			out[m["state"]+m["county"]+m["tract"]] = m
		}
		return out
	}
	r12, r18 := rows(b12), rows(b18)
	num := func(m map[string]string, k string) (float64, bool) {
		v, err := strconv.ParseFloat(m[k], 64)
		return v, err == nil && v >= 0 // every annotation value is negative
	}
	var want []result.YearChange
	for _, v := range []string{"B25064_001E", "B25077_001E"} {
		if t18.Column(strings.TrimSuffix(v, "E")+"M") == nil {
			continue
		}
		ch := result.YearChange{Variable: v, From: 2012, To: 2018, Confidence: 90}
		m := strings.TrimSuffix(v, "E") + "M"
		for id, x := range r18 {
			y, ok := r12[id]
			e2, ok2 := num(x, v)
			m2, ok3 := num(x, m)
			var e1, m1 float64
			ok4, ok5 := false, false
			if ok {
				e1, ok4 = num(y, v)
				m1, ok5 = num(y, m)
			}
			if !(ok && ok2 && ok3 && ok4 && ok5) {
				ch.Untested++
				continue
			}
			z := (e2 - e1) / math.Sqrt(math.Pow(m2/1.645, 2)+math.Pow(m1/1.645, 2))
			switch {
			case z > 1.645:
				ch.Up++
			case z < -1.645:
				ch.Down++
			default:
				ch.Same++
			}
		}
		want = append(want, ch)
	}
	slices.SortFunc(got, func(a, b result.YearChange) int { return strings.Compare(a.Variable, b.Variable) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got[0].Up == 0 || got[0].Same == 0 {
		t.Errorf("rent 2012 to 2018: %+v; want both significant rises and unchanged tracts in Alameda", got[0])
	}

	joined, missing := t18.JoinYear(t12, 2012)
	if missing != 0 {
		t.Errorf("%d 2018 tracts missing from 2012", missing)
	}
	c := joined.Column("B25064_001E_2012")
	if c == nil || c.Kind != census.KindEstimate {
		t.Fatalf("no estimate column B25064_001E_2012 in %d columns", len(joined.Columns))
	}
	for i, id := range joined.GEOIDs() {
		if id == "06001441501" && c.Raw[i] != "1982" {
			t.Errorf("tract 06001441501 rent 2012 = %s, want 1982 (UDP mrent_12)", c.Raw[i])
		}
	}
	if _, err := joined.Record(); err != nil {
		t.Fatal(err)
	}
}

// TestCensusYearsOverlapRefused loads the demo with its census source
// asking for 2018 and 2019 5-year estimates, which share four survey years.
func TestCensusYearsOverlapRefused(t *testing.T) {
	dir := demoDir(t)
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte("    year: 2018\n"), []byte("    years: [2018, 2019]\n"), 1)
	b = bytes.Replace(b, []byte("    recorded: alameda_acs5_2018_tracts.json\n"), nil, 1)
	os.WriteFile(p, b, 0o644)
	_, err := config.Load(p)
	if err == nil {
		t.Fatal("overlapping 5-year estimates accepted")
	}
	for _, w := range []string{"sources.acs.years[1]", "2014-2018", "2015-2019", "overlapping 5-year", "at least five apart"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

// TestYearsSectionWords renders the changes of the real 2012 and 2018
// Alameda rents through the report's section and checks the plain words.
func TestYearsSectionWords(t *testing.T) {
	b12, _ := os.ReadFile(filepath.Join("testdata", "years", "alameda_acs5_2012_udp_rent_value.json"))
	b18, _ := oakland.Files.ReadFile("alameda_acs5_2018_tracts.json")
	ch := censusread.YearChanges(decodeFile(t, b12), 2012, decodeFile(t, b18), 2018, stats.Conf90)
	src := result.Source{Name: "acs", Title: "ACS", Changes: ch, LabelChanges: []string{"B19013_001E changed label between 2018 and 2019"}}
	in := &report.Input{Config: &config.Config{Report: &config.ReportConfig{}}, Sources: []result.Source{src}}
	var text string
	for _, s := range report.Build(in).Sections {
		text += s.Title + "\n" + strings.Join(s.Paragraphs, "\n")
	}
	for _, w := range []string{"Changes between years: ACS", "B25064_001E, 2012 to 2018: a statistically significant rise in 236 tracts and a significant fall in 1", "90% confidence level", "not adjusted for inflation", "Label change: B19013_001E"} {
		if !strings.Contains(text, w) {
			t.Errorf("report lacks %q in:\n%s", w, text)
		}
	}
}
