package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// summer sums a one-stop count per agency and period: agencySum, or
// lineageSumAt's through the lineage of former units.
type summer func(m *catalog.Metric, matchers ...string) string

// Shorthands for the one-stop report's counts, each summed per agency and
// period over fields (and channels or timeliness classes). The source exports
// either per-field or per-agency rows (field ""), never both, so summing over
// field does not count a dossier twice.
var (
	resolvedAll = func(s summer) string {
		return s(catalog.DossiersResolved, oneOf(catalog.LabelTimeliness, catalog.ResolvedTimeliness))
	}
	resolvedLate = func(s summer) string {
		return s(catalog.DossiersResolved, eq(catalog.LabelTimeliness, catalog.ResolvedLate))
	}
	resolvedInTime = func(s summer) string {
		return s(catalog.DossiersResolved, oneOf(catalog.LabelTimeliness, []string{catalog.ResolvedEarly, catalog.ResolvedOnTime}))
	}
	inProgressAll = func(s summer) string {
		return s(catalog.DossiersInProgress, oneOf(catalog.LabelTimeliness, catalog.InProgressTimeliness))
	}
	inProgressOverdue = func(s summer) string {
		return s(catalog.DossiersInProgress, eq(catalog.LabelTimeliness, catalog.InProgressOverdue))
	}
	inProgressNotDue = func(s summer) string {
		return s(catalog.DossiersInProgress, eq(catalog.LabelTimeliness, catalog.InProgressNotDue))
	}
	receivedAll = func(s summer) string {
		return s(catalog.DossiersReceived)
	}
	receivedOnline = func(s summer) string {
		return s(catalog.DossiersReceived, eq(catalog.LabelChannel, catalog.ChannelOnline))
	}
	carriedOver = func(s summer) string {
		return s(catalog.DossiersCarriedOver)
	}
)

// lateDefinition is one catalog late-rate definition as per-agency numerator
// and denominator expressions, or the reason it is not recorded.
type lateDefinition struct {
	num, den func(summer) string
	skip     string
}

// lateDefinitions covers every catalog.LateRateDefinitions entry (a test
// checks it): a new definition must be given its formula or a reason here.
var lateDefinitions = map[string]lateDefinition{
	// Late resolved / all resolved.
	catalog.LateResolvedOnly: {num: resolvedLate, den: resolvedAll},
	// (Overdue in progress + late resolved) / (received in period + carried over).
	catalog.LateBacklog: {
		num: func(s summer) string { return inProgressOverdue(s) + " + " + resolvedLate(s) },
		den: func(s summer) string { return receivedAll(s) + " + " + carriedOver(s) },
	},
	// 1 − (resolved early or on time + in progress within deadline) / handled,
	// handled = resolved + in progress. Recorded as a ratio of sums with
	// numerator handled − in time, which is the same number.
	catalog.LateQD766: {
		num: func(s summer) string {
			return "(" + resolvedAll(s) + " + " + inProgressAll(s) + ") - (" + resolvedInTime(s) + " + " + inProgressNotDue(s) + ")"
		},
		den: func(s summer) string { return resolvedAll(s) + " + " + inProgressAll(s) },
	},
	// Not recorded: its denominator is the dossiers that fell due in the
	// period, which the period report does not count. Resolved dossiers are
	// split by timeliness, not by due date (one resolved early may be due next
	// period), so any stand-in would be a different number published under a
	// name provinces use for their own figure (Vĩnh Phúc: 689 / 19,944).
	catalog.LateDueBased: {skip: "the period report does not count the dossiers that fell due in the period"},
}

// recordedDefinitions returns the late-rate definitions that have recording
// rules, in catalog order.
func recordedDefinitions() []string {
	var out []string
	for _, d := range catalog.LateRateDefinitions {
		if ld, ok := lateDefinitions[d.Name]; ok && ld.skip == "" {
			out = append(out, d.Name)
		}
	}
	return out
}

// ratioParts is one recorded ratio's per-agency numerator and denominator,
// with labels the recording rule attaches (definition).
type ratioParts struct {
	ratio    catalog.RecordedRatio
	labels   map[string]string
	num, den string
}

