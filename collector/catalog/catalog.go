// Package catalog is govpulse's domain model: every exported metric (name, help,
// type, unit, labels), every label's allowed values, every threshold and rating
// rule. It is the one place a metric name or a threshold is written; collectors,
// exporters, dashboards and rules read it from here.
//
// The package is a stdlib-only leaf: it imports nothing of govpulse.
//
// To add a metric: declare it in the file of its domain (onestop.go, health.go,
// …) and append it to that file's list returned by All.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
)

// Kind is the Prometheus type of a metric.
type Kind uint8

// Metric kinds.
const (
	Gauge Kind = iota
	Counter
)

func (k Kind) String() string {
	if k == Counter {
		return "counter"
	}
	return "gauge"
}

// Metric is one catalogue entry. Metrics are declared as package variables and
// shared by pointer, so a sample's metric identity is a pointer comparison.
type Metric struct {
	Name string
	// Help is the HELP text: what the value is, where it comes from and how often
	// it is refreshed.
	Help string
	Kind Kind
	// Unit is the base unit ("ratio", "seconds", "" for counts); the name ends in it.
	Unit   string
	Labels []string
	// Source names the source kind that produces the metric ("onestop", "health", …).
	// A metric family belongs to exactly one source, which lets exporters render a
	// source's families independently.
	Source string
}

// Label names. Labels carry codes, never free text.
const (
	LabelAgency     = "agency"
	LabelField      = "field"
	LabelPeriod     = "period"
	LabelChannel    = "channel"
	LabelTimeliness = "timeliness"
	LabelLevel      = "level"
	LabelParent     = "parent"
	LabelName       = "name"
	LabelSource     = "source"
	LabelReason     = "reason"
	LabelDefinition = "definition"
)

// Values is the set of values a label may take: either a closed list or a
// pattern. Names ("name" label of *_info metrics) are free text and have neither.
type Values struct {
	List    []string
	Pattern *regexp.Regexp
	// Match, if set, is Pattern written out by hand: the store checks every
	// label of every sample, and for the labels on every series (agency,
	// field) a regular expression was a sixth of a collection's CPU.
	// TestMatchersAgreeWithPatterns holds the two to the same answers.
	Match func(string) bool
}

// Allows reports whether v is a valid value.
func (vs Values) Allows(v string) bool {
	if vs.Match != nil {
		return vs.Match(v)
	}
	if vs.Pattern != nil {
		return vs.Pattern.MatchString(v)
	}
	if vs.List == nil {
		return true
	}
	for _, x := range vs.List {
		if x == v {
			return true
		}
	}
	return false
}

// Administrative levels.
const (
	LevelProvince = "tinh"
	LevelDept     = "so"
	LevelDistrict = "huyen"
	LevelCommune  = "xa"
)

// Channels through which a dossier is submitted (domain.md §2, §3 KenhThucHien).
const (
	ChannelInPerson = "truc_tiep"
	ChannelOnline   = "truc_tuyen"
	ChannelPostal   = "buu_chinh"
)

// Timeliness of resolved dossiers and of dossiers still in progress.
const (
	ResolvedEarly     = "truoc_han"
	ResolvedOnTime    = "dung_han"
	ResolvedLate      = "tre_han"
	InProgressNotDue  = "chua_den_han"
	InProgressOverdue = "qua_han"
	InProgressDueSoon = "sap_den_han"
)

// Report periods: the current period to date.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
)

// Periods lists the report periods in the order sources fetch them.
var Periods = []string{PeriodMonth, PeriodQuarter, PeriodYear}

