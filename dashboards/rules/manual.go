package rules

import (
	"strconv"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Manual KPIs (docs/manual-kpi.md): a KPI, for an agency or the province,
// whose latest value is behind the expected value on its linear target path
// today. Only KPIs with a deadline have a path: a file that leaves a KPI's
// deadline out turns the alert off for it.

// onKPI matches a KPI's series of one province.
func onKPI() string { return on(catalog.LabelProvince, catalog.LabelKPI) }

// ManualKPIAhead is, per province, KPI and agency, how far the latest value
// is ahead of today's expected value on the target path, in the KPI's unit
// and signed by its direction: negative is behind (below the path for
// higher_is_better, above it for lower_is_better). The boards read it too.
// matchers select the series (the boards' province picker).
func ManualKPIAhead(matchers ...string) string {
	info := func(direction string) string {
		return "max by (" + catalog.LabelProvince + ", " + catalog.LabelKPI + ") (" + sel(catalog.ManualKPIInfo.Name, append([]string{eq(catalog.LabelDirection, direction)}, matchers...)...) + ")"
	}
	sign := "(\n    " + info(catalog.DirectionHigher) + "\n    or\n    -1 * " + info(catalog.DirectionLower) + "\n  )"
	return "(" + Once(sel(catalog.ManualKPI.Name, matchers...)) + " - " + onKPI() + " group_left () " + Once(sel(catalog.ManualKPITargetPath.Name, matchers...)) + ")\n  * " + onKPI() + " group_left () " + sign
}

// manualAlerts: ManualKpiBehindTarget.
func manualAlerts(g *gen) ([]Rule, error) {
	info := Once(catalog.ManualKPIInfo.Name)
	value := Once(catalog.ManualKPI.Name)
	kpiLabels := "group_left (" + catalog.LabelKPIName + ", " + catalog.LabelKPINameEn + ", " + catalog.LabelKPIUnit + ", " + catalog.LabelValueType + ")"
	who := "{{ $labels.name }}"
	kpiName := g.text("{{ $labels."+catalog.LabelKPIName+" }}", "{{ $labels."+catalog.LabelKPINameEn+" }}")
	// The figure in the KPI's own unit: a ratio as a percentage, a count
	// with its unit.
	format := func(pipe string) string {
		return `{{ if eq $labels.` + catalog.LabelValueType + ` "` + catalog.ValueRatio + `" }}{{ ` + pipe + g.percentPipe() + ` }}%{{ else }}{{ ` + pipe + g.countPipe() + ` }} {{ $labels.` + catalog.LabelKPIUnit + ` }}{{ end }}`
	}
	val := format("$value")
	path := `{{ with query (printf ` + strconv.Quote(Once(sel(catalog.ManualKPITargetPath.Name, catalog.LabelKPI+"=%q", provinceMatcher))) + ` $labels.` + catalog.LabelKPI + ` $labels.` + catalog.LabelProvince + `) }}` + format(". | first | value") + `{{ end }}`
	target := `{{ with query (printf ` + strconv.Quote(Once(sel(catalog.ManualKPITarget.Name, catalog.LabelKPI+"=%q", provinceMatcher))) + ` $labels.` + catalog.LabelKPI + ` $labels.` + catalog.LabelProvince + `) }}` + format(". | first | value") + `{{ end }}`
	return []Rule{
		g.alert(catalog.AlertManualBehind, func(probe bool) string {
			behind := cmp(probe, ManualKPIAhead(), "<", "0")
			return withInfo("(\n  "+value+" * "+onKPI()+" "+kpiLabels+" "+info+"\n  )\n  and "+onAgency(catalog.LabelKPI)+"\n  ("+behind+")",
				catalog.LabelName, catalog.LabelLevel)
		},
			g.text(
				who+": chỉ tiêu «"+kpiName+"» chậm so với lộ trình ("+val+")",
				who+": KPI “"+kpiName+"” is behind its target path ("+val+")"),
			g.text(
				who+" (mã định danh {{ $labels.agency }}): chỉ tiêu «"+kpiName+"» (mã {{ $labels.kpi }}) đạt "+val+", chưa đạt mức cần có hôm nay theo lộ trình tuyến tính từ giá trị đầu kỳ đến mục tiêu "+target+" tại hạn hoàn thành: "+path+". Số liệu do cơ quan, đơn vị nhập trong tệp theo dõi thủ công; nếu số liệu đã cũ, đề nghị cập nhật.",
				who+" (e-ID code {{ $labels.agency }}): KPI “"+kpiName+"” ({{ $labels.kpi }}) stands at "+val+", short of what its linear path from the baseline to the target "+target+" at the deadline expects today: "+path+". The figures are entered by hand in the KPI file; if they are old, update them.")).
			annotate(
				AnnTitle, g.text("Chỉ tiêu theo dõi thủ công chậm so với lộ trình", "KPIs tracked by hand behind their target path"),
				AnnValue, val,
				AnnThreshold, g.text("cần đạt hôm nay theo lộ trình: ", "expected today on the path: ")+path,
				AnnPeriod, g.text("số liệu mới nhất đến hôm nay", "latest figure to date"),
				AnnAction, g.text("Đề nghị cơ quan, đơn vị chủ trì rà soát tiến độ thực hiện chỉ tiêu, có giải pháp đẩy nhanh và cập nhật số liệu mới nhất vào tệp theo dõi.",
					"Have the agency in charge review the KPI's progress, act to catch up, and enter its latest figure in the KPI file.")),
	}, nil
}
