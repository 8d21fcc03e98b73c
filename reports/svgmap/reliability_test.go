package svgmap

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// reliabilityMap is two made-up tracts, one too uncertain to use, and one
// without an estimate.
func reliabilityMap(moe bool) *Map {
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 40}, {x + 0.01, 40}, {x + 0.01, 40.01}, {x, 40.01}, {x, 40}}}}
	}
	vals := []Value{{Estimate: 0.2, Valid: true}, {Estimate: 0.6, Valid: true}, {Valid: false}}
	if moe {
		vals[0].MOE, vals[1].MOE, vals[1].Unreliable = 0.02, 0.3, true
	}
	m := &Map{Width: 300, Indicators: []Indicator{{Title: "Renters", Breaks: []float64{0.5}, Palette: []string{"#eeeeee", "#333333"},
		Interval: func(est, moe float64) string { return "about " + strconv.FormatFloat(est, 'f', 1, 64) }}}}
	for i, v := range vals {
		m.Shapes = append(m.Shapes, Shape{ID: strconv.Itoa(i), Name: "Tract " + strconv.Itoa(i), Detail: "flatlands · Fruitvale", Geom: sq(-83 + float64(i)*0.01), Values: []Value{v}})
	}
	return m
}

// TestReliabilityAlwaysShown checks that the legend always says how
// reliable the shading is, and that "too uncertain to use" (dark hatch over
// the class colour) and "no estimate" (grey dots on white) are drawn with
// different patterns on the map and in the legend.
func TestReliabilityAlwaysShown(t *testing.T) {
	m := reliabilityMap(true)
	svg, lg := Render(m), Legend(m)
	for _, want := range []string{"hatched: too uncertain to use", "dotted: no estimate"} {
		if !strings.Contains(lg, want) {
			t.Errorf("legend lacks %q", want)
		}
	}
	// the legend's hatch is lines and its no-estimate key is dots
	hatch := regexp.MustCompile(`<pattern id="map-lgu0"[^>]*>(.*?)</pattern>`).FindStringSubmatch(lg)
	dots := regexp.MustCompile(`<pattern id="map-lgn0"[^>]*>(.*?)</pattern>`).FindStringSubmatch(lg)
	if hatch == nil || dots == nil || !strings.Contains(hatch[1], "<line") || !strings.Contains(dots[1], "<circle") || strings.Contains(dots[1], "<line") {
		t.Errorf("legend patterns: hatch %v, no estimate %v; want lines and dots", hatch, dots)
	}
	// the map's patterns are the same kinds
	if !strings.Contains(svg, `<pattern id="map-nd" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><circle`) {
		t.Error("map: no estimate is not dotted")
	}
	if !regexp.MustCompile(`<pattern id="map-h0-1"[^>]*><rect[^>]*fill="#333333"/><line`).MatchString(svg) {
		t.Error("map: the unreliable tract's hatch is not lines over its class colour")
	}
	// tooltips carry the areas and the value in words
	if !strings.Contains(svg, "<title>Tract 0\nflatlands · Fruitvale\nRenters: about 0.2</title>") {
		t.Errorf("tooltip lacks the detail line or the interval words: %s", regexp.MustCompile(`<title>Tract 0[^<]*</title>`).FindString(svg))
	}

	// no tract too uncertain: the legend says so; no margin at all: says that
	for _, tt := range []struct {
		name string
		m    *Map
		want string
	}{
		{"margins but none too uncertain", func() *Map { m := reliabilityMap(true); m.Shapes[1].Values[0].Unreliable = false; return m }(), "no area too uncertain to use"},
		{"no margins", reliabilityMap(false), "no margin of error for this measure"},
	} {
		if lg := Legend(tt.m); !strings.Contains(lg, tt.want) || strings.Contains(lg, "hatched:") {
			t.Errorf("%s: legend lacks %q or shows a hatch key", tt.name, tt.want)
		}
	}
}

// TestScaleBarLabelsApart draws the scale bar at its desktop and phone
// sizes and checks that its two labels' boxes do not overlap (on the phone
// they did, at 24 px text 13 px apart).
func TestScaleBarLabelsApart(t *testing.T) {
	m := reliabilityMap(false)
	m.Width = 900
	svg := Render(m)
	for _, set := range []struct {
		class string
		size  float64
	}{{"scale", 12}, {"scale-lg", 28}} {
		g := regexp.MustCompile(`<g class="` + set.class + `" font-size="([\d.]+)"[^>]*>(.*?)</g>`).FindStringSubmatch(svg)
		if g == nil {
			t.Fatalf("no %s group", set.class)
		}
		if got, _ := strconv.ParseFloat(g[1], 64); got != set.size {
			t.Errorf("%s font size %v; want %v", set.class, got, set.size)
		}
		var boxes []box
		for _, mt := range regexp.MustCompile(`<text x="([\d.]+)" y="([\d.]+)">([^<]*)</text>`).FindAllStringSubmatch(g[2], -1) {
			x, _ := strconv.ParseFloat(mt[1], 64)
			y, _ := strconv.ParseFloat(mt[2], 64)
			w, h := labelSize(mt[3], set.size)
			boxes = append(boxes, box{x, y - h*0.8, x + w, y + h*0.2})
		}
		if len(boxes) != 2 {
			t.Fatalf("%s: %d labels; want 2 (mi and km)", set.class, len(boxes))
		}
		if boxes[0].overlaps(boxes[1]) {
			t.Errorf("%s: labels overlap: %v and %v", set.class, boxes[0], boxes[1])
		}
	}
}

// TestLabelShrinksToFit gives an area a name too long for it at full
// size: the label is placed smaller rather than left out (on the phone map
// the "lower hills" label went missing).
func TestLabelShrinksToFit(t *testing.T) {
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	m := &Map{Width: 600, Outlines: []Outline{
		{Label: "big area", Geom: []orb.MultiPolygon{rect(-122.30, 37.80, -122.20, 37.90)}},
		{Label: "lower hills", Geom: []orb.MultiPolygon{rect(-122.20, 37.80, -122.185, 37.90)}},
	}}
	svg := Render(m)
	g := regexp.MustCompile(`<g class="labels-lg"[^>]*>(.*?)</g>`).FindStringSubmatch(svg)
	if g == nil || !strings.Contains(g[1], `font-size="18">lower hills</text>`) {
		t.Errorf("phone labels: want \"lower hills\" at 60%% (18 px); got %v", g)
	}
}
