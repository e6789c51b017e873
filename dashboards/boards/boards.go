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
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
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

// Tag is on every board; each board's link menu lists the boards with it.
const Tag = "govpulse"

// AgencyBoardUID is the agency drill-down, the target of every agency's link;
// AgencyVar and LevelVar are its variables.
const (
	AgencyBoardUID = dashboards.BoardAgency
	AgencyVar      = "agency"
	LevelVar       = "level"
	FieldVar       = "field"
)

// ProvinceVar is the province picker of every board but the national one:
// one store may hold several provinces (catalog.LabelProvince), and each
// board shows one, the first by default. Its options are the provinces in
// the data, named by their agency of level tinh.
const ProvinceVar = catalog.LabelProvince

// Neutral is the colour of a value that is neither good nor bad (a count, a
// rank without a target): green or red would pass a judgement nobody made.
const Neutral = "blue"

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
	// Description says what is counted, by which definition and threshold;
	// Grafana shows it behind the (i) of the panel's title.
	Description dashboards.Text
	// Queries are PromQL expressions with their legends (may use the board's
	// variables).
	Queries []Query
	// Unit is a Grafana unit id; Suffix, when set, a custom unit written in
	// the board's language ("suffix: ngày làm việc").
	Unit   string
	Suffix dashboards.Text
	// Base is the colour below the first of Steps, each step's colour holds
	// from its value up. Without Base and Steps the value is Neutral.
	Base  string
	Steps []Step
	// Values names numeric values (0 → Lỗi, 1 → Hoạt động).
	Values []ValueText
	// Columns are a table's columns, in order; fields not listed are left
	// out. A table of several queries is merged on their common labels first.
	Columns []Column
	// Link makes each agency's bar, line or row a link to the agency
	// drill-down (the series must keep the agency label).
	Link bool
	// Daily makes a trend query one point a day (Grafana's min interval
	// 1d, steps at 00:00 UTC) and joins the points over gaps: the history
	// panels, which read each day's last value (rules.LineageLateRatio).
	Daily bool
	W, H  uint32
}

