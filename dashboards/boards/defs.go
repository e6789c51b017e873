package boards

import (
	"github.com/govpulse/govpulse/collector/catalog"
)

// Shorthands for the recorded series and label matchers the boards use.
func (c *ctx) lateRatio(sc catalog.Scope, matchers ...string) string {
	return sel(catalog.LateRate.Ratio(sc).Name, append([]string{eq(catalog.LabelPeriod, catalog.PeriodMonth), eq(catalog.LabelDefinition, c.th.LateRateDefinition)}, matchers...)...)
}

func month() string { return eq(catalog.LabelPeriod, catalog.PeriodMonth) }

// overview is the leaders' board: Tổng quan CCHC & CĐS.
func overview(c *ctx) Board {
	prov := eq(catalog.LabelUnit, c.province)
	total := eq(catalog.LabelComponent, catalog.ComponentTotal)
	latest := " and on (" + catalog.LabelIndex + ", " + catalog.LabelYear + ") " + catalog.IndexLatestYear.Name
	worst := "topk(10, " + withName(c.lateRatio(catalog.ScopeAgency)+
		" and on ("+catalog.LabelAgency+", "+catalog.LabelPeriod+") "+sel(catalog.ResolvedSum.At(catalog.ScopeAgency).Name, month())+" >= "+num(float64(c.th.LateMinVolume))) + ")"
	rating := withName(sel(catalog.AgencyRatingState.Name) + " == 1")
	return Board{
		UID: "govpulse-tong-quan", File: "tong-quan.json",
		Title: c.text("Tổng quan CCHC & CĐS", "Administrative reform & digital transformation overview"),
		Rows: []Row{{
			Title: c.text("Giải quyết hồ sơ TTHC (từ đầu tháng)", "Dossier handling (month to date)"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Tỷ lệ hồ sơ trễ hạn toàn tỉnh", "Province late rate"), Unit: "percentunit", Steps: c.lateSteps(), W: 6,
					Queries: []Query{{Expr: c.lateRatio(catalog.ScopeProvince), Instant: true}}},
				{Kind: kindStat, Title: c.text("Giải quyết đúng hạn, trước hạn", "Resolved on time or early"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: sel(catalog.OnTimeShare.Ratio(catalog.ScopeProvince).Name, month()), Instant: true}}},
				{Kind: kindStat, Title: c.text("Hồ sơ nộp trực tuyến", "Dossiers submitted online"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: sel(catalog.OnlineShare.Ratio(catalog.ScopeProvince).Name, month()), Instant: true}}},
				{Kind: kindStat, Title: c.text("Hồ sơ đang giải quyết quá hạn", "Overdue dossiers in progress"), W: 6, Steps: []Step{{1, "red"}},
					Queries: []Query{{Expr: sel(catalog.OverdueSum.At(catalog.ScopeProvince).Name, month()), Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Tỷ lệ trễ hạn theo cấp (ngưỡng 5%)", "Late rate by level (5% rule)"), Unit: "percentunit", Steps: c.lateSteps(), W: 12,
					Queries: []Query{{Expr: c.lateRatio(catalog.ScopeLevel), Legend: "{{" + catalog.LabelLevel + "}}", Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("10 cơ quan, đơn vị có tỷ lệ trễ hạn cao nhất", "The 10 agencies with the highest late rate"), Unit: "percentunit", Steps: c.lateSteps(), W: 12, H: 10,
					Queries: []Query{{Expr: worst, Legend: "{{" + catalog.LabelName + "}}", Instant: true}}},
				{Kind: kindTimeseries, Title: c.text("Tỷ lệ trễ hạn theo cấp, diễn biến", "Late rate by level, trend"), Unit: "percentunit", Steps: c.lateSteps(), W: 24,
					Queries: []Query{{Expr: c.lateRatio(catalog.ScopeLevel), Legend: "{{" + catalog.LabelLevel + "}}"}}},
			},
		}, {
			Title: c.text("Dịch vụ công quốc gia, VNeID, Đề án 06", "National portal and VNeID"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Tỷ lệ DVC trực tuyến tích hợp Cổng DVC quốc gia", "Online services integrated on the national portal"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: "sum(" + catalog.PortalServicesIntegrated.Name + ") / sum(" + catalog.PortalServicesOnline.Name + ")", Instant: true},
						{Expr: catalog.TargetIntegration.Name, Label: c.text("chỉ tiêu", "target"), Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia", "Dossier sync rate to the national portal"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: sel(catalog.SyncShare.Ratio(catalog.ScopeProvince).Name, month()), Instant: true},
						{Expr: catalog.TargetSync.Name, Label: c.text("chỉ tiêu", "target"), Instant: true}}},
				{Kind: kindStat, Title: c.text("Tỷ lệ kích hoạt định danh điện tử mức 2", "VNeID level-2 activation rate"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: "sum(" + sel(catalog.VNeIDActivated.Name, eq(catalog.LabelLevel, catalog.LevelCommune)) + ") / sum(" + sel(catalog.VNeIDIssued.Name, eq(catalog.LabelLevel, catalog.LevelCommune)) + ")", Instant: true}}},
				{Kind: kindStat, Title: c.text("Dân số từ 14 tuổi đã kích hoạt VNeID mức 2", "Population 14+ with an activated level-2 e-ID"), Unit: "percentunit", W: 6,
					Queries: []Query{{Expr: "sum(" + sel(catalog.VNeIDActivated.Name, eq(catalog.LabelLevel, catalog.LevelCommune)) + ") / sum(" + sel(catalog.VNeIDPopulation.Name, eq(catalog.LabelLevel, catalog.LevelCommune)) + ")", Instant: true}}},
			},
		}, {
			Title: c.text("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) và xếp hạng", "Decision 766 index and rankings"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Điểm QĐ 766 của tỉnh (tháng)", "Decision 766 total, month"), W: 6, Steps: []Step{{0, "red"}, {catalog.QD766Bands.Weak, "orange"}, {catalog.QD766Bands.Good, "green"}, {catalog.QD766Bands.Excellent, "blue"}},
					Queries: []Query{{Expr: sel(catalog.QD766TotalScore.Name, prov, month()), Instant: true}}},
				{Kind: kindStat, Title: c.text("Xếp hạng QĐ 766 của tỉnh", "Decision 766 rank"), W: 6,
					Queries: []Query{{Expr: sel(catalog.QD766Rank.Name, prov, month()), Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Điểm theo nhóm chỉ tiêu: chính thức và ước tính", "Group scores: official and local estimate"), W: 12,
					Queries: []Query{{Expr: sel(catalog.QD766GroupScore.Name, prov, month()), Legend: "{{" + catalog.LabelGroup + "}}", Instant: true},
						{Expr: sel(catalog.QD766EstimateScore.Name, prov, month()), Label: c.text("{{"+catalog.LabelGroup+"}} (ước tính)", "{{"+catalog.LabelGroup+"}} (estimate)"), Instant: true}}},
				{Kind: kindStat, Title: c.text("Xếp hạng PAR Index và mục tiêu", "PAR Index rank and target"), W: 6,
					Queries: []Query{{Expr: sel(catalog.IndexRank.Name, eq(catalog.LabelIndex, catalog.IndexPAR), total) + latest, Legend: "{{" + catalog.LabelYear + "}}", Instant: true},
						{Expr: sel(catalog.IndexTargetRank.Name, eq(catalog.LabelIndex, catalog.IndexPAR)), Label: c.text("mục tiêu {{"+catalog.LabelYear+"}}", "target {{"+catalog.LabelYear+"}}"), Instant: true}}},
				{Kind: kindStat, Title: c.text("Xếp hạng DTI và mục tiêu", "DTI rank and target"), W: 6,
					Queries: []Query{{Expr: sel(catalog.IndexRank.Name, eq(catalog.LabelIndex, catalog.IndexDTI), total) + latest, Legend: "{{" + catalog.LabelYear + "}}", Instant: true},
						{Expr: sel(catalog.IndexTargetRank.Name, eq(catalog.LabelIndex, catalog.IndexDTI)), Label: c.text("mục tiêu {{"+catalog.LabelYear+"}}", "target {{"+catalog.LabelYear+"}}"), Instant: true}}},
				{Kind: kindTable, Title: c.text("Xếp loại người đứng đầu cơ quan, đơn vị", "Head-of-agency rating"), W: 12, H: 10,
					Queries: []Query{{Expr: rating, Instant: true}}},
			},
		}},
	}
}

