package boards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
)

// Paths of the generated files, relative to the output directory.
const (
	DashboardDir      = "grafana/dashboards"
	DatasourceFile    = "grafana/provisioning/datasources/govpulse.yml"
	DashboardProvFile = "grafana/provisioning/dashboards/govpulse.yml"
)

// DatasourceVar is the dashboards' datasource variable; the provisioned
// datasource has the uid DatasourceUID.
const (
	DatasourceVar = "datasource"
	DatasourceUID = "prometheus"
)

// Kinds of panel.
const (
	kindStat       = "stat"
	kindTimeseries = "timeseries"
	kindBarGauge   = "bargauge"
	kindTable      = "table"
)

// Panel is one panel: what it shows and how.
type Panel struct {
	Kind  string
	Title dashboards.Text
	// Queries are PromQL expressions with their legends (may use the board's
	// variables).
	Queries []Query
	Unit    string
	// Steps colour the value: green below the first step, then each colour
	// from its value up (nil for none).
	Steps []Step
	W, H  uint32
}

// Query is one panel target.
type Query struct {
	// Legend is a label template ({{name}}); Label a translated legend.
	Expr, Legend string
	Label        dashboards.Text
	// Instant queries for tables and current-value stats.
	Instant bool
}

// Step is a threshold colour from Value up.
type Step struct {
	Value float64
	Color string
}

// Variable is a template variable over label values.
type Variable struct {
	Name  string
	Label dashboards.Text
	// Query is label_values(...) for Grafana's Prometheus datasource.
	Query string
	All   bool
}

// Board is one dashboard.
type Board struct {
	UID, File string
	Title     dashboards.Text
	Variables []Variable
	Rows      []Row
}

// Row groups panels under a title.
type Row struct {
	Title  dashboards.Text
	Panels []Panel
}

// ctx carries the inputs every board reads.
type ctx struct {
	dashboards.Input
	th catalog.Thresholds
	// province is the unit code of the whole province (the agency of level tinh).
	province string
}

func (c *ctx) text(vi, en string) dashboards.Text { return dashboards.Text{Vi: vi, En: en} }

// lateSteps colour a late rate with the province's thresholds.
func (c *ctx) lateSteps() []Step {
	return []Step{{c.th.LateRateWarning, "orange"}, {c.th.LateRateCritical, "red"}}
}

// Boards returns every board for the input.
func Boards(in dashboards.Input) ([]Board, error) {
	agencies := make(map[string]source.Agency, len(in.Config.Agencies))
	for _, a := range in.Config.Agencies {
		agencies[a.Code] = a
	}
	prov, err := source.ProvinceCode("", agencies)
	if err != nil {
		return nil, fmt.Errorf("the boards need the province's code: %w", err)
	}
	c := &ctx{Input: in, th: in.Config.Thresholds, province: prov}
	return []Board{overview(c), agency(c), vneidBoard(c), indicesBoard(c), health(c)}, nil
}

// Generate renders every board and the provisioning files.
func Generate(in dashboards.Input) ([]dashboards.File, error) {
	bs, err := Boards(in)
	if err != nil {
		return nil, err
	}
	var out []dashboards.File
	for _, b := range bs {
		d, err := b.build(in.Lang)
		if err != nil {
			return nil, fmt.Errorf("board %s: %w", b.UID, err)
		}
		// Unescaped &, < and >: the files are read by people too.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("board %s: %w", b.UID, err)
		}
		out = append(out, dashboards.File{Path: DashboardDir + "/" + b.File, Data: buf.Bytes()})
	}
	prov, err := provisioning()
	if err != nil {
		return nil, err
	}
	al, err := alerting(in)
	if err != nil {
		return nil, err
	}
	return append(append(out, prov...), al), nil
}

func ptr[T any](v T) *T { return &v }

var dsRef = common.DataSourceRef{Type: ptr("prometheus"), Uid: ptr("${" + DatasourceVar + "}")}

