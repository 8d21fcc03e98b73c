package sedona

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
)

// Out is what a job computed, read back for the stages after the sedona
// stage (ReadOut). The stage cache saves it with gob, so it is plain
// exported data.
type Out struct {
	// Names are the boundaries, then the areas, of each point's
	// placements in At.
	Names []string
	// At holds the placements of every point of the job's point set.
	At map[orb.Point][]string
	// Summaries and Segments are those the job computed, by name.
	Summaries map[string]*OutSummary
	Segments  map[string]*OutSegment
}

// OutSummary is a summary computed by the job: its groups before
// tabulate.SummaryOf, and the records with a null key.
type OutSummary struct {
	Groups  []*result.Group
	Outside int
}

// OutSegment is a segment selected by the job: the rows of its places
// table, in rank order, and the records its rule could not decide.
type OutSegment struct {
	Rows    []int
	Missing int
}

// Summary returns the job's summary name, a copy the caller may change, or
// nil when it was computed natively (or o is nil: there was no job).
func (o *Out) Summary(name string) *OutSummary {
	if o == nil || o.Summaries[name] == nil {
		return nil
	}
	s := o.Summaries[name]
	c := &OutSummary{Outside: s.Outside}
	for _, g := range s.Groups {
		cg := *g
		c.Groups = append(c.Groups, &cg)
	}
	return c
}

// Segment returns the job's segment name, or nil when it was selected
// natively (or o is nil).
func (o *Out) Segment(name string) *OutSegment {
	if o == nil {
		return nil
	}
	return o.Segments[name]
}

// Locate returns the placement of p in boundary or area name ("" for none,
// or for a name the job did not place in), and whether the job placed p.
func (o *Out) Locate(name string, p orb.Point) (string, bool) {
	row, ok := o.At[p]
	if !ok {
		return "", false
	}
	if i := slices.Index(o.Names, name); i >= 0 {
		return row[i], true
	}
	return "", true
}

// PlacesTable is a places set's Table in a job with the pipeline's
// summaries and segments the job computes over it (Spec.Summaries[k] is
// Summaries[k]'s; Spec.Segments likewise).
type PlacesTable struct {
	Spec      Table
	Summaries []*config.Summary
	Segments  []*config.Segment
	// RecPoint is each record's row in the job's point set, filled while
	// Spec.Records emits the records (while the job is written).
	RecPoint []int64
}

// ReadOut reads what job computed from the job folder work: the
// placements of its point set (job.Points[0], whose row i is its Points[i])
// and the summaries and segments of tables.
func ReadOut(ctx context.Context, work string, job *Job, tables []*PlacesTable) (*Out, error) {
	ps := job.Points[0]
	located, err := ReadLocated(ctx, work, ps.Name, ps.Boundaries, ps.Areas, ps.Points)
	if err != nil {
		return nil, err
	}
	out := &Out{Names: located.Names, At: located.At, Summaries: map[string]*OutSummary{}, Segments: map[string]*OutSegment{}}
	for _, t := range tables {
		if err := out.readTable(ctx, work, t, ps.Points, len(ps.Boundaries)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readTable reads the summaries and segments of table t from the job
// folder work. A record is in the places table when its point is in a
// feature of some boundary (the first nb of Names); its row there is its
// position among those.
func (o *Out) readTable(ctx context.Context, work string, t *PlacesTable, pts []orb.Point, nb int) error {
	row := make([]int, len(t.RecPoint))
	n := 0
	for rec, p := range t.RecPoint {
		row[rec] = -1
		if slices.ContainsFunc(o.At[pts[p]][:nb], func(id string) bool { return id != "" }) {
			row[rec] = n
			n++
		}
	}
	for k, s := range t.Summaries {
		gs, err := ReadSummary(ctx, work, t.Spec.Summaries[k])
		if err != nil {
			return err
		}
		groups, outside := Groups(gs, s)
		o.Summaries[s.Name] = &OutSummary{Groups: groups, Outside: outside}
	}
	for _, s := range t.Segments {
		m, err := ReadSegment(ctx, work, s.Name)
		if err != nil {
			return err
		}
		sg := &OutSegment{Missing: int(m.Missing)}
		for _, rec := range m.Recs {
			if rec < 0 || int(rec) >= len(row) || row[rec] < 0 {
				return fmt.Errorf("sedona engine: segment %q: record %d is not a placed record of %s", s.Name, rec, t.Spec.Name)
			}
			sg.Rows = append(sg.Rows, row[rec])
		}
		o.Segments[s.Name] = sg
	}
	return nil
}
