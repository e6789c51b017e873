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
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/exporters/report/promapi"
	"github.com/govpulse/govpulse/exporters/report/table"
)

// runReport writes the standard one-stop table (xlsx, csv) of a period, or
// the leader's report (html, pdf) (docs/report.md).
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	promURL := fs.String("prometheus.url", "http://127.0.0.1:9090", "Prometheus-compatible query API holding govpulse's history (Prometheus, VictoriaMetrics, vmselect's /select/0/prometheus)")
	daemonURL := fs.String("daemon.url", "http://127.0.0.1:9470", "the running govpulse, whose /metrics gives the current period")
	period := fs.String("period", "", "the period: a month 2026-02, a quarter 2026-Q1 or a year 2025 (default: the previous month)")
	format := fs.String("format", "xlsx", "xlsx or csv (the standard table), html or pdf (the leader's report)")
	out := fs.String("out", "", "file to write, - for stdout (default govpulse-<period>.<format>)")
	langFlag := fs.String("lang", "vi", "vi or en")
	file := fs.String("config.file", "", "govpulse's configuration, for the province, its time zone and the late-rate definition (default: the built-in defaults)")
	province := fs.String("province", "", "the province label to report on (default: the one the store holds)")
	timeout := fs.Duration("timeout", 30*time.Second, "bound of one query")
	asOf := fs.String("time", "", "the report's instant, RFC 3339 (default: now): what is current and what is past")
	chromium := fs.String("chromium", "", "Chromium for --format pdf (default: $GOVPULSE_CHROMIUM, then chromium on PATH)")
	lf := addLogFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_ = lf.logger(stderr)
	lang, err := dashboards.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("--lang: %w", err)
	}
	now := time.Now()
	if *asOf != "" {
		if now, err = time.Parse(time.RFC3339, *asOf); err != nil {
			return fmt.Errorf("--time: cannot read %q: want RFC 3339 like 2026-03-02T09:00:00+07:00", *asOf)
		}
	}
	loc, provinceName, th, err := reportSettings(*file)
	if err != nil {
		return err
	}
	var p table.Period
	if *period == "" {
		p = table.Containing(catalog.PeriodMonth, table.Containing(catalog.PeriodMonth, now, loc).Start.Add(-time.Hour), loc)
	} else if p, err = table.ParsePeriod(*period, loc); err != nil {
		return fmt.Errorf("--period: %w", err)
	}
	switch *format {
	case "xlsx", "csv":
	case "html", "pdf":
		// The leader's report: 12 months up to the report's instant.
		if *out == "" {
			*out = "govpulse-bao-cao-" + now.In(loc).Format("2006-01-02") + "." + *format
		}
		return writeLeaderReport(ctx, leaderOptions{PrometheusURL: *promURL, Timeout: *timeout, Format: *format, Lang: lang,
			AsOf: now, Location: loc, Province: *province, Thresholds: th, Chromium: *chromium}, *out, stdout)
	default:
		return fmt.Errorf("--format: want xlsx or csv (the table), html or pdf (the leader's report), not %q", *format)
	}
	if *out == "" {
		*out = "govpulse-" + p.String() + "." + *format
	}

	var (
		agencies []table.Agency
		counts   map[string]table.Counts
		at       = p.End.Add(-time.Second)
	)
	switch {
	case !now.Before(p.End):
		c, err := promapi.New(*promURL, *timeout)
		if err != nil {
			return fmt.Errorf("--prometheus.url: %w", err)
		}
		if agencies, counts, _, err = table.FromPrometheus(ctx, c, p, table.Options{Province: *province}); err != nil {
			return err
		}
	case !now.Before(p.Start):
		at = now
		if agencies, counts, err = fromDaemon(ctx, *daemonURL, p.Kind, *province, *timeout); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--period %s has not begun on %s", p, now.In(loc).Format(time.DateOnly))
	}
	if provinceName == "" { // no config: the province's own committee names it
		for _, a := range agencies {
			if a.Level == catalog.LevelProvince {
				provinceName = a.Name
			}
		}
	}
	t := table.New(provinceName, p, th.LateRateDefinition, at.In(loc), table.Build(agencies, counts))
	var b bytes.Buffer
	if *format == "csv" {
		err = t.WriteCSV(&b, string(lang))
	} else {
		err = t.WriteXLSX(&b, string(lang))
	}
	if err != nil {
		return err
	}
	return writeOut(stdout, *out, b.Bytes())
}

// reportSettings reads what a report needs of the config: the province's
// time zone and name, and the thresholds (defaults without a file).
func reportSettings(file string) (*time.Location, string, catalog.Thresholds, error) {
	th := catalog.DefaultThresholds
	tz, name := config.DefaultTimezone, ""
	if file != "" {
		cfg, err := config.Load(file)
		if err != nil {
			return nil, "", th, err
		}
		th, tz, name = cfg.Thresholds, cfg.Province.Timezone, cfg.Province.Name
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, "", th, fmt.Errorf("the province's time zone %q: %w", tz, err)
	}
	return loc, name, th, nil
}

// fromDaemon reads the current period from a running govpulse's /metrics
// (credentials in the URL are sent as basic auth, for a web.config.file).
func fromDaemon(ctx context.Context, daemonURL, kind, province string, timeout time.Duration) ([]table.Agency, map[string]table.Counts, error) {
	c, err := promapi.New(daemonURL, timeout)
	if err != nil {
		return nil, nil, fmt.Errorf("--daemon.url: %w", err)
	}
	body, err := c.Get(ctx, "/metrics", table.MaxExposition)
	if err != nil {
		return nil, nil, fmt.Errorf("the current period comes from the running govpulse: %w", err)
	}
	return table.FromExposition(bytes.NewReader(body), kind, province)
}

// writeOut writes b to out ("-": stdout) whole, or leaves nothing.
func writeOut(stdout io.Writer, out string, b []byte) error {
	if out == "-" {
		_, err := stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".govpulse-report-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	return nil
}
