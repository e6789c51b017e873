package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// TestMetaExpressions: the meta-monitoring alerts select the catalog's job
// and threshold, and absent()'s probe is the selector it judges (it returns
// data whenever govpulse is scraped, which absent() itself never does).
func TestMetaExpressions(t *testing.T) {
	rs, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{ // expression, probe
		catalog.AlertGovpulseDown.Name:       {`up{job="govpulse"} == 0`, `up{job="govpulse"} == bool 0`},
		catalog.AlertGovpulseAbsent.Name:     {`absent(up{job="govpulse"})`, `up{job="govpulse"}`},
		catalog.AlertScrapeSlow.Name:         {`scrape_duration_seconds{job="govpulse"} > 8`, `scrape_duration_seconds{job="govpulse"} > bool 8`},
		catalog.AlertConfigReloadFailed.Name: {`govpulse_config_last_reload_successful == 0`, `govpulse_config_last_reload_successful == bool 0`},
	}
	for _, r := range rs {
		w, ok := want[r.Alert]
		if !ok {
			continue
		}
		delete(want, r.Alert)
		if r.Expr != w[0] || r.Probe != w[1] {
			t.Errorf("%s: expr %q probe %q, want %q and %q", r.Alert, r.Expr, r.Probe, w[0], w[1])
		}
	}
	if len(want) > 0 {
		t.Errorf("not generated: %v", want)
	}
	if catalog.ScrapeSlowThreshold <= 0 || catalog.ScrapeSlowThreshold >= catalog.ScrapeTimeout {
		t.Errorf("the slow-scrape threshold %v must be below the timeout %v", catalog.ScrapeSlowThreshold, catalog.ScrapeTimeout)
	}
}

// TestLinks: every alert of both languages links to its runbook and a board,
// the configured bases replace the defaults (with or without a trailing
// slash), and an alert without a board is refused.
func TestLinks(t *testing.T) {
	for _, l := range []struct {
		links              dashboards.Links
		runbooks, boardURL string
	}{
		{dashboards.Links{}, dashboards.DefaultRunbooks + "/", dashboards.DefaultGrafana + "/d/"},
		{dashboards.Links{Runbooks: "https://wiki.example.org/cchc/runbooks/", Grafana: "https://grafana.example.org/"},
			"https://wiki.example.org/cchc/runbooks/", "https://grafana.example.org/d/"},
	} {
		for _, lang := range []dashboards.Lang{dashboards.Vi, dashboards.En} {
			rs, err := Rules(Options{Thresholds: testThresholds, Lang: lang, Links: l.links})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rs {
				if r.Alert == "" {
					continue
				}
				n++
				if got, want := r.Annotations[AnnRunbookURL], l.runbooks+r.Alert+".md"; got != want {
					t.Errorf("%s %s: runbook_url %q, want %q", lang, r.Alert, got, want)
				}
				uid, vars, ok := AlertBoard(r.Alert)
				want := l.boardURL + uid
				if len(vars) > 0 {
					// And the alert's province, when it has the label.
					want += "?var-" + catalog.LabelLevel + "=$__all&var-" + catalog.LabelAgency + "={{ $labels." + catalog.LabelAgency + " }}" +
						"{{ with $labels." + catalog.LabelProvince + " }}&var-" + catalog.LabelProvince + "={{ . }}{{ end }}"
				}
				if got := r.Annotations[AnnDashboard]; !ok || got != want {
					t.Errorf("%s %s: dashboard %q, want %q", lang, r.Alert, got, want)
				}
			}
			if n != len(catalog.AlertRules) {
				t.Errorf("%d alerts generated, the catalog has %d", n, len(catalog.AlertRules))
			}
		}
	}
	if len(alertBoards) != len(catalog.AlertRules) {
		t.Errorf("alertBoards has %d alerts, the catalog %d", len(alertBoards), len(catalog.AlertRules))
	}

	g := &gen{Options: Options{Thresholds: testThresholds, Lang: dashboards.Vi}}
	err := g.link([]Rule{{Alert: "NoSuchAlert", Annotations: map[string]string{}}})
	if err == nil || !strings.Contains(err.Error(), "alertBoards") || !strings.Contains(err.Error(), catalog.RunbookDir+"/NoSuchAlert.md") {
		t.Errorf("an alert without a board: err = %v", err)
	}
	if _, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.Vi, Links: dashboards.Links{Grafana: "grafana:3000"}}); err == nil {
		t.Error("a Grafana URL without a scheme was accepted")
	}
}

// TestPrometheusScrapeTimeout: the example's govpulse job has the catalog's
// timeout, which the slow-scrape alert is relative to; a timeout above the
// interval is refused, none leaves Prometheus' default.
func TestPrometheusScrapeTimeout(t *testing.T) {
	f, err := PrometheusConfig(DefaultPrometheusOptions())
	if err != nil {
		t.Fatal(err)
	}
	if want := "  - job_name: " + catalog.ScrapeJob + "\n    # " + catalog.AlertScrapeSlow.Name + " warns when scrapes take longer than 80% of this.\n    scrape_timeout: 10s\n"; !strings.Contains(string(f.Data), want) {
		t.Errorf("prometheus.yml lacks\n%s\n%s", want, f.Data)
	}
	o := DefaultPrometheusOptions()
	o.ScrapeInterval = 5 * time.Second
	if _, err := PrometheusConfig(o); err == nil {
		t.Error("a scrape timeout above the interval was accepted")
	}
	o.ScrapeTimeout = 0
	if f, err := PrometheusConfig(o); err != nil || strings.Contains(string(f.Data), "scrape_timeout") {
		t.Errorf("no timeout: %v\n%s", err, f.Data)
	}
}
