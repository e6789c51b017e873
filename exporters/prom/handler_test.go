package prom

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/store"
)

// serve starts the real mux on 127.0.0.1 with a live registry that also counts
// scrapes, as the daemon wires it.
func serve(t *testing.T, e *Exposition, cfg ServerConfig) (*httptest.Server, *prometheus.Registry) {
	t.Helper()
	live := liveRegistry()
	cfg.Instrument = live
	srv := httptest.NewServer(NewMux(e, live, cfg, discard()))
	t.Cleanup(srv.Close)
	return srv, live
}

// rawClient neither asks for gzip by itself nor decompresses, so each test
// sees the body exactly as sent.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second}

// scrape fetches /metrics as Prometheus does; gz asks for gzip and returns
// the body exactly as sent (the transport does not decompress it).
func scrape(t *testing.T, url string, gz bool) ([]byte, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Uncompressed {
		t.Fatal("the transport decompressed the body")
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	return body, resp
}

// TestHandlerPlainAndGzip: over real HTTP, both encodings parse as Prometheus
// parses them and hold exactly the families of the collector plus the live
// registry, each once.
func TestHandlerPlainAndGzip(t *testing.T) {
	sn := goldenSnapshot()
	e := NewExposition(discard())
	e.Update(sn)
	srv, live := serve(t, e, ServerConfig{})
	scrape(t, srv.URL, false) // so that the scrape counters exist in both views

	snapReg := prometheus.NewRegistry()
	snapReg.MustRegister(NewCollector(sn, discard()))
	want := parse(t, gatherText(t, prometheus.Gatherers{snapReg, live}))
	// Values of these change between two gathers; only their presence is compared.
	volatile := func(name string) bool {
		return strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_")
	}

	for _, gz := range []bool{false, true} {
		t.Run("gzip="+strconv.FormatBool(gz), func(t *testing.T) {
			body, resp := scrape(t, srv.URL, gz)
			if ct := resp.Header.Get("Content-Type"); ct != ContentType {
				t.Errorf("Content-Type %q, want %q", ct, ContentType)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q, body has %d bytes", cl, len(body))
			}
			if ce := resp.Header.Get("Content-Encoding"); (ce == "gzip") != gz {
				t.Errorf("Content-Encoding %q with gzip=%v", ce, gz)
			}
			if gz {
				// Cached family members plus the live member: a multistream body.
				if n := gzipMembers(t, body); n < 2 {
					t.Errorf("%d gzip members, want the snapshot's and the live part's", n)
				}
				body = gunzip(t, body)
			}
			for name, n := range typeLines(body) {
				if n != 1 {
					t.Errorf("family %s written %d times", name, n)
				}
			}
			got := parse(t, body)
			for name, mf := range want {
				g, ok := got[name]
				switch {
				case !ok:
					t.Errorf("missing family %s", name)
				case g.GetType() != mf.GetType() || g.GetHelp() != mf.GetHelp():
					t.Errorf("family %s: type/help %v %q, want %v %q", name, g.GetType(), g.GetHelp(), mf.GetType(), mf.GetHelp())
				case !volatile(name) && canon(t, g) != canon(t, mf):
					t.Errorf("family %s:\n got %s\nwant %s", name, canon(t, g), canon(t, mf))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("unexpected family %s", name)
				}
			}
			for _, name := range []string{"govpulse_build_info", "go_goroutines", "process_cpu_seconds_total", "promhttp_metric_handler_requests_total", "govpulse_source_up", "tthc_dossiers_received"} {
				if _, ok := got[name]; !ok {
					t.Errorf("missing %s", name)
				}
			}
		})
	}
}

// TestHandlerDropsShadowedLiveFamilies: a live registry that (by mistake)
// also exports snapshot families does not make them appear twice.
func TestHandlerDropsShadowedLiveFamilies(t *testing.T) {
	sn := goldenSnapshot()
	e := NewExposition(discard())
	e.Update(sn)
	live := prometheus.NewRegistry()
	live.MustRegister(NewCollector(sn, discard()), BuildInfo("1", "r"))
	for _, gz := range []bool{false, true} {
		body, _ := get(t, e.Handler(live, discard()), gz)
		if gz {
			body = gunzip(t, body)
		}
		for name, n := range typeLines(body) {
			if n != 1 {
				t.Errorf("gzip=%v: family %s written %d times", gz, name, n)
			}
		}
		if _, ok := parse(t, body)["govpulse_build_info"]; !ok {
			t.Errorf("gzip=%v: live-only family dropped", gz)
		}
	}
}

// TestEmptyExposition: before the first snapshot, with nothing live, both
// encodings are still valid bodies.
func TestEmptyExposition(t *testing.T) {
	e := NewExposition(nil)
	h := e.Handler(nil, nil)
	if body, hdr := get(t, h, false); len(body) != 0 || hdr.Get("Content-Length") != "0" {
		t.Errorf("plain: %q, Content-Length %q", body, hdr.Get("Content-Length"))
	}
	body, _ := get(t, h, true)
	if out := gunzip(t, body); len(out) != 0 {
		t.Errorf("gzip: decoded %q", out)
	}
	e.Update(nil)
	e.Update(&store.Snapshot{})
	if body, _ := get(t, h, false); len(body) != 0 {
		t.Errorf("empty snapshot: %q", body)
	}
}

// TestPromtoolCheckMetrics runs the real promtool over a full scrape.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if _, serr := os.Stat("/usr/bin/promtool"); serr != nil {
			if os.Getenv("CI") == "" {
				t.Skip("promtool not installed (apt-get install prometheus); CI requires it")
			}
			t.Fatalf("promtool is required in CI: %v", err)
		}
		promtool = "/usr/bin/promtool"
	}
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	srv, _ := serve(t, e, ServerConfig{})
	scrape(t, srv.URL, false)
	body, _ := scrape(t, srv.URL, false)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestUpdateAfterPublish drives the exposition from a real store: new data