func onestopRatios(s summer) ([]ratioParts, error) {
	var out []ratioParts
	for _, d := range catalog.LateRateDefinitions {
		ld, ok := lateDefinitions[d.Name]
		switch {
		case !ok:
			return nil, fmt.Errorf("BUG: late-rate definition %q has neither a formula nor a reason to skip it", d.Name)
		case ld.skip != "":
			continue
		}
		out = append(out, ratioParts{ratio: catalog.LateRate, labels: map[string]string{catalog.LabelDefinition: d.Name}, num: ld.num(s), den: ld.den(s)})
	}
	out = append(out,
		ratioParts{ratio: catalog.OnTimeShare, num: resolvedInTime(s), den: resolvedAll(s)},
		ratioParts{ratio: catalog.OnlineShare, num: receivedOnline(s), den: receivedAll(s)},
	)
	return out, nil
}

// onestopRecording records, per agency, the sums and each ratio's numerator
// and denominator from the raw counts, then the ratios; then the same at the
// level and province scopes from the agency series, and at the lineage
// scope (lineageRecording).
func onestopRecording(*gen) ([]Rule, error) {
	parts, err := onestopRatios(agencySum)
	if err != nil {
		return nil, err
	}
	agency := catalog.ScopeAgency
	rs := []Rule{
		{Record: catalog.ResolvedSum.At(agency).Name, Expr: resolvedAll(agencySum)},
		{Record: catalog.OverdueSum.At(agency).Name, Expr: inProgressOverdue(agencySum)},
	}
	seen := map[string]bool{}
	var ratios []catalog.RecordedRatio
	for _, p := range parts {
		rs = append(rs,
			Rule{Record: p.ratio.Numerator(agency).Name, Expr: p.num, Labels: p.labels},
			Rule{Record: p.ratio.Denominator(agency).Name, Expr: p.den, Labels: p.labels},
		)
		if !seen[p.ratio.Base] {
			seen[p.ratio.Base] = true
			ratios = append(ratios, p.ratio)
		}
	}
	for _, sc := range catalog.Scopes {
		if sc.Prefix != agency.Prefix {
			for _, s := range catalog.RecordedSums {
				rs = append(rs, Rule{Record: s.At(sc).Name, Expr: widen(sc, s.At(agency).Name, nil)})
			}
			for _, r := range ratios {
				rs = append(rs,
					Rule{Record: r.Numerator(sc).Name, Expr: widen(sc, r.Numerator(agency).Name, r.Labels)},
					Rule{Record: r.Denominator(sc).Name, Expr: widen(sc, r.Denominator(agency).Name, r.Labels)},
				)
			}
		}
		for _, r := range ratios {
			// A zero denominator gives no ratio rather than NaN or +Inf.
			rs = append(rs, Rule{Record: r.Ratio(sc).Name, Expr: r.Numerator(sc).Name + " / (" + r.Denominator(sc).Name + " > 0)"})
		}
	}
	lin, err := lineageRecording()
	if err != nil {
		return nil, fmt.Errorf("lineage: %w", err)
	}
	return append(rs, lin...), nil
}

// widen sums an agency-scope series to scope sc; the level scope joins each
// agency's level from tthc_agency_info. The agency series is recorded, one
// per province and agency already.
func widen(sc catalog.Scope, agencySeries string, own []string) string {
	expr := agencySeries
	for _, l := range sc.Labels {
		if l == catalog.LabelLevel {
			expr += " * " + onAgency() + " group_left (" + catalog.LabelLevel + ") " + agencyInfo()
		}
	}
	return sumBy(by(sc, own), expr)
}

// periodText names a period to date in alert text.
var periodText = map[string]dashboards.Text{
	catalog.PeriodMonth:   {Vi: "từ đầu tháng đến nay", En: "month to date"},
	catalog.PeriodQuarter: {Vi: "từ đầu quý đến nay", En: "quarter to date"},
	catalog.PeriodYear:    {Vi: "từ đầu năm đến nay", En: "year to date"},
}

// percentValue renders the alert's value (a ratio) as a percentage with two
// decimals, as the province's reports write it: 7,26% in Vietnamese (decimal
// comma), 7.26% in English. Prometheus templates cannot multiply, so the
// ratio is printed with four decimals and the point moved two places.
func (g *gen) percentValue() string { return "{{ $value" + g.percentPipe() + " }}%" }

// percentPipe is a template pipeline tail formatting a ratio as a percentage
// without its sign.
func (g *gen) percentPipe() string {
	return ` | printf "%.4f" | reReplaceAll "^([0-9]*)[.]([0-9]{2})([0-9]{2})$" "${1}${2}` + g.decimalSep() + `${3}" | reReplaceAll "^0+([0-9])" "${1}"`
}

