package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusEdit changes one file of a copy of the demo: the first occurrence
// of old becomes new (every occurrence when old starts with "*"); old ""
// replaces the whole file with new, or deletes it (new "DELETE"), or keeps
// only the header (new "HEADER-ONLY") or the header and the first 100 rows
// (new "FIRST-100") of a Census response.
type corpusEdit struct{ file, old, new string }

// badInputCorpus is the bad-input corpus of issue 19: one mutation of the
// demo's inputs each, with the exit code and the message fragments a run
// must give. Code 0 cases must warn (want names the warning), unless an
// option of the pipeline file declares what the file holds (want is nil
// then): nothing is accepted silently.
var badInputCorpus = []struct {
	name  string
	edits []corpusEdit
	code  int
	want  []string
}{
	// Names used in paths.
	{"source name escapes", []corpusEdit{
		{"pipeline.yaml", "  terrain_lookup:\n", "  ../../../../escaped:\n"},
		{"pipeline.yaml", "lookup: {source: terrain_lookup,", "lookup: {source: ../../../../escaped,"},
	}, ExitConfig, []string{`sources."../../../../escaped"`, "not a valid name"}},
	{"segment named ..", []corpusEdit{{"pipeline.yaml", "  - name: highest_need_tracts", "  - name: .."}}, ExitConfig, []string{"segments[1].name", `".." is not a valid name`}},
	{"summary name escapes", []corpusEdit{{"pipeline.yaml", "  - name: income\n", "  - name: ../income\n"}}, ExitConfig, []string{"summaries[1].name", "not a valid name"}},
	{"places name escapes", []corpusEdit{
		{"pipeline.yaml", "places:\n  schools:", "places:\n  ../schools:"},
	}, ExitConfig, []string{`places."../schools"`, "not a valid name"}},
	{"boundary name with a space", []corpusEdit{
		{"pipeline.yaml", "boundaries:\n  tract:", "boundaries:\n  census tract:"},
	}, ExitConfig, []string{`boundaries."census tract"`, "not a valid name"}},

	// CSV files.
	{"duplicate used header", []corpusEdit{{"api_2000_oakland.csv", `"api99"`, `"api00"`}}, ExitFailure,
		[]string{`api_2000_oakland.csv:1: column "api00": the header names this column 2 times (fields 13 and 14)`}},
	{"duplicate unused header", []corpusEdit{{"api_2000_oakland.csv", `"acs.46"`, `"acs.k3"`}}, ExitOK,
		[]string{`header names appear more than once in columns that are not read (ignored): api_2000_oakland.csv:1: "acs.k3"`}},
	{"extra field", []corpusEdit{{"api_2000_oakland.csv", `,1560,878`, `,1560,878,x`}}, ExitFailure,
		[]string{"api_2000_oakland.csv:2: row has 39 fields, the header has 38", "allow_extra_fields: true"}},
	{"NaN in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", "NaN"}}, ExitFailure,
		[]string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "NaN" is not a finite number`}},
	{"Inf in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "-122.28356", "+Inf"}}, ExitFailure,
		[]string{`cde_schools_2018_oakland.csv:2: column "Longitude": value "+Inf" is not a finite number`}},
	{"Latin-1 bytes", []corpusEdit{{"api_2000_oakland.csv", `"Castlemont Senior High"`, "\"Castlemont Se\xf1or High\""}}, ExitFailure,
		[]string{`api_2000_oakland.csv:2: column "sname": invalid UTF-8 (byte 0xF1`, "encoding: latin1"}},
	{"NUL byte", []corpusEdit{{"api_2000_oakland.csv", `"Castlemont Senior High"`, "\"Castlemont\x00Senior High\""}}, ExitFailure,
		[]string{`api_2000_oakland.csv:2: column "sname": value holds a NUL byte`}},
	{"right-to-left override", []corpusEdit{{"api_2000_oakland.csv", `"Castlemont Senior High"`, "\"Castlemont \u202eSenior High\""}}, ExitOK,
		[]string{`values held bidi control characters (they reorder displayed text); removed them: api_2000_oakland.csv:2: column "sname"`}},
	{"thousands separator", []corpusEdit{{"api_2000_oakland.csv", `,1560,878`, `,"1,560",878`}}, ExitFailure,
		[]string{`api_2000_oakland.csv:2: column "enroll": value "1,560" is not a whole number: it looks written with thousands separators; remove them (1560)`}},
	{"NA without null", []corpusEdit{
		{"pipeline.yaml", "    key: cds\n    null: [\"NA\"]\n", "    key: cds\n"},
		{"api_2000_oakland.csv", `,67,418,433,`, `,67,NA,433,`},
	}, ExitFailure,
		[]string{`value "NA" is not a whole number: if "NA" means no value, add it to the source's null list (null: ["NA"])`}},
	{"semicolon-delimited", []corpusEdit{{"oakland_hills_flatlands.csv", "", "neighborhood;terrain\n\"Adams Point\";flatlands\n"}}, ExitFailure,
		[]string{"oakland_hills_flatlands.csv:1", "probably semicolon-separated", `set delimiter: ";"`}},
	{"line too long", []corpusEdit{
		{"pipeline.yaml", "    file: oakland_hills_flatlands.csv\n", "    file: oakland_hills_flatlands.csv\n    max_line_bytes: 1000\n"},
		{"oakland_hills_flatlands.csv", `"Adams Point",flatlands`, `"Adams Point` + strings.Repeat("x", 2000) + `",flatlands`},
	}, ExitFailure, []string{"oakland_hills_flatlands.csv:3: line is longer than 1000 bytes"}},

	// Census responses.
	{"declared variable missing", []corpusEdit{{"pipeline.yaml", "variables: [NAME, B19013_001E,", "variables: [NAME, B19013_001E, B19013_001M,"}}, ExitFailure,
		[]string{"alameda_acs5_2018_tracts.json", "it lacks the requested column(s) B19013_001M"}},
	{"duplicate GEOID", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"06","001","400200"]`, `"06","001","400100"]`}}, ExitFailure,
		[]string{"alameda_acs5_2018_tracts.json", "1 duplicate GEOID(s): 06001400100"}},
	{"wrong year", []corpusEdit{{"pipeline.yaml", "    year: 2018\n", "    year: 2017\n"}}, ExitFailure,
		[]string{"the file name says 2018 but the source asks for year 2017"}},
	{"wrong county", []corpusEdit{{"pipeline.yaml", `in: "state:06 county:001"`, `in: "state:06 county:013"`}}, ExitFailure,
		[]string{"361 row(s) lie outside the requested county:013"}},
	{"header-only response", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", "HEADER-ONLY"}}, ExitFailure,
		[]string{"alameda_acs5_2018_tracts.json", "a header and no rows"}},
	// Caught by default against the tract boundary (census.TractCoverage),
	// not only with check_complete.
	{"response cut at a row boundary", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", "FIRST-100"}}, ExitFailure,
		[]string{`tracts: source "acs" against boundary "tract": the response is incomplete: it has 100 row(s) and lacks 260 of the 360 land tracts the boundary has in 06001 (06001409600,`,
			"the recorded file alameda_acs5_2018_tracts.json is short: save the whole answer again"}},

	// Options that declare what the file holds: accepted, as declared.
	{"Latin-1 declared", []corpusEdit{
		{"api_2000_oakland.csv", `"Castlemont Senior High"`, "\"Castlemont Se\xf1or High\""},
		{"pipeline.yaml", "    key: cds\n", "    key: cds\n    encoding: latin1\n"},
	}, ExitOK, nil},
	{"extra fields allowed", []corpusEdit{
		{"api_2000_oakland.csv", `,1560,878`, `,1560,878,x`},
		{"pipeline.yaml", "    key: cds\n", "    key: cds\n    allow_extra_fields: true\n"},
	}, ExitOK, []string{"source api2000: rows have more fields than the header; the extra fields were ignored (allow_extra_fields): api_2000_oakland.csv:2: 39 fields, the header has 38"}},
	{"semicolons declared", []corpusEdit{
		{"oakland_hills_flatlands.csv", "*,", ";"},
		{"pipeline.yaml", "    file: oakland_hills_flatlands.csv\n", "    file: oakland_hills_flatlands.csv\n    delimiter: \";\"\n"},
	}, ExitOK, nil},

	// The cases of pipeline/badinput_test.go, through the command line.
	{"missing file", []corpusEdit{{"api_2000_oakland.csv", "", "DELETE"}}, ExitFailure, []string{"source:api2000", "api_2000_oakland.csv", "no such file"}},
	{"malformed census response", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"06","001","400100"],`, `"06","001","400100"`}}, ExitFailure,
		[]string{`source "acs"`, "alameda_acs5_2018_tracts.json"}},
	{"wrong column name", []corpusEdit{{"cde_schools_2018_oakland.csv", "Latitude,Longitude", "Latitud,Longitude"}}, ExitFailure,
		[]string{"cde_schools_2018_oakland.csv:1", `column "Latitude": no such column in the header; did you mean "Latitud"?`}},
	{"lost leading zero", []corpusEdit{{"api_2000_oakland.csv", `"01612590132092"`, `"1612590132092"`}}, ExitFailure,
		[]string{"api_2000_oakland.csv:2", "leading zeros were probably lost"}},
	{"GEOID as a number", []corpusEdit{{"alameda_tracts_2010.geojson", `"GEOID":"06001400100"`, `"GEOID":6001400100`}}, ExitFailure,
		[]string{"alameda_tracts_2010.geojson: feature 0", "numeric IDs lose leading zeros"}},
	{"duplicate feature ID", []corpusEdit{{"alameda_tracts_2010.geojson", `"GEOID":"06001400200"`, `"GEOID":"06001400100"`}}, ExitFailure,
		[]string{`duplicate ID "06001400100" (also feature 0)`}},
	{"unclosed ring", []corpusEdit{{"alameda_tracts_2010.geojson", `,[-122.24692,37.885438]]]]`, `]]]`}}, ExitOK,
		[]string{"boundary tract: alameda_tracts_2010.geojson: feature 0 (06001400100): polygon 0 ring 0 was not closed; closed it by repeating its first point"}},
	{"school outside every boundary", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.786684,-122.23578", "38.786684,-122.23578"}}, ExitOK,
		[]string{"could not be placed; see unplaced/schools.csv"}},

	// The pipeline file.
	{"empty pipeline file", []corpusEdit{{"pipeline.yaml", "", ""}}, ExitConfig, []string{"pipeline.yaml: the file is empty"}},
	{"pipeline file not UTF-8", []corpusEdit{{"pipeline.yaml", "Oakland schools in the hills", "Oakland schools in the h\xefills"}}, ExitConfig,
		[]string{"pipeline.yaml:5:", "is not UTF-8"}},
	{"tab in the pipeline file", []corpusEdit{{"pipeline.yaml", "    dataset: acs/acs5\n", "\tdataset: acs/acs5\n"}}, ExitConfig,
		[]string{"pipeline.yaml:20: a tab in the indentation"}},
}

