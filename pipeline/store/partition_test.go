package store

import (
	"strconv"
	"strings"
	"testing"
)

func TestHiveEscape(t *testing.T) {
	for _, c := range []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, HiveNull},
		{"empty", "", HiveNull},
		{"fips", "06", "06"},
		{"int", int64(1), "1"},
		{"slash", "a/b", "a%2Fb"},
		{"equals and percent", "x=5%", "x%3D5%25"},
		{"space kept", "San Jose", "San Jose"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := hiveEscape(c.in); got != c.want {
				t.Errorf("hiveEscape(%v) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// FuzzHiveEscape checks that every value gives a folder name "col=<v>"
// that is one safe path element (Path accepts it) and that Hive's unescaping
// gives the value back. "." and ".." are ordinary values: their folders are
// "col=." and "col=..", not the current or parent folder.
func FuzzHiveEscape(f *testing.F) {
	for _, s := range []string{"", "06", "a/b=c", ".", "..", "%2F", "\x00\n", HiveNull + "x"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		got := hiveEscape(s)
		seg := "col=" + got
		_, err := Path(dir, seg, "part-0.parquet")
		if len(seg) > MaxElem {
			if err == nil {
				t.Fatalf("Path accepted a %d-byte folder name", len(seg))
			}
			return
		}
		if err != nil {
			t.Fatalf("hiveEscape(%q) = %q: %v", s, got, err)
		}
		if strings.ContainsAny(got, `/\=`) {
			t.Fatalf("hiveEscape(%q) = %q: contains a separator or =", s, got)
		}
		want := s
		if s == "" {
			want = HiveNull
		}
		if back := hiveUnescape(got); back != want {
			t.Fatalf("hiveUnescape(hiveEscape(%q)) = %q, want %q", s, back, want)
		}
	})
}

// hiveUnescape is Hive's FileUtils.unescapePathName: %XX (two hex digits)
// becomes the byte XX; anything else is kept.
func hiveUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
