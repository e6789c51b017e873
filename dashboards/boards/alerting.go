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
// alerts as the Prometheus rules, a contact point and a notification policy,
// for a province that alerts from Grafana rather than Alertmanager.
const AlertingFile = "grafana/provisioning/alerting/govpulse.yml"

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
			"noDataState":  "OK",
			"execErrState": "Error",
			"for":          durationString(r.For),
			"annotations":  ann,
			"labels":       r.Labels,
		})
	}
	sev := catalog.AlertLabelSeverity
	doc := map[string]any{
		"apiVersion": 1,
		"groups": []map[string]any{{
			"orgId": 1, "name": "govpulse", "folder": "govpulse", "interval": "1m", "rules": grs,
		}},
		"contactPoints": []map[string]any{{
			"orgId": 1, "name": "govpulse",
			"receivers": []map[string]any{{
				"uid": "govpulse-webhook", "type": "webhook", "disableResolveMessage": false,
				// Replace with the province's receiver (chat bot, e-mail relay).
				"settings": map[string]any{"url": "http://alert-receiver.example.invalid/govpulse", "httpMethod": "POST"},
			}},
		}},
		"policies": []map[string]any{{
			"orgId": 1, "receiver": "govpulse",
			"group_by":   []string{"alertname", catalog.LabelAgency},
			"group_wait": "30s", "group_interval": "5m", "repeat_interval": "12h",
			"routes": []map[string]any{
				// Overdue dossiers: a daily digest of every agency, as in Alertmanager.
				{"receiver": "govpulse", "object_matchers": [][]string{{"alertname", "=", catalog.AlertDossiersOverdue.Name}},
					"group_by": []string{"alertname"}, "group_interval": "1h", "repeat_interval": "24h"},
				{"receiver": "govpulse", "object_matchers": [][]string{{sev, "=", catalog.SeverityCritical}}, "repeat_interval": "4h"},
				{"receiver": "govpulse", "object_matchers": [][]string{{sev, "=", catalog.SeverityWarning}}},
			},
		}},
	}
	b, err := dashboards.YAML(doc, "Grafana-managed alerting: the same alerts as prometheus/rules/govpulse.alerts.rules.yml, with a contact point and a notification policy. Set the contact point's URL before use.")
	if err != nil {
		return dashboards.File{}, fmt.Errorf("grafana alerting: %w", err)
	}
	return dashboards.File{Path: AlertingFile, Data: b}, nil
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
