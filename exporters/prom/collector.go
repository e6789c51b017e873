package prom

import (
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// SnapshotCollector is a prometheus.Collector over a Snapshot: every Collect
// emits const metrics for every sample of every source plus the per-source
// health. Label sets that vanish from the snapshot vanish from the output by
// themselves, which a *Vec would not do.
//
// It is unchecked (Describe sends nothing) because its families depend on the
// snapshot. Serving /metrics goes through Exposition instead, which renders
// once per publication; this collector is the reference it is tested against.
type SnapshotCollector struct {
	get    func() *store.Snapshot
	logger *slog.Logger
}

// NewCollector returns a collector over the fixed snapshot sn. A nil logger
// discards.
func NewCollector(sn *store.Snapshot, logger *slog.Logger) *SnapshotCollector {
	return NewCollectorFunc(func() *store.Snapshot { return sn }, logger)
}

// NewCollectorFunc returns a collector over whatever get returns at Collect
// time, e.g. (*store.Store).Snapshot. A nil logger discards.
func NewCollectorFunc(get func() *store.Snapshot, logger *slog.Logger) *SnapshotCollector {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &SnapshotCollector{get: get, logger: logger}
}

// Describe sends nothing: the collector is unchecked.
func (c *SnapshotCollector) Describe(chan<- *prometheus.Desc) {}

// Collect emits the snapshot. A sample that cannot become a metric is skipped
// and counted in one warning per Collect, so one bad value never fails a scrape.
func (c *SnapshotCollector) Collect(ch chan<- prometheus.Metric) {
	sn := c.get()
	if sn == nil {
		return
	}
	health := healthSamples(sn)
	results := make([]*source.Result, 0, len(sn.Sources)+1)
	for _, st := range sn.Sources {
		if st.Result != nil {
			results = append(results, st.Result)
		}
	}
	results = append(results, health)

	// Two configured sources of one kind share families; the same series from
	// both would make the registry fail the whole scrape. The first one, in
	// snapshot order, wins, as in Exposition.
	shared := sharedFamilies(results)
	var seen map[string]struct{}
	if len(shared) > 0 {
		seen = make(map[string]struct{})
	}
	var (
		bad      int
		firstErr error
		key      strings.Builder
	)
	for _, res := range results {
		for i := range res.Samples {
			s := &res.Samples[i]
			if shared[s.Metric.Name] {
				key.Reset()
				key.WriteString(s.Metric.Name)
				for _, v := range s.Labels {
					key.WriteByte(0xff)
					key.WriteString(v)
				}
				if _, dup := seen[key.String()]; dup {
					continue
				}
				seen[key.String()] = struct{}{}
			}
			m, err := prometheus.NewConstMetric(descOf(s.Metric), valueType(s.Metric.Kind), s.Value, s.Labels...)
			if err != nil {
				if bad == 0 {
					firstErr = err
				}
				bad++
				continue
			}
			ch <- m
		}
	}
	if bad > 0 {
		c.logger.Warn("skipped samples that cannot be exported", "count", bad, "err", firstErr)
	}
}

// descs caches one Desc per catalogue metric: metrics are shared by pointer, so
// the cache stays as small as the catalogue.
var descs sync.Map // *catalog.Metric -> *prometheus.Desc

func descOf(m *catalog.Metric) *prometheus.Desc {
	if d, ok := descs.Load(m); ok {
		return d.(*prometheus.Desc)
	}
	d, _ := descs.LoadOrStore(m, prometheus.NewDesc(m.Name, m.Help, m.Labels, nil))
	return d.(*prometheus.Desc)
}

func valueType(k catalog.Kind) prometheus.ValueType {
	if k == catalog.Counter {
		return prometheus.CounterValue
	}
	return prometheus.GaugeValue
}

// sharedFamilies returns the names of the families that more than one result
// contributes to. Samples come grouped by metric, so the pointer check keeps
// map work to one lookup per run of samples.
func sharedFamilies(results []*source.Result) map[string]bool {
	owner := make(map[string]int)
	var shared map[string]bool
	for i, res := range results {
		var last *catalog.Metric
		for j := range res.Samples {
			m := res.Samples[j].Metric
			if m == last {
				continue
			}
			last = m
			o, ok := owner[m.Name]
			switch {
			case !ok:
				owner[m.Name] = i
			case o != i:
				if shared == nil {
					shared = make(map[string]bool)
				}
				shared[m.Name] = true
			}
		}
	}
	return shared
}
