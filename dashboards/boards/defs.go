package boards

import (
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/workday"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// Default time ranges. The one-stop figures are month to date (gauges that
// restart on the 1st), so the boards that show them open on this month, in
// the province's time zone: a trend then starts where the figures do. VNeID
// counts are cumulative: the last 30 days show how activation moves. The
// yearly indices are read at the range's end whatever it is: this year.
// Collector health is about the last runs: the last day.
const (
	monthToDate = "now/M"
	now         = "now"
	last30Days  = "now-30d"
	yearToDate  = "now/y"
	lastDay     = "now-24h"
)

// errorWindow is the window the health board counts failures and rejected
// records in.
const errorWindow = time.Hour

// Shorthands for the recorded series and label matchers the boards use.
// lateRatio is the picked province's.
func (c *ctx) lateRatio(sc catalog.Scope, matchers ...string) string {
	return sel(catalog.LateRate.Ratio(sc).Name, append([]string{eq(catalog.LabelPeriod, catalog.PeriodMonth), eq(catalog.LabelDefinition, c.th.LateRateDefinition), inProvince()}, matchers...)...)
}

func month() string { return eq(catalog.LabelPeriod, catalog.PeriodMonth) }

// pct is a ratio written for people in both languages (0.05 → 5%).
func pct(v float64) dashboards.Text {
	return dashboards.Text{Vi: dashboards.Percent(v, dashboards.Vi), En: dashboards.Percent(v, dashboards.En)}
}

// join concatenates texts language by language.
func join(ts ...dashboards.Text) dashboards.Text {
	var out dashboards.Text
	for _, t := range ts {
		out.Vi += t.Vi
		out.En += t.En
	}
	return out
}

func name(n catalog.Name) dashboards.Text { return dashboards.Text{Vi: n.Vi, En: n.En} }

// lateText is a text naming late dossiers by the one term (catalog.Late,
// quá hạn) in Vietnamese; English word order differs, so it is whole.
func lateText(before, after, en string) dashboards.Text {
	return dashboards.Text{Vi: before + catalog.Late.Vi + after, En: en}
}

// hours writes a whole number of hours in both languages, as in "in the
// last …": 1 giờ, hour; 2 giờ, 2 hours.
func hours(d time.Duration) dashboards.Text {
	n := int(d / time.Hour)
	en := strconv.Itoa(n) + " hours"
	if n == 1 {
		en = "hour"
	}
	return dashboards.Text{Vi: strconv.Itoa(n) + " giờ", En: en}
}

// and joins names as a list: "a, b và c", "a, b and c".
func and(items []string, word string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}

// lateDefinition is the definition the province's rule uses.
func (c *ctx) lateDefinition() catalog.LateRateDefinition {
	for _, d := range catalog.LateRateDefinitions {
		if d.Name == c.th.LateRateDefinition {
			return d
		}
	}
	return catalog.LateRateDefinitions[0]
}

// lateSteps colour a late rate with the province's thresholds.
func (c *ctx) lateSteps() []Step {
	return []Step{{c.th.LateRateWarning, "orange"}, {c.th.LateRateCritical, "red"}}
}

// lateRule says how a late rate is computed and judged.
func (c *ctx) lateRule() dashboards.Text {
	d := c.lateDefinition()
	good, _ := catalog.ValueName(catalog.LabelRating, catalog.RatingGood)
	w, cr := pct(c.th.LateRateWarning), pct(c.th.LateRateCritical)
	return join(
		c.text("Định nghĩa "+d.Name+": "+d.Vi+" (cấu hình thresholds.late_rate_definition). Tỷ lệ của tổng số hồ sơ, không phải bình quân các tỷ lệ. Ngưỡng của tỉnh: dưới ",
			"Definition "+d.Name+": "+d.En+" (thresholds.late_rate_definition). A ratio of sums, never an average of rates. The province's rule: below "),
		w, c.text(" (xanh); từ ", " (green); orange from "), w, c.text(" màu cam; từ ", "; red from "), cr,
		c.text(" màu đỏ: cán bộ, công chức không được xếp loại "+good.Vi+" trở lên.", ", at which an official cannot be rated "+good.En+" or better."))
}

// overview is the leaders' board: Tổng quan CCHC & CĐS.
func overview(c *ctx) Board {
	prov := inProvince()
	// A Decision 766 figure of the province's root unit (the agency of level tinh in the data).
	root := func(m *catalog.Metric) string { return atRoot(once(sel(m.Name, prov, month())), prov) }
	total := eq(catalog.LabelComponent, catalog.ComponentTotal)
	latest := " and on (" + catalog.LabelProvince + ", " + catalog.LabelIndex + ", " + catalog.LabelYear + ") " + sel(catalog.IndexLatestYear.Name, prov)
	minVolume := strconv.Itoa(c.th.LateMinVolume)
	worst := "topk(10, " + withName(c.lateRatio(catalog.ScopeAgency)+
		" and "+onAgency(catalog.LabelPeriod)+" "+sel(catalog.ResolvedSum.At(catalog.ScopeAgency).Name, month(), prov)+" >= "+minVolume) + ")"
	rating := "(" + once(sel(catalog.AgencyRatingState.Name, prov)) + " == 1) * " + onAgency() + " group_left (" + catalog.LabelName + ", " + catalog.LabelLevel + ") " + once(sel(catalog.AgencyInfo.Name, prov))
	commune := eq(catalog.LabelLevel, catalog.LevelCommune)
	sum := func(m *catalog.Metric, matchers ...string) string {
		return "sum(" + once(sel(m.Name, append([]string{prov}, matchers...)...)) + ")"
	}
	actual, target := c.text("thực hiện", "actual"), c.text("chỉ tiêu", "target")
	return Board{
		UID: dashboards.BoardOverview, File: "tong-quan.json",
		Title:       c.text("Tổng quan CCHC & CĐS", "Administrative reform & digital transformation overview"),
		Description: c.text("Cho lãnh đạo tỉnh: giải quyết hồ sơ thủ tục hành chính từ đầu tháng, Cổng DVC quốc gia, VNeID, Bộ chỉ số QĐ 766 và xếp hạng.", "For the province's leaders: dossier handling month to date, the national portal, VNeID, the Decision 766 index and rankings."),
		From:        monthToDate, To: now,
		Rows: []Row{{
			Title: c.text("Giải quyết hồ sơ TTHC (từ đầu tháng)", "Dossier handling (month to date)"),
			Panels: []Panel{
				{Kind: kindStat, Title: lateText("Tỷ lệ hồ sơ ", " toàn tỉnh", "Province late rate"), Unit: "percentunit", Steps: c.lateSteps(), W: 6,
					Description: join(c.text("Hồ sơ của mọi cơ quan, đơn vị trong tỉnh, từ đầu tháng. ", "Dossiers of every agency in the province, month to date. "), c.lateRule()),
					Queries:     []Query{{Expr: c.lateRatio(catalog.ScopeProvince), Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ hồ sơ giải quyết đúng hạn, trước hạn", "On-time rate (early or on time)"), Unit: "percentunit", W: 6,
					Description: c.text("(Hồ sơ giải quyết trước hạn + đúng hạn) / tổng hồ sơ đã giải quyết từ đầu tháng, toàn tỉnh; tỷ lệ của tổng số hồ sơ.",
						"(Dossiers resolved early + on time) / all dossiers resolved this month, whole province; a ratio of sums."),
					Queries: []Query{{Expr: sel(catalog.OnTimeShare.Ratio(catalog.ScopeProvince).Name, month(), prov), Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ hồ sơ nộp trực tuyến", "Online submission rate"), Unit: "percentunit", W: 6,
					Description: c.text("Hồ sơ tiếp nhận mới qua kênh trực tuyến / tổng hồ sơ tiếp nhận mới từ đầu tháng (trực tiếp, trực tuyến, bưu chính công ích), toàn tỉnh.",
						"Dossiers newly received online / all newly received this month (in person, online, by post), whole province."),
					Queries: []Query{{Expr: sel(catalog.OnlineShare.Ratio(catalog.ScopeProvince).Name, month(), prov), Instant: true}}},
				{Kind: kindStat, Title: lateText("Hồ sơ đang giải quyết ", "", "Overdue dossiers in progress"), W: 6, Steps: []Step{{1, "red"}},
					Description: c.text("Số hồ sơ chưa giải quyết đã quá hạn hẹn trả, toàn tỉnh, hiện tại; mỗi hồ sơ cần văn bản xin lỗi người dân. Đỏ khi có từ 1 hồ sơ.",
						"Dossiers not yet resolved and past their appointment date, whole province, now; each needs an apology letter. Red from 1."),
					Queries: []Query{{Expr: sel(catalog.OverdueSum.At(catalog.ScopeProvince).Name, month(), prov), Instant: true}}},
				{Kind: kindBarGauge, Title: join(lateText("Tỷ lệ hồ sơ ", " theo cấp (ngưỡng ", "Late rate by level ("), pct(c.th.LateRateWarning), c.text(")", " rule)")),
					Unit: "percentunit", Steps: c.lateSteps(), W: 12,
					Description: join(c.text("Hồ sơ của các cơ quan, đơn vị cùng cấp (tỉnh, sở, huyện, xã) cộng lại, từ đầu tháng. ", "Dossiers of the agencies of each level summed, month to date. "), c.lateRule()),
					Queries:     []Query{{Expr: c.lateRatio(catalog.ScopeLevel), Legend: "{{" + catalog.LabelLevel + "}}", Instant: true}}},
				{Kind: kindBarGauge, Title: lateText("Tỷ lệ hồ sơ ", ": 10 cơ quan, đơn vị cao nhất", "Late rate: the 10 highest agencies"), Unit: "percentunit", Steps: c.lateSteps(), W: 12, H: 10, Link: true,
					Description: join(c.text("Chỉ tính cơ quan, đơn vị đã giải quyết từ "+minVolume+" hồ sơ từ đầu tháng (thresholds.late_min_volume). Bấm vào một cơ quan để xem chi tiết. ",
						"Only agencies with at least "+minVolume+" dossiers resolved this month (thresholds.late_min_volume). Click an agency for its drill-down. "), c.lateRule()),
					Queries: []Query{{Expr: worst, Legend: "{{" + catalog.LabelName + "}}", Instant: true}}},
				{Kind: kindTimeseries, Title: lateText("Diễn biến tỷ lệ hồ sơ ", " theo cấp", "Late rate by level, trend"), Unit: "percentunit", Steps: c.lateSteps(), W: 24,
					Description: join(c.text("Tỷ lệ từ đầu tháng tại từng thời điểm: số liệu bắt đầu lại vào ngày 1 hằng tháng. ", "The month-to-date rate at each instant: the figures restart on the 1st. "), c.lateRule()),
					Queries:     []Query{{Expr: c.lateRatio(catalog.ScopeLevel), Legend: "{{" + catalog.LabelLevel + "}}"}}},
			},
		}, {
			Title: c.text("Dịch vụ công quốc gia, VNeID, Đề án 06", "National portal and VNeID"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Tỷ lệ DVC trực tuyến tích hợp Cổng DVC quốc gia", "Rate of online services integrated on the national portal"), Unit: "percentunit", W: 6,
					Base: "orange", Steps: []Step{{c.targets.Integration, "green"}},
					Description: join(c.text("Dịch vụ công trực tuyến (toàn trình, một phần) đã tích hợp lên Cổng DVC quốc gia / tổng số dịch vụ công trực tuyến của tỉnh, hiện tại. Xanh khi đạt chỉ tiêu ",
						"Online public services (full and partial) integrated on the national portal / all the province's online services, now. Green from the target, "), pct(c.targets.Integration),
						c.text(" (rating.targets.integration).", " (rating.targets.integration).")),
					Queries: []Query{{Expr: sum(catalog.PortalServicesIntegrated) + " / " + sum(catalog.PortalServicesOnline), Label: actual, Instant: true},
						{Expr: once(sel(catalog.TargetIntegration.Name, prov)), Label: target, Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia", "Dossier sync rate to the national portal"), Unit: "percentunit", W: 6,
					Base: "red", Steps: []Step{{c.targets.Sync, "green"}},
					Description: join(c.text("Hồ sơ đã đồng bộ / max(hồ sơ tiếp nhận theo hệ thống một cửa của tỉnh, theo Cổng DVC quốc gia) từ đầu tháng (QĐ 766, mục 1.4). Đỏ dưới chỉ tiêu ",
						"Dossiers synced / max(received as the province's one-stop system counts, as the portal counts) this month (Decision 766 §1.4). Red below the target, "), pct(c.targets.Sync),
						c.text(" (rating.targets.sync), cũng là ngưỡng cảnh báo.", " (rating.targets.sync), also the alert's threshold.")),
					Queries: []Query{{Expr: sel(catalog.SyncShare.Ratio(catalog.ScopeProvince).Name, month(), prov), Label: actual, Instant: true},
						{Expr: once(sel(catalog.TargetSync.Name, prov)), Label: target, Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ kích hoạt định danh điện tử mức 2", "VNeID level-2 activation rate"), Unit: "percentunit", W: 6,
					Description: c.text("Tài khoản định danh điện tử mức 2 đã kích hoạt / đã cấp, cộng các xã, phường; lũy kế đến ngày báo cáo của Công an.",
						"Level-2 e-ID accounts activated / issued, summed over communes; cumulative to the police report's date."),
					Queries: []Query{{Expr: sum(catalog.VNeIDActivated, commune) + " / " + sum(catalog.VNeIDIssued, commune), Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ dân số từ 14 tuổi đã kích hoạt VNeID mức 2", "Rate of population 14+ with an activated level-2 e-ID"), Unit: "percentunit", W: 6,
					Description: c.text("Tài khoản mức 2 đã kích hoạt / dân số từ 14 tuổi (số liệu dân số cấu hình), cộng các xã, phường.",
						"Level-2 accounts activated / population aged 14 and over (the configured figure), summed over communes."),
					Queries: []Query{{Expr: sum(catalog.VNeIDActivated, commune) + " / " + sum(catalog.VNeIDPopulation, commune), Instant: true}}},
			},
		}, {
			Title: c.text("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) và xếp hạng", "Decision 766 index and rankings"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Tổng điểm QĐ 766 của tỉnh (từ đầu tháng)", "Decision 766 total, month to date"), W: 6,
					Base: "red", Steps: []Step{{catalog.QD766Bands.Weak, "orange"}, {catalog.QD766Bands.Good, "green"}, {catalog.QD766Bands.Excellent, "blue"}},
					Description: c.text("Tổng điểm chính thức trên "+num(catalog.QD766MaxTotal)+" do Cổng DVC quốc gia công bố. Đỏ dưới "+num(catalog.QD766Bands.Weak)+", cam từ "+num(catalog.QD766Bands.Weak)+", xanh lá từ "+num(catalog.QD766Bands.Good)+", xanh dương từ "+num(catalog.QD766Bands.Excellent)+" điểm.",
						"Official total out of "+num(catalog.QD766MaxTotal)+" published by the national portal. Red below "+num(catalog.QD766Bands.Weak)+", orange from "+num(catalog.QD766Bands.Weak)+", green from "+num(catalog.QD766Bands.Good)+", blue from "+num(catalog.QD766Bands.Excellent)+" points."),
					Queries: []Query{{Expr: root(catalog.QD766TotalScore), Instant: true}}},
				{Kind: kindStat, Title: c.text("Xếp hạng QĐ 766 của tỉnh", "Decision 766 rank"), W: 6,
					Description: c.text("Thứ hạng của tỉnh theo tổng điểm QĐ 766 trong cả nước (1 là cao nhất).", "The province's rank by Decision 766 total among all provinces (1 = best)."),
					Queries:     []Query{{Expr: root(catalog.QD766Rank), Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Điểm các nhóm chỉ tiêu QĐ 766: chính thức và ước tính", "Decision 766 group scores: official and local estimate"), W: 12,
					Description: c.text("Điểm chính thức của 6 nhóm do Cổng DVC quốc gia công bố, và điểm govpulse ước tính từ số liệu thu thập (điểm = tối đa × tỷ lệ / ngưỡng) cho các nhóm đủ số liệu.",
						"Official scores of the 6 groups published by the national portal, and govpulse's estimate from the collected data (score = max × ratio / threshold) for the groups it covers."),
					Queries: []Query{{Expr: root(catalog.QD766GroupScore), Legend: "{{" + catalog.LabelGroup + "}}", Instant: true},
						{Expr: root(catalog.QD766EstimateScore), Label: c.text("{{"+catalog.LabelGroup+"}} (ước tính)", "{{"+catalog.LabelGroup+"}} (estimate)"), Instant: true}}},
				c.rankStat(catalog.IndexPAR, c.text("Xếp hạng PAR Index và mục tiêu", "PAR Index rank and target"), total, latest),
				c.rankStat(catalog.IndexDTI, c.text("Xếp hạng DTI và mục tiêu", "DTI rank and target"), total, latest),
				{Kind: kindTable, Title: c.text("Xếp loại người đứng đầu cơ quan, đơn vị", "Head-of-agency rating"), W: 12, H: 10,
					Description: c.ratingRule(),
					Queries:     []Query{{Expr: rating, Instant: true}},
					Columns: []Column{
						{Label: catalog.LabelName, Title: c.text("Cơ quan, đơn vị", "Agency"), Link: true},
						{Label: catalog.LabelLevel, Title: c.text("Cấp", "Level")},
						{Label: catalog.LabelRating, Title: c.text("Xếp loại", "Rating")},
					}},
			},
		}, c.manualRow()},
	}
}

// manualRow lists every KPI tracked by hand (source type manual) against its
// target and today's expected value on its linear target path: counts in
// one table, rates (written in percent) in another.
func (c *ctx) manualRow() Row {
	prov := inProvince()
	kpiName := catalog.LabelKPIName
	if c.Lang == dashboards.En {
		kpiName = catalog.LabelKPINameEn
	}
	onKPI := "on (" + catalog.LabelProvince + ", " + catalog.LabelKPI + ")"
	value := once(sel(catalog.ManualKPI.Name, prov))
	// Each query has the value's labels, so the table merges them by row.
	perValue := func(m *catalog.Metric) string {
		return value + " * 0 + " + onKPI + " group_left () " + once(sel(m.Name, prov))
	}
	on, _ := catalog.ValueName(catalog.LabelKPIProgress, catalog.ProgressOnTrack)
	behind, _ := catalog.ValueName(catalog.LabelKPIProgress, catalog.ProgressBehind)
	table := func(valueType string, title, desc dashboards.Text, unit string) Panel {
		row := func(expr string) string {
			return withName("(" + expr + ") * " + onKPI + " group_left (" + catalog.LabelKPIName + ", " + catalog.LabelKPINameEn + ", " + catalog.LabelKPIUnit + ") " +
				once(sel(catalog.ManualKPIInfo.Name, prov, eq(catalog.LabelValueType, valueType))))
		}
		actual, target, expected := c.text("Thực hiện", "Actual"), c.text("Mục tiêu", "Target"), c.text("Cần đạt hôm nay theo lộ trình", "Expected today on the path")
		cols := []Column{
			{Label: kpiName, Title: c.text("Chỉ tiêu", "KPI")},
			{Label: catalog.LabelName, Title: c.text("Cơ quan, đơn vị", "Agency"), Link: true},
			{Label: catalog.LabelKPIUnit, Title: c.text("Đơn vị tính", "Unit")},
		}
		if unit == "percentunit" {
			// Rates carry their unit in the figures, and are titled as rates.
			cols = cols[:2]
			actual, target, expected = c.text("Tỷ lệ thực hiện", "Actual rate"), c.text("Tỷ lệ mục tiêu", "Target rate"), c.text("Tỷ lệ cần đạt hôm nay theo lộ trình", "Rate expected today on the path")
		}
		cols = append(cols,
			Column{Value: "A", Title: actual, Unit: unit},
			Column{Value: "B", Title: target, Unit: unit},
			Column{Value: "C", Title: expected, Unit: unit},
			Column{Value: "D", Title: c.text("Tình trạng", "Status"), Values: []ValueText{{1, name(on), "green"}, {0, name(behind), "red"}}})
		return Panel{Kind: kindTable, Title: title, W: 24, H: 9, Description: desc,
			Queries: []Query{
				{Expr: row(value), Instant: true},
				{Expr: row(perValue(catalog.ManualKPITarget)), Instant: true},
				{Expr: row(perValue(catalog.ManualKPITargetPath)), Instant: true},
				{Expr: row(rules.ManualKPIAhead(prov) + " >= bool 0"), Instant: true},
			},
			Columns: cols}
	}
	path := c.text("Lộ trình tuyến tính từ giá trị đầu kỳ tại ngày bắt đầu (mặc định 1/1 của năm có hạn) đến mục tiêu tại hạn hoàn thành; "+on.Vi+" khi số liệu mới nhất bằng hoặc tốt hơn mức cần đạt hôm nay (theo chiều đánh giá của chỉ tiêu), "+behind.Vi+" khi kém hơn. Chỉ tiêu không có hạn hoàn thành không có lộ trình. Số liệu do cơ quan, đơn vị nhập trong tệp theo dõi thủ công (nguồn manual).",
		"A linear path from the baseline on its start (1 January of the deadline's year by default) to the target on the deadline; "+on.En+" when the latest figure equals or beats today's expected value (by the KPI's direction), "+behind.En+" when it falls short. A KPI without a deadline has no path. Figures are entered by hand in the KPI files (manual source).")
	return Row{
		Title: c.text("Chỉ tiêu theo dõi thủ công", "KPIs tracked by hand"),
		Panels: []Panel{
			table(catalog.ValueCount, c.text("Chỉ tiêu theo dõi thủ công: số lượng so với mục tiêu", "KPIs tracked by hand: counts against target"),
				join(c.text("Số liệu mới nhất (đến hôm nay) của từng chỉ tiêu tính bằng số lượng, theo cơ quan, đơn vị hoặc toàn tỉnh. ", "Latest figure (to date) of each KPI counted in its own unit, per agency or for the province. "), path), ""),
			table(catalog.ValueRatio, c.text("Tỷ lệ thực hiện các chỉ tiêu theo dõi thủ công so với mục tiêu", "KPIs tracked by hand: rates against target"),
				join(c.text("Số liệu mới nhất (đến hôm nay) của từng chỉ tiêu tính bằng tỷ lệ, theo cơ quan, đơn vị hoặc toàn tỉnh. ", "Latest figure (to date) of each KPI written as a rate, per agency or for the province. "), path), "percentunit"),
		},
	}
}

// ratingRule says how heads of agency are rated, with the tiers' official
// names.
func (c *ctx) ratingRule() dashboards.Text {
	var capped []string
	var cappedEn []string
	for _, t := range catalog.RatingTiers {
		if t.LateBelowWarning {
			n, _ := catalog.ValueName(catalog.LabelRating, t.Code)
			capped, cappedEn = append(capped, n.Vi), append(cappedEn, n.En)
		}
	}
	w := pct(c.th.LateRateWarning)
	return c.text("Xếp loại hiện tại theo điểm CCHC và tỷ lệ hồ sơ "+catalog.Late.Vi+" của kỳ xếp loại: "+and(capped, "và")+" cần tỷ lệ "+catalog.Late.Vi+" dưới "+w.Vi+" (khi đã giải quyết từ "+strconv.Itoa(c.th.LateMinVolume)+" hồ sơ). Bấm tên cơ quan, đơn vị để xem chi tiết.",
		"Current rating from the CCHC score and the late rate of the rating period: "+and(cappedEn, "and")+" need a late rate below "+w.En+" (with at least "+strconv.Itoa(c.th.LateMinVolume)+" dossiers resolved). Click an agency for its drill-down.")
}

// rankStat is an index's latest rank beside its target: green at or better
// than the configured target, red worse; neutral without a target.
func (c *ctx) rankStat(index string, title dashboards.Text, total, latest string) Panel {
	n, _ := catalog.ValueName(catalog.LabelIndex, index)
	p := Panel{Kind: kindStat, Title: title, W: 6,
		Description: c.text(n.Vi+": thứ hạng của tỉnh năm gần nhất được công bố (1 là cao nhất) và mục tiêu xếp hạng (indices.targets).",
			n.En+": the province's rank in the latest published year (1 = best) and the rank target (indices.targets)."),
		Queries: []Query{{Expr: once(sel(catalog.IndexRank.Name, eq(catalog.LabelIndex, index), total, inProvince())) + latest, Label: c.text("năm {{"+catalog.LabelYear+"}}", "{{"+catalog.LabelYear+"}}"), Instant: true},
			{Expr: once(sel(catalog.IndexTargetRank.Name, eq(catalog.LabelIndex, index), inProvince())), Label: c.text("mục tiêu {{"+catalog.LabelYear+"}}", "target {{"+catalog.LabelYear+"}}"), Instant: true}}}
	if t, ok := c.rankTargets[index]; ok {
		p.Base, p.Steps = "green", []Step{{float64(t) + 1, "red"}}
		p.Description = join(p.Description, c.text(" Xanh khi đạt hạng "+strconv.Itoa(t)+" trở lên, đỏ khi thấp hơn.", " Green at rank "+strconv.Itoa(t)+" or better, red below."))
	}
	return p
}

// agency is the drill-down by level, agency and field.
func agency(c *ctx) Board {
	pick := []string{inProvince(), re(catalog.LabelAgency, AgencyVar), re(catalog.LabelField, FieldVar), month()}
	picked := func(m *catalog.Metric, extra ...string) string {
		return once(sel(m.Name, append(append([]string{}, pick...), extra...)...))
	}
	byLabel := func(m *catalog.Metric, label string, extra ...string) string {
		return "sum by (" + label + ") (" + picked(m, extra...) + ")"
	}
	// The feed's figures may be per agency only (onestop detail: agency):
	// they follow the agency picked, every field.
	feedPick := []string{inProvince(), re(catalog.LabelAgency, AgencyVar), month()}
	perAgency := func(m *catalog.Metric) string {
		return "sum by (" + catalog.LabelProvince + ", " + catalog.LabelAgency + ") (" + once(sel(m.Name, feedPick...)) + ")"
	}
	day := workdayLength()
	processing, legal, timed := perAgency(catalog.DossiersProcessingSeconds), perAgency(catalog.DossiersLegalSeconds), perAgency(catalog.DossiersTimed)
	workingDays := c.text(" ngày làm việc", " working days")
	dayNote := c.text(" Một ngày làm việc là "+num(day.Hours())+" giờ làm việc (07:00–11:30, 13:30–17:00).", " A working day is "+num(day.Hours())+" working hours (07:00–11:30, 13:30–17:00).")
	var levels []Option
	for _, v := range catalog.LabelValues[catalog.LabelLevel].List {
		n, _ := catalog.ValueName(catalog.LabelLevel, v)
		levels = append(levels, Option{Value: v, Text: name(n)})
	}
	scope := c.text("Hồ sơ của các cơ quan, đơn vị và lĩnh vực đã chọn, từ đầu tháng. ", "Dossiers of the chosen agencies and fields, month to date. ")
	return Board{
		UID: AgencyBoardUID, File: "don-vi.json",
		Title:       c.text("Chi tiết cơ quan, đơn vị", "Agency drill-down"),
		Description: c.text("Hồ sơ từ đầu tháng của một hoặc nhiều cơ quan, đơn vị, theo cấp và lĩnh vực.", "Month-to-date dossiers of one or more agencies, by level and field."),
		From:        monthToDate, To: now,
		Variables: []Variable{
			{Name: LevelVar, Label: c.text("Cấp", "Level"), Options: levels, All: true},
			{Name: AgencyVar, Label: c.text("Cơ quan, đơn vị", "Agency"),
				Query: "query_result(" + once(sel(catalog.AgencyInfo.Name, re(catalog.LabelLevel, LevelVar), inProvince())) + ")",
				Regex: infoRegex(catalog.LabelAgency), All: true},
			{Name: FieldVar, Label: c.text("Lĩnh vực", "Field"),
				Query: "query_result(" + once(sel(catalog.FieldInfo.Name, inProvince())) + " and on (" + catalog.LabelProvince + ", " + catalog.LabelField + ") " + sel(catalog.DossiersReceived.Name, inProvince(), re(catalog.LabelAgency, AgencyVar), month()) + ")",
				Regex: infoRegex(catalog.LabelField), All: true},
		},
		Rows: []Row{{
			Title: c.text("Hồ sơ từ đầu tháng", "Dossiers, month to date"),
			Panels: []Panel{
				{Kind: kindBarGauge, Title: c.text("Hồ sơ tiếp nhận mới theo kênh", "Dossiers received by channel"), W: 8,
					Description: join(scope, c.text("Hồ sơ tiếp nhận mới trong kỳ (không gồm hồ sơ kỳ trước chuyển qua), theo kênh nộp.", "Dossiers newly received in the period (not those carried over), by submission channel.")),
					Queries:     []Query{{Expr: byLabel(catalog.DossiersReceived, catalog.LabelChannel), Legend: "{{" + catalog.LabelChannel + "}}", Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Hồ sơ đã giải quyết theo thời hạn", "Dossiers resolved by timeliness"), W: 8,
					Description: join(scope, c.text("Hồ sơ đã giải quyết trong kỳ: trước hạn, đúng hạn, "+catalog.Late.Vi+" so với ngày hẹn trả.", "Dossiers resolved in the period: early, on time, late against the appointment date.")),
					Queries:     []Query{{Expr: byLabel(catalog.DossiersResolved, catalog.LabelTimeliness), Legend: "{{" + catalog.LabelTimeliness + "}}", Instant: true}}},
				{Kind: kindStat, Title: lateText("Hồ sơ đang giải quyết ", "", "Overdue dossiers in progress"), W: 4, Steps: []Step{{1, "red"}},
					Description: c.text("Hồ sơ chưa giải quyết đã quá ngày hẹn trả, của các cơ quan, đơn vị và lĩnh vực đã chọn, hiện tại; mỗi hồ sơ cần văn bản xin lỗi người dân. Đỏ khi có từ 1 hồ sơ.",
						"Dossiers not yet resolved and past their appointment date, of the chosen agencies and fields, now; each needs an apology letter. Red from 1."),
					Queries: []Query{{Expr: "sum(" + picked(catalog.DossiersInProgress, eq(catalog.LabelTimeliness, catalog.InProgressOverdue)) + ")", Instant: true}}},
				{Kind: kindStat, Title: c.text("Hồ sơ sắp đến hạn", "Dossiers due soon"), W: 4, Steps: []Step{{1, "orange"}},
					Description: c.text("Hồ sơ đang giải quyết, chưa quá hạn, đến hạn trong vòng 1 ngày làm việc, của các cơ quan, đơn vị đã chọn, mọi lĩnh vực (chỉ có khi đọc luồng hồ sơ đồng bộ); không gồm hồ sơ chờ bổ sung. Cam khi có từ 1 hồ sơ.",
						"Dossiers in progress, not yet overdue, due within one working day, of the chosen agencies, every field (dossier feed only); dossiers awaiting a supplement excluded. Orange from 1."),
					Queries: []Query{{Expr: "sum(" + once(sel(catalog.DossiersDueSoon.Name, inProvince(), re(catalog.LabelAgency, AgencyVar))) + ")", Instant: true}}},
				{Kind: kindTimeseries, Title: lateText("Diễn biến tỷ lệ hồ sơ ", "", "Late rate, trend"), Unit: "percentunit", Steps: c.lateSteps(), W: 12, Link: true,
					Description: join(c.text("Tỷ lệ từ đầu tháng của từng cơ quan, đơn vị đã chọn (mọi lĩnh vực), tại từng thời điểm. ", "Month-to-date rate of each chosen agency (all fields), at each instant. "), c.lateRule()),
					Queries:     []Query{{Expr: withName(c.lateRatio(catalog.ScopeAgency, re(catalog.LabelAgency, AgencyVar))), Legend: "{{" + catalog.LabelName + "}}"}}},
				{Kind: kindTimeseries, Title: c.text("Diễn biến số hồ sơ tiếp nhận mới và đã giải quyết", "Dossiers received and resolved, trend"), W: 12,
					Description: join(scope, c.text("Số lũy kế từ đầu tháng tại từng thời điểm.", "Month-to-date totals at each instant.")),
					Queries: []Query{
						{Expr: "sum(" + picked(catalog.DossiersReceived) + ")", Label: c.text("tiếp nhận mới", "received")},
						{Expr: "sum(" + picked(catalog.DossiersResolved) + ")", Label: c.text("đã giải quyết", "resolved")}}},
				{Kind: kindTable, Title: c.text("Tỷ lệ thời gian giải quyết so với thời gian quy định", "Rate of processing time to the legal maximum"), Unit: "percentunit", W: 24,
					Description: join(c.text("Tổng thời gian giải quyết (giờ làm việc, từ ngày tiếp nhận đến ngày trả) / tổng thời gian quy định của các hồ sơ đã giải quyết có thời hạn, từ đầu tháng, mọi lĩnh vực (chỉ có khi đọc luồng hồ sơ đồng bộ): tỷ lệ của tổng, không phải bình quân các tỷ lệ. Chỉ tiêu cắt giảm ",
						"Sum of processing time (working hours, receipt to result) / sum of the legal maximum over the dossiers resolved this month that have one, every field (dossier feed only): a ratio of sums, not an average of rates. Targeted cut "),
						pct(c.targets.ProcessingTimeCut), c.text(" thời gian (tỷ lệ không quá ", " (a rate of at most "), pct(1-c.targets.ProcessingTimeCut),
						c.text("). Bình quân = tổng / số hồ sơ có thời hạn.", "). Averages = sum / dossiers with a legal duration."), dayNote),
					Queries: []Query{
						{Expr: withName(processing + " / (" + legal + " > 0)"), Instant: true},
						{Expr: withName(processing + " / (" + timed + " > 0) / " + num(day.Seconds())), Instant: true},
						{Expr: withName(legal + " / (" + timed + " > 0) / " + num(day.Seconds())), Instant: true}},
					Columns: []Column{
						{Label: catalog.LabelName, Title: c.text("Cơ quan, đơn vị", "Agency"), Link: true},
						{Value: "A", Title: c.text("Tỷ lệ so với thời gian quy định", "Rate to the legal maximum"), Unit: "percentunit"},
						{Value: "B", Title: c.text("Thời gian giải quyết bình quân", "Average processing time"), Suffix: workingDays},
						{Value: "C", Title: c.text("Thời gian quy định bình quân", "Average legal maximum"), Suffix: workingDays},
					}},
			},
		}},
	}
}

// infoRegex picks an info series' code (value) and name (text) out of
// query_result's "metric{label="…",…,name="…",…} value time": Prometheus
// sorts labels, and every code label sorts before name.
func infoRegex(code string) string {
	return `/` + code + `="(?<value>[^"]+)".*,` + catalog.LabelName + `="(?<text>[^"]+)"/`
}

// workdayLength is the working time of a working day, the unit procedure
// durations are counted in.
func workdayLength() time.Duration {
	var d time.Duration
	for _, w := range workday.DefaultHours {
		d += w.End - w.Start
	}
	return d
}

// vneidBoard shows VNeID level-2 activation by commune.
func vneidBoard(c *ctx) Board {
	xa := eq(catalog.LabelLevel, catalog.LevelCommune)
	communes := func(m *catalog.Metric) string { return once(sel(m.Name, xa, inProvince())) }
	activation := withName(communes(catalog.VNeIDActivated) + " / " + communes(catalog.VNeIDIssued))
	return Board{
		UID: "govpulse-vneid", File: "vneid.json",
		Title:       c.text("Định danh điện tử VNeID mức 2 theo xã, phường", "VNeID level-2 e-ID by commune"),
		Description: c.text("Thu nhận hồ sơ, cấp và kích hoạt tài khoản định danh điện tử mức 2 theo báo cáo của Công an, lũy kế.", "Level-2 e-ID applications, accounts issued and activated from the police's reports, cumulative."),
		From:        last30Days, To: now,
		Rows: []Row{{
			Title: c.text("Kích hoạt tài khoản", "Account activation"),
			Panels: []Panel{
				{Kind: kindTimeseries, Title: c.text("Diễn biến thu nhận, cấp và kích hoạt tài khoản toàn tỉnh", "Applications, accounts issued and activated, province, trend"), W: 12,
					Description: c.text("Số lũy kế của các xã, phường cộng lại: hồ sơ định danh mức 2 đã thu nhận, tài khoản đã cấp, tài khoản đã kích hoạt.",
						"Cumulative counts summed over communes: level-2 applications collected, accounts issued, accounts activated."),
					Queries: []Query{
						{Expr: "sum(" + communes(catalog.VNeIDApplications) + ")", Label: c.text("thu nhận", "collected")},
						{Expr: "sum(" + communes(catalog.VNeIDIssued) + ")", Label: c.text("đã cấp", "issued")},
						{Expr: "sum(" + communes(catalog.VNeIDActivated) + ")", Label: c.text("đã kích hoạt", "activated")}}},
				{Kind: kindBarGauge, Title: c.text("Tỷ lệ kích hoạt tài khoản: 10 xã, phường thấp nhất", "Activation rate: the 10 lowest communes"), Unit: "percentunit", W: 12, H: 10, Link: true,
					Description: c.text("Tài khoản đã kích hoạt / đã cấp của từng xã, phường; 10 xã, phường thấp nhất. Bấm vào một xã để xem hồ sơ TTHC của xã.",
						"Accounts activated / issued per commune; the 10 lowest. Click a commune for its dossiers."),
					Queries: []Query{{Expr: "bottomk(10, " + activation + ")", Legend: "{{" + catalog.LabelName + "}}", Instant: true}}},
				{Kind: kindTable, Title: c.text("Tỷ lệ kích hoạt và tỷ lệ bao phủ theo xã, phường", "Activation and coverage rates by commune"), Unit: "percentunit", W: 24, H: 12,
					Description: c.text("Tỷ lệ kích hoạt = tài khoản đã kích hoạt / đã cấp; tỷ lệ bao phủ = tài khoản đã kích hoạt / dân số từ 14 tuổi (số liệu cấu hình).",
						"Activation rate = accounts activated / issued; coverage rate = accounts activated / population aged 14 and over (configured)."),
					Queries: []Query{
						{Expr: activation, Instant: true},
						{Expr: withName(communes(catalog.VNeIDActivated) + " / " + communes(catalog.VNeIDPopulation)), Instant: true}},
					Columns: []Column{
						{Label: catalog.LabelName, Title: c.text("Xã, phường", "Commune"), Link: true},
						{Value: "A", Title: c.text("Tỷ lệ kích hoạt", "Activation rate")},
						{Value: "B", Title: c.text("Tỷ lệ bao phủ dân số từ 14 tuổi", "Coverage rate of the population 14+")},
					}},
			},
		}},
	}
}

// indicesBoard shows the yearly indices' history against the targets.
func indicesBoard(c *ctx) Board {
	total := eq(catalog.LabelComponent, catalog.ComponentTotal)
	of := func(m *catalog.Metric, matchers ...string) string {
		return once(sel(m.Name, append([]string{inProvince()}, matchers...)...))
	}
	index := Column{Label: catalog.LabelIndex, Title: c.text("Chỉ số", "Index")}
	year := Column{Label: catalog.LabelYear, Title: c.text("Năm", "Year")}
	return Board{
		UID: "govpulse-chi-so", File: "chi-so.json",
		Title:       c.text("Các chỉ số hằng năm: PAR Index, SIPAS, PAPI, PCI, DTI", "Yearly indices: PAR Index, SIPAS, PAPI, PCI, DTI"),
		Description: c.text("Điểm và xếp hạng công bố hằng năm, từ tệp chỉ số của tỉnh, so với mục tiêu xếp hạng.", "Yearly published scores and ranks, from the province's index files, against the rank targets."),
		From:        yearToDate, To: now,
		Rows: []Row{{
			Title: c.text("Điểm và xếp hạng qua các năm", "Scores and ranks by year"),
			Panels: []Panel{
				{Kind: kindTable, Title: c.text("Xếp hạng theo năm", "Rank by year"), W: 12, H: 10,
					Description: c.text("Thứ hạng của tỉnh (1 là cao nhất) và số tỉnh được xếp hạng, theo năm đánh giá.", "The province's rank (1 = best) and the number of provinces ranked, by assessed year."),
					Queries:     []Query{{Expr: of(catalog.IndexRank, total), Instant: true}, {Expr: of(catalog.IndexRankedProvinces, total), Instant: true}},
					Columns:     []Column{index, year, {Value: "A", Title: c.text("Xếp hạng", "Rank")}, {Value: "B", Title: c.text("Số tỉnh được xếp hạng", "Provinces ranked")}}},
				{Kind: kindTable, Title: c.text("Tỷ lệ điểm đạt được theo năm", "Score rate by year"), Unit: "percentunit", W: 12, H: 10,
					Description: c.text("Điểm của các chỉ số công bố theo phần trăm (PAR Index, SIPAS) hoặc thang 0–1 (DTI), theo năm đánh giá.", "Scores of the indices published as a percentage (PAR Index, SIPAS) or on a 0–1 scale (DTI), by assessed year."),
					Queries:     []Query{{Expr: of(catalog.IndexScoreRatio, total), Instant: true}},
					Columns:     []Column{index, year, {Value: "A", Title: c.text("Tỷ lệ điểm đạt được", "Score rate")}}},
				{Kind: kindTable, Title: c.text("Điểm PCI, PAPI theo năm", "PCI and PAPI scores by year"), W: 12, Suffix: c.text(" điểm", " points"),
					Description: c.text("Điểm của các chỉ số công bố theo thang điểm riêng (PCI 0–100, PAPI 0–80), theo năm đánh giá.", "Scores of the indices published on their own point scale (PCI 0–100, PAPI 0–80), by assessed year."),
					Queries:     []Query{{Expr: of(catalog.IndexScorePoints, total), Instant: true}},
					Columns:     []Column{index, year, {Value: "A", Title: c.text("Điểm", "Score")}}},
				{Kind: kindTable, Title: c.text("Mục tiêu xếp hạng", "Rank targets"), W: 12,
					Description: c.text("Thứ hạng tỉnh đặt mục tiêu đạt (hoặc cao hơn) đến năm ghi kèm (indices.targets).", "The rank the province aims to reach or beat by the year shown (indices.targets)."),
					Queries:     []Query{{Expr: of(catalog.IndexTargetRank), Instant: true}},
					Columns:     []Column{index, {Label: catalog.LabelYear, Title: c.text("Đến năm", "By year")}, {Value: "A", Title: c.text("Mục tiêu xếp hạng", "Target rank")}}},
				{Kind: kindBarGauge, Title: c.text("Tỷ lệ điểm đạt được các lĩnh vực PAR Index năm gần nhất", "PAR Index field score rates, latest year"), Unit: "percentunit", W: 12,
					Description: c.text("Điểm đạt được / điểm tối đa của từng lĩnh vực PAR Index trong năm gần nhất được công bố.", "Score achieved / maximum of each PAR Index field in the latest published year."),
					Queries:     []Query{{Expr: of(catalog.IndexScoreRatio, eq(catalog.LabelIndex, catalog.IndexPAR)) + " and on (" + catalog.LabelProvince + ", " + catalog.LabelIndex + ", " + catalog.LabelYear + ") " + sel(catalog.IndexLatestYear.Name, inProvince()), Legend: "{{" + catalog.LabelComponent + "}}", Instant: true}}},
			},
		}},
	}
}

// health is the IT staff's board of govpulse's own sources.
func health(c *ctx) Board {
	src := "{{" + catalog.LabelSource + "}}"
	// Per instance: each replica of an HA pair runs its own sources.
	of := func(m *catalog.Metric) string { return sel(m.Name, inProvince()) }
	win := hours(errorWindow)
	rng := "[" + strconv.Itoa(int(errorWindow/time.Hour)) + "h]"
	return Board{
		UID: dashboards.BoardHealth, File: "he-thong.json",
		Title:       c.text("govpulse: tình trạng thu thập dữ liệu", "govpulse: collector health"),
		Description: c.text("Cho cán bộ CNTT: nguồn nào đang lỗi, dữ liệu cũ bao lâu, vì sao.", "For IT staff: which source fails, how old its data is, and why."),
		From:        lastDay, To: now,
		Rows: []Row{{
			Title: c.text("Nguồn dữ liệu", "Sources"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Tình trạng các nguồn dữ liệu", "Source status"), W: 12, Base: "red", Steps: []Step{{1, "green"}},
					Values: []ValueText{{0, c.text("Lỗi", "Failing"), "red"}, {1, c.text("Hoạt động", "Up"), "green"}},
					Description: c.text("Lần thu thập gần nhất của nguồn thành công (Hoạt động) hay thất bại (Lỗi); khi lỗi, số liệu cũ được giữ nguyên.",
						"Whether the source's last run succeeded (Up) or failed (Failing); a failed source keeps its last good data."),
					Queries: []Query{{Expr: of(catalog.SourceUp), Legend: src, Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Tuổi dữ liệu tính theo chu kỳ thu thập", "Data age in schedule intervals"), W: 12, Steps: []Step{{catalog.StaleIntervals, "red"}},
					Suffix: c.text(" chu kỳ", " intervals"),
					Description: c.text("Thời gian từ lần thu thập thành công gần nhất, chia cho chu kỳ lịch thu thập của nguồn. Đỏ từ "+num(catalog.StaleIntervals)+" chu kỳ.",
						"Time since the source's last successful run, divided by its schedule interval. Red from "+num(catalog.StaleIntervals)+" intervals."),
					Queries: []Query{{Expr: "(time() - " + of(catalog.SourceLastSuccess) + ") / " + of(catalog.SourceSchedule), Legend: src, Instant: true}}},
				{Kind: kindTimeseries, Title: join(c.text("Số lần thu thập lỗi trong ", "Failed runs in the last "), win, c.text(" qua, theo nguyên nhân", ", by reason")), W: 12,
					Description: join(c.text("Số lần thu thập thất bại của từng nguồn trong ", "Failed runs of each source in the "), win, c.text(" trước mỗi thời điểm, theo mã nguyên nhân (reason).", " before each instant, by reason code.")),
					Queries:     []Query{{Expr: "sum by (" + catalog.LabelSource + ", " + catalog.LabelReason + ") (increase(" + of(catalog.SourceErrors) + rng + "))", Legend: src + " {{" + catalog.LabelReason + "}}"}}},
				{Kind: kindTimeseries, Title: join(c.text("Số bản ghi bị loại trong ", "Rejected records in the last "), win, c.text(" qua, theo nguyên nhân", ", by reason")), W: 12,
					Description: join(c.text("Bản ghi bị loại khi kiểm tra (mã không có trong danh mục, số âm, …) trong ", "Records rejected by validation (unknown code, negative count, …) in the "), win, c.text(" trước mỗi thời điểm, theo mã nguyên nhân.", " before each instant, by reason code.")),
					Queries:     []Query{{Expr: "sum by (" + catalog.LabelSource + ", " + catalog.LabelReason + ") (increase(" + of(catalog.SourceRejected) + rng + "))", Legend: src + " {{" + catalog.LabelReason + "}}"}}},
				// A run above its limit fails (GovpulseSourceRejectedLimit): the two lines side by side.
				{Kind: kindTimeseries, Title: c.text("Tỷ lệ bản ghi bị loại của lần thu thập gần nhất và ngưỡng cho phép", "Rejection rate of the last run and its limit"), Unit: "percentunit", W: 24,
					Description: c.text("Tỷ lệ bản ghi bị loại trong lần thu thập gần nhất của từng nguồn (không tính bản ghi giữ nguyên như báo cáo), cạnh ngưỡng max_rejected_share: vượt ngưỡng thì lần thu thập thất bại và số liệu tốt gần nhất được giữ.",
						"Share of records rejected by each source's last run (records kept as reported not counted), beside its max_rejected_share limit: above it the run fails and the last good data stays."),
					Queries: []Query{
						{Expr: of(catalog.SourceRejectedShare), Legend: src},
						{Expr: of(catalog.SourceRejectedLimit), Label: c.text(src+" (ngưỡng)", src+" (limit)")},
					}},
				{Kind: kindTimeseries, Title: c.text("Thời gian mỗi lần thu thập", "Run duration"), Suffix: c.text(" giây", " s"), W: 12,
					Description: c.text("Thời gian của lần thu thập gần nhất của từng nguồn, tính bằng giây.", "Duration of each source's last run, in seconds."),
					Queries:     []Query{{Expr: of(catalog.SourceDuration), Legend: src}}},
				{Kind: kindTimeseries, Title: c.text("Số chuỗi dữ liệu xuất ra", "Samples exported"), W: 12,
					Description: c.text("Số chuỗi dữ liệu (series) mỗi nguồn xuất ra sau lần thu thập gần nhất.", "Series each source exports after its last run."),
					Queries:     []Query{{Expr: of(catalog.SourceSamples), Legend: src}}},
			},
		}},
	}
}
