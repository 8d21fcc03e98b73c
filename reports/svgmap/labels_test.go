package svgmap

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

// TestLabelsDoNotCollide places the labels of made-up adjacent areas with
// circles in their middles and checks, for each label size, that no two
// labels overlap, no label covers a circle, and every label is inside the
// frame.
func TestLabelsDoNotCollide(t *testing.T) {
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	tests := []struct {
		name     string
		outlines []Outline
		points   []Point
		want     int // labels placed per size
	}{
		{
			name: "three neighbours, circle in each centre",
			outlines: []Outline{
				{Label: "hills", Geom: []orb.MultiPolygon{rect(-122.30, 37.80, -122.25, 37.85)}},
				{Label: "lower hills", Geom: []orb.MultiPolygon{rect(-122.25, 37.80, -122.20, 37.85)}},
				{Label: "flatlands", Geom: []orb.MultiPolygon{rect(-122.20, 37.80, -122.15, 37.85)}},
			},
			points: []Point{{Pos: orb.Point{-122.275, 37.825}, Size: 1}, {Pos: orb.Point{-122.225, 37.825}, Size: 1}, {Pos: orb.Point{-122.175, 37.825}, Size: 1}},
			want:   3,
		},
		{
			name: "area too small for its name is left unlabelled",
			outlines: []Outline{
				{Label: "big area", Geom: []orb.MultiPolygon{rect(-122.30, 37.80, -122.20, 37.90)}},
				{Label: "a very long name for a sliver", Geom: []orb.MultiPolygon{rect(-122.20, 37.80, -122.199, 37.90)}},
			},
			want: 1,
		},
	}
	textRe := regexp.MustCompile(`<text x="([-\d.]+)" y="([-\d.]+)" fill="[^"]*">([^<]*)</text>`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Map{Width: 600, Outlines: tt.outlines, Points: tt.points}
			svg := Render(m)
			f := newFrame(m.bound(), 600)
			var circles []box
			for _, p := range tt.points {
				c := f.xy(p.Pos)
				r := m.radius(p.Size)
				circles = append(circles, box{c[0] - r, c[1] - r, c[0] + r, c[1] + r})
			}
			for _, set := range []struct {
				class string
				size  float64
			}{{"labels", 14}, {"labels-lg", 30}} {
				i := regexp.MustCompile(`<g class="` + set.class + `"[^>]*>(.*?)</g>`).FindStringSubmatch(svg)
				if i == nil {
					t.Fatalf("no %s group", set.class)
				}
				var boxes []box
				for _, mt := range textRe.FindAllStringSubmatch(i[1], -1) {
					x, _ := strconv.ParseFloat(mt[1], 64)
					y, _ := strconv.ParseFloat(mt[2], 64)
					w, h := labelSize(mt[3], set.size)
					y -= set.size * 0.36 // baseline back to centre
					b := box{x - w/2, y - h/2, x + w/2, y + h/2}
					for _, o := range append(boxes, circles...) {
						if b.overlaps(o) {
							t.Errorf("%s: label %q at %v overlaps %v", set.class, mt[3], b, o)
						}
					}
					if b.x0 < 0 || b.y0 < 0 || b.x1 > f.w || b.y1 > f.h {
						t.Errorf("%s: label %q at %v outside the %gx%g frame", set.class, mt[3], b, f.w, f.h)
					}
					boxes = append(boxes, b)
				}
				if len(boxes) != tt.want {
					t.Errorf("%s: %d labels placed; want %d", set.class, len(boxes), tt.want)
				}
			}
		})
	}
}
