// Package contacttest holds the fixtures that the tests of the packages
// reading and placing contacts share (pipeline/place/contact,
// pipeline/engage): the made-up contact list's mapping and a Placer over
// the trimmed real Alameda 2010 tracts and Oakland neighborhoods. The files
// are under pipeline/source/testdata; FIXTURES.md there gives their
// provenance.
package contacttest

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// Mapping maps the columns of fixture_contacts.csv.
var Mapping = source.ContactMapping{
	ID: "Contact ID", First: "First Name", Last: "Last Name", Email: "Email", Phone: "Phone", Mobile: "Cell",
	Street: "Address", City: "City", State: "State", Zip: "Zip", Lat: "Latitude", Lon: "Longitude",
	GEOID: "Tract GEOID", OptIn: "Email Opt In", DoNotContact: "Do Not Contact",
	Custom: map[string]string{"language": "Language"},
}

// Testdata returns the path of the fixture file name in
// pipeline/source/testdata, wherever the test runs from.
func Testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "source", "testdata", name)
}

// Placer places contacts in the trimmed real Alameda 2010 tracts and
// Oakland neighborhoods, and puts each neighborhood in the segment named by
// its terrain in fixture_hills_flatlands_trimmed.csv (a trimmed copy of the
// project's hand-made classification, see FIXTURES.md); ZIP 94621 is in
// "flatlands".
func Placer(t testing.TB) *contact.Placer {
	t.Helper()
	ctx := context.Background()
	tracts, err := geo.ReadGeoJSON(ctx, "tracts", Testdata("fixture_tracts_trimmed.geojson"), "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.ReadGeoJSON(ctx, "neighborhoods", Testdata("fixture_neighborhoods_trimmed.geojson"), "name")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(Testdata("fixture_hills_flatlands_trimmed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	terrain := map[string]string{}
	for _, r := range rows[1:] {
		terrain[r[0]] = r[1]
	}
	seg := func(tract, area string) []string {
		if s, ok := terrain[area]; ok {
			return []string{s}
		}
		return nil
	}
	return contact.NewPlacer(tracts, areas, seg).WithZIPSegments(map[string][]string{"94621": {"flatlands"}})
}
