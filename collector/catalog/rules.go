package catalog

import (
	"sort"
	"time"
)

// Recording rules and alerts: the names of every series a recording rule
// writes and of every alert, written once. dashboards/rules generates the
// rules from these; Grafana boards read the same names.
//
// Recorded series follow Prometheus' naming convention
// <aggregation level>:<metric>:<operation>. A ratio is a ratio of sums
// (docs/design.md §3): it is recorded with its numerator and denominator at every
// scope, and a wider scope sums the narrower scope's numerators and
// denominators, never averages its ratios.

// Scope is an aggregation level of recorded series.
type Scope struct {
	// Prefix is the first part of a recorded series' name.
	Prefix string
	// Labels are the labels the scope keeps (besides period and the series' own).
	Labels []string
}

// Scopes, narrowest first. The level scope joins each agency's level from
// tthc_agency_info; the province scope sums every agency of a province.
// Every scope keeps LabelProvince: one store may hold several provinces,
// whose agencies share codes (province.go).
var (
	ScopeAgency   = Scope{Prefix: "agency", Labels: []string{LabelProvince, LabelAgency}}
	ScopeLevel    = Scope{Prefix: "level", Labels: []string{LabelProvince, LabelLevel}}
	ScopeProvince = Scope{Prefix: "province", Labels: []string{LabelProvince}}
	Scopes        = []Scope{ScopeAgency, ScopeLevel, ScopeProvince}
	// ScopeLineage is today's agencies with their former units' figures
	// added for the time before each former unit ended (docs/lineage.md):
	// what keeps a year-on-year comparison whole across a merger. The rules
	// carry the agency scope's series through the lineage; boards carry the
	// raw counts through it, the same numbers, over history the rules never
	// ran on.
	ScopeLineage = Scope{Prefix: "lineage", Labels: []string{LabelProvince, LabelAgency}}
)

// The one-stop sums and ratios recorded at the lineage scope.
var (
	LineageSums   = []RecordedSum{ResolvedSum, OverdueSum}
	LineageRatios = []RecordedRatio{LateRate, OnTimeShare, OnlineShare}
)

// Recorded is one series written by a recording rule.
type Recorded struct {
	Name string
	Help string
	// Labels the series carries (Prometheus adds none: recording rules drop
	// job, instance and replica by aggregating, and keep province).
	Labels []string
}

// RecordedSum is a count summed over fields (and channels or timeliness
// classes), recorded at every scope as <scope>:<Base>:sum.
type RecordedSum struct {
	Base string
	Help string
}

// At returns the sum's series at scope sc.
func (s RecordedSum) At(sc Scope) Recorded {
	return Recorded{Name: sc.Prefix + ":" + s.Base + ":sum", Help: s.Help, Labels: scopeLabels(sc, nil)}
}

// RecordedRatio is a ratio of sums, recorded at every scope as three series:
// <scope>:<Base>_numerator:sum, <scope>:<Base>_denominator:sum and
// <scope>:<Base>:ratio (0–1; absent where the denominator is 0).
type RecordedRatio struct {
	Base string
	Help string
	// Labels the ratio carries besides the scope's and period (definition for
	// late rates).
	Labels []string
}

// Ratio returns the ratio's series at scope sc.
func (r RecordedRatio) Ratio(sc Scope) Recorded {
	return Recorded{Name: sc.Prefix + ":" + r.Base + ":ratio", Help: r.Help, Labels: scopeLabels(sc, r.Labels)}
}

// Numerator returns the series of the ratio's numerator at scope sc.
func (r RecordedRatio) Numerator(sc Scope) Recorded {
	return Recorded{Name: sc.Prefix + ":" + r.Base + "_numerator:sum", Help: "Numerator of: " + r.Help, Labels: scopeLabels(sc, r.Labels)}
}

// Denominator returns the series of the ratio's denominator at scope sc.
func (r RecordedRatio) Denominator(sc Scope) Recorded {
	return Recorded{Name: sc.Prefix + ":" + r.Base + "_denominator:sum", Help: "Denominator of: " + r.Help, Labels: scopeLabels(sc, r.Labels)}
}

func scopeLabels(sc Scope, own []string) []string {
	out := append(append([]string{}, sc.Labels...), LabelPeriod)
	return append(out, own...)
}

