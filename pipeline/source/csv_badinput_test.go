package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestDecodeCSVBadInput covers the inputs issue 19 found accepted silently
// (or refused without a useful hint): each gives an error that names the
// line, the column and the fix, or a warning.
func TestDecodeCSVBadInput(t *testing.T) {
	cols := []Column{
		{Name: "id", Type: table.String},
		{Name: "name", Type: table.String},
		{Name: "score", Type: table.Float},
		{Name: "n", Type: table.Int},
	}
	tests := []struct {
		name     string
		in       string
		spec     func(*CSV)
		want     [][]any  // rows when the read succeeds
		wantErr  []string // substrings of the error, each must appear
		wantWarn []string // warning lines, exactly
	}{
		{
			name:    "duplicate header of a used column",
			in:      "id,name,score,n,score\n1,a,2,3,4\n",
			wantErr: []string{`x.csv:1: column "score": the header names this column 2 times (fields 3 and 5)`, "rename the others"},
		},
		{
			name:     "duplicate header of an unused column",
			in:       "id,name,score,n,note,note\n1,a,2,3,x,y\n",
			want:     [][]any{{"1", "a", 2.0, int64(3)}},
			wantWarn: []string{`header names appear more than once in columns that are not read (ignored): x.csv:1: "note" in fields 5 and 6`},
		},
		{
			name:    "extra fields",
			in:      "id,name,score,n\n1,Smith, Jr.,2,3\n",
			wantErr: []string{"x.csv:2: row has 5 fields, the header has 4", "unquoted comma", "allow_extra_fields: true"},
		},
		{
			name:     "extra fields allowed",
			in:       "id,name,score,n\n1,a,2,3,x\n2,b,3,4,y\n",
			spec:     func(s *CSV) { s.AllowExtraFields = true },
			want:     [][]any{{"1", "a", 2.0, int64(3)}, {"2", "b", 3.0, int64(4)}},
			wantWarn: []string{"2 rows have more fields than the header; the extra fields were ignored (allow_extra_fields), e.g. x.csv:2: 5 fields, the header has 4; x.csv:3: 5 fields, the header has 4"},
		},
		{
			name:    "NaN in a float column",
			in:      "id,name,score,n\n1,a,NaN,3\n",
			wantErr: []string{`x.csv:2: column "score": value "NaN" is not a finite number`, `null: ["NaN"]`, "nonfinite: true"},
		},
		{
			name:    "Inf in a float column",
			in:      "id,name,score,n\n1,a,+Inf,3\n2,b,-infinity,3\n",
			wantErr: []string{`x.csv:2: column "score": value "+Inf" is not a finite number`, `x.csv:3: column "score": value "-infinity"`},
		},
		{
			name: "NaN declared",
			in:   "id,name,score,n\n1,a,NaN,3\n",
			spec: func(s *CSV) { s.Columns[2].NonFinite = true },
			want: [][]any{{"1", "a", "NaN", int64(3)}},
		},
		{
			name: "NaN as null",
			in:   "id,name,score,n\n1,a,NaN,3\n",
			spec: func(s *CSV) { s.Null = []string{"NaN"} },
			want: [][]any{{"1", "a", nil, int64(3)}},
		},
		{
			name:    "Latin-1 bytes",
			in:      "id,name,score,n\n1,a,2,3\n2,Jos\xe9 Mart\xed,2,3\n",
			wantErr: []string{`x.csv:3: column "name": invalid UTF-8 (byte 0xE9 after "Jos")`, "encoding: latin1"},
		},
		{
			name: "Latin-1 converted",
			in:   "id,name,score,n\n2,Jos\xe9 Mart\xed,2,3\n",
			spec: func(s *CSV) { s.Encoding = "latin1" },
			want: [][]any{{"2", "José Martí", 2.0, int64(3)}},
		},
		{
			name:    "unknown encoding",
			in:      "id,name,score,n\n",
			spec:    func(s *CSV) { s.Encoding = "ebcdic" },
			wantErr: []string{`x.csv: unknown encoding "ebcdic"; want one of utf-8, latin1`},
		},
		{
			name:    "NUL byte",
			in:      "id,name,score,n\n1,a\x00b,2,3\n",
			wantErr: []string{`x.csv:2: column "name": value holds a NUL byte`},
		},
		{
			name:    "UTF-16 file",
			in:      "i\x00d\x00,\x00n\x00\n\x00",
			wantErr: []string{"x.csv:1: header field 1: value holds a NUL byte", "UTF-16"},
		},
		{
			name:     "bidi override removed",
			in:       "id,name,score,n\n1,\u202eevil\u202c school,2,3\n2,plain,2,3\n",
			want:     [][]any{{"1", "evil school", 2.0, int64(3)}, {"2", "plain", 2.0, int64(3)}},
			wantWarn: []string{`values held bidi control characters (they reorder displayed text); removed them: x.csv:2: column "name"`},
		},
		{
			name:    "semicolon-delimited file",
			in:      "\"id\";\"name\";\"score\";\"n\"\n\"1\";\"a\";\"2,5\";\"3\"\n",
			wantErr: []string{"x.csv:1", `extraneous or missing " in quoted-field`, "3 semicolons and no comma", `set delimiter: ";"`},
		},
		{
			name:    "semicolon-delimited file without quotes",
			in:      "id;name;score;n\n1;a;2,5;3\n",
			wantErr: []string{`x.csv:1: column "id": no such column in the header`, "probably semicolon-separated"},
		},
		{
			name: "semicolon delimiter declared",
			in:   "id;name;score;n\n1;a;2.5;3\n",
			spec: func(s *CSV) { s.Delimiter = ';' },
			want: [][]any{{"1", "a", 2.5, int64(3)}},
		},
		{
			name:    "thousands separator",
			in:      "id,name,score,n\n1,a,\"1,560\",\"12,345\"\n",
			wantErr: []string{`column "score": value "1,560" is not a number: it looks written with thousands separators; remove them (1560)`, `column "n": value "12,345" is not a whole number: it looks written with thousands separators; remove them (12345)`},
		},
		{
			name:    "decimal comma",
			in:      "id,name,score,n\n1,a,\"2,5\",1\n",
			wantErr: []string{`value "2,5" is not a number: it looks written with a decimal comma; write a decimal point (2.5)`},
		},
		{
			name:    "undeclared NA",
			in:      "id,name,score,n\n1,a,NA,N/A\n",
			wantErr: []string{`column "score": value "NA" is not a number: if "NA" means no value, add it to the source's null list (null: ["NA"])`, `column "n": value "N/A" is not a whole number: if "N/A" means no value`},
		},
		{
			name:    "line too long",
			in:      "id,name,score,n\n1,a,2,3\n2," + strings.Repeat("b", 300) + ",2,3\n",
			spec:    func(s *CSV) { s.MaxLineBytes = 100 },
			wantErr: []string{"x.csv:3: line is longer than 100 bytes (the limit, max_line_bytes)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := CSV{Columns: append([]Column(nil), cols...), Warnings: &notes.Set{}}
			if tt.spec != nil {
				tt.spec(&spec)
			}
			rec, err := DecodeCSV(context.Background(), "x.csv", strings.NewReader(tt.in), spec)
			if len(tt.wantErr) > 0 {
				if err == nil {
					rec.Release()
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
			got := recRows(rec)
			for _, r := range got {
				for j, v := range r {
					if f, ok := v.(float64); ok && f != f {
						r[j] = "NaN" // cmp cannot compare NaN
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarn, spec.Warnings.Lines()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCSVMetadataNoPath checks that the file recorded in the record's
// metadata is the base name (or the label given), never the path.
func TestCSVMetadataNoPath(t *testing.T) {
	for _, tt := range []struct{ name, label, want string }{
		{"/home/someone/project/api.csv", "", "api.csv"},
		{"/tmp/groundwork-demo-123/api.csv", "data/api.csv", "data/api.csv"},
	} {
		rec, err := DecodeCSV(context.Background(), tt.name, strings.NewReader("a\n1\n"), CSV{Label: tt.label, Columns: []Column{{Name: "a", Type: table.Int}}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := rec.Schema().Metadata().GetValue("groundwork:file")
		rec.Release()
		if got != tt.want {
			t.Errorf("%s (label %q): groundwork:file = %q, want %q", tt.name, tt.label, got, tt.want)
		}
	}
}

// TestDuplicateHeaderChangesNothingSilently is the case on the real
// Oakland API 2000 file: renaming the api99 header to api00 made the first
// column win silently; now it is an error naming both fields.
func TestDuplicateHeaderChangesNothingSilently(t *testing.T) {
	b, err := oakland.Files.ReadFile("api_2000_oakland.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Replace(string(b), `"api99"`, `"api00"`, 1)
	if in == string(b) {
		t.Fatal(`api_2000_oakland.csv has no "api99" header`)
	}
	_, err = DecodeCSV(context.Background(), "api_2000_oakland.csv", strings.NewReader(in), CSV{Null: []string{"NA"}, Columns: []Column{{Name: "api00", Type: table.Int}}})
	if err == nil || !strings.Contains(err.Error(), `api_2000_oakland.csv:1: column "api00": the header names this column 2 times`) {
		t.Errorf("error %v; want the duplicate header named", err)
	}
}

func TestStripBidi(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"plain", "plain", false},
		{"\u202egnp.exe", "gnp.exe", true},
		{"a\u2066b\u2069c", "abc", true},
		{"\u200fRLM is kept", "\u200fRLM is kept", false},
		{"עברית and – dash", "עברית and – dash", false},
	}
	for _, tt := range tests {
		got, changed := StripBidi(tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("StripBidi(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

// FuzzLatin1 checks the Latin-1 reader against the definition (every byte
// is the code point of the same value), read in pieces of any size.
func FuzzLatin1(f *testing.F) {
	f.Add([]byte("Jos\xe9 Mart\xed"), 1)
	f.Add([]byte("plain ascii"), 3)
	f.Fuzz(func(t *testing.T, in []byte, size int) {
		size = 1 + abs(size)%64
		var want strings.Builder
		for _, b := range in {
			want.WriteRune(rune(b))
		}
		r := &latin1Reader{r: bufio.NewReader(bytes.NewReader(in))}
		var got []byte
		buf := make([]byte, size)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if string(got) != want.String() {
			t.Fatalf("latin1(%q) = %q, want %q", in, got, want.String())
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestEachRecordRefusesBadText: the contact, sign-in and survey readers
// share eachRecord; a row with Latin-1 bytes or a NUL goes to their
// malformed rows (counted and reported), never into exports.
func TestEachRecordRefusesBadText(t *testing.T) {
	in := "name,phone\nAna,1\nJos\xe9,2\nNul\x00,3\nBo,4\n"
	cr := csv.NewReader(strings.NewReader(in))
	if _, err := readHeader(cr, "c.csv", "a header"); err != nil {
		t.Fatal(err)
	}
	var good []string
	var bad []string
	rows := 0
	err := eachRecord(context.Background(), cr, "c.csv", 2, &rows, func(line int, err error) {
		if !errors.Is(err, ErrMalformedRow) {
			t.Errorf("line %d: %v is not ErrMalformedRow", line, err)
		}
		bad = append(bad, fmt.Sprintf("%d: %v", line, err))
	}, func(rec []string, line int) error {
		good = append(good, rec[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Ana", "Bo"}, good); diff != "" {
		t.Errorf("good rows (-want +got):\n%s", diff)
	}
	if len(bad) != 2 || !strings.Contains(bad[0], "3: ") || !strings.Contains(bad[0], "invalid UTF-8") || !strings.Contains(bad[1], "NUL byte") {
		t.Errorf("bad rows %q; want line 3 (invalid UTF-8) and line 4 (NUL)", bad)
	}
	if rows != 4 {
		t.Errorf("rows = %d, want 4", rows)
	}
}
