package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/exporters/openmetrics"
)

// runBackfill writes the history of the one-stop report: for each of the
// last --months complete months, the month, quarter and year to date as the
// live exporter would have shown them at the month's last second.
func runBackfill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backfill", stderr)
	file := fs.String("config.file", "govpulse.yml", "configuration file")
	demo := fs.Bool("demo", false, "backfill from the built-in simulated province")
	seed := fs.Int64("demo.seed", 47, "seed of the simulated province")
	demoTime := addClockFlag(fs, "demo.time")
	months := fs.Int("months", 12, "how many complete months before the current one")
	out := fs.String("out", "govpulse-history.om", "file to write (- for stdout)")
	format := fs.String("format", "openmetrics", "openmetrics (for promtool tsdb create-blocks-from openmetrics) or prometheus (millisecond timestamps, for VictoriaMetrics' /api/v1/import/prometheus)")
	lf := addLogFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *months < 1 || *months > 120 {
		return fmt.Errorf("--months must be between 1 and 120, got %d", *months)
	}
	f := openmetrics.OpenMetrics
	switch *format {
	case "openmetrics":
	case "prometheus":
		f = openmetrics.PrometheusText
	default:
		return fmt.Errorf("--format must be openmetrics or prometheus, not %q", *format)
	}
	logger := lf.logger(stderr)
	clock := time.Now // the months before now; the demo's clock for --demo
	if *demo {
		var err error
		if clock, err = clockAt(*demoTime); err != nil {
			return fmt.Errorf("--demo.time: %w", err)
		}
	}

	cfg, stop, err := loadConfig(ctx, *demo, *file, *seed, clock, logger)
	if err != nil {
		return err
	}
	defer stop()
	points, err := history(ctx, cfg, *months, clock())
	if err != nil {
		return err
	}
	if err := writeHistory(stdout, *out, f, points); err != nil {
		return err
	}
	logger.Info("history written", "months", *months, "points", len(points), "out", *out, "format", *format)
	return nil
}

// writeHistory writes points to out ("-": stdout). A file is closed before
// success is reported: a failed close may mean lost data.
func writeHistory(stdout io.Writer, out string, f openmetrics.Format, points []openmetrics.Point) error {
	if out == "-" {
		if err := openmetrics.Write(stdout, f, points); err != nil {
			return fmt.Errorf("cannot write the history: %w", err)
		}
		return nil
	}
	fh, err := os.Create(out) //nolint:gosec // the operator names the output file
	if err != nil {
		return fmt.Errorf("cannot create %q: %w", out, err)
	}
	if err := openmetrics.Write(fh, f, points); err != nil {
		_ = fh.Close()
		return fmt.Errorf("cannot write the history to %q: %w", out, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("cannot write the history to %q: %w", out, err)
	}
	return nil
}

// history collects the report-mode one-stop sources at the end of each of
// the last n complete months before now. Feed-mode sources keep their own
// incremental state and are not replayed.
func history(ctx context.Context, cfg *config.Config, n int, now time.Time) ([]openmetrics.Point, error) {
	env, err := collector.Env(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	units := collector.Units(cfg).Samples
	now = now.In(env.Location)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, env.Location)
	var points []openmetrics.Point
	limits := httpc.NewLimits() // every month's sources share one rate limit per host
	for i := n; i >= 1; i-- {
		// The last second of the month i months before the current one.
		at := first.AddDate(0, -i+1, 0).Add(-time.Second)
		e := env
		e.Now = func() time.Time { return at }
		p := openmetrics.Point{At: at, Samples: append([]source.Sample{}, units...)}
		for _, sc := range cfg.Sources {
			if sc.Type != catalog.SourceOnestop || sc.Onestop.Format == onestop.FormatFeed {
				continue
			}
			src, err := collector.Registry[sc.Type](sc, e, limits)
			if err != nil {
				return nil, fmt.Errorf("cannot build source %q: %w", sc.Name, err)
			}
			res, err := src.Collect(ctx)
			if err != nil {
				return nil, fmt.Errorf("source %q at %s: %w", sc.Name, at.Format(time.DateOnly), err)
			}
			p.Samples = append(p.Samples, res.Samples...)
		}
		points = append(points, p)
	}
	return points, nil
}
