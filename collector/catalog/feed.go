package catalog

import "regexp"

// LabelOfficial is the account code (tài khoản) of the official who handled a
// step of a dossier, from the feed's process log. Never a name: the code is
// validated against OfficialCodePattern, and names are never read.
const LabelOfficial = "official"

// OfficialCodePattern is the shape of an official's account code in the
// one-stop system: letters, digits, dots, dashes and underscores, no spaces
// and no "@" (an e-mail address is personal data, not an account code). The
// feed decoder also requires a letter, so that a phone or ID number given as
// an account code is refused.
var OfficialCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

const feedRefresh = " Computed from the one-stop dossier feed (onestop format feed); refreshed on the source's schedule."

// Metrics only the one-stop source's feed mode produces: it sees each dossier,
// so it can say what a period report cannot. The period report itself
// (received, resolved, in progress, …) uses the onestop.go metrics in both modes.
var (
	DossiersDueSoon = newMetric(SourceOnestop, "tthc_dossiers_due_soon", "", []string{LabelAgency, LabelField},
		"Dossiers in progress due within one working day (sắp đến hạn): not yet overdue and at most 8 working hours (07:00–11:30, 13:30–17:00 on working days of the yearly holiday calendar) before their appointment date NgayHenTra; dossiers awaiting a supplement are excluded. Current state."+feedRefresh)
	DossiersProcessingSeconds = newMetric(SourceOnestop, "tthc_dossiers_processing_working_seconds", "seconds", []string{LabelAgency, LabelField, LabelPeriod},
		"Sum of the working time from receipt (NgayTiepNhan) to result (NgayTra) of the dossiers resolved in the period that have a legal duration (tthc_dossiers_timed counts them); working time counts only working hours of working days. Average = this / tthc_dossiers_timed; time cut vs the legal maximum = 1 - this / tthc_dossiers_legal_working_seconds. Period to date."+feedRefresh)
	DossiersLegalSeconds = newMetric(SourceOnestop, "tthc_dossiers_legal_working_seconds", "seconds", []string{LabelAgency, LabelField, LabelPeriod},
		"Sum of the legal maximum processing time (the procedure's duration in working days, 8 working hours each) of the dossiers resolved in the period that have one: the denominator of the processing-time cut (target 40%). Period to date."+feedRefresh)
	DossiersTimed = newMetric(SourceOnestop, "tthc_dossiers_timed", "", []string{LabelAgency, LabelField, LabelPeriod},
		"Dossiers resolved in the period whose procedure has a legal duration, the population of tthc_dossiers_processing_working_seconds and tthc_dossiers_legal_working_seconds. Period to date."+feedRefresh)
	DossiersDigitised = newMetric(SourceOnestop, "tthc_dossiers_digitised", "", []string{LabelAgency, LabelField, LabelPeriod},
		"Dossiers received in the period with digitised components (HoSoCoThanhPhanSoHoa), for the 766 digitisation indicators; divide by tthc_dossiers_received. Period to date."+feedRefresh)
	DossiersPaidOnline = newMetric(SourceOnestop, "tthc_dossiers_paid_online", "", []string{LabelAgency, LabelField, LabelPeriod},
		"Dossiers received in the period whose fees were paid online (DuocThanhToanTrucTuyen), for the 766 online-payment indicator; divide by tthc_dossiers_received. Period to date."+feedRefresh)
	OfficialLateDossiers = newMetric(SourceOnestop, "tthc_official_late_dossiers", "", []string{LabelAgency, LabelOfficial},
		"Dossiers an official handled late this month: a step of the feed's process log (QuaTrinhXuLy) assigned to the official's account code ended this month after its step deadline (HanXuLy). Exported only when the source sets official_late: true (a privacy decision: it names officials by account code). Month to date."+feedRefresh)
)

// feedMetrics lists this domain's metrics (see All).
var feedMetrics = []*Metric{DossiersDueSoon, DossiersProcessingSeconds, DossiersLegalSeconds, DossiersTimed, DossiersDigitised, DossiersPaidOnline, OfficialLateDossiers}

// feedLabels holds the allowed values of labels this domain introduces.
var feedLabels = map[string]Values{
	LabelOfficial: {Pattern: OfficialCodePattern},
}
