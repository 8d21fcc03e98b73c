package feed

import (
	"context"
	"errors"

	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// A Behind hands chunks from one goroutine of a stage to another that works
// one chunk behind it: the places stage places a chunk while the one it
// placed before is written and fanned out. The chunks are handled in the
// order they were sent, at most one waiting besides the one being handled.
type Behind struct {
	fd   *Feed
	done chan error
}

// Go starts fn on a goroutine of its own, called with each chunk sent to
// the Behind it returns, in order; run runs that goroutine's whole work
// (the stage's guard against a crash) and may be nil. fn owns the chunk,
// and must return before the next is handed to it. When fn fails, or ctx
// is done, the next Send fails. stage names the stage, for errors.
func Go(ctx context.Context, source, stage string, run func(func() error) error, fn func(*frame.Table) error) *Behind {
	if run == nil {
		run = func(f func() error) error { return f() }
	}
	b := &Behind{fd: New(source, stage, stage+"'s second goroutine", 1), done: make(chan error, 1)}
	go func() {
		err := run(func() error {
			return b.fd.Scan(ctx, func(c *frame.Table, _ int) error { return fn(c) })
		})
		b.fd.Stop()
		b.done <- err
	}()
	return b
}

// Send hands c to fn. It waits while a chunk is waiting already, and fails
// (wrapping ErrPartnerFailed) once fn has failed.
func (b *Behind) Send(ctx context.Context, c *frame.Table) error { return b.fd.Send(ctx, c, nil) }

// Wait ends the stream (err: why the sender stopped, nil when it sent every
// chunk), waits until fn is done with the last chunk it got, and returns the
// error to report: err, unless err is the echo of fn's failure (a Send
// failed because fn had), then fn's own error; when err is nil, fn's. Later
// calls return nil.
func (b *Behind) Wait(err error) error {
	b.fd.Close(err)
	if b.done == nil {
		return nil
	}
	ferr := <-b.done
	b.done = nil
	if ferr != nil && !errors.Is(ferr, ErrPartnerFailed) && (err == nil || errors.Is(err, ErrPartnerFailed)) {
		return ferr
	}
	return err
}
