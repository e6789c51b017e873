package boards

import (
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// HistoryBoardUID is the board of history across the 2025 reorganisation.
const HistoryBoardUID = "govpulse-lich-su"

// lastYear is the offset of "the same time last year". In the one day after
// a 29 February the points land a day apart; the daily trend then misses
// that day's point of last year, nothing else.
const lastYear = 365 * 24 * time.Hour

// dayEnd is how far the province's midnight lies before 00:00 UTC: its
// offset from UTC (Việt Nam keeps +7 all year). A daily query step is at
// 00:00 UTC; reading each count dayEnd earlier reads the day's last value in
// the province, so a month's last point is the whole month (docs/lineage.md).
func dayEnd(tz string) time.Duration {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return 7 * time.Hour
	}
	_, off := time.Date(2025, 7, 1, 0, 0, 0, 0, loc).Zone()
	if off <= 0 {
		return 0 // west of UTC the day ends after the step; read at the step
	}
	return time.Duration(off) * time.Second
}

// historyBoard shows today's agencies with the figures of the former units
// that went into them, so a year compares with the last across a merger.
// Month by month only: the 2025 changes fell on the 1st of a month, but a
// new unit's quarter and year to date count from its start (docs/lineage.md).
// Its queries evaluate the lineage on the raw counts (the recording rules
// never ran on backfilled history) and read the lineage metrics at the
// range's end: today's lineage file applies to the whole range.
func historyBoard(c *ctx) (Board, error) {
	def := c.th.LateRateDefinition
	de := dayEnd(c.timezone)
	// The picked province's history, and history without a province label:
	// govpulse backfill writes none, and an import need not add one.
	prov := catalog.LabelProvince + `=~"$` + ProvinceVar + `|"`
	month, err := rules.LineageLateRatio(def, catalog.PeriodMonth, 0, de, prov)
	if err != nil {
		return Board{}, err
	}
	monthAgo, err := rules.LineageLateRatio(def, catalog.PeriodMonth, lastYear, de, prov)
	if err != nil {
		return Board{}, err
	}
	// Names and the picked agencies from today's list, at the range's end.
	named := func(expr string) string {
		return "(" + expr + ")\n* " + onAgency() + " group_left (" + catalog.LabelName + ") " +
			once(sel(catalog.AgencyInfo.Name, re(catalog.LabelAgency, AgencyVar), prov)+" @ end()")
	}
	var levels []Option
	for _, v := range catalog.LabelValues[catalog.LabelLevel].List {
		if v == catalog.LevelDistrict {
			continue // no district is in force since 1 July 2025
		}
		n, _ := catalog.ValueName(catalog.LabelLevel, v)
		levels = append(levels, Option{Value: v, Text: name(n)})
	}
	daily := c.text("Mỗi điểm là số liệu từ đầu tháng đến cuối một ngày; điểm ngày 1 là cả tháng trước. ",
		"Each point is the month to date at the end of a day; the point on the 1st is the whole previous month. ")
	merged := c.text("Trước ngày sắp xếp, số liệu của đơn vị là tổng số liệu các đơn vị cũ đã hợp nhất vào (đơn vị bị chia tách tính theo tỷ lệ), tính lại từ số hồ sơ, không lấy bình quân các tỷ lệ. ",
		"Before a reorganisation an agency's figures are the sums of the former units merged into it (a split unit by its share), recomputed from dossier counts, not averaged rates. ")
	lineageInfo := once(sel(catalog.AgencyLineageInfo.Name, re(catalog.LabelSuccessor, AgencyVar), prov))
	predecessors := once(sel(catalog.AgencyLineageShare.Name, prov)) + " * " + onAgency(catalog.LabelSuccessor) + " group_left (" +
		catalog.LabelName + ", " + catalog.LabelLevel + ", " + catalog.LabelUnitCode + ", " + catalog.LabelUntil + ") " + lineageInfo
	return Board{
		UID: HistoryBoardUID, File: "lich-su.json",
		Title: c.text("So sánh qua sắp xếp đơn vị hành chính", "History across the reorganisation"),
		Description: c.text("Số liệu 12 tháng và cùng kỳ năm trước của các cơ quan, đơn vị hiện nay, gồm số liệu của các đơn vị trước sắp xếp (sắp xếp sở tháng 3/2025, hợp nhất tỉnh và bỏ cấp huyện từ 1/7/2025).",
			"Twelve months and the same time last year of today's agencies, with the figures of the units before the reorganisation (departments merged in March 2025, provinces merged and districts abolished from 1 July 2025)."),
		From: "now-12M/M", To: now,
		Variables: []Variable{
			{Name: LevelVar, Label: c.text("Cấp", "Level"), Options: levels, All: true},
			{Name: AgencyVar, Label: c.text("Cơ quan, đơn vị", "Agency"),
				Query: "query_result(" + once(sel(catalog.AgencyInfo.Name, re(catalog.LabelLevel, LevelVar), inProvince())) + ")",
				Regex: infoRegex(catalog.LabelAgency)},
		},
		Rows: []Row{{
			Title: c.text("Qua sắp xếp đơn vị hành chính", "Across the reorganisation"),
			Panels: []Panel{
				{Kind: kindTimeseries, Title: lateText("Tỷ lệ hồ sơ ", " từng tháng: năm nay và cùng kỳ năm trước", "Late rate by month: this year and a year earlier"),
					Unit: "percentunit", Steps: c.lateSteps(), W: 24, H: 10, Daily: true, Link: true,
					Description: join(daily, merged, c.lateRule()),
					Queries: []Query{
						{Expr: named(month), Legend: "{{" + catalog.LabelName + "}}"},
						{Expr: named(monthAgo), Label: c.text("{{"+catalog.LabelName+"}} (cùng kỳ năm trước)", "{{"+catalog.LabelName+"}} (a year earlier)")}}},
				{Kind: kindTimeseries, Title: c.text("Số hồ sơ đã giải quyết từng tháng: năm nay và cùng kỳ năm trước", "Dossiers resolved by month: this year and a year earlier"),
					W: 24, Daily: true, Link: true,
					Description: join(daily, merged),
					Queries: []Query{
						{Expr: named(rules.LineageResolved(catalog.PeriodMonth, 0, de, prov)), Legend: "{{" + catalog.LabelName + "}}"},
						{Expr: named(rules.LineageResolved(catalog.PeriodMonth, lastYear, de, prov)), Label: c.text("{{"+catalog.LabelName+"}} (cùng kỳ năm trước)", "{{"+catalog.LabelName+"}} (a year earlier)")}}},
				{Kind: kindTable, Title: c.text("Đơn vị trước sắp xếp", "Units before the reorganisation"), W: 24, H: 10,
					Description: c.text("Các đơn vị cũ có số liệu được cộng vào cơ quan, đơn vị đã chọn, theo tệp lịch sử đơn vị (lineage_file): tên, cấp, mã đơn vị hành chính, ngày chuyển về và tỷ lệ số liệu chuyển về (100% khi nhập nguyên đơn vị).",
						"The former units whose figures are added to the chosen agency, from the lineage file (lineage_file): name, level, unit code, the day they passed to it and the share of their figures it holds (100% for a whole unit)."),
					Queries: []Query{{Expr: predecessors, Instant: true}},
					Columns: []Column{
						{Label: catalog.LabelName, Title: c.text("Đơn vị trước sắp xếp", "Former unit")},
						{Label: catalog.LabelLevel, Title: c.text("Cấp", "Level")},
						{Label: catalog.LabelUnitCode, Title: c.text("Mã đơn vị hành chính", "Unit code")},
						{Label: catalog.LabelUntil, Title: c.text("Chuyển về từ ngày", "Passed on")},
						{Value: "A", Title: c.text("Tỷ lệ chuyển về", "Rate passed on"), Unit: "percentunit"},
					}},
			},
		}},
	}, nil
}
