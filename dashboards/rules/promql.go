package rules

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Small PromQL builders: every name and label value comes in as a catalog
// value, so the expressions contain no hand-typed names.

// sel renders a selector of metric or recorded series name with matchers.
func sel(name string, matchers ...string) string {
	if len(matchers) == 0 {
		return name
	}
	return name + "{" + strings.Join(matchers, ",") + "}"
}

// eq matches one label value.
func eq(label, value string) string { return label + "=" + strconv.Quote(value) }

// oneOf matches any of values (eq for a single value).
func oneOf(label string, values []string) string {
	if len(values) == 1 {
		return eq(label, values[0])
	}
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = regexp.QuoteMeta(v)
	}
	return label + "=~" + strconv.Quote(strings.Join(q, "|"))
}

// noneOf matches none of values.
func noneOf(label string, values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = regexp.QuoteMeta(v)
	}
	return label + "!~" + strconv.Quote(strings.Join(q, "|"))
}

// sumBy sums expr keeping labels.
func sumBy(labels []string, expr string) string {
	return "sum by (" + strings.Join(labels, ", ") + ") (" + expr + ")"
}

// by returns the grouping labels of a scope for a series with own labels.
func by(sc catalog.Scope, own []string) []string {
	return append(append(append([]string{}, sc.Labels...), catalog.LabelPeriod), own...)
}

// Once reads govpulse's series expr with the replicas of an HA pair
// collapsed: max without the labels by which they differ
// (catalog.ReplicaLabels). The replicas serve the same figures, so it is
// the figure once; on a store that deduplicated them, or with one instance,
// it changes nothing. Every rule and board reads govpulse's series through
// it before summing or joining.
func Once(expr string) string {
	return "max without (" + strings.Join(catalog.ReplicaLabels, ", ") + ") (" + expr + ")"
}

// onAgency is the matching of a join or set operation on one agency, with
// more labels: agency codes repeat across provinces, so the province too.
func onAgency(more ...string) string {
	return on(append([]string{catalog.LabelProvince, catalog.LabelAgency}, more...)...)
}

// on writes a vector matching on labels.
func on(labels ...string) string { return "on (" + strings.Join(labels, ", ") + ")" }

// agencySum sums a one-stop metric over fields (and any other label) per
// province, agency and period.
func agencySum(m *catalog.Metric, matchers ...string) string {
	return sumBy(by(catalog.ScopeAgency, nil), Once(sel(m.Name, matchers...)))
}

// agencyInfo is tthc_agency_info once per province and agency.
func agencyInfo() string { return Once(catalog.AgencyInfo.Name) }

// withInfo joins the agency's name and level from tthc_agency_info onto expr,
// which must carry the province and agency labels. The info metric's value
// is 1, so the value of expr is kept.
func withInfo(expr string, labels ...string) string {
	return "(\n  " + expr + "\n)\n* " + onAgency() + " group_left (" + strings.Join(labels, ", ") + ")\n  " + agencyInfo()
}

// cmp writes a comparison; in a probe it is a bool comparison, which returns
// every series the condition is evaluated on (0 or 1) instead of filtering.
func cmp(probe bool, left, op, right string) string {
	if probe {
		op += " bool"
	}
	return left + " " + op + " " + right
}

// firing selects the firing state of alert a in Prometheus' own ALERTS
// series (its label names are Prometheus', not the catalog's).
func firing(a catalog.AlertRule) string {
	return sel("ALERTS", eq("alertname", a.Name), eq("alertstate", "firing"))
}
