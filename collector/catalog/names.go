package catalog

import "sort"

// Names people read for the codes in label values. Boards map label values
// to these, notifications and reports print them: a leader reads "Cấp xã"
// and "Quá hạn", never xa or tre_han. Every value of a listed label has a
// name (names_test.go), so a new value cannot reach a board as a code.

// Name is a display name in Vietnamese and English.
type Name struct{ Vi, En string }

// In returns the name in lang ("en" for English; anything else Vietnamese,
// the default).
func (n Name) In(lang string) string {
	if lang == "en" {
		return n.En
	}
	return n.Vi
}

// Late is the one term for dossiers past their legal deadline. The
// reporting forms (Circular 01/2018/TT-VPCP) say quá hạn, for resolved and
// in-progress dossiers alike; trễ hạn is colloquial and is not used.
var Late = Name{"quá hạn", "late"}

// valueNames holds the names of fixed label values, by label.
var valueNames = map[string]map[string]Name{
	LabelLevel: {
		LevelProvince: {"Cấp tỉnh", "Province"},
		LevelDept:     {"Sở, ban, ngành", "Departments"},
		LevelDistrict: {"Cấp huyện (đến 30/6/2025)", "Districts (until 30 June 2025)"},
		LevelCommune:  {"Cấp xã", "Communes"},
	},
	LabelChannel: {
		ChannelInPerson: {"Trực tiếp", "In person"},
		ChannelOnline:   {"Trực tuyến", "Online"},
		ChannelPostal:   {"Qua dịch vụ bưu chính công ích", "By public postal service"},
	},
	LabelTimeliness: {
		ResolvedEarly:     {"Trước hạn", "Early"},
		ResolvedOnTime:    {"Đúng hạn", "On time"},
		ResolvedLate:      {"Quá hạn", "Late"},
		InProgressNotDue:  {"Trong hạn", "Not yet due"},
		InProgressOverdue: {"Quá hạn", "Overdue"},
		InProgressDueSoon: {"Sắp đến hạn", "Due soon"},
	},
	LabelPeriod: {
		PeriodMonth:   {"Từ đầu tháng", "Month to date"},
		PeriodQuarter: {"Từ đầu quý", "Quarter to date"},
		PeriodYear:    {"Từ đầu năm", "Year to date"},
	},
	LabelDirection: {
		DirectionHigher: {"Càng cao càng tốt", "Higher is better"},
		DirectionLower:  {"Càng thấp càng tốt", "Lower is better"},
	},
	LabelValueType: {
		ValueCount: {"Số lượng", "Count"},
		ValueRatio: {"Tỷ lệ", "Ratio"},
	},
	LabelKPIProgress: {
		ProgressOnTrack: {"Đạt tiến độ", "On track"},
		ProgressBehind:  {"Chậm tiến độ", "Behind"},
	},
	LabelServiceLevel: {
		ServiceFullOnline:    {"Toàn trình", "Full online"},
		ServicePartialOnline: {"Một phần", "Partial online"},
	},
}

func init() {
	add := func(label, code string, n Name) {
		if valueNames[label] == nil {
			valueNames[label] = map[string]Name{}
		}
		valueNames[label][code] = n
	}
	for _, t := range RatingTiers {
		add(LabelRating, t.Code, Name{t.Vi, ratingEn[t.Code]})
	}
	for _, g := range QD766Groups {
		add(LabelGroup, g.Code, Name{g.Vi, g.En})
	}
	for _, in := range QD766Indicators {
		add(LabelIndicator, in.Code, Name{in.Vi, in.En})
	}
	for _, d := range Indices {
		add(LabelIndex, d.Code, Name{d.Name, d.En})
		for _, c := range d.Components {
			add(LabelComponent, c.Code, Name{c.Name, c.En})
		}
	}
	add(LabelComponent, ComponentTotal, Name{"Tổng điểm", "Total"})
}

// ratingEn are the ratings' short English names (RatingTiers' En explains
// the tier).
var ratingEn = map[string]string{
	RatingExcellent: "Excellent", RatingGood: "Good", RatingCompleted: "Completed", RatingNotCompleted: "Not completed",
}

// ValueName is the name of value of label, and whether it has one.
func ValueName(label, value string) (Name, bool) {
	n, ok := valueNames[label][value]
	return n, ok
}

// NamedLabels lists the labels whose values have names, sorted.
func NamedLabels() []string {
	out := make([]string, 0, len(valueNames))
	for l := range valueNames {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
