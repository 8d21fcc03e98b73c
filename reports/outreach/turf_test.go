package outreach

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shoelace is twice the signed area of a ring in lon/lat (positive:
// counter-clockwise), computed here independently of orb and geo.
func shoelace(r [][2]float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

// TestTurfRingsRFC7946 checks that every exterior ring of the golden turf
// GeoJSON is counter-clockwise and every hole clockwise (RFC 7946 section
// 3.1.6), while the input neighborhoods have clockwise exteriors, so the
// export does turn them.
func TestTurfRingsRFC7946(t *testing.T) {
	cw := 0
	for _, f := range readLayer(t).Features {
		for _, poly := range f.Geom {
			r := make([][2]float64, len(poly[0]))
			for i, p := range poly[0] {
				r[i] = [2]float64(p)
			}
			if shoelace(r) < 0 {
				cw++
			}
		}
	}
	if cw == 0 {
		t.Fatal("no clockwise exterior ring in the input: the test shows nothing")
	}
	files, _ := filepath.Glob("testdata/golden/turfs/*.geojson")
	rings := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Properties map[string]any
				Geometry   struct{ Coordinates [][][][2]float64 }
			}
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			for _, poly := range f.Geometry.Coordinates {
				for i, r := range poly {
					rings++
					if a := shoelace(r); (i == 0) != (a > 0) {
						t.Errorf("%s, turf %v, ring %d: signed area %g, want exterior > 0 and holes < 0", file, f.Properties["turf"], i, a)
					}
				}
			}
		}
	}
	if rings == 0 {
		t.Fatal("no rings in the golden turfs")
	}
	t.Logf("%d input exteriors were clockwise; %d output rings checked", cw, rings)
}

// TestWalkListHTML checks the printable walk list: one section (page) per
// turf of the segment, each with its door and contact counts, page breaks
// between them, and no phone number or email on paper.
func TestWalkListHTML(t *testing.T) {
	data, err := os.ReadFile("testdata/golden/walklists/flatlands.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	turfs, _ := filepath.Glob("testdata/golden/walklists/flatlands/*.csv")
	if n := strings.Count(html, "<section>"); n != len(turfs) {
		t.Errorf("%d pages, want one per turf (%d)", n, len(turfs))
	}
	if !strings.Contains(html, "break-after: page") {
		t.Error("no page break between turfs")
	}
	// Frick: one contact (F007) at one door.
	if !strings.Contains(html, "<h1>Frick</h1>\n<p class=\"counts\">Segment flatlands · 1 doors · 1 contacts (1 with an address)</p>") {
		t.Error("Frick's page lacks its counts")
	}
	for _, leak := range []string{"@example.org", "510555", "<script"} {
		if strings.Contains(html, leak) {
			t.Errorf("walk list contains %q", leak)
		}
	}
	// The injected name is escaped, not markup.
	if strings.Contains(html, "<a ") {
		t.Error("unescaped markup")
	}
}

// TestTurfSeats puts the contacts of one turf in two seats of a decision
// layer and one in none: the GeoJSON names both seats, the most contacts
// first, with the contacts of each ("" for none), and the walk list page
// says the same in words.
func TestTurfSeats(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	e, err := NewExporter(ctx, dir, []string{"s"}, Options{Profiles: []string{Generic}, Custom: []string{"district_seat"},
		Areas: readLayer(t), Turfs: true, Seats: []SeatLayer{{Column: "district_seat", Title: "Council districts"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, seat := range []string{"District 5", "District 2", "District 2", ""} {
		c := Contact{ID: fmt.Sprint(i), First: "Fixture", Last: fmt.Sprint("Person ", i), Email: fmt.Sprintf("p%d@example.org", i),
			Street: fmt.Sprintf("%d Fixture St", 10+i), Area: "Frick", Segments: []string{"s"}, Line: i + 2,
			Custom: map[string]string{"district_seat": seat}}
		if err := e.Add(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "turfs", "s.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 1 {
		t.Fatalf("%d turfs, want 1 (Frick)", len(fc.Features))
	}
	p := fc.Features[0].Properties
	if got, want := p["district_seat"], "District 2; District 5"; got != want {
		t.Errorf("district_seat = %v, want %q", got, want)
	}
	if got, want := fmt.Sprint(p["district_seat_contacts"]), "map[:1 District 2:2 District 5:1]"; got != want {
		t.Errorf("district_seat_contacts = %s, want %s", got, want)
	}
	h, err := os.ReadFile(filepath.Join(dir, "walklists", "s.html"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `<p class="seat">Council districts: District 2 (2 contacts), District 5 (1 contact); 1 contact in no seat</p>`; !strings.Contains(string(h), want) {
		t.Errorf("walk list lacks %s", want)
	}
}