// demoTree writes the demo into root/proj (init) and runs it into root/out,
// and returns root.
func demoTree(t *testing.T, root string) string {
	t.Helper()
	if code, _, e := run(t, "init", filepath.Join(root, "proj")); code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, e)
	}
	if code, _, e := run(t, "run", filepath.Join(root, "proj", "pipeline.yaml"), "--out", filepath.Join(root, "out"), "--quiet"); code != ExitOK {
		t.Fatalf("baseline run: exit %d: %s", code, e)
	}
	return root
}

// copyTree copies the tree at src to dst, keeping symbolic links as links.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	cloneTree(t, src, dst, nil)
}

// cloneTree is copyTree that hard-links the files for which link says so
// (files nothing rewrites in place: the stage cache and finished output
// versions, which groundwork replaces, never edits).
func cloneTree(t *testing.T, src, dst string, link func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case link != nil && link(filepath.ToSlash(rel)):
			return os.Link(p, to)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hashTree returns the SHA-256 of every file under dir (following dir itself
// if it is a link), by slash path; skip says which entries to leave out.
func hashTree(t *testing.T, dir string, skip func(rel string) bool) map[string]string {
	t.Helper()
	if target, err := filepath.EvalSymlinks(dir); err == nil {
		dir = target
	}
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && skip != nil && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			l, _ := os.Readlink(p)
			m[rel] = "link to " + l
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := sha256.Sum256(b)
		m[rel] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// applyEdit makes one corpus edit in proj.
func applyEdit(t *testing.T, proj string, e corpusEdit) {
	t.Helper()
	p := filepath.Join(proj, e.file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case e.old == "" && (e.new == "HEADER-ONLY" || e.new == "FIRST-100"):
		lines := strings.SplitAfter(string(b), "\n")
		keep := 1
		if e.new == "FIRST-100" {
			keep = 101
		}
		kept := strings.Join(lines[:keep], "")
		b = []byte(strings.TrimSuffix(strings.TrimSuffix(kept, "\n"), ",") + "]\n")
	case e.old == "" && e.new == "TRUNCATE-HALF":
		b = b[:len(b)/2]
	case e.old == "" && e.new == "DELETE":
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		return
	case e.old == "":
		b = []byte(e.new)
	default:
		old, n := e.old, 1
		if strings.HasPrefix(old, "*") {
			old, n = old[1:], -1
		}
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%s does not contain %q", e.file, old)
		}
		b = bytes.Replace(b, []byte(old), []byte(e.new), n)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputCorpus runs every case of badInputCorpus on a copy of a demo
// project that already has an output, four folders deep in a temporary
// root, and checks the exit code and the message fragments, that a failed
// run leaves the output byte for byte as it was, that a run that succeeds
// shows its warning in the report's run notes, and that no run writes
// anything outside its output folder (every file under the root, outside the
// output's version folders and the stage cache, is hashed before and after).
func TestBadInputCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo once per case")
	}
	template := demoTree(t, filepath.Join(t.TempDir(), "a", "b", "c", "d"))
	outside := func(rel string) bool {
		base := filepath.Base(rel)
		return strings.HasPrefix(base, ".out.v-") || base == ".groundwork-cache" || rel == "a/b/c/d/out"
	}
	var silent atomic.Int32
	t.Cleanup(func() {
		if n := silent.Load(); n > 0 {
			t.Errorf("%d case(s) accepted silently", n)
		}
	})
	cases := corpusCases()
	if len(cases) < 106 {
		t.Errorf("the corpus has %d cases, issue 19 asks for at least 106", len(cases))
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if why, ok := knownSilent[tt.name]; ok {
				t.Skip("known silent acceptance: " + why)
			}
			t.Parallel()
			top := t.TempDir()
			root := filepath.Join(top, "a", "b", "c", "d")
			cloneTree(t, template, root, func(rel string) bool { return !strings.HasPrefix(rel, "proj/") })
			proj, out := filepath.Join(root, "proj"), filepath.Join(root, "out")
			for _, e := range tt.edits {
				applyEdit(t, proj, e)
			}
			beforeOut := hashTree(t, out, nil)
			beforeAll := hashTree(t, top, outside)
			code, _, stderr := run(t, "run", filepath.Join(proj, "pipeline.yaml"), "--out", out, "--quiet")
			stderr = strings.ReplaceAll(stderr, `\"`, `"`) // warnings are logged as msg="..."
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstderr: %.3000s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q\nstderr: %.3000s", w, stderr)
					if code == ExitOK {
						silent.Add(1)
					}
				}
			}
			if diff := cmp.Diff(beforeAll, hashTree(t, top, outside)); diff != "" {
				t.Errorf("the run wrote outside its output folder (-before +after):\n%s", diff)
			}
			afterOut := hashTree(t, out, nil)
			if code != ExitOK {
				if diff := cmp.Diff(beforeOut, afterOut); diff != "" {
					t.Errorf("a failed run changed the output (-before +after):\n%.2000s", diff)
				}
				return
			}
			report, err := os.ReadFile(filepath.Join(out, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !bytes.Contains(report, []byte(html.EscapeString(w))) {
					t.Errorf("the report's run notes do not show %q", w)
				}
			}
		})
	}
}

