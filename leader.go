package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/exporters/report/leader"
	"github.com/govpulse/govpulse/exporters/report/promapi"
)

// leaderOptions are what `govpulse report --format html|pdf` passes to
// writeLeaderReport (docs/leader-report.md).
type leaderOptions struct {
	// PrometheusURL is the query API (--prometheus.url), Timeout one query's bound.
	PrometheusURL string
	Timeout       time.Duration
	// Format is "html" or "pdf"; Lang the report's language.
	Format string
	Lang   dashboards.Lang
	// AsOf is the report's instant (default: now): the history is the 12
	// complete months before its month, current figures are read at it.
	AsOf time.Time
	// Location is the province's time zone (config province.timezone; nil:
	// Asia/Ho_Chi_Minh); Province the province label to report on ("" the
	// single one in the store); Thresholds the config's late-rate rules.
	Location   *time.Location
	Province   string
	Thresholds catalog.Thresholds
	// Chromium is the browser for the PDF (--chromium; "" looks for
	// $GOVPULSE_CHROMIUM, then chromium on PATH).
	Chromium string
}

// writeLeaderReport writes the leader's report to out ("-": stdout):
// format html is one self-contained file that needs nothing to view; pdf
// is that page printed on A4 by headless Chromium. For pdf it looks for
// Chromium before it queries anything, and fails with leader.ErrNoChromium's
// message when there is none. A file is written only once the report is
// whole; nothing is left behind on error.
func writeLeaderReport(ctx context.Context, o leaderOptions, out string, stdout io.Writer) error {
	var bin string
	switch o.Format {
	case "html":
	case "pdf":
		var err error
		if bin, err = leader.FindChromium(o.Chromium); err != nil {
			return err
		}
	default:
		return fmt.Errorf("the leader's report is html or pdf, not %q", o.Format)
	}
	if o.Lang == "" {
		o.Lang = dashboards.Vi
	}
	if o.AsOf.IsZero() {
		o.AsOf = time.Now()
	}
	c, err := promapi.New(o.PrometheusURL, o.Timeout)
	if err != nil {
		return err
	}
	r, err := leader.Fetch(ctx, c, leader.Options{AsOf: o.AsOf, Location: o.Location, Province: o.Province, Thresholds: o.Thresholds})
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := leader.Render(&html, r, o.Lang); err != nil {
		return err
	}
	body := html.Bytes()
	if o.Format == "pdf" {
		dir, err := os.MkdirTemp("", "govpulse-report-")
		if err != nil {
			return fmt.Errorf("cannot make a temporary directory for the PDF: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		page := filepath.Join(dir, "report.html")
		if err := os.WriteFile(page, body, 0o600); err != nil {
			return fmt.Errorf("cannot write the page to print: %w", err)
		}
		if body, err = leader.PDF(ctx, bin, page); err != nil {
			return err
		}
	}
	if out == "-" {
		if _, err := stdout.Write(body); err != nil {
			return fmt.Errorf("cannot write the report: %w", err)
		}
		return nil
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, body, 0o644); err != nil { //nolint:gosec // a report for people to read
		return fmt.Errorf("cannot write the report to %q: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot write the report to %q: %w", out, err)
	}
	return nil
}