// agency is the drill-down by level, agency and field.
func agency(c *ctx) Board {
	pick := []string{re(catalog.LabelAgency, "agency"), re(catalog.LabelField, "field"), month()}
	byLabel := func(m *catalog.Metric, label string, extra ...string) string {
		return "sum by (" + label + ") (" + sel(m.Name, append(append([]string{}, pick...), extra...)...) + ")"
	}
	return Board{
		UID: "govpulse-don-vi", File: "don-vi.json",
		Title: c.text("Chi tiết cơ quan, đơn vị", "Agency drill-down"),
		Variables: []Variable{
			{Name: "level", Label: c.text("Cấp", "Level"), Query: "label_values(" + catalog.AgencyInfo.Name + ", " + catalog.LabelLevel + ")", All: true},
			{Name: "agency", Label: c.text("Cơ quan, đơn vị", "Agency"), Query: "label_values(" + sel(catalog.AgencyInfo.Name, re(catalog.LabelLevel, "level")) + ", " + catalog.LabelAgency + ")", All: true},
			{Name: "field", Label: c.text("Lĩnh vực", "Field"), Query: "label_values(" + sel(catalog.DossiersReceived.Name, re(catalog.LabelAgency, "agency")) + ", " + catalog.LabelField + ")", All: true},
		},
		Rows: []Row{{
			Title: c.text("Hồ sơ từ đầu tháng", "Dossiers, month to date"),
			Panels: []Panel{
				{Kind: kindBarGauge, Title: c.text("Tiếp nhận theo kênh", "Received by channel"), W: 8,
					Queries: []Query{{Expr: byLabel(catalog.DossiersReceived, catalog.LabelChannel), Legend: "{{" + catalog.LabelChannel + "}}", Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Đã giải quyết theo thời hạn", "Resolved by timeliness"), W: 8,
					Queries: []Query{{Expr: byLabel(catalog.DossiersResolved, catalog.LabelTimeliness), Legend: "{{" + catalog.LabelTimeliness + "}}", Instant: true}}},
				{Kind: kindStat, Title: c.text("Đang giải quyết quá hạn / sắp đến hạn", "Overdue / due within a working day"), W: 8, Steps: []Step{{1, "red"}},
					Queries: []Query{
						{Expr: "sum(" + sel(catalog.DossiersInProgress.Name, append(pick, eq(catalog.LabelTimeliness, catalog.InProgressOverdue))...) + ")", Label: c.text("quá hạn", "overdue"), Instant: true},
						{Expr: "sum(" + sel(catalog.DossiersDueSoon.Name, re(catalog.LabelAgency, "agency")) + ")", Label: c.text("sắp đến hạn", "due soon"), Instant: true}}},
				{Kind: kindTimeseries, Title: c.text("Tỷ lệ trễ hạn, diễn biến", "Late rate, trend"), Unit: "percentunit", Steps: c.lateSteps(), W: 12,
					Queries: []Query{{Expr: withName(c.lateRatio(catalog.ScopeAgency, re(catalog.LabelAgency, "agency"))), Legend: "{{" + catalog.LabelName + "}}"}}},
				{Kind: kindTimeseries, Title: c.text("Tiếp nhận và giải quyết, diễn biến", "Received and resolved, trend"), W: 12,
					Queries: []Query{
						{Expr: "sum(" + sel(catalog.DossiersReceived.Name, pick...) + ")", Label: c.text("tiếp nhận", "received")},
						{Expr: "sum(" + sel(catalog.DossiersResolved.Name, pick...) + ")", Label: c.text("đã giải quyết", "resolved")}}},
				{Kind: kindTable, Title: c.text("Thời gian giải quyết bình quân so với quy định", "Average processing time vs the legal maximum"), Unit: "percentunit", W: 24,
					Queries: []Query{{Expr: withName("sum by (agency) (" + sel(catalog.DossiersProcessingSeconds.Name, re(catalog.LabelAgency, "agency"), month()) + ") / sum by (agency) (" + sel(catalog.DossiersLegalSeconds.Name, re(catalog.LabelAgency, "agency"), month()) + " > 0)"), Instant: true}}},
			},
		}},
	}
}

// vneidBoard shows VNeID level-2 activation by commune.
func vneidBoard(c *ctx) Board {
	xa := eq(catalog.LabelLevel, catalog.LevelCommune)
	return Board{
		UID: "govpulse-vneid", File: "vneid.json",
		Title: c.text("Định danh điện tử VNeID mức 2 theo xã, phường", "VNeID level-2 e-ID by commune"),
		Rows: []Row{{
			Title: c.text("Kích hoạt tài khoản", "Account activation"),
			Panels: []Panel{
				{Kind: kindTimeseries, Title: c.text("Thu nhận, cấp, kích hoạt toàn tỉnh", "Collected, issued, activated, province"), W: 12,
					Queries: []Query{
						{Expr: "sum(" + sel(catalog.VNeIDApplications.Name, xa) + ")", Label: c.text("thu nhận", "collected")},
						{Expr: "sum(" + sel(catalog.VNeIDIssued.Name, xa) + ")", Label: c.text("đã cấp", "issued")},
						{Expr: "sum(" + sel(catalog.VNeIDActivated.Name, xa) + ")", Label: c.text("đã kích hoạt", "activated")}}},
				{Kind: kindBarGauge, Title: c.text("10 xã, phường có tỷ lệ kích hoạt thấp nhất", "The 10 communes with the lowest activation rate"), Unit: "percentunit", W: 12, H: 10,
					Queries: []Query{{Expr: "bottomk(10, " + withName(sel(catalog.VNeIDActivated.Name, xa)+" / "+sel(catalog.VNeIDIssued.Name, xa)) + ")", Legend: "{{" + catalog.LabelName + "}}", Instant: true}}},
				{Kind: kindTable, Title: c.text("Tỷ lệ kích hoạt và độ bao phủ theo xã, phường", "Activation and coverage by commune"), Unit: "percentunit", W: 24, H: 12,
					Queries: []Query{
						{Expr: withName(sel(catalog.VNeIDActivated.Name, xa) + " / " + sel(catalog.VNeIDIssued.Name, xa)), Instant: true},
						{Expr: withName(sel(catalog.VNeIDActivated.Name, xa) + " / " + sel(catalog.VNeIDPopulation.Name, xa)), Instant: true}}},
			},
		}},
	}
}

// indicesBoard shows the yearly indices' history against the targets.
func indicesBoard(c *ctx) Board {
	total := eq(catalog.LabelComponent, catalog.ComponentTotal)
	return Board{
		UID: "govpulse-chi-so", File: "chi-so.json",
		Title: c.text("Các chỉ số hằng năm: PAR Index, SIPAS, PAPI, PCI, DTI", "Yearly indices: PAR Index, SIPAS, PAPI, PCI, DTI"),
		Rows: []Row{{
			Title: c.text("Điểm và xếp hạng qua các năm", "Scores and ranks by year"),
			Panels: []Panel{
				{Kind: kindTable, Title: c.text("Xếp hạng theo năm", "Rank by year"), W: 12, H: 10,
					Queries: []Query{{Expr: sel(catalog.IndexRank.Name, total), Instant: true}}},
				{Kind: kindTable, Title: c.text("Điểm theo năm (tỷ lệ)", "Score by year (ratio)"), Unit: "percentunit", W: 12, H: 10,
					Queries: []Query{{Expr: sel(catalog.IndexScoreRatio.Name, total), Instant: true}}},
				{Kind: kindTable, Title: c.text("Mục tiêu xếp hạng", "Rank targets"), W: 12,
					Queries: []Query{{Expr: catalog.IndexTargetRank.Name, Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Các lĩnh vực PAR Index năm gần nhất", "PAR Index fields, latest year"), Unit: "percentunit", W: 12,
					Queries: []Query{{Expr: sel(catalog.IndexScoreRatio.Name, eq(catalog.LabelIndex, catalog.IndexPAR)) + " and on (" + catalog.LabelIndex + ", " + catalog.LabelYear + ") " + catalog.IndexLatestYear.Name, Legend: "{{" + catalog.LabelComponent + "}}", Instant: true}}},
			},
		}},
	}
}

// health is the IT staff's board of govpulse's own sources.
func health(c *ctx) Board {
	src := "{{" + catalog.LabelSource + "}}"
	return Board{
		UID: "govpulse-he-thong", File: "he-thong.json",
		Title: c.text("govpulse: tình trạng thu thập dữ liệu", "govpulse: collector health"),
		Rows: []Row{{
			Title: c.text("Nguồn dữ liệu", "Sources"),
			Panels: []Panel{
				{Kind: kindStat, Title: c.text("Nguồn hoạt động", "Sources up"), W: 12, Steps: []Step{{0.5, "green"}},
					Queries: []Query{{Expr: catalog.SourceUp.Name, Legend: src, Instant: true}}},
				{Kind: kindBarGauge, Title: c.text("Tuổi dữ liệu so với chu kỳ thu thập", "Data age in schedule intervals"), W: 12, Steps: []Step{{catalog.StaleIntervals, "red"}},
					Queries: []Query{{Expr: "(time() - " + catalog.SourceLastSuccess.Name + ") / " + catalog.SourceSchedule.Name, Legend: src, Instant: true}}},
				{Kind: kindTimeseries, Title: c.text("Lỗi thu thập theo nguyên nhân", "Failed runs by reason"), W: 12,
					Queries: []Query{{Expr: "sum by (" + catalog.LabelSource + ", " + catalog.LabelReason + ") (increase(" + catalog.SourceErrors.Name + "[1h]))", Legend: src + " {{" + catalog.LabelReason + "}}"}}},
				{Kind: kindTimeseries, Title: c.text("Bản ghi bị loại theo nguyên nhân", "Rejected records by reason"), W: 12,
					Queries: []Query{{Expr: "sum by (" + catalog.LabelSource + ", " + catalog.LabelReason + ") (increase(" + catalog.SourceRejected.Name + "[1h]))", Legend: src + " {{" + catalog.LabelReason + "}}"}}},
				// A run above its limit fails (GovpulseSourceRejectedLimit): the two lines side by side.
				{Kind: kindTimeseries, Title: c.text("Tỷ lệ bản ghi bị loại của lần thu thập gần nhất và ngưỡng cho phép", "Rejected share of the last run and its limit"), Unit: "percentunit", W: 24,
					Queries: []Query{
						{Expr: catalog.SourceRejectedShare.Name, Legend: src},
						{Expr: catalog.SourceRejectedLimit.Name, Label: c.text(src+" (ngưỡng)", src+" (limit)")},
					}},
				{Kind: kindTimeseries, Title: c.text("Thời gian mỗi lần thu thập", "Run duration"), Unit: "s", W: 12,
					Queries: []Query{{Expr: catalog.SourceDuration.Name, Legend: src}}},
				{Kind: kindTimeseries, Title: c.text("Số chuỗi dữ liệu", "Samples exported"), W: 12,
					Queries: []Query{{Expr: catalog.SourceSamples.Name, Legend: src}}},
			},
		}},
	}
}
