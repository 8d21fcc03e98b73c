package pipeline

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDemoTurfSeats runs the Oakland demo, whose city boundary is a
// decision layer ("Oakland City Council, at-large seat"), and reads its
// turfs: every turf of the flatlands GeoJSON says its seat (city_seat
// Oakland, as the exports place contacts) and its contacts per seat,
// which add up to the turf's contact count; every page of the printable
// walk list says the same seat and count under the turf's name.
func TestDemoTurfSeats(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, demoDir(t), out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "exports", "turfs", "flatlands.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Turf     string         `json:"turf"`
				Kind     string         `json:"kind"`
				Contacts int            `json:"contacts"`
				Seat     *string        `json:"city_seat"`
				Seats    map[string]int `json:"city_seat_contacts"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) == 0 {
		t.Fatal("flatlands.geojson has no turfs")
	}
	contacts := map[string]int{}
	for _, f := range fc.Features {
		p := f.Properties
		contacts[p.Turf] = p.Contacts
		if p.Seat == nil || *p.Seat != "Oakland" {
			t.Errorf("turf %s: city_seat = %v; want Oakland (every turf of the demo is in the city)", p.Turf, p.Seat)
		}
		if want := map[string]int{"Oakland": p.Contacts}; p.Contacts == 0 || !maps.Equal(p.Seats, want) {
			t.Errorf("turf %s: city_seat_contacts = %v; want %v", p.Turf, p.Seats, want)
		}
	}
	h, err := os.ReadFile(filepath.Join(out, "exports", "walklists", "flatlands.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages := regexp.MustCompile(`(?s)<section>\s*<h1>(.*?)</h1>(.*?)</section>`).FindAllStringSubmatch(string(h), -1)
	if len(pages) == 0 {
		t.Fatal("flatlands.html has no turf pages")
	}
	for _, pg := range pages {
		turf, body := pg[1], pg[2]
		n, ok := contacts[turf]
		if !ok {
			t.Errorf("walk list page %q is not a turf of the GeoJSON", turf)
			continue
		}
		word := "contacts"
		if n == 1 {
			word = "contact"
		}
		want := fmt.Sprintf(`<p class="seat">Oakland City Council, at-large seat: Oakland (%d %s)</p>`, n, word)
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(body) {
			t.Errorf("walk list page %q lacks %s:\n%s", turf, want, body[:min(len(body), 400)])
		}
		if !regexp.MustCompile(fmt.Sprintf(`· %d contacts? \(`, n)).MatchString(body) {
			t.Errorf("walk list page %q lacks its contact count %d", turf, n)
		}
	}
}
