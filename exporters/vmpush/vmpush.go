// Package vmpush pushes govpulse's current snapshot to VictoriaMetrics: the
// scale-out path where a province's govpulse (or many provinces' instances,
// told apart by extra labels) feed one VictoriaMetrics without being scraped.
//
// It sends the pre-rendered exposition, so a push costs a copy, not a render.
// Pushed samples carry no timestamps: VictoriaMetrics stamps them on arrival.
package vmpush

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govpulse/govpulse/collector/catalog"
)

// DefaultInterval is how often the snapshot is pushed.
const DefaultInterval = 30 * time.Second

// DefaultTimeout bounds one push attempt.
const DefaultTimeout = 10 * time.Second

// maxAttempts bounds the attempts to push one snapshot (within its interval).
const maxAttempts = 3

// Config is the pusher's configuration (flags of govpulse serve).
type Config struct {
	// URL is VictoriaMetrics' Prometheus import endpoint, e.g.
	// http://vm:8428/api/v1/import/prometheus. It may carry basic auth
	// credentials (http://user:pass@vm:8428/…), which are never logged.
	URL string
	// Interval between pushes (default DefaultInterval).
	Interval time.Duration
	// Timeout of one push attempt (default DefaultTimeout); an attempt never
	// runs past its interval either.
	Timeout time.Duration
	// ExtraLabels are added to every sample, e.g. `province="49"`: how one
	// VictoriaMetrics tells several govpulse instances apart.
	ExtraLabels string
}

// Redacted is the URL with its password, if any, replaced by "xxxxx": the
// form every log line and error shows.
func (c Config) Redacted() string { return redact(c.URL) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)" // it may hold a password: show none of it
	}
	return u.Redacted()
}

// Validate checks the URL (an absolute http(s) URL) and the interval.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("push URL %q: want an absolute http or https URL such as http://vm:8428/api/v1/import/prometheus", redact(c.URL))
	}
	if c.Interval < 0 {
		return errors.New("push interval must not be negative")
	}
	if c.Timeout < 0 {
		return errors.New("push timeout must not be negative")
	}
	if c.ExtraLabels != "" && !extraLabels.MatchString(c.ExtraLabels) {
		return fmt.Errorf("extra labels %q: want a comma-separated list of name=\"value\", e.g. province=\"49\"", c.ExtraLabels)
	}
	return nil
}