// Recorded sums and ratios of the one-stop period report.
var (
	ResolvedSum = RecordedSum{
		Base: "tthc_dossiers_resolved",
		Help: "Dossiers resolved in the period, all fields and timeliness classes: the volume a late rate is judged on (thresholds.late_min_volume).",
	}
	OverdueSum = RecordedSum{
		Base: "tthc_dossiers_in_progress_overdue",
		Help: "Dossiers in progress past their deadline (đang giải quyết quá hạn), all fields; each needs an apology letter to the applicant.",
	}
	// LateRate is recorded once per late-rate definition (label definition);
	// see LateRateDefinitions for the formulas.
	LateRate = RecordedRatio{
		Base:   "tthc_dossiers_late",
		Help:   "Late rate (tỷ lệ hồ sơ quá hạn) by definition, from the one-stop period report counts.",
		Labels: []string{LabelDefinition},
	}
	OnTimeShare = RecordedRatio{
		Base: "tthc_dossiers_on_time",
		Help: "Share of resolved dossiers resolved early or on time (trước hạn, đúng hạn).",
	}
	OnlineShare = RecordedRatio{
		Base: "tthc_dossiers_online",
		Help: "Share of newly received dossiers submitted online (trực tuyến).",
	}
	// SyncShare is Decision 766's sync rate: dossiers synced to the national
	// portal / max(received locally, received as the portal counts them).
	SyncShare = RecordedRatio{
		Base: "dvcqg_dossiers_synced",
		Help: "Dossier sync rate to the National Public Service Portal: synced / max(local received, national received) (Decision 766 §1.4).",
	}
	// DueSoonSum is the agency's dossiers due within one working day (feed
	// mode), the series the surge alert compares with its past week.
	DueSoonSum = Recorded{
		Name:   ScopeAgency.Prefix + ":" + "tthc_dossiers_due_soon:sum",
		Help:   "Dossiers in progress due within one working day (sắp đến hạn), all fields, per agency.",
		Labels: []string{LabelProvince, LabelAgency},
	}
)

// RecordedSums and RecordedRatios list every recorded sum and ratio. A domain
// that adds one appends it here and writes its expression in dashboards/rules.
var (
	RecordedSums   = []RecordedSum{ResolvedSum, OverdueSum}
	RecordedRatios = []RecordedRatio{LateRate, OnTimeShare, OnlineShare, SyncShare}
	// RecordedOthers are recorded series of no scope family.
	RecordedOthers = []Recorded{DueSoonSum}
)

