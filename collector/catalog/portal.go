package catalog

import "math"

// SourcePortal is the source kind of the National Public Service Portal (Cổng
// Dịch vụ công quốc gia, dichvucong.gov.vn): service integration, dossier
// synchronisation and the official Decision 766 figures.
const SourcePortal = "portal"

// Labels this domain introduces.
const (
	// LabelUnit is the unit a Decision 766 figure is about: the province code
	// (the whole province, the portal's root unit) or an agency code (that
	// agency alone). It is not LabelAgency because the province code means two
	// things: the People's Committee's own desk in tthc_* series, the whole
	// province here.
	LabelUnit = "unit"
	// LabelGroup is one of the six Decision 766 groups (QD766Groups).
	LabelGroup = "group"
	// LabelIndicator is a Decision 766 sub-indicator the local estimate computes
	// (QD766Indicators).
	LabelIndicator = "indicator"
	// LabelServiceLevel is the level of an online public service.
	LabelServiceLevel = "service_level"
)

// Levels of online public services (MucDo, domain.md §3): full online (level 4)
// and partial online (level 3).
const (
	ServiceFullOnline    = "toan_trinh"
	ServicePartialOnline = "mot_phan"
)

// ServiceLevels lists the service levels.
var ServiceLevels = []string{ServiceFullOnline, ServicePartialOnline}

// Decision 766 groups (domain.md §4).
const (
	GroupCongKhai  = "cong_khai"
	GroupTienDo    = "tien_do"
	GroupDVCTT     = "dvctt"
	GroupThanhToan = "thanh_toan"
	GroupHaiLong   = "hai_long"
	GroupSoHoa     = "so_hoa"
)

// QD766Group is one of the six groups of the real-time index of Decision
// 766/QĐ-TTg (2022), which add up to 100 points.
type QD766Group struct {
	Code string
	// Max is the group's maximum score in points.
	Max    float64
	Vi, En string
}

// QD766Groups lists the groups in the Decision's order. Their maxima are the
// one definition govpulse uses: the portal decoder checks official scores
// against them and dashboards draw them.
var QD766Groups = []QD766Group{
	{GroupCongKhai, 18, "Công khai, minh bạch", "Transparency"},
	{GroupTienDo, 20, "Tiến độ giải quyết", "Processing progress"},
	{GroupDVCTT, 12, "Dịch vụ công trực tuyến", "Online public services"},
	{GroupThanhToan, 10, "Thanh toán trực tuyến", "Online payment"},
	{GroupHaiLong, 18, "Mức độ hài lòng", "Satisfaction"},
	{GroupSoHoa, 22, "Số hóa hồ sơ", "Digitisation of dossiers"},
}

// QD766MaxTotal is the index's maximum: the sum of the group maxima.
const QD766MaxTotal = 100

// QD766GroupByCode returns the group with code, or false.
func QD766GroupByCode(code string) (QD766Group, bool) {
	for _, g := range QD766Groups {
		if g.Code == code {
			return g, true
		}
	}
	return QD766Group{}, false
}

// Decision 766 sub-indicators the local estimate computes.
const (
	IndicatorOnTime           = "dung_han"
	IndicatorOnlineDossiers   = "ho_so_truc_tuyen"
	IndicatorOnlineServices   = "cung_cap_truc_tuyen"
	IndicatorSync             = "dong_bo"
	IndicatorOnlinePayment    = "thanh_toan_truc_tuyen"
	IndicatorDigitisedDossier = "so_hoa_ho_so"
)

// QD766Indicator is one sub-indicator of a group, scored with the proportional
// rule (QD766Score).
type QD766Indicator struct {
	Code, Group string
	// Max is the indicator's maximum score in points.
	Max float64
	// Threshold is the ratio at which the indicator earns all its points.
	Threshold float64
	Vi, En    string
}

// QD766Indicators lists the sub-indicators govpulse can estimate from the data
// it collects (domain.md §4). Points and thresholds marked [assumed] have no
// published source: the split of the online-service group between its two
// indicators, and full marks only at 100% for sync, payment and digitisation.
var QD766Indicators = []QD766Indicator{
	// Indicator 2.1: the on-time ratio is the whole processing group.
	{IndicatorOnTime, GroupTienDo, 20, 1.0, "Tỷ lệ hồ sơ giải quyết đúng hạn", "On-time processing: (resolved early or on time + in progress within deadline) / handled"},
	{IndicatorOnlineDossiers, GroupDVCTT, 8, 0.50, "Tỷ lệ hồ sơ trực tuyến", "Online share of new dossiers, full at 50% [assumed 8 points]"},
	{IndicatorOnlineServices, GroupDVCTT, 4, 0.80, "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", "Share of procedures offered online, full at 80% [assumed 4 points]"},
	{IndicatorSync, GroupCongKhai, 6, 1.0, "Đồng bộ hồ sơ lên Cổng DVC quốc gia", "Dossier sync: synced / max(local received, national received) [assumed full at 100%]"},
	{IndicatorOnlinePayment, GroupThanhToan, 6, 1.0, "Hồ sơ thanh toán trực tuyến", "Online payment dossiers: paid online / dossiers with fees [assumed full at 100%]"},
	{IndicatorDigitisedDossier, GroupSoHoa, 4, 1.0, "Hồ sơ được số hóa", "Digitised dossiers: with digitised components / received [assumed full at 100%]"},
}

// QD766IndicatorByCode returns the indicator with code, or false.
func QD766IndicatorByCode(code string) (QD766Indicator, bool) {
	for _, in := range QD766Indicators {
		if in.Code == code {
			return in, true
		}
	}
	return QD766Indicator{}, false
}

