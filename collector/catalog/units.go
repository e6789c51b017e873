package catalog

import "regexp"

// SourceUnits is the pseudo-source of the configured unit lists (agencies,
// fields and the lineage of former units): names live only in these metrics
// and are joined in PromQL, so a renamed or merged unit does not break its
// history.
const SourceUnits = "units"

// Labels of the unit lists.
const (
	// LabelUnitCode is the statistics office's 5-digit code of a
	// commune-level unit (Official Letter 1027/CTK-CSCL for 2025), beside the
	// e-ID agency code the one-stop systems use; empty for other agencies.
	LabelUnitCode = "unit_code"
	// LabelSuccessor is the agency in force today that a former unit's
	// figures belong to (docs/lineage.md).
	LabelSuccessor = "successor"
	// LabelUntil is the day (YYYY-MM-DD, the province's calendar) from which
	// a former unit's figures are its successors' own.
	LabelUntil = "until"
	// LabelPart numbers the successors of one former unit from 1, by
	// successor code: PromQL cannot join one series to several, so the rules
	// join each part on its own (LineageMaxParts of them).
	LabelPart = "part"
)

// LineageMaxParts is how many of today's agencies one former unit may be
// split into; the lineage file is refused beyond it. The generated rules and
// panels have one join per part.
const LineageMaxParts = 4

// LineageParts are the values of LabelPart.
var LineageParts = func() []string {
	out := make([]string, LineageMaxParts)
	for i := range out {
		out[i] = string(rune('1' + i))
	}
	return out
}()

// DateLayout is the layout of dates in label values and unit files.
const DateLayout = "2006-01-02"

var unitsLabels = map[string]Values{
	LabelUnitCode:  {Pattern: regexp.MustCompile(`^$|^[0-9]{2,5}$`)},
	LabelSuccessor: agencyValues,
	LabelUntil:     {Pattern: regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)},
	// A pattern, not a list: a part number is no value people read.
	LabelPart: {Pattern: regexp.MustCompile(`^[1-` + LineageParts[LineageMaxParts-1] + `]$`)},
}

// Unit info metrics.
var (
	AgencyInfo = &Metric{
		Name:   "tthc_agency_info",
		Help:   "Agency (cơ quan, đơn vị) in force today: e-ID code, name, administrative level, parent code and, for a commune-level unit, the statistics office's 5-digit unit code; value is always 1. From the configured agency list.",
		Labels: []string{LabelAgency, LabelName, LabelLevel, LabelParent, LabelUnitCode},
		Source: SourceUnits,
	}
	FieldInfo = &Metric{
		Name:   "tthc_field_info",
		Help:   "Field of administrative procedures (lĩnh vực TTHC): code and name; value is always 1. From the configured field list.",
		Labels: []string{LabelField, LabelName},
		Source: SourceUnits,
	}
	// AgencyLineageInfo names a former unit (merged, split or abolished) and
	// one of today's agencies its figures belong to: one series per pair,
	// after following chains of reorganisations to today.
	AgencyLineageInfo = &Metric{
		Name:   "tthc_agency_lineage_info",
		Help:   "Former unit (đơn vị trước sắp xếp) and an agency in force today that took it over: the former unit's e-ID code, name, level and 5-digit unit code, the successor's code and the day its figures became the successor's; value is always 1. From the configured lineage file.",
		Labels: []string{LabelAgency, LabelName, LabelLevel, LabelUnitCode, LabelSuccessor, LabelUntil},
		Source: SourceUnits,
	}
	// AgencyLineageShare is the share of a former unit's figures that belongs
	// to a successor: 1 for a whole unit, less for a split one.
	AgencyLineageShare = &Metric{
		Name:   "tthc_agency_lineage_share_ratio",
		Help:   "Share (0–1) of a former unit's figures that belongs to an agency in force today: 1 when the whole unit went into it, the configured share of a split unit. From the configured lineage file.",
		Labels: []string{LabelAgency, LabelSuccessor, LabelPart},
		Source: SourceUnits,
	}
	// AgencyLineageEnd is the instant from which a former unit's code no
	// longer stands for it: before it, the code's figures are the former
	// unit's and belong to its successors; from it, a code reused by a new
	// unit is the new unit's own.
	AgencyLineageEnd = &Metric{
		Name:   "tthc_agency_lineage_end_timestamp_seconds",
		Help:   "Unix time (start of the day in the province's time zone) from which a former unit's code no longer stands for it. From the configured lineage file.",
		Labels: []string{LabelAgency},
		Source: SourceUnits,
	}
)

var unitsMetrics = []*Metric{AgencyInfo, FieldInfo, AgencyLineageInfo, AgencyLineageShare, AgencyLineageEnd}
