package source

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// The fast paths of CSV typing: quote-free blocks cut without csv.Reader
// (splitPlain) and plain cells typed in one step (rowTyper.plainCell).
// TestSplitPlainAsReader and TestParallelAsSerial hold them to the general
// paths.

// plainBlock reports whether splitPlain cuts data into the records
// csv.Reader (as blockReader makes it, with comma) gives: data holds no
// double quote and no carriage return, and comma is one ASCII byte that
// csv.Reader accepts. A record is then a line (an empty line is skipped)
// cut at every comma, and csv.Reader finds no error in data.
func plainBlock(data []byte, comma rune) bool {
	if comma == 0 || comma >= utf8.RuneSelf || comma == '"' || comma == '\r' || comma == '\n' {
		return false
	}
	return bytes.IndexByte(data, '"') < 0 && bytes.IndexByte(data, '\r') < 0
}

// splitPlain calls fn with each record of data (plainBlock holds) in
// order, and the line it is on, the first line of data being first. A
// record's fields are substrings of one copy of data (csv.Reader makes a
// string per record); fn must not keep rec, which is reused.
func splitPlain(data []byte, comma byte, first int, fn func(rec []string, line int)) {
	text := string(data)
	var rec []string
	line := first
	for len(text) > 0 {
		end := strings.IndexByte(text, '\n')
		l := text
		if end >= 0 {
			l, text = text[:end], text[end+1:]
		} else {
			text = ""
		}
		if len(l) > 0 {
			rec = rec[:0]
			for {
				i := strings.IndexByte(l, comma)
				if i < 0 {
					break
				}
				rec = append(rec, l[:i])
				l = l[i+1:]
			}
			rec = append(rec, l)
			fn(rec, line)
		}
		line++
	}
}

// plainCell appends raw, a cell of column c, to col when it is of the
// commonest form, and reports whether it was: no space at either end,
// plain ASCII (plainASCII), not a null word, and a plain decimal of a
// float column (plainDecimal), a short integer of an int column
// (plainInt) or the text of a string column without a digits rule. What
// it appends is what row's general path (cellText, isNull, appendCell)
// appends for such a cell, with no problem or warning.
func (t *rowTyper) plainCell(col *table.Column, c *Column, raw string) bool {
	if mayTrim(raw) || !plainASCII(raw) {
		return false
	}
	if len(t.spec.Null) > 0 && slices.Contains(t.spec.Null, raw) {
		return false
	}
	switch c.Type {
	case table.Float:
		v, ok := plainDecimal(raw)
		if !ok {
			return false
		}
		col.Floats = append(col.Floats, v)
	case table.Int:
		v, ok := plainInt(raw)
		if !ok {
			return false
		}
		col.Ints = append(col.Ints, v)
	case table.String:
		if c.Digits > 0 {
			return false
		}
		col.Strings = append(col.Strings, raw)
	default:
		return false
	}
	col.Valid = append(col.Valid, true)
	return true
}