// build turns a Board into the SDK's classic dashboard.
//
// The classic (v1) schema is deliberate: file provisioning and every Grafana
// release the dashboards target read it, while dashboardv2 needs Grafana 12's
// new dashboard API.
func (b Board) build(l dashboards.Lang) (dashboard.Dashboard, error) { //nolint:staticcheck // SA1019: v1 schema on purpose, see above
	//nolint:staticcheck // SA1019: v1 schema on purpose, see build's comment
	db := dashboard.NewDashboardBuilder(b.Title.In(l)).
		Uid(b.UID).
		Tags([]string{"govpulse", "cchc"}).
		Timezone("browser").
		Time("now-24h", "now").
		Refresh("1m").
		Readonly().
		WithVariable(dashboard.NewDatasourceVariableBuilder(DatasourceVar).
			Label(dashboards.Text{Vi: "Nguồn dữ liệu", En: "Data source"}.In(l)).
			Type("prometheus"))
	for _, v := range b.Variables {
		vb := dashboard.NewQueryVariableBuilder(v.Name).
			Label(v.Label.In(l)).
			Datasource(dsRef).
			Query(dashboard.StringOrMap{String: ptr(v.Query)}).
			Definition(v.Query).
			Refresh(dashboard.VariableRefreshOnDashboardLoad).
			Sort(dashboard.VariableSortAlphabeticalAsc)
		if v.All {
			vb = vb.IncludeAll(true).AllValue(".*")
		}
		db = db.WithVariable(vb)
	}
	for _, r := range b.Rows {
		db = db.WithRow(dashboard.NewRowBuilder(r.Title.In(l)))
		for _, p := range r.Panels {
			db = db.WithPanel(p.builder(l))
		}
	}
	return db.Build()
}

func (p Panel) targets(l dashboards.Lang) []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, q := range p.Queries {
		legend := q.Legend
		if q.Label.Vi != "" {
			legend = q.Label.In(l)
		}
		qb := prometheus.NewDataqueryBuilder().Expr(q.Expr).LegendFormat(legend).RefId(string(rune('A' + i))).Datasource(dsRef)
		if q.Instant {
			qb = qb.Instant()
			if p.Kind == kindTable {
				qb = qb.Format(prometheus.PromQueryFormatTable)
			}
		} else {
			qb = qb.Range()
		}
		out = append(out, qb)
	}
	return out
}

func (p Panel) thresholds() *dashboard.ThresholdsConfigBuilder {
	steps := []dashboard.Threshold{{Value: nil, Color: "green"}}
	for _, s := range p.Steps {
		steps = append(steps, dashboard.Threshold{Value: ptr(s.Value), Color: s.Color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

func (p Panel) builder(l dashboards.Lang) cog.Builder[dashboard.Panel] {
	w, h := p.W, p.H
	if w == 0 {
		w = 8
	}
	if h == 0 {
		h = 8
	}
	switch p.Kind {
	case kindStat:
		b := stat.NewPanelBuilder().Title(p.Title.In(l)).Datasource(dsRef).Unit(p.Unit).Span(w).Height(h).Thresholds(p.thresholds())
		for _, t := range p.targets(l) {
			b = b.WithTarget(t)
		}
		return b
	case kindBarGauge:
		b := bargauge.NewPanelBuilder().Title(p.Title.In(l)).Datasource(dsRef).Unit(p.Unit).Span(w).Height(h).Thresholds(p.thresholds())
		for _, t := range p.targets(l) {
			b = b.WithTarget(t)
		}
		return b
	case kindTable:
		b := table.NewPanelBuilder().Title(p.Title.In(l)).Datasource(dsRef).Unit(p.Unit).Span(w).Height(h).Thresholds(p.thresholds())
		for _, t := range p.targets(l) {
			b = b.WithTarget(t)
		}
		return b
	default:
		b := timeseries.NewPanelBuilder().Title(p.Title.In(l)).Datasource(dsRef).Unit(p.Unit).Span(w).Height(h).Thresholds(p.thresholds())
		for _, t := range p.targets(l) {
			b = b.WithTarget(t)
		}
		return b
	}
}

// Small PromQL helpers: names come from the catalog.

func sel(name string, matchers ...string) string {
	if len(matchers) == 0 {
		return name
	}
	return name + "{" + strings.Join(matchers, ",") + "}"
}

func eq(label, value string) string { return label + "=" + strconv.Quote(value) }

// re matches a template variable (multi-value and All safe).
func re(label, variable string) string { return label + `=~"$` + variable + `"` }

// withName joins the agency's name onto expr (which keeps the agency label).
func withName(expr string) string {
	return "(" + expr + ") * on (" + catalog.LabelAgency + ") group_left (" + catalog.LabelName + ") " + catalog.AgencyInfo.Name
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
