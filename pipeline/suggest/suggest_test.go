package suggest

import "testing"

func TestDistance(t *testing.T) {
	// Textbook cases (kitten/sitting = 3: Levenshtein's own example as
	// popularised; the others by hand).
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"kitten", "sitting", 3}, {"B1901", "B19013", 1}, {"abc", "", 3}, {"ñandú", "nandu", 2}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	have := []string{"api00", "api99", "enroll", "Latitude"}
	for _, tt := range []struct{ want, got string }{
		{"api0", "api00"},       // distance 1 to both api00 and api99? no: api99 is 2
		{"ENROL", "enroll"},     // case ignored
		{"latitud", "Latitude"}, // returned as spelled in have
		{"zzzzzz", ""},          // nothing close
	} {
		if got := Closest(tt.want, have); got != tt.got {
			t.Errorf("Closest(%q) = %q, want %q", tt.want, got, tt.got)
		}
	}
	if got := Closest("x", nil); got != "" {
		t.Errorf("Closest on no candidates = %q", got)
	}
}

// TestClosestAbbreviation: a header shortened or lengthened (Latitude and
// Lat) is suggested when it is the only such candidate, and never on two
// letters or when two candidates fit.
func TestClosestAbbreviation(t *testing.T) {
	for _, tt := range []struct {
		want string
		have []string
		got  string
	}{
		{"Latitude", []string{"School", "Lat", "Lon"}, "Lat"},
		{"lon", []string{"School", "Latitude", "Longitude"}, "Longitude"},
		{"Latitude", []string{"La", "Lon"}, ""},
		{"Lat", []string{"Latitude", "Latitude_2"}, ""},
		{"Latitude", []string{"Latitud"}, "Latitud"}, // by edits first
	} {
		if got := Closest(tt.want, tt.have); got != tt.got {
			t.Errorf("Closest(%q, %q) = %q, want %q", tt.want, tt.have, got, tt.got)
		}
	}
}
