package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
)

// needBinary returns the path of a real binary the test needs. Outside CI a
// missing binary skips; in CI (CI=true) it fails, so CI can never pass by
// skipping.
func needBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found in CI: .ci/run must install it", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func scrape(t *testing.T, url string) (map[string]*dto.MetricFamily, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("cannot parse /metrics: %v", err)
	}
	return fams, body
}

// label returns the value of label name in m.
func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// serving is an in-process `govpulse serve`.
type serving struct {
	addr   string
	cancel context.CancelFunc
	errc   chan error
}

// stop ends serve and returns what run returned; serve must stop within 15 s.
func (s *serving) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.errc:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s")
		return nil
	}
}

// startServe runs `govpulse serve args...` in-process on a free loopback port
// and waits until it answers. A port found free may be taken by another test
// process before serve binds it: a serve that cannot listen is retried on
// another port; any other early return fails the test with run's error.
func startServe(t *testing.T, stderr io.Writer, args ...string) *serving {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s := &serving{addr: freeAddr(t), errc: make(chan error, 1)}
		var ctx context.Context
		ctx, s.cancel = context.WithCancel(context.Background())
		full := append(append([]string{"serve"}, withDemoTime(args)...), "--web.listen-address", s.addr)
		go func() { s.errc <- run(ctx, full, io.Discard, stderr) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			select {
			case err := <-s.errc:
				s.cancel()
				if err != nil && strings.Contains(err.Error(), "cannot listen") && attempt < 3 {
					t.Logf("retrying on another port: %v", err)
				} else {
					t.Fatalf("serve returned at start: %v", err)
				}
			default:
				// The landing page names govpulse: not another process on the port.
				if body := httpBody("http://" + s.addr + "/"); strings.Contains(body, "govpulse") {
					return s
				}
				if time.Now().After(deadline) {
					s.cancel()
					t.Fatalf("serve did not answer within 20 s")
				}
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
	}
}

func httpBody(u string) string {
	resp, err := http.Get(u)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestDemoEndToEnd runs the README's first command in-process: serve --demo on
// a free port must serve every simulated agency with healthy sources, and its
// exposition must satisfy promtool.
func TestDemoEndToEnd(t *testing.T) {
	promtool := needBinary(t, "promtool")
	logs := &syncWriter{w: &bytes.Buffer{}}
	srv := startServe(t, logs, "--demo", "--web.enable-lifecycle")
	addr := srv.addr

	clock := testClock(t, testTime())
	demo := simulate.New(simulate.Options{Seed: 47, Now: clock})
	want := demo.Agencies()
	// Units with no dossier at all (Đặc khu Hoàng Sa has no residents) have
	// info series only.
	handles := map[string]bool{}
	for _, p := range source.CurrentPeriods(clock(), simulate.ICT) {
		for _, r := range demo.Report(p.From, p.To) {
			handles[r.Agency] = true
		}
	}
	if len(handles) < len(want)-2 {
		t.Fatalf("the simulator has dossiers for %d of %d agencies", len(handles), len(want))
	}
	var fams map[string]*dto.MetricFamily
	var body []byte
	start := time.Now()
	for {
		fams, body = scrape(t, "http://"+addr+"/metrics")
		if fams != nil && fams[catalog.DossiersReceived.Name] != nil && allUp(fams) {
			break
		}
		if time.Since(start) > 10*time.Second {
			_ = srv.stop(t)
			t.Fatalf("sources not all up with data within 10 s of start; logs:\n%s", logs.w)
		}
		time.Sleep(100 * time.Millisecond)
	}

	for _, m := range fams[catalog.SourceUp.Name].GetMetric() {
		if m.GetGauge().GetValue() != 1 {
			t.Errorf("source %s is down", label(m, catalog.LabelSource))
		}
	}
	seen := map[string]bool{}
	for _, m := range fams[catalog.DossiersReceived.Name].GetMetric() {
		seen[label(m, catalog.LabelAgency)] = true
	}
	info := map[string]bool{}
	for _, m := range fams[catalog.AgencyInfo.Name].GetMetric() {
		info[label(m, catalog.LabelAgency)] = true
	}
	for _, a := range want {
		if handles[a.Code] && !seen[a.Code] {
			t.Errorf("agency %s (%s) has no dossier series", a.Code, a.Name)
		}
		if !info[a.Code] {
			t.Errorf("agency %s has no info series", a.Code)
		}
	}

	// Every catalogue metric is on the demo, but the one a province must opt
	// into (officials' late dossiers, a privacy decision). In the first hour
	// of a year every period has just begun: nothing has been resolved or
	// synced yet, so per-period figures with no dossier behind them may be
	// absent (an absent series, not a made-up 0).
	at, err := time.Parse(time.RFC3339, testTime())
	if err != nil {
		t.Fatal(err)
	}
	at = at.In(simulate.ICT)
	yearJustBegun := at.YearDay() == 1 && at.Hour() == 0
	for _, m := range catalog.All() {
		if m == catalog.OfficialLateDossiers || (yearJustBegun && slices.Contains(m.Labels, catalog.LabelPeriod)) ||
			slices.Contains(catalog.PushMetrics, m) { // only with --vm.push-url: TestServePushMetrics
			continue
		}
		if len(fams[m.Name].GetMetric()) == 0 {
			t.Errorf("the demo exports no %s", m.Name)
		}
	}
	// The simulated feed carries applicant data in every record: none of it
	// may reach /metrics or the logs.
	for _, pii := range []string{simulate.FeedPII.Name, simulate.FeedPII.IDNumber, simulate.FeedPII.Phone, simulate.FeedPII.Email, simulate.FeedPII.Address, simulate.FeedPII.Summary, simulate.FeedPII.OfficialName} {
		if bytes.Contains(body, []byte(pii)) || strings.Contains(logs.String(), pii) {
			t.Errorf("personal data %q left govpulse", pii)
		}
	}

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	// The demo has no file to reload: a client error that says so.
	resp, err := http.Post("http://"+addr+"/-/reload", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "no config file to reload") {
		t.Errorf("POST /-/reload under --demo: %d %q, want 409 with the reason", resp.StatusCode, body)
	}

	if err := srv.stop(t); err != nil {
		t.Fatalf("serve returned %v", err)
	}
}

// syncWriter serialises writes: the daemon logs from several goroutines.
// allUp reports whether every source in the exposition is up.
func allUp(fams map[string]*dto.MetricFamily) bool {
	f := fams[catalog.SourceUp.Name]
	for _, m := range f.GetMetric() {
		if m.GetGauge().GetValue() != 1 {
			return false
		}
	}
	return len(f.GetMetric()) > 0
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.w)
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestFaultsKeepLastGoodData drives the simulator through 500, 429 with
// Retry-After, malformed JSON and an oversized body: /metrics keeps serving
// the last good values, govpulse_source_up drops to 0, the error counter rises
// with the right reason, and everything recovers with the simulator.
func TestFaultsKeepLastGoodData(t *testing.T) {
	before := runtime.NumGoroutine()
	clock := testClock(t, testTime())
	sim := simulate.New(simulate.Options{Seed: 47, Now: clock})
	up := httptest.NewServer(sim.Handler())
	cfg := &config.Config{
		Agencies: sim.Agencies(),
		Fields:   sim.Fields(),
		Sources: []config.Source{{
			Name: "onestop", Type: "onestop", Schedule: "@yearly", Timeout: 20 * time.Second,
			HTTP: httpc.Config{URL: up.URL, Retries: httpc.Int(1), RetryWait: 10 * time.Millisecond, RetryMaxWait: 2 * time.Second, RateLimit: 100, Burst: 10, MaxBodyBytes: 8 << 20},
		}},
	}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	d, err := newDaemon(cfg, clock, slog.New(slog.NewTextHandler(&logs, nil)), true)
	if err != nil {
		t.Fatal(err)
	}
	metrics := httptest.NewServer(d.exposition.Handler(d.live, slog.New(slog.NewTextHandler(io.Discard, nil))))

	d.sched.RunNow("onestop")
	good, _ := scrape(t, metrics.URL)
	goodData := dataValues(good)
	if len(goodData) < 1000 {
		t.Fatalf("only %d data series after a good run", len(goodData))
	}

	steps := []struct {
		faults simulate.Faults
		reason string
	}{
		{simulate.Faults{Mode: "error500"}, catalog.ReasonHTTP5xx},
		{simulate.Faults{Mode: "error429", RetryAfter: time.Second}, catalog.ReasonHTTP429},
		{simulate.Faults{Mode: "malformed"}, catalog.ReasonDecode},
		{simulate.Faults{Mode: "huge"}, catalog.ReasonTooLarge},
	}
	for _, s := range steps {
		sim.SetFaults(s.faults)
		d.sched.RunNow("onestop")
		fams, _ := scrape(t, metrics.URL)
		if v := health(fams, catalog.SourceUp.Name, ""); v != 0 {
			t.Errorf("%s: govpulse_source_up = %v, want 0", s.faults.Mode, v)
		}
		if v := health(fams, catalog.SourceErrors.Name, s.reason); v != 1 {
			t.Errorf("%s: errors{reason=%s} = %v, want 1", s.faults.Mode, s.reason, v)
		}
		if got := dataValues(fams); !equalValues(got, goodData) {
			t.Errorf("%s: data changed while the upstream failed (%d series, want %d)", s.faults.Mode, len(got), len(goodData))
		}
	}
	if n := strings.Count(logs.String(), "source failed"); n != len(steps) {
		t.Errorf("%d failure log lines for %d distinct failures:\n%s", n, len(steps), logs.String())
	}

	sim.SetFaults(simulate.Faults{Mode: "none"})
	d.sched.RunNow("onestop")
	fams, _ := scrape(t, metrics.URL)
	if v := health(fams, catalog.SourceUp.Name, ""); v != 1 {
		t.Errorf("after recovery govpulse_source_up = %v", v)
	}
	if got := dataValues(fams); len(got) != len(goodData) {
		t.Errorf("after recovery %d series, want %d", len(got), len(goodData))
	}

	metrics.Close()
	up.Close()
	d.sched.Stop(time.Second)
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutine leak: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// dataValues indexes the one-stop series by name and labels.
func dataValues(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, f := range fams {
		if m := catalog.ByName(name); m == nil || m.Source != catalog.SourceOnestop {
			continue
		}
		for _, m := range f.GetMetric() {
			var b strings.Builder
			b.WriteString(name)
			for _, l := range m.GetLabel() {
				fmt.Fprintf(&b, ",%s=%s", l.GetName(), l.GetValue())
			}
			out[b.String()] = m.GetGauge().GetValue()
		}
	}
	return out
}

func equalValues(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// health reads a health series of source "onestop" (and reason, if given).
func health(fams map[string]*dto.MetricFamily, name, reason string) float64 {
	f := fams[name]
	for _, m := range f.GetMetric() {
		if label(m, catalog.LabelSource) != "onestop" || (reason != "" && label(m, catalog.LabelReason) != reason) {
			continue
		}
		if f.GetType() == dto.MetricType_COUNTER {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	return -1
}
