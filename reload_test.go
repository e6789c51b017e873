package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/simulate"
)

// TestReloadNeedsLifecycle: without --web.enable-lifecycle, POST /-/reload
// is refused with 403 and the reason, while SIGHUP is still handled.
func TestReloadNeedsLifecycle(t *testing.T) {
	logs := &syncWriter{w: &bytes.Buffer{}}
	srv := startServe(t, logs, "--demo")
	defer srv.stop(t)
	resp, err := http.Post("http://"+srv.addr+"/-/reload", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "--web.enable-lifecycle") {
		t.Fatalf("POST /-/reload without --web.enable-lifecycle: %d %q, want 403 with the reason", resp.StatusCode, body)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "SIGHUP: config not reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP not handled; logs:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReload: POST /-/reload with an invalid config keeps the running one
// (and says why, with file and line); a valid one adds and removes sources
// while the kept source keeps its data.
func TestReload(t *testing.T) {
	file, write, source := reloadFixture(t)
	write(source("onestop", "onestop"))

	srv := startServe(t, io.Discard, "--config.file", file, "--web.enable-lifecycle")
	defer srv.stop(t)
	base := "http://" + srv.addr

	sources := func() map[string]float64 {
		fams, _ := scrape(t, base+"/metrics")
		out := map[string]float64{}
		for _, m := range fams[catalog.SourceUp.Name].GetMetric() {
			out[label(m, catalog.LabelSource)] = m.GetGauge().GetValue()
		}
		return out
	}
	waitFor := func(what string, ok func(map[string]float64) bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !ok(sources()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %v", what, sources())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("onestop up", func(s map[string]float64) bool { return s["onestop"] == 1 })
	fams, _ := scrape(t, base+"/metrics")
	before := len(fams[catalog.DossiersReceived.Name].GetMetric())

	post := func() (int, string) {
		resp, err := http.Post(base+"/-/reload", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// A broken config: refused with its file and line; nothing changes.
	write(source("onestop", "onestop") + "    shedule: oops\n")
	if code, body := post(); code != http.StatusInternalServerError || !strings.Contains(body, file+":10: sources[0].shedule: unknown key \"shedule\" (did you mean schedule?)") {
		t.Fatalf("reload of a broken config: %d %q", code, body)
	}
	if s := sources(); len(s) != 1 || s["onestop"] != 1 {
		t.Fatalf("sources after a refused reload: %v", s)
	}

	// A valid one that adds the portal and renames nothing: both up, the
	// one-stop data still there.
	write(source("onestop", "onestop") + source("portal", "portal"))
	if code, body := post(); code != http.StatusOK {
		t.Fatalf("reload: %d %q", code, body)
	}
	waitFor("portal up", func(s map[string]float64) bool { return s["portal"] == 1 && s["onestop"] == 1 })
	fams, _ = scrape(t, base+"/metrics")
	if n := len(fams[catalog.DossiersReceived.Name].GetMetric()); n != before {
		t.Fatalf("one-stop series %d after reload, %d before", n, before)
	}

	// Removing a source removes its series.
	write(source("portal", "portal"))
	if code, _ := post(); code != http.StatusOK {
		t.Fatal("reload refused")
	}
	waitFor("onestop gone", func(s map[string]float64) bool { _, ok := s["onestop"]; return !ok && s["portal"] == 1 })
	fams, _ = scrape(t, base+"/metrics")
	if len(fams[catalog.DossiersReceived.Name].GetMetric()) != 0 {
		t.Fatal("the removed source's data is still served")
	}

	// SIGHUP does the same (runServe handles the signal while it serves).
	write(source("onestop", "onestop") + source("portal", "portal"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("onestop back after SIGHUP", func(s map[string]float64) bool { return s["onestop"] == 1 && s["portal"] == 1 })
}

// reloadFixture is a config file collecting from a simulated province:
// write replaces its sources with the given ones, source renders one.
func reloadFixture(t *testing.T) (file string, write func(sources string), source func(name, typ string) string) {
	t.Helper()
	sim := simulate.New(simulate.Options{Seed: 47})
	up := httptest.NewServer(sim.Handler())
	t.Cleanup(up.Close)
	dir := t.TempDir()
	var a, f bytes.Buffer
	simulate.WriteAgenciesCSV(&a, sim.Agencies())
	simulate.WriteFieldsCSV(&f, sim.Fields())
	os.WriteFile(filepath.Join(dir, "agencies.csv"), a.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "fields.csv"), f.Bytes(), 0o644)
	file = filepath.Join(dir, "govpulse.yml")
	write = func(sources string) {
		t.Helper()
		cfg := "agencies_file: agencies.csv\nfields_file: fields.csv\nstate_dir: " + dir + "\nsources:\n" + sources
		if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	source = func(name, typ string) string {
		return "  - name: " + name + "\n    type: " + typ + "\n    schedule: \"@every 1m\"\n    timeout: 30s\n    http: {url: \"" + up.URL + "\", rate_limit: 100, burst: 20}\n"
	}
	return file, write, source
}

// TestReloadMetrics: govpulse_config_last_reload_successful is 1 from the
// start, with the start as the last successful load; a refused reload, by
// POST /-/reload or SIGHUP, sets it to 0 and leaves the timestamp; a reload
// that succeeds sets it back to 1 with its own time. With
// --web.disable-exporter-metrics, whose live part is otherwise gathered once.
func TestReloadMetrics(t *testing.T) {
	file, write, source := reloadFixture(t)
	good := source("onestop", "onestop")
	broken := good + "    shedule: oops\n"
	write(good)
	started := time.Now()
	logs := &syncWriter{w: &bytes.Buffer{}}
	srv := startServe(t, logs, "--config.file", file, "--web.enable-lifecycle", "--web.disable-exporter-metrics")
	defer srv.stop(t)
	base := "http://" + srv.addr

	// status returns the gauge and the timestamp of the last success.
	status := func() (ok, at float64) {
		t.Helper()
		fams, _ := scrape(t, base+"/metrics")
		read := func(name string) float64 {
			f := fams[name]
			if f == nil || len(f.GetMetric()) != 1 || f.GetType() != dto.MetricType_GAUGE {
				t.Fatalf("%s: want one gauge on /metrics, got %v", name, f)
			}
			return f.GetMetric()[0].GetGauge().GetValue()
		}
		return read(catalog.ConfigReloadSuccess.Name), read(catalog.ConfigReloadSuccessTime.Name)
	}
	waitFor := func(what string, want float64) float64 {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			ok, at := status()
			if ok == want {
				return at
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %s = %v; logs:\n%s", what, catalog.ConfigReloadSuccess.Name, ok, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	post := func() int {
		t.Helper()
		resp, err := http.Post(base+"/-/reload", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	hup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	unix := func(at float64) time.Time { return time.Unix(0, int64(at*1e9)) }

	ok, at := status()
	if ok != 1 || unix(at).Before(started.Add(-time.Second)) || unix(at).After(time.Now()) {
		t.Fatalf("at start: successful %v at %v, want 1 at the start (%v)", ok, unix(at), started)
	}
	loaded := at

	write(broken)
	if code := post(); code != http.StatusInternalServerError {
		t.Fatalf("POST /-/reload of a broken config: %d", code)
	}
	if ok, at := status(); ok != 0 || at != loaded {
		t.Fatalf("after a refused POST /-/reload: successful %v at %v, want 0 at %v", ok, unix(at), unix(loaded))
	}

	write(good)
	hup()
	if at := waitFor("a reload by SIGHUP", 1); at <= loaded {
		t.Fatalf("a reload by SIGHUP succeeded at %v, not after the start's %v", unix(at), unix(loaded))
	} else {
		loaded = at
	}

	write(broken)
	hup()
	if at := waitFor("a refused reload by SIGHUP", 0); at != loaded {
		t.Fatalf("a refused SIGHUP moved the last success from %v to %v", unix(loaded), unix(at))
	}

	write(good)
	if code := post(); code != http.StatusOK {
		t.Fatalf("POST /-/reload of a good config: %d", code)
	}
	if ok, at := status(); ok != 1 || at <= loaded {
		t.Fatalf("after a successful POST /-/reload: successful %v at %v, want 1 after %v", ok, unix(at), unix(loaded))
	}
}
