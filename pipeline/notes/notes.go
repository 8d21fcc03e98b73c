// Package notes collects the warnings of a run so that a repeated problem
// (200,000 rows with the same flaw) gives one line with a count and the first
// few examples instead of 200,000 lines in the report.
package notes

import (
	"fmt"
	"strings"
	"sync"
)

// DefaultExamples is how many examples of each kind a Set keeps when its
// Examples field is zero.
const DefaultExamples = 5

// Set collects warnings grouped by kind. The zero value is ready to use; a
// Set is safe for concurrent use. Kinds keep the order of their first Add.
type Set struct {
	// Examples bounds the examples kept per kind (DefaultExamples if 0).
	Examples int

	mu    sync.Mutex
	kinds []*kind
	index map[string]*kind
}

type kind struct {
	key      string
	summary  string
	n        int
	examples []string
}

// Add records one warning of the given kind. summary describes the kind in
// a sentence that reads well after a count ("cells had bidi control
// characters removed"); example is this occurrence ("people.csv:12: column
// \"name\""). Warnings with the same key are counted together; only the first
// Examples examples are kept, so memory is bounded by the number of kinds.
func (s *Set) Add(key, summary, example string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		s.index = map[string]*kind{}
	}
	k := s.index[key]
	if k == nil {
		k = &kind{key: key, summary: summary}
		s.index[key] = k
		s.kinds = append(s.kinds, k)
	}
	k.n++
	if len(k.examples) < s.max() {
		k.examples = append(k.examples, example)
	}
}

func (s *Set) max() int {
	if s.Examples > 0 {
		return s.Examples
	}
	return DefaultExamples
}

// Len returns the number of warnings added (not the number of kinds).
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.kinds {
		n += k.n
	}
	return n
}

// Count returns how many warnings of key were added.
func (s *Set) Count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.index[key]; k != nil {
		return k.n
	}
	return 0
}

// Lines returns one line per kind, in the order kinds were first added. A
// kind seen once gives its summary and example ("summary: example"); a kind
// seen n > 1 times gives "n summary, e.g. ex1; ex2 (and n-k more)".
func (s *Set) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.kinds {
		if k.n == 1 {
			out = append(out, k.summary+": "+k.examples[0])
			continue
		}
		line := fmt.Sprintf("%d %s, e.g. %s", k.n, k.summary, strings.Join(k.examples, "; "))
		if more := k.n - len(k.examples); more > 0 {
			line += fmt.Sprintf(" (and %d more)", more)
		}
		out = append(out, line)
	}
	return out
}

// DefaultListed is how many items List shows.
const DefaultListed = 10

// List joins the first max items (DefaultListed if max <= 0) with ", "
// and says how many more there are: "a, b, c and 9,997 more". A warning that
// names the rows it is about stays one short line however many rows there
// are.
func List(items []string, max int) string {
	if max <= 0 {
		max = DefaultListed
	}
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
