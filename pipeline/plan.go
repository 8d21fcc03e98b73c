package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/stagecache"
	"github.com/groundwork-org/groundwork/pipeline/stagegraph"
)

// StagePlan says whether a stage will run and why.
type StagePlan struct {
	Name string
	// Deps names the stages whose outputs this one reads.
	Deps []string
	// Run is true when the stage will run; false when its cached results
	// will be reused.
	Run bool
	// Why explains Run: what changed since the last run into the same
	// output folder, "forced", or "cached: inputs unchanged".
	Why string
	// Key is the stage's cache key (hex SHA-256).
	Key string
}

// plan is a computed plan with what Run needs besides the public view.
type plan struct {
	graph  []*stageDef
	keys   []*stagecache.Key
	stages []StagePlan
	cache  *stagecache.Cache
	// restore[i] is true when stage i is cached but a dependant runs, so its
	// in-memory results must be rebuilt.
	restore []bool
	// last is the record of the last run into the same folder, or nil.
	last *runRecord
	// passes are the groups of stages that run in one pass over a
	// streamed places set (makePasses, pipeline/feed), each in graph order;
	// passOf[i] is the index in passes of stage i's, or -1.
	passes [][]int
	passOf []int
}

// cacheDir returns the cache folder for opts.
func cacheDir(opts Options) string {
	if opts.CacheDir != "" {
		return opts.CacheDir
	}
	return filepath.Join(filepath.Dir(filepath.Clean(opts.OutDir)), CacheDirName)
}

// Plan computes what Run would do with the same configuration and options,
// without running anything or writing any file: for each stage in run
// order, whether it runs or its cached results are reused, and why. It reads
// every input file once to hash it.
func Plan(ctx context.Context, cfg *config.Config, opts Options) ([]StagePlan, error) {
	if opts.OutDir == "" {
		return nil, errors.New("no output folder given")
	}
	cfg, err := withEngine(cfg, opts.Engine)
	if err != nil {
		return nil, err
	}
	p, err := makePlan(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	return p.stages, nil
}

// withEngine returns cfg with its engine replaced by engine, when given.
func withEngine(cfg *config.Config, engine string) (*config.Config, error) {
	if engine == "" || engine == cfg.Engine {
		return cfg, nil
	}
	if !slices.Contains(config.Engines, engine) {
		return nil, fmt.Errorf("--engine %q: use native or sedona", engine)
	}
	c := *cfg
	c.Engine = engine
	return &c, nil
}

// liveCensus says whether stage is the source stage of a census source
// pulled from the Data API (not a recorded file).
func liveCensus(cfg *config.Config, stage string) bool {
	name, ok := strings.CutPrefix(stage, "source:")
	s := cfg.Sources[name]
	return ok && s != nil && s.Kind == config.KindCensus && s.Recorded == ""
}

func makePlan(ctx context.Context, cfg *config.Config, opts Options) (*plan, error) {
	g := buildGraph(cfg, opts.Partitioned)
	force, err := resolveForce(g, opts.Force)
	if err != nil {
		return nil, err
	}
	ks, err := keys(ctx, cfg, g)
	if err != nil {
		return nil, err
	}
	c := &stagecache.Cache{Dir: cacheDir(opts)}
	last := c.LastRun(opts.OutDir)
	p := &plan{graph: g, keys: ks, cache: c, restore: make([]bool, len(g)), last: last}
	index := map[string]int{}
	for i, s := range g {
		index[s.Name] = i
		sp := StagePlan{Name: s.Name, Deps: s.Deps, Key: ks[i].Key}
		switch {
		case force[s.Name]:
			sp.Run, sp.Why = true, "forced"
		case opts.Census.Client.Refresh && !opts.Census.Client.Offline && liveCensus(cfg, s.Name):
			sp.Run, sp.Why = true, "refresh: pulled from the Census Data API again"
		case opts.NoCache:
			sp.Run, sp.Why = true, "cache disabled"
		case c.Has(s.Name, ks[i].Key):
			sp.Why = "cached: inputs unchanged"
		default:
			sp.Run, sp.Why = true, stagecache.Why(s.Name, ks[i], last)
		}
		p.stages = append(p.stages, sp)
	}
	for i, s := range g {
		if !p.stages[i].Run {
			continue
		}
		for _, d := range s.Deps {
			if j := index[d]; !p.stages[j].Run {
				p.restore[j] = true
			}
		}
	}
	run := make([]bool, len(g))
	for i, sp := range p.stages {
		run[i] = sp.Run
	}
	p.passes, p.passOf = stagegraph.Passes(cfg, graphStages(g), run)
	return p, nil
}
