package main

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// TestDemoPushesToVictoriaMetrics: serve --demo with --vm.push-url feeds a
// real VictoriaMetrics, with the province label added to every sample.
func TestDemoPushesToVictoriaMetrics(t *testing.T) {
	vm := needBinary(t, "victoria-metrics")
	vmAddr := freeAddr(t)
	startBinary(t, vm, "-storageDataPath="+filepath.Join(t.TempDir(), "vm"), "-httpListenAddr="+vmAddr,
		"-retentionPeriod=100y", "-loggerLevel=ERROR", "-search.latencyOffset=0s", "-search.disableCache")
	vmURL := "http://" + vmAddr
	deadline := time.Now().Add(60 * time.Second)
	pollUntil(t, deadline, "VictoriaMetrics healthy", func() bool { return httpOK(vmURL + "/health") })

	srv := startServe(t, io.Discard, "--demo", "--vm.push-url", vmURL+"/api/v1/import/prometheus",
		"--vm.push-interval", "1s", "--vm.push-extra-labels", `province="48"`)
	defer srv.stop(t)

	q := `count(` + catalog.DossiersReceived.Name + `{province="48"})`
	pollUntil(t, deadline, "the demo's series in VictoriaMetrics", func() bool {
		resp, err := http.Get(vmURL + "/internal/force_flush")
		if err == nil {
			resp.Body.Close()
		}
		got := promQuery(t, vmURL, q)
		// The new city: about 900 agency–field pairs, 9 received series each.
		return len(got) == 1 && got[0].float() > 5000
	})
	if got := promQuery(t, vmURL, catalog.SourceUp.Name+`{province="48"}`); len(got) < 5 {
		t.Fatalf("source health in VictoriaMetrics: %v", got)
	}
}
