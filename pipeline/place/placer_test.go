package place

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestOutsideReason: the reason built with strconv is fmt's, on edge values
// (zeros of both signs, infinities, NaN, halves at the sixth decimal,
// large and tiny values) and 100,000 MADE-UP random coordinates.
func TestOutsideReason(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, -1e-300, 5e-7, -5e-7,
		0.0000005, 33.7490005, -84.3879995, 1.0000005, 179.9999995, -90, 90, 1 << 53, math.MaxFloat64, math.SmallestNonzeroFloat64}
	rnd := rand.New(rand.NewPCG(9, 10))
	for range 100_000 {
		vals = append(vals, (rnd.Float64()-0.5)*360, math.Round(rnd.Float64()*1e7)/1e7+5e-7)
	}
	for k := 0; k+1 < len(vals); k++ {
		lat, lon := vals[k], vals[len(vals)-1-k]
		want := fmt.Sprintf("its location (%.6f, %.6f) is outside every boundary", lat, lon)
		if got := string(appendOutsideReason(nil, lat, lon)); got != want {
			t.Fatalf("appendOutsideReason(%v, %v) = %q, want %q", lat, lon, got, want)
		}
	}
}

// TestIDText: idText is fmt.Sprint(r.Get(i, id)) for text, integer, float
// and bool IDs, nulls and a missing column (MADE-UP values).
func TestIDText(t *testing.T) {
	r := frame.New()
	for _, c := range []struct {
		name string
		t    table.Type
	}{{"s", table.String}, {"i", table.Int}, {"f", table.Float}, {"b", table.Bool}} {
		r.AddCol(c.name, c.t)
	}
	r.AppendRow(map[string]any{"s": "P0000001", "i": int64(7), "f": 2.5, "b": true})
	r.AppendRow(map[string]any{"s": "", "i": int64(-3), "f": 1e21})
	r.AppendRow(map[string]any{})
	for i := range r.Len() {
		for _, id := range []string{"s", "i", "f", "b", "nothere"} {
			if got, want := idText(r, i, id), fmt.Sprint(r.Get(i, id)); got != want {
				t.Errorf("record %d, column %s: %q, want %q", i, id, got, want)
			}
		}
	}
}

// TestCoordinatesOutOfRange: a record whose coordinates are no place on
// Earth (a latitude of 377.8, a typo for 37.78; swapped columns; the (0, 0)
// placeholder) is unplaced with that reason, not "outside every boundary",
// which hid the typo. MADE-UP points near Oakland.
func TestCoordinatesOutOfRange(t *testing.T) {
	r := frame.New()
	r.AddCol("lat", table.Float)
	r.AddCol("lon", table.Float)
	for _, p := range [][2]float64{{37.8, -122.2}, {377.8, -122.2}, {-122.2, 37.8}, {0, 0}, {37.8, -222.2}} {
		r.AppendRow(map[string]any{"lat": p[0], "lon": p[1]})
	}
	at := Coordinates(&config.Places{Lat: "lat", Lon: "lon"}, nil)(r)
	for i, want := range []string{"", "latitude 377.8 is outside -90..90", "are the lat and lon columns swapped?", "placeholder", "longitude -222.2 is outside -180..180"} {
		_, how, reason := at(i)
		switch {
		case want == "" && (reason != "" || how != "coordinates"):
			t.Errorf("record %d: how %q, reason %q; want placed by coordinates", i, how, reason)
		case want != "" && !strings.Contains(reason, want):
			t.Errorf("record %d: reason %q; want it to contain %q", i, reason, want)
		}
	}
}

// TestLocateReasonsAreGeneric: the reasons a directory lookup gives for a
// record it cannot place name the directory, not what the demo's records
// are (they said "closed schools have none" and "any other school" for
// every pipeline's directory). MADE-UP rows: a key with no coordinates, and
// one whose street no other row with coordinates shares.
func TestLocateReasonsAreGeneric(t *testing.T) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "code", Type: arrow.BinaryTypes.String},
		{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "street", Type: arrow.BinaryTypes.String},
	}, nil))
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a"}, nil)
	b.Field(1).(*array.Float64Builder).AppendNull()
	b.Field(2).(*array.Float64Builder).AppendNull()
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"1 Main St"}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	r := frame.New()
	r.AddCol("code", table.String)
	r.AppendRow(map[string]any{"code": "a"})
	for _, same := range []string{"", "street"} {
		pl := &config.Places{ID: "code", Locate: &config.Locate{Source: "directory", Key: "code", Lat: "lat", Lon: "lon", SameStreet: same}}
		_, _, reason := Coordinates(pl, map[string]arrow.RecordBatch{"directory": rec})(r)(0)
		if !strings.HasPrefix(reason, "directory has no coordinates for it") || strings.Contains(reason, "school") {
			t.Errorf("same_street %q: reason %q; want the directory's words, none of the demo's", same, reason)
		}
	}
}
