package source

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

func TestDecodeCSV(t *testing.T) {
	spec := CSV{
		Key:  "cds",
		Null: []string{"NA"},
		Columns: []Column{
			{Name: "cds", Type: table.String, Digits: 14},
			{Name: "api00", Type: table.Int},
			{Name: "tested", Header: "api.stu", Type: table.Int},
			{Name: "meals", Type: table.Float},
		},
	}
	tests := []struct {
		name    string
		in      string
		want    [][]any
		wantErr []string // substrings, each must appear
	}{
		{
			name: "typed values, NA null, renamed header, extra columns ignored",
			in:   "\"\",\"cds\",\"api00\",\"api.stu\",\"meals\"\n\"1\",\"01612590132092\",418,878,47\n\"2\",\"01612596001846\",NA,543,NA\n",
			want: [][]any{{"01612590132092", int64(418), int64(878), 47.0}, {"01612596001846", nil, int64(543), nil}},
		},
		{
			name: "byte order mark and CRLF",
			in:   "\ufeffcds,api00,api.stu,meals\r\n01612590132092,418,878,47.5\r\n",
			want: [][]any{{"01612590132092", int64(418), int64(878), 47.5}},
		},
		{
			name: "byte order mark before a quoted header (R's write.csv with UTF-8-BOM, Excel)",
			in:   "\ufeff\"\",\"cds\",\"api00\",\"api.stu\",\"meals\"\r\n\"1\",\"01612590132092\",418,878,47.5\r\n",
			want: [][]any{{"01612590132092", int64(418), int64(878), 47.5}},
		},
		{
			name:    "missing column with suggestion",
			in:      "cds,api0,api.stu,meals\n01612590132092,1,2,3\n",
			wantErr: []string{`x.csv:1: column "api00": no such column in the header; did you mean "api0"?`},
		},
		{
			name:    "lost leading zero",
			in:      "cds,api00,api.stu,meals\n1612590132092,418,878,47\n",
			wantErr: []string{`x.csv:2: column "cds": code "1612590132092" has 13 digits, want 14: leading zeros were probably lost`, `"01612590132092"`},
		},
		{
			name:    "wrong types reported together",
			in:      "cds,api00,api.stu,meals\n01612590132092,4.5,x,\n01612590132093,1,2,abc\n",
			wantErr: []string{`x.csv:2: column "api00": value "4.5" is not a whole number; declare the column as float`, `x.csv:2: column "api.stu"`, `x.csv:3: column "meals": value "abc" is not a number`},
		},
		{
			name:    "duplicate key",
			in:      "cds,api00,api.stu,meals\n01612590132092,1,2,3\n01612590132092,4,5,6\n",
			wantErr: []string{`x.csv:3: column "cds": duplicate key "01612590132092" (first on line 2)`},
		},
		{
			name:    "empty file",
			in:      "",
			wantErr: []string{"x.csv:1: file is empty; want a header row"},
		},
		{
			name:    "short row",
			in:      "cds,api00,api.stu,meals\n01612590132092,1\n",
			wantErr: []string{`x.csv:2: column "api.stu": row has 2 fields, header has 4`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := DecodeCSV(context.Background(), "x.csv", strings.NewReader(tt.in), spec)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; want %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\ndoes not contain %q", err, w)
					}
				}
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Errorf("error is not a *ParseError: %T", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			var got [][]any
			for i := 0; i < int(rec.NumRows()); i++ {
				var row []any
				for j := 0; j < int(rec.NumCols()); j++ {
					row = append(row, table.Value(rec.Column(j), i))
				}
				got = append(got, row)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMultilineQuotedField reads the City of Oakland school list shape: an
// address field spanning three lines, and reports the line a record starts on.
func TestMultilineQuotedField(t *testing.T) {
	in := "TYPE,SCHOOL,ADDRESS\nElementary,A,\"1 Main St\nOakland, CA\n(37.8, -122.2)\"\nElementary,B,x\nHigh,C,\"bad\n"
	_, err := DecodeCSV(context.Background(), "s.csv", strings.NewReader(in), CSV{Columns: []Column{{Name: "SCHOOL", Type: table.Int}}})
	if err == nil || !strings.Contains(err.Error(), `s.csv:2: column "SCHOOL"`) || !strings.Contains(err.Error(), `s.csv:5: column "SCHOOL"`) {
		t.Errorf("error %v; want problems on lines 2 and 5 (record starts)", err)
	}
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add("cds,api00\n01612590132092,418\n")
	f.Add("\ufeffcds,api00\r\n\"0161259013209\n2\",NA\r\n")
	f.Add("cds,api00\n\"unterminated\n")
	f.Add("cds,api00,name\n01612590132092,418,\u202eevil\n")
	f.Add("cds,api00,name\n01612590132092,418,Jos\xe9\n")
	spec := CSV{Key: "cds", Null: []string{"NA"}, Columns: []Column{{Name: "cds", Type: table.String, Digits: 14}, {Name: "api00", Type: table.Int}, {Name: "name", Type: table.String}}}
	f.Fuzz(func(t *testing.T, in string) {
		rec, err := DecodeCSV(context.Background(), "f.csv", strings.NewReader(in), spec)
		if err != nil {
			if rec != nil {
				t.Fatal("record and error both returned")
			}
			return
		}
		defer rec.Release()
		cds, valid, err := table.Strings(rec, "cds")
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cds {
			if valid[i] && !isDigits(c, 14) {
				t.Errorf("accepted code %q that is not 14 digits", c)
			}
		}
		names, _, err := table.Strings(rec, "name")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !utf8.ValidString(n) || strings.IndexByte(n, 0) >= 0 || strings.ContainsFunc(n, isBidiControl) {
				t.Errorf("accepted name %q: invalid UTF-8, NUL or bidi control", n)
			}
		}
	})
}

// TestScanCSVChunks reads the real Oakland API 2000 file (75 schools; see
// pipeline/demo/oakland/PROVENANCE.md) in chunks of 1, 7, 75 and 1,000 rows
// and checks that the chunks, concatenated, are what DecodeCSV reads.
func TestScanCSVChunks(t *testing.T) {
	b, err := oakland.Files.ReadFile("api_2000_oakland.csv")
	if err != nil {
		t.Fatal(err)
	}
	spec := CSV{Key: "cds", Null: []string{"NA"}, Columns: []Column{
		{Name: "cds", Type: table.String, Digits: 14}, {Name: "name", Header: "sname", Type: table.String},
		{Name: "api00", Type: table.Int}, {Name: "meals", Type: table.Float},
	}}
	whole, err := DecodeCSV(context.Background(), "api.csv", bytes.NewReader(b), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Release()
	if whole.NumRows() != 75 {
		t.Fatalf("%d rows, want 75", whole.NumRows())
	}
	for _, chunk := range []int{1, 7, 75, 1000} {
		var got [][]any
		var sizes []int
		err := ScanCSV(context.Background(), "api.csv", bytes.NewReader(b), spec, chunk, func(rec arrow.RecordBatch) error {
			sizes = append(sizes, int(rec.NumRows()))
			got = append(got, recRows(rec)...)
			return nil
		})
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if diff := cmp.Diff(recRows(whole), got); diff != "" {
			t.Errorf("chunk %d: rows differ (-decode +scan):\n%.1000s", chunk, diff)
		}
		for i, n := range sizes {
			if n > chunk || (i < len(sizes)-1 && n != chunk) {
				t.Errorf("chunk %d: record sizes %v", chunk, sizes)
				break
			}
		}
	}

	// An error after the first chunk: nothing more is emitted, and the
	// error names the line.
	bad := strings.Replace(string(b), "01612590132092", "1612590132092", 1)
	bad = string(b) + strings.SplitN(bad, "\n", 3)[1] + "\n"
	calls := 0
	err = ScanCSV(context.Background(), "api.csv", strings.NewReader(bad), spec, 10, func(arrow.RecordBatch) error { calls++; return nil })
	if err == nil || !strings.Contains(err.Error(), "api.csv:77") {
		t.Errorf("error %v, want one on line 77", err)
	}
	if calls != 7 {
		t.Errorf("%d chunk(s) emitted before the bad line, want 7", calls)
	}

	// A file with a header only gives one empty record.
	calls = 0
	err = ScanCSV(context.Background(), "h.csv", strings.NewReader("cds,sname,api00,meals\n"), spec, 10, func(rec arrow.RecordBatch) error {
		calls++
		if rec.NumRows() != 0 || rec.NumCols() != 4 {
			t.Errorf("empty file: %d rows, %d columns", rec.NumRows(), rec.NumCols())
		}
		return nil
	})
	if err != nil || calls != 1 {
		t.Errorf("empty file: %d call(s), %v", calls, err)
	}
}

// FuzzScanCSV: reading in chunks gives the rows reading whole gives, or
// both fail.
func FuzzScanCSV(f *testing.F) {
	f.Add("cds,api00\n01612590132092,418\n01612590132093,NA\n01612590132094,3\n", 2)
	f.Add("cds,api00\n\"unterminated\n", 1)
	spec := CSV{Key: "cds", Null: []string{"NA"}, Columns: []Column{{Name: "cds", Type: table.String, Digits: 14}, {Name: "api00", Type: table.Int}}}
	f.Fuzz(func(t *testing.T, in string, chunk int) {
		whole, err := DecodeCSV(context.Background(), "f.csv", strings.NewReader(in), spec)
		var got [][]any
		serr := ScanCSV(context.Background(), "f.csv", strings.NewReader(in), spec, chunk%50, func(rec arrow.RecordBatch) error {
			got = append(got, recRows(rec)...)
			return nil
		})
		if (err == nil) != (serr == nil) {
			t.Fatalf("DecodeCSV error %v, ScanCSV error %v", err, serr)
		}
		if err != nil {
			return
		}
		defer whole.Release()
		if diff := cmp.Diff(recRows(whole), got); diff != "" {
			t.Errorf("rows differ:\n%s", diff)
		}
	})
}

func recRows(rec arrow.RecordBatch) [][]any {
	var out [][]any
	for i := range int(rec.NumRows()) {
		var r []any
		for j := range int(rec.NumCols()) {
			r = append(r, table.Value(rec.Column(j), i))
		}
		out = append(out, r)
	}
	return out
}
