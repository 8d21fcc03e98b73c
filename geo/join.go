package geo

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// JoinOptions tunes JoinPoints. The zero value is ready to use.
type JoinOptions struct {
	// Workers is the number of goroutines placing points; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// BatchSize is the number of points handed to a worker at a time; 0
	// means 65536. A worker visits its batch in the order of a
	// space-filling curve (larger batches share more cache lines).
	BatchSize int
}

// JoinStats counts what JoinPoints did.
type JoinStats struct {
	Points  int64 // points read from next
	Matched int64 // points placed in a feature
}

// Unmatched is the feature index JoinPoints reports for a point no feature
// covers.
const Unmatched = -1

type joinBatch struct {
	first int64
	pts   []orb.Point
	feats []int32
	done  chan struct{}
}

// JoinPoints places a stream of EPSG:4326 lon/lat points in the features of
// idx's layer, using idx's boundary rule (see Index), on opts.Workers
// goroutines.
//
// next is called until it returns false, from one goroutine (not the
// caller's), never concurrently; it must not be called again by JoinPoints
// after returning false, and is not. emit receives the results in input order,
// from the calling goroutine, one batch at a time: first is the zero-based
// position in the stream of pts[0], and features[i] is the index in the layer
// of the feature holding pts[i], or Unmatched. The slices are reused after
// emit returns; copy what must outlive the call.
//
// Memory is flat in the number of points: at most 2*Workers+1 batches are
// alive at once. The first error from emit, or the context's, stops the join
// and is returned; next is then not called again.
func JoinPoints(ctx context.Context, idx *Index, next func() (orb.Point, bool), emit func(first int64, pts []orb.Point, features []int32) error, opts JoinOptions) (JoinStats, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := opts.BatchSize
	if size <= 0 {
		size = 1 << 16
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	n := 2*workers + 1
	free := make(chan *joinBatch, n)
	for range n {
		free <- &joinBatch{pts: make([]orb.Point, 0, size), feats: make([]int32, size)}
	}
	// Every batch is in exactly one of free, work/order or a goroutine's
	// hands, so sends on these channels of capacity n never block.
	work := make(chan *joinBatch, n)
	order := make(chan *joinBatch, n)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s sorter
			for b := range work {
				idx.locateBatch(&s, b.pts, b.feats[:len(b.pts)])
				close(b.done)
			}
		}()
	}

	go func() {
		defer close(order)
		defer close(work)
		var seq int64
		for {
			var b *joinBatch
			select {
			case b = <-free:
			case <-ctx.Done():
				return
			}
			b.first, b.pts, b.done = seq, b.pts[:0], make(chan struct{})
			for len(b.pts) < size {
				p, ok := next()
				if !ok {
					break
				}
				b.pts = append(b.pts, p)
			}
			if len(b.pts) == 0 {
				return
			}
			seq += int64(len(b.pts))
			work <- b
			order <- b
			if len(b.pts) < size {
				return
			}
		}
	}()

	var st JoinStats
	var err error
	for b := range order {
		<-b.done
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			feats := b.feats[:len(b.pts)]
			st.Points += int64(len(b.pts))
			for _, f := range feats {
				if f != Unmatched {
					st.Matched++
				}
			}
			if err = emit(b.first, b.pts, feats); err != nil {
				cancel()
			}
		}
		free <- b
	}
	wg.Wait()
	if err == nil {
		err = parent.Err()
	}
	return st, err
}

// LocateAll places pts (EPSG:4326 lon/lat, in memory) on workers goroutines
// (0 means runtime.GOMAXPROCS(0)) and writes into out[i] the index of the
// feature holding pts[i], or Unmatched, under idx's boundary rule. out must
// have len(pts) entries (LocateAll panics otherwise: a programmer error). It
// is JoinPoints without the stream: for points already in memory it has no
// single reading goroutine to wait for. Each worker takes up to 2^20 points
// at a time and visits them in Morton (Z-curve) order, which makes lookups
// over large layers several times faster than in input order (neighbouring
// points share cache lines); results do not depend on the order, the number
// of workers or the chunking. Sort buffers cost 16 bytes per point of a
// chunk per worker.
func LocateAll(ctx context.Context, idx *Index, pts []orb.Point, out []int32, workers int) error {
	if len(out) != len(pts) {
		panic("geo: LocateAll: len(out) != len(pts)")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Larger chunks sort better (more neighbours share cache lines) but
	// cost 16 bytes per point of sort buffers per worker.
	chunk := min(max((len(pts)+workers-1)/workers, locateChunk), maxLocateChunk)
	locateAll(ctx, idx, pts, out, workers, chunk, true)
	return ctx.Err()
}

// locateChunk and maxLocateChunk bound the number of points a LocateAll
// worker takes at a time and sorts by the space-filling curve (see
// locality.go).
const (
	locateChunk    = 1 << 14
	maxLocateChunk = 1 << 20
)

func locateAll(ctx context.Context, idx *Index, pts []orb.Point, out []int32, workers, chunk int, sorted bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s sorter
			for {
				if ctx.Err() != nil {
					return
				}
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= len(pts) {
					return
				}
				hi := min(lo+chunk, len(pts))
				if sorted {
					idx.locateBatch(&s, pts[lo:hi], out[lo:hi])
					continue
				}
				for i := lo; i < hi; i++ {
					out[i] = idx.locate32(pts[i])
				}
			}
		}()
	}
	wg.Wait()
}