// extraLabels is the form VictoriaMetrics' push accepts: checked at start,
// so a typo fails the command instead of every push.
var extraLabels = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*$`)

func (c Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// Push sends what write writes once, within c.Timeout. Its error never
// holds the URL's password.
func Push(ctx context.Context, c Config, write func(io.Writer)) error {
	pctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	// The library pushes with GET unless told otherwise, which
	// VictoriaMetrics' import endpoint rejects.
	err := metrics.PushMetricsExt(pctx, c.URL, write, &metrics.PushOptions{Method: http.MethodPost, ExtraLabels: c.ExtraLabels})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // the library reports a canceled push as a success
	}
	if err == nil {
		return nil
	}
	return scrub(err, c.URL)
}

// scrub returns err with the URL's password, wherever it occurs in the
// message, replaced by "xxxxx". errors.Is and As still see err.
func scrub(err error, raw string) error {
	u, perr := url.Parse(raw)
	if perr != nil {
		return &scrubbed{msg: "push failed (unparsable push URL)", err: err}
	}
	msg := err.Error()
	if pass, ok := u.User.Password(); ok && pass != "" {
		msg = strings.ReplaceAll(msg, raw, u.Redacted())
		msg = strings.ReplaceAll(msg, pass, "xxxxx")
		msg = strings.ReplaceAll(msg, url.QueryEscape(pass), "xxxxx")
		msg = strings.ReplaceAll(msg, url.PathEscape(pass), "xxxxx")
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// Stats counts pushes for /metrics. It is safe for concurrent use and is a
// prometheus.Collector of the catalog's push metrics; register it in the
// per-scrape part (prom.Events, with Changed set to its Changed).
type Stats struct {
	pushes, failures, dropped atomic.Uint64
	lastSuccess               atomic.Int64 // unix nanoseconds; 0: never
	// Changed, if set, is called after every attempt's counts are updated
	// (prom.Events.Changed: the next scrape shows them).
	Changed func()
}

func (s *Stats) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}

var (
	descPushes      = prometheus.NewDesc(catalog.PushTotal.Name, catalog.PushTotal.Help, nil, nil)
	descFailures    = prometheus.NewDesc(catalog.PushFailures.Name, catalog.PushFailures.Help, nil, nil)
	descDropped     = prometheus.NewDesc(catalog.PushSamplesDropped.Name, catalog.PushSamplesDropped.Help, nil, nil)
	descLastSuccess = prometheus.NewDesc(catalog.PushLastSuccess.Name, catalog.PushLastSuccess.Help, nil, nil)
)

// Describe implements prometheus.Collector.
func (s *Stats) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPushes
	ch <- descFailures
	ch <- descDropped
	ch <- descLastSuccess
}

// Collect implements prometheus.Collector.
func (s *Stats) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descPushes, prometheus.CounterValue, float64(s.pushes.Load()))
	ch <- prometheus.MustNewConstMetric(descFailures, prometheus.CounterValue, float64(s.failures.Load()))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(s.dropped.Load()))
	last := 0.0
	if ns := s.lastSuccess.Load(); ns != 0 {
		last = float64(ns) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(descLastSuccess, prometheus.GaugeValue, last)
}

// countSamples counts the sample lines of an exposition.
func countSamples(b []byte) uint64 {
	var n uint64
	for line := range bytes.Lines(b) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			n++
		}
	}
	return n
}

// pushInterval pushes one snapshot: up to maxAttempts attempts with a
// doubling backoff, none of them past the end of the interval. It returns
// the last attempt's error; a snapshot that could not be pushed is counted
// as dropped, never queued.
func pushInterval(ctx context.Context, c Config, snapshot []byte, stats *Stats) error {
	end := time.Now().Add(c.Interval)
	wait := min(time.Second, c.Interval/10)
	write := func(w io.Writer) { _, _ = w.Write(snapshot) }
	for attempt := 1; ; attempt++ {
		ac := c
		ac.Timeout = min(c.timeout(), time.Until(end))
		err := Push(ctx, ac, write)
		if ctx.Err() != nil {
			return ctx.Err() // shutting down: neither a push nor a failure
		}
		stats.pushes.Add(1)
		if err == nil {
			stats.lastSuccess.Store(time.Now().UnixNano())
			stats.changed()
			return nil
		}
		stats.failures.Add(1)
		if attempt == maxAttempts || time.Until(end) <= wait {
			stats.dropped.Add(countSamples(snapshot))
			stats.changed()
			return err
		}
		stats.changed()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// Run pushes every Interval until ctx is done, counting into stats (nil:
// not counted). Each interval's snapshot gets up to three attempts, each
// bounded by the timeout and all within the interval, so a stuck
// VictoriaMetrics never holds the loop. A failing interval is logged once
// until a push succeeds again; the next interval sends the then-current
// snapshot, so nothing queues up behind an unreachable VictoriaMetrics.
func Run(ctx context.Context, c Config, write func(io.Writer), stats *Stats, logger *slog.Logger) {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if stats == nil {
		stats = &Stats{}
	}
	t := time.NewTicker(c.Interval)
	defer t.Stop()
	failing := false
	var buf bytes.Buffer
	for {
		buf.Reset()
		write(&buf)
		err := pushInterval(ctx, c, buf.Bytes(), stats)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			logger.Error("cannot push to VictoriaMetrics; retrying every interval", "url", c.Redacted(), "err", err)
			failing = true
		case err == nil && failing:
			logger.Info("pushing to VictoriaMetrics again", "url", c.Redacted())
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
