package census

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRetypeDecennial2010(t *testing.T) {
	// 2010 Census SF1 P001001 (total population) for Alabama: 4,779,736
	// (Census Bureau, 2010 Census state population counts).
	tb, err := Decode(strings.NewReader(`[["NAME","P001001","state"],["Alabama","4779736","01"]]`))
	if err != nil {
		t.Fatal(err)
	}
	if k := tb.Column("P001001").Kind; k != KindOther {
		t.Fatalf("before retype: kind %v, want other", k)
	}
	m := &Metadata{Variables: map[string]Variable{"P001001": {Name: "P001001", PredicateType: "int"}}}
	if err := tb.retype(m); err != nil {
		t.Fatal(err)
	}
	c := tb.Column("P001001")
	if c.Kind != KindEstimate || !c.Valid[0] || c.Values[0] != 4779736 {
		t.Errorf("after retype: kind %v valid %v value %v; want estimate 4779736", c.Kind, c.Valid[0], c.Values[0])
	}
}

func TestParseClauses(t *testing.T) {
	tests := []struct {
		in      string
		want    []clause
		wantErr bool
	}{
		{"", nil, false},
		{"state:06", []clause{{"state", "06"}}, false},
		{"state:06 county:001,013", []clause{{"state", "06"}, {"county", "001,013"}}, false},
		{"state:06 county:001 tract:400100", []clause{{"state", "06"}, {"county", "001"}, {"tract", "400100"}}, false},
		{"state:06 school district (unified):29150", []clause{{"state", "06"}, {"school district (unified)", "29150"}}, false},
		{"state", nil, true},
		{"state:", nil, true},
		{":06", nil, true},
	}
	for _, tt := range tests {
		got, err := parseClauses(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseClauses(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(clause{})); diff != "" {
			t.Errorf("parseClauses(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseClauses(f *testing.F) {
	for _, s := range []string{"state:06 county:001", "state:06 block group:*", "a:b:c", " : ", "state:06  county:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cls, err := parseClauses(s)
		if err != nil {
			return
		}
		for _, c := range cls {
			if c.level == "" || c.codes == "" || strings.Contains(c.codes, " ") {
				t.Fatalf("parseClauses(%q): bad clause %+v", s, c)
			}
		}
	})
}

func FuzzMetadata(f *testing.F) {
	for _, p := range []string{"variables.json", "groups.json", "geography.json"} {
		b, err := os.ReadFile("testdata/fakeapi/2018/acs/acs5/" + p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"fips":[{"name":"tract","requires":["state","county"],"optionalWithWCFor":["county"]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := parseVariables(b); err == nil {
			for k, x := range v {
				if x.Name != k {
					t.Fatalf("variable %q has Name %q", k, x.Name)
				}
			}
			m := &Metadata{Variables: v}
			m.Search("median")
		}
		parseGroups(b)
		if g, err := parseGeography(b); err == nil && len(g) == 0 {
			t.Fatal("geography without error but no levels")
		}
	})
}

func TestDidYouMean(t *testing.T) {
	cands := []string{"B19013_001E", "B19013_001M", "C16002_001E", "B25064_001E"}
	tests := []struct {
		name string
		want []string
	}{
		{"B16002_001E", []string{"C16002_001E"}},
		{"B1901_001E", []string{"B19013_001E"}},
		{"b19013_001e", []string{"B19013_001E"}},
		{"P1_001N", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, didYouMean(tt.name, cands)); diff != "" {
			t.Errorf("didYouMean(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func BenchmarkDecodeAlameda(b *testing.B) {
	body, err := os.ReadFile(alamedaFile)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(strings.NewReader(string(body))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordAlameda(b *testing.B) {
	tb := decodeAlameda(b)
	b.ReportAllocs()
	for b.Loop() {
		rec, err := tb.Record()
		if err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
}
