package census

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

const alamedaFile = "testdata/alameda_acs5_2018_tracts.json"

func decodeAlameda(t testing.TB) *Table {
	t.Helper()
	return decodeFile(t, alamedaFile)
}

// decodeFile decodes the recorded response in path.
func decodeFile(t testing.TB, path string) *Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return tb
}

// TestDecodeAlameda checks the decoder on the real Alameda County file. The
// expected counts are those listed for this file in
// shared/data/oakland/SOURCES.md (section 2), except where a comment names
// another source.
func TestDecodeAlameda(t *testing.T) {
	tb := decodeAlameda(t)
	if got, want := tb.Len(), 361; got != want {
		t.Errorf("Len() = %d, want %d (SOURCES.md: 361 data rows)", got, want)
	}
	if got, want := len(tb.Columns), 64; got != want {
		t.Errorf("columns = %d, want %d (SOURCES.md: 64 columns)", got, want)
	}
	count := func(col string, a Annotation) int {
		c := tb.Column(col)
		if c == nil {
			t.Fatalf("no column %s", col)
		}
		n := 0
		for _, x := range c.Annotation {
			if x == a {
				n++
			}
		}
		return n
	}
	coded := func(col string, v float64, k Coding) int {
		c := tb.Column(col)
		n := 0
		for i := range c.Coding {
			if c.Coding[i] == k && c.Values[i] == v {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"B19013_001E -666666666", count("B19013_001E", NotComputable), 1},
		{"B25077_001E -666666666", count("B25077_001E", NotComputable), 5},
		{"B25064_001E -666666666", count("B25064_001E", NotComputable), 6},
		{"B25077_001M -222222222", count("B25077_001M", MOENotComputable), 5},
		{"B25064_001M -222222222", count("B25064_001M", MOENotComputable), 6},
		{"B25077_001M -333333333", count("B25077_001M", MOENotAppropriate), 2},
		{"B25064_001M -333333333", count("B25064_001M", MOENotAppropriate), 3},
		// Not listed in SOURCES.md; counted independently with Python 3
		// json (grep of the file gives the same): 2 and 1.
		{"B06011_001E -666666666", count("B06011_001E", NotComputable), 2},
		{"B25105_001E -666666666", count("B25105_001E", NotComputable), 1},
		{"B19013_001E top-coded 250001", coded("B19013_001E", 250001, TopCoded), 2},
		{"B25077_001E top-coded 2000001", coded("B25077_001E", 2000001, TopCoded), 2},
		{"B25064_001E top-coded 3501", coded("B25064_001E", 3501, TopCoded), 3},
		// 3501 also occurs once in B03002_001E (a population count, not a
		// median): it must not be flagged.
		{"B03002_001E not coded", coded("B03002_001E", 3501, TopCoded), 0},
		// The 99 counts in B25064_001M and many count columns are ordinary
		// numbers: no bottom-coding outside medians.
		{"B25064_001M not coded", coded("B25064_001M", 99, BottomCoded), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	// Annotated cells are not valid numbers; every other estimate is.
	for _, c := range tb.Columns {
		if c.Kind != KindEstimate && c.Kind != KindMOE {
			continue
		}
		for i := range c.Valid {
			if c.Valid[i] == (c.Annotation[i] != NoAnnotation) {
				t.Fatalf("%s row %d: Valid=%v with annotation %v", c.Name, i, c.Valid[i], c.Annotation[i])
			}
		}
	}
	// First row values as in the file (Census Tract 4001).
	if got := tb.Column("B19013_001E").Values[0]; got != 200893 {
		t.Errorf("B19013_001E row 0 = %v, want 200893", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		want Kind
	}{
		{"NAME", KindLabel},
		{"state", KindGeography},
		{"block group", KindGeography},
		{"zip code tabulation area", KindGeography},
		{"GEO_ID", KindGeography},
		{"B19013_001E", KindEstimate},
		{"B19013A_001E", KindEstimate},
		{"B19013_001M", KindMOE},
		{"B19013_001EA", KindAnnotation},
		{"B19013_001MA", KindAnnotation},
		{"S1701_C01_001E", KindEstimate},
		{"DP05_0001PE", KindEstimate},
		{"DP05_0001PM", KindMOE},
		{"P1_001N", KindEstimate},
		{"P001001", KindOther},
		{"SUMLEVEL", KindOther},
		{"for", KindOther},
	}
	for _, tt := range tests {
		if got := KindOf(tt.name); got != tt.want {
			t.Errorf("KindOf(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantRow int
		wantCol string
		notJSON bool
	}{
		{"html page", "<html><body>Invalid Key</body></html>", -2, "", true},
		{"truncated", `[["NAME","B19013_001E"],["x","1"`, -2, "", false},
		{"empty body", ``, -2, "", false},
		{"empty array", `[]`, -2, "", false},
		{"trailing data", `[["NAME"],["a"]] [["NAME"]]`, -2, "", false},
		{"object", `{"error":"x"}`, -2, "", true},
		{"duplicate column", `[["NAME","NAME"]]`, -1, "NAME", false},
		{"null column name", `[["NAME",null]]`, -1, "", false},
		{"short row", `[["NAME","B19013_001E"],["a"]]`, 0, "", false},
		{"text in estimate", `[["NAME","B19013_001E"],["a","1"],["b","n/a"]]`, 1, "B19013_001E", false},
		{"bool value", `[["NAME","B19013_001E"],[true,"1"]]`, 0, "NAME", false},
		{"NaN rejected", `[["B19013_001E"],["NaN"]]`, 0, "B19013_001E", false},
		{"hex rejected", `[["B19013_001E"],["0x10"]]`, 0, "B19013_001E", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.body))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode: err = %v, want *DecodeError", err)
			}
			if de.Row != tt.wantRow || de.Column != tt.wantCol {
				t.Errorf("DecodeError row %d column %q, want row %d column %q (%v)", de.Row, de.Column, tt.wantRow, tt.wantCol, err)
			}
			if got := errors.Is(err, ErrNotJSON); got != tt.notJSON {
				t.Errorf("errors.Is(err, ErrNotJSON) = %v, want %v (%v)", got, tt.notJSON, err)
			}
			if msg := err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] {
				t.Errorf("error starts upper case: %q", msg)
			}
		})
	}
}

func TestGEOIDs(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"tract padded", `[["NAME","state","county","tract"],["x","6","1","4001"]]`, []string{"06001004001"}},
		{"block group, columns out of order", `[["block group","tract","county","state"],["2","400100","001","06"]]`, []string{"060014001002"}},
		{"zcta drops state", `[["zip code tabulation area","state"],["94607","06"]]`, []string{"94607"}},
		{"zcta padded", `[["zip code tabulation area"],["601"]]`, []string{"00601"}},
		{"place", `[["state","place"],["06","53000"]]`, []string{"0653000"}},
		{"unified school district", `[["state","school district (unified)"],["06","29150"]]`, []string{"0629150"}},
		{"GEO_ID only", `[["GEO_ID","B01001_001E"],["1400000US06001400100","1"]]`, []string{"06001400100"}},
		{"ucgid only", `[["ucgid"],["0400000US06"]]`, []string{"06"}},
		{"no geography", `[["NAME"],["x"]]`, []string{""}},
		{"components preferred over GEO_ID", `[["GEO_ID","state"],["0400000US06","06"]]`, []string{"06"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := Decode(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tb.GEOIDs()); diff != "" {
				t.Errorf("GEOIDs() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGEOIDsAlameda(t *testing.T) {
	ids := decodeAlameda(t).GEOIDs()
	// First and last tract of the file, and tract 9900 (water) listed in
	// SOURCES.md.
	if ids[0] != "06001400100" {
		t.Errorf("first GEOID = %q, want 06001400100", ids[0])
	}
	found := false
	seen := map[string]bool{}
	for _, id := range ids {
		if len(id) != 11 || !strings.HasPrefix(id, "06001") {
			t.Errorf("GEOID %q: want 11 characters starting 06001", id)
		}
		if seen[id] {
			t.Errorf("duplicate GEOID %q", id)
		}
		seen[id] = true
		found = found || id == "06001990000"
	}
	if !found {
		t.Error("tract 06001990000 (SOURCES.md: water tract 9900) missing")
	}
}

func TestRecordAlameda(t *testing.T) {
	tb := decodeAlameda(t)
	rec, err := tb.Record()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if got, want := rec.NumRows(), int64(361); got != want {
		t.Fatalf("rows = %d, want %d", got, want)
	}
	fields := rec.Schema().Fields()
	if fields[0].Name != "geoid" || fields[1].Name != "name" || fields[2].Name != "B03002_001E" {
		t.Errorf("first columns %s, %s, %s; want geoid, name, B03002_001E", fields[0].Name, fields[1].Name, fields[2].Name)
	}
	// Note columns exist exactly for the columns with annotated or coded
	// values (SOURCES.md lists B19013, B25077, B25064 E and M; B06011_001E
	// and B25105_001E carry -666666666 too, counted above).
	var notes []string
	for _, f := range fields {
		if strings.HasSuffix(f.Name, table.NoteSuffix) {
			notes = append(notes, f.Name)
		}
	}
	wantNotes := []string{"B19013_001E_note", "B06011_001E_note", "B25077_001E_note", "B25077_001M_note",
		"B25064_001E_note", "B25064_001M_note", "B25105_001E_note"}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("note columns (-want +got):\n%s", diff)
	}
	vals, valid, err := table.Floats(rec, "B19013_001E")
	if err != nil {
		t.Fatal(err)
	}
	note, noteValid, err := table.Strings(rec, "B19013_001E_note")
	if err != nil {
		t.Fatal(err)
	}
	var nulls, top int
	for i := range vals {
		switch {
		case !valid[i]:
			nulls++
			if note[i] != "estimate not computable: too few sample observations (-666666666)" {
				t.Errorf("row %d note %q", i, note[i])
			}
			if vals[i] < -1e8 {
				t.Errorf("row %d: annotation value leaked: %v", i, vals[i])
			}
		case noteValid[i]:
			top++
			if vals[i] != 250001 || note[i] != "top-coded: 250,000 or more (250001)" {
				t.Errorf("row %d: value %v note %q", i, vals[i], note[i])
			}
		}
	}
	if nulls != 1 || top != 2 {
		t.Errorf("B19013_001E: %d nulls, %d top-coded; want 1 and 2 (SOURCES.md)", nulls, top)
	}
	geo, _, err := table.Strings(rec, "tract")
	if err != nil || geo[0] != "400100" {
		t.Errorf("tract column: %v %q", err, geo[0])
	}
}

func TestRecordNotes(t *testing.T) {
	// Hand-written single-row responses, one per annotation value.
	tests := []struct {
		name      string
		col       string
		raw       string
		wantValid bool
		wantValue float64
		wantNote  string
	}{
		{"plain", "B01001_001E", "12", true, 12, ""},
		{"-666666666", "B19013_001E", "-666666666", false, 0, "estimate not computable: too few sample observations (-666666666)"},
		{"-999999999", "B01001_001M", "-999999999", false, 0, "not computed: sample too small (-999999999)"},
		{"-888888888", "B01001_001E", "-888888888", false, 0, "not applicable or not available (-888888888)"},
		{"-222222222", "B19013_001M", "-222222222", false, 0, "margin of error not computable: too few sample observations (-222222222)"},
		{"-333333333", "B19013_001M", "-333333333", false, 0, "margin of error not appropriate: median in an open-ended interval (-333333333)"},
		{"-555555555 MOE becomes 0", "B01001_001M", "-555555555", true, 0, "controlled estimate, no sampling error (-555555555); margin of error set to 0"},
		{"-555555555 estimate is null", "B01001_001E", "-555555555", false, 0, "controlled estimate, no sampling error (-555555555)"},
		{"bottom-coded", "B19013_001E", "2499", true, 2499, "bottom-coded: 2,500 or less (2499)"},
		{"race iteration top-coded", "B19013B_001E", "250001", true, 250001, "top-coded: 250,000 or more (250001)"},
		{"rent top-coded", "B25064_001E", "3501", true, 3501, "top-coded: 3,500 or more (3501)"},
		{"profile percent", "DP05_0001PE", "-888888888", false, 0, "not applicable or not available (-888888888)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `[["NAME","` + tt.col + `","state"],["x","` + tt.raw + `","06"]]`
			tb, err := Decode(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := tb.Record()
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			v, ok, err := table.Floats(rec, tt.col)
			if err != nil {
				t.Fatal(err)
			}
			if ok[0] != tt.wantValid || v[0] != tt.wantValue {
				t.Errorf("value %v valid %v, want %v valid %v", v[0], ok[0], tt.wantValue, tt.wantValid)
			}
			hasNote := table.Has(rec, tt.col+"_note")
			if hasNote != (tt.wantNote != "") {
				t.Fatalf("note column present = %v, want %v", hasNote, tt.wantNote != "")
			}
			if hasNote {
				n, _, _ := table.Strings(rec, tt.col+"_note")
				if n[0] != tt.wantNote {
					t.Errorf("note %q, want %q", n[0], tt.wantNote)
				}
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	tb := decodeAlameda(t)
	var buf bytes.Buffer
	if err := tb.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tb, back, sameValues); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func FuzzDecode(f *testing.F) {
	b, err := os.ReadFile(alamedaFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b[:4000]) // truncated real body
	f.Add(b)
	for _, s := range []string{
		`[["NAME","B19013_001E","B19013_001M","state","county","tract"],["x","-666666666","-222222222","6","1","4001"]]`,
		`[["B25077_001E","GEO_ID"],["2000001",null]]`,
		`[["NAME"]]`, `[]`, `<html></html>`, `[["a","a"]]`, `[["P1_001N"],[12]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tb, err := Decode(bytes.NewReader(body))
		if err != nil {
			return
		}
		ids := tb.GEOIDs()
		if len(ids) != tb.Len() {
			t.Fatalf("GEOIDs: %d for %d rows", len(ids), tb.Len())
		}
		var buf bytes.Buffer
		if err := tb.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := Decode(&buf)
		if err != nil {
			t.Fatalf("decoding encoded table: %v", err)
		}
		if diff := cmp.Diff(tb, back, sameValues); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		rec, err := tb.Record()
		if err != nil {
			// Only name collisions may fail.
			return
		}
		if rec.NumRows() != int64(tb.Len()) {
			t.Fatalf("record rows %d, want %d", rec.NumRows(), tb.Len())
		}
		rec.Release()
	})
}

// TestCodesAreExtremes: a value in the code table is a top (bottom) code
// only when it is the largest (smallest) value of its column. The responses
// are made up for the rule, two tracts each.
func TestCodesAreExtremes(t *testing.T) {
	tests := []struct {
		name  string
		col   string
		vals  [2]string
		want0 Coding // of the first value
	}{
		{"old rent code below a higher rent is a rent", "B25064_001E", [2]string{"2001", "2500"}, NotCoded},
		{"old rent code as the highest value is a code", "B25064_001E", [2]string{"2001", "1500"}, TopCoded},
		{"current rent code", "B25064_001E", [2]string{"3501", "2500"}, TopCoded},
		{"old home value code below a higher value", "B25077_001E", [2]string{"1000001", "1250000"}, NotCoded},
		{"bottom code as the lowest value", "B25064_001E", [2]string{"99", "150"}, BottomCoded},
		{"bottom code above a lower value", "B25064_001E", [2]string{"99", "60"}, NotCoded},
		{"an annotation does not count as a value", "B19013_001E", [2]string{"250001", "-666666666"}, TopCoded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fmt.Sprintf(`[["NAME","%s","state","county","tract"],["a","%s","06","001","400100"],["b","%s","06","001","400200"]]`, tt.col, tt.vals[0], tt.vals[1])
			tb, err := Decode(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if got := tb.Column(tt.col).Coding[0]; got != tt.want0 {
				t.Errorf("%s = %s: %v, want %v", tt.col, tt.vals[0], got, tt.want0)
			}
		})
	}
}

// sameValues compares tables by their values: each column's text as Text
// gives it (in Raw or in the response's bytes), not where it is held, and
// not the GEOIDs a table keeps once built (geoids).
var sameValues = cmp.Options{
	cmp.AllowUnexported(Table{}, Column{}),
	cmpopts.IgnoreFields(Table{}, "ids"),
	cmp.Transformer("text", func(c *Column) Column {
		p := *c
		p.Raw = make([]string, len(c.Null))
		for i := range p.Raw {
			p.Raw[i] = c.Text(i)
		}
		p.text, p.col = nil, 0
		return p
	}),
}