// shows at the next scrape, and a failure keeps the data while up drops to 0.
func TestUpdateAfterPublish(t *testing.T) {
	st := store.New(discard(), 0)
	e := NewExposition(discard())
	st.Subscribe(e.Update)
	srv, _ := serve(t, e, ServerConfig{})

	st.Register("mot_cua", catalog.SourceOnestop, 15*time.Minute, false)
	st.Register("mot_cua_huyen", catalog.SourceOnestop, time.Hour, false)
	value := func(gz bool, series string) string {
		t.Helper()
		body, _ := scrape(t, srv.URL, gz)
		if gz {
			body = gunzip(t, body)
		}
		return lineValue(body, series)
	}
	received := `tthc_dossiers_received{agency="000.00.31.H47",channel="truc_tuyen",field="DD",period="month"}`
	district := `tthc_dossiers_received{agency="000.20.31.H47",channel="truc_tuyen",field="DD",period="month"}`
	up := `govpulse_source_up{source="mot_cua"}`
	timeouts := `govpulse_source_errors_total{reason="timeout",source="mot_cua"}`
	for _, gz := range []bool{false, true} {
		if v := value(gz, up); v != "0" {
			t.Fatalf("registered, never run: up %s", v)
		}
	}

	t0 := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	publish := func(name, agency string, n float64, at time.Time) {
		res := &source.Result{}
		res.Add(catalog.DossiersReceived, n, agency, "DD", catalog.PeriodMonth, catalog.ChannelOnline)
		st.Publish(name, res, at, time.Second)
	}
	publish("mot_cua", agJustice, 10, t0)
	publish("mot_cua_huyen", agDistrict, 5, t0)
	for _, gz := range []bool{false, true} {
		if v := value(gz, received); v != "10" {
			t.Fatalf("gzip=%v: after first publish: %s", gz, v)
		}
	}
	publish("mot_cua", agJustice, 11, t0.Add(15*time.Minute))
	for _, gz := range []bool{false, true} {
		if v, u := value(gz, received), value(gz, up); v != "11" || u != "1" {
			t.Fatalf("gzip=%v: after second publish: value %s up %s", gz, v, u)
		}
		if v := value(gz, district); v != "5" {
			t.Fatalf("gzip=%v: the other source's data changed: %s", gz, v)
		}
	}
	st.Fail("mot_cua", source.Errorf(catalog.ReasonTimeout, "deadline"), t0.Add(30*time.Minute), 30*time.Second)
	for _, gz := range []bool{false, true} {
		if v, u, n := value(gz, received), value(gz, up), value(gz, timeouts); v != "11" || u != "0" || n != "1" {
			t.Fatalf("gzip=%v: after failure: value %s (want 11), up %s (want 0), timeouts %s (want 1)", gz, v, u, n)
		}
	}
	st.Unregister(map[string]bool{"mot_cua_huyen": true})
	if v, u := value(false, received), value(false, up); v != "absent" || u != "absent" {
		t.Fatalf("after unregister: value %s up %s", v, u)
	}
}

