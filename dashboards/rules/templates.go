package rules

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// TemplatesFile holds the Alertmanager notification templates; the
// configuration loads it relative to itself (templates/*.tmpl).
const TemplatesFile = "alertmanager/templates/govpulse.tmpl"

// The templates the receivers use, defined in TemplatesFile.
const (
	TmplSubject = "govpulse.subject"
	TmplText    = "govpulse.text"
	TmplHTML    = "govpulse.html"
	TmplChat    = "govpulse.chat"
	// TmplGroupLink is the board a whole notification links to.
	TmplGroupLink = "govpulse.grouplink"
)

// Boards are the Grafana boards notifications link to, as the boards
// generator defines them (the root package finds them, dashboards/boards
// imports this package): the leaders' overview, the per-agency board and its
// agency variable, and IT's collector-health board.
type Boards struct {
	Overview, Agency, AgencyVar, Health string
	// AgencyOthers are the agency board's other variables with an All
	// option: a link sets them to all.
	AgencyOthers []string
}

// agencyLink is the agency board's address without the agency code.
func (b Boards) agencyLink(base string) string {
	q := ""
	for _, v := range b.AgencyOthers {
		q += "var-" + v + "=$__all&"
	}
	return base + "/d/" + b.Agency + "?" + q + "var-" + b.AgencyVar + "="
}

func (b Boards) check() error {
	if b.Overview == "" || b.Agency == "" || b.AgencyVar == "" || b.Health == "" {
		return fmt.Errorf("notification links need the overview, agency (with its variable) and health boards, got %+v", b)
	}
	return nil
}

// tmplText is every piece of text the notification templates write, in one
// language.
type tmplText struct {
	Firing, Critical, Resolved string
	Alerts, Agencies           string
	Figure, Threshold, Period  string
	Since, Link, Content       string
	LastSuccess, ResolvedList  string
	Footer, Repeat             string
	DateLayout                 string
	Lang                       string
}

var tmplTexts = map[dashboards.Lang]tmplText{
	dashboards.Vi: {
		Firing: "[Cảnh báo]", Critical: "[Cảnh báo nghiêm trọng]", Resolved: "[Hết cảnh báo]",
		Alerts: "cảnh báo", Agencies: "cơ quan, đơn vị",
		Figure: "Số liệu", Threshold: "Ngưỡng", Period: "Kỳ số liệu",
		Since: "Từ", Link: "Xem bảng số liệu", Content: "Nội dung",
		LastSuccess:  "Lần thu thập thành công gần nhất",
		ResolvedList: "Đã trở lại bình thường",
		Footer:       "Thông báo tự động của govpulse, hệ thống theo dõi cải cách hành chính của tỉnh. Vui lòng không trả lời thư này.",
		Repeat:       "Thông báo được nhắc lại mỗi ngày làm việc khi tình trạng trên còn tiếp diễn.",
		DateLayout:   "15:04 ngày 02/01/2006",
		Lang:         "vi",
	},
	dashboards.En: {
		Firing: "[Alert]", Critical: "[Critical alert]", Resolved: "[Resolved]",
		Alerts: "alerts", Agencies: "agencies",
		Figure: "Figure", Threshold: "Threshold", Period: "Period",
		Since: "Since", Link: "Open the board", Content: "What",
		LastSuccess:  "Last successful collection",
		ResolvedList: "Back to normal",
		Footer:       "Automatic notice from govpulse, the province's administrative-reform monitoring. Please do not reply.",
		Repeat:       "The notice is repeated every working day while the situation lasts.",
		DateLayout:   "15:04 on 02/01/2006",
		Lang:         "en",
	},
}

// tmplData is what the template generator reads.
type tmplData struct {
	T          tmplText
	Base       string
	Boards     Boards
	Offset     int64  // nanoseconds from UTC to the province's wall clock
	Zone       string // the zone's abbreviation, for people
	Severity   string
	Critical   string
	Audience   string
	AudienceIT string
	Agency     string
	// Province is the label of the agency's province: links open its board there.
	Province string
	Ann      map[string]string
	Names    map[string]string
}

