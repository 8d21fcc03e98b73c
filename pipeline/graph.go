package pipeline

import (
	"context"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/stagegraph"
)

// stageDef is one node of the stage graph (stagegraph.Stage: its name,
// kind, inputs, key configuration, Narrow and Reload) bound to the state
// method that does its work. A stage runs on a fork of the run's state (see
// state.fork) whose Config is narrowed to the stage's own item.
type stageDef struct {
	*stagegraph.Stage
	// run is the state method that does the work.
	run func(*state, context.Context) error
}

// stageWork binds each stagegraph.Work to its state method.
var stageWork = [...]func(*state, context.Context) error{
	stagegraph.LoadSources:     (*state).loadSources,
	stagegraph.LoadBoundaries:  (*state).loadBoundaries,
	stagegraph.BuildAreas:      (*state).buildAreas,
	stagegraph.JoinTracts:      (*state).joinTracts,
	stagegraph.RunSpark:        (*state).runSpark,
	stagegraph.PlaceAll:        (*state).placeAll,
	stagegraph.Summarize:       (*state).summarize,
	stagegraph.SelectSegments:  (*state).selectSegments,
	stagegraph.RunOutreach:     (*state).runOutreach,
	stagegraph.PartitionTracts: (*state).partitionTracts,
	stagegraph.PartitionPlaces: (*state).partitionPlaces,
	stagegraph.WriteReport:     (*state).writeReport,
}

// buildGraph derives the stage graph of a validated pipeline file
// (stagegraph.Build, in its fixed topological order) and binds each stage
// to its state method.
func buildGraph(cfg *config.Config, partitioned bool) []*stageDef {
	var g []*stageDef
	for _, s := range stagegraph.Build(cfg, partitioned) {
		g = append(g, &stageDef{Stage: s, run: stageWork[s.Work]})
	}
	return g
}

// resolveForce expands --force values (stagegraph.Force) over g.
func resolveForce(g []*stageDef, force []string) (map[string]bool, error) {
	return stagegraph.Force(graphStages(g), force)
}

// ErrUnknownStage is wrapped by Run's and Plan's error when Options.Force
// names a stage the pipeline does not have.
var ErrUnknownStage = stagegraph.ErrUnknownStage

// graphStages is g's stagegraph stages, in order.
func graphStages(g []*stageDef) []*stagegraph.Stage {
	ss := make([]*stagegraph.Stage, len(g))
	for i, s := range g {
		ss[i] = s.Stage
	}
	return ss
}
