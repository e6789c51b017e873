// Package vmpush pushes govpulse's current snapshot to VictoriaMetrics: the
// scale-out path where a province's govpulse (or many provinces' instances,
// told apart by extra labels) feed one VictoriaMetrics without being scraped.
//
// It sends the pre-rendered exposition, so a push costs a copy, not a render.
// Pushed samples carry no timestamps: VictoriaMetrics stamps them on arrival.
package vmpush

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// DefaultInterval is how often the snapshot is pushed.
const DefaultInterval = 30 * time.Second

// Config is the pusher's configuration (flags of govpulse serve).
type Config struct {
	// URL is VictoriaMetrics' Prometheus import endpoint, e.g.
	// http://vm:8428/api/v1/import/prometheus.
	URL string
	// Interval between pushes (default DefaultInterval).
	Interval time.Duration
	// ExtraLabels are added to every sample, e.g. `province="49"`: how one
	// VictoriaMetrics tells several govpulse instances apart.
	ExtraLabels string
}

// Validate checks the URL (an absolute http(s) URL) and the interval.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("push URL %q: want an absolute http or https URL such as http://vm:8428/api/v1/import/prometheus", c.URL)
	}
	if c.Interval < 0 {
		return errors.New("push interval must not be negative")
	}
	if c.ExtraLabels != "" && !extraLabels.MatchString(c.ExtraLabels) {
		return fmt.Errorf("extra labels %q: want a comma-separated list of name=\"value\", e.g. province=\"49\"", c.ExtraLabels)
	}
	return nil
}

// extraLabels is the form VictoriaMetrics' push accepts: checked at start,
// so a typo fails the command instead of every push.
var extraLabels = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*$`)

// Push sends what write writes once.
func Push(ctx context.Context, c Config, write func(io.Writer)) error {
	// The library pushes with GET unless told otherwise, which
	// VictoriaMetrics' import endpoint rejects.
	return metrics.PushMetricsExt(ctx, c.URL, write, &metrics.PushOptions{Method: http.MethodPost, ExtraLabels: c.ExtraLabels})
}

// Run pushes every Interval until ctx is done. A failing push is logged once
// until it succeeds again; the next push sends the then-current snapshot, so
// nothing queues up behind an unreachable VictoriaMetrics.
func Run(ctx context.Context, c Config, write func(io.Writer), logger *slog.Logger) {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	t := time.NewTicker(c.Interval)
	defer t.Stop()
	failing := false
	for {
		err := Push(ctx, c, write)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			logger.Error("cannot push to VictoriaMetrics; retrying every interval", "url", c.URL, "err", err)
			failing = true
		case err == nil && failing:
			logger.Info("pushing to VictoriaMetrics again", "url", c.URL)
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
