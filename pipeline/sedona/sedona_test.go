package sedona

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
)

var big = flag.Bool("sedona.big", false, "also run the generated 1,000,000-point Ohio job (always on when CI=true)")

const (
	oakland   = "../demo/oakland"
	ohioZip   = "../../geo/testdata/cb_2018_39_tract_500k.zip"
	ohioCount = 1_000_000
)

// setupOrSkip returns the Sedona set-up, skipping the test when it is absent
// (failing under CI, where .ci/run installs it).
func setupOrSkip(t *testing.T) *Setup {
	t.Helper()
	s, err := FindSetup("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Sedona engine is not set up: %v", err)
		}
		t.Skipf("Sedona engine not set up: %v", err)
	}
	return s
}

// pointSet is one point set of the shared job with what the native engine
// says about it.
type pointSet struct {
	points     Points
	layers     map[string]*geo.Layer
	areas      map[string]Area
	provenance string
}

// sharedJob is the one Spark job of the test run: every point set of every
// test, so Spark starts once.
type sharedJob struct {
	once sync.Once
	dir  string
	sets map[string]*pointSet
	err  error
	took time.Duration
	keep bool
}

var shared sharedJob

func runShared(t *testing.T) (string, map[string]*pointSet) {
	t.Helper()
	setup := setupOrSkip(t)
	shared.once.Do(func() {
		if keep := os.Getenv("GROUNDWORK_SEDONA_TEST_DIR"); keep != "" {
			// Kept after the run, to rerun the job by hand (python job.py job.json).
			shared.dir, shared.keep = keep, true
		} else {
			shared.dir, shared.err = os.MkdirTemp("", "groundwork-sedona-test-")
		}
		if shared.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		job, sets, err := buildJob(ctx, *big || os.Getenv("CI") == "true")
		if err != nil {
			shared.err = err
			return
		}
		shared.sets = sets
		if err := Write(ctx, shared.dir, job); err != nil {
			shared.err = err
			return
		}
		start := time.Now()
		var log strings.Builder
		shared.err = Submit(ctx, shared.dir, setup, SubmitOptions{Master: "local[2]", Log: &log, Env: []string{"GROUNDWORK_SEDONA_EXPLAIN=" + os.Getenv("GROUNDWORK_SEDONA_EXPLAIN")}})
		if os.Getenv("GROUNDWORK_SEDONA_EXPLAIN") != "" {
			t.Log(log.String())
		}
		shared.took = time.Since(start)
		for _, line := range strings.Split(log.String(), "\n") {
			if strings.HasPrefix(line, "groundwork-sedona:") {
				t.Log(line)
			}
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	t.Logf("shared Spark job (local[2]) took %s", shared.took.Round(time.Millisecond))
	return shared.dir, shared.sets
}

// TestMain removes the shared job's folder.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if shared.dir != "" && !shared.keep {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// buildJob assembles the job: Oakland's real points (schools of the state
// directory, the FIXTURE contacts and survey answers, and every vertex of
// the real tract polygons, which lie on shared edges) in the demo's tracts,
// neighborhoods and terrain; with withOhio, 1,000,000 generated points over
// Ohio's real tracts.
func buildJob(ctx context.Context, withOhio bool) (*Job, map[string]*pointSet, error) {
	tract, err := geo.Read(ctx, "tract", filepath.Join(oakland, "alameda_tracts_2010.geojson"), "GEOID")
	if err != nil {
		return nil, nil, err
	}
	hood, err := geo.Read(ctx, "neighborhood", filepath.Join(oakland, "oakland_neighborhoods.geojson"), "name")
	if err != nil {
		return nil, nil, err
	}
	terrain, err := readLookup(filepath.Join(oakland, "oakland_hills_flatlands.csv"), "neighborhood", "terrain")
	if err != nil {
		return nil, nil, err
	}
	job := &Job{
		Boundaries: []Boundary{{Layer: tract, Counties: true}, {Layer: hood}},
		Areas:      []Area{{Name: "terrain", Boundary: "neighborhood", Values: terrain}},
		Partitions: 4,
	}
	sets := map[string]*pointSet{}
	add := func(name, prov string, pts []orb.Point, valid []bool) {
		p := Points{Name: name, Points: pts, Valid: valid, Boundaries: []string{"tract", "neighborhood"}, Areas: []string{"terrain"}}
		job.Points = append(job.Points, p)
		sets[name] = &pointSet{points: p, layers: map[string]*geo.Layer{"tract": tract, "neighborhood": hood},
			areas: map[string]Area{"terrain": job.Areas[0]}, provenance: prov}
	}
	for _, s := range []struct{ name, file, lat, lon, prov string }{
		{"schools", "cde_schools_2018_oakland.csv", "Latitude", "Longitude", "real: California school directory"},
		{"fixture_contacts", "fixture_contacts.csv", "Latitude", "Longitude", "FIXTURE people at real school addresses"},
		{"fixture_survey", "fixture_limesurvey_responses.csv", "loc[lat]", "loc[lon]", "FIXTURE survey answers"},
	} {
		pts, valid, err := readPoints(filepath.Join(oakland, s.file), s.lat, s.lon)
		if err != nil {
			return nil, nil, err
		}
		add(s.name, s.prov, pts, valid)
	}
	if err := addSchoolsTable(job, sets["schools"]); err != nil {
		return nil, nil, err
	}
	var vertices []orb.Point
	for _, f := range tract.Features {
		for _, poly := range f.Geom {
			for _, r := range poly {
				vertices = append(vertices, r...)
			}
		}
	}
	add("tract_vertices", "real: every vertex of the Alameda tract polygons", vertices, nil)

	if withOhio {
		ohio, err := geo.Read(ctx, "ohio_tract", ohioZip, "GEOID")
		if err != nil {
			return nil, nil, err
		}
		job.Boundaries = append(job.Boundaries, Boundary{Layer: ohio, Counties: true})
		p := Points{Name: "ohio_generated", Points: generate(ohio, ohioCount, 13), Boundaries: []string{"ohio_tract"}}
		job.Points = append(job.Points, p)
		sets[p.Name] = &pointSet{points: p, layers: map[string]*geo.Layer{"ohio_tract": ohio},
			provenance: "GENERATED: uniform in Ohio's bounding box, seed 13"}
		if err := addOhioTable(job, sets[p.Name]); err != nil {
			return nil, nil, err
		}
	}
	return job, sets, nil
}

// generate returns n points drawn uniformly (PCG, fixed seed) in the
// bounding box of l's features.
func generate(l *geo.Layer, n int, seed uint64) []orb.Point {
	b := l.Features[0].Bound
	for _, f := range l.Features[1:] {
		b = b.Union(f.Bound)
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

func readCSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // a short row (the fixture has one) just has no point
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	return rows[0], rows[1:], nil
}

func column(path string, header []string, name string) (int, error) {
	for i, h := range header {
		if h == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: no column %q", path, name)
}

// readPoints reads lat/lon columns; a row without both numbers has no point.
func readPoints(path, lat, lon string) ([]orb.Point, []bool, error) {
	header, rows, err := readCSV(path)
	if err != nil {
		return nil, nil, err
	}
	la, err := column(path, header, lat)
	if err != nil {
		return nil, nil, err
	}
	lo, err := column(path, header, lon)
	if err != nil {
		return nil, nil, err
	}
	pts := make([]orb.Point, len(rows))
	valid := make([]bool, len(rows))
	for i, r := range rows {
		if len(r) <= max(la, lo) {
			continue
		}
		y, err1 := strconv.ParseFloat(r[la], 64)
		x, err2 := strconv.ParseFloat(r[lo], 64)
		if err1 == nil && err2 == nil {
			pts[i], valid[i] = orb.Point{x, y}, true
		}
	}
	return pts, valid, nil
}

func readLookup(path, key, value string) (map[string]string, error) {
	header, rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	k, err := column(path, header, key)
	if err != nil {
		return nil, err
	}
	v, err := column(path, header, value)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r[k]] = r[v]
	}
	return out, nil
}

// native places the set with groundwork's own index (geo.LocateAll).
func native(t *testing.T, s *pointSet, boundary string) []string {
	t.Helper()
	l := s.layers[boundary]
	out := make([]int32, len(s.points.Points))
	if err := geo.LocateAll(context.Background(), geo.NewIndex(l), s.points.Points, out, 0); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(out))
	for i, f := range out {
		if f != geo.Unmatched && (s.points.Valid == nil || s.points.Valid[i]) {
			ids[i] = l.Features[f].ID
		}
	}
	return ids
}

// compare checks Sedona's placements of a set against groundwork's, point by
// point, and returns the number that agree.
func compare(t *testing.T, dir, name string, s *pointSet) {
	t.Helper()
	pl, err := ReadPlacements(context.Background(), dir, name, s.points.Boundaries, s.points.Areas)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Rows != len(s.points.Points) {
		t.Fatalf("%s: job has %d rows, want %d", name, pl.Rows, len(s.points.Points))
	}
	for _, b := range s.points.Boundaries {
		want := native(t, s, b)
		got := pl.Features[b]
		agree, placed := 0, 0
		var diffs []string
		for i := range want {
			if want[i] != "" {
				placed++
			}
			if got[i] == want[i] {
				agree++
			} else if len(diffs) < 10 {
				diffs = append(diffs, fmt.Sprintf("row %d %v: sedona %q, native %q", i, s.points.Points[i], got[i], want[i]))
			}
		}
		t.Logf("%s (%s) in %s: %d of %d points agree; %d placed; %d held by more than one feature (resolved to the smallest ID)",
			name, s.provenance, b, agree, len(want), placed, pl.Shared[b])
		if agree != len(want) {
			t.Errorf("%s in %s: %d point(s) differ, first: %s", name, b, len(want)-agree, strings.Join(diffs, "; "))
		}
		if pl.Placed[b] != int64(placed) {
			t.Errorf("%s in %s: %d placed, native %d", name, b, pl.Placed[b], placed)
		}
		if s.layers[b] != nil && b != "neighborhood" {
			for i, id := range want {
				wantState, wantCounty := "", ""
				if id != "" {
					wantState, wantCounty = id[:2], id[2:5]
				}
				if pl.State[i] != wantState || pl.County[i] != wantCounty {
					t.Fatalf("%s row %d: partition state=%q county=%q, want %q %q", name, i, pl.State[i], pl.County[i], wantState, wantCounty)
				}
			}
		}
	}
	for _, a := range s.points.Areas {
		area := s.areas[a]
		want := native(t, s, area.Boundary)
		for i, id := range want {
			if w := area.Values[id]; pl.Areas[a][i] != w {
				t.Errorf("%s row %d: %s %q, want %q", name, i, a, pl.Areas[a][i], w)
			}
		}
	}
}

// TestOaklandAgreesWithNative runs the job on local Spark (2 threads) over
// the demo's real inputs and compares every point's tract, neighborhood and
// terrain with geo.LocateAll.
func TestOaklandAgreesWithNative(t *testing.T) {
	dir, sets := runShared(t)
	for _, name := range []string{"schools", "fixture_contacts", "fixture_survey", "tract_vertices"} {
		t.Run(name, func(t *testing.T) { compare(t, dir, name, sets[name]) })
	}
	st, err := ReadPlacements(context.Background(), dir, "tract_vertices", []string{"tract"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Vertices of neighbouring tracts are shared: if none were held by two
	// tracts, the smallest-ID rule would not have been exercised.
	if st.Shared["tract"] == 0 {
		t.Errorf("no tract vertex is held by more than one tract; the shared-edge rule is untested")
	}
	pl, err := ReadPlacements(context.Background(), dir, "schools", []string{"tract"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pl.Files {
		if !strings.HasPrefix(f, "out/placements/schools/state=06/county=001/") &&
			!strings.HasPrefix(f, "out/placements/schools/state=__HIVE_DEFAULT_PARTITION__/county=__HIVE_DEFAULT_PARTITION__/") {
			t.Errorf("unexpected partition file %s", f)
		}
	}
}

// TestOhioGeneratedMillion places 1,000,000 GENERATED points (uniform in
// Ohio's bounding box, fixed seed) in Ohio's real 2018 tracts and counts
// agreement with the native engine point by point. Opt-in locally
// (-sedona.big), always on under CI.
func TestOhioGeneratedMillion(t *testing.T) {
	if !*big && os.Getenv("CI") != "true" {
		t.Skip("generated 1,000,000-point run: pass -sedona.big (on by default when CI=true)")
	}
	dir, sets := runShared(t)
	compare(t, dir, "ohio_generated", sets["ohio_generated"])
}

func TestFindSetupNamesTheCommand(t *testing.T) {
	for _, tc := range []struct {
		name, python, jars string
	}{
		{"no python", "/nonexistent/python", ""},
		{"no jars", os.Args[0], t.TempDir()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GROUNDWORK_SEDONA_JARS", tc.jars)
			_, err := FindSetup(tc.python)
			if err == nil || !strings.Contains(err.Error(), SetupCommand) {
				t.Fatalf("FindSetup(%q) = %v, want an error naming %s", tc.python, err, SetupCommand)
			}
		})
	}
}

func TestReadWithoutOutput(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadPlacements(context.Background(), dir, "schools", nil, nil); !errors.Is(err, ErrNoOutput) {
		t.Errorf("ReadPlacements = %v, want ErrNoOutput", err)
	}
}

func TestWriteChecksNames(t *testing.T) {
	l := &geo.Layer{Name: "tract"}
	for _, tc := range []struct {
		name string
		job  Job
		want string
	}{
		{"bad boundary name", Job{Boundaries: []Boundary{{Layer: &geo.Layer{Name: "../x"}}}}, `boundary name "../x"`},
		{"unknown boundary", Job{Boundaries: []Boundary{{Layer: l}}, Points: []Points{{Name: "p", Boundaries: []string{"hood"}}}}, `boundary "hood" is not in the job`},
		{"unknown area", Job{Boundaries: []Boundary{{Layer: l}}, Points: []Points{{Name: "p", Areas: []string{"terrain"}}}}, `area "terrain" is not in the job`},
		{"reserved name", Job{Boundaries: []Boundary{{Layer: &geo.Layer{Name: "row"}}}}, `boundary name "row"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(context.Background(), t.TempDir(), &tc.job)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write = %v, want an error containing %s", err, tc.want)
			}
		})
	}
}

func TestJarsLock(t *testing.T) {
	jars := Jars()
	if len(jars) == 0 {
		t.Fatal("jars.lock pins no jar")
	}
	for _, j := range jars {
		if len(j.SHA256) != 64 || !strings.HasPrefix(j.Coordinate, "org.apache.sedona:") && !strings.HasPrefix(j.Coordinate, "org.datasyslab:") {
			t.Errorf("jar %+v: want a Sedona coordinate and a 64-digit SHA-256", j)
		}
	}
	var buf strings.Builder
	_, _ = io.WriteString(&buf, Packages())
	if got := buf.String(); !strings.Contains(got, "sedona-spark-shaded") {
		t.Errorf("Packages() = %q", got)
	}
}

// TestSubmitCancel cancels a job while Spark starts: Submit returns the
// context's error promptly and leaves no output.
func TestSubmitCancel(t *testing.T) {
	setup := setupOrSkip(t)
	dir := t.TempDir()
	l := &geo.Layer{Name: "square", Features: []geo.Feature{{ID: "a", Geom: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}}}}
	job := &Job{Boundaries: []Boundary{{Layer: l}}, Points: []Points{{Name: "p", Points: []orb.Point{{0.5, 0.5}}, Boundaries: []string{"square"}}}}
	if err := Write(context.Background(), dir, job); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	err := Submit(ctx, dir, setup, SubmitOptions{Master: "local[1]"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit = %v, want the context's error", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Submit returned %s after the context ended", took)
	}
	if _, err := ReadPlacements(context.Background(), dir, "p", []string{"square"}, nil); !errors.Is(err, ErrNoOutput) {
		t.Errorf("after cancel: ReadPlacements = %v, want ErrNoOutput", err)
	}
}
