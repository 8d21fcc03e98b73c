package feed

import (
	"context"
	"errors"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// TestFeedAhead: a feed made to hold 3 chunks takes 3 without a reader and
// refuses a 4th (the send waits: with a done context it returns the
// context's error); once the reader has taken a chunk it holds one at most,
// and the reader gets every chunk in order, then the end.
func TestFeedAhead(t *testing.T) {
	fd := New("points", "source:points", "places:people", 3)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	chunk := func(n int) *frame.Table {
		c := frame.New()
		for range n {
			c.AppendRow(nil)
		}
		return c
	}
	for n := 1; n <= 3; n++ {
		if err := fd.Send(done, chunk(n)); err != nil {
			t.Fatalf("chunk %d before the reader: %v", n, err)
		}
	}
	if err := fd.Send(done, chunk(4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a 4th chunk before the reader: %v; want it to wait", err)
	}
	ctx := context.Background()
	next := func(want int) {
		t.Helper()
		c, err := fd.Next(ctx)
		if err != nil || c == nil || c.Len() != want {
			t.Fatalf("next: %v, %v; want the chunk of %d", c, err, want)
		}
	}
	next(1)
	if err := fd.Send(done, chunk(4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("two chunks held once the reader reads: %v; want the send to wait", err)
	}
	next(2)
	next(3)
	if err := fd.Send(done, chunk(4)); err != nil {
		t.Fatalf("an empty feed: %v", err)
	}
	if err := fd.Send(done, chunk(5)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a second chunk held once the reader reads: %v; want the send to wait", err)
	}
	fd.Close(nil)
	next(4)
	if c, err := fd.Next(ctx); c != nil || err != nil {
		t.Errorf("after the end: %v, %v", c, err)
	}
	fd.Stop()
	if err := fd.Send(ctx, chunk(1)); err == nil {
		t.Error("a send after the reader stopped succeeded")
	}
}