// QD766Score is Decision 766's proportional scoring rule: max × ratio /
// threshold, capped at max. A ratio that is not positive (or NaN), or a
// threshold that is not positive, scores 0.
func QD766Score(max, ratio, threshold float64) float64 {
	if !(ratio > 0) || !(threshold > 0) {
		return 0
	}
	return math.Min(max, max*ratio/threshold)
}

var portalLabels = map[string]Values{
	LabelUnit:         agencyValues,
	LabelGroup:        {List: qd766GroupCodes()},
	LabelIndicator:    {List: qd766IndicatorCodes()},
	LabelServiceLevel: {List: ServiceLevels},
}

func qd766GroupCodes() []string {
	out := make([]string, len(QD766Groups))
	for i, g := range QD766Groups {
		out[i] = g.Code
	}
	return out
}

func qd766IndicatorCodes() []string {
	out := make([]string, len(QD766Indicators))
	for i, in := range QD766Indicators {
		out[i] = in.Code
	}
	return out
}

// newMetric declares a gauge of a source, for the domain files' var blocks:
// each declaration then says only what differs (name, unit, labels, HELP).
func newMetric(source, name, unit string, labels []string, help string) *Metric {
	return &Metric{Name: name, Help: help, Unit: unit, Labels: labels, Source: source}
}

const (
	portalRefresh = " Refreshed on the portal source's schedule."
	portalPeriod  = " Period to date (month, quarter, year)," + portalRefresh
)

// National portal metrics. Integration and sync are counts (their rates are
// recording rules); the Decision 766 scores are the portal's own figures.
var (
	PortalProcedures = newMetric(SourcePortal, "dvcqg_procedures", "", []string{LabelAgency},
		"Administrative procedures (TTHC) under the agency's authority, as the National Public Service Portal counts them (authorityCount of its online-service report)."+portalRefresh)
	PortalServicesOnline = newMetric(SourcePortal, "dvcqg_services_online", "", []string{LabelAgency, LabelServiceLevel},
		"Online public services the agency offers, by service level (toan_trinh full online, mot_phan partial online), from the National Public Service Portal's online-service report."+portalRefresh)
	PortalServicesIntegrated = newMetric(SourcePortal, "dvcqg_services_integrated", "", []string{LabelAgency, LabelServiceLevel},
		"Online public services of the agency integrated on the National Public Service Portal, by service level; the integration rate is integrated / online."+portalRefresh)
	PortalDossiersLocal = newMetric(SourcePortal, "dvcqg_dossiers_received_local", "", []string{LabelAgency, LabelPeriod},
		"Dossiers received in the period as the province's one-stop system reports them to the National Public Service Portal (local side of the sync rate)."+portalPeriod)
	PortalDossiersNational = newMetric(SourcePortal, "dvcqg_dossiers_received_national", "", []string{LabelAgency, LabelPeriod},
		"Dossiers received in the period that the National Public Service Portal knows of (national side of the sync rate)."+portalPeriod)
	PortalDossiersSynced = newMetric(SourcePortal, "dvcqg_dossiers_synced", "", []string{LabelAgency, LabelPeriod},
		"Dossiers received in the period and synced to the National Public Service Portal; sync rate = synced / max(local received, national received) (Decision 766 indicator 1.4)."+portalPeriod)
	QD766GroupScore = newMetric(SourcePortal, "qd766_group_score", "", []string{LabelUnit, LabelGroup, LabelPeriod},
		"Official Decision 766 score of a group (cong_khai, tien_do, dvctt, thanh_toan, hai_long, so_hoa) in points, as published by the National Public Service Portal; unit is the province code (whole province) or an agency code."+portalPeriod)
	QD766GroupMaxScore = newMetric(SourcePortal, "qd766_group_max_score", "", []string{LabelGroup},
		"Maximum score of a Decision 766 group in points (18, 20, 12, 10, 18, 22; 100 in all), from govpulse's catalog.")
	QD766TotalScore = newMetric(SourcePortal, "qd766_total_score", "", []string{LabelUnit, LabelPeriod},
		"Official Decision 766 total score out of 100, as published by the National Public Service Portal; unit is the province code (whole province) or an agency code."+portalPeriod)
	QD766Rank = newMetric(SourcePortal, "qd766_rank", "", []string{LabelUnit, LabelPeriod},
		"Rank by official Decision 766 total score (1 = best, ties share the better rank): the province among all provinces on the portal, an agency among the province's agencies of its administrative level."+portalPeriod)
	QD766UnitsRanked = newMetric(SourcePortal, "qd766_units_ranked", "", []string{LabelUnit, LabelPeriod},
		"Number of units in the ranking qd766_rank places the unit in (provinces nationwide, or the province's agencies of the unit's level)."+portalPeriod)
)

// portalMetrics lists this domain's metrics (see All).
var portalMetrics = []*Metric{
	PortalProcedures, PortalServicesOnline, PortalServicesIntegrated,
	PortalDossiersLocal, PortalDossiersNational, PortalDossiersSynced,
	QD766GroupScore, QD766GroupMaxScore, QD766TotalScore, QD766Rank, QD766UnitsRanked,
}

// QD766Bands are the published readings of a Decision-766 total (out of 100,
// domain.md §4): 90–100 xuất sắc, 80–<90 tốt, below 50 yếu. Boards colour the
// total with them.
var QD766Bands = struct{ Excellent, Good, Weak float64 }{Excellent: 90, Good: 80, Weak: 50}
