package catalog

import "time"

// Meta-monitoring (docs/design.md §9): govpulse watched from outside, by the
// Prometheus that scrapes it. Three alerts read Prometheus' own series about
// the scrape job (up, scrape_duration_seconds, and absent up); one reads
// govpulse's config-reload gauge, which the daemon exports as Prometheus and
// Alertmanager export theirs.

// ScrapeJob is the job name of govpulse's scrape in the generated Prometheus
// configuration; the meta-monitoring alerts select it. A Prometheus that
// scrapes govpulse under another job name must rename its job, or the absent
// alert fires.
const ScrapeJob = "govpulse"

// ScrapeTimeout is the scrape timeout of the govpulse job in the generated
// Prometheus configuration. A scrape copies pre-rendered bytes (about 1 ms at
// 100k series), so a scrape near this long means a saturated host or network.
const ScrapeTimeout = 10 * time.Second

// ScrapeSlowShare is the share of ScrapeTimeout above which
// GovpulseScrapeSlow warns: the scrapes still succeed, but are close to being
// cut off (a scrape past the timeout fails and govpulse counts as down).
const ScrapeSlowShare = 0.8

// ScrapeSlowThreshold is GovpulseScrapeSlow's threshold (8 s).
var ScrapeSlowThreshold = time.Duration(ScrapeSlowShare * float64(ScrapeTimeout))

// Prometheus' own series and target labels the meta-monitoring alerts read.
// They are Prometheus', not govpulse's: not in All.
const (
	// PromUp is 1 for a target whose last scrape succeeded, 0 for one whose
	// scrape failed (refused, timed out, or an invalid exposition).
	PromUp = "up"
	// PromScrapeDuration is how long the target's last scrape took.
	PromScrapeDuration = "scrape_duration_seconds"
	LabelJob           = "job"
	LabelInstance      = "instance"
)

// Config reloads, as Prometheus reports its own
// (prometheus_config_last_reload_successful). Like govpulse_build_info they
// describe the daemon, not a source: the exporter serves them in the live
// part, gathered on every scrape.
var (
	ConfigReloadSuccess = &Metric{
		Name:   "govpulse_config_last_reload_successful",
		Help:   "1 if the last config load succeeded (at start, or a reload by SIGHUP or POST /-/reload), 0 if the last reload was refused: the new config was invalid or its sources could not be built, the running config stays and the error is logged with file and line. Not changed by a reload under --demo, which has no file to read.",
		Source: SourceHealth,
	}
	ConfigReloadSuccessTime = &Metric{
		Name:   "govpulse_config_last_reload_success_timestamp_seconds",
		Help:   "Unix time of the last successful config load: govpulse's start, or the last reload that was applied.",
		Unit:   "seconds",
		Source: SourceHealth,
	}
)

// ConfigMetrics lists the config-reload metrics, served in the live part.
var ConfigMetrics = []*Metric{ConfigReloadSuccess, ConfigReloadSuccessTime}

var metaMetrics = ConfigMetrics

// Meta-monitoring alerts (listed in AlertRules). Prometheus scrapes every 30 s in the generated
// configuration: five minutes is ten failed scrapes, not one lost packet.
var (
	// AlertGovpulseDown: Prometheus has a govpulse target whose scrapes fail.
	AlertGovpulseDown = AlertRule{Name: "GovpulseDown", Severity: SeverityCritical, For: 5 * time.Minute, Audience: AudienceIT}
	// AlertGovpulseAbsent: Prometheus has no govpulse target at all (its job
	// or service discovery lost it), so GovpulseDown cannot fire. Longer than
	// a Prometheus restart takes to scrape again.
	AlertGovpulseAbsent = AlertRule{Name: "GovpulseAbsent", Severity: SeverityCritical, For: 10 * time.Minute, Audience: AudienceIT}
	// AlertScrapeSlow: scrapes succeed but take more than ScrapeSlowShare of
	// the timeout.
	AlertScrapeSlow = AlertRule{Name: "GovpulseScrapeSlow", Severity: SeverityWarning, For: 15 * time.Minute, Audience: AudienceIT}
	// AlertConfigReloadFailed: the last reload was refused; the running
	// config stays, so it is a warning, long enough for the person who
	// reloaded to read the error and fix the file.
	AlertConfigReloadFailed = AlertRule{Name: "GovpulseConfigReloadFailed", Severity: SeverityWarning, For: 10 * time.Minute, Audience: AudienceIT}
)

// RunbookDir holds one runbook per alert, <alert name>.md, in Vietnamese
// (sections Ý nghĩa, Cách kiểm tra, Xử lý, Liên hệ), relative to the
// repository root; every alert's runbook_url annotation points at it.
const RunbookDir = "docs/runbooks"

// MetaAlerts are the alerts on govpulse itself (no source label): they carry
// no last-success annotation, which is a source's.
var MetaAlerts = []AlertRule{AlertGovpulseDown, AlertGovpulseAbsent, AlertScrapeSlow, AlertConfigReloadFailed}
