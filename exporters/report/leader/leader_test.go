package leader

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	htmlpkg "html"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

var update = flag.Bool("update", false, "rewrite the goldens")

var ict = time.FixedZone("ICT", 7*3600)

// sample is a report with every section filled, and Vietnamese names that
// need the whole Latin Extended Additional block.
func sample() Report {
	th := catalog.DefaultThresholds
	r := Report{ProvinceName: "Thành phố Đà Nẵng", ProvinceCode: "48", AsOf: time.Date(2026, 3, 18, 10, 0, 0, 0, ict),
		Threshold: th.LateRateWarning, Definition: th.LateRateDefinition, MinVolume: th.LateMinVolume}
	for i := range Months {
		m := MonthRate{Month: time.Date(2025, time.Month(3+i), 1, 0, 0, 0, 0, ict), Rate: 0.02 + 0.005*float64(i%7), Resolved: 41000 + 1234*float64(i), OK: i != 4}
		r.Months = append(r.Months, m)
	}
	names := []string{"Sở Tài chính", "Phường Hải Châu", "Sở Nông nghiệp và Môi trường", "Xã Bà Nà", "Phường Tam Kỳ",
		"Đặc khu Hoàng Sa", "Sở Xây dựng", "Xã Hòa Vang", "Phường Ngũ Hành Sơn", "Sở Khoa học và Công nghệ"}
	for i, n := range names {
		r.Top = append(r.Top, AgencyRate{Code: "c" + n, Name: n, Rate: 0.14 - 0.011*float64(i), Resolved: float64(300 - 20*i)})
	}
	r.VNeID = VNeID{Issued: 1654392, Activated: 1354938, Population: 2358759, Target: 0.8, AsOf: time.Date(2026, 3, 15, 0, 0, 0, 0, ict)}
	for i, g := range catalog.QD766Groups {
		r.QD766 = append(r.QD766, GroupScore{Group: g, Score: g.Max * (0.6 + 0.07*float64(i)), OK: i != 3})
	}
	for _, code := range RankedIndices {
		d, _ := catalog.IndexByCode(code)
		ir := IndexRanks{Index: d, Target: 20, TargetYear: 2025}
		if code == catalog.IndexDTI {
			ir.Target = 10
		}
		for y := 2020; y <= 2024; y++ {
			ir.Years = append(ir.Years, YearRank{Year: y, Rank: 40 - 5*(y-2020), Ranked: 63})
		}
		r.Ranks = append(r.Ranks, ir)
	}
	for i, t := range catalog.RatingTiers {
		r.Rating = append(r.Rating, RatingCount{Tier: t, Count: 30 - 7*i})
	}
	r.Capped = []string{"Phường Hải Châu", "Sở Tài chính"}
	return r
}

// TestChartsRender: every chart is a non-empty PNG with drawn pixels, in both languages.
func TestChartsRender(t *testing.T) {
	r := sample()
	for _, l := range []dashboards.Lang{dashboards.Vi, dashboards.En} {
		charts := map[string]func(Report, dashboards.Lang) ([]byte, error){
			"late": lateChart, "top": topChart, "vneid": vneidChart, "qd766": qd766Chart, "rating": ratingChart,
			"rank": func(r Report, l dashboards.Lang) ([]byte, error) { return rankChart(r.Ranks[0], l) },
		}
		for name, draw := range charts {
			b, err := draw(r, l)
			if err != nil {
				t.Fatalf("%s %s: %v", name, l, err)
			}
			checkPNG(t, name, b)
			if *update && l == dashboards.Vi {
				_ = os.WriteFile(filepath.Join(t.TempDir(), name+".png"), b, 0o600)
			}
		}
	}
	// An empty report draws too: a store without the data gives empty sections, not a failure.
	var empty Report
	empty.Threshold = catalog.DefaultThresholds.LateRateWarning
	if err := Render(&bytes.Buffer{}, empty, dashboards.Vi); err != nil {
		t.Fatalf("an empty report: %v", err)
	}
}

// checkPNG fails unless b is a PNG with pixels other than its background.
func checkPNG(t *testing.T, name string, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	if !Drawn(img) {
		t.Errorf("%s: a blank image", name)
	}
}

