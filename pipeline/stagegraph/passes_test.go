package stagegraph

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// passesPipeline is the national scale benchmark's pipeline file
// (pipeline/scalebench) cut to what the passes depend on: a streamed CSV
// source of points, its places set, a summary and a segment over it, and a
// summary of tracts that reads no points.
const passesPipeline = `
name: passes
sources:
  acs:
    kind: census
    dataset: acs/acs5
    year: 2018
    for: "tract:*"
    variables: [NAME, B19013_001E]
    recorded: acs.json
  points:
    kind: csv
    file: points.csv
    key: id
    columns:
      - id: string
      - name: string
      - kind: string
      - score: int
      - lat: float
      - lon: float
boundaries:
  tract:
    file: tracts.parquet
    id: GEOID
places:
  people:
    source: points
    id: id
    name: name
    lat: lat
    lon: lon
tracts:
  source: acs
  boundary: tract
summaries:
  - name: income
    of: tracts
    measures:
      - {column: B19013_001E, stats: [median]}
  - name: people
    of: people
    by: [kind]
    measures:
      - {column: score, stats: [count, median]}
segments:
  - name: top
    of: people
    where: 'score >= 90'
    rank: {by: score, order: desc}
    limit: 10
    columns: [id, name, tract, score]
report:
  title: passes
`

// TestPasses: the points source, its places stage and the summary and
// segment over them share one pass when they all run; a stage that does not
// run (restored from the cache) is in no pass; one stage left is no pass;
// the sedona engine makes none.
func TestPasses(t *testing.T) {
	all := []string{"source:points", "places:people", "summary:people", "segment:top"}
	tests := []struct {
		name    string
		engine  string
		skip    []string // stages that do not run
		want    [][]string
		inNoOne []string // stages whose passOf must be -1
	}{
		{name: "all run", want: [][]string{all}, inNoOne: []string{"source:acs", "summary:income", "tracts"}},
		{name: "source cached", skip: []string{"source:points"}, want: [][]string{all[1:]}, inNoOne: []string{"source:points"}},
		{name: "only places runs", skip: []string{"source:points", "summary:people", "segment:top"}, inNoOne: all},
		{name: "sedona", engine: "sedona", inNoOne: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("passes.yaml", []byte(passesPipeline))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Engine = tt.engine
			g := Build(cfg, false)
			index := map[string]int{}
			run := make([]bool, len(g))
			for i, s := range g {
				index[s.Name] = i
				run[i] = true
			}
			for _, name := range append(tt.skip, tt.inNoOne...) {
				if _, ok := index[name]; !ok {
					t.Fatalf("no stage %s in %d stages", name, len(g))
				}
			}
			for _, name := range tt.skip {
				run[index[name]] = false
			}
			passes, passOf := Passes(cfg, g, run)
			var got [][]string
			for k, p := range passes {
				var names []string
				for _, i := range p {
					names = append(names, g[i].Name)
					if passOf[i] != k {
						t.Errorf("passOf[%s] = %d, want %d", g[i].Name, passOf[i], k)
					}
				}
				got = append(got, names)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("passes (-want +got):\n%s", diff)
			}
			for _, name := range tt.inNoOne {
				if k := passOf[index[name]]; k != -1 {
					t.Errorf("passOf[%s] = %d, want -1", name, k)
				}
			}
		})
	}
}
