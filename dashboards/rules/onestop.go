package rules

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// Shorthands for the one-stop report's counts, each summed per agency and
// period over fields (and channels or timeliness classes). The source exports
// either per-field or per-agency rows (field ""), never both, so summing over
// field does not count a dossier twice.
var (
	resolvedAll = func() string {
		return agencySum(catalog.DossiersResolved, oneOf(catalog.LabelTimeliness, catalog.ResolvedTimeliness))
	}
	resolvedLate = func() string {
		return agencySum(catalog.DossiersResolved, eq(catalog.LabelTimeliness, catalog.ResolvedLate))
	}
	resolvedInTime = func() string {
		return agencySum(catalog.DossiersResolved, oneOf(catalog.LabelTimeliness, []string{catalog.ResolvedEarly, catalog.ResolvedOnTime}))
	}
	inProgressAll = func() string {
		return agencySum(catalog.DossiersInProgress, oneOf(catalog.LabelTimeliness, catalog.InProgressTimeliness))
	}
	inProgressOverdue = func() string {
		return agencySum(catalog.DossiersInProgress, eq(catalog.LabelTimeliness, catalog.InProgressOverdue))
	}
	inProgressNotDue = func() string {
		return agencySum(catalog.DossiersInProgress, eq(catalog.LabelTimeliness, catalog.InProgressNotDue))
	}
	receivedAll = func() string {
		return agencySum(catalog.DossiersReceived)
	}
	receivedOnline = func() string {
		return agencySum(catalog.DossiersReceived, eq(catalog.LabelChannel, catalog.ChannelOnline))
	}
	carriedOver = func() string {
		return agencySum(catalog.DossiersCarriedOver)
	}
)

// lateDefinition is one catalog late-rate definition as per-agency numerator
// and denominator expressions, or the reason it is not recorded.
type lateDefinition struct {
	num, den func() string
	skip     string
}