// The generator's own delimiters: the templates it writes are Go templates.
var notifyTmpl = template.Must(template.New("notify").Delims("[[", "]]").Parse(`{{/* ` + dashboards.Notice + ` */}}
{{/*
  Alertmanager notification templates for govpulse (language [[ .T.Lang ]]), written by govpulse generate
  with the alert rules: they print what the rules' annotations say (the figure already formatted, the
  threshold, the period, what to do) and link to the Grafana boards under [[ .Base ]]
  (notifications.grafana_url in govpulse's config). Times are the province's ([[ .Zone ]]).
*/}}

{{/* [Cảnh báo], [Cảnh báo nghiêm trọng] when one firing alert is critical, [Hết cảnh báo]. */}}
{{ define "govpulse.status" -}}
{{ $crit := false }}{{ range .Alerts.Firing }}{{ if eq .Labels.[[ .Severity ]] "[[ .Critical ]]" }}{{ $crit = true }}{{ end }}{{ end -}}
{{ if eq .Status "resolved" }}[[ .T.Resolved ]]{{ else if $crit }}[[ .T.Critical ]]{{ else }}[[ .T.Firing ]]{{ end }}
{{- end }}

{{/* What the notification is about, on one line. */}}
{{ define "govpulse.heading" -}}
{{ $n := len .Alerts.Firing }}{{ if eq $n 0 }}{{ $n = len .Alerts.Resolved }}{{ end -}}
{{ $first := index .Alerts 0 -}}
{{ if .CommonLabels.[[ .Names.name ]] -}}
  {{ .CommonLabels.[[ .Names.name ]] }}: {{ if .CommonAnnotations.[[ .Ann.title ]] }}{{ .CommonAnnotations.[[ .Ann.title ]] }}{{ else }}{{ $n }} [[ .T.Alerts ]]{{ end }}
{{- else if .CommonAnnotations.[[ .Ann.title ]] -}}
  {{ .CommonAnnotations.[[ .Ann.title ]] }}{{ if $first.Labels.[[ .Agency ]] }} — {{ $n }} [[ .T.Agencies ]]{{ else if gt $n 1 }} — {{ $n }} [[ .T.Alerts ]]{{ end }}
{{- else -}}
  {{ $first.Annotations.[[ .Ann.summary ]] }}{{ if gt $n 1 }} — {{ $n }} [[ .T.Alerts ]]{{ end }}
{{- end }}
{{- end }}

{{ define "[[ .Subject ]]" }}{{ template "govpulse.status" . }} {{ template "govpulse.heading" . }}{{ end }}

{{/* A time in the province's zone. */}}
{{ define "govpulse.time" }}{{ (.UTC.Add [[ .Offset ]]).Format "[[ .T.DateLayout ]]" }}{{ end }}

{{/* The board of one alert: its agency's (in its province), IT's for IT alerts, else the overview. */}}
{{ define "govpulse.link" -}}
{{ if .Labels.[[ .Agency ]] }}[[ .AgencyLink ]]{{ .Labels.[[ .Agency ]] }}{{ with .Labels.[[ .Province ]] }}&var-[[ .Province ]]={{ . }}{{ end }}
{{- else if eq .Labels.[[ .Audience ]] "[[ .AudienceIT ]]" }}[[ .Base ]]/d/[[ .Boards.Health ]]
{{- else }}[[ .Base ]]/d/[[ .Boards.Overview ]]{{ end }}
{{- end }}

{{/* The board of a whole notification. */}}
{{ define "[[ .GroupLink ]]" -}}
{{ if .CommonLabels.[[ .Agency ]] }}[[ .AgencyLink ]]{{ .CommonLabels.[[ .Agency ]] }}{{ with .CommonLabels.[[ .Province ]] }}&var-[[ .Province ]]={{ . }}{{ end }}
{{- else if eq .CommonLabels.[[ .Audience ]] "[[ .AudienceIT ]]" }}[[ .Base ]]/d/[[ .Boards.Health ]]
{{- else }}[[ .Base ]]/d/[[ .Boards.Overview ]]{{ end }}
{{- end }}

{{/* Plain-text e-mail. */}}
{{ define "[[ .Text ]]" -}}
{{ template "[[ .Subject ]]" . }}
{{ with .CommonAnnotations.[[ .Ann.period ]] }}[[ .T.Period ]]: {{ . }}
{{ end }}{{ with .CommonAnnotations.[[ .Ann.threshold ]] }}[[ .T.Threshold ]]: {{ . }}
{{ end }}
{{- range .Alerts.Firing }}
• {{ .Annotations.[[ .Ann.summary ]] }}
{{- if eq (len $.Alerts) 1 }}
  {{ .Annotations.[[ .Ann.description ]] }}{{ end }}
{{- with .Annotations.[[ .Ann.last_success ]] }}
  [[ .T.LastSuccess ]]: {{ . }}{{ end }}
{{- if not $.CommonAnnotations.[[ .Ann.action ]] }}{{ with .Annotations.[[ .Ann.action ]] }}
  → {{ . }}{{ end }}{{ end }}
  [[ .T.Since ]] {{ template "govpulse.time" .StartsAt }} — {{ template "govpulse.link" . }}
{{- end }}
{{ with .CommonAnnotations.[[ .Ann.action ]] }}
{{ . }}
{{ end }}
{{- if .Alerts.Resolved }}
[[ .T.ResolvedList ]]:
{{- range .Alerts.Resolved }}
• {{ .Annotations.[[ .Ann.summary ]] }}
{{- end }}
{{ end }}
--
[[ .T.Footer ]] [[ .T.Repeat ]]
{{ end }}

{{/* HTML e-mail. */}}
{{ define "[[ .HTML ]]" -}}
<!DOCTYPE html>
<html lang="[[ .T.Lang ]]">
<head><meta charset="UTF-8"><title>{{ template "[[ .Subject ]]" . }}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222;">
<h2 style="font-size: 18px; color: {{ if eq .Status "resolved" }}#2e7d32{{ else }}#b3261e{{ end }};">{{ template "[[ .Subject ]]" . }}</h2>
{{ with .CommonAnnotations.[[ .Ann.period ]] }}<p>[[ .T.Period ]]: {{ . }}</p>{{ end }}
{{ if .Alerts.Firing -}}
<table cellpadding="6" cellspacing="0" style="border-collapse: collapse; border: 1px solid #ccc;">
<tr style="background: #f0f0f0;"><th align="left">[[ .T.Content ]]</th><th align="right">[[ .T.Figure ]]</th><th align="left">[[ .T.Threshold ]]</th><th align="left">[[ .T.Since ]]</th><th></th></tr>
{{ range .Alerts.Firing -}}
<tr style="border-top: 1px solid #ccc; vertical-align: top;">
<td>{{ .Annotations.[[ .Ann.summary ]] }}
{{- if eq (len $.Alerts) 1 }}<div style="color: #555; white-space: pre-line;">{{ .Annotations.[[ .Ann.description ]] }}</div>{{ end }}
{{- with .Annotations.[[ .Ann.last_success ]] }}<div style="color: #555;">[[ .T.LastSuccess ]]: {{ . }}</div>{{ end }}
{{- if not $.CommonAnnotations.[[ .Ann.action ]] }}{{ with .Annotations.[[ .Ann.action ]] }}<div><b>{{ . }}</b></div>{{ end }}{{ end }}</td>
<td align="right" style="white-space: nowrap;"><b>{{ .Annotations.[[ .Ann.value ]] }}</b></td>
<td>{{ .Annotations.[[ .Ann.threshold ]] }}</td>
<td style="white-space: nowrap;">{{ template "govpulse.time" .StartsAt }}</td>
<td><a href="{{ template "govpulse.link" . }}">[[ .T.Link ]]</a></td>
</tr>
{{ end -}}
</table>
{{- end }}
{{ with .CommonAnnotations.[[ .Ann.action ]] }}<p><b>{{ . }}</b></p>{{ end }}
{{ if .Alerts.Resolved -}}
<p><b>[[ .T.ResolvedList ]]:</b></p>
<ul>{{ range .Alerts.Resolved }}<li>{{ .Annotations.[[ .Ann.summary ]] }}</li>{{ end }}</ul>
{{- end }}
<p><a href="{{ template "[[ .GroupLink ]]" . }}">[[ .T.Link ]]</a></p>
<p style="color: #777; font-size: 12px;">[[ .T.Footer ]] [[ .T.Repeat ]]</p>
</body>
</html>
{{ end }}

{{/* Chat (Slack-compatible incoming webhooks: Mattermost, Rocket.Chat); the subject is the title. */}}
{{ define "[[ .Chat ]]" -}}
{{ range .Alerts.Firing -}}
• {{ .Annotations.[[ .Ann.summary ]] }}{{ with .Annotations.[[ .Ann.last_success ]] }} ([[ .T.LastSuccess ]]: {{ . }}){{ end }} — {{ template "govpulse.link" . }}
{{ end -}}
{{ if eq (len .Alerts) 1 }}{{ with .CommonAnnotations.[[ .Ann.description ]] }}{{ . }}
{{ end }}{{ end -}}
{{ with .CommonAnnotations.[[ .Ann.action ]] }}{{ . }}
{{ end -}}
{{ if .Alerts.Resolved }}[[ .T.ResolvedList ]]:{{ range .Alerts.Resolved }}
• {{ .Annotations.[[ .Ann.summary ]] }}{{ end }}
{{ end -}}
{{ end }}
`))

