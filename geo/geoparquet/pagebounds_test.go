package geoparquet

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// TestByteArrayBoundsAsPage checks byteArrayBounds against parquet-go's
// own byte-array page Bounds (bytes.Compare over every value) on made-up
// pages of arrays over a small alphabet holding 0x00 and 0xff, starting
// with the page's stem of 0 to 18 bytes (arrays that are prefixes of
// others, equal 8- and 16-byte starts, empty arrays), from 1 to 300
// values, and on an empty page.
func TestByteArrayBoundsAsPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte{0, 1, 'a', 'b', 0x7f, 0x80, 0xff}
	for round := range 3000 {
		n := 1 + rng.IntN(300)
		if round == 0 {
			n = 0
		}
		// Values start with the page's stem (mostly whole, else cut
		// short), so that keys tie, then a tail of 0 to 8 bytes.
		stem := make([]byte, rng.IntN(19))
		for k := range stem {
			stem[k] = alphabet[rng.IntN(len(alphabet))]
		}
		var data []byte
		offs := []uint32{0}
		for range n {
			cut := len(stem)
			if rng.IntN(4) == 0 {
				cut = rng.IntN(len(stem) + 1)
			}
			data = append(data, stem[:cut]...)
			for range rng.IntN(9) {
				data = append(data, alphabet[rng.IntN(len(alphabet))])
			}
			offs = append(offs, uint32(len(data)))
		}
		for _, typ := range []parquet.Type{parquet.ByteArrayType, parquet.String().Type()} {
			page := typ.NewPage(3, n, encoding.ByteArrayValues(data, offs))
			wantMin, wantMax, wantOK := page.Bounds()
			gotMin, gotMax, gotOK := byteArrayBounds(page.Data(), page.Column())
			if gotOK != wantOK || !bytes.Equal(gotMin.ByteArray(), wantMin.ByteArray()) || !bytes.Equal(gotMax.ByteArray(), wantMax.ByteArray()) {
				t.Fatalf("round %d (%d values): bounds %q %q %v, the page's %q %q %v", round, n, gotMin.ByteArray(), gotMax.ByteArray(), gotOK, wantMin.ByteArray(), wantMax.ByteArray(), wantOK)
			}
			if gotOK && (gotMin.Column() != wantMin.Column() || gotMax.Column() != wantMax.Column() || gotMin.Kind() != wantMin.Kind()) {
				t.Fatalf("round %d: columns %d %d kind %v, the page's %d %d %v", round, gotMin.Column(), gotMax.Column(), gotMin.Kind(), wantMin.Column(), wantMax.Column(), wantMin.Kind())
			}
		}
	}
}
