package source

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// numberTexts are texts a number column may hold: made-up values in every
// format fmt writes (seeded PCG), edge cases of the fast paths, and every
// cell of the repository's CSV files (real data).
func numberTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{"", "-", "+", ".", "-.", "0", "-0", "+0", "0.0", "-0.0", "00.000", ".5", "5.", "-.5", "+1.5",
		"1e5", "1E-5", "1.5e300", "Inf", "-inf", "NaN", "0x1p-2", "1_000", "1__0", "1..2", "1.2.3", "--1", "1-",
		" 1", "1 ", "１", "9007199254740991", "9007199254740992", "9007199254740993", "900719925474099.3",
		"0.9007199254740993", "9999999999999999999", "99999999999999999999", "0.0000000000000000000001",
		"0.00000000000000000000001", "123456789012345678", "1234567890123456789", "-9223372036854775808",
		"9223372036854775807", "9223372036854775808", "-000000000000000000001", "4.9406564584124654e-324"}
	rng := rand.New(rand.NewPCG(2, 53))
	for range 200_000 {
		x := math.Float64frombits(rng.Uint64())
		switch rng.IntN(4) {
		case 0:
			x = (rng.Float64() - 0.5) * 360
		case 1:
			x = float64(rng.Int64N(1<<54)) / math.Pow10(rng.IntN(25))
		case 2:
			x = rng.NormFloat64() * math.Pow10(rng.IntN(40)-20)
		}
		texts = append(texts, strconv.FormatFloat(x, 'f', rng.IntN(24)-1, 64), strconv.FormatFloat(x, 'g', -1, 64),
			fmt.Sprint(rng.Int64()>>rng.IntN(64)), fmt.Sprintf("%0*d", rng.IntN(22), rng.Uint64()>>rng.IntN(64)))
		var b strings.Builder
		for range 1 + rng.IntN(22) {
			b.WriteByte("0123456789.-+"[rng.IntN(13)])
		}
		texts = append(texts, b.String())
	}
	files, _ := filepath.Glob("../../testdata/atlanta/*.csv")
	more, _ := filepath.Glob("../demo/oakland/*.csv")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range recs {
			texts = append(texts, r...)
		}
	}
	if len(texts) < 1_000_000 {
		t.Fatalf("%d texts, want the real files' cells too", len(texts))
	}
	return texts
}

// TestParseNumbersAsStrconv checks parseFloat and parseInt against
// strconv.ParseFloat and strconv.ParseInt: the same bits (a NaN's too) and
// an error for the same texts.
func TestParseNumbersAsStrconv(t *testing.T) {
	fast := 0
	for _, s := range numberTexts(t) {
		got, gerr := parseFloat(s)
		want, werr := strconv.ParseFloat(s, 64)
		if math.Float64bits(got) != math.Float64bits(want) || (gerr == nil) != (werr == nil) {
			t.Fatalf("parseFloat(%q) = %v (%016x), %v; strconv: %v (%016x), %v", s, got, math.Float64bits(got), gerr, want, math.Float64bits(want), werr)
		}
		if _, ok := plainDecimal(s); ok {
			fast++
		}
		gi, gerr := parseInt(s)
		wi, werr := strconv.ParseInt(s, 10, 64)
		if gi != wi || (gerr == nil) != (werr == nil) {
			t.Fatalf("parseInt(%q) = %d, %v; strconv: %d, %v", s, gi, gerr, wi, werr)
		}
	}
	if fast < 300_000 {
		t.Errorf("the fast path took %d texts, want most of the plain decimals", fast)
	}
}
