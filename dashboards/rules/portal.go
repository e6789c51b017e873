package rules

import (
	"fmt"

	"github.com/govpulse/govpulse/collector/catalog"
)

// portalRecording records the sync rate as a ratio of sums at every scope: per
// agency, synced / max(local received, national received) (Decision 766
// §1.4); wider scopes sum the agencies' numerators and denominators.
func portalRecording(*gen) ([]Rule, error) {
	r := catalog.SyncShare
	agency := catalog.ScopeAgency
	local, national := agencySum(catalog.PortalDossiersLocal), agencySum(catalog.PortalDossiersNational)
	rs := []Rule{
		{Record: r.Numerator(agency).Name, Expr: agencySum(catalog.PortalDossiersSynced)},
		// max(a, b) per label set: a where a >= b, else b.
		{Record: r.Denominator(agency).Name, Expr: "(" + local + " >= " + national + ")\nor\n" + national},
	}
	for _, sc := range catalog.Scopes {
		if sc.Prefix != agency.Prefix {
			rs = append(rs,
				Rule{Record: r.Numerator(sc).Name, Expr: widen(sc, r.Numerator(agency).Name, nil)},
				Rule{Record: r.Denominator(sc).Name, Expr: widen(sc, r.Denominator(agency).Name, nil)},
			)
		}
		rs = append(rs, Rule{Record: r.Ratio(sc).Name, Expr: r.Numerator(sc).Name + " / (" + r.Denominator(sc).Name + " > 0)"})
	}
	return rs, nil
}

// portalAlerts: an agency whose month-to-date sync rate is below the target
// the rating source exports (dvcqg_sync_target_ratio, from config), judged
// only with at least late_min_volume dossiers received.
func portalAlerts(g *gen) ([]Rule, error) {
	period := catalog.AlertPeriod
	pt, ok := periodText[period]
	if !ok {
		return nil, fmt.Errorf("BUG: period %q has no text", period)
	}
	agency := catalog.ScopeAgency
	rate := sel(catalog.SyncShare.Ratio(agency).Name, eq(catalog.LabelPeriod, period))
	volume := sel(catalog.SyncShare.Denominator(agency).Name, eq(catalog.LabelPeriod, period))
	// Each province's own target (the rating source's config).
	target := on(catalog.LabelProvince) + " group_left () " + Once(catalog.TargetSync.Name)
	who := "{{ $labels.name }}"
	pv := g.percentValue()
	return []Rule{
		g.alert(catalog.AlertSyncRateLow, func(probe bool) string {
			return withInfo(cmp(probe, rate, "<", target)+
				"\n  and "+onAgency(catalog.LabelPeriod)+"\n  "+
				cmp(probe, volume, ">=", fmt.Sprint(g.Thresholds.LateMinVolume)),
				catalog.LabelName, catalog.LabelLevel)
		},
			g.text(
				fmt.Sprintf("%s: tỷ lệ đồng bộ hồ sơ lên Cổng DVC quốc gia %s là %s, dưới chỉ tiêu", who, pt.Vi, pv),
				fmt.Sprintf("%s: dossier sync rate to the National Public Service Portal %s is %s, below target", who, pt.En, pv)),
			g.text(
				fmt.Sprintf("%s (mã định danh {{ $labels.agency }}) mới đồng bộ %s số hồ sơ tiếp nhận %s lên Cổng Dịch vụ công quốc gia (tính trên số lớn hơn giữa số liệu tại địa phương và số liệu của Cổng). Hồ sơ chưa đồng bộ làm giảm điểm chỉ tiêu đồng bộ theo Quyết định 766/QĐ-TTg.", who, pv, pt.Vi),
				fmt.Sprintf("%s (e-ID code {{ $labels.agency }}) synced %s of the dossiers received %s to the National Public Service Portal (the larger of the local and the portal's count). Unsynced dossiers cost points of the sync indicator of Decision 766/QĐ-TTg.", who, pv, pt.En))).
			annotate(
				AnnTitle, g.text("Tỷ lệ đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia dưới chỉ tiêu", "Dossier sync rate to the national portal below target"),
				AnnValue, pv,
				AnnThreshold, `{{ with query `+ofAlertProvince(sel(catalog.TargetSync.Name, provinceMatcher))+` }}`+g.text("chỉ tiêu ", "target ")+`{{ . | first | value`+g.percentPipe()+` }}%{{ end }}`,
				AnnPeriod, pt.In(g.Lang),
				AnnAction, g.text("Đề nghị rà soát các hồ sơ chưa đồng bộ lên Cổng Dịch vụ công quốc gia và phối hợp với đơn vị vận hành hệ thống một cửa điện tử để đồng bộ bổ sung.",
					"Review the dossiers not yet synced to the national portal and have the one-stop system's operator sync them.")),
	}, nil
}
