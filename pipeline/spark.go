package pipeline

import (
	"cmp"
	"context"
	"time"

	"github.com/groundwork-org/groundwork/pipeline/sedona"
	"github.com/groundwork-org/groundwork/pipeline/sedona/gather"
)

// runSpark is the sedona engine's stage: one Spark job (pipeline/sedona,
// gathered by pipeline/sedona/gather) places the distinct points of every
// places set, of the contacts, the listening survey and the sign-ins, in
// every boundary and area, and computes the summaries and segments over
// places sets that it can compute exactly as tabulate does. The stages
// after it take their placements from st.spark (Locator.Precompute,
// contact.Placer.WithLocate) and build every output as the native engine
// does. The stage's cache key covers placement only (stagegraph): a
// summary or segment edited since a cached job ran is computed by its own
// stage in Go over the job's placements (sedona.Out.Summary and Segment
// return nil for it), with the same output.
func (st *state) runSpark(ctx context.Context) error {
	job, tables, err := gather.Job(ctx, gather.Input{Config: st.cfg, Layers: st.layers, Indexes: st.indexes,
		AreaOf: st.areaOf, Raw: st.raw, Source: st.source, Log: st.log})
	if err != nil {
		return err
	}
	if job == nil {
		st.log.Info("sedona engine: no points to place, no job", "stage", "sedona")
		return nil
	}
	var usage sedona.Usage
	eng := *st.sedona
	eng.Usage = &usage
	eng.Log = sedona.LogLines(st.log, "sedona")
	pts := job.Points[0].Points
	st.log.Info("sedona job", "stage", "sedona", "points", len(pts), "tables", len(tables), "master", cmp.Or(eng.Master, "local[*]"))
	work, cleanup, err := eng.Run(ctx, st.out, job)
	if err != nil {
		return err
	}
	defer cleanup()
	if work == "" {
		st.log.Info("sedona job written", "stage", "sedona", "folder", eng.WriteTo)
		return nil
	}
	out, err := sedona.ReadOut(ctx, work, job, tables)
	if err != nil {
		return err
	}
	st.spark = out
	st.log.Info("sedona job done", "stage", "sedona", "distinct_points", len(pts),
		"summaries", len(out.Summaries), "segments", len(out.Segments),
		"wall", usage.Wall.Round(time.Millisecond).String(), "cpu", usage.CPU.Round(time.Millisecond).String(),
		"peak_mib", usage.PeakRSS>>20)
	return nil
}
