package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// startServe runs Serve on a fresh 127.0.0.1 port and returns its base URL and
// a stop function that cancels it and returns Serve's result.
func startServe(t *testing.T, cfg ServerConfig, ready func() bool) (string, func() error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ListenAddress = l.Addr().String()
	cfg.Ready = ready
	e := NewExposition(discard())
	e.Update(goldenSnapshot())
	live := liveRegistry()
	cfg.Instrument = live
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, NewMux(e, live, cfg, discard()), cfg, discard()) }()
	var once atomic.Bool
	stop := func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("Serve did not return after cancel")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + l.Addr().String(), stop
}

func fetch(t *testing.T, url, user, pass string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestServeWebConfigBasicAuth: exporter-toolkit's web config guards every
// route; Serve stops cleanly when its context ends.
func TestServeWebConfigBasicAuth(t *testing.T) {
	// MinCost keeps the test fast; exporter-toolkit caches a successful check.
	hash, err := bcrypt.GenerateFromPassword([]byte("mật-khẩu"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(webConfig, fmt.Appendf(nil, "basic_auth_users:\n  prometheus: %s\n", hash), 0o600); err != nil {
		t.Fatal(err)
	}
	url, stop := startServe(t, ServerConfig{WebConfigFile: webConfig, Version: "0.1.0"}, nil)

	if code, _ := fetch(t, url+"/metrics", "", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without credentials: %d, want 401", code)
	}
	if code, _ := fetch(t, url+"/metrics", "prometheus", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong password: %d, want 401", code)
	}
	code, body := fetch(t, url+"/metrics", "prometheus", "mật-khẩu")
	if code != http.StatusOK || !strings.Contains(body, "govpulse_source_up{") {
		t.Errorf("/metrics with credentials: %d\n%.300s", code, body)
	}
	code, body = fetch(t, url+"/", "prometheus", "mật-khẩu")
	if code != http.StatusOK || !strings.Contains(body, "govpulse") || !strings.Contains(body, "Chỉ số CCHC & CĐS") ||
		!strings.Contains(body, `href="/metrics"`) || !strings.Contains(body, "0.1.0") {
		t.Errorf("landing page: %d\n%s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := rawClient.Get(url + "/-/healthy"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestServeInvalidWebConfig(t *testing.T) {
	webConfig := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(webConfig, []byte("basic_auth_users:\n  prometheus: not-a-bcrypt-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = Serve(ctx, l, http.NewServeMux(), ServerConfig{WebConfigFile: webConfig}, discard())
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Serve with an invalid web config: %v (ctx %v)", err, ctx.Err())
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("listener left open")
	}
}

func TestRoutes(t *testing.T) {
	var ready atomic.Bool
	url, _ := startServe(t, ServerConfig{}, ready.Load)

	if code, body := fetch(t, url+"/-/healthy", "", ""); code != http.StatusOK || body != "OK" {
		t.Errorf("/-/healthy: %d %q", code, body)
	}
	if code, _ := fetch(t, url+"/-/ready", "", ""); code != http.StatusServiceUnavailable {
		t.Errorf("/-/ready before ready: %d, want 503", code)
	}
	ready.Store(true)
	if code, body := fetch(t, url+"/-/ready", "", ""); code != http.StatusOK || body != "OK" {
		t.Errorf("/-/ready when ready: %d %q", code, body)
	}
	if code, body := fetch(t, url+"/", "", ""); code != http.StatusOK || !strings.Contains(body, "<title>govpulse</title>") {
		t.Errorf("landing page: %d\n%.300s", code, body)
	}
	if code, _ := fetch(t, url+"/nothing-here", "", ""); code != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", code)
	}
	resp, err := rawClient.Post(url+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", resp.StatusCode)
	}
	// The scrape counters of the instrumented handler reach the live part.
	fetch(t, url+"/metrics", "", "")
	if _, body := fetch(t, url+"/metrics", "", ""); !strings.Contains(body, `promhttp_metric_handler_requests_total{code="200"}`) {
		t.Errorf("scrape counters missing:\n%.300s", body)
	}
}

func TestListenDefault(t *testing.T) {
	if got := (ServerConfig{}).listenAddress(); got != ":9470" {
		t.Errorf("default listen address %q", got)
	}
	l, err := ServerConfig{ListenAddress: "127.0.0.1:0"}.Listen()
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := (ServerConfig{ListenAddress: "127.0.0.1:-1"}).Listen(); err == nil {
		t.Error("Listen on an invalid address succeeded")
	}
}

// A request still in flight past the drain does not hold the exit nor fail
// the shutdown: its connection is closed and Serve returns nil.
func TestServeShutdownCutsOffHangingRequest(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { close(entered); <-release })
	cfg := ServerConfig{ListenAddress: l.Addr().String(), MaxRequests: -1}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, cfg, discard()) }()
	go func() { _, _ = http.Get("http://" + l.Addr().String() + "/hang") }()
	<-entered
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v, want nil after an asked-for shutdown", err)
		}
	case <-time.After(ShutdownTimeout + 5*time.Second):
		t.Fatal("Serve did not return after the drain timeout")
	}
}

// TestPprof: the profiles are served with EnablePprof only.
func TestPprof(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv := httptest.NewServer(NewMux(NewExposition(discard()), nil, ServerConfig{EnablePprof: on}, discard()))
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			served := resp.StatusCode == http.StatusOK && !strings.Contains(string(body), "<title>govpulse")
			if served != on {
				t.Errorf("EnablePprof %v: GET %s: %s (%.80q)", on, path, resp.Status, body)
			}
		}
		srv.Close()
	}
}
