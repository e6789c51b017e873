package catalog

// SourceUnits is the pseudo-source of the configured unit lists (agencies and
// fields): names live only in these *_info metrics and are joined in PromQL, so
// a renamed or merged unit does not break its history.
const SourceUnits = "units"

// Unit info metrics.
var (
	AgencyInfo = &Metric{
		Name:   "tthc_agency_info",
		Help:   "Agency (cơ quan, đơn vị) known to govpulse: e-ID code, name, administrative level and parent code; value is always 1. From the configured agency list.",
		Labels: []string{LabelAgency, LabelName, LabelLevel, LabelParent},
		Source: SourceUnits,
	}
	FieldInfo = &Metric{
		Name:   "tthc_field_info",
		Help:   "Field of administrative procedures (lĩnh vực TTHC): code and name; value is always 1. From the configured field list.",
		Labels: []string{LabelField, LabelName},
		Source: SourceUnits,
	}
)

var unitsMetrics = []*Metric{AgencyInfo, FieldInfo}
