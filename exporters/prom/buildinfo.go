package prom

import (
	"runtime"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/govpulse/govpulse/collector/catalog"
)

// BuildInfo returns the govpulse_build_info{version,revision,goversion} 1
// gauge. Empty version or revision read "unknown", so the series always joins.
func BuildInfo(version, revision string) prometheus.Collector {
	if version == "" {
		version = "unknown"
	}
	if revision == "" {
		revision = "unknown"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: catalog.BuildInfo.Name,
		Help: catalog.BuildInfo.Help,
		ConstLabels: prometheus.Labels{
			catalog.LabelVersion:   version,
			catalog.LabelRevision:  revision,
			catalog.LabelGoVersion: runtime.Version(),
		},
	})
	g.Set(1)
	return g
}

// NewLiveRegistry returns the registry of the per-scrape live part: build
// info, the Go runtime (go_*) and the process (process_*). Pass it to NewMux
// both as the live Gatherer and as ServerConfig.Instrument to add the
// promhttp_metric_handler_* scrape counters.
func NewLiveRegistry(version, revision string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		BuildInfo(version, revision),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Static gathers g once, on first use, and returns the same families ever
// after. With --web.disable-exporter-metrics the live part is only build info,
// which never changes: gathering it per scrape would be the scrape's largest
// cost.
func Static(g prometheus.Gatherer) prometheus.Gatherer {
	return &static{g: g}
}

type static struct {
	g    prometheus.Gatherer
	once sync.Once
	fams []*dto.MetricFamily
	err  error
}

func (s *static) Gather() ([]*dto.MetricFamily, error) {
	s.once.Do(func() { s.fams, s.err = s.g.Gather() })
	return s.fams, s.err
}
