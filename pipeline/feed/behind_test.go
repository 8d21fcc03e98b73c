package feed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// rows is a chunk of n records.
func rows(n int) *frame.Table {
	c := frame.New()
	for range n {
		c.AppendRow(nil)
	}
	return c
}

// TestBehind: fn gets every chunk sent, in order, on a goroutine of its own
// run by run; Wait reports the error that stopped the stream: the sender's,
// or fn's own where the sender's is the echo of fn's failure (or the
// sender sent everything), never the echo; a crash that run turns into an
// error counts as fn's.
func TestBehind(t *testing.T) {
	ctx := context.Background()
	errFn, errSender := errors.New("fn failed"), errors.New("the sender failed")
	for _, tc := range []struct {
		name    string
		failAt  int // fn fails at the chunk of this many records (0: never)
		crashAt int // fn panics at it
		stopAt  int // the sender stops with errSender before sending it
		want    error
		wantGot []int // the chunks fn got, by length
	}{
		{name: "every chunk", wantGot: []int{1, 2, 3, 4, 5, 6}},
		{name: "fn fails", failAt: 3, want: errFn, wantGot: []int{1, 2, 3}},
		{name: "fn crashes", crashAt: 2, want: errCrash, wantGot: []int{1, 2}},
		{name: "the sender fails", stopAt: 4, want: errSender, wantGot: []int{1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			runs := 0
			run := func(f func() error) (err error) {
				runs++
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("%w: %v", errCrash, r)
					}
				}()
				return f()
			}
			b := Go(ctx, "points", "places:people", run, func(c *frame.Table) error {
				got = append(got, c.Len())
				switch c.Len() {
				case tc.failAt:
					return errFn
				case tc.crashAt:
					panic("the crash")
				}
				return nil
			})
			var err error
			for n := 1; n <= 6 && err == nil; n++ {
				if n == tc.stopAt {
					err = errSender
					break
				}
				err = b.Send(ctx, rows(n))
			}
			// A Send after fn failed fails with the echo.
			if err != nil && err != errSender && !errors.Is(err, ErrPartnerFailed) {
				t.Fatalf("send: %v; want ErrPartnerFailed", err)
			}
			err = b.Wait(err)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) || errors.Is(err, ErrPartnerFailed) {
				t.Errorf("Wait: %v; want %v", err, tc.want)
			}
			if !slices.Equal(got, tc.wantGot) {
				t.Errorf("fn got chunks %v; want %v", got, tc.wantGot)
			}
			if runs != 1 {
				t.Errorf("run called %d times; want once", runs)
			}
			if err := b.Wait(errSender); err != nil {
				t.Errorf("a second Wait: %v; want nil", err)
			}
		})
	}
}

var errCrash = errors.New("crashed")

// TestBehindAhead: the sender works at most one chunk ahead of fn: with fn
// holding the first chunk, one more is taken and the third waits.
func TestBehindAhead(t *testing.T) {
	hold, release := make(chan struct{}), make(chan struct{})
	b := Go(context.Background(), "points", "places:people", nil, func(c *frame.Table) error {
		if c.Len() == 1 {
			close(hold)
			<-release
		}
		return nil
	})
	ctx := context.Background()
	if err := b.Send(ctx, rows(1)); err != nil {
		t.Fatal(err)
	}
	<-hold
	if err := b.Send(ctx, rows(2)); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Send(done, rows(3)); !errors.Is(err, context.Canceled) {
		t.Errorf("a third chunk while fn holds the first: %v; want the send to wait", err)
	}
	close(release)
	if err := b.Wait(nil); err != nil {
		t.Error(err)
	}
}