// countValue renders the alert's value (a count) with thousands separators:
// 1.234 in Vietnamese, 1,234 in English.
func (g *gen) countValue() string { return "{{ $value" + g.countPipe() + " }}" }

// countPipe is a template pipeline tail formatting a number as a count (up
// to 10^12 with separators).
func (g *gen) countPipe() string {
	sep := g.thousandsSep()
	return ` | printf "%.0f" | reReplaceAll "([0-9])([0-9]{3})$" "${1}` + sep + `${2}"` +
		strings.Repeat(` | reReplaceAll "([0-9])([0-9]{3})[`+sep+`]" "${1}`+sep+`${2}`+sep+`"`, 3)
}

func (g *gen) decimalSep() string { return g.text(",", ".") }

func (g *gen) thousandsSep() string { return g.text(".", ",") }

// resolveBelow is the rate under which a firing late-rate alert at threshold
// resolves: the threshold less catalog.LateRateHysteresis, rounded to 10^-6
// so that 0.05 - 0.005 is written 0.045.
func resolveBelow(threshold float64) float64 {
	return math.Round((threshold-catalog.LateRateHysteresis)*1e6) / 1e6
}

func onestopAlerts(g *gen) ([]Rule, error) {
	t := g.Thresholds
	def := t.LateRateDefinition
	if ld, ok := lateDefinitions[def]; !ok || ld.skip != "" {
		return nil, fmt.Errorf("thresholds.late_rate_definition %q has no recording rule (recorded: %v)", def, recordedDefinitions())
	}
	if resolveBelow(t.LateRateWarning) <= 0 {
		return nil, fmt.Errorf("thresholds.late_rate_warning %v leaves no room for the hysteresis margin %v", t.LateRateWarning, catalog.LateRateHysteresis)
	}
	var defText dashboards.Text
	for _, d := range catalog.LateRateDefinitions {
		if d.Name == def {
			defText = dashboards.Text{Vi: lowerFirst(d.Vi), En: d.En}
		}
	}
	period := catalog.AlertPeriod
	pt, ok := periodText[period]
	if !ok {
		return nil, fmt.Errorf("BUG: period %q has no text", period)
	}
	agency := catalog.ScopeAgency
	lateRate := sel(catalog.LateRate.Ratio(agency).Name, eq(catalog.LabelDefinition, def), eq(catalog.LabelPeriod, period))
	volume := sel(catalog.ResolvedSum.At(agency).Name, eq(catalog.LabelPeriod, period))
	on := onAgency(catalog.LabelPeriod)
	// A late-rate alert fires at its threshold and, once firing, keeps firing
	// while the rate stays within the hysteresis margin below it: the second
	// branch reads the alert's own firing state (ALERTS), so a rate hovering
	// around 5% is one alert, not a new one every time it crosses.
	lateExpr := func(a catalog.AlertRule, threshold float64) func(bool) string {
		return func(probe bool) string {
			judged := func(th float64) string {
				return cmp(probe, lateRate, ">=", dashboards.Number(th)) + "\n    and " + on + "\n    " + cmp(probe, volume, ">=", fmt.Sprint(t.LateMinVolume))
			}
			expr := judged(threshold)
			if !probe {
				expr = "(\n    " + judged(threshold) + "\n  )\n  or\n  (\n    " + judged(resolveBelow(threshold)) +
					"\n    and " + on + "\n    " + firing(a) + "\n  )"
			}
			return withInfo(expr, catalog.LabelName, catalog.LabelLevel)
		}
	}
	who := "{{ $labels.name }}"
	pv := g.percentValue()
	lateTerm := catalog.Late.In(string(g.Lang))
	warn, crit := dashboards.Percent(t.LateRateWarning, g.Lang), dashboards.Percent(t.LateRateCritical, g.Lang)
	judged := g.text(
		fmt.Sprintf("Chỉ xét cơ quan, đơn vị đã giải quyết từ %d hồ sơ trở lên trong kỳ.", t.LateMinVolume),
		fmt.Sprintf("Only agencies that resolved at least %d dossiers in the period are judged.", t.LateMinVolume),
	)
	rate := g.text(
		fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) có tỷ lệ hồ sơ %s %s là %s (cách tính: %s).", who, lateTerm, pt.Vi, pv, defText.Vi),
		fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) has a %s rate of %s %s (definition: %s).", who, lateTerm, pv, pt.En, defText.En),
	)
	resolves := func(threshold float64) string {
		return g.text(
			fmt.Sprintf("Cảnh báo chỉ kết thúc khi tỷ lệ xuống dưới %s.", dashboards.Percent(resolveBelow(threshold), g.Lang)),
			fmt.Sprintf("The alert ends only once the rate is below %s.", dashboards.Percent(resolveBelow(threshold), g.Lang)))
	}

	overdue := sel(catalog.OverdueSum.At(agency).Name, eq(catalog.LabelPeriod, period))
	// The digest's text reads the agencies of the alert's province.
	overdueOf := sel(catalog.OverdueSum.At(agency).Name, eq(catalog.LabelPeriod, period), provinceMatcher)
	overdueAll := sel(catalog.OverdueSum.At(catalog.ScopeProvince).Name, eq(catalog.LabelPeriod, period))
	dossiers := g.text(" hồ sơ", " dossiers")
	return []Rule{
		g.alert(catalog.AlertLateRateWarning, lateExpr(catalog.AlertLateRateWarning, t.LateRateWarning),
			g.text(
				fmt.Sprintf("%s: tỷ lệ hồ sơ %s %s là %s, không đạt yêu cầu dưới %s", who, lateTerm, pt.Vi, pv, warn),
				fmt.Sprintf("%s: %s rate %s is %s, not below %s", who, lateTerm, pt.En, pv, warn)),
			rate+" "+g.text(
				fmt.Sprintf("Tỉnh yêu cầu tỷ lệ hồ sơ %s dưới %s. %s ", lateTerm, warn, judged),
				fmt.Sprintf("The province requires %s dossiers to stay below %s. %s ", lateTerm, warn, judged))+resolves(t.LateRateWarning)).
			annotate(
				AnnTitle, g.text(fmt.Sprintf("Tỷ lệ hồ sơ %s không đạt yêu cầu dưới %s", lateTerm, warn), fmt.Sprintf("%s rate not below %s", upperFirst(lateTerm), warn)),
				AnnValue, pv, AnnThreshold, g.text("dưới ", "below ")+warn, AnnPeriod, pt.In(g.Lang),
				AnnAction, g.text(
					fmt.Sprintf("Đề nghị Thủ trưởng cơ quan, đơn vị chỉ đạo rà soát các hồ sơ %s, làm rõ nguyên nhân và có biện pháp khắc phục để tỷ lệ hồ sơ %s trở lại dưới %s.", lateTerm, lateTerm, warn),
					fmt.Sprintf("The head of the agency should review the %s dossiers, find the causes and act so that the %s rate is back below %s.", lateTerm, lateTerm, warn))),
		g.alert(catalog.AlertLateRateCritical, lateExpr(catalog.AlertLateRateCritical, t.LateRateCritical),
			g.text(
				fmt.Sprintf("%s: tỷ lệ hồ sơ %s %s là %s, từ %s trở lên", who, lateTerm, pt.Vi, pv, crit),
				fmt.Sprintf("%s: %s rate %s is %s, at or above %s", who, lateTerm, pt.En, pv, crit)),
			rate+" "+g.text(
				fmt.Sprintf("Với tỷ lệ hồ sơ %s từ %s trở lên, cán bộ không được xếp loại “hoàn thành tốt nhiệm vụ” trở lên. %s ", lateTerm, crit, judged),
				fmt.Sprintf("At %s or more %s dossiers, staff cannot be rated “hoàn thành tốt nhiệm vụ” (performed well) or better. %s ", crit, lateTerm, judged))+resolves(t.LateRateCritical)).
			annotate(
				AnnTitle, g.text(fmt.Sprintf("Tỷ lệ hồ sơ %s từ %s trở lên", lateTerm, crit), fmt.Sprintf("%s rate at or above %s", upperFirst(lateTerm), crit)),
				AnnValue, pv, AnnThreshold, g.text("từ ", "at or above ")+crit, AnnPeriod, pt.In(g.Lang),
				AnnAction, g.text(
					fmt.Sprintf("Đề nghị Thủ trưởng cơ quan, đơn vị chỉ đạo giải quyết ngay các hồ sơ %s, xác định trách nhiệm của cán bộ, công chức có liên quan và báo cáo kết quả khắc phục.", lateTerm),
					fmt.Sprintf("The head of the agency should have the %s dossiers handled at once, establish the responsibility of the officials concerned and report on the remedy.", lateTerm))),
		g.alert(catalog.AlertDossiersOverdue, func(probe bool) string {
			return withInfo(cmp(probe, overdue, ">", "0"), catalog.LabelName, catalog.LabelLevel)
		},
			g.text(
				fmt.Sprintf("%s có %s hồ sơ đang giải quyết %s", who, g.countValue(), lateTerm),
				fmt.Sprintf("%s has %s dossiers in progress past their deadline", who, g.countValue())),
			g.text(
				fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) đang có %s hồ sơ đã %s mà chưa có kết quả.", who, g.countValue(), lateTerm),
				fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) has %s dossiers past their deadline without a result.", who, g.countValue()))).
			annotate(
				AnnTitle, g.text("Hồ sơ đang giải quyết "+lateTerm, "Dossiers in progress past their deadline"),
				AnnValue, g.countValue()+dossiers, AnnPeriod, g.text("hiện tại", "now"),
				AnnAction, g.text(
					"Mỗi hồ sơ "+lateTerm+" cần có Phiếu xin lỗi và hẹn lại ngày trả kết quả gửi tổ chức, cá nhân; đề nghị ưu tiên giải quyết các hồ sơ này.",
					"Each of them needs an apology letter to the applicant with a new date for the result; handle them first.")),
		g.alert(catalog.AlertOverdueDigest, func(probe bool) string {
			return cmp(probe, overdueAll, ">=", fmt.Sprint(catalog.OverdueDigestMin))
		},
			g.text(
				fmt.Sprintf("Toàn tỉnh có %s hồ sơ đang giải quyết %s tại %s cơ quan, đơn vị", g.countValue(), lateTerm, overdueAgencies(overdueOf, g)),
				fmt.Sprintf("The province has %s dossiers in progress past their deadline at %s agencies", g.countValue(), overdueAgencies(overdueOf, g))),
			g.text(
				fmt.Sprintf("Các cơ quan, đơn vị có nhiều hồ sơ %s nhất (tối đa %d):", lateTerm, catalog.OverdueDigestTop),
				fmt.Sprintf("The agencies with the most (at most %d):", catalog.OverdueDigestTop))+topOverdue(overdueOf, g)).
			annotate(
				AnnTitle, g.text(fmt.Sprintf("Tổng hợp hồ sơ đang giải quyết %s (hằng ngày)", lateTerm), "Daily digest of dossiers in progress past their deadline"),
				AnnValue, g.countValue()+dossiers, AnnPeriod, g.text("hiện tại", "now"),
				AnnThreshold, g.text(fmt.Sprintf("gửi khi toàn tỉnh có từ %d hồ sơ %s", catalog.OverdueDigestMin, lateTerm), fmt.Sprintf("sent when the province has at least %d", catalog.OverdueDigestMin)),
				AnnAction, g.text(
					"Đề nghị Thủ trưởng các cơ quan, đơn vị có tên chỉ đạo giải quyết dứt điểm hồ sơ "+lateTerm+", gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả cho tổ chức, cá nhân theo quy định.",
					"The heads of the agencies named should have their overdue dossiers resolved and apology letters with new dates sent to the applicants.")),
	}, nil
}

