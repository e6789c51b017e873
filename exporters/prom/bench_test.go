package prom

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// Reproduce (README): go test -run '^$' -bench . -benchtime 20x ./exporters/prom/

// benchFields are field (lĩnh vực) codes as one-stop systems send them.
var benchFields = []string{"DD", "HT", "XD", "TNMT", "GT", "TP", "KHDT", "CT", "NN", "LDTBXH",
	"GDDT", "YT", "VHTTDL", "NV", "TC", "TTTT", "KHCN", "DT", "TTr", "QPAN"}

// seriesPerAgency is what one agency costs in the one-stop families: per field
// and period, 3 channels + carried over + 3 resolved + 2 in progress +
// withdrawn + awaiting supplement = 11 series.
const seriesPerAgency = 11 * 3 // × len(benchFields)

// benchSnapshot is a province with about `series` one-stop series (agencies ×
// 20 fields × 3 periods × 11) plus the unit lists and health.
func benchSnapshot(series int) *store.Snapshot {
	agencies := max(1, series/(seriesPerAgency*len(benchFields)))
	rng := rand.New(rand.NewPCG(1, 2))
	n := func() float64 { return float64(rng.IntN(500)) }
	units, res := &source.Result{}, &source.Result{}
	for i := range agencies {
		code := fmt.Sprintf("000.%02d.%02d.H47", 20+i/100, i%100)
		level := catalog.LevelCommune
		if i < 20 {
			level = catalog.LevelDept
		}
		units.Add(catalog.AgencyInfo, 1, code, fmt.Sprintf("Đơn vị số %d", i), level, "000.00.00.H47", "")
		for _, f := range benchFields {
			for _, p := range catalog.Periods {
				for _, c := range []string{catalog.ChannelInPerson, catalog.ChannelOnline, catalog.ChannelPostal} {
					res.Add(catalog.DossiersReceived, n(), code, f, p, c)
				}
				res.Add(catalog.DossiersCarriedOver, n(), code, f, p)
				for _, tl := range catalog.ResolvedTimeliness {
					res.Add(catalog.DossiersResolved, n(), code, f, p, tl)
				}
				for _, tl := range catalog.InProgressTimeliness {
					res.Add(catalog.DossiersInProgress, n(), code, f, p, tl)
				}
				res.Add(catalog.DossiersWithdrawn, n(), code, f, p)
				res.Add(catalog.DossiersAwaitingSupplement, n(), code, f, p)
			}
		}
	}
	for _, f := range benchFields {
		units.Add(catalog.FieldInfo, 1, f, "Lĩnh vực "+f)
	}
	at := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	return &store.Snapshot{Gen: 1, Sources: []*store.SourceState{
		{Name: "don_vi", Kind: catalog.SourceUnits, Internal: true, Result: units, Up: true, LastSuccess: at},
		{Name: "mot_cua", Kind: catalog.SourceOnestop, Interval: 15 * time.Minute, Result: res, Up: true,
			LastSuccess: at, LastRun: at, Duration: 3 * time.Second},
	}}
}

// reportCPU adds the process CPU time per op since start (GC included).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func seriesCount(sn *store.Snapshot) int {
	n := 0
	for _, st := range sn.Sources {
		n += len(st.Result.Samples)
	}
	return n
}

var benchSizes = []int{10_000, 100_000}