// Code patterns. Agency codes follow Decision 20/2020/QĐ-TTg (GGG.GG.GG.Hnn).
var (
	AgencyCodePattern = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
	// FieldCodePattern accepts the short codes one-stop systems use for a field
	// (lĩnh vực), e.g. "DD" or "G09-TP01"; no spaces, no free text.
	FieldCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	// SourceNamePattern is the shape of a configured source name.
	SourceNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// agencyValues are the agency codes, for every label that holds one.
var agencyValues = Values{Pattern: AgencyCodePattern, Match: IsAgencyCode}

// IsAgencyCode is AgencyCodePattern without the regular expression:
// GGG.GG.GG.Hnn, digits but for one capital letter.
func IsAgencyCode(v string) bool {
	if len(v) != 13 || v[3] != '.' || v[6] != '.' || v[9] != '.' || v[10] < 'A' || v[10] > 'Z' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 4, 5, 7, 8, 11, 12} {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// isFieldCode is FieldCodePattern without the regular expression.
func isFieldCode(v string) bool {
	if len(v) == 0 || len(v) > 32 || !isAlnum(v[0]) {
		return false
	}
	for i := 1; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func orEmpty(f func(string) bool) func(string) bool {
	return func(v string) bool { return v == "" || f(v) }
}

// LabelValues maps a label name to its allowed values. A label not listed here
// (name) is free text and only appears on *_info metrics. Domain files add
// their own labels through their *Labels maps.
var LabelValues = mergeLabels(baseLabels, unitsLabels, portalLabels, vneidLabels, indicesLabels, feedLabels, ratingLabels, manualLabels)

func mergeLabels(ms ...map[string]Values) map[string]Values {
	out := map[string]Values{}
	for _, m := range ms {
		for k, v := range m {
			if _, dup := out[k]; dup {
				panic("BUG: label " + k + " declared twice in the catalog")
			}
			out[k] = v
		}
	}
	return out
}

// buildValue is a version string: printable, no spaces or quotes.
var buildValue = Values{Pattern: regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)}

var baseLabels = map[string]Values{
	LabelVersion:   buildValue,
	LabelRevision:  buildValue,
	LabelGoVersion: buildValue,
	LabelAgency:    agencyValues,
	LabelParent:    {Pattern: regexp.MustCompile(`^$|^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`), Match: orEmpty(IsAgencyCode)},
	// An empty field means "all fields" (per-agency detail).
	LabelField:      {Pattern: regexp.MustCompile(`^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`), Match: orEmpty(isFieldCode)},
	LabelPeriod:     {List: Periods},
	LabelChannel:    {List: []string{ChannelInPerson, ChannelOnline, ChannelPostal}},
	LabelLevel:      {List: []string{LevelProvince, LevelDept, LevelDistrict, LevelCommune}},
	LabelTimeliness: {List: []string{ResolvedEarly, ResolvedOnTime, ResolvedLate, InProgressNotDue, InProgressOverdue, InProgressDueSoon}},
	LabelSource:     {Pattern: SourceNamePattern},
	LabelReason:     {List: append(append([]string{}, ErrorReasons...), RejectReasons...)},
	LabelDefinition: {List: LateRateDefinitionNames()},
}

var lists = [][]*Metric{unitsMetrics, onestopMetrics, feedMetrics, portalMetrics, vneidMetrics, indicesMetrics, ratingMetrics, manualMetrics, healthMetrics, metaMetrics}

// All returns every catalogue metric sorted by name.
func All() []*Metric {
	var out []*Metric
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ByName returns the metric with the given name, or nil.
func ByName(name string) *Metric {
	for _, l := range lists {
		for _, m := range l {
			if m.Name == name {
				return m
			}
		}
	}
	return nil
}

// ValidateLabels checks that values fit m's labels and their allowed values.
// It is the gate every sample passes before it can be exported.
func (m *Metric) ValidateLabels(values []string) error {
	if len(values) != len(m.Labels) {
		return fmt.Errorf("metric %s: want %d label values, got %d", m.Name, len(m.Labels), len(values))
	}
	for i, l := range m.Labels {
		vs, ok := LabelValues[l]
		if !ok {
			continue
		}
		if !vs.Allows(values[i]) {
			return fmt.Errorf("metric %s: label %s: value %q is not an allowed code", m.Name, l, values[i])
		}
	}
	return nil
}
