package main

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	dto "github.com/prometheus/client_model/go"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/exporters/openmetrics"
	"github.com/govpulse/govpulse/exporters/report/leader"
	"github.com/govpulse/govpulse/exporters/report/promapi"
)

// leaderAsOf is the instant the leader's report test pins: the history is
// March 2025 to February 2026.
const leaderAsOf = "2026-03-18T10:00:00+07:00"

// leaderScreenshot is the README's picture of the report's first page.
const leaderScreenshot = "docs/leader-report.png"

// A4 at 96 CSS px an inch: 210 × 297 mm.
const a4Width, a4Height = 794, 1123

// snapshotPoint is one scrape of serve's /metrics as a history point at at:
// the current VNeID, portal, indices and rating figures, which the one-stop
// backfill does not write. Counters and series the catalog does not know
// (Go runtime, process) are left out.
func snapshotPoint(t *testing.T, fams map[string]*dto.MetricFamily, at time.Time) openmetrics.Point {
	t.Helper()
	p := openmetrics.Point{At: at}
	for name, f := range fams {
		m := catalog.ByName(name)
		if m == nil || m.Kind == catalog.Counter || f.GetType() != dto.MetricType_GAUGE {
			continue
		}
		for _, s := range f.GetMetric() {
			values := make([]string, len(m.Labels))
			for i, l := range m.Labels {
				values[i] = label(s, l)
			}
			p.Samples = append(p.Samples, source.Sample{Metric: m, Labels: values, Value: s.GetGauge().GetValue()})
		}
	}
	return p
}

// leaderStore starts a real Prometheus holding the demo city's 12 months
// of one-stop history (govpulse backfill) and, at the as-of instant, one
// scrape of `serve --demo` with the same pinned clock; it returns the base
// URL, the simulator and the as-of time.
func leaderStore(t *testing.T) (string, *simulate.Sim, time.Time) {
	t.Helper()
	needBinary(t, "prometheus")
	asOf := testClock(t, leaderAsOf)()
	sim, _, points := demoHistory(t, asOf, leader.Months)

	srv := startServe(t, io.Discard, "--demo", "--demo.time="+leaderAsOf)
	var fams map[string]*dto.MetricFamily
	pollUntil(t, time.Now().Add(20*time.Second), "serve --demo with every source up and ratings", func() bool {
		fams, _ = scrape(t, "http://"+srv.addr+"/metrics")
		return fams != nil && allUp(fams) && fams[catalog.AgencyRatingState.Name] != nil && fams[catalog.VNeIDActivated.Name] != nil
	})
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	points = append(points, snapshotPoint(t, fams, asOf.Add(-time.Minute)))

	base := startPrometheusWithHistory(t, points)
	return base, sim, asOf
}

// leaderRef is the plain reference of the report's one-stop figures: each
// month's late rate over every row the simulator reports, and the last
// month's agencies by late rate, from the simulator directly.
func leaderRef(sim *simulate.Sim, asOf time.Time) (months []float64, top []leader.AgencyRate) {
	th := catalog.DefaultThresholds
	first := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, simulate.ICT)
	names := map[string]string{}
	for _, a := range sim.Agencies() {
		names[a.Code] = a.Name
	}
	for i := leader.Months; i >= 1; i-- {
		from := first.AddDate(0, -i, 0)
		late, resolved := map[string]float64{}, map[string]float64{}
		var l, r float64
		for _, row := range sim.Report(from, from.AddDate(0, 1, -1)) {
			late[row.Agency] += float64(row.Resolved.Late)
			resolved[row.Agency] += float64(row.Resolved.Total())
			l += float64(row.Resolved.Late)
			r += float64(row.Resolved.Total())
		}
		months = append(months, l/r)
		if i != 1 {
			continue
		}
		for code, n := range resolved {
			if n >= float64(th.LateMinVolume) {
				top = append(top, leader.AgencyRate{Code: code, Name: names[code], Rate: late[code] / n, Resolved: n})
			}
		}
	}
	sort.Slice(top, func(i, j int) bool {
		if top[i].Rate != top[j].Rate {
			return top[i].Rate > top[j].Rate
		}
		return top[i].Name < top[j].Name
	})
	return months, top[:leader.TopAgencies]
}

