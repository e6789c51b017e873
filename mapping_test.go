package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
)

// TestExampleIGateMappingMatchesStandard collects the simulated province twice
// — through the standard report and through the iGate-like layout described
// only by deploy/govpulse.example.yml's mapping — and requires identical samples.
func TestExampleIGateMappingMatchesStandard(t *testing.T) {
	t.Setenv("GOVPULSE_ONESTOP_CLIENT_SECRET", "unused")
	t.Setenv("GOVPULSE_PORTAL_TOKEN", "unused")
	cfg, err := config.Load("deploy/govpulse.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, simulate.ICT)
	sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()

	env, err := collector.Env(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	env.Now = func() time.Time { return now }
	hc := httpc.Config{URL: srv.URL, RateLimit: 1000, Burst: 100}
	hc.SetDefaults()
	client, err := httpc.New(hc, env.Logger)
	if err != nil {
		t.Fatal(err)
	}
	collect := func(oc onestop.Config) *source.Result {
		t.Helper()
		s, err := onestop.New("onestop", oc, client, env)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	igate := collect(*cfg.Sources[0].Onestop)
	std := onestop.Config{}
	std.SetDefaults()
	standard := collect(std)

	if len(igate.Rejected) > 0 || len(standard.Rejected) > 0 {
		t.Fatalf("rejected records: igate %v, standard %v", igate.Rejected, standard.Rejected)
	}
	// The new city: about 900 agency–field pairs, 33 samples each.
	if len(igate.Samples) != len(standard.Samples) || len(igate.Samples) < 25000 {
		t.Fatalf("igate %d samples, standard %d", len(igate.Samples), len(standard.Samples))
	}
	for i := range igate.Samples {
		a, b := igate.Samples[i], standard.Samples[i]
		if a.Metric != b.Metric || a.Value != b.Value || len(a.Labels) != len(b.Labels) {
			t.Fatalf("sample %d: igate %s%v=%v, standard %s%v=%v", i, a.Metric.Name, a.Labels, a.Value, b.Metric.Name, b.Labels, b.Value)
		}
		for j := range a.Labels {
			if a.Labels[j] != b.Labels[j] {
				t.Fatalf("sample %d labels: %v vs %v", i, a.Labels, b.Labels)
			}
		}
	}
}
