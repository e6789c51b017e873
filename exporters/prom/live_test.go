package prom

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// countingGatherer counts its Gather calls and serves a counter whose
// value is that count.
type countingGatherer struct{ n atomic.Int64 }

func (g *countingGatherer) Gather() ([]*dto.MetricFamily, error) {
	n := g.n.Add(1)
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "gathers_total", Help: "Gathers."})
	c.Add(float64(n))
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return reg.Gather()
}

// TestLiveMaxAge: the live part is gathered at most once per LiveMaxAge,
// again once it is older, and again for a new rendering (whose families it
// must leave out).
func TestLiveMaxAge(t *testing.T) {
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	g := &countingGatherer{}
	h := e.Handler(g, discard()).(*handler)
	h.background = false // counted here: only the scrapes gather
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, ict)
	h.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	value := func(gz bool) string { t.Helper(); return valueOf(t, h, gz, "gathers_total") }
	steps := []struct {
		name  string
		do    func()
		gz    bool
		value string
	}{
		{"first scrape", func() {}, false, "1"},
		{"same second, gzip", func() { advance(LiveMaxAge / 2) }, true, "1"},
		{"just under the age", func() { advance(LiveMaxAge/2 - time.Nanosecond) }, false, "1"},
		{"at the age", func() { advance(time.Nanosecond) }, false, "2"},
		{"a new rendering", func() { e.Update(goldenSnapshot()) }, true, "3"},
		{"then cached again", func() {}, false, "3"},
	}
	for _, s := range steps {
		s.do()
		if got := value(s.gz); got != s.value {
			t.Errorf("%s: gathers_total %s, want %s", s.name, got, s.value)
		}
	}
	if g.n.Load() != 3 {
		t.Errorf("%d gathers, want 3", g.n.Load())
	}
}

// TestLiveGatheredOncePerAgeUnderLoad: many concurrent scrapes within one
// LiveMaxAge share one gathering.
func TestLiveGatheredOncePerAgeUnderLoad(t *testing.T) {
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	g := &countingGatherer{}
	h := e.Handler(g, discard()).(*handler)
	h.background = false
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, ict)
	h.now = func() time.Time { return at }
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
			h.ServeHTTP(newRecorder(), req)
		})
	}
	wg.Wait()
	if n := g.n.Load(); n != 1 {
		t.Errorf("%d gathers for 32 scrapes at one instant, want 1", n)
	}
}

// TestLiveKeptFresh: after a scrape the live part is gathered in the
// background every maxAge, without scrapes, and the gathering stops once no
// scrape came for idle; a scrape restarts it.
func TestLiveKeptFresh(t *testing.T) {
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	g := &countingGatherer{}
	h := e.Handler(g, discard()).(*handler)
	h.maxAge, h.idle = 5*time.Millisecond, 50*time.Millisecond
	req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
	h.ServeHTTP(newRecorder(), req)
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("background gathers", func() bool { return g.n.Load() >= 3 })
	waitFor("the gathering to stop when idle", func() bool { return !h.running.Load() })
	stopped := g.n.Load()
	time.Sleep(4 * h.maxAge)
	if n := g.n.Load(); n != stopped {
		t.Errorf("%d gathers after it stopped", n-stopped)
	}
	h.ServeHTTP(newRecorder(), req)
	waitFor("a scrape to restart it", func() bool { return g.n.Load() >= stopped+3 })
}

// writeCounter counts the writes to each accepted connection.
type writeCounter struct {
	net.Listener
	writes atomic.Int64
}

func (l *writeCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, n: &l.writes}, nil
}

type countedConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countedConn) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}

