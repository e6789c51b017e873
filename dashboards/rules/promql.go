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

// agencySum sums a one-stop metric over fields (and any other label) per
// agency and period.
func agencySum(m *catalog.Metric, matchers ...string) string {
	return sumBy(by(catalog.ScopeAgency, nil), sel(m.Name, matchers...))
}

// withInfo joins the agency's name and level from tthc_agency_info onto expr,
// which must carry the agency label. The info metric's value is 1, so the
// value of expr is kept.
func withInfo(expr string, labels ...string) string {
	return "(\n  " + expr + "\n)\n* on (" + catalog.LabelAgency + ") group_left (" + strings.Join(labels, ", ") + ")\n  " + catalog.AgencyInfo.Name
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
