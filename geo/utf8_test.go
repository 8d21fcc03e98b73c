package geo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadGeoJSONInvalidUTF8 checks that a Latin-1 byte in a property is an
// error naming the line, not a silent U+FFFD.
func TestReadGeoJSONInvalidUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "n.geojson")
	doc := "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{\"name\":\"Melr\xf3se\"},\n\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-122.2,37.7],[-122.1,37.7],[-122.1,37.8],[-122.2,37.7]]]}}]}\n"
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadGeoJSON(context.Background(), "n", p, "name")
	if err == nil {
		t.Fatal("no error for invalid UTF-8")
	}
	want := p + ":2: invalid UTF-8 (byte 0xF3)"
	if got := err.Error(); !strings.Contains(got, want) {
		t.Errorf("error %q, want it to contain %q", got, want)
	}
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(doc, "\xf3", "ó")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadGeoJSON(context.Background(), "n", p, "name"); err != nil {
		t.Errorf("valid UTF-8: %v", err)
	}
}