// Query is one panel target.
type Query struct {
	// Legend is a label template ({{name}}); Label a translated legend. A
	// label of a fixed list of values (catalog.NamedLabels) is shown by its
	// name: the panel gets one display-name override per value.
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

// ValueText names one numeric value, in a colour.
type ValueText struct {
	Value float64
	Text  dashboards.Text
	Color string
}

// Column is one column of a table: a label of the queries' series, or the
// value of one query (Value is its refId, "A" for the first).
type Column struct {
	Label, Value string
	Title        dashboards.Text
	Unit         string
	Suffix       dashboards.Text
	// Link makes the cell a link to the agency's drill-down.
	Link bool
	// Values name a value column's numbers (1 → Đạt tiến độ), in colours.
	Values []ValueText
}

// Variable is a template variable. Query variables read Grafana's
// Prometheus datasource (label_values(…), query_result(…) with Regex picking
// the text and value out of each series); custom ones list Options.
type Variable struct {
	Name  string
	Label dashboards.Text
	Query string
	// Regex, for query_result: named groups text and value.
	Regex string
	// Options of a custom variable: codes with their names.
	Options []Option
	All     bool
}

// Option is one value of a custom variable.
type Option struct {
	Value string
	Text  dashboards.Text
}

// Board is one dashboard.
type Board struct {
	UID, File   string
	Title       dashboards.Text
	Description dashboards.Text
	// From and To are the default time range (Grafana's relative syntax).
	From, To string
	// Timezone is the province's: "now/M" starts at its midnight, as the
	// periods do.
	Timezone  string
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
	// targets are the rating source's targets (the defaults without one).
	targets catalog.Targets
	// rankTargets are the indices source's rank targets by index: the one of
	// the latest year.
	rankTargets map[string]int
	timezone    string
}

func (c *ctx) text(vi, en string) dashboards.Text { return dashboards.Text{Vi: vi, En: en} }

// Boards returns every board for the input.
func Boards(in dashboards.Input) ([]Board, error) {
	agencies := make(map[string]source.Agency, len(in.Config.Agencies))
	for _, a := range in.Config.Agencies {
		agencies[a.Code] = a
	}
	// The boards find each province's root unit in the data, as its agency
	// of level tinh: a config without one would leave the 766 panels and
	// the province's name empty.
	if _, err := source.ProvinceCode("", agencies); err != nil {
		return nil, fmt.Errorf("the boards need the province's code: %w", err)
	}
	c := &ctx{Input: in, th: in.Config.Thresholds, targets: catalog.DefaultTargets,
		rankTargets: map[string]int{}, timezone: in.Config.Province.Timezone}
	if c.timezone == "" {
		c.timezone = config.DefaultTimezone
	}
	byYear := map[string]int{}
	for _, s := range in.Config.Sources {
		if s.Rating != nil && s.Type == catalog.SourceRating {
			c.targets = s.Rating.Targets
		}
		if s.Indices != nil && s.Type == catalog.SourceIndices {
			for _, t := range s.Indices.Targets {
				if t.ByYear >= byYear[t.Index] {
					byYear[t.Index], c.rankTargets[t.Index] = t.ByYear, t.RankMax
				}
			}
		}
	}
	history, err := historyBoard(c)
	if err != nil {
		return nil, err
	}
	bs := []Board{overview(c), agency(c), history, vneidBoard(c), indicesBoard(c), health(c)}
	for i := range bs {
		// Each province's board shows one province: the picker comes first.
		bs[i].Variables = append([]Variable{provinceVariable(c)}, bs[i].Variables...)
	}
	bs = append(bs, nationalBoard(c))
	for i := range bs {
		bs[i].Timezone = c.timezone
	}
	return bs, nil
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

// link is a built dashboard link: the SDK's builder would set a placement
// (the controls menu of Grafana 12) that hides the link in Grafana 10–11.
type link dashboard.DashboardLink

func (k link) Build() (dashboard.DashboardLink, error) { return dashboard.DashboardLink(k), nil }

// drillDown is the URL of the agency drill-down for the agency in ref (a
// Grafana data-link variable) of the board's province, every level, keeping
// the time range.
func drillDown(ref string) string {
	return "/d/" + AgencyBoardUID + "?var-" + ProvinceVar + "=${" + ProvinceVar + "}&var-" + LevelVar + "=$__all&var-" + AgencyVar + "=" + ref + "&${__url_time_range}"
}

var drillDownTitle = dashboards.Text{Vi: "Xem chi tiết cơ quan, đơn vị", En: "Open the agency drill-down"}

// build turns a Board into the SDK's classic dashboard.
//
// The classic (v1) schema is deliberate: file provisioning and every Grafana
// release the dashboards target read it, while dashboardv2 needs Grafana 12's
// new dashboard API.
func (b Board) build(l dashboards.Lang) (dashboard.Dashboard, error) {
	db := dashboard.NewDashboardBuilder(b.Title.In(l)).
		Uid(b.UID).
		Description(b.Description.In(l)).
		Tags([]string{Tag, "cchc"}).
		Timezone(b.Timezone).
		Time(b.From, b.To).
		Refresh("1m").
		Readonly().
		// Every govpulse board, as a menu; each opens with its own range.
		Link(link{Title: dashboards.Text{Vi: "Các bảng govpulse", En: "govpulse boards"}.In(l), Type: dashboard.DashboardLinkTypeDashboards,
			Icon: "external link", Tags: []string{Tag}, AsDropdown: true}).
		WithVariable(dashboard.NewDatasourceVariableBuilder(DatasourceVar).
			Label(dashboards.Text{Vi: "Nguồn dữ liệu", En: "Data source"}.In(l)).
			Type("prometheus"))
	for _, v := range b.Variables {
		db = db.WithVariable(v.builder(l))
	}
	// Ids are unique in the board, rows included: Grafana keys panel state,
	// links (viewPanel=) and library panels by them.
	id := uint32(0)
	for _, r := range b.Rows {
		id++
		db = db.WithRow(dashboard.NewRowBuilder(r.Title.In(l)).Id(id))
		for _, p := range r.Panels {
			id++
			db = db.WithPanel(p.builder(l, id))
		}
	}
	return db.Build()
}

func (v Variable) builder(l dashboards.Lang) cog.Builder[dashboard.VariableModel] {
	if len(v.Options) > 0 {
		// A custom variable: "name : code" pairs; a comma inside a name is
		// escaped, as Grafana splits the list on the others.
		var pairs []string
		var opts []dashboard.VariableOption
		if v.All {
			opts = append(opts, dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: ptr("All")}, Value: dashboard.StringOrArrayOfString{String: ptr("$__all")}})
		}
		for _, o := range v.Options {
			pairs = append(pairs, strings.ReplaceAll(o.Text.In(l), ",", `\,`)+" : "+o.Value)
			opts = append(opts, dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: ptr(o.Text.In(l))}, Value: dashboard.StringOrArrayOfString{String: ptr(o.Value)}})
		}
		opts[0].Selected = ptr(true)
		q := strings.Join(pairs, ", ")
		cb := dashboard.NewCustomVariableBuilder(v.Name).
			Label(v.Label.In(l)).
			Values(dashboard.StringOrMap{String: ptr(q)}).
			Options(opts).
			Current(opts[0])
		if v.All {
			cb = cb.IncludeAll(true).AllValue(".*")
		}
		return cb
	}
	vb := dashboard.NewQueryVariableBuilder(v.Name).
		Label(v.Label.In(l)).
		Datasource(dsRef).
		Query(dashboard.StringOrMap{String: ptr(v.Query)}).
		Definition(v.Query).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc)
	if v.Regex != "" {
		vb = vb.Regex(v.Regex)
	}
	if v.All {
		vb = vb.IncludeAll(true).AllValue(".*")
	}
	return vb
}

