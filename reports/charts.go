package reports

import (
	"fmt"
	"math"
	"strconv"
)

// Chart is a titled SVG chart: set Bars or Scatter.
type Chart struct {
	Title   string
	Note    string
	Bars    *BarChart
	Scatter *Scatter
}

// BarChart compares areas: one horizontal bar per area, with a whisker of
// ± MOE where one is given.
type BarChart struct {
	Unit   string               // axis label with units
	Format func(float64) string // value labels; nil means Format(x, "")
	Bars   []Bar
}

// Bar is one area's value. MOE is the margin of error (90% for ACS) in the
// same units; zero or NaN draws no whisker. A NaN Value draws no bar and
// says "no estimate".
type Bar struct {
	Label      string
	Value, MOE float64
	// Unreliable hatches the bar and marks its label with a dagger.
	Unreliable bool
}

// Scatter plots points coloured by group (e.g. school API score against
// enrollment, coloured by area).
type Scatter struct {
	XTitle, YTitle string
	Groups         []Group // legend order; a point's Group names one
	Points         []ScatterPoint
}

// Group is a named colour (hex) of a scatter plot.
type Group struct{ Name, Color string }

// ScatterPoint is one point. Points with a NaN coordinate are left out.
type ScatterPoint struct {
	Label string
	X, Y  float64
	Group string
}

// chart geometry, in the SVG's user units
const (
	chartW      = 560.0
	barLabelW   = 150.0
	barRowH     = 30.0
	scatterH    = 360.0
	scatterLeft = 58.0
	scatterBot  = 46.0
)

// barView and friends are the precomputed drawing handed to the template,
// which escapes every text.
type barView struct {
	W, H, Axis       float64
	Unit             string
	Rows             []barRow
	Ticks            []tick
	AnyUnreliable    bool
	Zero, PlotBottom float64
}

type barRow struct {
	Label, Text         string
	Y, X, W             float64
	HasBar, Unreliable  bool
	Whisker             bool
	WX0, WX1, TY, TextX float64
}

type tick struct {
	Pos   float64
	Label string
}

func (b *BarChart) view() barView {
	format := b.Format
	if format == nil {
		format = func(x float64) string { return Format(x, "") }
	}
	lo, hi := 0.0, 0.0
	for _, r := range b.Bars {
		if math.IsNaN(r.Value) {
			continue
		}
		m := r.MOE
		if math.IsNaN(m) || m < 0 {
			m = 0
		}
		lo, hi = math.Min(lo, r.Value-m), math.Max(hi, r.Value+m)
	}
	ticks, lo, hi := niceTicks(lo, hi, 4)
	x0, x1 := barLabelW, chartW-120
	sx := func(v float64) float64 { return x0 + (v-lo)/(hi-lo)*(x1-x0) }
	v := barView{W: chartW, Unit: b.Unit, Zero: round1(sx(0))}
	top := 8.0
	for i, r := range b.Bars {
		y := top + float64(i)*barRowH
		row := barRow{Label: r.Label, Y: round1(y), TY: round1(y + barRowH/2 + 5), Unreliable: r.Unreliable}
		if r.Unreliable {
			v.AnyUnreliable = true
			row.Label += " †"
		}
		if math.IsNaN(r.Value) {
			row.Text, row.TextX = "no estimate", round1(sx(0)+4)
		} else {
			a, c := sx(math.Min(0, r.Value)), sx(math.Max(0, r.Value))
			row.HasBar, row.X, row.W = true, round1(a), round1(c-a)
			row.Text = format(r.Value)
			end := c
			if r.MOE > 0 && !math.IsNaN(r.MOE) {
				row.Whisker = true
				row.WX0, row.WX1 = round1(sx(r.Value-r.MOE)), round1(sx(r.Value+r.MOE))
				row.Text += " ± " + format(r.MOE)
				end = math.Max(end, sx(r.Value+r.MOE))
			}
			row.TextX = round1(end + 4)
		}
		v.Rows = append(v.Rows, row)
	}
	v.PlotBottom = round1(top + float64(len(b.Bars))*barRowH)
	for _, t := range ticks {
		v.Ticks = append(v.Ticks, tick{round1(sx(t)), format(t)})
	}
	v.Axis = round1(v.PlotBottom + 16)
	v.H = round1(v.PlotBottom + 24)
	return v
}

type scatterView struct {
	W, H, Left, Right, Top, Bottom float64
	XTitle, YTitle                 string
	XTicks, YTicks                 []tick
	Points                         []scatterDot
	Groups                         []Group
	XMid, YMid                     float64
}

type scatterDot struct {
	X, Y       float64
	Color, Tip string
}

func (s *Scatter) view() scatterView {
	colors := map[string]string{}
	for _, g := range s.Groups {
		colors[g.Name] = g.Color
	}
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range s.Points {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) {
			continue
		}
		xlo, xhi = math.Min(xlo, p.X), math.Max(xhi, p.X)
		ylo, yhi = math.Min(ylo, p.Y), math.Max(yhi, p.Y)
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi, ylo, yhi = 0, 1, 0, 1
	}
	xt, xlo, xhi := niceTicks(xlo, xhi, 5)
	yt, ylo, yhi := niceTicks(ylo, yhi, 5)
	v := scatterView{W: chartW, H: scatterH, Left: scatterLeft, Right: chartW - 30, Top: 10, Bottom: scatterH - scatterBot,
		XTitle: s.XTitle, YTitle: s.YTitle}
	for _, g := range s.Groups {
		if !hexColor(g.Color) {
			g.Color = "#777777"
		}
		v.Groups = append(v.Groups, g)
	}
	v.XMid = round1((v.Left + v.Right) / 2)
	v.YMid = round1((v.Top + v.Bottom) / 2)
	sx := func(x float64) float64 { return round1(v.Left + (x-xlo)/(xhi-xlo)*(v.Right-v.Left)) }
	sy := func(y float64) float64 { return round1(v.Bottom - (y-ylo)/(yhi-ylo)*(v.Bottom-v.Top)) }
	for _, t := range xt {
		v.XTicks = append(v.XTicks, tick{sx(t), Format(t, "")})
	}
	for _, t := range yt {
		v.YTicks = append(v.YTicks, tick{sy(t), Format(t, "")})
	}
	for _, p := range s.Points {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) {
			continue
		}
		c := colors[p.Group]
		if !hexColor(c) {
			c = "#777777"
		}
		tip := fmt.Sprintf("%s\n%s: %s\n%s: %s", p.Label, s.XTitle, Format(p.X, ""), s.YTitle, Format(p.Y, ""))
		if p.Group != "" {
			tip += "\n" + p.Group
		}
		v.Points = append(v.Points, scatterDot{X: sx(p.X), Y: sy(p.Y), Color: c, Tip: tip})
	}
	return v
}

func hexColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(c[1:], 16, 32)
	return err == nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// niceTicks returns about n round tick values covering [lo, hi] (steps of
// 1, 2 or 5 times a power of ten, the "nice numbers" of Heckbert, Graphics
// Gems 1990) and the widened range.
func niceTicks(lo, hi float64, n int) ([]float64, float64, float64) {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := p * 10
	for _, s := range []float64{1, 2, 5, 10} {
		if s*p >= raw {
			step = s * p
			break
		}
	}
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	var t []float64
	for x := lo; x <= hi+step/2; x += step {
		t = append(t, math.Round(x/step)*step)
	}
	return t, lo, hi
}
