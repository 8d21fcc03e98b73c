package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

type strictCol struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
}

func (c *strictCol) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[1].Kind == yaml.ScalarNode {
		c.Name, c.Type = n.Content[0].Value, n.Content[1].Value
		return nil
	}
	type plain strictCol
	return n.Decode((*plain)(c))
}

type strictSrc struct {
	Kind    string       `yaml:"kind"`
	Null    []string     `yaml:"null"`
	Year    int          `yaml:"year"`
	Columns []*strictCol `yaml:"columns"`
}

type strictFile struct {
	Name    string                `yaml:"name"`
	Sources map[string]*strictSrc `yaml:"sources"`
}

func TestDecodeStrictly(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // Problem.String()
	}{
		{"fine, and null unquoted is kept", "name: x\nsources:\n  a: {kind: csv, null: [\"-999\"], columns: [{id: string}, {name: v, type: int}]}\n", nil},
		{"every problem at once", "name: x\nsources:\n  a:\n    kind: csv\n    colums: [{id: string}]\n    yaer: 2018\n  b:\n    year: ten\n    columns:\n      - {name: v, typ: int}\n",
			[]string{
				`line 5: sources.a.colums: unknown key "colums"; did you mean "columns"?`,
				`line 6: sources.a.yaer: unknown key "yaer"; did you mean "year"?`,
				`line 8: sources.b.year: "ten" is text, want a whole number`,
				`line 10: sources.b.columns[0].typ: unknown key "typ"; did you mean "type"?`,
			}},
		{"syntax", "name: x\nsources:\n  a: {kind: csv\n", []string{"line 2: YAML syntax: did not find expected ',' or '}'; a quote or bracket opened here is not closed"}},
		{"tab", "name: x\nsources:\n\ta: {}\n", []string{"line 3: YAML syntax: found character that cannot start any token; YAML indents with spaces, never tabs"}},
		{"shape", "name: x\nsources: [a, b]\n", []string{"line 2: sources: is a list, want a mapping (name: ...)"}},
		{"twice", "name: x\nname: y\n", []string{"line 2: name: key given twice (first on line 1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f strictFile
			got := decodeStrictly([]byte(tt.in), &f)
			var gs []string
			for _, p := range got {
				gs = append(gs, p.String())
			}
			if strings.Join(gs, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gs, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.want == nil && (len(f.Sources["a"].Null) != 1 || f.Sources["a"].Null[0] != "-999") {
				t.Errorf("null: not decoded: %+v", f.Sources["a"])
			}
		})
	}
}

// TestDemoNullKeys: the demo writes `null: ["No Data"]` and `null: ["NA"]`
// unquoted, as the README does; both must reach the sources.
func TestDemoNullKeys(t *testing.T) {
	b, err := oakland.Files.ReadFile(oakland.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("pipeline.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{"directory": "No Data", "api2000": "NA"} {
		if got := c.Sources[src].Null; len(got) != 1 || got[0] != want {
			t.Errorf("sources.%s.null = %q, want [%q]", src, got, want)
		}
	}
}

// TestRepeatedKeyOneProblem: a key given twice in a block, or a name given
// twice in a section, is one problem naming both lines; the block is still
// read (its first key), so nothing that refers to it becomes a false second
// problem. (The YAML decoder refuses a whole mapping for a repeated key: a
// source given `file:` twice was "not a local file source" for its places,
// and a source given twice left "at least one source is required".)
func TestRepeatedKeyOneProblem(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "atlanta", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("pipeline.yaml", b); err != nil {
		t.Fatalf("the Atlanta pipeline: %v", err)
	}
	lines := strings.Split(string(b), "\n")
	at := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		t.Fatalf("no line %q", prefix)
		return 0
	}
	insert := func(i int, l ...string) string {
		out := append(slices.Clone(lines[:i]), l...)
		return strings.Join(append(out, lines[i:]...), "\n")
	}
	file := at("    file: atlanta_transit_stations.geojson")
	src, next := at("  stations:"), at("  tract_counties:")
	for _, tt := range []struct {
		name, in, want string
	}{
		{"key twice", insert(file+1, lines[file]), fmt.Sprintf("line %d: sources.stations.file: key given twice (first on line %d)", file+2, file+1)},
		// A block copied to make a second source, its name not yet changed.
		{"name twice", insert(next, lines[src:next]...),
			fmt.Sprintf("line %d: sources.stations: name given twice (first on line %d); give each a name of its own", next+1, src+1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", []byte(tt.in))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("not refused: %v", err)
			}
			if len(ce.Problems) != 1 || ce.Problems[0] != tt.want {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(ce.Problems, "\n  "), tt.want)
			}
		})
	}
}

// TestMisspeltKeyOneProblem: a misspelt key is one problem, read as the
// key it was meant to be, so what refers to its block is no second, false
// problem (a typo'd summaries: made every finding's summary "unknown", 3
// lines for one typo), and the block's own problems are still found.
func TestMisspeltKeyOneProblem(t *testing.T) {
	for _, tt := range []struct {
		name string
		repl []string
		want []string
	}{
		{"section", []string{"\nsummaries:\n", "\nsumaries:\n"}, []string{`sumaries: unknown key "sumaries"; did you mean "summaries"?`}},
		{"field", []string{"  - name: income\n", "  - nme: income\n"}, []string{`summaries[1].nme: unknown key "nme"; did you mean "name"?`}},
		{"section and a key inside it", []string{"\nsummaries:\n", "\nsumaries:\n", "  - name: income\n", "  - nme: income\n"},
			[]string{`sumaries: unknown key "sumaries"`, `summaries[1].nme: unknown key "nme"; did you mean "name"?`}},
		// The meant key is there too: the typo is not read as it.
		{"meant key given too", []string{"\nsummaries:\n", "\nsumaries: {}\nsummaries:\n"}, []string{`sumaries: unknown key "sumaries"; did you mean "summaries"?`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", demoWith(t, tt.repl...))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("not refused: %v", err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Fatalf("problems:\n  %s\nwant %d", strings.Join(ce.Problems, "\n  "), len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(ce.Problems[i], w) {
					t.Errorf("problem %d %q lacks %q", i, ce.Problems[i], w)
				}
			}
		})
	}
}
