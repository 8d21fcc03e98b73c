// Package source reads the local datasets a pipeline names (CSV files with
// declared column types, and the organizing exports built on them) into typed
// Arrow records.
package source

import "fmt"

// ParseError reports a problem at a place in a local dataset. Line is the
// 1-based line where the record starts (0 when the problem is not tied to a
// line); Column is the column name (empty when not tied to a column).
type ParseError struct {
	File   string
	Line   int
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	if e.Column != "" {
		loc += fmt.Sprintf(": column %q", e.Column)
	}
	return loc + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
