package tabulate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
)

// Select evaluates segment s's rule on every record of r, ranks the
// matches (by s.Rank, nulls last, ties by the ID column idCol then record
// order) and keeps the first s.Limit (all with Limit 0). Records the rule
// cannot decide because a value it needs is null are counted in Missing and
// left out. Memory holds at most about 2*Limit matches however many records
// match; each kept record's row is built once. done is called with the
// records read so far every 4096 records.
func Select(ctx context.Context, s *config.Segment, r *frame.Table, idCol string, done func(int)) (*result.Segment, error) {
	rule, err := segment.Compile(s.Where, r.Cols())
	if s.Where == "" {
		rule, err = segment.Compile("true", r.Cols())
	}
	if err != nil {
		return nil, fmt.Errorf("segment %q: %w", s.Name, err)
	}
	res := newSegment(s, r)
	// Select record indexes, rank them on precomputed keys, and build a
	// row map only for the records kept.
	type match struct {
		i     int
		x     float64
		hasX  bool
		tieID string
		row   map[string]any // built once the match survives its chunk
	}
	less := func(a, b match) bool {
		switch {
		case a.hasX && !b.hasX:
			return true // nulls last
		case !a.hasX && b.hasX:
			return false
		case a.hasX && b.hasX && a.x != b.x:
			if s.Rank.Order == "asc" {
				return a.x < b.x
			}
			return a.x > b.x
		}
		if a.tieID != b.tieID {
			return a.tieID < b.tieID
		}
		return a.i < b.i // a total order: top-k below equals a stable sort
	}
	// trim sorts the matches and, with a limit, keeps the first Limit.
	// It runs whenever the matches pile up and at the end of each chunk,
	// so memory stays bounded by the limit however many records match;
	// a match's row map is built at the end of its chunk only if it is
	// still among the first Limit, so the table is read once.
	var ms []match
	trim := func() {
		sort.Slice(ms, func(i, j int) bool { return less(ms[i], ms[j]) })
		if s.Limit > 0 && len(ms) > s.Limit {
			clear(ms[s.Limit:])
			ms = ms[:s.Limit]
		}
	}
	env := map[string]any{}
	err = r.Scan(ctx, func(c *frame.Table, base int) error {
		fresh := len(ms) // without a limit, matches before it have their rows
		decide := c.Matcher(rule, env)
		for i := range c.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				done(base + i)
			}
			ok, err := decide(i)
			if errors.Is(err, segment.ErrMissing) {
				res.Missing++
				continue
			}
			if err != nil {
				return fmt.Errorf("segment %q: %w", s.Name, err)
			}
			if ok {
				m := match{i: base + i, tieID: fmt.Sprint(c.Get(i, idCol))}
				if s.Rank != nil {
					m.x, m.hasX = frame.ToFloat(c.Get(i, s.Rank.By))
				}
				ms = append(ms, m)
				if s.Limit > 0 && len(ms) >= 2*s.Limit+4096 {
					trim()
				}
			}
		}
		if s.Limit > 0 {
			trim()
			fresh = 0
		}
		for k := fresh; k < len(ms); k++ {
			if ms[k].row == nil {
				ms[k].row = ownRow(c.Row(ms[k].i - base))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	trim()
	res.Rows = make([]map[string]any, len(ms))
	for k, m := range ms {
		res.Rows[k] = m.row
	}
	return res, nil
}

// ownRow replaces the strings of row by copies. A chunk read from a file
// keeps its strings in one buffer (pipeline/store's arena), so a kept
// record would otherwise hold its whole chunk alive: a segment of 1,000
// records spread over a million points held every chunk's strings (43 MB
// at national size).
func ownRow(row map[string]any) map[string]any {
	for k, v := range row {
		if s, ok := v.(string); ok {
			row[k] = strings.Clone(s)
		}
	}
	return row
}

func newSegment(s *config.Segment, r *frame.Table) *result.Segment {
	res := &result.Segment{Name: s.Name, Title: s.Title, Of: s.Of, Where: s.Where, Rank: s.Rank, Columns: s.Columns}
	if len(res.Columns) == 0 {
		res.Columns = r.Cols()
	}
	return res
}

// SegmentRows builds segment s's result from a selection made elsewhere
// (the Sedona engine's job): the records of r at rows, in rank order, and
// missing, the records the rule could not decide (Select's Missing). The
// rows are what Select keeps, read the same way (frame.Table.Row).
func SegmentRows(ctx context.Context, s *config.Segment, r *frame.Table, rows []int, missing int) (*result.Segment, error) {
	res := newSegment(s, r)
	res.Missing = missing
	res.Rows = make([]map[string]any, len(rows))
	at := make(map[int][]int, len(rows)) // record -> positions
	for k, i := range rows {
		at[i] = append(at[i], k)
	}
	err := r.Scan(ctx, func(c *frame.Table, base int) error {
		for i := range c.Len() {
			for _, k := range at[base+i] {
				res.Rows[k] = ownRow(c.Row(i))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("segment %q: %w", s.Name, err)
	}
	for k, row := range res.Rows {
		if row == nil {
			return nil, fmt.Errorf("segment %q: record %d is not in %s", s.Name, rows[k], s.Of)
		}
	}
	return res, nil
}
