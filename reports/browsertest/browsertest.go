// Package browsertest opens reports in headless Chromium (Debian's
// chromium package, driven through the DevTools protocol by chromedp) and
// measures them as a reader meets them: what is above the fold at a
// screen size, how long the page is, how many pages it prints on, whether
// a table is wider than its column, and whether a visible cell shows a raw
// float or a variable code. It is for tests only; nothing in the product
// imports it.
//
// A Browser is one tab; it is not safe for concurrent use.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/groundwork-org/groundwork/reports"
)

// ChromiumPath is where Debian installs Chromium.
const ChromiumPath = "/usr/bin/chromium"

// Need skips the test when Chromium is not installed, unless CI is set:
// in CI (.ci/run installs it) a missing browser fails the test.
func Need(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing (%v): install Debian's chromium package (.ci/run does)", ChromiumPath, err)
		}
		t.Skipf("%s not found; set CI=true to make this a failure", ChromiumPath)
	}
}

// Browser is a headless Chromium tab. Problems collects console errors,
// uncaught exceptions and dialogs; Requests every URL the page asked for.
type Browser struct {
	Ctx      context.Context
	Problems []string
	Requests []string
}

// New starts Chromium with a throwaway profile, stopped when the test
// ends.
func New(t testing.TB) *Browser {
	t.Helper()
	// Chromium's helper processes can still be writing to the profile when
	// the browser is stopped, which makes t.TempDir's cleanup fail; remove
	// the profile ourselves, retrying while they finish. Chromium's own
	// temporary files (org.chromium.Chromium.*) go inside it too.
	profile, err := os.MkdirTemp("", "groundwork-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(profile, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA(); removeProfile(profile) })
	b := &Browser{Ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.Problems = append(b.Problems, fmt.Sprintf("console %s: %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			b.Problems = append(b.Problems, "exception: "+e.ExceptionDetails.Error())
		case *page.EventJavascriptDialogOpening:
			b.Problems = append(b.Problems, "dialog: "+e.Message)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
		case *network.EventRequestWillBeSent:
			b.Requests = append(b.Requests, e.Request.URL)
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), runtime.Enable(), page.Enable()); err != nil {
		t.Fatalf("start %s: %v", ChromiumPath, err)
	}
	return b
}

// removeProfile removes a stopped browser's profile folder, trying again
// for up to two seconds while its helper processes still write to it;
// whatever is left then stays (a test does not fail over it).
func removeProfile(dir string) {
	for range 20 {
		if os.RemoveAll(dir) == nil {
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Open loads the file at path (absolute) in a viewport of w×h CSS px as a
// screen (not print) and waits for two frames, so that the page's script
// has run and the layout is painted.
func (b *Browser) Open(t testing.TB, path string, w, h int64) {
	t.Helper()
	mobile := w < 600
	err := chromedp.Run(b.Ctx,
		emulation.SetEmulatedMedia().WithMedia(""),
		chromedp.EmulateViewport(w, h, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
			p.Mobile = mobile
		}),
		chromedp.Navigate("file://"+path),
		chromedp.WaitReady("body"),
		Frames(),
	)
	if err != nil {
		t.Fatalf("open %s at %dx%d: %v", path, w, h, err)
	}
}

// Frames waits for two animation frames, so a change of viewport or
// scroll position is painted before a measurement or screenshot.
func Frames() chromedp.Action {
	return chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
}

// Eval evaluates js in the page and decodes its value into out.
func (b *Browser) Eval(t testing.TB, js string, out any) {
	t.Helper()
	if err := chromedp.Run(b.Ctx, chromedp.Evaluate(js, out)); err != nil {
		t.Fatalf("evaluate %.80q: %v", js, err)
	}
}

// Height is the page's height in CSS px.
func (b *Browser) Height(t testing.TB) float64 {
	t.Helper()
	var h float64
	b.Eval(t, `document.documentElement.scrollHeight`, &h)
	return h
}

// Letter paper, in inches, and the report's print margins (its @page
// rule: 1.4 cm top and bottom, 1.5 cm left and right).
const (
	PaperW, PaperH = 8.5, 11.0
	marginV        = 1.4 / 2.54
	marginH        = 1.5 / 2.54
)

// PrintArea is the printable area of a Letter page within the report's
// margins, in CSS px (96 per inch).
func PrintArea() (w, h float64) {
	return (PaperW - 2*marginH) * 96, (PaperH - 2*marginV) * 96
}

// Print prints the open page to PDF on Letter paper as Chromium's print
// dialog would with "margins: default" and the page's own @page rule, and
// returns the PDF.
func (b *Browser) Print(t testing.TB) []byte {
	t.Helper()
	var pdf []byte
	err := chromedp.Run(b.Ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPaperWidth(PaperW).WithPaperHeight(PaperH).WithPreferCSSPageSize(true).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return pdf
}

// Pages counts the pages of a PDF written by Chromium: its page objects
// ("/Type /Page", not "/Type /Pages"), which Chromium writes uncompressed.
func Pages(pdf []byte) int {
	n := 0
	key := []byte("/Type /Page")
	for i := bytes.Index(pdf, key); i >= 0; {
		end := i + len(key)
		if end >= len(pdf) || pdf[end] != 's' {
			n++
		}
		j := bytes.Index(pdf[end:], key)
		if j < 0 {
			break
		}
		i = end + j
	}
	return n
}

// PdftoppmPath is where Debian's poppler-utils installs pdftoppm.
const PdftoppmPath = "pdftoppm"

// PageTopGaps renders each page of a PDF that Print wrote (poppler's
// pdftoppm, grey, 96 dpi: one pixel per CSS px) and lists the pages whose
// first mark (a pixel darker than light grey, so text, rules and borders
// count) lies more than half an inch below the top margin, as "page 7:
// 106 px blank under the top margin". Printed content flows to the top
// of every page; such a band is content that did not print, as a table
// header repeated on the next page whose text did not paint. Without
// pdftoppm it checks nothing and says so in the log (in CI it fails the
// test).
func PageTopGaps(t testing.TB, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath(PdftoppmPath)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but pdftoppm is missing (%v): install Debian's poppler-utils (.ci/run does)", err)
		}
		t.Logf("pdftoppm not found (Debian: poppler-utils): the printed pages' tops are not checked; set CI=true to make this a failure")
		return nil
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-gray", "-r", "96", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	page := func(f string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(f[strings.LastIndex(f, "-")+1:], ".pgm"))
		return n
	}
	sort.Slice(files, func(i, j int) bool { return page(files[i]) < page(files[j]) })
	if len(files) == 0 {
		t.Fatal("pdftoppm wrote no pages")
	}
	top := int(math.Round(marginV * 96))
	var out []string
	for _, f := range files {
		first, err := firstMark(f)
		if err != nil {
			t.Fatal(err)
		}
		if gap := first - top; first < 0 || gap > 48 {
			out = append(out, fmt.Sprintf("page %d: %d px blank under the top margin", page(f), gap))
		}
	}
	return out
}

// firstMark is the first row of a binary PGM (P5, 8-bit) with a pixel
// darker than 230 of 255, or -1 for a blank page.
func firstMark(file string) (int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	f := bytes.Fields(b[:min(len(b), 64)])
	if len(f) < 4 || string(f[0]) != "P5" || string(f[3]) != "255" {
		return 0, fmt.Errorf("%s: not an 8-bit binary PGM", file)
	}
	w, _ := strconv.Atoi(string(f[1]))
	h, _ := strconv.Atoi(string(f[2]))
	px := b[len(b)-w*h:]
	for y := range h {
		for _, v := range px[y*w : (y+1)*w] {
			if v < 230 {
				return y, nil
			}
		}
	}
	return -1, nil
}

// PrintMedia switches the page to print media at the width of the
// printable area (on=true) or back to the screen (on=false), to measure
// what will be printed.
func (b *Browser) PrintMedia(t testing.TB, on bool) {
	t.Helper()
	media, w, h := "", 1280.0, 800.0
	if on {
		media = "print"
		w, h = PrintArea()
	}
	err := chromedp.Run(b.Ctx, emulation.SetEmulatedMedia().WithMedia(media),
		chromedp.EmulateViewport(int64(w), int64(h)), Frames())
	if err != nil {
		t.Fatalf("print media %v: %v", on, err)
	}
}

// OpenAll opens every collapsed section and list, so that a scan of the
// page sees what a reader who opens them sees.
func (b *Browser) OpenAll(t testing.TB) {
	t.Helper()
	b.Eval(t, `document.querySelectorAll("details").forEach(function(d){d.open=true});true`, nil)
}

// Shot captures the viewport as PNG.
func (b *Browser) Shot(t testing.TB) []byte {
	t.Helper()
	var png []byte
	if err := chromedp.Run(b.Ctx, Frames(), chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// Rect is an element's box relative to the viewport, in CSS px.
type Rect struct{ Top, Bottom, Left, Right, Width, Height float64 }

// Box returns the box of the first element matching the CSS selector; ok
// is false when none matches.
func (b *Browser) Box(t testing.TB, selector string) (r Rect, ok bool) {
	t.Helper()
	var got struct {
		Found bool
		R     Rect
	}
	b.Eval(t, fmt.Sprintf(`(function(){var e=document.querySelector(%q);if(!e)return {Found:false};var r=e.getBoundingClientRect();
		return {Found:true,R:{Top:r.top,Bottom:r.bottom,Left:r.left,Right:r.right,Width:r.width,Height:r.height}}})()`, selector), &got)
	return got.R, got.Found
}

// ScrollTo scrolls so that the element matching selector is at the top.
func (b *Browser) ScrollTo(t testing.TB, selector string) {
	t.Helper()
	if err := chromedp.Run(b.Ctx, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).scrollIntoView()`, selector), nil), Frames()); err != nil {
		t.Fatalf("scroll to %s: %v", selector, err)
	}
}

// WideTables lists the visible tables wider than the column they sit in
// (the nearest ancestor that is not a scroll wrapper), as "caption: table
// 1655 px in a 928 px column".
func (b *Browser) WideTables(t testing.TB) []string {
	t.Helper()
	var out []string
	b.Eval(t, `Array.from(document.querySelectorAll("table")).filter(tb=>tb.offsetParent!==null).map(tb=>{
		var col=tb.parentElement;while(col&&col.classList.contains("scroll"))col=col.parentElement;
		var w=tb.getBoundingClientRect().width,cw=col.getBoundingClientRect().width;
		return w>cw+1?((tb.caption?tb.caption.textContent:"table")+": table "+Math.round(w)+" px in a "+Math.round(cw)+" px column"):"";
	}).filter(s=>s)`, &out)
	return out
}

// RawText lists visible texts of cells, headline figures and list items
// that show a raw float (four or more decimals: 0.9972144846796658), a
// Census variable code (B19013_001E) or, in a column heading, a
// programmer's identifier (api00, enroll_tested), as "text (why)".
func (b *Browser) RawText(t testing.TB) []string {
	t.Helper()
	var out []string
	b.Eval(t, `(function(){
		var out=[],float=/\d\.\d{4,}/,code=/\b[BCDS]\d{5}[A-Z]{0,2}_\d{3}[EM]?[A]?\b/,ident=/^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]+\d+[a-z0-9]*$/;
		function vis(e){return e.offsetParent!==null||e.getClientRects().length>0}
		document.querySelectorAll("td, th, .fig, .findings li, ol.next li, figcaption, .legend").forEach(function(e){
			if(!vis(e))return;
			// each text node on its own: neighbouring labels ("≤ 0.198",
			// "0.198–0.398") must not run together into a false "0.1980"
			var w=document.createTreeWalker(e,NodeFilter.SHOW_TEXT),n;
			while((n=w.nextNode())){
				var s=n.nodeValue.trim();if(!s)continue;
				if(float.test(s))out.push(s.slice(0,60)+" (raw float)");
				else if(code.test(s))out.push(s.slice(0,60)+" (variable code)");
			}
			var h=e.textContent.trim();
			if(e.tagName==="TH"&&ident.test(h))out.push(h+" (identifier as a heading)");
		});
		return out})()`, &out)
	return out
}

// MaxCellLines is the most lines a printed table cell may take.
const MaxCellLines = 3

// CheckLayout opens the report at path and checks the layout rules of
// issue 15: the brief (title, lead, every headline figure) above the fold
// at 1280×800 and 390×844, and on the laptop its next steps too; on the
// phone every section closed behind its heading; on the laptop some open
// and some closed, and map and legend side by side in one viewport; no
// table wider than its column and no raw float or code in a visible cell,
// at both sizes with every section opened; printed (Letter), the brief on
// one page by itself, the map figure with its legend within one page and
// unbreakable, no contents, search box or indicator menu, and no table
// cell on more than MaxCellLines lines.
func (b *Browser) CheckLayout(t *testing.T, path string) {
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"laptop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(vp.name, func(t *testing.T) {
			b.Open(t, path, vp.w, vp.h)
			// the brief: title, lead and every figure above the fold; on
			// the laptop the next steps too
			last := ".brief .fig:last-child"
			if vp.w > 600 {
				last = "ol.next"
			}
			for _, sel := range []string{".brief h1", ".brief .lead", last} {
				r, ok := b.Box(t, sel)
				if !ok {
					t.Errorf("no %s: the report has no brief", sel)
					continue
				}
				if r.Bottom > float64(vp.h) {
					t.Errorf("%s ends at %.0f px, below the fold at %d", sel, r.Bottom, vp.h)
				}
			}
			var open, closed int
			b.Eval(t, `document.querySelectorAll("details.sec[open]").length`, &open)
			b.Eval(t, `document.querySelectorAll("details.sec:not([open])").length`, &closed)
			if vp.w < 600 && open != 0 {
				t.Errorf("phone: %d sections open; want all closed behind their headings", open)
			}
			if vp.w > 600 {
				if open == 0 || closed == 0 {
					t.Errorf("laptop: %d sections open, %d closed; want the findings open and the reference tables closed", open, closed)
				}
				b.ScrollTo(t, "#h-map")
				m, _ := b.Box(t, "svg.map")
				l, _ := b.Box(t, ".legend")
				switch {
				case m.Top < 0 || m.Bottom > float64(vp.h) || l.Top < 0 || l.Bottom > float64(vp.h):
					t.Errorf("map %.0f–%.0f px and legend %.0f–%.0f px are not both within the %d px viewport", m.Top, m.Bottom, l.Top, l.Bottom, vp.h)
				case l.Left < m.Right-1:
					t.Errorf("legend at x %.0f is not beside the map (which ends at %.0f)", l.Left, m.Right)
				}
			}
			b.OpenAll(t)
			if wide := b.WideTables(t); len(wide) > 0 {
				t.Errorf("tables wider than their column: %s", strings.Join(wide, "; "))
			}
			if raw := b.RawText(t); len(raw) > 0 {
				t.Errorf("raw floats or codes in visible text: %s", strings.Join(raw, "; "))
			}
		})
	}
	t.Run("print", func(t *testing.T) {
		b.Open(t, path, 1280, 800)
		b.PrintMedia(t, true)
		defer b.PrintMedia(t, false)
		_, pageH := PrintArea()
		var brief struct {
			H     float64
			Break string
		}
		b.Eval(t, `(function(){var e=document.querySelector(".brief");if(!e)return {H:1e9,Break:"none"};return {H:e.getBoundingClientRect().height,Break:getComputedStyle(e).breakAfter}})()`, &brief)
		if brief.H > pageH || brief.Break != "page" {
			t.Errorf("printed brief is %.0f px tall (page %.0f) with break-after %q; want it on one page by itself", brief.H, pageH, brief.Break)
		}
		fig, _ := b.Box(t, "figure:has(svg.map)")
		var avoid string
		b.Eval(t, `getComputedStyle(document.querySelector("figure:has(svg.map)")).breakInside`, &avoid)
		if fig.Height > pageH || avoid != "avoid" {
			t.Errorf("printed map with legend is %.0f px tall (page %.0f), break-inside %q: the legend could be split from the map", fig.Height, pageH, avoid)
		}
		var hidden bool
		b.Eval(t, `["nav.toc",".tools",".switch"].every(s=>{var e=document.querySelector(s);return !e||getComputedStyle(e).display==="none"})`, &hidden)
		if !hidden {
			t.Error("printed: the contents, search box or indicator menu still shows")
		}
		// a heading printed with nothing under it (a closed section or
		// list) fails the reader who printed it: a closed details either
		// does not print or prints its contents, by the print style sheet
		// alone (no beforeprint script has run here)
		var empty []string
		b.Eval(t, `(function(){var out=[];document.querySelectorAll("details:not([open])").forEach(function(d){
			if(d.getClientRects().length===0)return;
			var shown=Array.prototype.some.call(d.children,function(c){return c.tagName!=="SUMMARY"&&c.checkVisibility({contentVisibilityAuto:true})&&c.getClientRects().length>0});
			if(!shown)out.push((d.querySelector("summary")||d).textContent.trim().slice(0,60))});return out})()`, &empty)
		if len(empty) > 0 {
			t.Errorf("printed: closed sections print their heading and nothing under it: %s", strings.Join(empty, "; "))
		}
		if wide := b.WideTables(t); len(wide) > 0 {
			t.Errorf("printed: tables wider than the page, cut at its edge: %s", strings.Join(wide, "; "))
		}
		// a cell of a printed table on more lines than a paper reader
		// follows (an interval in words in a narrow column took 6)
		var tall []string
		b.Eval(t, fmt.Sprintf(`(function(){var out=[];document.querySelectorAll("td").forEach(function(td){
			if(td.getClientRects().length===0)return;
			var r=document.createRange();r.selectNodeContents(td);var h=r.getBoundingClientRect().height;
			var lh=parseFloat(getComputedStyle(td).lineHeight);if(!(lh>0))return;
			var n=Math.round(h/lh);if(n>%d)out.push(n+" lines: "+td.innerText.trim().slice(0,50))});return out})()`, MaxCellLines), &tall)
		if len(tall) > 0 {
			t.Errorf("printed: table cells on more than %d lines: %s", MaxCellLines, strings.Join(tall, "; "))
		}
		// a long segment list prints its first rows and says where the rest are
		var long struct{ Lists, Rows, Shown, Notes int }
		b.Eval(t, fmt.Sprintf(`(function(){var r={Lists:0,Rows:0,Shown:0,Notes:0};document.querySelectorAll(".seglist").forEach(function(d){
			var rows=d.querySelectorAll("tbody tr");if(rows.length<=%d)return;
			r.Lists++;r.Rows+=rows.length;rows.forEach(function(tr){if(tr.getClientRects().length>0)r.Shown++});
			var n=d.querySelector(".printonly");if(n&&n.getClientRects().length>0)r.Notes++});return r})()`, reports.PrintedRows), &long)
		if long.Shown > reports.PrintedRows*long.Lists || long.Notes != long.Lists {
			t.Errorf("printed: %d long segment lists print %d of their %d rows (want at most %d each) and %d say where the rest are", long.Lists, long.Shown, long.Rows, reports.PrintedRows, long.Notes)
		}
	})
}
