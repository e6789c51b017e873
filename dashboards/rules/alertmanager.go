package rules

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"text/template"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
	"github.com/govpulse/govpulse/dashboards"
)

// Receivers of the generated Alertmanager configuration. Agency receivers
// are AgencyReceiverPrefix + the agency's code.
const (
	ReceiverLeaders      = "leaders"
	ReceiverIT           = "it"
	ReceiverNone         = "none"
	AgencyReceiverPrefix = "agency-"
)

// Timing is one route's Alertmanager timings.
type Timing struct {
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

func (t Timing) valid() bool { return t.GroupWait > 0 && t.GroupInterval > 0 && t.RepeatInterval > 0 }

// AlertmanagerOptions fill the Alertmanager configuration and its templates.
type AlertmanagerOptions struct {
	Lang dashboards.Lang
	// GrafanaURL is where the notifications' links point
	// (notifications.grafana_url); Boards the boards under it.
	GrafanaURL string
	Boards     Boards
	// SMTPSmarthost (host:port) and SMTPFrom send e-mail; SMTPNoTLS (tests
	// only) sends without STARTTLS.
	SMTPSmarthost, SMTPFrom string
	SMTPNoTLS               bool
	// LeadersEmail and ITEmail receive e-mail; LeadersChatURL and ITChatURL
	// are Slack-compatible incoming webhooks (Mattermost, Rocket.Chat);
	// ITWebhookURL receives IT's alerts as JSON (a ticketing system);
	// LeadersWebhookURL, when set, the leaders' (a province portal).
	LeadersEmail, ITEmail           string
	LeadersChatURL, ITChatURL       string
	ITWebhookURL, LeadersWebhookURL string
	// Agencies are the agencies with a contact (source.Agency.Email): each
	// gets a receiver and a route for its own alerts.
	Agencies []source.Agency
	// Calendar and Location give the office hours and days off.
	Calendar *workday.Calendar
	Location string
	// Timings of the routes.
	Leaders, Digest, Agency, IT Timing
	// AlwaysOpen (tests only): office hours and the digest window at every
	// instant, no day off. The routing tree is the same.
	AlwaysOpen bool
}

// webhookMaxAlerts bounds the alerts of one webhook post (Alertmanager
// counts those left out in truncatedAlerts): a ticketing system wants a
// ticket, not a 238 KB body.
const webhookMaxAlerts = 20

// DefaultAlertmanagerOptions are the example's: the config's Grafana,
// agency contacts, zone and holiday calendar, placeholder addresses
// (example.org) and the production timings.
func DefaultAlertmanagerOptions(in dashboards.Input, b Boards) (AlertmanagerOptions, error) {
	cal, err := calendarOf(in.Config)
	if err != nil {
		return AlertmanagerOptions{}, err
	}
	var contacts []source.Agency
	for _, a := range in.Config.Agencies {
		if a.Email != "" {
			contacts = append(contacts, a)
		}
	}
	grafana := in.Config.Notifications.GrafanaURL
	if grafana == "" {
		grafana = config.DefaultGrafanaURL
	}
	return AlertmanagerOptions{
		Lang:           in.Lang,
		GrafanaURL:     grafana,
		Boards:         b,
		SMTPSmarthost:  "smtp.example.org:587",
		SMTPFrom:       "govpulse@example.org",
		LeadersEmail:   "lanhdao@example.org",
		ITEmail:        "cntt@example.org",
		LeadersChatURL: "https://chat.example.org/hooks/govpulse-lanh-dao",
		ITChatURL:      "https://chat.example.org/hooks/govpulse-cntt",
		ITWebhookURL:   "http://webhook.example.org/govpulse",
		Agencies:       contacts,
		Calendar:       cal,
		Location:       in.Config.Province.Timezone,
		Leaders:        DefaultTimings.Leaders,
		Digest:         DefaultTimings.Digest,
		Agency:         DefaultTimings.Agency,
		IT:             DefaultTimings.IT,
	}, nil
}

// DefaultTimings are the routes' production timings, which Grafana-managed
// rules copy. Late rates are month-to-date figures: a leader hears of a new
// agency over the line within the hour, and of the list once a working day.
// 20h rather than 24h: the next morning's first flush is due, not an hour
// later each day.
var DefaultTimings = struct{ Leaders, Digest, Agency, IT Timing }{
	Leaders: Timing{GroupWait: 5 * time.Minute, GroupInterval: time.Hour, RepeatInterval: 20 * time.Hour},
	Digest:  Timing{GroupWait: 5 * time.Minute, GroupInterval: 5 * time.Minute, RepeatInterval: 20 * time.Hour},
	Agency:  Timing{GroupWait: 5 * time.Minute, GroupInterval: time.Hour, RepeatInterval: 20 * time.Hour},
	IT:      Timing{GroupWait: 30 * time.Second, GroupInterval: 5 * time.Minute, RepeatInterval: 4 * time.Hour},
}

// amRoute is one child route of the generated tree.
type amRoute struct {
	Comment  string
	Receiver string
	Matchers []string
	GroupBy  []string
	Timing   Timing
	Active   []string
	Mute     []string
	Continue bool
}

// amReceiver is one receiver; an empty one sends nothing.
type amReceiver struct {
	Name, Comment string
	Email, Chat   string
	// Webhook receivers are machines: they get resolved notices always;
	// SendResolved is the people's (e-mail, chat).
	Webhook        string
	SendResolved   bool
	MaxAlerts      int
	Subject, Text  string
	HTML, ChatText string
	GroupLink      string
}

// amInhibit is one inhibit rule.
type amInhibit struct {
	Comment        string
	Source, Target string
	Equal          []string
}

type amData struct {
	AlertmanagerOptions
	TemplatesGlob string
	Intervals     []namedInterval
	Routes        []amRoute
	Receivers     []amReceiver
	Inhibits      []amInhibit
	NoContacts    bool
	Root          string
}

var alertmanagerTmpl = template.Must(template.New("alertmanager").Funcs(tmplFuncs).Funcs(template.FuncMap{"qs": strconv.Quote}).Parse(`{{ header }}# Alertmanager configuration for govpulse's alerts (checked with amtool check-config,
# Alertmanager 0.25), written by govpulse generate from the catalog and the config.
# Replace the placeholders (example.org) with the province's mail relay, mailboxes and chat hooks.
#
# Who is told is the alert's audience label (collector/catalog): leaders (the late-rate rules and
# the daily overdue digest, in office hours, never at night, at weekends or on public holidays),
# agency (an agency's own alerts, to the contact in the agency file's email column) and it (govpulse
# and its sources, at any hour). Routes match the audience, not alert names, so a new alert reaches
# its audience by its label; an alert without one falls to IT.
global:
  smtp_smarthost: {{ q .SMTPSmarthost }}
  smtp_from: {{ q .SMTPFrom }}
  smtp_require_tls: {{ not .SMTPNoTLS }}

# Subjects, e-mail (HTML and text) and chat text in {{ .Lang }}, with links to {{ .GrafanaURL }}.
templates:
  - {{ q .TemplatesGlob }}

time_intervals:
{{- range .Intervals }}
  # {{ .Comment }}
  - name: {{ q .Name }}
{{- if not .Intervals }}
    time_intervals: []
{{- else }}
    time_intervals:
{{- range .Intervals }}
{{- if .Always }}
      - {} # {{ .Comment }}
{{- else }}
      - {{ if .Comment }}# {{ .Comment }}
        {{ end }}location: {{ q .Location }}
{{- if .Years }}
        years: [{{ range $i, $v := .Years }}{{ if $i }}, {{ end }}{{ q $v }}{{ end }}]
{{- end }}
{{- if .Months }}
        months: [{{ range $i, $v := .Months }}{{ if $i }}, {{ end }}{{ q $v }}{{ end }}]
{{- end }}
{{- if .DaysOfMonth }}
        days_of_month: [{{ range $i, $v := .DaysOfMonth }}{{ if $i }}, {{ end }}{{ qs $v }}{{ end }}]
{{- end }}
{{- if .Weekdays }}
        weekdays: [{{ range $i, $v := .Weekdays }}{{ if $i }}, {{ end }}{{ qs $v }}{{ end }}]
{{- end }}
{{- if .Times }}
        times:
{{- range .Times }}
          - {start_time: {{ qs (index . 0) }}, end_time: {{ qs (index . 1) }}}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

route:
  # Anything no route below takes: IT.
  receiver: {{ q .Root }}
  group_by: [alertname]
  group_wait: {{ dur .IT.GroupWait }}
  group_interval: {{ dur .IT.GroupInterval }}
  repeat_interval: {{ dur .IT.RepeatInterval }}
  routes:
{{- if .NoContacts }}
    # No agency in the agency file has an email contact: add the email column (README) for a
    # route per agency here.
{{- end }}
{{- range .Routes }}
    # {{ .Comment }}
    - receiver: {{ q .Receiver }}
      matchers:
{{- range .Matchers }}
        - {{ q . }}
{{- end }}
      group_by: [{{ range $i, $v := .GroupBy }}{{ if $i }}, {{ end }}{{ $v }}{{ end }}]
      group_wait: {{ dur .Timing.GroupWait }}
      group_interval: {{ dur .Timing.GroupInterval }}
      repeat_interval: {{ dur .Timing.RepeatInterval }}
{{- if .Active }}
      active_time_intervals: [{{ range $i, $v := .Active }}{{ if $i }}, {{ end }}{{ $v }}{{ end }}]
{{- end }}
{{- if .Mute }}
      mute_time_intervals: [{{ range $i, $v := .Mute }}{{ if $i }}, {{ end }}{{ $v }}{{ end }}]
{{- end }}
{{- if .Continue }}
      continue: true
{{- end }}
{{- end }}

receivers:
{{- range .Receivers }}
  # {{ .Comment }}
  - name: {{ q .Name }}
{{- if .Email }}
    email_configs:
      - to: {{ q .Email }}
        send_resolved: {{ .SendResolved }}
        headers:
          Subject: {{ q .Subject }}
        html: {{ q .HTML }}
        text: {{ q .Text }}
{{- end }}
{{- if .Chat }}
    slack_configs:
      - api_url: {{ q .Chat }}
        send_resolved: {{ .SendResolved }}
        title: {{ q .Subject }}
        title_link: {{ q .GroupLink }}
        fallback: {{ q .Subject }}
        text: {{ q .ChatText }}
{{- end }}
{{- if .Webhook }}
    webhook_configs:
      - url: {{ q .Webhook }}
        send_resolved: true
        max_alerts: {{ .MaxAlerts }}
{{- end }}
{{- end }}

inhibit_rules:
{{- range .Inhibits }}
  # {{ .Comment }}
  - source_matchers:
      - {{ q .Source }}
    target_matchers:
      - {{ q .Target }}
    equal: [{{ range $i, $v := .Equal }}{{ if $i }}, {{ end }}{{ $v }}{{ end }}]
{{- end }}
`))

func matcher(label, value string) string { return fmt.Sprintf("%s=%q", label, value) }

// AlertmanagerFiles renders deploy/alertmanager/alertmanager.yml and its
// templates: routes by audience (agency contacts first, continuing; the
// daily digest; leaders in office hours; IT at any hour; agency alerts of
// agencies without a contact to nobody), time intervals from the holiday
// calendar, and the inhibitions.
func AlertmanagerFiles(o AlertmanagerOptions) ([]dashboards.File, error) {
	switch {
	case o.SMTPSmarthost == "" || o.SMTPFrom == "" || o.LeadersEmail == "" || o.ITEmail == "":
		return nil, fmt.Errorf("alertmanager options: a mail relay, a sender and the leaders' and IT's mailboxes are required")
	case !o.Leaders.valid() || !o.Digest.valid() || !o.Agency.valid() || !o.IT.valid():
		return nil, fmt.Errorf("alertmanager options: every route needs positive timings")
	}
	if u, err := url.Parse(o.GrafanaURL); err != nil || u.Host == "" {
		return nil, fmt.Errorf("alertmanager options: Grafana URL %q is not an absolute URL", o.GrafanaURL)
	}
	loc, err := time.LoadLocation(o.Location)
	if err != nil {
		return nil, fmt.Errorf("alertmanager options: time zone %q: %w", o.Location, err)
	}
	tmpl, err := templatesFile(o.Lang, o.GrafanaURL, o.Boards, loc)
	if err != nil {
		return nil, err
	}
	intervals, err := timeIntervals(o.Calendar, o.Location, o.AlwaysOpen)
	if err != nil {
		return nil, err
	}
	aud := catalog.AlertLabelAudience
	office, noHolidays := []string{IntervalOfficeHours}, []string{IntervalHolidays}
	ref := func(name string) string { return `{{ template "` + name + `" . }}` }
	mailed := func(r amReceiver) amReceiver {
		r.Subject, r.Text, r.HTML, r.ChatText, r.GroupLink = ref(TmplSubject), ref(TmplText), ref(TmplHTML), ref(TmplChat), ref(TmplGroupLink)
		return r
	}
	d := amData{
		AlertmanagerOptions: o,
		TemplatesGlob:       path.Join(path.Base(path.Dir(TemplatesFile)), "*.tmpl"),
		Intervals:           intervals,
		NoContacts:          len(o.Agencies) == 0,
		Root:                ReceiverIT,
	}
	for _, a := range o.Agencies {
		d.Routes = append(d.Routes, amRoute{
			Comment:  a.Name + ": its own alerts (leaders' too), one notification for all of them, in office hours.",
			Receiver: AgencyReceiverPrefix + a.Code,
			Matchers: []string{matcher(catalog.LabelAgency, a.Code), fmt.Sprintf("%s=~%q", aud, catalog.AudienceLeaders+"|"+catalog.AudienceAgency)},
			GroupBy:  []string{catalog.LabelAgency}, Timing: o.Agency, Active: office, Mute: noHolidays, Continue: true,
		})
		d.Receivers = append(d.Receivers, mailed(amReceiver{Name: AgencyReceiverPrefix + a.Code, Comment: a.Name + " (agency file)", Email: a.Email}))
	}
	d.Routes = append(d.Routes,
		amRoute{
			Comment:  "The daily digest of overdue dossiers: once a working day, in the first hour.",
			Receiver: ReceiverLeaders, Matchers: []string{matcher(aud, catalog.AudienceLeaders), matcher("alertname", catalog.AlertOverdueDigest.Name)},
			GroupBy: []string{"alertname"}, Timing: o.Digest, Active: []string{IntervalDigest}, Mute: noHolidays,
		},
		amRoute{
			Comment:  "Leaders: one notification per kind of alert listing every agency concerned, in office hours; repeated once a working day.",
			Receiver: ReceiverLeaders, Matchers: []string{matcher(aud, catalog.AudienceLeaders)},
			GroupBy: []string{"alertname"}, Timing: o.Leaders, Active: office, Mute: noHolidays,
		},
		amRoute{
			Comment:  "IT: govpulse and its sources, at any hour, one notification per kind of alert.",
			Receiver: ReceiverIT, Matchers: []string{matcher(aud, catalog.AudienceIT)},
			GroupBy: []string{"alertname"}, Timing: o.IT,
		},
		amRoute{
			Comment:  "An agency's own alerts when it has no contact: nobody is paged (its board shows them; the digest counts its overdue dossiers).",
			Receiver: ReceiverNone, Matchers: []string{matcher(aud, catalog.AudienceAgency)},
			GroupBy: []string{"alertname"}, Timing: o.Agency,
		},
	)
	d.Receivers = append([]amReceiver{
		mailed(amReceiver{Name: ReceiverLeaders, Comment: "The province's leaders and administrative-reform office: e-mail and chat, no resolved notices (the next day's list says it).",
			Email: o.LeadersEmail, Chat: o.LeadersChatURL, Webhook: o.LeadersWebhookURL, MaxAlerts: webhookMaxAlerts}),
		mailed(amReceiver{Name: ReceiverIT, Comment: "IT staff: e-mail, chat and a JSON webhook (ticketing), resolved notices too.", Email: o.ITEmail, Chat: o.ITChatURL,
			Webhook: o.ITWebhookURL, SendResolved: true, MaxAlerts: webhookMaxAlerts}),
	}, d.Receivers...)
	d.Receivers = append(d.Receivers, amReceiver{Name: ReceiverNone, Comment: "Sends nothing."})
	d.Inhibits = []amInhibit{
		{Comment: "While an agency's late rate is critical, its warning about the same rate says nothing new (agency codes repeat across provinces).",
			Source: matcher("alertname", catalog.AlertLateRateCritical.Name), Target: matcher("alertname", catalog.AlertLateRateWarning.Name),
			Equal: []string{catalog.LabelProvince, catalog.LabelAgency, catalog.LabelPeriod}},
		{Comment: "A source that fails is also stale: say it once.",
			Source: matcher("alertname", catalog.AlertSourceDown.Name), Target: matcher("alertname", catalog.AlertSourceStale.Name),
			Equal: []string{catalog.LabelSource, catalog.LabelInstance}},
		{Comment: "A source refused for rejecting more than its limit also rejects a high share: say it once.",
			Source: matcher("alertname", catalog.AlertSourceRejectedLimit.Name), Target: matcher("alertname", catalog.AlertSourceRejectedHigh.Name),
			Equal: []string{catalog.LabelSource, catalog.LabelInstance}},
		{Comment: "Scrapes that time out are slow too: the target down says it.",
			Source: matcher("alertname", catalog.AlertGovpulseDown.Name), Target: matcher("alertname", catalog.AlertScrapeSlow.Name),
			Equal: []string{catalog.LabelInstance}},
	}
	cfg, err := render(AlertmanagerFile, alertmanagerTmpl, d)
	if err != nil {
		return nil, err
	}
	return []dashboards.File{cfg, tmpl}, nil
}
