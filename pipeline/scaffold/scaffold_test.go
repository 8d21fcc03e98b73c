package scaffold_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/scaffold"
)

func TestResolveState(t *testing.T) {
	for _, tt := range []struct {
		in, want, err string
	}{
		{in: "06", want: "06"}, {in: "6", want: "06"}, {in: "CA", want: "06"}, {in: "california", want: "06"},
		// Ohio and Georgia as in the real Census shapefiles of shared/data/census (cb_2018_39, cb_2018_13).
		{in: "Ohio", want: "39"}, {in: "ga", want: "13"}, {in: "District of Columbia", want: "11"},
		{in: "Califrnia", err: "did you mean California?"},
		{in: "Atlantis", err: "give its name (California), postal code (CA) or FIPS code (06)"},
		{in: "03", err: "unknown state"},
	} {
		got, err := scaffold.ResolveState(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ResolveState(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.FIPS != tt.want {
			t.Errorf("ResolveState(%q) = %v, %v; want FIPS %s", tt.in, got, err, tt.want)
		}
	}
	if len(scaffold.States) != 52 {
		t.Errorf("%d states, want 50 + DC + PR", len(scaffold.States))
	}
}

func TestResolveCounty(t *testing.T) {
	ca, _ := scaffold.ResolveState("CA")
	// Names as the Census Data API writes them (NAME of county:* in state:06).
	list := func(ctx context.Context, st scaffold.State) (map[string]string, error) {
		return map[string]string{"001": "Alameda County", "075": "San Francisco County"}, nil
	}
	fail := func(ctx context.Context, st scaffold.State) (map[string]string, error) {
		return nil, errors.New("offline")
	}
	for _, tt := range []struct {
		in   string
		list scaffold.CountyLister
		want scaffold.County
		err  string
	}{
		{in: "1", list: nil, want: scaffold.County{FIPS: "001"}},
		{in: "001", list: list, want: scaffold.County{FIPS: "001", Name: "Alameda County"}},
		{in: "001", list: fail, want: scaffold.County{FIPS: "001"}},
		{in: "alameda", list: list, want: scaffold.County{FIPS: "001", Name: "Alameda County"}},
		{in: "San Francisco County", list: list, want: scaffold.County{FIPS: "075", Name: "San Francisco County"}},
		{in: "Alameda", list: nil, err: "give its three-digit FIPS code, or set CENSUS_API_KEY"},
		{in: "089,121", list: nil, err: "init takes one county"},
		{in: "Marin", list: list, err: `California has no county named "Marin"`},
		{in: "999", list: list, err: "California has no county 999"},
	} {
		got, err := scaffold.ResolveCounty(context.Background(), ca, tt.in, tt.list)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ResolveCounty(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolveCounty(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestPipelineValidates checks that every scaffold is a valid pipeline file.
func TestPipelineValidates(t *testing.T) {
	ca, _ := scaffold.ResolveState("CA")
	for _, o := range []scaffold.Options{{State: ca}, {State: ca, County: &scaffold.County{FIPS: "001", Name: "Alameda County"}, Year: 2019}} {
		b, err := scaffold.Pipeline(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := config.Parse("pipeline.yaml", b); err != nil {
			t.Errorf("scaffold does not validate: %v\n%s", err, b)
		}
		if o.County != nil && !strings.Contains(string(b), `in: "state:06 county:001"`) {
			t.Errorf("county scaffold lacks its in clause:\n%s", b)
		}
		// the boundary is named by Census layer: nothing to download by hand
		want := `census: {layer: tract, year: 2018, state: "06"}`
		if o.County != nil {
			want = `census: {layer: tract, year: 2019, state: "06", county: "001"}`
		}
		if !strings.Contains(string(b), want) || strings.Contains(string(b), "Download") {
			t.Errorf("scaffold boundary is not %s:\n%s", want, b)
		}
	}
}

// TestPipelineDecidesExample: the scaffold's commented "who decides" layer,
// uncommented, is a valid decision layer on the place's state house
// districts, named by Census layer.
func TestPipelineDecidesExample(t *testing.T) {
	ga, _ := scaffold.ResolveState("GA")
	b, err := scaffold.Pipeline(scaffold.Options{State: ga, County: &scaffold.County{FIPS: "121", Name: "Fulton County"}})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if u, ok := strings.CutPrefix(l, "  # "); ok && (strings.HasPrefix(u, "house:") || n > 0 && n < 4) {
			l = "  " + u
			n++
		}
		lines = append(lines, l)
	}
	if n != 4 {
		t.Fatalf("uncommented %d lines of the who-decides example, want 4:\n%s", n, b)
	}
	c, err := config.Parse("pipeline.yaml", []byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("the who-decides example does not validate: %v\n%s", err, strings.Join(lines, "\n"))
	}
	h := c.Boundaries["house"]
	if h == nil || h.Decides == nil || h.Decides.Title != "Georgia state house" || h.Census == nil || h.Census.Layer != "state_legislative_lower" {
		t.Errorf("house boundary %+v; want a decision layer on the state house districts", h)
	}
}
