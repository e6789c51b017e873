package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/exporters/openmetrics"
)

// backfillHistory collects three past months from a simulator and returns
// the points and what the simulator says the oldest month's received total
// of one agency was.
func backfillHistory(t *testing.T) ([]openmetrics.Point, time.Time, float64) {
	t.Helper()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, simulate.ICT)
	sim, _, points := demoHistory(t, now, 3)
	if len(points) != 3 {
		t.Fatalf("%d points", len(points))
	}
	// The oldest point is 31 August 23:59:59: August's month to date.
	oldest := points[0].At
	if want := time.Date(2026, 8, 31, 23, 59, 59, 0, simulate.ICT); !oldest.Equal(want) {
		t.Fatalf("oldest point at %s, want %s", oldest, want)
	}
	var want float64
	for _, r := range sim.Report(time.Date(2026, 8, 1, 0, 0, 0, 0, simulate.ICT), time.Date(2026, 8, 31, 0, 0, 0, 0, simulate.ICT)) {
		if r.Agency == tamKy {
			want += float64(r.Received.Total())
		}
	}
	if want == 0 {
		t.Fatal("the simulator has no August dossiers for Phường Tam Kỳ")
	}
	return points, oldest, want
}

// queryAt runs an instant query at a past time.
func queryAt(t *testing.T, base, q string, at time.Time) []promSample {
	t.Helper()
	return promQueryAt(t, base, q, strconv.FormatInt(at.Unix(), 10))
}

// tamKy is Phường Tam Kỳ (unit code 20341) in the simulated city: a busy
// commune-level unit, which took Thành phố Tam Kỳ's seat (TestTamKy checks the code).
const tamKy = "000.18.00.H15"

// TestTamKy: the code the tests use for Phường Tam Kỳ is the simulator's.
func TestTamKy(t *testing.T) {
	sim := simulate.New(simulate.Options{Seed: 47, Now: testClock(t, testTime())})
	for _, a := range sim.Agencies() {
		if a.Code == tamKy {
			if a.Name != "Phường Tam Kỳ" || a.UnitCode != "20341" {
				t.Errorf("%s is %+v", tamKy, a)
			}
			return
		}
	}
	t.Errorf("%s is not an agency of the simulated city", tamKy)
}

var backfillQuery = "sum(" + catalog.DossiersReceived.Name + `{agency="` + tamKy + `",period="month"})`

// TestBackfillIntoPrometheus: the OpenMetrics history becomes TSDB blocks with
// the real promtool, and a real Prometheus answers August's figure at August's
// end exactly as the simulator reported it.
func TestBackfillIntoPrometheus(t *testing.T) {
	points, at, want := backfillHistory(t)
	base := startPrometheusWithHistory(t, points)
	got := queryAt(t, base, backfillQuery, at)
	if len(got) != 1 || got[0].float() != want {
		t.Fatalf("Prometheus has %v at %s, the simulator reported %v", got, at, want)
	}
}

// demoHistory is the demo city's simulator standing at now, the demo config
// collecting from it on loopback, and months of its history (backfill's).
func demoHistory(t *testing.T, now time.Time, months int) (*simulate.Sim, *config.Config, []openmetrics.Point) {
	t.Helper()
	sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return now }})
	up := httptest.NewServer(sim.Handler())
	t.Cleanup(up.Close)
	files := t.TempDir()
	if err := writeDemoFiles(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := demoConfig(sim, up.URL, files)
	if err != nil {
		t.Fatal(err)
	}
	points, err := history(context.Background(), cfg, months, now)
	if err != nil {
		t.Fatal(err)
	}
	return sim, cfg, points
}

// startPrometheusWithHistory writes points as OpenMetrics, turns them into
// TSDB blocks with promtool and starts a real Prometheus on them; it
// returns the Prometheus' base URL.
func startPrometheusWithHistory(t *testing.T, points []openmetrics.Point) string {
	t.Helper()
	promtool, promBin := needBinary(t, "promtool"), needBinary(t, "prometheus")
	dir := t.TempDir()
	var b bytes.Buffer
	if err := openmetrics.Write(&b, openmetrics.OpenMetrics, points); err != nil {
		t.Fatal(err)
	}
	om := filepath.Join(dir, "history.om")
	if err := os.WriteFile(om, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil { //nolint:gosec // the test's own binaries and files
		t.Fatalf("promtool create-blocks-from: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte("global: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A long retention: blocks older than it are deleted at once.
	startBinary(t, promBin, "--config.file="+cfgFile, "--storage.tsdb.path="+data, "--storage.tsdb.retention.time=100y",
		"--web.listen-address="+addr, "--log.level=warn")
	base := "http://" + addr
	pollUntil(t, time.Now().Add(30*time.Second), "Prometheus ready", func() bool { return httpOK(base + "/-/ready") })
	return base
}

// TestBackfillIntoVictoriaMetrics: the Prometheus-text history imports into a
// real VictoriaMetrics with its old timestamps.
func TestBackfillIntoVictoriaMetrics(t *testing.T) {
	points, at, want := backfillHistory(t)
	base := startVMWithHistory(t, points)
	pollUntil(t, time.Now().Add(30*time.Second), "the history in VictoriaMetrics", func() bool {
		flushVM(base)
		got := queryAt(t, base, backfillQuery, at)
		return len(got) == 1 && got[0].float() == want
	})
}

// startVMWithHistory starts a real VictoriaMetrics and imports points as
// Prometheus text, as the README's backfill command does; it returns the
// base URL. The import may take a flush to be seen (flushVM).
func startVMWithHistory(t *testing.T, points []openmetrics.Point) string {
	t.Helper()
	vm := needBinary(t, "victoria-metrics")
	addr := freeAddr(t)
	startBinary(t, vm, "-storageDataPath="+filepath.Join(t.TempDir(), "vm"), "-httpListenAddr="+addr,
		"-retentionPeriod=100y", "-loggerLevel=ERROR", "-search.disableCache")
	base := "http://" + addr
	pollUntil(t, time.Now().Add(30*time.Second), "VictoriaMetrics healthy", func() bool { return httpOK(base + "/health") })
	var b bytes.Buffer
	if err := openmetrics.Write(&b, openmetrics.PrometheusText, points); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/api/v1/import/prometheus", "text/plain", &b)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("import: %v %v", err, resp)
	}
	resp.Body.Close()
	return base
}

// flushVM makes VictoriaMetrics' recent imports searchable now.
func flushVM(base string) {
	if r, err := http.Get(base + "/internal/force_flush"); err == nil {
		r.Body.Close()
	}
}