// leaderChromium is Chromium, or skips outside CI (in CI it must be there).
func leaderChromium(t *testing.T) string {
	t.Helper()
	bin, err := leader.FindChromium("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium (.ci/run installs it): %v", err)
		}
		t.Skip(err)
	}
	return bin
}

// pageCheck is what the page says about itself in Chromium.
type pageCheck struct {
	H1     string   `json:"h1"`
	H2     []string `json:"h2"`
	Images []struct {
		Alt      string `json:"alt"`
		Complete bool   `json:"complete"`
		Width    int    `json:"width"`
		Height   int    `json:"height"`
		Drawn    bool   `json:"drawn"`
	} `json:"images"`
	Overflows []string `json:"overflows"`
	Width     int      `json:"width"`
	Height    int      `json:"height"`
}

// pageScript collects the headings, the images and every element whose
// content overflows its box or that reaches beyond the page's width.
const pageScript = `(() => {
  // An image is drawn when a pixel differs from its top-left corner's.
  const drawn = (img) => {
    if (!img.naturalWidth) return false;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    for (let k = 4; k < d.length; k += 4) {
      if (d[k] !== d[0] || d[k+1] !== d[1] || d[k+2] !== d[2] || d[k+3] !== d[3]) return true;
    }
    return false;
  };
  const w = document.documentElement.clientWidth;
  const out = {h1: document.querySelector('h1').textContent, h2: [...document.querySelectorAll('h2')].map(e => e.textContent),
    images: [...document.images].map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, drawn: drawn(i)})),
    overflows: [], width: w, height: document.documentElement.scrollHeight};
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline' || r.right > w + 1 || r.left < -1) {
      out.overflows.push(e.tagName + ' ' + (e.textContent || '').slice(0, 60) + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ', right ' + r.right + ')');
    }
  }
  return out;
})()`

