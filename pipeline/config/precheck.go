package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// precheck reports the problems of a pipeline file that the YAML parser
// reports badly: an empty file (the parser says "EOF"), UTF-16, and bytes
// that are not UTF-8 (it names no line). name is used in errors. (YAML
// syntax errors and unknown keys are the parser's, see Parse.)
func precheck(name string, b []byte) error {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return fmt.Errorf("%s: the file is UTF-16; save it as UTF-8 (YAML pipeline files are UTF-8 text)", name)
	}
	if i := invalidUTF8(b); i >= 0 {
		line, col := lineCol(b, i)
		return fmt.Errorf("%s:%d:%d: byte 0x%02X is not UTF-8 (the file was probably saved as Latin-1 or Windows-1252); save it as UTF-8", name, line, col, b[i])
	}
	if empty(b) {
		return fmt.Errorf("%s: the file is empty (or holds only comments); a pipeline file needs at least sources and a report: start from the demo's pipeline.yaml (groundwork demo) or docs/", name)
	}
	return nil
}

// tabProblem explains a YAML error caused by a tab in the indentation,
// naming the line of the first such tab (yaml.v3 names the line before it);
// ok is false when the file has none.
func tabProblem(name string, b []byte) (error, bool) {
	for i, line := range strings.Split(string(b), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if strings.Contains(indent, "\t") {
			return fmt.Errorf("%s:%d: a tab in the indentation; YAML indents with spaces only: replace the tab with spaces", name, i+1), true
		}
	}
	return nil, false
}

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// lineCol returns the 1-based line and column (in bytes) of offset i.
func lineCol(b []byte, i int) (int, int) {
	line := 1 + bytes.Count(b[:i], []byte("\n"))
	col := i - bytes.LastIndexByte(b[:i], '\n')
	return line, col
}

// empty reports whether b holds nothing but blank lines, comments and a
// document marker.
func empty(b []byte) bool {
	for _, line := range strings.Split(string(bytes.TrimPrefix(b, []byte("\ufeff"))), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" && t != "..." {
			return false
		}
	}
	return true
}
