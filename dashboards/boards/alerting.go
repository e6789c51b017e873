package boards

import (
	"fmt"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// AlertingFile is the Grafana-managed alerting provisioning file: the same
// alerts as the Prometheus rules and a contact point, for a province that
// alerts from Grafana rather than Alertmanager. It lies outside
// grafana/provisioning on purpose: a Grafana given that directory (the compose
// stack's default one, or an existing Grafana it is copied into) gets the
// boards and the datasource, and no second alerting pipeline beside
// Prometheus and Alertmanager; the compose profile grafana-alerting mounts this
// directory at /etc/grafana/provisioning/alerting.
//
// It provisions no notification policy: Grafana's file provisioning of
// policies replaces the organisation's whole policy tree. Each rule names
// the contact point instead (notification_settings, Grafana's simplified
// routing: Grafana 11, or 10.4 with its feature toggle), with the grouping
// and timings a policy would set; Grafana adds the routes for them under
// whatever tree the organisation has.
const AlertingFile = "grafana/alerting/govpulse.yml"

// ContactPoint is the contact point every rule sends to.
const ContactPoint = "govpulse"

// grafanaFolderLabel is the label Grafana gives every Grafana-managed alert:
// the rule's folder. Simplified routing always groups by it and alertname.
const grafanaFolderLabel = "grafana_folder"

// Grafana refIds of a rule's queries: V is the alert expression exactly as
// Prometheus evaluates it — it returns a series only where the condition
// holds, and its value fills the text — and C fires for every series V
// returns (is_number is 1 for any value, 0 included: a source down is 0).
const (
	refValue     = "V"
	refCondition = "C"
)

// grafanaTemplate turns a Prometheus rule annotation into Grafana's template
// language: the value is $values.V.Value there.
func grafanaTemplate(s string) string {
	return strings.NewReplacer("$value ", "$values."+refValue+".Value ", "$value}", "$values."+refValue+".Value}").Replace(s)
}

// alerting renders the provisioning file from rules.Rules: one definition,
// two alerting engines.
func alerting(in dashboards.Input) (dashboards.File, error) {
	rs, err := rules.Rules(rules.Options{Thresholds: in.Config.Thresholds, Lang: in.Lang, Links: in.Links})
	if err != nil {
		return dashboards.File{}, err
	}
	var grs []map[string]any
	for _, r := range rs {
		if r.Alert == "" {
			continue
		}
		q := func(ref, expr string) map[string]any {
			return map[string]any{
				"refId": ref, "datasourceUid": DatasourceUID,
				"relativeTimeRange": map[string]any{"from": 600, "to": 0},
				"model":             map[string]any{"refId": ref, "expr": expr, "instant": true},
			}
		}
		ann := map[string]string{}
		for k, v := range r.Annotations {
			ann[k] = grafanaTemplate(v)
		}
		grs = append(grs, map[string]any{
			"uid":       "govpulse-" + strings.ToLower(r.Alert),
			"title":     r.Alert,
			"condition": refCondition,
			"data": []map[string]any{
				q(refValue, r.Expr),
				{
					"refId": refCondition, "datasourceUid": "__expr__",
					"model": map[string]any{"refId": refCondition, "type": "math", "expression": "is_number($" + refValue + ")"},
				},
			},
			// No series means nothing to judge (e.g. no feed source): not an alert.
			"noDataState":           "OK",
			"execErrState":          "Error",
			"for":                   durationString(r.For),
			"annotations":           ann,
			"labels":                r.Labels,
			"notification_settings": notificationSettings(r),
		})
	}
	doc := map[string]any{
		"apiVersion": 1,
		"groups": []map[string]any{{
			"orgId": 1, "name": "govpulse", "folder": "govpulse", "interval": "1m", "rules": grs,
		}},
		"contactPoints": []map[string]any{{
			"orgId": 1, "name": ContactPoint,
			"receivers": []map[string]any{{
				"uid": "govpulse-webhook", "type": "webhook", "disableResolveMessage": false,
				// Replace with the province's receiver (chat bot, e-mail relay).
				"settings": map[string]any{"url": "http://alert-receiver.example.invalid/govpulse", "httpMethod": "POST"},
			}},
		}},
	}
	b, err := dashboards.YAML(doc, "Grafana-managed alerting: the same alerts as prometheus/rules/govpulse.alerts.rules.yml and a contact point. Set the contact point's URL before use. Each rule names the contact point (notification_settings): no notification policy is provisioned, so the organisation's policy tree stays as it is. Alert from Grafana or from Alertmanager, not both.")
	if err != nil {
		return dashboards.File{}, fmt.Errorf("grafana alerting: %w", err)
	}
	return dashboards.File{Path: AlertingFile, Data: b}, nil
}

// notificationSettings routes a rule to ContactPoint with the timings of
// Alertmanager's route for the rule's audience (rules.DefaultTimings, as in
// deploy/alertmanager/alertmanager.yml): grouped per alert and agency, the
// overdue digest once a day.
func notificationSettings(r rules.Rule) map[string]any {
	t := rules.DefaultTimings.IT
	switch {
	case r.Alert == catalog.AlertOverdueDigest.Name:
		t = rules.DefaultTimings.Digest
	case r.Labels[catalog.AlertLabelAudience] == catalog.AudienceLeaders:
		t = rules.DefaultTimings.Leaders
	case r.Labels[catalog.AlertLabelAudience] == catalog.AudienceAgency:
		t = rules.DefaultTimings.Agency
	}
	return map[string]any{
		"receiver":        ContactPoint,
		"group_by":        []string{grafanaFolderLabel, "alertname", catalog.LabelAgency},
		"group_wait":      durationString(t.GroupWait),
		"group_interval":  durationString(t.GroupInterval),
		"repeat_interval": durationString(t.RepeatInterval),
	}
}

// durationString renders a `for` the way Grafana reads it (1h, 15m, 30s).
func durationString(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}