// TestLeaderReport: the leader's report of the demo city, from a real
// Prometheus holding its backfilled history, has the simulator's late rates
// for the 12 months and its 10 agencies with the highest late rate; rendered
// in headless Chromium at A4 width it has every heading, every chart loaded
// and drawn, and no text beyond its box; its PDF is A4 pages. The first
// page's screenshot is the README's picture (go test . -run TestLeaderReport
// -update rewrites docs/leader-report.png).
func TestLeaderReport(t *testing.T) {
	bin := leaderChromium(t)
	base, sim, asOf := leaderStore(t)
	ctx := context.Background()

	c, err := promapi.New(base, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r, err := leader.Fetch(ctx, c, leader.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	months, top := leaderRef(sim, asOf)
	if len(r.Months) != leader.Months {
		t.Fatalf("%d months", len(r.Months))
	}
	for i, m := range r.Months {
		if !m.OK || math.Abs(m.Rate-months[i]) > 1e-9 {
			t.Errorf("%s: late rate %v (ok %v), the simulator's %v", m.Month.Format("2006-01"), m.Rate, m.OK, months[i])
		}
	}
	if want := time.Date(2025, 3, 1, 0, 0, 0, 0, simulate.ICT); !r.Months[0].Month.Equal(want) {
		t.Errorf("the first month is %s, want March 2025", r.Months[0].Month)
	}
	if len(r.Top) != len(top) {
		t.Fatalf("top agencies %+v, want %+v", r.Top, top)
	}
	for i := range top {
		if r.Top[i].Name != top[i].Name || math.Abs(r.Top[i].Rate-top[i].Rate) > 1e-9 {
			t.Errorf("top %d: %s %v, the simulator's %s %v", i+1, r.Top[i].Name, r.Top[i].Rate, top[i].Name, top[i].Rate)
		}
	}
	if r.ProvinceName == "" || r.VNeID.Issued == 0 || r.VNeID.Target != catalog.DefaultTargets.VNeIDActivation {
		t.Errorf("province %q, VNeID %+v", r.ProvinceName, r.VNeID)
	}
	rated := 0
	for _, rc := range r.Rating {
		rated += rc.Count
	}
	scored := 0
	for _, g := range r.QD766 {
		if g.OK {
			scored++
		}
	}
	if rated == 0 || scored == 0 || len(r.Ranks) != 2 || len(r.Ranks[0].Years) == 0 || r.Ranks[0].Target == 0 {
		t.Errorf("ratings %d, 766 groups scored %d, ranks %+v", rated, scored, r.Ranks)
	}

	dir := t.TempDir()
	html := filepath.Join(dir, "report.html")
	o := leaderOptions{PrometheusURL: base, Timeout: 10 * time.Second, Format: "html", Lang: dashboards.Vi, AsOf: asOf}
	if err := writeLeaderReport(ctx, o, html, io.Discard); err != nil {
		t.Fatal(err)
	}
	shot := checkInChromium(t, bin, html, dashboards.Vi)

	// The README's picture: the same size as the committed one, rewritten with -update.
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != a4Width || b.Dy() != a4Height || !leader.Drawn(img) {
		t.Errorf("the first page's screenshot is %v", b)
	}
	if len(shot) > 300<<10 {
		t.Errorf("the screenshot is %d KB, over 300 KB", len(shot)>>10)
	}
	if *updateReadme {
		if err := os.WriteFile(leaderScreenshot, shot, 0o644); err != nil { //nolint:gosec // a picture in the repository
			t.Fatal(err)
		}
	} else if f, err := os.Open(leaderScreenshot); err != nil {
		t.Errorf("%s: %v (go test . -run TestLeaderReport -update)", leaderScreenshot, err)
	} else {
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != a4Width || cfg.Height != a4Height {
			t.Errorf("%s is %dx%d (%v), want %dx%d", leaderScreenshot, cfg.Width, cfg.Height, err, a4Width, a4Height)
		}
	}

	// English renders as well.
	o.Lang = dashboards.En
	en := filepath.Join(dir, "report.en.html")
	if err := writeLeaderReport(ctx, o, en, io.Discard); err != nil {
		t.Fatal(err)
	}
	checkInChromium(t, bin, en, dashboards.En)

	// The PDF, through the command as a user runs it.
	pdf := filepath.Join(dir, "report.pdf")
	if err := run(ctx, []string{"report", "--format", "pdf", "--prometheus.url", base, "--time", asOf.Format(time.RFC3339),
		"--chromium", bin, "--out", pdf}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF")) || leader.PDFPages(b) < 1 {
		t.Errorf("not a PDF of pages: %.20q, %d pages", b, leader.PDFPages(b))
	}
}

// checkInChromium loads the report at A4 width in headless Chromium, checks
// it and returns a screenshot of its first A4 page.
func checkInChromium(t *testing.T, bin, file string, l dashboards.Lang) []byte {
	t.Helper()
	headings := leader.Headings(l)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bctx, stop, err := leader.Browser(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	u, err := leader.FileURL(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(a4Width, a4Height), chromedp.Navigate(u)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[pageCheck](pageScript))
	if err != nil {
		t.Fatal(err)
	}
	if got.Width != a4Width {
		t.Errorf("the page is %d px wide, want %d", got.Width, a4Width)
	}
	if got.H1 != leader.Title(l) || len(got.H2) != len(headings) {
		t.Errorf("headings %q / %q, want %q / %q", got.H1, got.H2, leader.Title(l), headings)
	}
	for i, h := range headings {
		if i < len(got.H2) && got.H2[i] != h {
			t.Errorf("heading %d is %q, want %q", i+1, got.H2[i], h)
		}
	}
	if want := len(headings) + len(leader.RankedIndices) - 1; len(got.Images) != want {
		t.Errorf("%d images, want %d", len(got.Images), want)
	}
	for _, img := range got.Images {
		if !img.Complete || img.Width == 0 || img.Height == 0 {
			t.Errorf("image %q not loaded: %+v", img.Alt, img)
		}
	}
	for _, o := range got.Overflows {
		t.Errorf("overflows its box at A4 width: %s", o)
	}
	for _, img := range got.Images {
		if !img.Drawn {
			t.Errorf("image %q is blank", img.Alt)
		}
	}
	// The first A4 page.
	shot, err := chromedp.Run(bctx, chromedp.Action[[]byte](func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng,
			Clip:   &page.Viewport{X: 0, Y: 0, Width: a4Width, Height: a4Height, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return shot
}