func (p Panel) targets(l dashboards.Lang) []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, q := range p.Queries {
		qb := prometheus.NewDataqueryBuilder().Expr(q.Expr).LegendFormat(q.legend(l)).RefId(refID(i)).Datasource(dsRef)
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

// refID names a panel's i-th query: A, B, C, …
func refID(i int) string { return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i : i+1] }

func (q Query) legend(l dashboards.Lang) string {
	if q.Label.Vi != "" {
		return q.Label.In(l)
	}
	return q.Legend
}

// Rename is a display name a panel gives a series: From is the name the
// legend template makes of a code, To the same template with the code's name.
type Rename struct{ From, To string }

// LegendRenames are the display names a legend template needs: one per
// combination of values of the named labels it shows ({{level}} → xa →
// "Cấp xã"). Grafana's value mappings apply to values, not to series names,
// hence display-name overrides matched on the name the legend makes.
func LegendRenames(legend string, l dashboards.Lang) []Rename {
	out := []Rename{{legend, legend}}
	named := false
	for _, label := range catalog.NamedLabels() {
		ph := "{{" + label + "}}"
		if !strings.Contains(legend, ph) {
			continue
		}
		named = true
		var next []Rename
		for _, r := range out {
			for _, v := range catalog.LabelValues[label].List {
				n, _ := catalog.ValueName(label, v)
				next = append(next, Rename{strings.ReplaceAll(r.From, ph, v), strings.ReplaceAll(r.To, ph, n.In(string(l)))})
			}
		}
		out = next
	}
	if !named {
		return nil
	}
	return out
}

// valueMappings names every value of label (a table column of codes).
func valueMappings(label string, l dashboards.Lang) []dashboard.ValueMapping {
	vs := catalog.LabelValues[label].List
	if len(vs) == 0 {
		return nil
	}
	m := dashboard.NewValueMap()
	for i, v := range vs {
		if n, ok := catalog.ValueName(label, v); ok {
			m.Options[v] = dashboard.ValueMappingResult{Text: ptr(n.In(string(l))), Index: ptr(int32(i))}
		}
	}
	return []dashboard.ValueMapping{{ValueMap: m}}
}

func (p Panel) mappings(l dashboards.Lang) []dashboard.ValueMapping {
	if len(p.Values) == 0 {
		return nil
	}
	m := dashboard.NewValueMap()
	for i, v := range p.Values {
		m.Options[num(v.Value)] = dashboard.ValueMappingResult{Text: ptr(v.Text.In(l)), Color: ptr(v.Color), Index: ptr(int32(i))}
	}
	return []dashboard.ValueMapping{{ValueMap: m}}
}

