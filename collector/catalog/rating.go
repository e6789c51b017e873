package catalog

// SourceRating is the source kind of the derived rules: head-of-agency
// ratings, the 10% staff flag, the local Decision 766 estimate and targets,
// computed from what other sources collected.
const SourceRating = "rating"

// LabelRating is a head-of-agency rating (Ratings).
const LabelRating = "rating"

// Head-of-agency ratings (domain.md §1), best first.
const (
	RatingExcellent    = "xuat_sac"
	RatingGood         = "tot"
	RatingCompleted    = "hoan_thanh"
	RatingNotCompleted = "khong_hoan_thanh"
)

// RatingTier is one rating and the conditions to reach it.
type RatingTier struct {
	Code string
	// MinScore is the lowest CCHC score (ratio 0–1) of the tier.
	MinScore float64
	// LateBelowWarning requires the agency's late rate to be below
	// Thresholds.LateRateWarning (the 5% rule).
	LateBelowWarning bool
	Vi, En           string
}

// RatingTiers are the tiers, best first: the one definition of 90/80/65.
var RatingTiers = []RatingTier{
	{RatingExcellent, 0.90, true, "Hoàn thành xuất sắc nhiệm vụ", "Excellent: score ≥ 90% and late rate below the warning threshold"},
	{RatingGood, 0.80, true, "Hoàn thành tốt nhiệm vụ", "Good: score ≥ 80% and late rate below the warning threshold"},
	{RatingCompleted, 0.65, false, "Hoàn thành nhiệm vụ", "Completed: score ≥ 65%"},
	{RatingNotCompleted, 0, false, "Không hoàn thành nhiệm vụ", "Not completed: score below 65%"},
}

// Ratings lists the rating codes, best first.
var Ratings = func() []string {
	out := make([]string, len(RatingTiers))
	for i, t := range RatingTiers {
		out[i] = t.Code
	}
	return out
}()

// AgencyRating rates a head of agency from the agency's CCHC score (ratio
// 0–1) and its late rate. judged is false when the agency resolved fewer than
// th.LateMinVolume dossiers in the period: its late rate is then not judged
// and the tier follows from the score alone. capped reports that the score
// reached a tier the late rate kept the agency out of; such an agency is rated
// "hoàn thành" (the first tier without the late condition).
func AgencyRating(score, lateRate float64, judged bool, th Thresholds) (rating string, capped bool) {
	lateOK := !judged || lateRate < th.LateRateWarning
	for _, t := range RatingTiers {
		if !(score >= t.MinScore) {
			continue
		}
		if t.LateBelowWarning && !lateOK {
			capped = true
			continue
		}
		return t.Code, capped
	}
	return RatingNotCompleted, capped
}

// DossierCounts are the one-stop report counts of one agency (or a sum of
// agencies) for one period, summed over fields and channels.
type DossierCounts struct {
	// Received counts new dossiers of all channels; Online those submitted online.
	Received, Online float64
	CarriedOver      float64
	// Resolved dossiers by timeliness.
	Early, OnTime, Late float64
	// In progress at the end of the period to date.
	NotDue, Overdue float64
}

// Resolved returns all resolved dossiers.
func (c DossierCounts) Resolved() float64 { return c.Early + c.OnTime + c.Late }

// Handled returns the dossiers handled in the period: resolved plus in progress.
func (c DossierCounts) Handled() float64 { return c.Resolved() + c.NotDue + c.Overdue }

// Add returns the sum of c and d.
func (c DossierCounts) Add(d DossierCounts) DossierCounts {
	return DossierCounts{
		Received: c.Received + d.Received, Online: c.Online + d.Online, CarriedOver: c.CarriedOver + d.CarriedOver,
		Early: c.Early + d.Early, OnTime: c.OnTime + d.OnTime, Late: c.Late + d.Late,
		NotDue: c.NotDue + d.NotDue, Overdue: c.Overdue + d.Overdue,
	}
}

// LateRateOf computes the late rate of c under the named definition (see
// LateRateDefinitions). ok is false when the denominator is zero or the
// definition cannot be computed from period-report counts: due_based needs
// the dossiers that fell due in the period, which the report does not count
// (dashboards/rules records no such series either).
func LateRateOf(definition string, c DossierCounts) (rate float64, ok bool) {
	var num, den float64
	switch definition {
	case LateResolvedOnly:
		num, den = c.Late, c.Resolved()
	case LateBacklog:
		num, den = c.Overdue+c.Late, c.Received+c.CarriedOver
	case LateQD766:
		// 1 − (early + on time + not yet due) / handled, written as a share of
		// the late ones so no rounding creeps in.
		num, den = c.Late+c.Overdue, c.Handled()
	default:
		return 0, false
	}
	if !(den > 0) {
		return 0, false
	}
	return num / den, true
}

// Targets are goals shown beside the actual values (domain.md §1). Deployments
// override them in the rating source's config; these are the defaults.
type Targets struct {
	// ProcessingTimeCut is the targeted cut of TTHC processing time against
	// the statutory time (40% in 2022, +10% a year).
	ProcessingTimeCut float64 `yaml:"processing_time_cut"`
	// Integration is the targeted share of online public services integrated
	// on the National Public Service Portal (86.9% was reached; the national
	// goal is all of them).
	Integration float64 `yaml:"integration"`
	// Sync is the targeted dossier sync rate to the portal, and the alert
	// threshold of DvcqgSyncRateLow. Assumed 95%: every dossier should reach
	// the portal, but a dossier synced a day late is routine, and a 100%
	// threshold would keep the alert firing.
	Sync float64 `yaml:"sync"`
	// VNeIDActivation is the targeted level-2 e-ID activation rate
	// (activated / issued, VNeIDActivationRate). Assumed 80%: no official
	// target is recorded in docs/domain.md §5; a deployment sets its own.
	VNeIDActivation float64 `yaml:"vneid_activation"`
}

