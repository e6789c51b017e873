package boards

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// TestAlertingLeavesPoliciesAlone: the Grafana alerting file provisions no
// notification policy (file provisioning of policies replaces the
// organisation's whole tree) and lies outside grafana/provisioning (a Grafana
// given that directory gets no second alerting pipeline); every rule names
// the contact point, with Alertmanager's grouping: per alert and agency,
// overdue dossiers as a daily digest, critical alerts repeated more often.
func TestAlertingLeavesPoliciesAlone(t *testing.T) {
	if strings.HasPrefix(AlertingFile, "grafana/provisioning/") {
		t.Errorf("AlertingFile %s is under grafana/provisioning/", AlertingFile)
	}
	f, err := alerting(input(catalog.DefaultThresholds, dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Policies      []any `yaml:"policies"`
		ResetPolicies []any `yaml:"resetPolicies"`
		ContactPoints []struct {
			Name string `yaml:"name"`
		} `yaml:"contactPoints"`
		Groups []struct {
			Rules []struct {
				Title  string            `yaml:"title"`
				Labels map[string]string `yaml:"labels"`
				NS     struct {
					Receiver       string   `yaml:"receiver"`
					GroupBy        []string `yaml:"group_by"`
					GroupInterval  string   `yaml:"group_interval"`
					RepeatInterval string   `yaml:"repeat_interval"`
				} `yaml:"notification_settings"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(f.Data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Policies != nil || doc.ResetPolicies != nil {
		t.Fatalf("the file provisions policies: %v %v", doc.Policies, doc.ResetPolicies)
	}
	if len(doc.ContactPoints) != 1 || doc.ContactPoints[0].Name != ContactPoint {
		t.Fatalf("contact points %+v, want one named %s", doc.ContactPoints, ContactPoint)
	}
	if len(doc.Groups) != 1 || len(doc.Groups[0].Rules) == 0 {
		t.Fatalf("groups %+v", doc.Groups)
	}
	seen := map[string]bool{}
	for _, r := range doc.Groups[0].Rules {
		ns := r.NS
		if ns.Receiver != ContactPoint {
			t.Errorf("%s: receiver %q", r.Title, ns.Receiver)
		}
		if !slices.Contains(ns.GroupBy, grafanaFolderLabel) || !slices.Contains(ns.GroupBy, "alertname") {
			t.Errorf("%s: group_by %v lacks Grafana's required labels", r.Title, ns.GroupBy)
		}
		// The timings of Alertmanager's route for the rule's audience.
		want := rules.DefaultTimings.IT
		switch {
		case r.Title == catalog.AlertOverdueDigest.Name:
			seen["digest"] = true
			want = rules.DefaultTimings.Digest
		case r.Labels[catalog.AlertLabelAudience] == catalog.AudienceLeaders:
			seen["leaders"] = true
			want = rules.DefaultTimings.Leaders
		case r.Labels[catalog.AlertLabelAudience] == catalog.AudienceAgency:
			seen["agency"] = true
			want = rules.DefaultTimings.Agency
		default:
			seen["it"] = true
		}
		if ns.GroupInterval != durationString(want.GroupInterval) || ns.RepeatInterval != durationString(want.RepeatInterval) {
			t.Errorf("%s: %+v, want the timings %+v of its audience's route", r.Title, ns, want)
		}
	}
	if len(seen) != 4 {
		t.Errorf("rules seen: %v, want the digest and each audience", seen)
	}
}