// TestUpdateReusesUnchangedBlocks: a publication re-renders only the families
// whose data changed (a new Result with the same samples is not a change);
// results that left the snapshot leave the cache.
func TestUpdateReusesUnchangedBlocks(t *testing.T) {
	sn := goldenSnapshot()
	e := NewExposition(discard())
	e.Update(sn)
	mc := sn.Source("mot_cua").Result
	blk := func(name string) *block {
		if f := e.families[name]; f != nil {
			return f.blk
		}
		return nil
	}
	carried := blk(catalog.DossiersCarriedOver.Name) // mot_cua alone
	info := blk(catalog.AgencyInfo.Name)             // units alone
	shared := blk(catalog.DossiersReceived.Name)     // both one-stop sources
	up := blk(catalog.SourceUp.Name)                 // health
	if carried == nil || info == nil || shared == nil || up == nil {
		t.Fatalf("blocks not cached: %v %v %v %v", carried, info, shared, up)
	}
	if len(e.families[catalog.DossiersReceived.Name].owners) != 2 {
		t.Fatalf("received: %d owners, want both one-stop sources", len(e.families[catalog.DossiersReceived.Name].owners))
	}
	for res, ri := range e.results {
		if ri.idx != nil {
			t.Errorf("the index of %p is kept after publication", res)
		}
	}

	// mot_cua fails: same Result, new health.
	next := *sn
	next.Sources = append([]*store.SourceState(nil), sn.Sources...)
	failed := *sn.Source("mot_cua")
	failed.Up = false
	next.Sources[1] = &failed
	e.Update(&next)
	if blk(catalog.DossiersCarriedOver.Name) != carried || blk(catalog.DossiersReceived.Name) != shared {
		t.Error("unchanged data was re-rendered")
	}
	if blk(catalog.SourceUp.Name) == up {
		t.Error("source_up changed but its block was reused")
	}

	// mot_cua runs again and brings the same figures: a new Result, the
	// same samples; nothing of its data is rendered again.
	same := *mc
	again := failed
	again.Result, again.Up = &same, false
	next.Sources[1] = &again
	e.Update(&next)
	if blk(catalog.DossiersCarriedOver.Name) != carried || blk(catalog.DossiersReceived.Name) != shared {
		t.Error("a new Result with the same samples was re-rendered")
	}
	if _, ok := e.results[mc]; ok {
		t.Error("the replaced Result is still cached")
	}

	// mot_cua publishes new data: its blocks change, the units' do not.
	res := &source.Result{}
	res.Add(catalog.DossiersCarriedOver, 13, agPlanning, "DD", catalog.PeriodMonth)
	republished := failed
	republished.Result, republished.Up = res, true
	next.Sources[1] = &republished
	e.Update(&next)
	if blk(catalog.AgencyInfo.Name) != info {
		t.Error("the units' block was re-rendered")
	}
	if blk(catalog.DossiersCarriedOver.Name) == carried {
		t.Error("changed data kept its old block")
	}
	if f := e.families[catalog.DossiersReceived.Name]; f == nil || len(f.owners) != 1 {
		t.Error("received: want one owner now that mot_cua no longer reports it")
	}
	body, _ := get(t, e.Handler(nil, nil), false)
	if !strings.Contains(string(body), `tthc_dossiers_carried_over{agency="000.00.32.H47",field="DD",period="month"} 13`+"\n") ||
		strings.Contains(string(body), `tthc_dossiers_received{agency="000.00.31.H47"`) {
		t.Fatalf("stale data after republish:\n%s", body)
	}
	if got, want := body, collectorText(t, &next); !bytes.Equal(got, want) {
		diffLines(t, want, got)
	}
}

// TestConcurrentScrapesAndUpdates is for -race: scrapes over HTTP (plain and
// gzip) run while the store publishes.
func TestConcurrentScrapesAndUpdates(t *testing.T) {
	st := store.New(discard(), 0)
	e := NewExposition(discard())
	st.Subscribe(e.Update)
	ev := NewEvents() // changed while scraped, as pushes and reloads do
	events := prometheus.NewCounter(prometheus.CounterOpts{Name: "govpulse_test_events_seen_total", Help: "h"})
	ev.MustRegister(events)
	srv, _ := serve(t, e, ServerConfig{PerScrape: ev})
	st.Register("mot_cua", catalog.SourceOnestop, time.Minute, false)

	var (
		wg      sync.WaitGroup
		scrapes atomic.Int64
	)
	stop := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := scrapeAndParse(srv.URL, i%2 == 0); err != nil {
					t.Error(err)
					return
				}
				scrapes.Add(1)
			}
		}()
	}
	// At least 100 publications, and until scrapes have overlapped them.
	deadline := time.Now().Add(5 * time.Second)
	for n := 0; n < 100 || (scrapes.Load() < 50 && time.Now().Before(deadline)); n++ {
		res := &source.Result{}
		for _, p := range catalog.Periods {
			res.Add(catalog.DossiersReceived, float64(n), agJustice, "DD", p, catalog.ChannelOnline)
		}
		events.Inc()
		ev.Changed()
		if n%3 == 0 {
			st.Fail("mot_cua", source.Errorf(catalog.ReasonHTTP5xx, "503"), time.Now(), time.Millisecond)
		} else {
			st.Publish("mot_cua", res, time.Now(), time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	if scrapes.Load() < 50 {
		t.Errorf("only %d scrapes ran during the publications", scrapes.Load())
	}
}

// scrapeAndParse is scrape for goroutines other than the test's: it returns
// errors instead of failing the test.
func scrapeAndParse(url string, gz bool) error {
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return err
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if gz {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return err
		}
		body = zr
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(body)
	if err != nil {
		return err
	}
	if _, ok := mfs[catalog.SourceUp.Name]; !ok {
		return errors.New("scrape without govpulse_source_up")
	}
	return nil
}
