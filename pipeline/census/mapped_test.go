//go:build unix

package census

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecodeMappedMatchesRead: Decode of a file (its mapping) gives the
// table and the error that Decode of the same bytes from a reader gives,
// on every body of scanTableBodies, and leaves the file read to its end.
func TestDecodeMappedMatchesRead(t *testing.T) {
	dir := t.TempDir()
	for k, body := range scanTableBodies(t) {
		p := filepath.Join(dir, "r.json")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got, gerr := Decode(f)
		rest, _ := io.ReadAll(f)
		f.Close()
		want, werr := Decode(bytes.NewReader([]byte(body)))
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("body %d: file: %v, reader: %v", k, gerr, werr)
		}
		if len(rest) != 0 {
			t.Fatalf("body %d: %d bytes left unread", k, len(rest))
		}
		if werr == nil {
			sameTypedTable(t, fmt.Sprintf("body %d", k), got, want)
		}
	}
}

// TestDecodeMappedCutShort: a file cut short once it is mapped makes
// reading its mapping fault; Decode reports the body it then reads (here
// an empty one) instead of the process ending.
func TestDecodeMappedCutShort(t *testing.T) {
	var big strings.Builder
	big.WriteString(`[["NAME","B01001_001E","state","county","tract"]`)
	for range 200000 {
		big.WriteString(`,["Census Tract 1","1234","06","001","400100"]`)
	}
	big.WriteString("]")
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() { afterMap = nil }()
	cut := false
	afterMap = func(f *os.File) { cut = os.Truncate(f.Name(), 0) == nil }
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Decode(f)
	var de *DecodeError
	if !cut || !errors.As(err, &de) {
		t.Fatalf("cut %v; Decode: %v, want a DecodeError of the empty body", cut, err)
	}
}