// TestWritesPerScrape: over real HTTP on loopback, a gzip scrape of a
// 10k-series exposition with the default live part and a per-scrape part
// reaches the connection in no more writes than the floor's (a handler
// writing the same pre-rendered bytes with their Content-Length and nothing
// else; net/http makes that 2: headers with the buffer's first bytes, the
// rest). One write per family made it one per 64 KiB block; the live part
// after the snapshot made it 3.
func TestWritesPerScrape(t *testing.T) {
	e := NewExposition(discard())
	e.Update(benchSnapshot(10_000))
	live := liveRegistry()
	per := prometheus.NewRegistry() // as the daemon's: a reload outcome
	per.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "govpulse_config_last_reload_successful", Help: "h"}))
	slim := prometheus.NewRegistry()
	slim.MustRegister(BuildInfo("0.1.0-test", "abc1234"))
	floorBody := bytes.Clone(e.cur.Load().gz)
	floor := int64(-1)
	for _, c := range []struct {
		name string
		h    http.Handler
		gz   bool
	}{
		{"floor", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(floorBody)))
			_, _ = w.Write(floorBody)
		}), true},
		{"gzip", e.handler(live, per, discard()), true},
		{"gzip-slim", e.handler(Static(slim), per, discard()), true}, // --web.disable-exporter-metrics
	} {
		t.Run(c.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			wc := &writeCounter{Listener: ln}
			srv := &http.Server{Handler: c.h, ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = srv.Serve(wc) }()
			t.Cleanup(func() { _ = srv.Close() })
			url := "http://" + ln.Addr().String()
			for i := range 3 {
				before := wc.writes.Load()
				body, _ := scrape(t, url, c.gz)
				if len(body) < 10_000 {
					t.Fatalf("a %d-byte body", len(body))
				}
				// The response is complete when the client has read it all.
				n := wc.writes.Load() - before
				if floor < 0 {
					floor = n
					t.Logf("the floor: %d writes per scrape", n)
				}
				if n > floor {
					t.Errorf("scrape %d: %d writes to the connection, the floor's %d", i, n, floor)
				}
			}
		})
	}
}

// TestPerScrapeGatheredEveryScrape: ServerConfig.PerScrape is gathered on
// every scrape, beside a live part that is not.
func TestPerScrapeGatheredEveryScrape(t *testing.T) {
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	live, per := &countingGatherer{}, &countingGatherer{}
	srv := httptest.NewServer(NewMux(e, live, ServerConfig{PerScrape: per}, discard()))
	defer srv.Close()
	for i := 1; i <= 3; i++ {
		for _, gz := range []bool{false, true} {
			body, _ := scrape(t, srv.URL, gz)
			if gz {
				body = gunzip(t, body)
			}
			if n := strings.Count(string(body), "\ngathers_total "); n != 2 {
				t.Fatalf("gathers_total %d times, want 2 (live and per scrape):\n%s", n, body)
			}
		}
	}
	if per.n.Load() != 6 || live.n.Load() >= 6 {
		t.Errorf("per-scrape gathered %d times, live %d times, in 6 scrapes", per.n.Load(), live.n.Load())
	}
}

// TestEventsGatheredOnlyWhenChanged: an *Events per-scrape part is gathered
// again only after Changed, and the scrape after a change shows it.
func TestEventsGatheredOnlyWhenChanged(t *testing.T) {
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	ev := &countedEvents{Events: NewEvents()}
	counter := &ev.n
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "govpulse_test_event", Help: "h"})
	ev.MustRegister(g)
	h := e.handler(nil, ev, discard())
	value := func(gz bool) string { t.Helper(); return valueOf(t, h, gz, "govpulse_test_event") }
	for range 3 {
		for _, gz := range []bool{false, true} {
			if v := value(gz); v != "0" {
				t.Fatalf("gzip=%v: %s, want 0", gz, v)
			}
		}
	}
	if n := counter.Load(); n != 1 {
		t.Errorf("gathered %d times in 6 scrapes without a change, want 1", n)
	}
	g.Set(7)
	ev.Changed()
	for _, gz := range []bool{false, true} {
		if v := value(gz); v != "7" {
			t.Fatalf("gzip=%v: %s after the change, want 7", gz, v)
		}
	}
	if n := counter.Load(); n != 2 {
		t.Errorf("gathered %d times, want 2 (once more after the change)", n)
	}
}

type countedEvents struct {
	*Events
	n atomic.Int64
}

func (c *countedEvents) Gather() ([]*dto.MetricFamily, error) {
	c.n.Add(1)
	return c.Events.Gather()
}
