package census

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/groundwork-org/groundwork/pipeline/store"
)

// sameDecode fails t unless Decode of body gives what the old fast path
// gave (oldDecodeBody): the same error text, or tables equal cell by cell
// (floats compared by their bits, so -0 and 0 differ). It reports whether
// the old fast path took the body.
func sameDecode(t *testing.T, body []byte) bool {
	t.Helper()
	want, took, wantErr := oldDecodeBody(body)
	if !took {
		return false
	}
	got, gotErr := Decode(strings.NewReader(string(body)))
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%.200q: error %v, old path %v", body, gotErr, wantErr)
	}
	if wantErr != nil {
		return true
	}
	sameTable(t, string(body[:min(len(body), 200)]), got, want)
	for _, year := range []int{2005, 2012, 2018, 2023} {
		got.CodeMedians(year)
		want.oldCodeMedians(year)
		sameTable(t, fmt.Sprintf("%.200s, codes of %d", body, year), got, want)
	}
	return true
}

// sameTable fails t unless got and want are equal cell by cell (floats
// compared by their bits, so -0 and 0 differ).
func sameTable(t *testing.T, what string, got, want *Table) {
	t.Helper()
	if got.rows != want.rows || len(got.Columns) != len(want.Columns) {
		t.Fatalf("%s: %d rows x %d columns, old path %d x %d", what, got.rows, len(got.Columns), want.rows, len(want.Columns))
	}
	for j, w := range want.Columns {
		g := got.Columns[j]
		if g.Name != w.Name || g.Kind != w.Kind || len(g.Values) != len(w.Values) {
			t.Fatalf("%s: column %d: %s %v, old path %s %v", what, j, g.Name, g.Kind, w.Name, w.Kind)
		}
		for i := range w.Raw {
			same := g.Text(i) == w.Raw[i] && g.Null[i] == w.Null[i]
			if w.Values != nil {
				same = same && math.Float64bits(g.Values[i]) == math.Float64bits(w.Values[i]) && g.Valid[i] == w.Valid[i] &&
					g.Annotation[i] == w.Annotation[i] && g.Coding[i] == w.Coding[i] && g.Words(i) == w.Words(i)
			}
			if !same {
				t.Fatalf("%s: %s row %d: got %q, old path %q", what, w.Name, i, g.Text(i), w.Raw[i])
			}
		}
	}
}

// TestDecodeMatchesOld: the typed fast path (rows typed in ranges, the
// number fast path, per-column code lists) gives the old path's tables and
// errors, on every recorded response under testdata, on hand-made bodies
// around its edges, and with every body typed in parallel ranges.
func TestDecodeMatchesOld(t *testing.T) {
	var bodies [][]byte
	files, _ := filepath.Glob("testdata/*.json")
	more, _ := filepath.Glob("testdata/*/*.json")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	if len(bodies) < 2 {
		t.Fatalf("found %d recorded responses under testdata", len(bodies))
	}
	head := `[["NAME","B19013_001E","B19013_001M","B25064_001E","B01002_001E","state","county","tract"]`
	for _, rows := range [][]string{
		{`["a","250001","-333333333","3501","-0","06","001","400100"]`, `["b","12.5","0.0","2001","115.0","06","001","400200"]`},
		{`["a","1.","5","007","1e5","06","001","1"]`, `["b","-1.25","-555555555","123456789012345678","0.000000000000001","06","001","2"]`},
		{`["a","-666666666","-222222222","-999999999","-888888888","06","001","1"]`, `["b",null,null,"4001","9.99999999999999","06","001","2"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","x","2","3","4","06","001","2"]`, `["c","1","2","3"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","1","2","3"]`, `["c","x","2","3","4","06","001","2"]`},
		{`["a","1","2","3","4","06","001","1"]`, `["b","1","2","3","4","06","001","2","9"]`},
		{`["a","+1","2",".5","-.5","06","001","1"]`, `["b","1","NaN","3","4","06","001","2"]`},
		{`["a","1","2","3","y","06","001","1"]`, `["b","x","2","3","4","06","001","2"]`, `["c","1","z","3","4","06","001","3"]`},
		{`["a","1234567890123456","99999999999999.9","0.1","-0.0","06","001","1"]`},
	} {
		bodies = append(bodies, []byte(head+","+strings.Join(rows, ",")+"]"))
	}
	bodies = append(bodies, []byte(head+"]"), []byte(`[]`), []byte(`[[]]`), []byte(`[["a","a"]]`), []byte(`[["a",null]]`))
	// A large body whose first error is in its last range, after a
	// correct first half.
	var big strings.Builder
	big.WriteString(head)
	for i := range 20000 {
		v := fmt.Sprint(i * 7)
		if i == 15000 || i == 19000 {
			v = "7x"
		}
		fmt.Fprintf(&big, `,["t%d","%d","%d.5","%s","%d","06","001","%06d"]`, i, i, i%100, v, i%90, i)
	}
	big.WriteString("]")
	bodies = append(bodies, []byte(big.String()))
	for _, small := range []bool{false, true} {
		if small {
			defer func(p int) { parallelCells = p }(parallelCells)
			parallelCells = 1
		}
		taken := 0
		for _, b := range bodies {
			if sameDecode(t, b) {
				taken++
			}
		}
		if taken < len(bodies)-1 {
			t.Fatalf("the fast path took %d of %d bodies", taken, len(bodies))
		}
	}
}

