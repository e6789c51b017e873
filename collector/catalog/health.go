package catalog

import "time"

// SourceHealth is the pseudo-source of govpulse's own metrics.
const SourceHealth = "health"

// Error reasons of a failed source run, the values of the reason label.
const (
	ReasonTimeout   = "timeout"
	ReasonTransport = "transport"
	ReasonHTTP4xx   = "http_4xx"
	ReasonHTTP429   = "http_429"
	ReasonHTTP5xx   = "http_5xx"
	ReasonTooLarge  = "too_large"
	ReasonDecode    = "decode"
	ReasonInvalid   = "invalid"
	// ReasonUpstream: the body says the upstream failed (a success field with
	// another value than success, an error code).
	ReasonUpstream = "upstream_error"
	// ReasonEmpty: an empty result where the last good result of the same
	// period had rows.
	ReasonEmpty = "empty"
	// ReasonRejected: the run rejected more than its allowed share of records.
	ReasonRejected = "rejected"
	ReasonPanic    = "panic"
	ReasonOther    = "other"
)

// ErrorReasons lists every reason, so counters can be pre-initialised at 0.
var ErrorReasons = []string{ReasonTimeout, ReasonTransport, ReasonHTTP4xx, ReasonHTTP429, ReasonHTTP5xx, ReasonTooLarge, ReasonDecode, ReasonInvalid, ReasonUpstream, ReasonEmpty, ReasonRejected, ReasonPanic, ReasonOther}

// Record rejection reasons: one bad record is dropped and counted, the batch
// goes on. InconsistentKept is the exception: the record is counted but kept.
const (
	RejectNegative = "negative_count"
	// RejectAbsurd: a count above the source's sane bound (MaxCount, or a
	// mapping's max_count).
	RejectAbsurd = "absurd_count"
	// RejectInconsistent drops a record that cannot be right (a feed record
	// whose dates contradict each other).
	RejectInconsistent = "inconsistent"
	// InconsistentKept counts report rows that break an accounting identity
	// (resolved > carried over + received): they are exported as reported,
	// not dropped, and do not count towards a run's rejected share.
	InconsistentKept  = "inconsistent_kept"
	RejectUnknownCode = "unknown_code"
	RejectBadCode     = "bad_code"
	RejectDuplicate   = "duplicate"
	RejectCardinality = "cardinality_cap"
	RejectMalformed   = "malformed"
)

// MaxCount is the sane bound of one upstream count (dossiers of a row, e-ID
// accounts of a unit): ten times Vietnam's population. A larger figure is a
// unit or encoding error, and summing such figures could overflow.
const MaxCount = 1e9

// RejectReasons lists every record rejection reason.
var RejectReasons = []string{RejectNegative, RejectAbsurd, RejectInconsistent, InconsistentKept, RejectUnknownCode, RejectBadCode, RejectDuplicate, RejectCardinality, RejectMalformed}

// NotRejectedShare are the reasons left out of a rejected share: rows kept as
// reported, and samples (not records) the store drops over the series cap.
var NotRejectedShare = []string{InconsistentKept, RejectCardinality}

// CountsAsRejected reports whether records of reason count towards a run's
// rejected share.
func CountsAsRejected(reason string) bool {
	for _, r := range NotRejectedShare {
		if r == reason {
			return false
		}
	}
	return true
}

// DefaultMaxRejectedShare is the default limit of a one-stop run's (report)
// or page's (feed) rejected share (max_rejected_share).
const DefaultMaxRejectedShare = 0.5

// RejectedShareWarning is the rejected share (rejected records / records
// read over RejectedShareWindow) above which GovpulseSourceRejectedHigh
// warns: well below DefaultMaxRejectedShare, and for every source, also those
// that never fail for their share (portal, VNeID, indices): a tenth of the
// upstream's records dropped run after run skews every figure built on them.
const RejectedShareWarning = 0.1

// RejectedShareWindow is the window of that share.
const RejectedShareWindow = time.Hour

