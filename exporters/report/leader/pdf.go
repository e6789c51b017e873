package leader

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned when no Chromium can be found for the PDF.
var ErrNoChromium = errors.New("PDF needs Chromium: install Debian's chromium or set --chromium; the HTML report (--format html) needs nothing")

// ChromiumEnv names the Chromium binary when no path is given.
const ChromiumEnv = "GOVPULSE_CHROMIUM"

// PDFTimeout bounds printing one report.
const PDFTimeout = 60 * time.Second

// FindChromium returns the Chromium binary to use: path if given, else
// $GOVPULSE_CHROMIUM, else chromium (Debian) or chromium-browser on PATH.
func FindChromium(path string) (string, error) {
	if path == "" {
		path = os.Getenv(ChromiumEnv)
	}
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w (%s: %w)", ErrNoChromium, path, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Browser starts a headless Chromium at bin with a fresh profile in a
// temporary directory, on no network: background networking, component
// updates, sync and QUIC are off (on a closed network their connections are
// refused and slow the start). It returns a chromedp context and a cancel
// that stops Chromium and removes the profile.
func Browser(ctx context.Context, bin string) (context.Context, context.CancelFunc, error) {
	profile, err := os.MkdirTemp("", "govpulse-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot make Chromium's profile directory: %w", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	cancel := func() {
		cancelBrowser()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	}
	if err := chromedp.Do(bctx); err != nil { // starts Chromium
		cancel()
		return nil, nil, fmt.Errorf("cannot start Chromium %s: %w", bin, err)
	}
	return bctx, cancel, nil
}

// FileURL is the file:// URL of a local file.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// PDF prints the HTML report in htmlFile to PDF on A4 with Chromium at bin
// (FindChromium), within PDFTimeout. The page is loaded from the file: it
// fetches nothing.
func PDF(ctx context.Context, bin, htmlFile string) ([]byte, error) {
	ctx, cancelT := context.WithTimeout(ctx, PDFTimeout)
	defer cancelT()
	u, err := FileURL(htmlFile)
	if err != nil {
		return nil, err
	}
	bctx, cancel, err := Browser(ctx, bin)
	if err != nil {
		return nil, err
	}
	defer cancel()
	err = chromedp.Do(bctx, chromedp.Navigate(u))
	var pdf []byte
	if err == nil {
		// A4; the page's @page rule sets the margins.
		pdf, err = chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4),
			chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("printing the PDF took over %s: %w", PDFTimeout, err)
		}
		return nil, fmt.Errorf("cannot print the PDF: %w", err)
	}
	return pdf, nil
}
