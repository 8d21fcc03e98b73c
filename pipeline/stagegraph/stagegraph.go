// Package stagegraph derives a pipeline file's stage graph: its stages in a
// fixed order that is also a topological order, what each reads (the stages
// it depends on, the input files whose bytes are part of its cache key),
// the configuration subtree in its key, and the work it does. The runner
// (package pipeline) binds each stage's Work to the state method that does
// it, schedules the stages and caches their outputs; the stage contract is
// in pipeline/doc.go.
package stagegraph

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// Stage is one node of the stage graph: a unit of work with declared
// inputs (files named in the pipeline file, a configuration subtree and the
// stages it reads from) and outputs (files under the output folder and the
// in-memory tables its dependants read).
//
// The runner runs a stage on a fork of the run's state whose Config is
// narrowed to the stage's own item (Narrow), so the per-kind work (load,
// place, summarize, select segments...) runs one item at a time unchanged.
type Stage struct {
	// Name is "<kind>" or "<kind>:<item>", e.g. "source:acs", "tracts",
	// "segment:flatland_elementary". It is what --force and plan print.
	Name string
	// Kind groups stages for --force (sources, boundaries, areas, tracts,
	// places, summaries, segments, partitions, report).
	Kind string
	// Deps names the stages whose outputs this stage reads.
	Deps []string
	// Files are the input files as written in the pipeline file (relative
	// to it); their bytes are part of the cache key.
	Files []string
	// Config is the configuration subtree that shapes the outputs; its JSON
	// encoding (struct fields in declaration order, map keys sorted) is part
	// of the cache key.
	Config any
	// Narrow returns the Config the stage sees; nil means the whole file.
	Narrow func(*config.Config) *config.Config
	// Work is what the stage does (the runner's state method for it).
	Work Work
	// Reload marks a stage whose results live only in memory (boundaries):
	// on a cache hit that a dependant needs, it is run again rather than
	// restored from files.
	Reload bool
}

// Work names what a stage does; the runner binds each to a state method.
type Work int

// The works of the stages, one per stage method of the runner.
const (
	LoadSources     Work = iota // source:<name>: read, type, write raw/<name>.parquet
	LoadBoundaries              // boundary:<name>: read, validate and index
	BuildAreas                  // area:<name>: map boundary features to areas
	JoinTracts                  // tracts: join, place, indicators, interpolations
	RunSpark                    // sedona: the sedona engine's Spark job
	PlaceAll                    // places:<name>: place records
	Summarize                   // summary:<name>
	SelectSegments              // segment:<name>
	RunOutreach                 // outreach: contacts, exports, survey, turnout
	PartitionTracts             // partitions:tracts
	PartitionPlaces             // partitions:places:<name>
	WriteReport                 // report: report.html
)

