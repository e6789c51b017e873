package catalog

import "regexp"

// SourceIndices is the source kind of the yearly indices (PAR, SIPAS, PAPI, PCI, DTI).
const SourceIndices = "indices"

// Labels of the yearly indices.
const (
	// LabelIndex is the index's code (IndexPAR, …).
	LabelIndex = "index"
	// LabelComponent is "total" or the code of a field or pillar of the index.
	LabelComponent = "component"
	// LabelYear is the year the index assesses ("2023"), not the publication year.
	LabelYear = "year"
)

// Index codes.
const (
	IndexPAR   = "par"
	IndexSIPAS = "sipas"
	IndexPAPI  = "papi"
	IndexPCI   = "pci"
	IndexDTI   = "dti"
)

// ComponentTotal is the component of the index as a whole.
const ComponentTotal = "total"

// Scales on which the indices are published. A score is read on its index's
// scale and exported in the metric of that scale: percent and ratio scores
// go to index_score_ratio as 0–1 (DESIGN §3: base units), point scores stay
// points in index_score_points, since their maximum is the survey's own and
// nobody quotes a PCI as a ratio.
const (
	IndexScalePercent = "percent" // 0–100, exported /100 as a ratio
	IndexScaleRatio   = "ratio"   // 0–1
	IndexScalePoints  = "points"  // the survey's points
)

// IndexComponent is one field or pillar of an index. Code is the label value;
// Name (Vietnamese) is exported in index_component_info; En and Aliases are
// further spellings accepted in input files.
type IndexComponent struct {
	Code, Name, En string
	Aliases        []string
}

// IndexDef describes one yearly index (domain.md §6).
type IndexDef struct {
	Code string
	// Name is the Vietnamese name, En the English one.
	Name, En string
	// Publisher is who publishes it, for HELP texts and dashboards.
	Publisher string
	// Scale is one of the IndexScale* constants; Max is the top of the scale
	// as published (100 for percent, 1 for ratio, the survey's maximum for
	// points), against which input values are checked.
	Scale string
	Max   float64
	// Components lists the fields or pillars published besides the total.
	Components []IndexComponent
}

// Indices lists the yearly indices the province watches (domain.md §1, §6).
var Indices = []IndexDef{
	{
		Code: IndexPAR, Name: "Chỉ số cải cách hành chính (PAR Index)", En: "Public Administration Reform Index",
		Publisher: "Bộ Nội vụ", Scale: IndexScalePercent, Max: 100,
		// The 8 fields of QĐ 876/QĐ-BNV (2022) for provinces.
		Components: []IndexComponent{
			{"chi_dao_dieu_hanh", "Công tác chỉ đạo, điều hành cải cách hành chính", "leadership", []string{"chỉ đạo điều hành", "leadership and direction"}},
			{"van_ban_qppl", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "legal documents", []string{"văn bản quy phạm pháp luật", "văn bản QPPL", "legal normative documents"}},
			{"cai_cach_tthc", "Cải cách thủ tục hành chính", "administrative procedures", []string{"thủ tục hành chính", "TTHC", "TTHC reform"}},
			{"to_chuc_bo_may", "Cải cách tổ chức bộ máy hành chính nhà nước", "apparatus", []string{"tổ chức bộ máy", "organisational structure"}},
			{"che_do_cong_vu", "Cải cách chế độ công vụ", "civil service", []string{"chế độ công vụ", "công vụ"}},
			{"tai_chinh_cong", "Cải cách tài chính công", "public finance", []string{"tài chính công"}},
			{"chinh_quyen_so", "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", "digital government", []string{"chính quyền điện tử, chính quyền số", "chính quyền số", "chính quyền điện tử", "e-government"}},
			{"tac_dong", "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội", "impact", []string{"tác động của cải cách hành chính", "tác động"}},
		},
	},
	{
		Code: IndexSIPAS, Name: "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)", En: "Satisfaction Index of Public Administrative Services",
		Publisher: "Bộ Nội vụ", Scale: IndexScalePercent, Max: 100,
	},
	{
		Code: IndexPAPI, Name: "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)", En: "Provincial Governance and Public Administration Performance Index",
		Publisher: "UNDP, CECODES, Mặt trận Tổ quốc Việt Nam", Scale: IndexScalePoints, Max: 80,
	},
	{
		Code: IndexPCI, Name: "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", En: "Provincial Competitiveness Index",
		Publisher: "VCCI", Scale: IndexScalePoints, Max: 100,
	},
	{
		Code: IndexDTI, Name: "Chỉ số chuyển đổi số cấp tỉnh (DTI)", En: "Provincial Digital Transformation Index",
		Publisher: "Bộ Thông tin và Truyền thông", Scale: IndexScaleRatio, Max: 1,
		Components: []IndexComponent{
			{"chinh_quyen_so", "Chính quyền số", "digital government", []string{"trụ cột chính quyền số"}},
			{"kinh_te_so", "Kinh tế số", "digital economy", []string{"trụ cột kinh tế số"}},
			{"xa_hoi_so", "Xã hội số", "digital society", []string{"trụ cột xã hội số"}},
		},
	},
}

