package boards

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// TestAlertBoardsExist: the board every alert links to is a board generated
// here, and the variables the link sets are the board's own (the agency
// drill-down's level and agency).
func TestAlertBoardsExist(t *testing.T) {
	bs, err := Boards(input(catalog.DefaultThresholds, dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string][]string{}
	for _, b := range bs {
		vars[b.UID] = []string{}
		for _, v := range b.Variables {
			vars[b.UID] = append(vars[b.UID], v.Name)
		}
	}
	for _, a := range catalog.AlertRules {
		uid, set, ok := rules.AlertBoard(a.Name)
		have, exists := vars[uid]
		if !ok || !exists {
			t.Errorf("%s links to board %q, which is not generated", a.Name, uid)
			continue
		}
		for _, v := range set {
			if !slices.Contains(have, v) {
				t.Errorf("%s sets var-%s, which board %s does not have (%v)", a.Name, v, uid, have)
			}
		}
		if len(set) > 0 && (uid != AgencyBoardUID || !slices.Equal(set, []string{LevelVar, AgencyVar})) {
			t.Errorf("%s sets %v on %s: the agency links set %s and %s on %s", a.Name, set, uid, LevelVar, AgencyVar, AgencyBoardUID)
		}
	}
}

// TestGrafanaAlertLinksAndStates: every Grafana-managed rule has the same
// runbook_url and dashboard as its Prometheus rule. No data is OK for every
// rule: an expression that returns nothing has nothing to judge, and
// govpulse's absence is an expression of its own (absent(), which returns a
// series when the target is gone), so it cannot hide behind no data.
func TestGrafanaAlertLinksAndStates(t *testing.T) {
	in := input(catalog.DefaultThresholds, dashboards.Vi)
	in.Links = dashboards.Links{Runbooks: "https://wiki.example.org/runbooks", Grafana: "https://grafana.example.org"}
	f, err := alerting(in)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Title        string            `yaml:"title"`
				NoDataState  string            `yaml:"noDataState"`
				ExecErrState string            `yaml:"execErrState"`
				Annotations  map[string]string `yaml:"annotations"`
				Data         []struct {
					Model struct {
						Expr string `yaml:"expr"`
					} `yaml:"model"`
				} `yaml:"data"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(f.Data, &doc); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Rules(rules.Options{Thresholds: in.Config.Thresholds, Lang: in.Lang, Links: in.Links})
	if err != nil {
		t.Fatal(err)
	}
	prom := map[string]rules.Rule{}
	for _, r := range rs {
		if r.Alert != "" {
			prom[r.Alert] = r
		}
	}
	n := 0
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			n++
			p := prom[r.Title]
			for _, k := range []string{rules.AnnRunbookURL, rules.AnnDashboard} {
				if r.Annotations[k] == "" || r.Annotations[k] != p.Annotations[k] {
					t.Errorf("%s: Grafana %s %q, Prometheus %q", r.Title, k, r.Annotations[k], p.Annotations[k])
				}
			}
			if !strings.HasPrefix(r.Annotations[rules.AnnRunbookURL], "https://wiki.example.org/runbooks/") || !strings.HasPrefix(r.Annotations[rules.AnnDashboard], "https://grafana.example.org/d/") {
				t.Errorf("%s: links %v do not use the configured bases", r.Title, r.Annotations)
			}
			if r.NoDataState != "OK" || r.ExecErrState != "Error" {
				t.Errorf("%s: noDataState %s, execErrState %s", r.Title, r.NoDataState, r.ExecErrState)
			}
			if len(r.Data) == 0 || r.Data[0].Model.Expr != p.Expr {
				t.Errorf("%s: Grafana queries %+v, Prometheus evaluates %q", r.Title, r.Data, p.Expr)
			}
			if r.Title == catalog.AlertGovpulseAbsent.Name && !strings.HasPrefix(r.Data[0].Model.Expr, "absent(") {
				t.Errorf("%s must query absent(), or no data would read as all well: %q", r.Title, r.Data[0].Model.Expr)
			}
		}
	}
	if n != len(catalog.AlertRules) {
		t.Errorf("%d Grafana-managed rules, %d alerts in the catalog", n, len(catalog.AlertRules))
	}
}
