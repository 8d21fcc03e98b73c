package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/groundwork-org/groundwork/reports/browsertest"
)

// TestInterpolationMapInBrowser opens the report of an interpolation with
// two indicators in headless Chromium at desktop and phone widths: the
// section's own map draws the neighborhoods, the menu above its legend
// switches the map and the legend to the second indicator (and leaves the
// report's main map as it was), tapping a neighborhood shows its name and
// value in the tooltip, nothing is wider than the screen, and the page
// asks for nothing but itself.
func TestInterpolationMapInBrowser(t *testing.T) {
	browsertest.Need(t)
	_, _, _, out, _ := runDemoInterpolation(t, "", `
interpolate:
  - name: neighborhood_homes
    title: Renters by neighborhood
    onto: neighborhood
    columns: [B03002_001E]
    indicators: [renter_share, white_share]
`)
	report := filepath.Join(out, "report.html")
	b := newBrowser(t)
	for _, width := range []int64{1280, 375} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			b.Requests, b.Problems = nil, nil
			b.open(t, report, width)
			b.eval(t, `document.querySelector("#interpolated-0 details").open=true`, nil)
			var st struct {
				Paths, Options          int
				Class, MainClass, Shown string
				ScrollWidth             int
			}
			const state = `({
				Paths: document.querySelectorAll("#map-interpolated-0 .shapes path").length,
				Options: document.querySelectorAll('select[data-map="map-interpolated-0"] option').length,
				Class: document.getElementById("map-interpolated-0").getAttribute("class"),
				MainClass: document.getElementById("map").getAttribute("class"),
				Shown: Array.from(document.querySelectorAll('.legend[data-map="map-interpolated-0"] .lg[data-ind]')).filter(d=>!d.hidden).map(d=>d.querySelector("strong").textContent).join("|"),
				ScrollWidth: document.documentElement.scrollWidth,
			})`
			b.eval(t, state, &st)
			if st.Paths < 100 || st.Options != 2 || st.Class != "map show-0" || st.Shown != "Renter-occupied homes" {
				t.Fatalf("before switching: %+v; want the 131 neighborhoods, 2 options, indicator 0 shown", st)
			}
			b.eval(t, `(function(){var s=document.querySelector('select[data-map="map-interpolated-0"]');s.value="1";s.dispatchEvent(new Event("change"));})()`, nil)
			b.eval(t, state, &st)
			if st.Class != "map show-1" || st.Shown != "White (not Hispanic)" || st.MainClass != "map show-0" {
				t.Errorf("after switching: %+v; want indicator 1 on this map and its legend, the main map unchanged", st)
			}
			if st.ScrollWidth > int(width) {
				t.Errorf("page is %d px wide at a %d px viewport", st.ScrollWidth, width)
			}
			var tip string
			err := chromedp.Run(b.Ctx,
				chromedp.ScrollIntoView(`#map-interpolated-0 path[data-id="Rockridge"]`, chromedp.ByQuery),
				chromedp.Click(`#map-interpolated-0 path[data-id="Rockridge"]`, chromedp.ByQuery),
				chromedp.Text("#tip", &tip, chromedp.ByQuery),
			)
			if err != nil {
				t.Fatalf("tap a neighborhood: %v", err)
			}
			if !strings.Contains(tip, "Rockridge") || !strings.Contains(tip, "%") {
				t.Errorf("tooltip after tapping Rockridge = %q; want its name and share", tip)
			}
			if len(b.Problems) > 0 {
				t.Errorf("console problems: %v", b.Problems)
			}
			for _, r := range b.Requests {
				if !strings.HasPrefix(r, "file://") {
					t.Errorf("the report asked for %s", r)
				}
			}
		})
	}
}
