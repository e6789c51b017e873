package collector

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
)

// rateConfig is a config whose one-stop and portal sources read one host,
// at rate and at twice rate.
func rateConfig(t *testing.T, rate float64) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`
agencies: [{code: "000.00.00.H47", name: UBND tỉnh, level: tinh}]
fields: [{code: DD, name: Đất đai}]
sources:
  - name: onestop
    type: onestop
    http: {url: "http://dvc.example.gov.vn:8080", rate_limit: %g, burst: 2}
  - name: portal
    type: portal
    http: {url: "http://dvc.example.gov.vn:8080/portal", rate_limit: %g, burst: 4}
`, rate, 2*rate)
	cfg, err := config.Parse("govpulse.yml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Two configs in sequence (a reload from 1 to 50 requests per second): each
// build's sources share one bucket per host at the strictest of their
// limits, and the second config's is its own, not the first's 1 rps.
func TestReloadedRateLimitTakesEffect(t *testing.T) {
	const host = "http://dvc.example.gov.vn:8080"
	for _, rate := range []float64{1, 50, 1} {
		cfg := rateConfig(t, rate)
		env, err := Env(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		limits := httpc.NewLimits()
		if _, err := build(cfg, env, limits); err != nil {
			t.Fatal(err)
		}
		if r, b, ok := limits.Limit(host); !ok || r != rate || b != 2 {
			t.Errorf("config at %g rps: the host's bucket is at %g rps, burst %d (%v); want %g and 2", rate, r, b, ok, rate)
		}
	}
}