func (p Panel) thresholds() *dashboard.ThresholdsConfigBuilder {
	base := p.Base
	switch {
	case base == "" && len(p.Steps) == 0:
		base = Neutral
	case base == "":
		base = "green"
	}
	steps := []dashboard.Threshold{{Value: nil, Color: base}}
	for _, s := range p.Steps {
		steps = append(steps, dashboard.Threshold{Value: ptr(s.Value), Color: s.Color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

func unit(u string, suffix dashboards.Text, l dashboards.Lang) string {
	if suffix.Vi != "" {
		return "suffix:" + suffix.In(l)
	}
	return u
}

// override is one field override: a matcher by display name and properties.
type override struct {
	name  string
	props []dashboard.DynamicConfigValue
}

// overrides are the panel's per-field settings: names of coded legends, and
// a table's column units, value names, hidden columns and links.
func (p Panel) overrides(l dashboards.Lang) []override {
	var out []override
	seen := map[string]bool{}
	for _, q := range p.Queries {
		for _, r := range LegendRenames(q.legend(l), l) {
			if !seen[r.From] {
				seen[r.From] = true
				out = append(out, override{r.From, []dashboard.DynamicConfigValue{{Id: "displayName", Value: r.To}}})
			}
		}
	}
	for _, col := range p.columns() {
		var props []dashboard.DynamicConfigValue
		if u := unit(col.Unit, col.Suffix, l); u != "" {
			props = append(props, dashboard.DynamicConfigValue{Id: "unit", Value: u})
		}
		if col.Label != "" {
			if m := valueMappings(col.Label, l); m != nil {
				props = append(props, dashboard.DynamicConfigValue{Id: "mappings", Value: m})
			}
		}
		if len(col.Values) > 0 {
			props = append(props, dashboard.DynamicConfigValue{Id: "mappings", Value: Panel{Values: col.Values}.mappings(l)},
				dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": "color-text"}})
		}
		if col.Link {
			props = append(props, dashboard.DynamicConfigValue{Id: "links", Value: []map[string]any{{
				"title": drillDownTitle.In(l), "url": drillDown("${__data.fields." + catalog.LabelAgency + "}"),
			}}})
		}
		name := col.Title.In(l)
		if col.Title.Vi == "" {
			// Kept for the links only (the agency code): not shown.
			name = p.field(col)
			props = append(props, dashboard.DynamicConfigValue{Id: "custom.hidden", Value: true})
		}
		if len(props) > 0 {
			out = append(out, override{name, props})
		}
	}
	return out
}

// columns are the table's columns plus, for links, the hidden agency code
// they read.
func (p Panel) columns() []Column {
	cols := append([]Column{}, p.Columns...)
	for _, c := range p.Columns {
		if c.Link {
			return append(cols, Column{Label: catalog.LabelAgency})
		}
	}
	return cols
}

// field is the name Grafana gives a column: the label, or the query's value
// ("Value", or "Value #B" in a panel of several queries).
func (p Panel) field(c Column) string {
	switch {
	case c.Label != "":
		return c.Label
	case len(p.Queries) > 1:
		return "Value #" + c.Value
	}
	return "Value"
}

// transformations turn a table's frames into its columns: merge several
// queries on their labels, keep only the columns, order and rename them.
func (p Panel) transformations(l dashboards.Lang) []dashboard.DataTransformerConfig {
	if len(p.Columns) == 0 {
		return nil
	}
	var out []dashboard.DataTransformerConfig
	if len(p.Queries) > 1 {
		out = append(out, dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}})
	}
	var names []string
	index, rename := map[string]int{}, map[string]string{}
	for i, c := range p.columns() {
		f := p.field(c)
		names = append(names, f)
		index[f] = i
		if c.Title.Vi != "" {
			rename[f] = c.Title.In(l)
		}
	}
	return append(out,
		dashboard.DataTransformerConfig{Id: "filterFieldsByName", Options: map[string]any{"include": map[string]any{"names": names}}},
		dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{"excludeByName": map[string]bool{}, "indexByName": index, "renameByName": rename}})
}

// dataLinks link each agency's series to its drill-down.
func (p Panel) dataLinks(l dashboards.Lang) []cog.Builder[dashboard.DashboardLink] {
	if !p.Link || p.Kind == kindTable {
		return nil
	}
	u := drillDown("${__field.labels." + catalog.LabelAgency + "}")
	return []cog.Builder[dashboard.DashboardLink]{link{Title: drillDownTitle.In(l), Type: dashboard.DashboardLinkTypeLink, Url: &u, Tags: []string{}}}
}

// panelBuilder is what the SDK's four panel builders have in common.
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Id(uint32) B
	Title(string) B
	Description(string) B
	Datasource(common.DataSourceRef) B
	Unit(string) B
	Span(uint32) B
	Height(uint32) B
	Thresholds(cog.Builder[dashboard.ThresholdsConfig]) B
	WithTarget(cog.Builder[variants.Dataquery]) B
	Mappings([]dashboard.ValueMapping) B
	DataLinks([]cog.Builder[dashboard.DashboardLink]) B
	WithTransformation(dashboard.DataTransformerConfig) B
	OverrideByName(string, []dashboard.DynamicConfigValue) B
}

func configure[B panelBuilder[B]](b B, p Panel, l dashboards.Lang, id uint32) B {
	w, h := p.W, p.H
	if w == 0 {
		w = 8
	}
	if h == 0 {
		h = 8
	}
	b = b.Id(id).Title(p.Title.In(l)).Description(p.Description.In(l)).Datasource(dsRef).
		Unit(unit(p.Unit, p.Suffix, l)).Span(w).Height(h).Thresholds(p.thresholds())
	for _, t := range p.targets(l) {
		b = b.WithTarget(t)
	}
	if m := p.mappings(l); m != nil {
		b = b.Mappings(m)
	}
	if ls := p.dataLinks(l); ls != nil {
		b = b.DataLinks(ls)
	}
	for _, t := range p.transformations(l) {
		b = b.WithTransformation(t)
	}
	for _, o := range p.overrides(l) {
		b = b.OverrideByName(o.name, o.props)
	}
	return b
}

// lastNotNull: a stat or bar shows the series' last value (Grafana's
// default, written out).
func lastNotNull() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})
}