// lateDefinitions covers every catalog.LateRateDefinitions entry (a test
// checks it): a new definition must be given its formula or a reason here.
var lateDefinitions = map[string]lateDefinition{
	// Late resolved / all resolved.
	catalog.LateResolvedOnly: {num: resolvedLate, den: resolvedAll},
	// (Overdue in progress + late resolved) / (received in period + carried over).
	catalog.LateBacklog: {
		num: func() string { return inProgressOverdue() + " + " + resolvedLate() },
		den: func() string { return receivedAll() + " + " + carriedOver() },
	},
	// 1 − (resolved early or on time + in progress within deadline) / handled,
	// handled = resolved + in progress. Recorded as a ratio of sums with
	// numerator handled − in time, which is the same number.
	catalog.LateQD766: {
		num: func() string {
			return "(" + resolvedAll() + " + " + inProgressAll() + ") - (" + resolvedInTime() + " + " + inProgressNotDue() + ")"
		},
		den: func() string { return resolvedAll() + " + " + inProgressAll() },
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

func onestopRatios() ([]ratioParts, error) {
	var out []ratioParts
	for _, d := range catalog.LateRateDefinitions {
		ld, ok := lateDefinitions[d.Name]
		switch {
		case !ok:
			return nil, fmt.Errorf("BUG: late-rate definition %q has neither a formula nor a reason to skip it", d.Name)
		case ld.skip != "":
			continue
		}
		out = append(out, ratioParts{ratio: catalog.LateRate, labels: map[string]string{catalog.LabelDefinition: d.Name}, num: ld.num(), den: ld.den()})
	}
	out = append(out,
		ratioParts{ratio: catalog.OnTimeShare, num: resolvedInTime(), den: resolvedAll()},
		ratioParts{ratio: catalog.OnlineShare, num: receivedOnline(), den: receivedAll()},
	)
	return out, nil
}

// onestopRecording records, per agency, the sums and each ratio's numerator
// and denominator from the raw counts, then the ratios; then the same at the
// level and province scopes from the agency series.
func onestopRecording(*gen) ([]Rule, error) {
	parts, err := onestopRatios()
	if err != nil {
		return nil, err
	}
	agency := catalog.ScopeAgency
	rs := []Rule{
		{Record: catalog.ResolvedSum.At(agency).Name, Expr: resolvedAll()},
		{Record: catalog.OverdueSum.At(agency).Name, Expr: inProgressOverdue()},
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
	return rs, nil
}

// widen sums an agency-scope series to scope sc; the level scope joins each
// agency's level from tthc_agency_info.
func widen(sc catalog.Scope, agencySeries string, own []string) string {
	expr := agencySeries
	for _, l := range sc.Labels {
		if l == catalog.LabelLevel {
			expr += " * on (" + catalog.LabelAgency + ") group_left (" + catalog.LabelLevel + ") " + catalog.AgencyInfo.Name
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

// percentValue renders the alert's value (a ratio) as a percentage; in
// Vietnamese with a decimal comma, as the province's reports write it.
func (g *gen) percentValue() string {
	if g.Lang == dashboards.Vi {
		return `{{ $value | humanizePercentage | reReplaceAll "[.]" "," }}`
	}
	return `{{ $value | humanizePercentage }}`
}

func onestopAlerts(g *gen) ([]Rule, error) {
	t := g.Thresholds
	def := t.LateRateDefinition
	if ld, ok := lateDefinitions[def]; !ok || ld.skip != "" {
		return nil, fmt.Errorf("thresholds.late_rate_definition %q has no recording rule (recorded: %v)", def, recordedDefinitions())
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
	lateExpr := func(threshold float64) func(bool) string {
		return func(probe bool) string {
			return withInfo(cmp(probe, lateRate, ">=", dashboards.Number(threshold))+
				"\n  and on ("+catalog.LabelAgency+", "+catalog.LabelPeriod+")\n  "+
				cmp(probe, volume, ">=", fmt.Sprint(t.LateMinVolume)),
				catalog.LabelName, catalog.LabelLevel)
		}
	}
	who := "{{ $labels.name }}"
	pv := g.percentValue()
	warn, crit := dashboards.Percent(t.LateRateWarning, g.Lang), dashboards.Percent(t.LateRateCritical, g.Lang)
	judged := g.text(
		fmt.Sprintf("Chỉ xét cơ quan, đơn vị đã giải quyết từ %d hồ sơ trở lên trong kỳ.", t.LateMinVolume),
		fmt.Sprintf("Only agencies that resolved at least %d dossiers in the period are judged.", t.LateMinVolume),
	)
	rate := g.text(
		fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) có tỷ lệ hồ sơ trễ hạn %s là %s (cách tính: %s).", who, pt.Vi, pv, defText.Vi),
		fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) has a late rate of %s %s (definition: %s).", who, pv, pt.En, defText.En),
	)

	overdue := sel(catalog.OverdueSum.At(agency).Name, eq(catalog.LabelPeriod, period))
	return []Rule{
		g.alert(catalog.AlertLateRateWarning, lateExpr(t.LateRateWarning),
			g.text(
				fmt.Sprintf("%s: tỷ lệ hồ sơ trễ hạn %s là %s, không đạt yêu cầu dưới %s", who, pt.Vi, pv, warn),
				fmt.Sprintf("%s: late rate %s is %s, not below %s", who, pt.En, pv, warn)),
			rate+" "+g.text(
				fmt.Sprintf("Tỉnh yêu cầu tỷ lệ hồ sơ trễ hạn dưới %s. %s", warn, judged),
				fmt.Sprintf("The province requires late dossiers to stay below %s. %s", warn, judged))),
		g.alert(catalog.AlertLateRateCritical, lateExpr(t.LateRateCritical),
			g.text(
				fmt.Sprintf("%s: tỷ lệ hồ sơ trễ hạn %s là %s, từ %s trở lên", who, pt.Vi, pv, crit),
				fmt.Sprintf("%s: late rate %s is %s, at or above %s", who, pt.En, pv, crit)),
			rate+" "+g.text(
				fmt.Sprintf("Với tỷ lệ trễ hạn từ %s trở lên, cán bộ không được xếp loại “hoàn thành tốt nhiệm vụ” trở lên. %s", crit, judged),
				fmt.Sprintf("At %s or more late dossiers, staff cannot be rated “hoàn thành tốt nhiệm vụ” (performed well) or better. %s", crit, judged))),
		g.alert(catalog.AlertDossiersOverdue, func(probe bool) string {
			return withInfo(cmp(probe, overdue, ">", "0"), catalog.LabelName, catalog.LabelLevel)
		},
			g.text(
				fmt.Sprintf("%s có {{ $value }} hồ sơ đang giải quyết quá hạn", who),
				fmt.Sprintf("%s has {{ $value }} dossiers in progress past their deadline", who)),
			g.text(
				fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) đang có {{ $value }} hồ sơ đã quá hạn mà chưa có kết quả. Mỗi hồ sơ quá hạn cần có Phiếu xin lỗi và hẹn lại ngày trả kết quả gửi tổ chức, cá nhân.", who),
				fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) has {{ $value }} dossiers past their deadline without a result. Each needs an apology letter to the applicant with a new date for the result.", who))),
	}, nil
}

// lowerFirst lowercases the first letter, for a catalog sentence quoted
// inside another sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
