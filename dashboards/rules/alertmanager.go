package rules

import (
	"fmt"
	"text/template"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// AlertmanagerOptions fill the Alertmanager configuration.
type AlertmanagerOptions struct {
	// WebhookURL receives every notification (JSON, Alertmanager's webhook format).
	WebhookURL string
	// SMTPSmarthost (host:port), when set, adds e-mail from SMTPFrom to
	// EmailTo to the critical receiver.
	SMTPSmarthost, SMTPFrom, EmailTo string
	// GroupWait, GroupInterval and RepeatInterval are the route's timings.
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

// DefaultAlertmanagerOptions are the example's placeholders and timings.
func DefaultAlertmanagerOptions() AlertmanagerOptions {
	return AlertmanagerOptions{
		WebhookURL:     "http://webhook.example.org/govpulse",
		SMTPSmarthost:  "smtp.example.org:587",
		SMTPFrom:       "govpulse@example.org",
		EmailTo:        "cchc@example.org",
		GroupWait:      30 * time.Second,
		GroupInterval:  5 * time.Minute,
		RepeatInterval: 12 * time.Hour,
	}
}

// amData is what the template reads: the options plus the catalog's names.
type amData struct {
	AlertmanagerOptions
	Agency, Period, Source, Severity, Warning, Critical string
	LateWarning, LateCritical, SourceDown, SourceStale  string
	RejectedLimit, RejectedHigh, Overdue                string
	GovpulseDown, ScrapeSlow, Instance                  string
	DigestInterval                                      time.Duration
}

// digestInterval is how often the overdue-dossiers digest repeats: most
// agencies have a few overdue dossiers on any day, so it is a daily list, not
// a page per agency.
const digestInterval = 24 * time.Hour

var alertmanagerTmpl = template.Must(template.New("alertmanager").Funcs(tmplFuncs).Parse(`{{ header }}# Alertmanager configuration example for govpulse's alerts (checked with amtool check-config,
# Alertmanager 0.25). Replace the placeholders (example.org) with your webhook and mail relay.
{{- if .SMTPSmarthost }}
global:
  # E-mail placeholders: your mail relay (host:port) and addresses. Alertmanager uses STARTTLS;
  # add smtp_auth_username and smtp_auth_password_file if the relay needs a login.
  smtp_smarthost: {{ q .SMTPSmarthost }}
  smtp_from: {{ q .SMTPFrom }}
  smtp_require_tls: true
{{- end }}

route:
  receiver: {{ .Warning }}
  # One notification per alert and agency: a department's head gets their own, and a
  # source alert (no agency label) is one notification for all sources.
  group_by: [alertname, {{ .Agency }}]
  group_wait: {{ dur .GroupWait }}
  group_interval: {{ dur .GroupInterval }}
  repeat_interval: {{ dur .RepeatInterval }}
  routes:
    # Overdue dossiers are everyday work: one digest listing every agency, once a day.
    - receiver: {{ .Warning }}
      matchers:
        - {{ q (printf "alertname=%q" .Overdue) }}
      group_by: [alertname]
      group_interval: 1h
      repeat_interval: {{ dur .DigestInterval }}
    - receiver: {{ .Critical }}
      matchers:
        - {{ q (printf "%s=%q" .Severity .Critical) }}
    - receiver: {{ .Warning }}
      matchers:
        - {{ q (printf "%s=%q" .Severity .Warning) }}

receivers:
  - name: {{ .Critical }}
{{- if .SMTPSmarthost }}
    email_configs:
      - to: {{ q .EmailTo }}
        send_resolved: true
{{- end }}
    webhook_configs:
      - url: {{ q .WebhookURL }}
        send_resolved: true
  - name: {{ .Warning }}
    webhook_configs:
      - url: {{ q .WebhookURL }}
        send_resolved: true

inhibit_rules:
  # While an agency's late rate is critical, its warning about the same rate says nothing new.
  - source_matchers:
      - {{ q (printf "alertname=%q" .LateCritical) }}
    target_matchers:
      - {{ q (printf "alertname=%q" .LateWarning) }}
    equal: [{{ .Agency }}, {{ .Period }}]
  # A source that fails is also stale: say it once.
  - source_matchers:
      - {{ q (printf "alertname=%q" .SourceDown) }}
    target_matchers:
      - {{ q (printf "alertname=%q" .SourceStale) }}
    equal: [{{ .Source }}, instance]
  # A source refused for rejecting more than its limit also rejects a high share: say it once.
  - source_matchers:
      - {{ q (printf "alertname=%q" .RejectedLimit) }}
    target_matchers:
      - {{ q (printf "alertname=%q" .RejectedHigh) }}
    equal: [{{ .Source }}, instance]
  # Scrapes that time out are slow too: the target down says it.
  - source_matchers:
      - {{ q (printf "alertname=%q" .GovpulseDown) }}
    target_matchers:
      - {{ q (printf "alertname=%q" .ScrapeSlow) }}
    equal: [{{ .Instance }}]
`))

// AlertmanagerConfig renders deploy/alertmanager/alertmanager.yml: routes by
// severity (critical: e-mail and webhook; warning: webhook), grouped by alert
// and agency, a critical late rate inhibiting the same agency's warning (and
// a source's critical alerts its warnings).
func AlertmanagerConfig(o AlertmanagerOptions) (dashboards.File, error) {
	if o.WebhookURL == "" || o.GroupWait <= 0 || o.GroupInterval <= 0 || o.RepeatInterval <= 0 {
		return dashboards.File{}, fmt.Errorf("alertmanager options: webhook URL and timings are required")
	}
	if o.SMTPSmarthost != "" && (o.SMTPFrom == "" || o.EmailTo == "") {
		return dashboards.File{}, fmt.Errorf("alertmanager options: e-mail needs a sender and a recipient")
	}
	return render(AlertmanagerFile, alertmanagerTmpl, amData{
		AlertmanagerOptions: o,
		Agency:              catalog.LabelAgency,
		Period:              catalog.LabelPeriod,
		Source:              catalog.LabelSource,
		Severity:            catalog.AlertLabelSeverity,
		Warning:             catalog.SeverityWarning,
		Critical:            catalog.SeverityCritical,
		LateWarning:         catalog.AlertLateRateWarning.Name,
		LateCritical:        catalog.AlertLateRateCritical.Name,
		SourceDown:          catalog.AlertSourceDown.Name,
		SourceStale:         catalog.AlertSourceStale.Name,
		RejectedLimit:       catalog.AlertSourceRejectedLimit.Name,
		RejectedHigh:        catalog.AlertSourceRejectedHigh.Name,
		Overdue:             catalog.AlertDossiersOverdue.Name,
		DigestInterval:      digestInterval,
		GovpulseDown:        catalog.AlertGovpulseDown.Name,
		ScrapeSlow:          catalog.AlertScrapeSlow.Name,
		Instance:            catalog.LabelInstance,
	})
}
