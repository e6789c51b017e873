package main

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govpulse/govpulse/collector/catalog"
)

// reloadStatus is the outcome of the last config load for /metrics
// (govpulse_config_last_reload_successful and
// govpulse_config_last_reload_success_timestamp_seconds), as Prometheus
// reports its own: the start counts as a successful load, a refused reload
// sets 0 until a later one succeeds. It is a prometheus.Collector, safe for
// concurrent use.
type reloadStatus struct {
	failed atomic.Bool
	last   atomic.Int64 // unix nanoseconds of the last successful load
	// changed, if set, is told of every recorded outcome (prom.Events.Changed).
	changed func()
}

var (
	descReloadOK   = prometheus.NewDesc(catalog.ConfigReloadSuccess.Name, catalog.ConfigReloadSuccess.Help, nil, nil)
	descReloadTime = prometheus.NewDesc(catalog.ConfigReloadSuccessTime.Name, catalog.ConfigReloadSuccessTime.Help, nil, nil)
)

// record notes a load's outcome at t: err nil is a success.
func (r *reloadStatus) record(err error, t time.Time) {
	if r.changed != nil {
		defer r.changed()
	}
	if err != nil {
		r.failed.Store(true)
		return
	}
	r.last.Store(t.UnixNano())
	r.failed.Store(false)
}

// Describe implements prometheus.Collector.
func (r *reloadStatus) Describe(ch chan<- *prometheus.Desc) {
	ch <- descReloadOK
	ch <- descReloadTime
}

// Collect implements prometheus.Collector.
func (r *reloadStatus) Collect(ch chan<- prometheus.Metric) {
	ok := 1.0
	if r.failed.Load() {
		ok = 0
	}
	ch <- prometheus.MustNewConstMetric(descReloadOK, prometheus.GaugeValue, ok)
	ch <- prometheus.MustNewConstMetric(descReloadTime, prometheus.GaugeValue, float64(r.last.Load())/1e9)
}
