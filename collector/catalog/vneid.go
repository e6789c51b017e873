package catalog

// SourceVNeID is the source kind of the level-2 e-ID (VNeID) counts.
const SourceVNeID = "vneid"

const vneidRefresh = " Cumulative to the report's as-of date (vneid_data_as_of_timestamp_seconds); refreshed on the vneid source's schedule from the police's per-unit report (JSON, CSV or XLSX)."

// VNeID level-2 e-ID metrics (domain.md §5, Đề án 06). Counts only: the
// activation rate (activated / issued) and the coverage (activated /
// population aged 14+) are ratios of sums derived by recording rules; see
// VNeIDActivationRate and VNeIDCoverage for the formulas.
//
// The level label lets a sum pick one layer: each unit the report lists is
// exported at its own level (xa for communes and wards), and the province
// (level tinh) is the police's own total row when the report has one, or the
// sum of its finest level otherwise — so sum(…{level="xa"}) and
// …{level="tinh"} never double-count.
var (
	VNeIDApplications = newMetric(SourceVNeID, "vneid_applications", "", []string{LabelAgency, LabelLevel},
		"Level-2 e-ID applications collected (số hồ sơ định danh điện tử mức 2 đã thu nhận) per unit (agency e-ID code and administrative level)."+vneidRefresh)
	VNeIDIssued = newMetric(SourceVNeID, "vneid_accounts_issued", "", []string{LabelAgency, LabelLevel},
		"Level-2 e-ID accounts issued (số tài khoản đã cấp) per unit; activation rate = vneid_accounts_activated / vneid_accounts_issued."+vneidRefresh)
	VNeIDActivated = newMetric(SourceVNeID, "vneid_accounts_activated", "", []string{LabelAgency, LabelLevel},
		"Level-2 e-ID accounts activated by their holders (số tài khoản đã kích hoạt) per unit."+vneidRefresh)
	VNeIDPopulation = newMetric(SourceVNeID, "vneid_population_14plus", "", []string{LabelAgency, LabelLevel},
		"Population aged 14 and over (who may hold a VNeID account), the denominator of the coverage rate; from the vneid source's config (population_14plus for the province, population_file per commune), not from the police report. Refreshed on config reload.")
	VNeIDAsOf = newMetric(SourceVNeID, "vneid_data_as_of_timestamp_seconds", "seconds", nil,
		"Unix time of the date the current VNeID figures refer to: the report's as_of (JSON), or the date in the report file's name, else its modification time (files). Refreshed on the vneid source's schedule.")
)

// VNeIDActivationRate is the activation rate the province reports:
// activated / issued (Sóc Trăng 2023: 354,938 / 654,392 = 54.2%). It returns 0
// when nothing was issued. Over several units take the ratio of the sums,
// never the average of the units' rates:
//
//	sum(vneid_accounts_activated{level="xa"}) / sum(vneid_accounts_issued{level="xa"})
func VNeIDActivationRate(activated, issued float64) float64 {
	if issued <= 0 {
		return 0
	}
	return activated / issued
}

// VNeIDCoverage is the share of the population aged 14+ holding an activated
// level-2 account: activated / population (the "~35% of citizens" of
// domain.md §1). It returns 0 without a population.
//
//	vneid_accounts_activated / on(agency, level) vneid_population_14plus
func VNeIDCoverage(activated, population14plus float64) float64 {
	if population14plus <= 0 {
		return 0
	}
	return activated / population14plus
}

// vneidMetrics lists this domain's metrics (see All).
var vneidMetrics = []*Metric{VNeIDApplications, VNeIDIssued, VNeIDActivated, VNeIDPopulation, VNeIDAsOf}

// vneidLabels holds the allowed values of labels this domain introduces
// (none: agency and level are the base labels).
var vneidLabels = map[string]Values{}
