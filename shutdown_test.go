package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/config"
)

// asMainEnv makes the test binary run govpulse's main instead of the tests,
// so a test can start `govpulse serve` as a real process and signal it.
const asMainEnv = "GOVPULSE_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(mainCode())
	}
	os.Exit(m.Run())
}

// A SIGTERM'd serve whose source hangs on an upstream that never answers
// exits with status 0 within the documented bound: the hanging run gets the
// grace, is cancelled, and the process exits. (Slack for a loaded machine:
// the assertion is only that the bound holds.)
func TestShutdownWithinBound(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the shutdown grace")
	}
	hit := make(chan struct{}, 1)
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case hit <- struct{}{}:
		default:
		}
		select { // never answers, until the request or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(release) }) // runs first: lets upstream.Close return

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "govpulse.yml")
	cfg := fmt.Sprintf(`agencies: [{code: "000.00.00.H47", name: UBND tỉnh, level: tinh}]
fields: [{code: DD, name: Đất đai}]
state_dir: %q
sources:
  - name: onestop
    type: onestop
    schedule: "@every 1h"
    timeout: 30m
    http: {url: %q, timeout: 20m, retries: 0}
`, filepath.Join(dir, "state"), upstream.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logs := &syncWriter{w: &bytes.Buffer{}}
	cmd := exec.Command(os.Args[0], "serve", "--config.file", cfgFile, "--web.listen-address", addr)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var done bool // the process was waited for
	t.Cleanup(func() {
		if !done {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("serve output:\n%s", logs.String())
		}
	})

	// Serving, with its start-up run stuck on the upstream.
	deadline := time.Now().Add(30 * time.Second)
	for !httpOK("http://" + addr + "/-/healthy") {
		if time.Now().After(deadline) {
			t.Fatal("serve did not answer within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-hit:
	case <-time.After(time.Until(deadline)):
		t.Fatal("the source never asked the upstream")
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const slack = 5 * time.Second
	select {
	case err := <-exited:
		done = true
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM, want status 0", err)
		}
		t.Logf("serve exited with status 0 %s after SIGTERM (bound %s)", time.Since(start).Round(100*time.Millisecond), shutdownBound)
	case <-time.After(shutdownBound + slack):
		t.Fatalf("serve still running %s after SIGTERM (bound %s + %s slack)", shutdownBound+slack, shutdownBound, slack)
	}
	if !strings.Contains(logs.String(), "cancelling them") {
		t.Errorf("the hanging run was not cancelled at the end of the grace:\n%s", logs.String())
	}
}

// A reload under way when shutdown begins stops waiting for the old
// config's runs at once, and does not start the new config.
func TestReloadDuringShutdown(t *testing.T) {
	release := make(chan struct{})
	hit := make(chan struct{}, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case hit <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(release) })
	dir := t.TempDir()
	file := filepath.Join(dir, "govpulse.yml")
	y := fmt.Sprintf(`agencies: [{code: "000.00.00.H47", name: UBND tỉnh, level: tinh}]
fields: [{code: DD, name: Đất đai}]
state_dir: %q
sources:
  - {name: onestop, type: onestop, schedule: "@every 1h", timeout: 30m, http: {url: %q, timeout: 20m, retries: 0}}
`, dir, upstream.URL)
	if err := os.WriteFile(file, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	d, err := newDaemon(cfg, nil, logger, false)
	if err != nil {
		t.Fatal(err)
	}
	d.start()
	defer d.stop(time.Second)
	<-hit // the old config's run hangs on the upstream
	old := d.sched

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // SIGTERM arrived
	start := time.Now()
	err = d.reload(ctx, file, logger)
	if err == nil || !strings.Contains(err.Error(), "shutting down") {
		t.Fatalf("reload during shutdown: %v", err)
	}
	if took := time.Since(start); took >= shutdownGrace {
		t.Errorf("reload waited %s for the old runs, the whole grace", took.Round(time.Millisecond))
	}
	if d.sched != old {
		t.Error("the new config was started during shutdown")
	}
}