// RecordedSeries returns every recorded series at every scope, sorted by name.
func RecordedSeries() []Recorded {
	var out []Recorded
	for _, sc := range Scopes {
		for _, s := range RecordedSums {
			out = append(out, s.At(sc))
		}
		for _, r := range RecordedRatios {
			out = append(out, r.Numerator(sc), r.Denominator(sc), r.Ratio(sc))
		}
	}
	for _, s := range LineageSums {
		out = append(out, s.At(ScopeLineage))
	}
	for _, r := range LineageRatios {
		out = append(out, r.Numerator(ScopeLineage), r.Denominator(ScopeLineage), r.Ratio(ScopeLineage))
	}
	out = append(out, RecordedOthers...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Alert severities (the severity label; Alertmanager routes on it).
const (
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// AlertLabelSeverity is the alert label holding the severity.
const AlertLabelSeverity = "severity"

// AlertLabelAudience is the alert label naming who an alert is for;
// Alertmanager routes on it, never on alert names, so an alert added later
// reaches its audience without a new route.
const AlertLabelAudience = "audience"

// Audiences, the values of the audience label.
const (
	// AudienceLeaders: the province's leaders and its administrative-reform
	// office — the late-rate rules and the daily overdue digest; office hours
	// only. The agency concerned, if it has a contact, is told too.
	AudienceLeaders = "leaders"
	// AudienceAgency: only the agency the alert names, through the contact
	// of the agency file (its email column); nobody else is paged for it.
	AudienceAgency = "agency"
	// AudienceIT: the IT staff who run govpulse and its sources, at any hour.
	AudienceIT = "it"
)

// Audiences lists every audience.
var Audiences = []string{AudienceLeaders, AudienceAgency, AudienceIT}

// AlertRule is one alert's identity: its name, severity, audience and how
// long its condition must hold before it fires. Its expression and text are
// generated by dashboards/rules from the thresholds.
type AlertRule struct {
	Name     string
	Severity string
	For      time.Duration
	// Audience is who is told (AudienceLeaders, AudienceAgency, AudienceIT).
	// The generator refuses an alert without one: an alert about govpulse
	// itself or its sources is AudienceIT.
	Audience string
}

// Alerts. Late rates are month-to-date figures that move slowly and are
// refreshed on the one-stop schedule (5 minutes by default): a condition must
// hold for three refreshes before anybody is told.
var (
	AlertLateRateWarning  = AlertRule{Name: "TthcLateRateWarning", Severity: SeverityWarning, For: 15 * time.Minute, Audience: AudienceLeaders}
	AlertLateRateCritical = AlertRule{Name: "TthcLateRateCritical", Severity: SeverityCritical, For: 15 * time.Minute, Audience: AudienceLeaders}
	// AlertDossiersOverdue is per agency, for the agency's own contact; the
	// leaders read AlertOverdueDigest instead.
	AlertDossiersOverdue = AlertRule{Name: "TthcDossiersOverdue", Severity: SeverityWarning, For: 15 * time.Minute, Audience: AudienceAgency}
	// AlertOverdueDigest is one alert for the whole province: the total of
	// overdue dossiers and the agencies with the most, sent once a working day.
	AlertOverdueDigest = AlertRule{Name: "TthcDossiersOverdueDigest", Severity: SeverityWarning, For: 15 * time.Minute, Audience: AudienceLeaders}
	AlertSourceDown    = AlertRule{Name: "GovpulseSourceDown", Severity: SeverityCritical, For: 15 * time.Minute, Audience: AudienceIT}
	AlertSourceStale   = AlertRule{Name: "GovpulseSourceStale", Severity: SeverityWarning, For: 5 * time.Minute, Audience: AudienceIT}
	// The portal refreshes hourly by default: a low sync rate must last an hour.
	AlertSyncRateLow  = AlertRule{Name: "DvcqgSyncRateLow", Severity: SeverityWarning, For: time.Hour, Audience: AudienceAgency}
	AlertDueSoonSurge = AlertRule{Name: "TthcDueSoonSurge", Severity: SeverityWarning, For: 15 * time.Minute, Audience: AudienceAgency}
	// A run refused for its rejected share keeps the share until the next
	// run: two refused runs of a 5-minute schedule fire, one glitch does not.
	AlertSourceRejectedLimit = AlertRule{Name: "GovpulseSourceRejectedLimit", Severity: SeverityCritical, For: 10 * time.Minute, Audience: AudienceIT}
	// A sustained share below the limit: the runs succeed, the figures lack records.
	AlertSourceRejectedHigh = AlertRule{Name: "GovpulseSourceRejectedHigh", Severity: SeverityWarning, For: 30 * time.Minute, Audience: AudienceIT}
	AlertRules              = []AlertRule{AlertLateRateWarning, AlertLateRateCritical, AlertDossiersOverdue, AlertOverdueDigest, AlertDueSoonSurge, AlertSyncRateLow, AlertSourceDown, AlertSourceStale, AlertSourceRejectedLimit, AlertSourceRejectedHigh, AlertGovpulseDown, AlertGovpulseAbsent, AlertScrapeSlow, AlertConfigReloadFailed, AlertManualBehind}
)

// LateRateHysteresis is how far below its threshold a firing late-rate alert
// must fall before it resolves (a ratio: 0.005 is half a percentage point).
// A month-to-date rate hovering around 5% would otherwise fire, resolve and
// fire again; with the margin the warning fires at 5% and resolves below
// 4.5%, the critical fires at 10% and resolves below 9.5%.
const LateRateHysteresis = 0.005

// OverdueDigestMin is the fewest overdue dossiers in progress in the whole
// province for the daily digest to be sent; OverdueDigestTop is how many
// agencies it names, those with the most overdue dossiers first.
const (
	OverdueDigestMin = 10
	OverdueDigestTop = 10
)

// AlertPeriod is the report period the per-agency alerts judge: the month to
// date, the figure the provincial office publishes every month. (In-progress
// stocks are the same in every period.) Recorded series cover every period.
const AlertPeriod = PeriodMonth

// SurgeWindow is the past the due-soon surge alert compares with.
const SurgeWindow = 7 * 24 * time.Hour

// StaleIntervals: the collector-health board marks data older than this many
// schedule intervals (govpulse_source_schedule_interval_seconds).
const StaleIntervals = 2

// StaleGrace: a source is stale when a due run (govpulse_source_next_run_timestamp_seconds)
// has not succeeded within this grace, which covers a run's retries and timeout.
const StaleGrace = 10 * time.Minute
