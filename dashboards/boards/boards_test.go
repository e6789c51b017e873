package boards

import (
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
)

func input(th catalog.Thresholds, l dashboards.Lang) dashboards.Input {
	return dashboards.Input{Lang: l, Config: &config.Config{
		Thresholds: th,
		Agencies: []source.Agency{
			{Code: "000.00.00.H47", Name: "UBND tỉnh", Level: catalog.LevelProvince},
			{Code: "000.00.31.H47", Name: "UBND thành phố Tam Kỳ", Level: catalog.LevelDistrict, Parent: "000.00.00.H47"},
		},
	}}
}

// TestThresholdMovesPanelAndAlert: one edit of a threshold in config moves
// the panels' colour steps and the alerts together; the defaults vanish.
func TestThresholdMovesPanelAndAlert(t *testing.T) {
	th := catalog.DefaultThresholds
	th.LateRateWarning, th.LateRateCritical = 0.037, 0.091
	files, err := Generate(input(th, dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	var overview, alerting string
	for _, f := range files {
		switch f.Path {
		case DashboardDir + "/tong-quan.json":
			overview = string(f.Data)
		case AlertingFile:
			alerting = string(f.Data)
		}
	}
	for _, want := range []string{`"value": 0.037`, `"value": 0.091`} {
		if !strings.Contains(overview, want) {
			t.Errorf("overview lacks the step %s", want)
		}
	}
	if strings.Contains(overview, `"value": 0.05`) || strings.Contains(overview, `"value": 0.1,`) {
		t.Error("overview still colours with the default thresholds")
	}
	for _, want := range []string{">= 0.037", ">= 0.091", "dưới 3,7%"} {
		if !strings.Contains(alerting, want) {
			t.Errorf("Grafana alerting lacks %q", want)
		}
	}
}

// TestBoardsNeedTheProvince: without an agency of level tinh there is no
// province code to show the 766 figures of.
func TestBoardsNeedTheProvince(t *testing.T) {
	in := input(catalog.DefaultThresholds, dashboards.Vi)
	in.Config.Agencies = in.Config.Agencies[1:]
	if _, err := Generate(in); err == nil || !strings.Contains(err.Error(), "the boards need the province's code") {
		t.Fatalf("err = %v", err)
	}
}

// TestQueriesUseCatalogNames: every query names only catalog metrics or
// recorded series (no hand-typed name), and each board has queries.
func TestQueriesUseCatalogNames(t *testing.T) {
	bs, err := Boards(input(catalog.DefaultThresholds, dashboards.En))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range catalog.All() {
		known[m.Name] = true
	}
	for _, r := range catalog.RecordedSeries() {
		known[r.Name] = true
	}
	ident := func(r rune) bool {
		return r != '_' && r != ':' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}
	for _, b := range bs {
		n := 0
		for _, r := range b.Rows {
			for _, p := range r.Panels {
				for _, q := range p.Queries {
					n++
					for _, tok := range strings.FieldsFunc(q.Expr, ident) {
						if strings.HasPrefix(tok, "tthc_") || strings.HasPrefix(tok, "dvcqg_") || strings.HasPrefix(tok, "vneid_") || strings.HasPrefix(tok, "index_") || strings.HasPrefix(tok, "qd766_") || strings.HasPrefix(tok, "govpulse_") || strings.Contains(tok, ":") {
							if !known[tok] && !strings.HasSuffix(tok, ":") {
								t.Errorf("%s: %q names %s, which the catalog lacks", b.UID, q.Expr, tok)
							}
						}
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("%s has no queries", b.UID)
		}
	}
}
