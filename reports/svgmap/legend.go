package svgmap

import (
	"fmt"
	"strings"
)

// Legend returns the map's legend as HTML (every text escaped; safe to
// insert as is): for each indicator its title, method and classes with
// their ranges, then its reliability (a hatched key "too uncertain to
// use" when a shape is, else a line saying that none is or that the
// measure has no margin of error) and a dotted "no estimate" key; the outlined
// areas; circle sizes and colours. Indicators after the first are in
// elements marked hidden, shown by the report's script when the reader
// picks them in the select element the legend starts with (itself hidden
// until the script shows it). It is HTML rather than SVG text so that it
// wraps and stays legible on a phone.
func Legend(m *Map) string {
	id := m.id()
	var sb strings.Builder
	fmt.Fprintf(&sb, `<div class="legend" data-map="%s">`, id)
	swatch := func(svg, label string) {
		fmt.Fprintf(&sb, `<span class="key"><svg width="22" height="16" aria-hidden="true">%s</svg>%s</span>`, svg, esc(label))
	}
	if len(m.Indicators) > 1 {
		fmt.Fprintf(&sb, `<label class="switch" hidden>Show <select data-map="%s">`, id)
		for i, in := range m.Indicators {
			fmt.Fprintf(&sb, `<option value="%d">%s</option>`, i, esc(in.Title))
		}
		sb.WriteString(`</select></label>`)
	}
	if len(m.Shapes) > 0 {
		for i := range m.Indicators {
			in := &m.Indicators[i]
			hidden := ""
			if i > 0 {
				hidden = " hidden"
			}
			method := in.Method
			if method == "" {
				method = fmt.Sprintf("quantile classes, about a %s of the areas each", Fraction(len(in.palette())))
			}
			fmt.Fprintf(&sb, `<div class="lg" data-ind="%d"%s><strong>%s</strong> <span class="how">%s</span><div>`, i, hidden, esc(in.Title), esc(method))
			for c, col := range in.palette() {
				swatch(fmt.Sprintf(`<rect x="1" y="1" width="20" height="14" fill="%s" stroke="#777"/>`, color(col, "#cccccc")), rangeLabel(c, in.Breaks, in.format))
			}
			// Reliability is always said: hatched (too uncertain to use),
			// or that none is, or that the measure has no margin of error.
			pal := in.palette()
			mid := color(pal[len(pal)/2], "#cccccc")
			pid := fmt.Sprintf("%s-lgu%d", id, i)
			switch {
			case m.anyUnreliable(i):
				swatch(`<defs>`+hatchPattern(pid, mid, 5)+`</defs>`+fmt.Sprintf(`<rect x="1" y="1" width="20" height="14" fill="url(#%s)" stroke="#222"/>`, pid), "hatched: too uncertain to use")
			case m.anyMOE(i):
				fmt.Fprintf(&sb, `<span class="key how">no area too uncertain to use</span>`)
			default:
				fmt.Fprintf(&sb, `<span class="key how">no margin of error for this measure</span>`)
			}
			pid = fmt.Sprintf("%s-lgn%d", id, i)
			swatch(`<defs>`+dotPattern(pid, 5)+`</defs>`+fmt.Sprintf(`<rect x="1" y="1" width="20" height="14" fill="url(#%s)" stroke="#777" stroke-dasharray="2 1.5"/>`, pid), "dotted: no estimate")
			sb.WriteString(`</div></div>`)
		}
	}
	if len(m.Outlines) > 0 {
		sb.WriteString(`<div class="lg"><strong>Areas</strong><div>`)
		for i, o := range m.Outlines {
			col := color(o.Color, OutlinePalette[i%len(OutlinePalette)])
			swatch(fmt.Sprintf(`<rect x="2" y="2" width="18" height="12" fill="none" stroke="%s" stroke-width="2.4"/>`, col), o.Label)
		}
		sb.WriteString(`</div></div>`)
	}
	if len(m.Points) > 0 {
		mx := m.maxSize()
		format := m.ColorFormat
		if format == nil {
			format = func(x float64) string { return fmt.Sprintf("%.0f", x) }
		}
		// A circle legend only for what the circles show: no size column, no
		// size key; no colour column, no swatches.
		if m.SizeTitle != "" {
			fmt.Fprintf(&sb, `<div class="lg"><strong>Circle area: %s</strong><div>`, esc(m.SizeTitle))
			for _, f := range []float64{0.25, 0.5, 1} {
				r := m.radius(mx * f)
				d := 2*r + 2
				fmt.Fprintf(&sb, `<span class="key"><svg width="%s" height="%s" aria-hidden="true"><circle cx="%s" cy="%s" r="%s" fill="none" stroke="#222"/></svg>%s</span>`, pxs(d), pxs(d), pxs(r+1), pxs(r+1), pxs(r), esc(fmt.Sprintf("%.0f", mx*f)))
			}
			sb.WriteString(`</div></div>`)
		}
		if m.ColorTitle != "" {
			fmt.Fprintf(&sb, `<div class="lg"><strong>Circle colour: %s</strong><div>`, esc(m.ColorTitle))
			for i, col := range PointPalette {
				swatch(fmt.Sprintf(`<circle cx="11" cy="8" r="7" fill="%s" stroke="#222"/>`, col), rangeLabel(i, m.ColorBreaks, format))
			}
			swatch(`<circle cx="11" cy="8" r="7" fill="#bbbbbb" stroke="#222"/>`, "no value")
			sb.WriteString(`</div></div>`)
		}
	}
	sb.WriteString(`</div>`)
	return sb.String()
}

// anyMOE reports whether a shape has a margin of error for indicator ind.
func (m *Map) anyMOE(ind int) bool {
	for _, s := range m.Shapes {
		if v := m.value(s, ind); v.Valid && (v.MOE > 0 || v.Unreliable) {
			return true
		}
	}
	return false
}

func (m *Map) anyUnreliable(ind int) bool {
	for _, s := range m.Shapes {
		if v := m.value(s, ind); v.Valid && v.Unreliable {
			return true
		}
	}
	return false
}

// Fraction names the share of the areas one of n quantile classes holds,
// as the legend says it: "half", "third", "quarter", "fifth", else "1/n".
func Fraction(n int) string {
	switch n {
	case 2:
		return "half"
	case 3:
		return "third"
	case 4:
		return "quarter"
	case 5:
		return "fifth"
	}
	return fmt.Sprintf("1/%d", n)
}

// rangeLabel names class i of the classes bounded by breaks: "≤ b0",
// "b0–b1", ..., "> bn".
func rangeLabel(i int, breaks []float64, format func(float64) string) string {
	switch {
	case len(breaks) == 0:
		return ""
	case i == 0:
		return "≤ " + format(breaks[0])
	case i < len(breaks):
		return format(breaks[i-1]) + "–" + format(breaks[i])
	case i == len(breaks):
		return "> " + format(breaks[len(breaks)-1])
	}
	return ""
}