// Per-source health (docs/design.md §3) and the daemon's own metrics.
var (
	SourceUp = &Metric{
		Name:   "govpulse_source_up",
		Help:   "1 if the source's last run succeeded, 0 if it failed (the last good data is still served).",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceLastSuccess = &Metric{
		Name:   "govpulse_source_last_success_timestamp_seconds",
		Help:   "Unix time of the source's last successful run; 0 if it never succeeded.",
		Unit:   "seconds",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceDuration = &Metric{
		Name:   "govpulse_source_duration_seconds",
		Help:   "Duration of the source's last run, successful or not.",
		Unit:   "seconds",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceErrors = &Metric{
		Name:   "govpulse_source_errors_total",
		Help:   "Failed source runs by reason since govpulse started.",
		Kind:   Counter,
		Labels: []string{LabelSource, LabelReason},
		Source: SourceHealth,
	}
	SourceSamples = &Metric{
		Name:   "govpulse_source_samples",
		Help:   "Samples the source's current (last good) data exports.",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceRejected = &Metric{
		Name:   "govpulse_source_records_rejected_total",
		Help:   "Upstream records rejected at decode by reason (negative_count, absurd_count, inconsistent, unknown_code, bad_code, duplicate, cardinality_cap, malformed: dropped; inconsistent_kept: exported as reported, flagged) since govpulse started.",
		Kind:   Counter,
		Labels: []string{LabelSource, LabelReason},
		Source: SourceHealth,
	}
	SourceRead = &Metric{
		Name:   "govpulse_source_records_read_total",
		Help:   "Upstream records the source decoded, accepted or rejected, since govpulse started, runs refused for their rejected share included (a record read again by a later run counts again; a whole index or VNeID report file rejected counts as one): the denominator of the rejected share, the increase of govpulse_source_records_rejected_total without inconsistent_kept and cardinality_cap over the increase of this.",
		Kind:   Counter,
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceRejectedShare = &Metric{
		Name:   "govpulse_source_records_rejected_ratio",
		Help:   "Share of the records read by the source's last run that were rejected (0–1; inconsistent_kept does not count), as judged against govpulse_source_records_rejected_limit_ratio: the run's share, or for a one-stop feed the refused page's. Set by every successful run and by failed runs that counted their records (those refused for their rejected share); a run that failed before reading keeps the previous value.",
		Unit:   "ratio",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceRejectedLimit = &Metric{
		Name:   "govpulse_source_records_rejected_limit_ratio",
		Help:   "Largest rejected share a run (one-stop report) or page (one-stop feed) of the source may have (the source's max_rejected_share); above it the run fails with reason rejected and the last good data stays. Exported only for sources that enforce such a limit.",
		Unit:   "ratio",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceSchedule = &Metric{
		Name:   "govpulse_source_schedule_interval_seconds",
		Help:   "Nominal interval between two runs of the source, from its cron schedule; data older than two intervals is stale.",
		Unit:   "seconds",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
	SourceNextRun = &Metric{
		Name:   "govpulse_source_next_run_timestamp_seconds",
		Help:   "Unix time at which the source's next run is due after its last success (or after start, before any success); office-hours schedules are not due on weekends and public holidays. Data is stale once this is more than the stale grace in the past.",
		Unit:   "seconds",
		Labels: []string{LabelSource},
		Source: SourceHealth,
	}
)

// Labels of govpulse_build_info, as Prometheus' own *_build_info has them.
const (
	LabelVersion   = "version"
	LabelRevision  = "revision"
	LabelGoVersion = "goversion"
)

// BuildInfo is govpulse_build_info. Its value comes from the binary, not from
// a source, so the exporter serves it in the live part.
var BuildInfo = &Metric{
	Name:   "govpulse_build_info",
	Help:   "govpulse build: version, VCS revision and Go version of the running binary; value is always 1.",
	Labels: []string{LabelVersion, LabelRevision, LabelGoVersion},
	Source: SourceHealth,
}

// Pushes to VictoriaMetrics (--vm.push-url). Like govpulse_build_info they
// describe the daemon, not a source: the exporter serves them in the live
// part, and only when pushing is configured.
var (
	PushTotal = &Metric{
		Name:   "govpulse_push_total",
		Help:   "Push attempts to VictoriaMetrics (--vm.push-url) since govpulse started, retries included.",
		Kind:   Counter,
		Source: SourceHealth,
	}
	PushFailures = &Metric{
		Name:   "govpulse_push_failures_total",
		Help:   "Push attempts to VictoriaMetrics that failed (transport error, timeout or non-2xx answer) since govpulse started.",
		Kind:   Counter,
		Source: SourceHealth,
	}
	PushSamplesDropped = &Metric{
		Name:   "govpulse_push_samples_dropped_total",
		Help:   "Samples of snapshots that were never pushed because every attempt of their interval failed; the next interval pushes the then-current snapshot.",
		Kind:   Counter,
		Source: SourceHealth,
	}
	PushLastSuccess = &Metric{
		Name:   "govpulse_push_last_success_timestamp_seconds",
		Help:   "Unix time of the last successful push to VictoriaMetrics; 0 if none succeeded yet.",
		Unit:   "seconds",
		Source: SourceHealth,
	}
)

// PushMetrics lists the push metrics, served only when pushing is configured.
var PushMetrics = []*Metric{PushTotal, PushFailures, PushSamplesDropped, PushLastSuccess}

var healthMetrics = []*Metric{PushTotal, PushFailures, PushSamplesDropped, PushLastSuccess, BuildInfo, SourceUp, SourceLastSuccess, SourceDuration, SourceErrors, SourceSamples, SourceRejected, SourceRead, SourceRejectedShare, SourceRejectedLimit, SourceSchedule, SourceNextRun}
