package source

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// warn adds a warning to spec.Warnings, if set.
func (spec CSV) warn(key, summary, example string) {
	if spec.Warnings != nil {
		spec.Warnings.Add(key, summary, example)
	}
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8: every byte is the code
// point of the same value.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte // converted bytes not yet returned
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		b, err := l.r.ReadByte()
		if err != nil {
			return 0, err
		}
		if b < 0x80 {
			// Copy a run of ASCII bytes at once.
			p[0] = b
			n := 1
			for n < len(p) {
				next, err := l.r.Peek(1)
				if err != nil || next[0] >= 0x80 {
					break
				}
				p[n] = next[0]
				l.r.ReadByte()
				n++
			}
			return n, nil
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// LineTooLongError reports a line longer than CSV.MaxLineBytes.
type LineTooLongError struct {
	Line int // 1-based
	Max  int
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("line is longer than %d bytes (the limit, max_line_bytes); the file is probably not a CSV table or has an unclosed quote; fix the file or raise max_line_bytes", e.Max)
}

// lineLimitReader fails with a *LineTooLongError as soon as a line exceeds
// max bytes, so a reader above it never buffers more than that.
type lineLimitReader struct {
	r    io.Reader
	max  int
	cur  int // bytes of the current line so far
	line int // 0-based number of the current line
	err  error
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	// A line at a time: the bytes up to each newline, or to the end.
	for i := 0; i < n; {
		seg := bytes.IndexByte(p[i:n], '\n')
		if seg < 0 {
			seg = n - i
		}
		if l.cur+seg > l.max {
			// The byte that makes the line too long is not returned.
			i += l.max - l.cur
			l.err = &LineTooLongError{Line: l.line + 1, Max: l.max}
			return i, l.err
		}
		l.cur += seg
		i += seg
		if i < n { // the newline
			l.line++
			l.cur = 0
			i++
		}
	}
	return n, err
}

// readError turns an error of csv.Reader.Read into a *ParseError with the
// line and the delimiter hint.
func readError(file string, err error, hint string) error {
	var lt *LineTooLongError
	if errors.As(err, &lt) {
		return &ParseError{File: file, Line: lt.Line, Err: lt}
	}
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		return &ParseError{File: file, Line: ce.StartLine, Err: fmt.Errorf("%w%s", ce.Err, hint)}
	}
	return &ParseError{File: file, Err: err}
}

// delimiterHint peeks at the first line of br and, when the delimiter is
// the default comma but the line has no comma and holds semicolons (or
// tabs), returns a hint that says so; otherwise "".
func delimiterHint(br *bufio.Reader, delim rune) string {
	if delim != 0 && delim != ',' {
		return ""
	}
	b, _ := br.Peek(4096)
	if i := strings.IndexByte(string(b), '\n'); i >= 0 {
		b = b[:i]
	}
	first := string(b)
	if strings.Contains(first, ",") {
		return ""
	}
	for _, d := range []struct {
		sep, name, opt string
	}{{";", "semicolons", `delimiter: ";"`}, {"\t", "tabs", `delimiter: "\t"`}} {
		if n := strings.Count(first, d.sep); n > 0 {
			return fmt.Sprintf("; the first line has %d %s and no comma, so the file is probably %s-separated (spreadsheets save semicolons where the decimal mark is a comma): set %s, or save it as comma-separated", n, d.name, strings.TrimSuffix(d.name, "s"), d.opt)
		}
	}
	return ""
}

func delimName(r rune) string {
	switch r {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return strconv.QuoteRune(r)
}

// checkText returns an error for a NUL byte, and for invalid UTF-8 unless
// the file was converted from another encoding (then it is valid anyway).
func checkText(s, encoding string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return errors.New("value holds a NUL byte (\\x00); the file is probably UTF-16 or binary, not a text CSV: save it as UTF-8 CSV")
	}
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	return fmt.Errorf("invalid UTF-8 (byte 0x%02X after %q); the file is probably Latin-1 or Windows-1252: set encoding: latin1, or save it as UTF-8", s[i], truncateText(s[:i], 20))
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Keep the end, which is next to the bad byte.
	s = s[len(s)-n:]
	for len(s) > 0 && !utf8.RuneStart(s[0]) {
		s = s[1:]
	}
	return "..." + s
}

// isBidiControl reports the explicit directional embeddings, overrides and
// isolates (Unicode bidirectional algorithm, UAX #9): U+202A-U+202E and
// U+2066-U+2069. They change the order in which the text around them is
// displayed (the "Trojan Source" attack, CVE-2021-42574). The marks LRM,
// RLM and ALM (U+200E, U+200F, U+061C) only affect neutral characters next
// to them and are kept.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// StripBidi returns s without bidi control characters (see isBidiControl)
// and whether it removed any. Every string shown to a reader (the report,
// tooltips, exports) should pass through it.
func StripBidi(s string) (string, bool) {
	// All of them are encoded as 0xE2 0x80|0x81 ...: skip the common case.
	if strings.IndexByte(s, 0xE2) < 0 || !strings.ContainsFunc(s, isBidiControl) {
		return s, false
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s), true
}

var (
	thousandsRE = regexp.MustCompile(`^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
	decimalRE   = regexp.MustCompile(`^[+-]?[0-9]+,[0-9]+$`)
	currencyRE  = regexp.MustCompile(`^[+-]?[$€£][0-9]`)
)

// nullWords are cell values that spreadsheets, R and pandas write for "no
// value".
var nullWords = map[string]bool{"na": true, "n/a": true, "#n/a": true, "null": true, "none": true, "nan": true, "-": true, "--": true, ".": true, "?": true, "missing": true, "nil": true, "no data": true}

// numberHint explains why raw is probably not a number, or returns "".
func numberHint(raw string) string {
	switch {
	case thousandsRE.MatchString(raw):
		return fmt.Sprintf(": it looks written with thousands separators; remove them (%s)", strings.ReplaceAll(raw, ",", ""))
	case decimalRE.MatchString(raw):
		return fmt.Sprintf(": it looks written with a decimal comma; write a decimal point (%s)", strings.Replace(raw, ",", ".", 1))
	case currencyRE.MatchString(raw):
		return ": remove the currency sign and any thousands separators"
	case strings.HasSuffix(raw, "%"):
		return ": remove the percent sign (and divide by 100 if the column holds shares)"
	case nullWords[strings.ToLower(raw)]:
		return fmt.Sprintf(": if %q means no value, add it to the source's null list (null: [%q])", raw, raw)
	}
	return ""
}

// fieldList formats 0-based field indexes as a 1-based list: "2 and 5".
func fieldList(js []int) string {
	s := make([]string, len(js))
	for i, j := range js {
		s[i] = strconv.Itoa(j + 1)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
