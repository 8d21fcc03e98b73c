// Package feed carries the chunks of a one-pass run between the stages that
// share the pass (see the pipeline package's plan of passes).
package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// A Feed carries the chunks of a streamed source from its source stage to
// the places stage that reads it, when both run (see the pipeline package's plan.passes): the
// source stage reads, types and writes raw/<source>.parquet a chunk at a
// time as always, and hands each chunk to the places stage, which places it
// and writes it to places/<name>.parquet while the next chunk is read. The
// places file is then built from the same chunks, in the same order, as
// from raw/<source>.parquet read back (frame.Table.Scan), so its bytes are
// the same; the two stages keep their own outputs and cache entries.
//
// A Feed also carries the placed chunks of a streamed places set from its
// places stage to each summary and segment over it that runs in the same
// pass: each chunk as written to places/<name>.parquet, which those stages
// would otherwise read back (frame.Stream).
//
// Either side stopping early ends the other: the reader's scan returns the
// source's error, and the source's next send returns an error, both
// wrapping ErrPartnerFailed, which the scheduler reports only when the
// partner's own error is missing. A feed holds at most one chunk besides the
// one each side works on, except before the reader starts: a source stage
// started ahead of its places stage (the places stage waits for the
// boundaries) reads up to ahead chunks into the feed meanwhile (New).
type Feed struct {
	source string // the source's name, or the places set's
	// from and to name the writing and reading stages, for errors
	from, to string

	mu      sync.Mutex
	queue   []sent // sent, not yet read
	limit   int    // how many chunks queue may hold
	reading bool   // the reader has taken a chunk: limit is 1
	ended   bool   // close was called
	err     error  // why the source ended, when ended
	// sent and taken hold a token when queue or ended changed, for a
	// reader or a sender waiting on it (one of each at most).
	sent, taken chan struct{}
	gone        chan struct{} // closed when the reader stops reading

	stopOnce sync.Once
	first    *sent  // a chunk taken by peek, not yet scanned
	held     func() // the done of the chunk Next returned last, not yet called
}

// sent is a chunk in the feed and what to call once it is read (Send).
type sent struct {
	c    *frame.Table
	done func()
}

// ErrPartnerFailed is wrapped by the error of a stage that stopped because
// the stage it shares a pass with (its feed's other side) failed.
var ErrPartnerFailed = errors.New("the stage sharing its pass failed")

// New returns the feed of source (a source's or places set's name)
// from stage from to stage to, holding up to ahead chunks (at least one)
// until the reader takes the first.
func New(source, from, to string, ahead int) *Feed {
	return &Feed{source: source, from: from, to: to, limit: max(1, ahead),
		sent: make(chan struct{}, 1), taken: make(chan struct{}, 1), gone: make(chan struct{})}
}

// notify leaves a token in ch unless one is there.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Send hands chunk c to the reader, which owns it afterwards. It waits
// while the feed is full, and fails when the reader has stopped or ctx is
// done. done, when not nil, is called once the reader is done with c: when
// Scan's fn has returned for it, or when the reader takes the next chunk
// after c (Next); never for a chunk the reader does not take, or when
// Scan stops at fn's error.
func (fd *Feed) Send(ctx context.Context, c *frame.Table, done func()) error {
	for {
		select {
		case <-fd.gone:
			return fd.readerGone()
		default:
		}
		fd.mu.Lock()
		if len(fd.queue) < fd.limit {
			fd.queue = append(fd.queue, sent{c, done})
			fd.mu.Unlock()
			notify(fd.sent)
			return nil
		}
		fd.mu.Unlock()
		select {
		case <-fd.taken:
		case <-fd.gone:
			return fd.readerGone()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Source is the name of the source or places set the feed carries.
func (fd *Feed) Source() string { return fd.source }

func (fd *Feed) readerGone() error {
	return fmt.Errorf("%s, reading %q from this stage, stopped: %w", fd.to, fd.source, ErrPartnerFailed)
}

// Close ends the stream: err nil when every chunk was sent, otherwise why
// the source stopped. Later calls do nothing.
func (fd *Feed) Close(err error) {
	fd.mu.Lock()
	if !fd.ended {
		fd.ended, fd.err = true, err
	}
	fd.mu.Unlock()
	notify(fd.sent)
}

// Stop tells the source that the reader reads no more. Later calls do
// nothing.
func (fd *Feed) Stop() { fd.stopOnce.Do(func() { close(fd.gone) }) }

// Next returns the next chunk, or nil at the end of the stream; the
// chunk it returned before is done (see Send).
func (fd *Feed) Next(ctx context.Context) (*frame.Table, error) {
	fd.release()
	if s := fd.first; s != nil {
		fd.first = nil
		fd.held = s.done
		return s.c, nil
	}
	for {
		fd.mu.Lock()
		if len(fd.queue) > 0 {
			s := fd.queue[0]
			fd.queue[0] = sent{}
			fd.queue = fd.queue[1:]
			if !fd.reading {
				// From now on the source works at most one chunk
				// ahead of the reader.
				fd.reading, fd.limit = true, 1
			}
			fd.mu.Unlock()
			notify(fd.taken)
			fd.held = s.done
			return s.c, nil
		}
		if fd.ended {
			err := fd.err
			fd.mu.Unlock()
			if err != nil {
				return nil, fmt.Errorf("reading %q from %s: %w (%w)", fd.source, fd.from, ErrPartnerFailed, err)
			}
			return nil, nil
		}
		fd.mu.Unlock()
		select {
		case <-fd.sent:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Peek returns the first chunk (the source gives at least one, empty for
// an empty file; the places stage too) without taking it from the stream: the reader learns the
// columns before it scans.
func (fd *Feed) Peek(ctx context.Context) (*frame.Table, error) {
	c, err := fd.Next(ctx)
	if err == nil && c == nil {
		err = fmt.Errorf("%s gave no records of %q", fd.from, fd.source)
	}
	if c != nil {
		fd.first, fd.held = &sent{c, fd.held}, nil
	}
	return c, err
}

// release calls the done of the chunk Next returned last, if not yet.
func (fd *Feed) release() {
	if d := fd.held; d != nil {
		fd.held = nil
		d()
	}
}

// Scan calls fn with each chunk in order, base being the index of the
// chunk's first record, like frame.Table.Scan of the raw file. fn must not
// keep the chunk, nor a slice of its columns, once it returns nil: the
// chunk is done then (Send), and its columns may be another's.
func (fd *Feed) Scan(ctx context.Context, fn func(chunk *frame.Table, base int) error) error {
	base := 0
	for {
		c, err := fd.Next(ctx)
		if err != nil || c == nil {
			return err
		}
		n := c.Len()
		if err := fn(c, base); err != nil {
			fd.held = nil // not done: fn may have kept it
			return err
		}
		fd.release()
		base += n
	}
}