// FuzzDecodeMatchesOld: whatever the body, Decode's typed fast path gives
// the old path's table or error, its rows typed in parallel ranges.
func FuzzDecodeMatchesOld(f *testing.F) {
	f.Add([]byte(`[["NAME","B19013_001E","B19013_001M"],["a","250001","-333333333"],["b",null,"1."]]`))
	f.Add([]byte(`[["B25064_001E","B01001_001E"],["3501","-0"],["1e3","x"],["1"]]`))
	f.Add([]byte(`[["B25064_001E"],["00012.50"],["-555555555"]]`))
	defer func(p int) { parallelCells = p }(parallelCells)
	parallelCells = 1
	f.Fuzz(func(t *testing.T, body []byte) {
		if strings.Count(string(body), "[") > 1000 {
			return
		}
		sameDecode(t, body)
	})
}

// TestRecordMatchesOld: Record (Arrow arrays built directly) gives the
// record the old Record gave through table.Build's builders, and the same
// Parquet bytes, on every recorded response under testdata and, with
// GROUNDWORK_CENSUS_BENCH set, on the national scale bench's response.
func TestRecordMatchesOld(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	more, _ := filepath.Glob("testdata/*/*.json")
	files = append(files, more...)
	if p := os.Getenv("GROUNDWORK_CENSUS_BENCH"); p != "" {
		files = append(files, p)
	}
	dir := t.TempDir()
	ctx := context.Background()
	tested := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := Decode(strings.NewReader(string(b)))
		if err != nil {
			continue // the error bodies of the fake API
		}
		if tested%2 == 0 {
			tb.geoids() // as check builds them before Record, for every other file
		}
		tb.CodeMedians(2018)
		got, err := tb.Record()
		if err != nil {
			t.Fatal(err)
		}
		want, err := tb.oldRecord()
		if err != nil {
			t.Fatal(err)
		}
		if !got.Schema().Equal(want.Schema()) || !got.Schema().Metadata().Equal(want.Schema().Metadata()) || !array.RecordEqual(got, want) {
			t.Fatalf("%s: record differs from the old one:\n%v\n%v", f, got.Schema(), want.Schema())
		}
		gp, wp := filepath.Join(dir, "got.parquet"), filepath.Join(dir, "want.parquet")
		if err := store.WriteParquet(ctx, gp, got); err != nil {
			t.Fatal(err)
		}
		if err := store.WriteParquet(ctx, wp, want); err != nil {
			t.Fatal(err)
		}
		gb, _ := os.ReadFile(gp)
		wb, _ := os.ReadFile(wp)
		if !bytes.Equal(gb, wb) {
			t.Fatalf("%s: Parquet bytes differ from the old record's (%d and %d bytes)", f, len(gb), len(wb))
		}
		got.Release()
		want.Release()
		tested++
	}
	if tested < 2 {
		t.Fatalf("%d responses compared", tested)
	}
}
