package source

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
)

// readHeader reads cr's first record as the header, a copy the caller may
// keep (cr may reuse its records). want says what an empty file lacks.
func readHeader(cr *csv.Reader, file, want string) ([]string, error) {
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: file, Err: errors.New("empty file, want " + want)}
	}
	if err != nil {
		return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf("read header: %w", err)}
	}
	return append([]string(nil), header...), nil
}

// checkFields returns an error for the first field of rec with a NUL byte
// or invalid UTF-8 (see checkText).
func checkFields(rec []string) error {
	for i, f := range rec {
		if err := checkText(f, ""); err != nil {
			return fmt.Errorf("field %d: %w", i+1, err)
		}
	}
	return nil
}

// eachRecord reads the records of cr after its header and calls fn with each
// well-formed one and the line it starts on, counting every record in *rows.
// A record that does not parse, has another number of fields than width, or
// holds invalid UTF-8 or a NUL byte, goes to bad instead, with an error
// wrapping ErrMalformedRow. Only an I/O
// error, an error from fn, or the end of ctx (checked every 1024 records)
// stops it.
func eachRecord(ctx context.Context, cr *csv.Reader, file string, width int, rows *int, bad func(line int, err error), fn func(rec []string, line int) error) error {
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			*rows++
			bad(pe.StartLine, fmt.Errorf("%w: %w", ErrMalformedRow, pe.Err))
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		*rows++
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			bad(line, fmt.Errorf("%w: %d fields, the header has %d", ErrMalformedRow, len(rec), width))
			continue
		}
		if err := checkFields(rec); err != nil {
			bad(line, fmt.Errorf("%w: %w", ErrMalformedRow, err))
			continue
		}
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

// ReadWith opens the file at path and returns what read reads from it; a
// failure to open it is returned as it is (an *fs.PathError naming path).
func ReadWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return read(f)
}