func (p Panel) builder(l dashboards.Lang, id uint32) cog.Builder[dashboard.Panel] {
	switch p.Kind {
	case kindStat:
		return configure(stat.NewPanelBuilder().ReduceOptions(lastNotNull()), p, l, id)
	case kindBarGauge:
		return configure(bargauge.NewPanelBuilder().ReduceOptions(lastNotNull()), p, l, id)
	case kindTable:
		return configure(table.NewPanelBuilder(), p, l, id)
	default:
		b := timeseries.NewPanelBuilder()
		if p.Daily {
			b = b.Interval("1d").SpanNulls(common.BoolOrFloat64{Bool: ptr(true)}).ShowPoints(common.VisibilityModeAlways)
		}
		if len(p.Steps) > 0 {
			// The thresholds drawn as dashed lines: a trend against the rule.
			b = b.ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
		}
		return configure(b, p, l, id)
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

// inProvince matches the picked province.
func inProvince() string { return re(catalog.LabelProvince, ProvinceVar) }

// once reads govpulse's series with an HA pair's replicas collapsed, as the
// rules do (rules.Once).
func once(expr string) string { return rules.Once(expr) }

// onAgency matches one agency of one province: agency codes repeat across
// provinces.
func onAgency(more ...string) string {
	return "on (" + strings.Join(append([]string{catalog.LabelProvince, catalog.LabelAgency}, more...), ", ") + ")"
}

// withName joins the agency's name onto expr (which keeps the province and
// agency labels).
func withName(expr string) string {
	return "(" + expr + ") * " + onAgency() + " group_left (" + catalog.LabelName + ") " + once(sel(catalog.AgencyInfo.Name, inProvince()))
}

// rootAgencies are the agencies of level tinh of the provinces matched:
// each province's root unit, whose name is the province's.
func rootAgencies(matchers ...string) string {
	return once(sel(catalog.AgencyInfo.Name, append([]string{eq(catalog.LabelLevel, catalog.LevelProvince)}, matchers...)...))
}

// atRoot keeps, of expr (a Decision 766 figure by unit), the figures of the
// province's own root unit: the unit is the agency of level tinh in the
// data, not a code written into the board.
func atRoot(expr string, matchers ...string) string {
	return expr + " and on (" + catalog.LabelProvince + ", " + catalog.LabelUnit + ") label_replace(" + rootAgencies(matchers...) +
		", " + strconv.Quote(catalog.LabelUnit) + ", \"$1\", " + strconv.Quote(catalog.LabelAgency) + ", \"(.*)\")"
}

// provinceNames is one series per province with its name (the name label):
// its root agency's. A province has one agency of level tinh (a config
// names it otherwise); topk keeps one if the data has two.
func provinceNames() string {
	return "topk by (" + catalog.LabelProvince + ") (1, " + rootAgencies() + ")"
}

// provinceVariable picks the province, showing its name: the provinces in
// the data (no All: a board shows one province, the first by default).
// Without the label in the data it has no option, and an empty
// province=~"" matches the series without one.
func provinceVariable(c *ctx) Variable {
	return Variable{Name: ProvinceVar, Label: c.text("Tỉnh, thành phố", "Province"),
		Query: "query_result(" + provinceNames() + ")",
		// Prometheus sorts labels: name before province.
		Regex: `/,` + catalog.LabelName + `="(?<text>[^"]+)".*,` + catalog.LabelProvince + `="(?<value>[^"]+)"/`}
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