// BenchmarkScrape compares, per scrape at each size: our handler (pre-rendered
// snapshot + live part; -nolive without the live part), the live part alone,
// the floor of writing the same pre-rendered bytes and nothing else, and
// promhttp over const metrics built on every scrape (what Exposition avoids).
// The writer copies the body into a reused buffer: the cost of handing the
// bytes to a socket, without the allocator noise of a growing recorder.
func BenchmarkScrape(b *testing.B) {
	for _, size := range benchSizes {
		sn := benchSnapshot(size)
		b.Run(fmt.Sprintf("series=%d", size), func(b *testing.B) {
			b.Logf("%d data series", seriesCount(sn))
			e := NewExposition(discard())
			e.Update(sn)
			live := liveRegistry()
			ours := promhttp.InstrumentMetricHandler(live, e.Handler(live, discard()))
			r := e.cur.Load()
			gzBytes, plainBytes := bytes.Clone(r.gz), bytes.Clone(r.plain)
			baseline := func(body []byte) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
			}
			snapReg := prometheus.NewRegistry()
			snapReg.MustRegister(NewCollector(sn, discard()))
			liveOnly := promhttp.InstrumentMetricHandler(live, NewExposition(discard()).Handler(live, discard()))
			// --web.disable-exporter-metrics: no Go and process collectors.
			slim := prometheus.NewRegistry()
			slim.MustRegister(BuildInfo("bench", "bench"))
			oursSlim := e.Handler(Static(slim), discard())
			perScrape := promhttp.HandlerFor(prometheus.Gatherers{snapReg, live}, promhttp.HandlerOpts{})

			for _, c := range []struct {
				name string
				h    http.Handler
				gz   bool
			}{
				{"prerendered-plain", ours, false},
				{"prerendered-gzip", ours, true},
				{"prerendered-plain-slimlive", oursSlim, false},
				{"prerendered-gzip-slimlive", oursSlim, true},
				{"prerendered-plain-nolive", e.Handler(nil, discard()), false},
				{"prerendered-gzip-nolive", e.Handler(nil, discard()), true},
				{"live-only", liveOnly, true},
				{"baseline-bytes", baseline(gzBytes), true},
				{"baseline-bytes-plain", baseline(plainBytes), false},
				{"const-metrics-per-scrape", perScrape, false},
				{"const-metrics-per-scrape-gzip", perScrape, true},
			} {
				b.Run(c.name, func(b *testing.B) {
					req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
					if c.gz {
						req.Header.Set("Accept-Encoding", "gzip")
					}
					rec := newRecorder()
					rec.buf.Grow(len(plainBytes) + 1<<20)
					b.ReportAllocs()
					cpu := processCPU()
					for b.Loop() {
						rec.buf.Reset()
						clear(rec.hdr)
						c.h.ServeHTTP(rec, req)
					}
					reportCPU(b, cpu)
					b.ReportMetric(float64(rec.buf.Len()), "body-bytes")
				})
			}
		})
	}
}

// BenchmarkUpdate is the render-on-publish cost: everything from scratch
// (first snapshot), one source's new Result (a run succeeded), and health
// only (a run failed; the data blocks are reused).
func BenchmarkUpdate(b *testing.B) {
	for _, size := range benchSizes {
		sn := benchSnapshot(size)
		b.Run(fmt.Sprintf("series=%d", size), func(b *testing.B) {
			b.Run("full", func(b *testing.B) {
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					NewExposition(discard()).Update(sn)
				}
				reportCPU(b, cpu)
			})
			b.Run("source-changed", func(b *testing.B) {
				e := NewExposition(discard())
				e.Update(sn)
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					next, st := *sn, *sn.Sources[1]
					res := *st.Result // same samples, new Result: a new publication
					st.Result = &res
					next.Sources = []*store.SourceState{sn.Sources[0], &st}
					e.Update(&next)
				}
				reportCPU(b, cpu)
			})
			b.Run("health-only", func(b *testing.B) {
				e := NewExposition(discard())
				e.Update(sn)
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					next, st := *sn, *sn.Sources[1]
					st.Up = !st.Up
					next.Sources = []*store.SourceState{sn.Sources[0], &st}
					e.Update(&next)
				}
				reportCPU(b, cpu)
			})
		})
	}
}

// TestBenchSnapshotValid keeps the benchmark honest: its snapshot passes the
// store's gate and renders exactly as the collector does.
func TestBenchSnapshotValid(t *testing.T) {
	sn := benchSnapshot(2000)
	for _, st := range sn.Sources {
		for _, s := range st.Result.Samples {
			if err := s.Metric.ValidateLabels(s.Labels); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, want := expositionText(t, sn), collectorText(t, sn); !bytes.Equal(got, want) {
		diffLines(t, want, got)
	}
}