// templatesFile renders TemplatesFile in lang, linking to the boards under
// base; times are written in loc.
func templatesFile(lang dashboards.Lang, base string, b Boards, loc *time.Location) (dashboards.File, error) {
	if err := b.check(); err != nil {
		return dashboards.File{}, err
	}
	t, ok := tmplTexts[lang]
	if !ok {
		return dashboards.File{}, fmt.Errorf("no notification texts in %q", lang)
	}
	// A fixed offset: the zone's at two instants half a year apart must
	// agree (Vietnam has had no daylight saving since 1975).
	zone, off := time.Date(2026, 1, 15, 12, 0, 0, 0, loc).Zone()
	if _, off2 := time.Date(2026, 7, 15, 12, 0, 0, 0, loc).Zone(); off2 != off {
		return dashboards.File{}, fmt.Errorf("time zone %s has daylight saving time: notification times need a fixed offset", loc)
	}
	if strings.HasPrefix(zone, "+") || strings.HasPrefix(zone, "-") {
		zone = "UTC" + zone
	}
	ann := map[string]string{}
	for _, k := range []string{AnnSummary, AnnDescription, AnnTitle, AnnValue, AnnThreshold, AnnPeriod, AnnAction, AnnLastSuccess} {
		ann[k] = k
	}
	data := struct {
		tmplData
		Subject, Text, HTML, Chat, GroupLink, AgencyLink string
	}{
		tmplData: tmplData{
			T: t, Base: base, Boards: b, Offset: int64(off) * int64(time.Second), Zone: zone,
			Severity: catalog.AlertLabelSeverity, Critical: catalog.SeverityCritical,
			Audience: catalog.AlertLabelAudience, AudienceIT: catalog.AudienceIT, Agency: catalog.LabelAgency, Province: catalog.LabelProvince,
			Ann: ann, Names: map[string]string{"name": catalog.LabelName},
		},
		Subject: TmplSubject, Text: TmplText, HTML: TmplHTML, Chat: TmplChat, GroupLink: TmplGroupLink, AgencyLink: b.agencyLink(base),
	}
	var buf bytes.Buffer
	if err := notifyTmpl.Execute(&buf, data); err != nil {
		return dashboards.File{}, fmt.Errorf("cannot render %s: %w", TemplatesFile, err)
	}
	return dashboards.File{Path: TemplatesFile, Data: buf.Bytes()}, nil
}