// TestVietnameseGlyphs: a chart's Vietnamese text is drawn with the Go
// font, whose faces have every glyph of the names the report shows.
func TestVietnameseGlyphs(t *testing.T) {
	for _, s := range append(Headings(dashboards.Vi), "Tỷ lệ hồ sơ quá hạn – Sở Tài chính, Phường Hải Châu, Đặc khu Hoàng Sa, Xã Hòa Vang, Ngũ Hành Sơn") {
		for _, f := range []fontFace{regularFace, boldFace} {
			if missing := f.missing(s); missing != "" {
				t.Errorf("the chart font lacks %q of %q", missing, s)
			}
		}
	}
}

var dataURIs = regexp.MustCompile(`data:image/png;base64,[^"]+`)

// TestHTMLSelfContained: one file, nothing fetched at view time, no script,
// every heading, every chart a PNG.
func TestHTMLSelfContained(t *testing.T) {
	for _, l := range []dashboards.Lang{dashboards.Vi, dashboards.En} {
		var b bytes.Buffer
		if err := Render(&b, sample(), l); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		for _, bad := range []string{"http:", "https:", `src="//`, `href="//`, "<script", "@import", "url(", "<link", "<iframe", "<object"} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("%s: the report contains %q", l, bad)
			}
		}
		if !strings.Contains(html, `<html lang="`+string(l)+`">`) {
			t.Errorf("%s: no lang attribute", l)
		}
		for _, h := range Headings(l) {
			if !strings.Contains(html, "<h2>"+h+"</h2>") {
				t.Errorf("%s: no heading %q", l, h)
			}
		}
		imgs := regexp.MustCompile(`<img [^>]*src="([^"]*)"`).FindAllStringSubmatch(html, -1)
		if want := len(Headings(l)) + len(RankedIndices) - 1; len(imgs) != want {
			t.Errorf("%s: %d images, want %d", l, len(imgs), want)
		}
		for _, m := range imgs {
			src := htmlpkg.UnescapeString(m[1])
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
			if !strings.HasPrefix(src, "data:image/png;base64,") || err != nil {
				t.Fatalf("%s: an image that is not an inline PNG: %.60s", l, src)
			}
			checkPNG(t, "img", raw)
		}
	}
}

// TestHTMLGolden: the report's text and tables, charts left out, as
// testdata/sample.<lang>.html (go test -update rewrites them).
func TestHTMLGolden(t *testing.T) {
	for _, l := range []dashboards.Lang{dashboards.Vi, dashboards.En} {
		var b bytes.Buffer
		if err := Render(&b, sample(), l); err != nil {
			t.Fatal(err)
		}
		got := dataURIs.ReplaceAllString(b.String(), "data:image/png;base64,…")
		file := filepath.Join("testdata", "sample."+string(l)+".html")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(got), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the rendering (go test ./exporters/report/leader -update); got:\n%s", file, got)
		}
	}
}

// TestNoChromium: without Chromium the PDF fails with the message that says
// what to do.
func TestNoChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(ChromiumEnv, "")
	if _, err := FindChromium(""); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("FindChromium without Chromium: %v", err)
	}
	if _, err := FindChromium("/nonexistent/chromium"); !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "--chromium") {
		t.Fatalf("FindChromium of a missing path: %v", err)
	}
}

// chromium is the Chromium binary, or skips the test outside CI (in CI a
// missing Chromium fails).
func chromium(t *testing.T) string {
	t.Helper()
	bin, err := FindChromium("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium: %v", err)
		}
		t.Skip(err)
	}
	return bin
}

// TestPDF: the report prints to a PDF of at least one A4 page.
func TestPDF(t *testing.T) {
	bin := chromium(t)
	file := filepath.Join(t.TempDir(), "report.html")
	var b bytes.Buffer
	if err := Render(&b, sample(), dashboards.Vi); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pdf, err := PDF(context.Background(), bin, file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	pages := PDFPages(pdf)
	if pages < 1 {
		t.Fatalf("a PDF of %d pages", pages)
	}
	// A4 portrait in points (595 × 842).
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]`).Match(pdf) {
		t.Errorf("the PDF's pages are not A4: %s", regexp.MustCompile(`/MediaBox\s*\[[^\]]*\]`).Find(pdf))
	}
	t.Logf("%d pages, %d bytes", pages, len(pdf))
}
