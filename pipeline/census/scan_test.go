package census

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// jsonRows is the reference: encoding/json with numbers kept literally.
func jsonRows(body []byte) ([][]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var rows [][]any
	if err := dec.Decode(&rows); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errTrailing
	}
	return rows, nil
}

var errTrailing = os.ErrInvalid

// checkAgainstJSON fails if scanRows accepts body and encoding/json does not
// read the same rows from it.
func checkAgainstJSON(t *testing.T, body []byte) (accepted bool) {
	t.Helper()
	rows, null, ok := scanRows(body)
	if !ok {
		return false
	}
	want, err := jsonRows(body)
	if err != nil {
		t.Fatalf("scanRows accepted %q, which encoding/json refuses: %v", body, err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%q: %d rows, encoding/json %d", body, len(rows), len(want))
	}
	k := 0
	for r := range rows {
		if len(rows[r]) != len(want[r]) {
			t.Fatalf("%q row %d: %d cells, encoding/json %d", body, r, len(rows[r]), len(want[r]))
		}
		for c, v := range want[r] {
			var s string
			isNull := false
			switch v := v.(type) {
			case nil:
				isNull = true
			case string:
				s = v
			case json.Number:
				s = v.String()
			default:
				t.Fatalf("scanRows accepted %q with a %T value", body, v)
			}
			if rows[r][c] != s || null[k] != isNull {
				t.Fatalf("%q row %d cell %d: %q (null %v), encoding/json %q (null %v)", body, r, c, rows[r][c], null[k], s, isNull)
			}
			k++
		}
	}
	return true
}

func TestScanRows(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		accept bool
	}{
		{"header and rows", `[["NAME","B01001_001E","state"],["Alameda","1666753","06"],["x",null,"01"]]`, true},
		{"numbers and spaces", " [ [\"a\" , -1.5e+3 ,0, 12.25 ] ,\n\t[\"b\",null,1E2,-0]\r\n] ", true},
		{"empty array", `[]`, true},
		{"empty row", `[[]]`, true},
		{"non-ASCII", `[["Cañon City","1"]]`, true},
		{"escape: left to encoding/json", `[["a\"b"]]`, false},
		{"boolean", `[["a",true]]`, false},
		{"object", `[[{"a":1}]]`, false},
		{"nested array", `[[["a"]]]`, false},
		{"truncated", `[["a","b"],["c"`, false},
		{"trailing data", `[["a"]] x`, false},
		{"trailing comma", `[["a",]]`, false},
		{"leading zero", `[[01]]`, false},
		{"bare minus", `[[-]]`, false},
		{"dot without digits", `[[1.]]`, false},
		{"control character", "[[\"a\x01\"]]", false},
		{"invalid UTF-8", "[[\"\xff\"]]", false},
		{"nul", `[[nul]]`, false},
		{"not an array", `{"a":1}`, false},
		{"empty body", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkAgainstJSON(t, []byte(tt.body)); got != tt.accept {
				t.Errorf("scanRows(%q) accepted = %v, want %v", tt.body, got, tt.accept)
			}
		})
	}
}

// TestScanRowsRealResponse checks the fast path on the recorded Alameda
// response (testdata/PROVENANCE.md): accepted, and equal to encoding/json.
func TestScanRowsRealResponse(t *testing.T) {
	body, err := os.ReadFile(alamedaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !checkAgainstJSON(t, body) {
		t.Fatal("scanRows refused the recorded Alameda response")
	}
}

// FuzzScanRows: whatever scanRows accepts, encoding/json reads the same.
func FuzzScanRows(f *testing.F) {
	f.Add([]byte(`[["NAME","B01001_001E"],["a","1"],["b",null]]`))
	f.Add([]byte(`[[-0.5e-7, "x"]]`))
	f.Add([]byte(`[["\u00e9"]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if strings.Count(string(body), "[") > 1000 {
			return
		}
		checkAgainstJSON(t, body)
	})
}

// BenchmarkScanRows compares the fast path with encoding/json's decode into
// [][]json.RawMessage (what Decode did) on the recorded Alameda response.
func BenchmarkScanRows(b *testing.B) {
	body, err := os.ReadFile(alamedaFile)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("scanRows", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := scanRows(body); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding-json-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var rows [][]json.RawMessage
			if err := json.Unmarshal(body, &rows); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// sameSplit fails t unless scanning s in parts (2 to 4) gives what scanning
// it whole gives, whenever the parts are all accepted; it reports whether
// some split was accepted.
func sameSplit(t *testing.T, s string) (split bool) {
	t.Helper()
	wantRows, wantNull, wantOK := scanWhole(s)
	for parts := 2; parts <= 4; parts++ {
		rows, null, ok := scanSplit(s, parts)
		if !ok {
			continue
		}
		split = true
		if !wantOK {
			t.Fatalf("%.200q in %d parts: accepted, refused whole", s, parts)
		}
		if !slices.EqualFunc(rows, wantRows, slices.Equal) || !slices.Equal(null, wantNull) {
			t.Fatalf("%.200q in %d parts: %v %v, whole %v %v", s, parts, rows, null, wantRows, wantNull)
		}
	}
	return split
}

// TestScanSplit: the recorded Alameda response, scanned in parts, gives
// the rows of the whole scan; bodies whose cut falls inside a string, or
// that are refused, fall back to the whole scan.
func TestScanSplit(t *testing.T) {
	body, err := os.ReadFile(alamedaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSplit(t, string(body)) {
		t.Fatal("the recorded Alameda response was not scanned in parts")
	}
	for _, s := range []string{
		`[["a","b"],["1","2"],["3","4"],["5","6"]]`,
		`[["a","],[x"],["1","],["],["3",null],[ "5" , 6 ] ]`,
		`[["a"],["],[" ],["b"]`,
		`[["a"],["1"],["2"]] x`,
		`[["a"],["1"],["2"],]`,
		`[["a"],[],["2"]]`,
		`[]`,
		`[["a"] , ["1"] ,` + "\n" + `["2"]]`,
	} {
		sameSplit(t, s)
	}
	defer func(b int) { splitBytes = b }(splitBytes)
	splitBytes = 1
	if rows, _, ok := scanRows(body); !ok || len(rows) < 300 {
		t.Fatalf("scanRows in parts: ok %v, %d rows", ok, len(rows))
	}
}

// FuzzScanSplit: whatever the body, a scan in parts that accepts it gives
// the whole scan's rows.
func FuzzScanSplit(f *testing.F) {
	f.Add([]byte(`[["NAME","B01001_001E"],["a","1"],["b",null],["c","],["]]`))
	f.Add([]byte(`[[1],[2],[3],[4],[5]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if strings.Count(string(body), "[") > 1000 {
			return
		}
		sameSplit(t, string(body))
	})
}

// scanRows is scanString of a copy of body, its cells as strings: the
// shape the tests compare with encoding/json's.
func scanRows(body []byte) (rows [][]string, null []bool, ok bool) {
	if len(body) == 0 {
		return nil, nil, false
	}
	s := string(body)
	spans, null, ok := scanString(s)
	if !ok {
		return nil, nil, false
	}
	rows = make([][]string, len(spans))
	for r, row := range spans {
		rows[r] = make([]string, len(row))
		for j, c := range row {
			rows[r][j] = c.of(s)
		}
	}
	return rows, null, true
}
