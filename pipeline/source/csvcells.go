package source

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// openCSV is the CSV reader of r under spec (its encoding, delimiter and
// line limit), and the buffer under it.
func openCSV(r io.Reader, spec CSV) (*bufio.Reader, *csv.Reader) {
	switch strings.ToLower(spec.Encoding) {
	case "latin1", "latin-1", "iso-8859-1":
		r = &latin1Reader{r: bufio.NewReader(r)}
	}
	maxLine := spec.MaxLineBytes
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	br := bufio.NewReader(&lineLimitReader{r: r, max: maxLine})
	skipBOM(br)
	cr := csv.NewReader(br)
	if spec.Delimiter != 0 {
		cr.Comma = spec.Delimiter
	}
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return br, cr
}

// utf8BOM is the byte order mark that Excel's "CSV UTF-8" and R's
// fileEncoding = "UTF-8-BOM" put before the header.
const utf8BOM = "\ufeff"

// skipBOM drops a UTF-8 byte order mark at the start of br. It must go
// before the CSV parser sees it: before a quoted first header field
// (`\ufeff"id",...`) encoding/csv fails with `bare " in non-quoted field`.
func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		br.Discard(len(utf8BOM))
	}
}

// newCSVReader is a csv.Reader over r without its byte order mark, as the
// contact, survey, sign-up and sign-in readers read their files.
func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	skipBOM(br)
	return csv.NewReader(br)
}

// plainASCII reports whether s holds only ASCII bytes other than NUL: valid
// UTF-8 (and latin1 read as itself) without a bidi control character.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b == 0 || b >= 0x80 {
			return false
		}
	}
	return true
}

// mayTrim reports whether strings.TrimSpace might change s (or s is
// empty): an end byte of s is a space, a control byte or not ASCII. An
// ASCII byte above ' ' is never space.
func mayTrim(s string) bool {
	n := len(s)
	return n == 0 || s[0] <= ' ' || s[0] >= 0x80 || s[n-1] <= ' ' || s[n-1] >= 0x80
}

// cellText is field j of rec as a value is read from it: trimmed, "" when
// rec is short or when the text is invalid (err says why), bidi controls
// removed from a string (stripped says so). ScanCSV and replayKeys read a
// key through it, so that both see the same key.
func cellText(rec []string, j int, encoding string, str bool) (raw string, stripped bool, err error) {
	if j < len(rec) {
		raw = rec[j]
		if mayTrim(raw) {
			raw = strings.TrimSpace(raw)
		}
	}
	if plainASCII(raw) {
		return raw, false, nil // checkText accepts it, StripBidi leaves it
	}
	if err := checkText(raw, encoding); err != nil {
		return "", false, err
	}
	if str {
		if clean, ok := StripBidi(raw); ok {
			return clean, true, nil
		}
	}
	return raw, false, nil
}

// chunkColumn is an empty column for c with room for a chunk of rows
// (chunk <= 0: unknown, none reserved), so appends do not regrow it.
func chunkColumn(c Column, chunk int) *table.Column {
	return table.NewColumn(c.Name, c.Type, 0, max(chunk, 0))
}

// emptyColumn empties col, keeping its room for the next chunk, and lets go
// of the strings it held.
func emptyColumn(col *table.Column) {
	clear(col.Strings)
	col.Valid, col.Strings = col.Valid[:0], col.Strings[:0]
	col.Floats, col.Ints, col.Bools = col.Floats[:0], col.Ints[:0], col.Bools[:0]
}

func appendCell(col *table.Column, c Column, raw string, null bool) error {
	if null {
		switch c.Type {
		case table.Float:
			col.AppendFloat(0, false)
		case table.Int:
			col.AppendInt(0, false)
		case table.Bool:
			col.AppendBool(false, false)
		default:
			col.AppendString("", false)
		}
		return nil
	}
	switch c.Type {
	case table.Float:
		v, err := parseFloat(raw)
		if err != nil {
			col.AppendFloat(0, false)
			return fmt.Errorf("value %q is not a number%s", raw, numberHint(raw))
		}
		if (math.IsNaN(v) || math.IsInf(v, 0)) && !c.NonFinite {
			col.AppendFloat(0, false)
			return fmt.Errorf("value %q is not a finite number; if it means no value, add it to the source's null list (null: [%q]); to keep it, declare the column with nonfinite: true", raw, raw)
		}
		col.AppendFloat(v, true)
	case table.Int:
		v, err := parseInt(raw)
		if err != nil {
			col.AppendInt(0, false)
			if f, ferr := strconv.ParseFloat(raw, 64); ferr == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return fmt.Errorf("value %q is not a whole number; declare the column as float", raw)
			}
			return fmt.Errorf("value %q is not a whole number%s", raw, numberHint(raw))
		}
		col.AppendInt(v, true)
	case table.Bool:
		switch strings.ToLower(raw) {
		case "true", "t", "yes", "y", "1":
			col.AppendBool(true, true)
		case "false", "f", "no", "n", "0":
			col.AppendBool(false, true)
		default:
			col.AppendBool(false, false)
			return fmt.Errorf("value %q is not a boolean (want true/false, yes/no, y/n or 1/0)", raw)
		}
	default:
		col.AppendString(raw, true)
		if c.Digits > 0 && !isDigits(raw, c.Digits) {
			if isDigits(raw, len(raw)) && len(raw) < c.Digits {
				return fmt.Errorf("code %q has %d digits, want %d: leading zeros were probably lost (a spreadsheet read it as a number); restore them, e.g. %q", raw, len(raw), c.Digits, strings.Repeat("0", c.Digits-len(raw))+raw)
			}
			return fmt.Errorf("code %q is not %d digits", raw, c.Digits)
		}
	}
	return nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// didYouMean returns "; did you mean X?" for the closest header name, or the
// list of names when none is close.
func didYouMean(want string, have []string) string {
	if best := suggest.Closest(want, have); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	s := append([]string(nil), have...)
	sort.Strings(s)
	if len(s) > 40 {
		s = append(s[:40], "...")
	}
	return "; the header has: " + strings.Join(s, ", ")
}

func headerOf(c Column) string {
	if c.Header != "" {
		return c.Header
	}
	return c.Name
}
