package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// demoWith returns the demo pipeline file with each old text replaced by
// its new text (the first occurrence; every one when the old text is
// prefixed with "*").
func demoWith(t *testing.T, repl ...string) []byte {
	t.Helper()
	b, err := oakland.Files.ReadFile(oakland.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(repl); i += 2 {
		old, n := repl[i], 1
		if strings.HasPrefix(old, "*") {
			old, n = old[1:], -1
		}
		if !strings.Contains(s, old) {
			t.Fatalf("the demo pipeline has no %q", old)
		}
		s = strings.Replace(s, old, repl[i+1], n)
	}
	return []byte(s)
}

// TestNamesInPaths renames one thing of each kind whose name becomes part of
// an output path to a name that would leave the output folder (or is not a
// plain identifier), and checks that loading refuses it with its path.
func TestNamesInPaths(t *testing.T) {
	tests := []struct {
		kind string
		repl []string
		want string
	}{
		{"source", []string{"  terrain_lookup:\n", "  ../../../../escaped:\n", "source: terrain_lookup,", "source: ../../../../escaped,"},
			`sources."../../../../escaped": "../../../../escaped" is not a valid name: names become file names, and path elements such as /, \ and .. would write outside the output folder; rename it, e.g. "escaped"`},
		{"boundary", []string{"  neighborhood:\n    title: \"Oakland neighborhoods\"", "  ../hoods:\n    title: \"Oakland neighborhoods\"", "boundary: neighborhood", "boundary: ../hoods"},
			`boundaries."../hoods": "../hoods" is not a valid name`},
		{"places", []string{"places:\n  schools:", "places:\n  /tmp/schools:", "*of: schools", "of: /tmp/schools"},
			`places."/tmp/schools": "/tmp/schools" is not a valid name`},
		{"summary", []string{"  - name: income\n", "  - name: ../income\n", "income: income", "income: ../income"},
			`summaries[1].name: "../income" is not a valid name`},
		{"segment", []string{"  - name: highest_need_tracts", "  - name: ..", "segment: highest_need_tracts", "segment: .."},
			`segments[1].name: ".." is not a valid name`},
		{"segment with a space", []string{"  - name: highest_need_tracts", "  - name: highest need", "segment: highest_need_tracts", "segment: highest need"},
			`segments[1].name: "highest need" is not a valid name: use only letters, digits, _ and - (no spaces or punctuation); rename it, e.g. "highest_need"`},
		{"turf", []string{"{name: flatlands, area: terrain", "{name: ../flatlands, area: terrain"},
			`contacts.segments[0].name: "../flatlands" is not a valid name`},
		{"export profile", []string{"profiles: [callhub,", "profiles: [../callhub,"},
			`contacts.exports.profiles[0]: "../callhub" is not a valid name`},
		{"hidden name", []string{"  - name: income\n", "  - name: .income\n", "income: income", "income: .income"},
			`summaries[1].name: ".income" is not a valid name: it must start with a letter or digit`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", demoWith(t, tt.repl...))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *config.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%s\ndoes not contain\n%s", err, tt.want)
			}
		})
	}
}

// TestPrecheck covers the pipeline-file problems the YAML parser reports
// badly: an empty file, bytes that are not UTF-8, and a tab in the
// indentation (yaml.v3 names the line before the tab).
func TestPrecheck(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "pipeline.yaml: the file is empty (or holds only comments)"},
		{"only comments", []byte("# nothing yet\n\n---\n"), "pipeline.yaml: the file is empty"},
		{"not UTF-8", demoWith(t, "Oakland schools in the hills", "Oakland schools in the h\xefills"), "pipeline.yaml:5:32: byte 0xEF is not UTF-8"},
		{"UTF-16", []byte("\xff\xfen\x00a\x00"), "pipeline.yaml: the file is UTF-16; save it as UTF-8"},
		{"tab", demoWith(t, "    dataset: acs/acs5\n", "\tdataset: acs/acs5\n"), "pipeline.yaml:20: a tab in the indentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestCSVReadingKeys checks the keys that say how a csv file is read.
func TestCSVReadingKeys(t *testing.T) {
	tests := []struct {
		name string
		repl []string
		want string // "" means valid
	}{
		{"latin1", []string{"    key: cds\n", "    key: cds\n    encoding: latin1\n"}, ""},
		{"unknown encoding", []string{"    key: cds\n", "    key: cds\n    encoding: cp1252\n"}, `sources.api2000.encoding: unknown encoding "cp1252"; use utf-8 or latin1`},
		{"semicolon", []string{"    key: cds\n", "    key: cds\n    delimiter: \";\"\n"}, ""},
		{"two-character delimiter", []string{"    key: cds\n", "    key: cds\n    delimiter: \";;\"\n"}, `sources.api2000.delimiter: want one character`},
		{"extra fields", []string{"    key: cds\n", "    key: cds\n    allow_extra_fields: true\n"}, ""},
		{"negative line limit", []string{"    key: cds\n", "    key: cds\n    max_line_bytes: -1\n"}, "sources.api2000.max_line_bytes: must be positive"},
		{"nonfinite float", []string{"      - Latitude: float\n", "      - {name: Latitude, type: float, nonfinite: true}\n"}, ""},
		{"nonfinite int", []string{"      - api00: int\n", "      - {name: api00, type: int, nonfinite: true}\n"}, "sources.api2000.columns[5].nonfinite: only float columns can hold NaN or Inf"},
		{"csv key on census", []string{"    recorded: alameda_acs5_2018_tracts.json\n", "    recorded: alameda_acs5_2018_tracts.json\n    encoding: latin1\n"}, "sources.acs: allow_extra_fields, encoding, delimiter and max_line_bytes belong to csv sources"},
		{"census key on csv", []string{"    key: cds\n", "    key: cds\n    check_complete: true\n"}, "sources.api2000: check_complete and max_response_mb belong to census sources"},
		{"live key on recorded", []string{"    recorded: alameda_acs5_2018_tracts.json\n", "    recorded: alameda_acs5_2018_tracts.json\n    check_complete: true\n"}, "sources.acs: check_complete and max_response_mb apply to live pulls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("pipeline.yaml", demoWith(t, tt.repl...))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = c.Sources["api2000"].CSVSpec()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
