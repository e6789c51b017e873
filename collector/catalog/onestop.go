package catalog

// SourceOnestop is the source kind of the one-stop (một cửa) system.
const SourceOnestop = "onestop"

const onestopRefresh = " Period to date, refreshed on the one-stop source's schedule."

// One-stop period report metrics (domain.md §2). Counts only; ratios are
// derived by recording rules as ratios of sums.
var (
	DossiersReceived = &Metric{
		Name:   "tthc_dossiers_received",
		Help:   "Dossiers newly received in the period (hồ sơ tiếp nhận mới) by submission channel, from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod, LabelChannel},
		Source: SourceOnestop,
	}
	DossiersCarriedOver = &Metric{
		Name:   "tthc_dossiers_carried_over",
		Help:   "Dossiers carried over from the previous period (kỳ trước chuyển qua), from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod},
		Source: SourceOnestop,
	}
	DossiersResolved = &Metric{
		Name:   "tthc_dossiers_resolved",
		Help:   "Dossiers resolved in the period (đã giải quyết) by timeliness: truoc_han early, dung_han on time, tre_han late; from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod, LabelTimeliness},
		Source: SourceOnestop,
	}
	DossiersInProgress = &Metric{
		Name:   "tthc_dossiers_in_progress",
		Help:   "Dossiers in progress at the end of the period to date (đang giải quyết) by timeliness: chua_den_han not yet due, qua_han overdue; from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod, LabelTimeliness},
		Source: SourceOnestop,
	}
	DossiersWithdrawn = &Metric{
		Name:   "tthc_dossiers_withdrawn",
		Help:   "Dossiers returned or withdrawn in the period (trả lại / rút), from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod},
		Source: SourceOnestop,
	}
	DossiersAwaitingSupplement = &Metric{
		Name:   "tthc_dossiers_awaiting_supplement",
		Help:   "Dossiers awaiting a supplement from the applicant (chờ bổ sung), from the one-stop period report." + onestopRefresh,
		Labels: []string{LabelAgency, LabelField, LabelPeriod},
		Source: SourceOnestop,
	}
)

// ResolvedTimeliness and InProgressTimeliness are the label values of the two
// timeliness splits.
var (
	ResolvedTimeliness   = []string{ResolvedEarly, ResolvedOnTime, ResolvedLate}
	InProgressTimeliness = []string{InProgressNotDue, InProgressOverdue}
)

var onestopMetrics = []*Metric{DossiersReceived, DossiersCarriedOver, DossiersResolved, DossiersInProgress, DossiersWithdrawn, DossiersAwaitingSupplement}
