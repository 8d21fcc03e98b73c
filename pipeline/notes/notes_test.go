package notes

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSet(t *testing.T) {
	var s Set
	s.Examples = 2
	s.Add("bidi", "cells had bidi control characters removed", "a.csv:2")
	for i := 3; i <= 200002; i++ {
		s.Add("extra", "rows had extra fields", fmt.Sprintf("a.csv:%d", i))
	}
	s.Add("bidi", "cells had bidi control characters removed", "a.csv:9")
	s.Add("once", "a thing happened once", "b.csv:1")
	want := []string{
		"2 cells had bidi control characters removed, e.g. a.csv:2; a.csv:9",
		"200000 rows had extra fields, e.g. a.csv:3; a.csv:4 (and 199998 more)",
		"a thing happened once: b.csv:1",
	}
	if diff := cmp.Diff(want, s.Lines()); diff != "" {
		t.Errorf("Lines (-want +got):\n%s", diff)
	}
	if got := s.Len(); got != 200003 {
		t.Errorf("Len = %d, want 200003", got)
	}
	if got := s.Count("bidi"); got != 2 {
		t.Errorf("Count(bidi) = %d, want 2", got)
	}
}

func TestSetConcurrent(t *testing.T) {
	var s Set
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				s.Add("k", "things", "x")
			}
		}()
	}
	wg.Wait()
	if got := s.Count("k"); got != 8000 {
		t.Errorf("Count = %d, want 8000", got)
	}
	if got := len(s.Lines()); got != 1 {
		t.Errorf("%d lines, want 1", got)
	}
}

func TestList(t *testing.T) {
	many := make([]string, 200000)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	tests := []struct {
		items []string
		max   int
		want  string
	}{
		{nil, 0, ""},
		{[]string{"a", "b"}, 0, "a, b"},
		{[]string{"a", "b", "c"}, 2, "a, b and 1 more"},
		{many, 0, "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 199990 more"},
	}
	for _, tt := range tests {
		if got := List(tt.items, tt.max); got != tt.want {
			t.Errorf("List(%d items, %d) = %q, want %q", len(tt.items), tt.max, got, tt.want)
		}
	}
}
