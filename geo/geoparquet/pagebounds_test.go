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
// pages of short and long arrays over a small alphabet holding 0x00 and
// 0xff (prefixes, arrays that are prefixes of others, equal 8-byte
// prefixes, empty arrays), from 1 to 300 values, and on an empty page.
func TestByteArrayBoundsAsPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte{0, 1, 'a', 'b', 0x7f, 0x80, 0xff}
	for round := range 3000 {
		n := 1 + rng.IntN(300)
		if round == 0 {
			n = 0
		}
		var data []byte
		offs := []uint32{0}
		for range n {
			size := rng.IntN(13)
			if rng.IntN(4) == 0 {
				size = 8 + rng.IntN(3) // around the prefix's 8 bytes
			}
			for range size {
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