// IndexByCode returns the index with the given code.
func IndexByCode(code string) (IndexDef, bool) {
	for _, d := range Indices {
		if d.Code == code {
			return d, true
		}
	}
	return IndexDef{}, false
}

// Component returns the index's component with the given code; "total" is
// always one, named after the index.
func (d IndexDef) Component(code string) (IndexComponent, bool) {
	if code == ComponentTotal {
		return IndexComponent{Code: ComponentTotal, Name: d.Name, En: d.En, Aliases: []string{"tổng", "tổng hợp", "chung", "chỉ số chung", "overall"}}, true
	}
	for _, c := range d.Components {
		if c.Code == code {
			return c, true
		}
	}
	return IndexComponent{}, false
}

// IndexCodes returns the index codes in catalog order.
func IndexCodes() []string {
	out := make([]string, len(Indices))
	for i, d := range Indices {
		out[i] = d.Code
	}
	return out
}

func componentCodes() []string {
	out := []string{ComponentTotal}
	seen := map[string]bool{ComponentTotal: true}
	for _, d := range Indices {
		for _, c := range d.Components {
			if !seen[c.Code] {
				seen[c.Code] = true
				out = append(out, c.Code)
			}
		}
	}
	return out
}

const indicesRefresh = " From the indices source's files (CSV, XLSX or YAML, one row per index, component and year; history for every year listed); re-read on the source's schedule when a file changes."

// Yearly index metrics (domain.md §6). Every year in the files is exported,
// so history is a label (year) rather than a time series: the values are
// published once a year.
var (
	IndexScoreRatio = newMetric(SourceIndices, "index_score_ratio", "ratio", []string{LabelIndex, LabelComponent, LabelYear},
		"Yearly index score as a ratio 0–1, for the indices published as a percentage (par, sipas: 84.6% is exported as 0.846) or on a 0–1 scale (dti: its 1000-point scale divided by 1000, as published)."+indicesRefresh)
	IndexScorePoints = newMetric(SourceIndices, "index_score_points", "points", []string{LabelIndex, LabelComponent, LabelYear},
		"Yearly index score in the survey's own points, for the indices published on a point scale (pci: 0–100 points, papi: 0–80 points)."+indicesRefresh)
	IndexRank = newMetric(SourceIndices, "index_rank", "", []string{LabelIndex, LabelComponent, LabelYear},
		"Province's rank in the yearly index (1 = best) among index_ranked_provinces provinces."+indicesRefresh)
	IndexRankedProvinces = newMetric(SourceIndices, "index_ranked_provinces", "", []string{LabelIndex, LabelComponent, LabelYear},
		"Number of provinces ranked in the yearly index (63 before the 2025 reorganisation, 34 after)."+indicesRefresh)
	IndexLatestYear = newMetric(SourceIndices, "index_latest_year", "", []string{LabelIndex, LabelYear},
		"Most recent assessed year of each index in the files; the value is the year and the year label repeats it, so `index_rank and on(index, year) index_latest_year` keeps only the latest year."+indicesRefresh)
	IndexTargetRank = newMetric(SourceIndices, "index_target_rank", "", []string{LabelIndex, LabelYear},
		"Province's target rank for the index (reach this rank or better) by the year in the label, e.g. DTI top 10 and PAR top 20 by 2025; from the indices source's targets config, shown beside index_rank.")
	IndexComponentInfo = newMetric(SourceIndices, "index_component_info", "", []string{LabelIndex, LabelComponent, LabelName},
		"Name of each yearly index and of its fields or pillars (component total names the index itself); value is always 1. From the catalog, exported by the indices source.")
)

// indicesMetrics lists this domain's metrics (see All).
var indicesMetrics = []*Metric{IndexScoreRatio, IndexScorePoints, IndexRank, IndexRankedProvinces, IndexLatestYear, IndexTargetRank, IndexComponentInfo}

// indicesLabels holds the allowed values of labels this domain introduces.
var indicesLabels = map[string]Values{
	LabelIndex:     {List: IndexCodes()},
	LabelComponent: {List: componentCodes()},
	LabelYear:      {Pattern: regexp.MustCompile(`^20[0-9]{2}$`)},
}