// TestReproducibleBytes runs the demo from two project folders at different
// depths (one named by a relative-looking path, one absolute), as the
// embedded demo (written to a random temporary folder each time) twice, and
// in a copy of a project with its output and stage cache moved elsewhere,
// and checks that every output file has the same bytes.
func TestReproducibleBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo five times")
	}
	a := demoTree(t, filepath.Join(t.TempDir(), "one"))
	b := demoTree(t, filepath.Join(t.TempDir(), "two", "levels", "deeper"))
	want := hashTree(t, filepath.Join(a, "out"), nil)
	if diff := cmp.Diff(want, hashTree(t, filepath.Join(b, "out"), nil)); diff != "" {
		t.Errorf("a project in another folder gives other bytes (-one +two):\n%s", diff)
	}
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "demo-out")
		if code, _, e := run(t, "run", "--out", out, "--quiet"); code != ExitOK {
			t.Fatalf("embedded demo: exit %d: %s", code, e)
		}
		if diff := cmp.Diff(want, hashTree(t, out, nil)); diff != "" {
			t.Errorf("embedded demo run %d gives other bytes (-project +embedded):\n%s", i+1, diff)
		}
	}
	// A copied project reuses its stage cache: the cached stages must not
	// carry the old folder into the new outputs.
	c := filepath.Join(t.TempDir(), "copied")
	copyTree(t, a, c)
	if err := os.Rename(filepath.Join(a, "proj"), filepath.Join(a, "moved-away")); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(t, "run", filepath.Join(c, "proj", "pipeline.yaml"), "--out", filepath.Join(c, "out"), "--quiet"); code != ExitOK {
		t.Fatalf("copied project: exit %d: %s", code, e)
	}
	if diff := cmp.Diff(want, hashTree(t, filepath.Join(c, "out"), nil)); diff != "" {
		t.Errorf("the copied project gives other bytes (-original +copy):\n%s", diff)
	}
	var files []string
	for f := range want {
		files = append(files, f)
	}
	sort.Strings(files)
	if len(files) < 10 {
		t.Errorf("only %d output files compared: %v", len(files), files)
	}
}
