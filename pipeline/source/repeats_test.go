package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestRepeatsWarned: a column named in Repeats (the places' id of a source
// with no key) may repeat, and every repeat is a warning naming its line and
// the value's first line, never an error, never a warning for a hash
// collision of two distinct values; every row is still handed on. With Key
// set, the same file is refused (Key wins over Repeats).
func TestRepeatsWarned(t *testing.T) {
	constant := func(string) uint64 { return 42 }
	var distinct strings.Builder
	distinct.WriteString("id,v\n")
	for i := range 50 { // more suspects than maxErrors: all collisions
		fmt.Fprintf(&distinct, "k%02d,%d\n", i, i)
	}
	tests := []struct {
		name string
		in   string
		want []string // the warnings' examples
	}{
		{name: "distinct values, one hash", in: distinct.String()},
		{
			name: "repeats among collisions",
			in:   "id,v,note\nx,1\ny,2\nz,3,\"two\nlines\"\ny,5\nw,6\nNA,7\nNA,8\nx,9\n",
			want: []string{`x.csv:6: "y", first on line 3`, `x.csv:10: "x", first on line 2`},
		},
	}
	cols := []Column{{Name: "id", Type: table.String}, {Name: "v", Type: table.Int}}
	for _, tt := range tests {
		for _, hash := range []func(string) uint64{constant, nil} {
			t.Run(fmt.Sprintf("%s/hash %v", tt.name, hash != nil), func(t *testing.T) {
				w := &notes.Set{Examples: 10}
				spec := CSV{Repeats: "id", RepeatsMean: "the id of places", Null: []string{"NA"}, Columns: cols, Warnings: w}
				rows := 0
				err := scanCSV(context.Background(), "x.csv", strings.NewReader(tt.in), spec, 2, func(rec arrow.RecordBatch) error {
					rows += int(rec.NumRows())
					return nil
				}, hash)
				if err != nil {
					t.Fatalf("a repeated id is refused: %v", err)
				}
				if want := strings.Count(tt.in, "\n") - 1 - strings.Count(tt.in, "\nlines"); rows != want {
					t.Errorf("%d rows handed on, want %d", rows, want)
				}
				var got []string
				for _, l := range w.Lines() {
					if !strings.Contains(l, "repeated id values, the id of places") {
						t.Errorf("warning %q does not say what repeats and what it means", l)
					}
					_, ex, _ := strings.Cut(l, "e.g. ")
					if !strings.Contains(l, "e.g. ") {
						_, ex, _ = strings.Cut(l, "): ")
					}
					got = append(got, strings.Split(ex, "; ")...)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("warnings (-want +got):\n%s\n%q", diff, w.Lines())
				}
				spec.Key = "id"
				if len(tt.want) > 0 {
					if err := scanCSV(context.Background(), "x.csv", strings.NewReader(tt.in), spec, 2, func(arrow.RecordBatch) error { return nil }, hash); err == nil || !strings.Contains(err.Error(), "duplicate key") {
						t.Errorf("with key: id, the repeats are not refused: %v", err)
					}
				}
			})
		}
	}
}

// TestRepeatsBounded: a column that repeats on every row is warned about
// with the first repeats found, and the check stops there (no re-read of
// the file per later batch of suspects): the warning's count is at most
// maxErrors, and the read still hands on every row, serially and in
// parallel blocks.
func TestRepeatsBounded(t *testing.T) {
	var in strings.Builder
	in.WriteString("id,v\n")
	const n = 20_000
	for i := range n {
		fmt.Fprintf(&in, "%s,%d\n", []string{"Five Points", "Luckie"}[i%2], i)
	}
	for _, workers := range []int{1, 2} {
		w := &notes.Set{}
		spec := CSV{Repeats: "id", RepeatsMean: "the id of places", Columns: []Column{{Name: "id", Type: table.String}, {Name: "v", Type: table.Int}}, Warnings: w}
		sr := strings.NewReader(in.String())
		r := &countingSeeker{ReadSeeker: sr, at: sr}
		rows := 0
		err := scanCSVWith(context.Background(), "x.csv", r, spec, 1000, func(rec arrow.RecordBatch) error {
			rows += int(rec.NumRows())
			return nil
		}, scanOptions{workers: workers, block: 4096})
		if err != nil {
			t.Fatal(err)
		}
		if rows != n {
			t.Errorf("workers %d: %d rows handed on, want %d", workers, rows, n)
		}
		if w.Len() == 0 || w.Len() > maxErrors {
			t.Errorf("workers %d: %d repeats warned about, want 1 to %d: %q", workers, w.Len(), maxErrors, w.Lines())
		}
		if r.read.Load() > 3*int64(in.Len()) {
			t.Errorf("workers %d: %d bytes read for a file of %d: the file is re-read per batch of repeats", workers, r.read.Load(), in.Len())
		}
	}
}

// countingSeeker counts the bytes read through Read and ReadAt (the
// parallel blocks and the key check's re-reading).
type countingSeeker struct {
	io.ReadSeeker
	at   io.ReaderAt
	read atomic.Int64
}

func (c *countingSeeker) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.at.ReadAt(p, off)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingSeeker) Read(p []byte) (int, error) {
	n, err := c.ReadSeeker.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestPointsRepeatsWarned: GeoJSON and Parquet point files warn about a
// repeated Repeats value, naming the feature or row and the first, and
// refuse it as a Key.
func TestPointsRepeatsWarned(t *testing.T) {
	dir := t.TempDir()
	gj := filepath.Join(dir, "stations.geojson")
	feature := func(name string, lon, lat float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Point","coordinates":[%g,%g]}}`, name, lon, lat)
	}
	body := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
		feature("FIVE POINTS STATION", -84.3915, 33.7539), feature("Luckie", -84.3920, 33.7580), feature("FIVE POINTS STATION", -84.3917, 33.7537),
	}, ",") + `]}`
	if err := os.WriteFile(gj, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cols := []Column{{Name: "name", Type: table.String}}
	w := &notes.Set{}
	rec, err := ReadGeoJSONPoints(context.Background(), gj, Points{Columns: cols, Repeats: "name", RepeatsMean: "the id of places", Warnings: w})
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 3 {
		t.Errorf("%d rows, want 3", rec.NumRows())
	}
	rec.Release()
	want := []string{`repeated name values, the id of places: stations.geojson: feature 3: "FIVE POINTS STATION", first in feature 1`}
	if diff := cmp.Diff(want, w.Lines()); diff != "" {
		t.Errorf("geojson warnings (-want +got):\n%s", diff)
	}
	if _, err := ReadGeoJSONPoints(context.Background(), gj, Points{Columns: cols, Key: "name", Repeats: "name"}); err == nil || !strings.Contains(err.Error(), "duplicate key") {
		t.Errorf("with key: name, the repeat is not refused: %v", err)
	}

	// The real MARTA/Atlanta stations as Parquet (written by pyarrow): four
	// repeats of three names, one row per line pair or agency.
	pq := filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet")
	w = &notes.Set{Examples: 10}
	scols := []Column{{Name: "station_name", Type: table.String}}
	rec, err = ReadParquet(context.Background(), pq, Points{Columns: scols, Repeats: "station_name", RepeatsMean: "the id of places", Warnings: w})
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	want = []string{`4 repeated station_name values, the id of places, e.g. atlanta_transit_stations.parquet: row 36: "FIVE POINTS STATION", first in row 9; ` +
		`atlanta_transit_stations.parquet: row 120: "Five Points", first in row 54; atlanta_transit_stations.parquet: row 128: "Five Points", first in row 54; ` +
		`atlanta_transit_stations.parquet: row 129: "Luckie", first in row 43`}
	if diff := cmp.Diff(want, w.Lines()); diff != "" {
		t.Errorf("parquet warnings (-want +got):\n%s", diff)
	}
	if _, err := ReadParquet(context.Background(), pq, Points{Columns: scols, Key: "station_name"}); err == nil || !strings.Contains(err.Error(), "duplicate key") {
		t.Errorf("with key: station_name, the repeats are not refused: %v", err)
	}
}
