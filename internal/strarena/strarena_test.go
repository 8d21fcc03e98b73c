package strarena

import (
	"strings"
	"testing"
)

// TestArenaStringsStay: strings made before a new block is started, and
// before their source bytes change, keep their text.
func TestArenaStringsStay(t *testing.T) {
	var a Arena
	src := []byte("abc")
	var got []string
	var want []string
	for i := range 30000 { // 90 KB: more than one 64 KiB block
		src[0] = byte('a' + i%26)
		got = append(got, a.String(src))
		want = append(want, string(src))
	}
	big := []byte(strings.Repeat("x", 100<<10)) // larger than a block
	got, want = append(got, a.String(big), a.String(nil)), append(want, string(big), "")
	big[0] = 'y'
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d = %.10q, want %.10q", i, got[i], want[i])
		}
	}
}
