package boards

import (
	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// NationalBoardUID is the board of every province in the store side by side.
const NationalBoardUID = "govpulse-toan-quoc"

// nationalBoard ranks the provinces of one store (several provinces'
// govpulse told apart by the province label): month-to-date late rate by
// the configured definition, portal sync rate and the Decision 766 total,
// one row per province, named by its root agency (the agency of level tinh,
// from each province's own agency list). It has no province picker: it
// shows them all. The thresholds and targets are this config's.
func nationalBoard(c *ctx) Board {
	// max by (province, name): one series per province with its name, and
	// only those labels, so that the table's queries merge row by row.
	named := func(expr string) string {
		return "max by (" + catalog.LabelProvince + ", " + catalog.LabelName + ") (\n  (" + expr + ")\n  * on (" + catalog.LabelProvince + ") group_left (" + catalog.LabelName + ") " + provinceNames() + "\n)"
	}
	late := named(sel(catalog.LateRate.Ratio(catalog.ScopeProvince).Name, month(), eq(catalog.LabelDefinition, c.th.LateRateDefinition)))
	sync := named(sel(catalog.SyncShare.Ratio(catalog.ScopeProvince).Name, month()))
	score := named(atRoot(once(sel(catalog.QD766TotalScore.Name, month()))))
	legend := "{{" + catalog.LabelName + "}}"
	each := c.text("Mỗi tỉnh, thành phố một dòng, tên là tên cơ quan cấp tỉnh trong danh mục cơ quan của tỉnh đó. ",
		"One row per province, named by the province-level agency of its own agency list. ")
	bands := []Step{{catalog.QD766Bands.Weak, "orange"}, {catalog.QD766Bands.Good, "green"}, {catalog.QD766Bands.Excellent, "blue"}}
	scoreRule := c.text("Tổng điểm chính thức trên "+num(catalog.QD766MaxTotal)+" do Cổng DVC quốc gia công bố cho tỉnh, thành phố (từ đầu tháng). Đỏ dưới "+num(catalog.QD766Bands.Weak)+", cam từ "+num(catalog.QD766Bands.Weak)+", xanh lá từ "+num(catalog.QD766Bands.Good)+", xanh dương từ "+num(catalog.QD766Bands.Excellent)+" điểm.",
		"Official total out of "+num(catalog.QD766MaxTotal)+" the national portal publishes for the province (month to date). Red below "+num(catalog.QD766Bands.Weak)+", orange from "+num(catalog.QD766Bands.Weak)+", green from "+num(catalog.QD766Bands.Good)+", blue from "+num(catalog.QD766Bands.Excellent)+" points.")
	syncRule := join(c.text("Hồ sơ đã đồng bộ / max(hồ sơ tiếp nhận theo hệ thống một cửa, theo Cổng DVC quốc gia) từ đầu tháng, cộng mọi cơ quan của tỉnh (QĐ 766, mục 1.4). Đỏ dưới chỉ tiêu ",
		"Dossiers synced / max(received as the one-stop system counts, as the portal counts) this month, every agency of the province summed (Decision 766 §1.4). Red below the target, "), pct(c.targets.Sync),
		c.text(" (rating.targets.sync).", " (rating.targets.sync)."))
	return Board{
		UID: NationalBoardUID, File: "toan-quoc.json",
		Title: c.text("Toàn quốc: so sánh các tỉnh, thành phố", "Nationwide: the provinces compared"),
		Description: c.text("Các tỉnh, thành phố cùng gửi số liệu về một kho (nhãn province): tỷ lệ hồ sơ quá hạn, tỷ lệ đồng bộ lên Cổng DVC quốc gia và tổng điểm QĐ 766, từ đầu tháng.",
			"The provinces that feed one store (label province): late rate, sync rate to the national portal and the Decision 766 total, month to date."),
		From: monthToDate, To: now,
		Rows: []Row{{
			Title: c.text("Xếp hạng các tỉnh, thành phố (từ đầu tháng)", "The provinces ranked (month to date)"),
			Panels: []Panel{
				{Kind: kindBarGauge, Title: lateText("Tỷ lệ hồ sơ ", " theo tỉnh, thành phố, thấp nhất trước", "Late rate by province, lowest first"),
					Unit: "percentunit", Steps: c.lateSteps(), W: 8, H: 12,
					Description: join(each, c.text("Hồ sơ của mọi cơ quan, đơn vị của tỉnh cộng lại, từ đầu tháng. ", "Dossiers of every agency of the province summed, month to date. "), c.lateRule()),
					Queries:     []Query{{Expr: "sort(" + late + ")", Legend: legend, Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia theo tỉnh, thành phố", "Dossier sync rate to the national portal by province"),
					Unit: "percentunit", Base: "red", Steps: []Step{{c.targets.Sync, "green"}}, W: 8, H: 12,
					Description: join(each, syncRule),
					Queries:     []Query{{Expr: "sort_desc(" + sync + ")", Legend: legend, Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Tổng điểm QĐ 766 theo tỉnh, thành phố", "Decision 766 total by province"),
					Base: "red", Steps: bands, W: 8, H: 12,
					Description: join(each, scoreRule),
					Queries:     []Query{{Expr: "sort_desc(" + score + ")", Legend: legend, Instant: true}}},
				{Kind: kindTable, Title: c.text("Các tỉnh, thành phố: tỷ lệ hồ sơ quá hạn, tỷ lệ đồng bộ, điểm QĐ 766", "The provinces: late rate, sync rate, Decision 766 total"), W: 24, H: 12,
					Description: join(each, c.lateRule(), c.text(" ", " "), syncRule, c.text(" ", " "), scoreRule),
					Queries:     []Query{{Expr: late, Instant: true}, {Expr: sync, Instant: true}, {Expr: score, Instant: true}},
					Columns: []Column{
						{Label: catalog.LabelName, Title: c.text("Tỉnh, thành phố", "Province")},
						{Value: "A", Title: dashboards.Text{Vi: "Tỷ lệ hồ sơ " + catalog.Late.Vi, En: "Late rate"}, Unit: "percentunit"},
						{Value: "B", Title: c.text("Tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia", "Sync rate to the national portal"), Unit: "percentunit"},
						{Value: "C", Title: c.text("Tổng điểm QĐ 766", "Decision 766 total")},
					}},
			},
		}},
	}
}
