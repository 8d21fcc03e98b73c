package source

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Seat is one row of a decision layer's seat list: who holds a seat.
type Seat struct {
	Seat, Name, Office, Contact string
}

// ReadSeats reads a seat list: a CSV with a "seat" column (the IDs of the
// decision layer's features) and optional "name", "office" and "contact"
// columns, matched case-insensitively; other columns are ignored. Every
// problem is a *ParseError naming the file, line and column: a missing
// seat column, an empty seat, a seat listed twice, a row of the wrong
// width. Rows come back in file order.
func ReadSeats(ctx context.Context, r io.Reader, file string) ([]Seat, error) {
	cr := csv.NewReader(r)
	header, err := readHeader(cr, file, `a header with a "seat" column`)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	si, ok := col["seat"]
	if !ok {
		return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf(`no "seat" column in the header (%s): add one holding the IDs of the boundary's features`, strings.Join(header, ", "))}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Seat
	var errs []error
	seen := map[string]int{}
	rows := 0
	err = eachRecord(ctx, cr, file, len(header), &rows, func(line int, err error) {
		errs = append(errs, &ParseError{File: file, Line: line, Err: err})
	}, func(rec []string, line int) error {
		s := Seat{Seat: strings.TrimSpace(rec[si]), Name: get(rec, "name"), Office: get(rec, "office"), Contact: get(rec, "contact")}
		switch {
		case s.Seat == "":
			errs = append(errs, &ParseError{File: file, Line: line, Column: header[si], Err: errors.New("empty seat: give the ID of the boundary feature")})
		case seen[s.Seat] > 0:
			errs = append(errs, &ParseError{File: file, Line: line, Column: header[si], Err: fmt.Errorf("seat %q is listed twice (first on line %d)", s.Seat, seen[s.Seat])})
		default:
			seen[s.Seat] = line
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return slices.Clip(out), nil
}
