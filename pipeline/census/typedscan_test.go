package census

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestQuotedNumber: quotedNumber gives fastNumber's value and refusal on
// every text it reads: integers of every length to 16 digits (the 8-byte
// path and the loop), signs, decimals, and texts that are not fastNumber's
// shape, each followed by a closing quote and padding of 0 to 9 bytes.
func TestQuotedNumber(t *testing.T) {
	texts := []string{"", "-", "0", "-0", "00", "007", "1.", ".5", "1.5", "-1.25", "12.50", "1e5", "+1", "1-", "--1",
		"9", "99", "999", "9999999", "99999999", "999999999", "1234567", "12345678", "123456789012345", "1234567890123456",
		"0.000000000000001", "-666666666", "-222222222", "1:", "1/", "1 ", "١", "12a", "12\\"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 16; n++ {
		for range 2000 {
			v := rng.Uint64() % uint64(math.Pow10(n))
			s := strconv.FormatUint(v, 10)
			texts = append(texts, s, strings.Repeat("0", n-len(s))+s, "-"+s)
		}
	}
	for b := range 256 {
		texts = append(texts, "12"+string(rune(b)), string([]byte{byte(b)}), "1234567"+string([]byte{byte(b)}))
	}
	for _, text := range texts {
		for pad := range 10 {
			s := `"` + text + `"` + strings.Repeat(",", pad)
			got, end, ok := quotedNumber(s, 1)
			want, wantOK := fastNumber(text)
			if strings.ContainsRune(text, '"') {
				continue
			}
			if ok != wantOK || (ok && (math.Float64bits(got) != math.Float64bits(want) || end != len(text)+1)) {
				t.Fatalf("quotedNumber(%q) = %v, %d, %v; fastNumber %v, %v", s, got, end, ok, want, wantOK)
			}
		}
	}
}

// rowsDecode is Decode's path before scanTable, kept as its fallback:
// scanString, then buildRows. ok is false when scanString refuses body.
func rowsDecode(body string) (*Table, error, bool) {
	rows, null, ok := scanString(body)
	if !ok {
		return nil, nil, false
	}
	if len(rows) == 0 {
		return nil, &DecodeError{Row: -2, Err: errors.New("empty array: no header row")}, true
	}
	t, err := buildRows(body, rows, null)
	return t, err, true
}

// sameTypedTable fails t unless got and want hold the same table: names,
// kinds, and every row's text, null, value (by its bits), validity,
// annotation, coding and words, and Raw set for the same columns.
func sameTypedTable(t *testing.T, what string, got, want *Table) {
	t.Helper()
	if got.Len() != want.Len() || len(got.Columns) != len(want.Columns) {
		t.Fatalf("%s: %d rows x %d columns, want %d x %d", what, got.Len(), len(got.Columns), want.Len(), len(want.Columns))
	}
	for j, w := range want.Columns {
		g := got.Columns[j]
		if g.Name != w.Name || g.Kind != w.Kind || (g.Raw == nil) != (w.Raw == nil) || (g.Values == nil) != (w.Values == nil) ||
			len(g.Null) != len(w.Null) || (g.CodingWords == nil) != (w.CodingWords == nil) {
			t.Fatalf("%s: column %d: %s %v (Raw %v), want %s %v (Raw %v)", what, j, g.Name, g.Kind, g.Raw != nil, w.Name, w.Kind, w.Raw != nil)
		}
		if w.Values != nil && (len(g.Values) != len(w.Values) || len(g.Valid) != len(w.Valid) || len(g.Annotation) != len(w.Annotation) || len(g.Coding) != len(w.Coding)) {
			t.Fatalf("%s: column %s: slice lengths differ", what, w.Name)
		}
		for i := range want.Len() {
			same := g.Text(i) == w.Text(i) && g.Null[i] == w.Null[i] && g.Words(i) == w.Words(i)
			if w.Values != nil {
				same = same && math.Float64bits(g.Values[i]) == math.Float64bits(w.Values[i]) && g.Valid[i] == w.Valid[i] &&
					g.Annotation[i] == w.Annotation[i] && g.Coding[i] == w.Coding[i]
			}
			if !same {
				t.Fatalf("%s: %s row %d: got %q (%v %v %v), want %q", what, w.Name, i, g.Text(i), g.Null[i], g.Valid, g.Annotation[i], w.Text(i))
			}
		}
	}
}

// sameScanTable fails t unless scanTable of body, when it takes it, gives
// the table of the rows path, and the rows path gives no error for it; it
// reports whether scanTable took body.
func sameScanTable(t *testing.T, body string) bool {
	t.Helper()
	got, ok := scanTable(body)
	want, err, took := rowsDecode(body)
	if !ok {
		return false
	}
	if !took || err != nil {
		t.Fatalf("%.200q: scanTable took it, the rows path: took %v, error %v", body, took, err)
	}
	what := body[:min(len(body), 200)]
	sameTypedTable(t, what, got, want)
	for _, year := range []int{2005, 2012, 2018, 2023} {
		got.CodeMedians(year)
		want.CodeMedians(year)
		sameTypedTable(t, fmt.Sprintf("%s, codes of %d", what, year), got, want)
	}
	return true
}

// scanTableBodies are the bodies of the differential tests of scanTable:
// every recorded response under testdata (real), the national scale
// bench's response with GROUNDWORK_CENSUS_BENCH (GENERATED), and made-up
// bodies around the edges of its fast paths, of its refusals, and of its
// parts (brackets in strings, which make a part's first row a guess).
func scanTableBodies(t *testing.T) []string {
	var bodies []string
	files, _ := filepath.Glob("testdata/*.json")
	more, _ := filepath.Glob("testdata/*/*.json")
	files = append(files, more...)
	if p := os.Getenv("GROUNDWORK_CENSUS_BENCH"); p != "" {
		files = append(files, p)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	head := `[["NAME","B19013_001E","B19013_001M","B25064_001E","B01002_001E","state","county","tract"]`
	for _, rows := range [][]string{
		{`["a","250001","-333333333","3501","-0","06","001","400100"]`, `["b","12.5","0.0","2001","115.0","06","001","400200"]`},
		{`["a","1.","5","007","1e5","06","001","1"]`, `["b","-1.25","-555555555","123456789012345678","0.000000000000001","06","001","2"]`},
		{`["a","-666666666","-222222222","-999999999","-888888888","06","001","1"]`, `["b",null,null,"4001","9.99999999999999","06","001","2"]`},
		{`["a",1,2.5,-3,4e1,"06","001","1"]`, `["b", "1" , "2" ,"3","4" ,"06","001","2"]`},
		{`["a","12345678","1234567","99999999","100000000","06","001","1"]`, `["b","-1234567","-12345678","0000000","00000000","06","001","2"]`},
		{`["a [1]","1","2","3","4","06","001","1"]`, `["],[","1","2","3","4","06","001","2"]`, `["c","1","2","3","4","06","001","3"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","x","2","3","4","06","001","2"]`, `["c","1","2","3"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","1","2","3"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","1","2","3","4","06","001","2","9"]`},
		{`["a","+1","2",".5","-.5","06","001","1"]`, `["b","1","NaN","3","4","06","001","2"]`},
		{`["a","1234567890123456","99999999999999.9","0.1","-0.0","06","001","1"]`},
		{`["é","1","2","3","4","06","001","1"]`, `["a\"b","1","2","3","4","06","001","2"]`},
		{`[null,"1","2","3","4",null,"001",""]`},
		// Rows of more than 64 KiB.
		{`["` + strings.Repeat("a", 1<<16) + `","1","2","3","4","06","001","1"]`, `["b","5","6","7","8","06","001","2"]`},
		{`["` + strings.Repeat("a", 1<<16-44) + `","1","2","3","4","06","001","1"]`, `["b","5","6","7","8","06","001","2"]`},
	} {
		bodies = append(bodies, head+","+strings.Join(rows, ",")+"]")
	}
	bodies = append(bodies, head+"]", `[]`, `[[]]`, `[["a","a"],["1","2"]]`, `[["a",null],["1","2"]]`, `[["a",""],["1","2"]]`,
		`[["a"],["1"]] x`, `[["a"],["1"],]`, `[["B01001_001E"],["`, `[["B01001_001E"],["-`, `[["B01001_001E"],["12345678`, `[["a"],[]]`, `[["B01001_001E"],["1"],["2"]]`, ` [ [ "a" ] , [ "1" ] ] `)
	// Large bodies, typed in parts: brackets in some names (each makes a
	// later part's first row a guess one too high), an error late in the
	// last part, a short row.
	for _, bad := range []int{-1, 15000, 19000} {
		for _, brackets := range []int{0, 1, 7} {
			var big strings.Builder
			big.WriteString(head)
			for i := range 20000 {
				v := fmt.Sprint(i * 7)
				if i == bad {
					v = "7x"
				}
				name := fmt.Sprintf("t%d", i)
				if brackets > 0 && i%(1000*brackets) == 3 {
					name = strings.Repeat("[", brackets) + name + "],["
				}
				// Nulls, annotation values, a top code, a Controlled MOE
				// and leading and trailing zeros among the plain numbers, in different rows of
				// part's blocks (stageRows).
				e, m := fmt.Sprint(i), fmt.Sprintf("%d.5", i%100)
				switch {
				case i%37 == 5:
					e = "null"
				case i%41 == 7:
					e, m = "-666666666", "-222222222"
				case i%43 == 9:
					e, m = "250001", "-333333333"
				case i%47 == 11:
					m = "-555555555"
				case i%53 == 13:
					m = "null"
				case i%59 == 17: // texts that are not their values' canonical form
					e, m = "0"+e, "1.50"
				}
				if e != "null" {
					e = `"` + e + `"`
				}
				if m != "null" {
					m = `"` + m + `"`
				}
				fmt.Fprintf(&big, `,["%s",%s,%s,"%s","%d","06","001","%06d"]`, name, e, m, v, i%90, i)
			}
			big.WriteString("]")
			bodies = append(bodies, big.String())
		}
	}
	return bodies
}

// TestScanTableMatchesRows: scanTable gives the rows path's table (the
// path Decode took before it, and still takes for what scanTable refuses)
// on every body of scanTableBodies, whole and in parts, and takes the real
// responses and the common shapes.
func TestScanTableMatchesRows(t *testing.T) {
	bodies := scanTableBodies(t)
	for _, small := range []bool{false, true} {
		if small {
			defer func(b int) { splitBytes = b }(splitBytes)
			splitBytes = 64
		}
		taken := 0
		for _, b := range bodies {
			if sameScanTable(t, b) {
				taken++
			}
		}
		if taken < 12 {
			t.Fatalf("scanTable took %d of %d bodies", taken, len(bodies))
		}
	}
	for _, f := range []string{alamedaFile, "testdata/alameda_acs5_2012_udp_rent_value.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := scanTable(string(b)); !ok {
			t.Errorf("scanTable refused %s", f)
		}
	}
}

// FuzzScanTableMatchesRows: whatever the body, scanTable, in parts, gives
// the rows path's table or leaves the body to it.
func FuzzScanTableMatchesRows(f *testing.F) {
	f.Add([]byte(`[["NAME","B19013_001E","B19013_001M"],["a","250001","-333333333"],["b",null,"1."]]`))
	f.Add([]byte(`[["B25064_001E","B01001_001E"],["3501","-0"],["1e3","12345678"],["1","2"]]`))
	f.Add([]byte(`[["NAME","B25064_001E"],["[a","00012.50"],["],[","-555555555"],["c","7"]]`))
	defer func(b int) { splitBytes = b }(splitBytes)
	splitBytes = 16
	f.Fuzz(func(t *testing.T, body []byte) {
		if strings.Count(string(body), "[") > 1000 {
			return
		}
		sameScanTable(t, string(body))
	})
}

// TestAllZero: allZero and validity's test for nulls see a single set
// element at every position of slices of every length to 100.
func TestAllZero(t *testing.T) {
	for n := range 100 {
		s := make([]Annotation, n)
		if !allZero(s) {
			t.Fatalf("length %d, all zero: allZero false", n)
		}
		for i := range n {
			s[i] = Controlled
			if allZero(s) {
				t.Fatalf("length %d, element %d set: allZero true", n, i)
			}
			s[i] = NoAnnotation
			flags := make([]bool, n)
			for k := range flags {
				flags[k] = k != i
			}
			if _, nulls := validity(n, flags, false); nulls != 1 {
				t.Fatalf("length %d, element %d false: %d nulls", n, i, nulls)
			}
		}
	}
}

// TestCanonical: canonical(s) is true exactly when strconv.FormatFloat of
// the value fastNumber reads from s gives s back, on integers and decimals
// of every length to 16 digits (random and all nines), with leading and
// trailing zeros, signs, and the annotation codes.
func TestCanonical(t *testing.T) {
	texts := []string{"0", "-0", "00", "0.0", "-0.0", "0.5", "-0.5", "0.50", "00.5", "1.0", "10", "100.001", "007",
		"1.", ".5", "-666666666", "-555555555", "999999999999999", "99999999999999.9", "0.00000000000001", "1e5"}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 16; n++ {
		nines := strings.Repeat("9", n)
		texts = append(texts, nines, "-"+nines)
		for range 3000 {
			d := strconv.FormatUint(rng.Uint64()%uint64(math.Pow10(n)), 10)
			d = strings.Repeat("0", rng.IntN(2)*(n-len(d))) + d
			texts = append(texts, d, "-"+d)
			if len(d) > 1 {
				p := 1 + rng.IntN(len(d)-1)
				texts = append(texts, d[:p]+"."+d[p:], "-"+d[:p]+"."+d[p:], d[:p]+"."+d[p:]+"0")
			}
		}
	}
	checked := 0
	for _, s := range texts {
		v, ok := fastNumber(s)
		if !ok {
			continue
		}
		checked++
		if want := strconv.FormatFloat(v, 'f', -1, 64) == s; canonical(s) != want {
			t.Fatalf("canonical(%q) = %v, FormatFloat gives %q", s, !want, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	if checked < 100000 {
		t.Fatalf("%d texts checked", checked)
	}
}
