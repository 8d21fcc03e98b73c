package feed

import (
	"context"
	"errors"
	"slices"
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
		if err := fd.Send(done, chunk(n), nil); err != nil {
			t.Fatalf("chunk %d before the reader: %v", n, err)
		}
	}
	if err := fd.Send(done, chunk(4), nil); !errors.Is(err, context.Canceled) {
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
	if err := fd.Send(done, chunk(4), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("two chunks held once the reader reads: %v; want the send to wait", err)
	}
	next(2)
	next(3)
	if err := fd.Send(done, chunk(4), nil); err != nil {
		t.Fatalf("an empty feed: %v", err)
	}
	if err := fd.Send(done, chunk(5), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("a second chunk held once the reader reads: %v; want the send to wait", err)
	}
	fd.Close(nil)
	next(4)
	if c, err := fd.Next(ctx); c != nil || err != nil {
		t.Errorf("after the end: %v, %v", c, err)
	}
	fd.Stop()
	if err := fd.Send(ctx, chunk(1), nil); err == nil {
		t.Error("a send after the reader stopped succeeded")
	}
}

// TestFeedDone: a chunk's done is called once the reader is done with it
// (Scan's fn returned nil for it, or Next took the next chunk; Peek's chunk
// only once scanned), never before and never twice, and not for the chunk
// at which fn failed.
func TestFeedDone(t *testing.T) {
	ctx := context.Background()
	fd := New("points", "source:points", "places:people", 8)
	calls := make([]int, 6)
	for k := range 6 {
		c := frame.New()
		for range k + 1 {
			c.AppendRow(nil)
		}
		if err := fd.Send(ctx, c, func() { calls[k]++ }); err != nil {
			t.Fatal(err)
		}
	}
	fd.Close(nil)
	if _, err := fd.Peek(ctx); err != nil {
		t.Fatal(err)
	}
	if calls[0] != 0 {
		t.Fatalf("Peek's chunk done before it was scanned: %v", calls)
	}
	seen := 0
	err := fd.Scan(ctx, func(c *frame.Table, base int) error {
		k := c.Len() - 1
		for j := range calls {
			if want := 0; j < k && calls[j] != 1 || j >= k && calls[j] != want {
				t.Fatalf("in fn of chunk %d: done calls %v; want the earlier chunks' once, none after", k, calls)
			}
		}
		seen++
		if k == 4 {
			return errors.New("enough")
		}
		return nil
	})
	if err == nil || seen != 5 {
		t.Fatalf("scan: %v after %d chunks", err, seen)
	}
	if want := []int{1, 1, 1, 1, 0, 0}; !slices.Equal(calls, want) {
		t.Errorf("done calls %v, want %v (not for the chunk fn failed at, nor one not taken)", calls, want)
	}
}
