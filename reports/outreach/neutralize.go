package outreach

import (
	"encoding/csv"
	"io"
)

// Neutralize is groundwork's one CSV cell guard against spreadsheet formula
// injection ("CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection;
// OWASP ASVS 5.0 requirement 1.2.10). Every CSV writer in the module passes
// every cell through it; nothing else decides what a safe cell is.
//
// The rule, from OWASP's page: a cell that begins with '=', '+', '-', '@',
// tab (0x09), carriage return (0x0D) or line feed (0x0A) gets a leading
// single quote, which spreadsheets read as "this cell is text", so
// `=HYPERLINK(...)` is written `'=HYPERLINK(...)` and `-2+3` is written
// `'-2+3`. NUL (0x00) is treated the same way. Quoting of commas, quotes and
// line breaks inside a cell is encoding/csv's job, not this function's.
//
// One exception, decided by the value and not by the column: a plain
// number, an optional sign, digits and at most one decimal point with digits
// on both sides ("-12.5", "+15105551234", "42"), is returned unchanged. Such a
// cell holds no operator after its first character, no letters, parentheses
// or references, so no spreadsheet can evaluate it as anything but the
// number it is; prefixing it would turn a real negative amount into the text
// "'-12.5" and break phone columns in the receiving tool. "+1 510 555 1234"
// (with spaces) is not a plain number and is prefixed. Phone columns written
// by the profiles hold digits only ("15105551234"), so they never need the
// exception; it matters for numbers that reach other CSV writers.
//
// Neutralize is safe for concurrent use.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0:
		if (s[0] == '+' || s[0] == '-') && plainNumber(s[1:]) {
			return s
		}
		return "'" + s
	}
	return s
}

// plainNumber reports whether s is digits with at most one '.' that has
// digits on both sides.
func plainNumber(s string) bool {
	digits, dot := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && dot < 0 && i > 0:
			dot = i
		default:
			return false
		}
	}
	return digits > 0 && dot != len(s)-1
}

// WriteCSV writes a header and the rows emitted by fill, with every cell
// neutralised against spreadsheet formula injection (Neutralize).
func WriteCSV(w io.Writer, header []string, fill func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := fill(func(cells ...string) error {
		for i, c := range cells {
			cells[i] = Neutralize(c)
		}
		return cw.Write(cells)
	}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
