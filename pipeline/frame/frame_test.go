package frame

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

func TestTableRoundTripAndEdits(t *testing.T) {
	r := New()
	r.AddCol("geoid", table.String)
	r.AddCol("n", table.Int)
	r.AddCol("x", table.Float)
	r.AddCol("ok", table.Bool)
	r.AppendRow(map[string]any{"geoid": "06001400100", "n": int64(3), "x": 1.5, "ok": true})
	r.AppendRow(map[string]any{"geoid": "06001400200", "n": nil, "x": int64(2), "ok": false})
	r.AppendRow(map[string]any{"geoid": nil, "n": "three", "x": "wrong type", "extra": 1})

	// A column added late is null in the earlier records.
	r.AddCol("area", table.String)
	r.Set(0, "area", "hills")
	r.Set(1, "area", nil)
	r.Set(2, "x", 7.25)

	rec, err := r.Record(map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	back := FromRecord(rec)
	want := []map[string]any{
		{"geoid": "06001400100", "n": int64(3), "x": 1.5, "ok": true, "area": "hills"},
		{"geoid": "06001400200", "n": nil, "x": 2.0, "ok": false, "area": nil},
		{"geoid": nil, "n": nil, "x": 7.25, "ok": nil, "area": nil},
	}
	if back.Len() != len(want) {
		t.Fatalf("len %d, want %d", back.Len(), len(want))
	}
	for i, w := range want {
		if got := back.Row(i); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d = %v, want %v", i, got, w)
		}
	}
	if !reflect.DeepEqual(back.cols, []string{"geoid", "n", "x", "ok", "area"}) {
		t.Errorf("cols %v", back.cols)
	}

	sub := back.Subset([]int{2, 0})
	if got := []any{sub.Get(0, "x"), sub.Get(1, "geoid")}; !reflect.DeepEqual(got, []any{7.25, "06001400100"}) {
		t.Errorf("subset = %v", got)
	}
	back.Keep([]int{1, 2})
	if back.Len() != 2 || back.Str(0, "geoid") != "06001400200" || back.Get(1, "x") != 7.25 {
		t.Errorf("after keep: %v, %v", back.Row(0), back.Row(1))
	}
	if back.Get(0, "no such column") != nil || back.Str(0, "x") != "" {
		t.Error("missing column or non-string column should read as null")
	}
	if err := back.PutCol(&table.Column{Name: "short", Valid: []bool{true}}); err == nil {
		t.Error("putCol accepted a column of the wrong length")
	}
}

func TestTableMatchFillsOnlyRuleColumns(t *testing.T) {
	r := New()
	r.AddCol("terrain", table.String)
	r.AddCol("api00", table.Int)
	r.AppendRow(map[string]any{"terrain": "flatlands", "api00": int64(507)})
	r.AppendRow(map[string]any{"terrain": "hills", "api00": nil})
	rule, err := segment.Compile(`api00 < 600`, r.cols)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]any{}
	if ok, err := r.Match(rule, 0, env); !ok || err != nil {
		t.Errorf("record 0: %v, %v", ok, err)
	}
	if _, err := r.Match(rule, 1, env); err == nil {
		t.Error("record 1 (null api00) should not be decidable")
	}
	if _, ok := env["terrain"]; ok {
		t.Error("match filled a column the rule does not read")
	}
}

// TestStreamScansLikeTheFile writes two chunks to a Parquet file and hands
// the same chunks to a Stream: ScanCols of the stream gives what ScanCols
// of the file gives (only the columns asked for, in file order, the same
// values and bases), Len counts the records once read, and a second scan
// fails.
func TestStreamScansLikeTheFile(t *testing.T) {
	chunk := func(ids ...string) *Table {
		c := New()
		c.AddCol("id", table.String)
		c.AddCol("n", table.Int)
		c.AddCol("x", table.Float)
		for k, id := range ids {
			c.AppendRow(map[string]any{"id": id, "n": int64(k), "x": float64(k) / 2})
		}
		return c
	}
	chunks := []*Table{chunk("a", "b", "c"), chunk("d", "e")}
	path := filepath.Join(t.TempDir(), "t.parquet")
	var recs []arrow.RecordBatch
	for _, c := range chunks {
		rec, err := c.Record(nil)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	w, err := store.NewWriter(path, recs[0].Schema())
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stream := Stream(chunks[0].Cols(), chunks[0].Types(), func(ctx context.Context, fn func(*Table, int) error) error {
		base := 0
		for _, c := range chunks {
			if err := fn(c, base); err != nil {
				return err
			}
			base += c.Len()
		}
		return nil
	})
	read := func(r *Table) []string {
		var got []string
		err := r.ScanCols(context.Background(), []string{"x", "id"}, func(c *Table, base int) error {
			got = append(got, fmt.Sprint(base, c.Cols()))
			for i := range c.Len() {
				got = append(got, fmt.Sprint(c.Row(i)))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if !stream.Streamed() || stream.Len() != 0 {
		t.Errorf("a stream not read: streamed %v, len %d; want true, 0", stream.Streamed(), stream.Len())
	}
	want, got := read(file), read(stream)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stream %v, file %v", got, want)
	}
	if stream.Len() != 5 {
		t.Errorf("len after the scan: %d, want 5", stream.Len())
	}
	if err := stream.Scan(context.Background(), func(*Table, int) error { return nil }); err == nil {
		t.Error("a second scan of a stream succeeded")
	}
}

// TestKeepAsSubset: Keep, which leaves the records before the first
// dropped one in place (and everything when none is dropped), keeps the
// records Subset copies, on MADE-UP tables of every column type with
// nulls and random ascending selections (all, none, a prefix, a suffix).
func TestKeepAsSubset(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := rnd.IntN(40)
		mk := func() *Table {
			r := New()
			for _, c := range []struct {
				name string
				t    table.Type
			}{{"s", table.String}, {"f", table.Float}, {"i", table.Int}, {"b", table.Bool}} {
				r.AddCol(c.name, c.t)
			}
			return r
		}
		r := mk()
		for i := range n {
			row := map[string]any{}
			if i%3 != 0 {
				row["s"], row["f"], row["i"], row["b"] = fmt.Sprint("v", i), float64(i)/2, int64(i), i%2 == 0
			}
			r.AppendRow(row)
		}
		var idx []int
		switch trial % 4 {
		case 0:
			for i := range n {
				idx = append(idx, i)
			}
		case 1:
			for i := range rnd.IntN(n + 1) {
				idx = append(idx, i) // a prefix
			}
		default:
			for i := range n {
				if rnd.IntN(3) > 0 {
					idx = append(idx, i)
				}
			}
		}
		want := r.Subset(idx)
		r.Keep(idx)
		if r.Len() != want.Len() {
			t.Fatalf("trial %d: %d records kept, want %d", trial, r.Len(), want.Len())
		}
		for i := range r.Len() {
			if got, w := r.Row(i), want.Row(i); !reflect.DeepEqual(got, w) {
				t.Fatalf("trial %d, record %d: %v, want %v", trial, i, got, w)
			}
		}
		for _, name := range r.Cols() {
			if c := r.Column(name); c.Len() != len(idx) {
				t.Fatalf("trial %d: column %s has %d values, want %d", trial, name, c.Len(), len(idx))
			}
		}
	}
}
