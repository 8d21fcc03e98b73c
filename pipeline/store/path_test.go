package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		elems   []string
		want    string // relative to root; "" means an error
		wantErr string
	}{
		{"file", []string{"report.html"}, "report.html", ""},
		{"nested", []string{"raw", "acs.parquet"}, "raw/acs.parquet", ""},
		{"partition", []string{"state=06", "county=..", "part-0.parquet"}, "state=06/county=../part-0.parquet", ""},
		{"existing folder", []string{"real", "x.csv"}, "real/x.csv", ""},
		{"dot dot", []string{"..", "escaped.parquet"}, "", `path element ".."`},
		{"dot", []string{"segments", "."}, "", `path element "."`},
		{"separator", []string{"../../../../escaped.parquet"}, "", "contains a separator"},
		{"backslash", []string{`..\escaped.parquet`}, "", "contains a separator"},
		{"absolute", []string{"/etc/passwd"}, "", "contains a separator"},
		{"empty", []string{"raw", ""}, "", "empty path element"},
		{"nul", []string{"a\x00b"}, "", "NUL byte"},
		{"too long", []string{strings.Repeat("a", 256)}, "", "more than the 255"},
		{"through a link", []string{"link", "x.csv"}, "", "is a symbolic link"},
		{"nothing", nil, "", "no file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Path(root, tt.elems...)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrOutside) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Path(%q) = %q, %v; want an ErrOutside error containing %q", tt.elems, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, filepath.FromSlash(tt.want)); got != want {
				t.Errorf("Path(%q) = %q, want %q", tt.elems, got, want)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" means valid
	}{
		{"acs", ""},
		{"api2000", ""},
		{"flatland_elementary_api_under_600", ""},
		{"B19013-income", ""},
		{"", "it is empty"},
		{"..", "write outside the output folder"},
		{".", "write outside the output folder"},
		{"../../../../escaped", `e.g. "escaped"`},
		{`a\b`, "write outside the output folder"},
		{"_hidden", "must start with a letter or digit"},
		{".hidden", "must start with a letter or digit"},
		{"two words", `e.g. "two_words"`},
		{"naïve", "use only letters, digits"},
		{strings.Repeat("x", 65), "at most 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckName(%q) = %v, want an ErrBadName error containing %q", tt.name, err, tt.wantErr)
			}
			if s := suggestName(tt.name); CheckName(s) != nil {
				t.Errorf("suggestion %q for %q is not a valid name", s, tt.name)
			}
		})
	}
}

// FuzzCheckName checks that every name CheckName accepts is one path element
// that Path accepts under a root, and that every suggestion is valid.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"acs", "..", "a/b", "", "x y", "_a"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		if CheckName(s) == nil {
			if _, err := Path(dir, s+".parquet"); err != nil {
				t.Fatalf("valid name %q: %v", s, err)
			}
		}
		if err := CheckName(suggestName(s)); err != nil {
			t.Fatalf("suggestion for %q: %v", s, err)
		}
	})
}
