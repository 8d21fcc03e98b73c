package stagegraph

import (
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// Passes groups the stages of g that share one pass over a streamed places
// set, when they all run: the set's places stage; the source stage it
// reads, when pairPasses pairs them (the source's file is read, written to
// raw/<source>.parquet and placed in one pass instead of being written and
// read back); and the summaries and segments over the set (they get the
// placed chunks as they are made instead of reading places/<name>.parquet
// back). Not with the sedona engine (which reads the points once before
// placing them, and may compute the summaries and segments itself), and
// not a stage another of whose inputs depends on the places stage (the
// pass would wait for itself). run[i] reports whether stage i of g runs
// (a stage restored from the cache is in no pass). Each pass lists its
// stages in graph order; passOf[i] is the index of stage i's pass, or -1.
func Passes(cfg *config.Config, g []*Stage, run []bool) (passes [][]int, passOf []int) {
	index := make(map[string]int, len(g))
	for i, s := range g {
		index[s.Name] = i
	}
	partner := pairPasses(cfg, g, run, index)
	passOf = make([]int, len(g))
	for i := range passOf {
		passOf[i] = -1
	}
	if cfg.Engine == "sedona" {
		return passes, passOf
	}
	for j, s := range g {
		item, ok := strings.CutPrefix(s.Name, "places:")
		pl := cfg.Places[item]
		if !ok || pl == nil || !run[j] || !cfg.StreamedSource(pl.Source) {
			continue
		}
		var pass []int
		if i := partner[j]; i >= 0 {
			pass = append(pass, i)
		}
		pass = append(pass, j)
		for k := j + 1; k < len(g); k++ {
			kind := g[k].Kind
			if (kind == "summaries" || kind == "segments") && run[k] &&
				slices.Contains(g[k].Deps, s.Name) && !dependsOn(g, index, g[k].Deps, s.Name) {
				pass = append(pass, k)
			}
		}
		if len(pass) < 2 {
			continue
		}
		for _, k := range pass {
			passOf[k] = len(passes)
		}
		passes = append(passes, pass)
	}
	return passes, passOf
}

// pairPasses pairs each streamed source that runs with the first places
// stage (in graph order) that reads it and runs too, so that the source's
// file is read, written to raw/<source>.parquet and placed in one pass
// instead of being written and read back. Not with the sedona engine
// (which reads the points once before placing them), and not when another
// input of the places stage depends on the source (the pair would wait for
// itself). Other places stages of the same source read the raw file back.
func pairPasses(cfg *config.Config, g []*Stage, run []bool, index map[string]int) []int {
	partner := make([]int, len(g))
	for i := range partner {
		partner[i] = -1
	}
	if cfg.Engine == "sedona" {
		return partner
	}
	for i, s := range g {
		name, ok := strings.CutPrefix(s.Name, "source:")
		if !ok || !run[i] || !cfg.StreamedSource(name) {
			continue
		}
		for j := i + 1; j < len(g); j++ {
			item, ok := strings.CutPrefix(g[j].Name, "places:")
			if !ok || !run[j] || partner[j] >= 0 || cfg.Places[item] == nil || cfg.Places[item].Source != name {
				continue
			}
			if !dependsOn(g, index, g[j].Deps, s.Name) {
				partner[i], partner[j] = j, i
				break
			}
		}
	}
	return partner
}

// dependsOn reports whether any of deps other than name itself reads,
// directly or through its own inputs, the stage name.
func dependsOn(g []*Stage, index map[string]int, deps []string, name string) bool {
	seen := map[string]bool{}
	var visit func(d string) bool
	visit = func(d string) bool {
		if d == name {
			return true
		}
		if seen[d] {
			return false
		}
		seen[d] = true
		for _, e := range g[index[d]].Deps {
			if visit(e) {
				return true
			}
		}
		return false
	}
	for _, d := range deps {
		if d != name && visit(d) {
			return true
		}
	}
	return false
}