// DefaultTargets are the defaults of Targets.
var DefaultTargets = Targets{ProcessingTimeCut: 0.40, Integration: 1.0, Sync: 0.95, VNeIDActivation: 0.80}

const ratingRefresh = " Computed by govpulse from the latest collected data and the rating config, refreshed on the rating source's schedule."

// Derived metrics: ratings, the staff flag, the Decision 766 estimate, targets.
var (
	AgencyCCHCScore = &Metric{
		Name:   "tthc_agency_cchc_score_ratio",
		Help:   "The agency's administrative-reform (CCHC) score as a ratio 0–1, from the rating source's configured score list; the input of the head-of-agency rating." + ratingRefresh,
		Unit:   "ratio",
		Labels: []string{LabelAgency},
		Source: SourceRating,
	}
	AgencyRatingState = &Metric{
		Name:   "tthc_agency_rating",
		Help:   "Head-of-agency rating as a state set: 1 for the agency's current rating (xuat_sac score ≥ 90% and late < 5%, tot ≥ 80% and late < 5%, hoan_thanh ≥ 65%, khong_hoan_thanh), 0 for the others." + ratingRefresh,
		Labels: []string{LabelAgency, LabelRating},
		Source: SourceRating,
	}
	AgencyRatingLateCapped = &Metric{
		Name:   "tthc_agency_rating_late_capped",
		Help:   "1 if the agency's score reaches tot or xuat_sac but its late rate (at or above the warning threshold) keeps it at hoan_thanh, else 0." + ratingRefresh,
		Labels: []string{LabelAgency},
		Source: SourceRating,
	}
	AgencyLateCritical = &Metric{
		Name:   "tthc_agency_late_critical",
		Help:   "1 if the agency's late rate (named definition) is at or above the critical threshold (10%: its staff cannot be rated well) with at least the minimum volume of resolved dossiers in the rating period, else 0." + ratingRefresh,
		Labels: []string{LabelAgency, LabelDefinition},
		Source: SourceRating,
	}
	QD766EstimateScore = &Metric{
		Name:   "qd766_estimate_score",
		Help:   "govpulse's local estimate of a Decision 766 group score in points with the proportional rule, for groups the collected data covers whole (tien_do; dvctt with portal data); unit is the province code (all agencies) or an agency code." + ratingRefresh,
		Labels: []string{LabelUnit, LabelGroup, LabelPeriod},
		Source: SourceRating,
	}
	QD766EstimateIndicatorScore = &Metric{
		Name:   "qd766_estimate_indicator_score",
		Help:   "govpulse's local estimate of a Decision 766 sub-indicator score in points (score = max × ratio / threshold, capped at max); unit is the province code (all agencies) or an agency code." + ratingRefresh,
		Labels: []string{LabelUnit, LabelIndicator, LabelPeriod},
		Source: SourceRating,
	}
	QD766IndicatorMaxScore = &Metric{
		Name:   "qd766_indicator_max_score",
		Help:   "Maximum score in points of a Decision 766 sub-indicator the local estimate computes, from govpulse's catalog.",
		Labels: []string{LabelIndicator},
		Source: SourceRating,
	}
	TargetProcessingTimeCut = &Metric{
		Name:   "tthc_processing_time_cut_target_ratio",
		Help:   "Target cut of administrative-procedure processing time against the statutory time (0.40 = 40%), from the rating source's config.",
		Unit:   "ratio",
		Source: SourceRating,
	}
	TargetIntegration = &Metric{
		Name:   "dvcqg_integration_target_ratio",
		Help:   "Target share of online public services integrated on the National Public Service Portal, from the rating source's config.",
		Unit:   "ratio",
		Source: SourceRating,
	}
	TargetSync = &Metric{
		Name:   "dvcqg_sync_target_ratio",
		Help:   "Target dossier sync rate to the National Public Service Portal, from the rating source's config.",
		Unit:   "ratio",
		Source: SourceRating,
	}
	TargetVNeIDActivation = &Metric{
		Name:   "vneid_activation_target_ratio",
		Help:   "Target level-2 e-ID activation rate (vneid_accounts_activated / vneid_accounts_issued), from the rating source's config (targets.vneid_activation).",
		Unit:   "ratio",
		Source: SourceRating,
	}
)

// ratingMetrics lists this domain's metrics (see All).
var ratingMetrics = []*Metric{
	AgencyCCHCScore, AgencyRatingState, AgencyRatingLateCapped, AgencyLateCritical,
	QD766EstimateScore, QD766EstimateIndicatorScore, QD766IndicatorMaxScore,
	TargetProcessingTimeCut, TargetIntegration, TargetSync, TargetVNeIDActivation,
}

// ratingLabels holds the allowed values of labels this domain introduces.
var ratingLabels = map[string]Values{
	LabelRating: {List: Ratings},
}
