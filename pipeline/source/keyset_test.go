package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestKeyHashCollision forces hash collisions (every key hashes the same,
// or two distinct keys do) and checks that a collision is never reported as
// a duplicate key, that real duplicates are, with the lines a map of the
// keys gives (the earliest line of the key, also across chunks and after a
// quoted field spanning lines), and that the chunks handed on are all of
// them when there is no real duplicate and none after the first one.
func TestKeyHashCollision(t *testing.T) {
	constant := func(string) uint64 { return 42 }
	ab := func(s string) uint64 { // "a" and "b" collide; other keys do not
		if s == "a" || s == "b" {
			return 7
		}
		return uint64(len(s))<<32 | uint64(s[len(s)-1])
	}
	var distinct strings.Builder
	distinct.WriteString("id,v\n")
	for i := range 50 { // more suspects than maxErrors: all collisions
		fmt.Fprintf(&distinct, "k%02d,%d\n", i, i)
	}
	tests := []struct {
		name    string
		in      string
		hash    func(string) uint64
		chunk   int
		want    []string // the problems, in order; none: the rows are all read
		wantFns int      // records handed to fn (none after a problem)
	}{
		{name: "distinct keys, one hash", in: distinct.String(), hash: constant, chunk: 7, wantFns: 8},
		{name: "distinct keys, one hash, one record", in: distinct.String(), hash: constant, wantFns: 1},
		{name: "a and b collide", in: "id,v\na,1\nb,2\nc,3\n", hash: ab, chunk: 1, wantFns: 3},
		{
			name: "real duplicates among collisions", hash: constant, chunk: 2,
			in: "id,v,note\nx,1\ny,2\nz,3,\"two\nlines\"\ny,5\nw,6\nz,7\nx,8\ny,9\n",
			want: []string{
				`x.csv:6: column "id": duplicate key "y" (first on line 3)`,
				`x.csv:8: column "id": duplicate key "z" (first on line 4)`,
				`x.csv:9: column "id": duplicate key "x" (first on line 2)`,
				`x.csv:10: column "id": duplicate key "y" (first on line 3)`,
			},
			wantFns: 1, // rows 1-2; the chunk of rows 3-4 holds the first duplicate
		},
		{
			name: "a duplicate beside a collision", hash: ab, chunk: 1,
			in: "id,v\na,1\nb,2\nb,3\nc,x\n",
			want: []string{
				`x.csv:4: column "id": duplicate key "b" (first on line 3)`,
				`x.csv:5: column "v": value "x" is not a whole number`,
			},
			wantFns: 2,
		},
		{
			name: "null keys are not keys", hash: constant,
			in:   "id,v\nNA,1\n,2\nNA,3\nq,4\nq,5\n",
			want: []string{`x.csv:6: column "id": duplicate key "q" (first on line 5)`},
		},
	}
	spec := CSV{Key: "id", Null: []string{"NA"}, Columns: []Column{{Name: "id", Type: table.String}, {Name: "v", Type: table.Int}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, hash := range []func(string) uint64{tt.hash, nil} { // nil: maphash, as a run reads
				fns, rows := 0, 0
				r := strings.NewReader("ignored prefix\n" + tt.in)
				if _, err := r.Seek(int64(len("ignored prefix\n")), io.SeekStart); err != nil {
					t.Fatal(err)
				}
				err := scanCSV(context.Background(), "x.csv", r, spec, tt.chunk, func(rec arrow.RecordBatch) error {
					fns++
					rows += int(rec.NumRows())
					return nil
				}, hash)
				var got []string
				if err != nil {
					got = strings.Split(err.Error(), "\n")
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Errorf("error is not a *ParseError: %T", err)
					}
				}
				if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) })); diff != "" {
					t.Errorf("hash %v: problems (-want +got):\n%s", hash != nil, diff)
				}
				if fns != tt.wantFns {
					t.Errorf("fn called %d times, want %d", fns, tt.wantFns)
				}
				if len(tt.want) == 0 && rows != strings.Count(tt.in, "\n")-1 {
					t.Errorf("%d rows handed on, want %d", rows, strings.Count(tt.in, "\n")-1)
				}
			}
		})
	}
}

// TestFPSet checks the fingerprint set across its levels: every hash added
// once is new, every hash added again is seen (0 and a high half of 0
// included), the levels are sized by expect (a second level for all the
// keys announced, no third), and without a size a few levels suffice.
func TestFPSet(t *testing.T) {
	const n = 300_000
	hash := func(i uint64) uint64 { return i * 0x9E3779B97F4A7C15 }
	for _, tt := range []struct {
		name   string
		expect func(held int) int
		levels int
	}{
		{"size known", func(held int) int { return n - held }, 2},
		{"size not known", func(held int) int { return held }, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var s fpSet
			for i := range uint64(n) {
				if s.add(hash(i), tt.expect) {
					t.Fatalf("hash %d: seen before it was added", i)
				}
			}
			for i := range uint64(n) {
				if !s.add(hash(i), tt.expect) {
					t.Fatalf("hash %d: not seen after it was added", i)
				}
			}
			if len(s.levels) != tt.levels {
				t.Errorf("%d levels, want %d", len(s.levels), tt.levels)
			}
			if per := float64(s.bytes()) / n; tt.levels == 2 && per > 4/fpMaxLoad+0.1 {
				t.Errorf("%.1f bytes a key, want at most %.1f", per, 4/fpMaxLoad+0.1)
			}
		})
	}
	var s fpSet
	for _, h := range []uint64{0, 1 << 20, 1 << 40} {
		if s.add(h, nil) {
			t.Errorf("hash %#x: seen before it was added", h)
		}
	}
	for _, h := range []uint64{0, 1 << 20, 1 << 40} {
		if !s.add(h, nil) {
			t.Errorf("hash %#x: not seen after it was added", h)
		}
	}
}

// TestRowsLeft: the rest of the file at the bytes per row read so far, plus
// 10%, at most one a byte; as many again as read when the size is not
// known.
func TestRowsLeft(t *testing.T) {
	tests := []struct {
		size, read int64
		rows, want int
	}{
		{1000, 100, 10, 99},
		{-1, 100, 10, 10},
		{1000, 0, 0, 0},
		{1000, 1000, 100, 0},
		{1000, 10, 100, 990}, // more rows than bytes: at most one a byte
	}
	for _, tt := range tests {
		if got := rowsLeft(tt.size, tt.read, tt.rows); got != tt.want {
			t.Errorf("rowsLeft(%d, %d, %d) = %d, want %d", tt.size, tt.read, tt.rows, got, tt.want)
		}
	}
}
