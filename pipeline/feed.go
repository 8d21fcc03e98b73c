package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// A feed carries the chunks of a streamed source from its source stage to
// the places stage that reads it, when both run (see plan.passes): the
// source stage reads, types and writes raw/<source>.parquet a chunk at a
// time as always, and hands each chunk to the places stage, which places it
// and writes it to places/<name>.parquet while the next chunk is read. The
// places file is then built from the same chunks, in the same order, as
// from raw/<source>.parquet read back (frame.Table.Scan), so its bytes are
// the same; the two stages keep their own outputs and cache entries.
//
// A feed also carries the placed chunks of a streamed places set from its
// places stage to each summary and segment over it that runs in the same
// pass: each chunk as written to places/<name>.parquet, which those stages
// would otherwise read back (frame.Stream).
//
// Either side stopping early ends the other: the reader's scan returns the
// source's error, and the source's next send returns an error, both
// wrapping errPartnerFailed, which the scheduler reports only when the
// partner's own error is missing. A feed holds at most one chunk besides the
// one each side works on.
type feed struct {
	source string // the source's name, or the places set's
	// from and to name the writing and reading stages, for errors
	from, to string
	chunks   chan *frame.Table
	gone     chan struct{} // closed when the reader stops reading

	closeOnce, stopOnce sync.Once
	err                 error        // why the source ended; set before chunks is closed
	first               *frame.Table // a chunk taken by peek, not yet scanned
}

// errPartnerFailed is wrapped by the error of a stage that stopped because
// the stage it shares a pass with (its feed's other side) failed.
var errPartnerFailed = errors.New("the stage sharing its pass failed")

// newFeed returns the feed of source (a source's or places set's name)
// from stage from to stage to.
func newFeed(source, from, to string) *feed {
	return &feed{source: source, from: from, to: to, chunks: make(chan *frame.Table, 1), gone: make(chan struct{})}
}

// send hands chunk c to the reader, which owns it afterwards. It fails when
// the reader has stopped or ctx is done.
func (fd *feed) send(ctx context.Context, c *frame.Table) error {
	select {
	case fd.chunks <- c:
		return nil
	case <-fd.gone:
		return fmt.Errorf("%s, reading %q from this stage, stopped: %w", fd.to, fd.source, errPartnerFailed)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends the stream: err nil when every chunk was sent, otherwise why
// the source stopped. Later calls do nothing.
func (fd *feed) close(err error) {
	fd.closeOnce.Do(func() {
		fd.err = err
		close(fd.chunks)
	})
}

// stop tells the source that the reader reads no more. Later calls do
// nothing.
func (fd *feed) stop() { fd.stopOnce.Do(func() { close(fd.gone) }) }

// next returns the next chunk, or nil at the end of the stream.
func (fd *feed) next(ctx context.Context) (*frame.Table, error) {
	if c := fd.first; c != nil {
		fd.first = nil
		return c, nil
	}
	select {
	case c, ok := <-fd.chunks:
		if ok {
			return c, nil
		}
		if fd.err != nil {
			return nil, fmt.Errorf("reading %q from %s: %w (%w)", fd.source, fd.from, errPartnerFailed, fd.err)
		}
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// peek returns the first chunk (the source gives at least one, empty for
// an empty file; the places stage too) without taking it from the stream: the reader learns the
// columns before it scans.
func (fd *feed) peek(ctx context.Context) (*frame.Table, error) {
	c, err := fd.next(ctx)
	if err == nil && c == nil {
		err = fmt.Errorf("%s gave no records of %q", fd.from, fd.source)
	}
	fd.first = c
	return c, err
}

// scan calls fn with each chunk in order, base being the index of the
// chunk's first record, like frame.Table.Scan of the raw file.
func (fd *feed) scan(ctx context.Context, fn func(chunk *frame.Table, base int) error) error {
	base := 0
	for {
		c, err := fd.next(ctx)
		if err != nil || c == nil {
			return err
		}
		n := c.Len()
		if err := fn(c, base); err != nil {
			return err
		}
		base += n
	}
}
