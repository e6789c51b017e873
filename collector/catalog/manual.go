package catalog

import (
	"regexp"
	"time"
)

// SourceManual is the source kind of the KPIs a province tracks by hand
// (type manual: YAML, CSV or XLSX files in a watched directory).
const SourceManual = "manual"

// Labels of the manual KPIs. kpi is a code (label-safe); the names and the
// unit are free text and appear only on the info metric, as names do.
const (
	LabelKPI         = "kpi"
	LabelKPIName     = "kpi_name"
	LabelKPINameEn   = "kpi_name_en"
	LabelKPIUnit     = "kpi_unit"
	LabelDirection   = "direction"
	LabelValueType   = "value_type"
	LabelKPIProgress = "progress"
)

// Directions of a manual KPI: whether a higher or a lower value is better.
const (
	DirectionHigher = "higher_is_better"
	DirectionLower  = "lower_is_better"
)

// Value types of a manual KPI: the unit of the exported value. A count (or
// any quantity in the KPI's own unit: tổ, chữ ký số, ngày) is exported as
// written; a ratio is written as a percentage and exported as 0–1.
const (
	ValueCount = "count"
	ValueRatio = "ratio"
)

// Progress of a KPI against its target path, as the board shows it (a label
// the board's query writes, never exported by govpulse).
const (
	ProgressOnTrack = "on_track"
	ProgressBehind  = "behind"
)

// KPICodePattern is the shape of a manual KPI's code: lower case, digits and
// underscores, a letter first (to_cong_nghe_so).
var KPICodePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)

// Bounds of the manual source, which keep its series countable: at most
// ManualMaxKPIs KPIs per source, each exporting ManualSeriesPerKPI series of
// its own plus 2 (value and its date) per agency it has values for (one,
// the province's agency, for a province-wide KPI).
const (
	ManualMaxKPIs       = 100
	ManualSeriesPerKPI  = 4
	ManualMaxTextLength = 200
)

// ManualBehindFor is how long a KPI must stay behind its target path before
// ManualKpiBehindTarget fires. The path moves once a day and the values
// when someone edits a file: an hour only smooths a half-saved file or a
// reload.
const ManualBehindFor = time.Hour

// AlertManualBehind fires for a KPI (and agency) whose latest value is
// behind the expected value on its linear target path today.
var AlertManualBehind = AlertRule{Name: "ManualKpiBehindTarget", Severity: SeverityWarning, For: ManualBehindFor, Audience: AudienceLeaders}

const manualRefresh = " From the manual source's KPI files (YAML, CSV or XLSX in its watched directory), re-read on its schedule when a file changes."

// Manual KPI metrics (docs/manual-kpi.md). agency is the province's agency
// of level tinh for a province-wide KPI.
var (
	ManualKPI = newMetric(SourceManual, "govpulse_manual_kpi", "", []string{LabelKPI, LabelAgency},
		"Latest value of a KPI tracked by hand (its value dated on or before today), per agency or for the province (agency = the province's agency of level tinh); a count in the KPI's unit, or a ratio 0–1 for a KPI written in percent (value_type of govpulse_manual_kpi_info)."+manualRefresh)
	ManualKPIAsOf = newMetric(SourceManual, "govpulse_manual_kpi_as_of_timestamp_seconds", "seconds", []string{LabelKPI, LabelAgency},
		"Unix time (start of the day in the province's time zone) of the date of the value govpulse_manual_kpi shows."+manualRefresh)
	ManualKPITarget = newMetric(SourceManual, "govpulse_manual_kpi_target", "", []string{LabelKPI},
		"Target of a KPI tracked by hand, in the unit of govpulse_manual_kpi; for a per-agency KPI every agency's target."+manualRefresh)
	ManualKPITargetPath = newMetric(SourceManual, "govpulse_manual_kpi_target_path", "", []string{LabelKPI},
		"Expected value of a KPI today on its linear target path: the baseline at the path's start (1 January of the deadline's year unless set) to the target on the deadline, by whole days in the province's time zone; the baseline before the start, the target from the deadline. Only KPIs with a deadline."+manualRefresh)
	ManualKPIDeadline = newMetric(SourceManual, "govpulse_manual_kpi_deadline_timestamp_seconds", "seconds", []string{LabelKPI},
		"Unix time (start of the day in the province's time zone) of the deadline by which a KPI tracked by hand must reach its target. Only KPIs with a deadline."+manualRefresh)
	ManualKPIInfo = newMetric(SourceManual, "govpulse_manual_kpi_info", "", []string{LabelKPI, LabelKPIName, LabelKPINameEn, LabelKPIUnit, LabelDirection, LabelValueType},
		"KPI tracked by hand: its code, Vietnamese and English names, unit as people write it, direction (higher_is_better, lower_is_better) and value type (count, ratio); value is always 1."+manualRefresh)
)

// manualMetrics lists this domain's metrics (see All).
var manualMetrics = []*Metric{ManualKPI, ManualKPIAsOf, ManualKPITarget, ManualKPITargetPath, ManualKPIDeadline, ManualKPIInfo}

// freeText is a name written by people: any value (the source bounds its
// length and refuses control characters).
var freeText = Values{}

var manualLabels = map[string]Values{
	LabelKPI:         {Pattern: KPICodePattern},
	LabelKPIName:     freeText,
	LabelKPINameEn:   freeText,
	LabelKPIUnit:     freeText,
	LabelDirection:   {List: []string{DirectionHigher, DirectionLower}},
	LabelValueType:   {List: []string{ValueCount, ValueRatio}},
	LabelKPIProgress: {List: []string{ProgressOnTrack, ProgressBehind}},
}

// ManualTargetPath is the expected value on day (days since the path's
// start, counted in whole days) of a path of days long from baseline to
// target: linear, the baseline before the start and the target from the
// deadline on.
func ManualTargetPath(baseline, target float64, day, days int) float64 {
	switch {
	case days <= 0 || day >= days:
		return target
	case day <= 0:
		return baseline
	}
	return baseline + (target-baseline)*float64(day)/float64(days)
}