// ofAlertProvince is a printf format of query, whose %q the alert's
// province fills: the digest fires once per province and names that
// province's agencies only (an absent label is the empty province, which
// province="" matches).
func ofAlertProvince(query string) string {
	return "(printf " + strconv.Quote(query) + " $labels." + catalog.LabelProvince + ")"
}

// provinceMatcher is the matcher ofAlertProvince fills.
var provinceMatcher = catalog.LabelProvince + "=%q"

// overdueAgencies renders, in the digest's text, how many agencies of the
// alert's province have overdue dossiers.
func overdueAgencies(overdue string, g *gen) string {
	return `{{ with query ` + ofAlertProvince("count("+overdue+" > 0)") + ` }}{{ . | first | value` + g.countPipe() + ` }}{{ end }}`
}

// topOverdue renders, in the digest's text, the catalog.OverdueDigestTop
// agencies of the alert's province with the most overdue dossiers, most
// first, one per line.
func topOverdue(overdue string, g *gen) string {
	q := fmt.Sprintf("sort_desc(topk(%d, %s > 0) * %s group_left (%s) %s)", catalog.OverdueDigestTop, overdue, onAgency(), catalog.LabelName, agencyInfo())
	return `{{ range query ` + ofAlertProvince(q) + ` }}` + "\n" + `- {{ .Labels.` + catalog.LabelName + ` }}: {{ .Value` + g.countPipe() + ` }}` + g.text(" hồ sơ", "") + "{{ end }}"
}

// upperFirst uppercases the first letter.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lowercases the first letter, for a catalog sentence quoted
// inside another sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
