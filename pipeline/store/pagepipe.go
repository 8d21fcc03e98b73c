package store

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// writeRowGroups writes the rows of c as row groups of rowGroupRows rows
// (the last one shorter), as writeRowGroup writes each, but with no
// barrier between them: the column chunks of every row group are one
// queue of work for up to GOMAXPROCS goroutines, and the calling goroutine
// writes a row group (and, before the file's first, reads parquet-go's
// footer for the encodings chosen) as soon as its chunks are encoded,
// while the goroutines encode the next. The row groups and their chunks
// are written in order, so the bytes are writeRowGroup's
// (TestRowGroupsMatchOneByOne).
//
// Within a row group the columns are queued largest first (columnCost),
// so that the last chunk to start is a short one and leaves no core idle
// for long. Where the first row group chooses the encodings, a column's
// chunk of a later row group waits for its chunk of the first (which sets
// p.cols[j]).
func (p *pageWriter) writeRowGroups(ctx context.Context, c *chunk) error {
	n := c.len()
	groups := (n + rowGroupRows - 1) / rowGroupRows
	workers := min(runtime.GOMAXPROCS(0), len(p.cols)*groups)
	if n < parallelRows || workers < 2 || groups < 2 {
		for start := 0; start < n; start += rowGroupRows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := p.writeRowGroup(c, start, min(n, start+rowGroupRows)); err != nil {
				return err
			}
		}
		return nil
	}
	for len(p.enc) < workers {
		p.enc = append(p.enc, encoders.Get().(*chunkEncoder))
	}
	choose := p.tmpl == nil
	ncols := len(p.cols)
	order := make([]int, ncols)
	cost := make([]int, ncols)
	for j := range order {
		order[j], cost[j] = j, columnCost(c, j, min(n, rowGroupRows))
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	// out[g][j] is row group g's chunk of column j; group 0 uses p.out.
	out := make([][]*columnChunk, groups)
	out[0] = p.out
	for g := 1; g < groups; g++ {
		out[g] = make([]*columnChunk, ncols)
		for j := range out[g] {
			out[g][j] = chunks.Get().(*columnChunk)
		}
	}
	defer func() {
		for _, o := range out[1:] {
			for _, ch := range o {
				chunks.Put(ch)
			}
		}
	}()
	errs := make([][]error, groups)
	done := make([]sync.WaitGroup, groups) // a group's chunks still encoding
	chosen := make([]chan struct{}, ncols) // closed when column j's first chunk is done
	for g := range groups {
		errs[g] = make([]error, ncols)
		done[g].Add(ncols)
	}
	for j := range chosen {
		chosen[j] = make(chan struct{})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	defer wg.Wait() // the goroutines write into out: wait for them, whatever happens
	for w := range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < groups*ncols; k = int(next.Add(1) - 1) {
				g, j := k/ncols, order[k%ncols]
				start := g * rowGroupRows
				if g > 0 && choose {
					<-chosen[j]
				}
				if err := ctx.Err(); err != nil {
					errs[g][j] = err
				} else {
					errs[g][j] = p.enc[w].encode(out[g][j], &p.cols[j], choose && g == 0, c, j, start, min(n, start+rowGroupRows))
				}
				if g == 0 {
					close(chosen[j])
				}
				done[g].Done()
			}
		})
	}
	for g := range groups {
		done[g].Wait()
		if err := errors.Join(errs[g]...); err != nil {
			return err
		}
		start := g * rowGroupRows
		if err := p.flush(out[g], min(n, start+rowGroupRows)-start, choose && g == 0); err != nil {
			return err
		}
	}
	return nil
}

// columnCost is an estimate of the work of encoding the first rows rows
// of column j of c: the bytes of its values (a string's bytes and its
// offset, 8 a number), as hashing, copying and compressing them go by
// their bytes.
func columnCost(c *chunk, j, rows int) int {
	if c.rec != nil {
		if a, ok := c.rec.Column(j).(*array.String); ok {
			return a.ValueOffset(rows) - a.ValueOffset(0) + 4*rows
		}
		return 8 * rows
	}
	if col := c.cols[j]; col.Strings != nil {
		size := 4 * rows
		for _, s := range col.Strings[:rows] {
			size += len(s)
		}
		return size
	}
	return 8 * rows
}
