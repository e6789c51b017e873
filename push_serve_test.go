package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// TestServePushMetrics: with --vm.push-url, /metrics serves the push
// counters (also with --web.disable-exporter-metrics, whose live part is
// otherwise gathered once), and a VictoriaMetrics that refuses pushes is
// logged without the password of the push URL.
func TestServePushMetrics(t *testing.T) {
	const secret = "s3cr3t-pa55"
	var ok atomic.Bool
	vm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ok.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer vm.Close()
	push := "http://govpulse:" + secret + "@" + strings.TrimPrefix(vm.URL, "http://") + "/api/v1/import/prometheus"
	logs := &syncWriter{w: &bytes.Buffer{}}
	srv := startServe(t, logs, "--demo", "--web.disable-exporter-metrics", "--vm.push-url", push,
		"--vm.push-interval", "500ms", "--vm.push-timeout", "2s")
	defer srv.stop(t)

	value := func(name string) float64 {
		fams, _ := scrape(t, "http://"+srv.addr+"/metrics")
		f := fams[name]
		if f == nil || len(f.GetMetric()) != 1 {
			return -1
		}
		m := f.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; logs:\n%s", what, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("failed pushes on /metrics", func() bool {
		return value(catalog.PushFailures.Name) >= 2 && value(catalog.PushSamplesDropped.Name) > 0
	})
	if v := value(catalog.PushLastSuccess.Name); v != 0 {
		t.Errorf("last success %v before any success", v)
	}
	ok.Store(true)
	wait("a successful push on /metrics", func() bool { return value(catalog.PushLastSuccess.Name) > 0 })
	// A push that succeeded is counted: a success after the last failure.
	failed := value(catalog.PushFailures.Name)
	wait("a successful push counted", func() bool { return value(catalog.PushTotal.Name) > failed })
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the logs show the push URL's password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "cannot push to VictoriaMetrics") {
		t.Errorf("the outage was not logged:\n%s", logs.String())
	}
}