// Build derives the stage graph from a validated pipeline file, in a
// fixed order that is also a topological order: sources, boundaries, areas,
// tracts, places, summaries, segments, partitions, report. Warnings, source
// notes, summaries and segments are merged in this order, so the outputs do
// not depend on which parallel stage finishes first.
func Build(cfg *config.Config, partitioned bool) []*Stage {
	var g []*Stage
	var allBoundaries, allAreas []string
	for _, name := range slices.Sorted(maps.Keys(cfg.Sources)) {
		s := cfg.Sources[name]
		var files []string
		if file := s.InputFile(); file != "" {
			files = []string{file}
		}
		g = append(g, &Stage{
			Name: "source:" + name, Kind: "sources", Files: files, Config: s,
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Sources = map[string]*config.Source{name: c.Sources[name]}
				return &n
			},
			Work: LoadSources,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Boundaries)) {
		b := cfg.Boundaries[name]
		allBoundaries = append(allBoundaries, "boundary:"+name)
		var files []string
		if b.Census == nil {
			files = []string{b.File}
		}
		g = append(g, &Stage{
			Name: "boundary:" + name, Kind: "boundaries", Files: files, Config: b,
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Boundaries = map[string]*config.Boundary{name: c.Boundaries[name]}
				return &n
			},
			Work:   LoadBoundaries,
			Reload: true,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Areas)) {
		a := cfg.Areas[name]
		allAreas = append(allAreas, "area:"+name)
		g = append(g, &Stage{
			Name: "area:" + name, Kind: "areas", Config: a,
			Deps: []string{"source:" + a.Lookup.Source, "boundary:" + a.Boundary},
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Areas = map[string]*config.Area{name: c.Areas[name]}
				return &n
			},
			Work: BuildAreas,
		})
	}
	// Locating a point reads every boundary index and every area map.
	locating := append(slices.Clone(allBoundaries), allAreas...)
	if t := cfg.Tracts; t != nil {
		g = append(g, &Stage{
			// The tracts stage also computes the indicators (they add
			// columns to tracts.parquet), so its configuration includes them.
			Name: "tracts", Kind: "tracts", Config: struct {
				Tracts      *config.Tracts
				Indicators  *config.Indicators
				Interpolate []*config.Interpolation
			}{t, cfg.Indicators, cfg.Interpolate},
			Deps: uniq(append(append([]string{"source:" + t.Source}, weightSources(cfg)...), locating...)),
			Work: JoinTracts,
		})
	}
	// The sedona engine's job runs when it has points to place.
	sedonaEngine := cfg.Engine == "sedona" && (len(cfg.Places) > 0 || cfg.Contacts != nil)
	if sedonaEngine {
		g = append(g, sparkStage(cfg, locating))
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
		pl := cfg.Places[name]
		deps := []string{"source:" + pl.Source}
		if pl.Locate != nil {
			deps = append(deps, "source:"+pl.Locate.Source)
		}
		if len(cfg.InheritedColumns(name)) > 0 {
			deps = append(deps, "tracts") // places inherit columns of their tract
		}
		var key any = pl
		if sedonaEngine {
			// The engine is part of the key, so switching it reruns
			// placement (both give the same placements; the user asked
			// for the job to run); the placements come from the job.
			key = map[string]any{"places": pl, "engine": cfg.Engine}
			deps = append(deps, "sedona")
		}
		g = append(g, &Stage{
			Name: "places:" + name, Kind: "places", Config: key,
			Deps: uniq(append(deps, locating...)),
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Places = map[string]*config.Places{name: c.Places[name]}
				return &n
			},
			Work: PlaceAll,
		})
	}
	tableStage := func(of string) string {
		if of == "tracts" && cfg.Tracts != nil {
			return "tracts"
		}
		return "places:" + of
	}
	for _, s := range cfg.Summaries {
		deps := []string{tableStage(s.Of)}
		if sedonaEngine && s.Of != "tracts" {
			deps = append(deps, "sedona") // the job may have computed it
		}
		g = append(g, &Stage{
			Name: "summary:" + s.Name, Kind: "summaries", Config: s,
			Deps: uniq(append(deps, allAreas...)),
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Summaries = []*config.Summary{s}
				return &n
			},
			Work: Summarize,
		})
	}
	for _, s := range cfg.Segments {
		deps := []string{tableStage(s.Of)}
		if sedonaEngine && s.Of != "tracts" {
			deps = append(deps, "sedona")
		}
		g = append(g, &Stage{
			Name: "segment:" + s.Name, Kind: "segments", Config: s,
			Deps: deps,
			Narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Segments = []*config.Segment{s}
				return &n
			},
			Work: SelectSegments,
		})
	}
	if ct := cfg.Contacts; ct != nil {
		deps := []string{"boundary:" + ct.Tracts}
		if cfg.Tracts != nil {
			deps = append(deps, "tracts")
		}
		if ct.Area != "" {
			deps = append(deps, "area:"+ct.Area, "boundary:"+cfg.Areas[ct.Area].Boundary)
		}
		for _, s := range cfg.Segments {
			if s.Of == "tracts" {
				deps = append(deps, "segment:"+s.Name)
			}
		}
		for _, b := range cfg.DecisionLayers() {
			deps = append(deps, "boundary:"+b) // each contact's seat
		}
		if sedonaEngine {
			deps = append(deps, "sedona") // the contacts' placements
		}
		files := []string{ct.File}
		if cfg.Listening != nil {
			files = append(files, cfg.Listening.File)
		}
		if cfg.Turnout != nil {
			files = append(files, cfg.Turnout.File)
		}
		if cfg.FollowUp != nil {
			for _, a := range cfg.FollowUp.Files {
				files = append(files, a.File)
			}
		}
		g = append(g, &Stage{
			Name: "outreach", Kind: "outreach", Files: files,
			Config: struct {
				Contacts  *config.Contacts
				Listening *config.Listening
				Turnout   *config.TurnoutConfig
				FollowUp  *config.FollowUp
			}{ct, cfg.Listening, cfg.Turnout, cfg.FollowUp},
			Deps: uniq(deps),
			Work: RunOutreach,
		})
	}
	if partitioned {
		if t := cfg.Tracts; t != nil {
			g = append(g, &Stage{
				Name: "partitions:tracts", Kind: "partitions", Config: t,
				Deps: []string{"tracts", "boundary:" + t.Boundary},
				Work: PartitionTracts,
			})
			for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
				g = append(g, &Stage{
					Name: "partitions:places:" + name, Kind: "partitions", Config: t,
					Deps: []string{"places:" + name},
					Narrow: func(c *config.Config) *config.Config {
						n := *c
						n.Places = map[string]*config.Places{name: c.Places[name]}
						return &n
					},
					Work: PartitionPlaces,
				})
			}
		}
	}
	if cfg.Report != nil {
		var all []string
		for _, s := range g {
			if s.Kind != "partitions" {
				all = append(all, s.Name)
			}
		}
		var seats []string // decision layers' seat lists
		for _, b := range cfg.DecisionLayers() {
			if f := cfg.Boundaries[b].Decides.Seats; f != "" {
				seats = append(seats, f)
			}
		}
		g = append(g, &Stage{Name: "report", Kind: "report", Files: seats, Config: cfg, Deps: all, Work: WriteReport})
	}
	return g
}

