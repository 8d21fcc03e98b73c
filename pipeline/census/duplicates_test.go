package census

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// oldDuplicateGEOIDs is check's duplicate count as it was (session 7): the
// differential test's reference.
func oldDuplicateGEOIDs(ids []string) (int, []string) {
	first := make(map[string]int, len(ids))
	var dups []string
	ndup := 0
	for i, id := range ids {
		if j, ok := first[id]; ok {
			ndup++
			if len(dups) < maxListed {
				dups = append(dups, fmt.Sprintf("%s in rows %d and %d", id, j+1, i+1))
			}
			continue
		}
		first[id] = i
	}
	return ndup, dups
}

// TestDuplicateGEOIDsMatchesOld: duplicateGEOIDs counts and lists the same
// duplicates as the old map (oldDuplicateGEOIDs) on MADE-UP GEOID lists
// (seeded PCG): tracts with none, one and many repeats (three and more of
// one id too), ids of 1 to 18 digits, leading zeros, and lists that take
// the map (mixed widths, a letter, 19 digits, an empty id), and on the
// GEOIDs of every recorded response under testdata (real).
func TestDuplicateGEOIDsMatchesOld(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tracts := func(n, distinct int, width int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("%0*d", width, rng.IntN(distinct))
		}
		return ids
	}
	cases := map[string][]string{
		"none":           {"06001400100", "06001400200", "06001400300"},
		"one":            {"06001400100", "06001400200", "06001400100"},
		"thrice":         {"1", "1", "2", "1", "2"},
		"leading zeros":  {"0601", "6010", "0601", "6001"},
		"empty list":     {},
		"one id":         {"06"},
		"18 digits":      {"999999999999999999", "000000000000000000", "999999999999999999"},
		"19 digits":      {"9999999999999999999", "0000000000000000000", "9999999999999999999"},
		"mixed widths":   {"601", "0601", "601", "0601"},
		"a letter":       {"06001", "0600A", "06001", "0600A"},
		"an empty id":    {"", "06001", "", "06001"},
		"many repeats":   tracts(5000, 300, 11),
		"few repeats":    tracts(85000, 5_000_000, 11),
		"short, crowded": tracts(2000, 100, 2),
	}
	for _, width := range []int{1, 5, 12, 18} {
		cases[fmt.Sprint("width ", width)] = tracts(3000, 2500, width)
	}
	files := []string{alamedaFile}
	for _, f := range files {
		tb, err := ReadRecorded(f, Request{Dataset: "acs/acs5", Year: 2018, Variables: []string{"NAME", "B19013_001E", "B25064_001E"}, For: "tract:*", In: "state:06 county:001"})
		if err != nil {
			t.Fatal(err)
		}
		ids := tb.GEOIDs()
		cases["real "+f] = ids
		cases["real, doubled "+f] = append(slices.Clone(ids), ids...)
	}
	sawDups := 0
	for name, ids := range cases {
		n, dups := duplicateGEOIDs(ids)
		wn, wdups := oldDuplicateGEOIDs(ids)
		if n != wn || strings.Join(dups, "|") != strings.Join(wdups, "|") {
			t.Errorf("%s: %d duplicates %q, the old code %d %q", name, n, dups, wn, wdups)
		}
		if n > 0 {
			sawDups++
		}
	}
	if sawDups < 10 {
		t.Errorf("only %d cases with duplicates", sawDups)
	}
}
