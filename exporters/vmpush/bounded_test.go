package vmpush

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govpulse/govpulse/collector/catalog"
)

const secret = "s3cr3t-pa55"

// stuckVM accepts pushes and never answers them, until the test ends.
func stuckVM(t *testing.T) *httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv
}

// withCredentials is srv's import URL with user:secret in it.
func withCredentials(srv *httptest.Server) string {
	return "http://govpulse:" + secret + "@" + strings.TrimPrefix(srv.URL, "http://") + "/api/v1/import/prometheus"
}

func writeExposition(w io.Writer) { _, _ = io.WriteString(w, exposition) }

// TestPushTimesOut: a VictoriaMetrics that never answers fails the push after
// the timeout, and the error names the URL without its password.
func TestPushTimesOut(t *testing.T) {
	srv := stuckVM(t)
	c := Config{URL: withCredentials(srv), Timeout: 100 * time.Millisecond}
	start := time.Now()
	err := Push(context.Background(), c, writeExposition)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("push to a stuck endpoint took %v with a 100ms timeout", d)
	}
	if err == nil {
		t.Fatal("push to a stuck endpoint succeeded")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "govpulse:xxxxx@") {
		t.Errorf("the error does not name the redacted URL: %v", err)
	}
}

// TestRunStuckEndpoint: against a stuck VictoriaMetrics the loop keeps its
// interval (every attempt bounded), counts failures and dropped samples, logs
// once without the password, and stops at once when its context ends.
func TestRunStuckEndpoint(t *testing.T) {
	srv := stuckVM(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	stats := &Stats{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Config{URL: withCredentials(srv), Interval: 200 * time.Millisecond, Timeout: 50 * time.Millisecond}, writeExposition, stats, logger)
	}()
	time.Sleep(1100 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not return within 1 s of its context ending")
	}
	pushes, failures, dropped := stats.pushes.Load(), stats.failures.Load(), stats.dropped.Load()
	// 5 or 6 intervals of 200 ms, up to 3 attempts each.
	if pushes < 8 || failures != pushes {
		t.Errorf("pushes %d, failures %d: want several failed attempts per interval", pushes, failures)
	}
	if dropped < 4*2 || dropped%2 != 0 {
		t.Errorf("dropped %d samples: want 2 per failed interval", dropped)
	}
	if stats.lastSuccess.Load() != 0 {
		t.Error("a success was recorded")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("outage logged %d times:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the logs show the password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "govpulse:xxxxx@") {
		t.Errorf("the logs do not name the redacted URL:\n%s", logs.String())
	}
}

// TestRetriesWithinInterval: two failed attempts, then a success, all in one
// interval; nothing is dropped, and the counters are served lint-clean.
func TestRetriesWithinInterval(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "govpulse" || pass != secret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if n.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	stats := &Stats{}
	var buf bytes.Buffer
	writeExposition(&buf)
	before := time.Now()
	if err := pushInterval(context.Background(), Config{URL: withCredentials(srv), Interval: 2 * time.Second, Timeout: time.Second}, buf.Bytes(), stats); err != nil {
		t.Fatal(err)
	}
	if p, f, d := stats.pushes.Load(), stats.failures.Load(), stats.dropped.Load(); p != 3 || f != 2 || d != 0 {
		t.Errorf("pushes %d failures %d dropped %d, want 3 2 0", p, f, d)
	}
	if last := time.Unix(0, stats.lastSuccess.Load()); last.Before(before) {
		t.Errorf("last success %v", last)
	}
	if probs, err := testutil.CollectAndLint(stats); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", err, probs)
	}
	if got := testutil.CollectAndCount(stats, catalog.PushTotal.Name, catalog.PushFailures.Name, catalog.PushSamplesDropped.Name, catalog.PushLastSuccess.Name); got != 4 {
		t.Errorf("%d push metrics collected, want 4", got)
	}

	// Every attempt fails: the snapshot's 2 samples are dropped.
	n.Store(-100)
	if err := pushInterval(context.Background(), Config{URL: withCredentials(srv), Interval: 2 * time.Second, Timeout: time.Second}, buf.Bytes(), stats); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("error %v: want one without the password", err)
	}
	if p, f, d := stats.pushes.Load(), stats.failures.Load(), stats.dropped.Load(); p != 6 || f != 5 || d != 2 {
		t.Errorf("pushes %d failures %d dropped %d, want 6 5 2", p, f, d)
	}
}

// TestNoPasswordInErrors: neither validation nor a refused connection shows
// the URL's password.
func TestNoPasswordInErrors(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://govpulse:" + secret + "@" + l.Addr().String() + "/api/v1/import/prometheus"
	l.Close()
	errs := []error{
		Config{URL: "ftp://govpulse:" + secret + "@vm/x"}.Validate(),
		Config{URL: "http://govpulse:" + secret + "@vm:bad port/x"}.Validate(),
		Push(context.Background(), Config{URL: dead, Timeout: time.Second}, writeExposition),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("case %d shows the password: %v", i, err)
		}
	}
}