// sparkStage is the sedona engine's stage "sedona" (RunSpark): one
// Spark job places the points of every places set, the contacts, the
// listening survey and the sign-ins, and computes the summaries and
// segments over places sets. It reads every boundary and area and the
// places sets' sources; its key holds everything that shapes the
// placements, not the summaries and segments: editing one reuses the
// cached job, and the summary or segment stage computes the edited one
// natively over the job's placements (sedona.Out.Summary returns nil for a
// rule changed since the job ran), with the same result.
func sparkStage(cfg *config.Config, locating []string) *Stage {
	deps := slices.Clone(locating)
	for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
		pl := cfg.Places[name]
		deps = append(deps, "source:"+pl.Source)
		if pl.Locate != nil {
			deps = append(deps, "source:"+pl.Locate.Source)
		}
	}
	var files []string
	if ct := cfg.Contacts; ct != nil {
		files = append(files, ct.File)
		if cfg.Listening != nil {
			files = append(files, cfg.Listening.File)
		}
		if cfg.Turnout != nil {
			files = append(files, cfg.Turnout.File)
		}
	}
	return &Stage{
		Name: "sedona", Kind: "places", Files: files,
		Config: struct {
			Engine    string
			Places    map[string]*config.Places
			Contacts  *config.Contacts
			Listening *config.Listening
			Turnout   *config.TurnoutConfig
		}{cfg.Engine, cfg.Places, cfg.Contacts, cfg.Listening, cfg.Turnout},
		Deps: uniq(deps),
		Work: RunSpark,
	}
}

// weightSources are the stages of the sources that weight interpolations.
func weightSources(cfg *config.Config) []string {
	var out []string
	for _, ip := range cfg.Interpolate {
		if ip != nil && ip.Weights != nil {
			out = append(out, "source:"+ip.Weights.Source)
		}
	}
	return out
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ErrUnknownStage is wrapped by Force's error when --force names a stage
// the pipeline does not have.
var ErrUnknownStage = errors.New("no such stage")

// stageKinds lists the kinds accepted by --force besides stage names.
var stageKinds = []string{"sources", "boundaries", "areas", "tracts", "places", "summaries", "segments", "outreach", "partitions", "report"}

// Force expands --force values (stage names, kinds, or "all") to the
// set of stage names, or reports the unknown ones with the valid names.
func Force(g []*Stage, force []string) (map[string]bool, error) {
	out := map[string]bool{}
	var bad []string
	for _, f := range force {
		hit := false
		for _, s := range g {
			if f == "all" || s.Name == f || s.Kind == f {
				out[s.Name], hit = true, true
			}
		}
		if !hit {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		var valid []string
		for _, s := range g {
			valid = append(valid, s.Name)
		}
		return nil, fmt.Errorf("--force %s: %w; stages of this pipeline are %s, or a kind (%s), or all",
			strings.Join(bad, ", "), ErrUnknownStage, strings.Join(valid, ", "), strings.Join(stageKinds, ", "))
	}
	return out, nil
}
