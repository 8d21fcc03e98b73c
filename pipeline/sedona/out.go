package sedona

import (
	"context"
	"encoding/json"
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
	// Summaries and Segments are those the job computed, by name. Each
	// holds the key of the rule it was computed from (RuleKey): the
	// stage cache keeps a job whose summaries or segments have changed
	// since (the sedona stage's key covers placement only), and Summary
	// and Segment return nil for a changed one, which the summary or
	// segment stage then computes natively.
	Summaries map[string]*OutSummary
	Segments  map[string]*OutSegment
}

// OutSummary is a summary computed by the job: its groups before
// tabulate.SummaryOf, and the records with a null key.
type OutSummary struct {
	Groups  []*result.Group
	Outside int
	Rule    string // RuleKey of the summary it was computed from
}

// OutSegment is a segment selected by the job: the rows of its places
// table, in rank order, and the records its rule could not decide.
type OutSegment struct {
	Rows    []int
	Missing int
	Rule    string // RuleKey of the segment it was selected by
}

// RuleKey is the key of a summary's or segment's configuration: its JSON
// encoding (struct fields in declaration order, map keys sorted), as in
// the stage cache's keys. Any edit to it, a title included, changes it.
func RuleKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sedona: rule key of %T: %v", v, err)) // config types always encode
	}
	return string(b)
}

// Summary returns the job's result for summary s, a copy the caller may
// change, or nil when the job did not compute it (it is computed
// natively), when s has changed since the job ran (a cached job: compute
// it natively too; both give the same result), or when o is nil (there
// was no job).
func (o *Out) Summary(s *config.Summary) *OutSummary {
	if o == nil || o.Summaries[s.Name] == nil || o.Summaries[s.Name].Rule != RuleKey(s) {
		return nil
	}
	sum := o.Summaries[s.Name]
	c := &OutSummary{Outside: sum.Outside, Rule: sum.Rule}
	for _, g := range sum.Groups {
		cg := *g
		c.Groups = append(c.Groups, &cg)
	}
	return c
}

// Segment returns the job's selection for segment s, or nil when it is
// selected natively: the job did not select it, s has changed since the
// job ran (a cached job), or o is nil.
func (o *Out) Segment(s *config.Segment) *OutSegment {
	if o == nil || o.Segments[s.Name] == nil || o.Segments[s.Name].Rule != RuleKey(s) {
		return nil
	}
	return o.Segments[s.Name]
}

// Computed reports whether the job computed a summary or segment named
// name, from whatever rule: after Summary or Segment returned nil, it tells
// a rule changed since a cached job ran from one the job never computes.
func (o *Out) Computed(name string) bool {
	if o == nil {
		return false
	}
	return o.Summaries[name] != nil || o.Segments[name] != nil
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
		o.Summaries[s.Name] = &OutSummary{Groups: groups, Outside: outside, Rule: RuleKey(s)}
	}
	for _, s := range t.Segments {
		m, err := ReadSegment(ctx, work, s.Name)
		if err != nil {
			return err
		}
		sg := &OutSegment{Missing: int(m.Missing), Rule: RuleKey(s)}
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
