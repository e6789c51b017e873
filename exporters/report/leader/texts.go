package leader

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// The report's words, in both languages. Late dossiers are "quá hạn", the
// one term of the reporting forms (catalog.Late).
var (
	txtTitle    = dashboards.Text{Vi: "Báo cáo tình hình giải quyết thủ tục hành chính và chuyển đổi số", En: "Administrative procedures and digital transformation report"}
	txtLateRate = dashboards.Text{Vi: "Tỷ lệ hồ sơ " + catalog.Late.Vi, En: "Late rate"}
	txtH12      = dashboards.Text{Vi: "Tỷ lệ hồ sơ " + catalog.Late.Vi + " của tỉnh/thành phố " + strconv.Itoa(Months) + " tháng", En: "Province late rate, last " + strconv.Itoa(Months) + " months"}
	txtHTop     = dashboards.Text{Vi: strconv.Itoa(TopAgencies) + " cơ quan có tỷ lệ " + catalog.Late.Vi + " cao nhất", En: "The " + strconv.Itoa(TopAgencies) + " agencies with the highest late rate"}
	txtHVNeID   = dashboards.Text{Vi: "Kích hoạt định danh điện tử mức 2 (VNeID)", En: "Level-2 e-ID activation (VNeID)"}
	txtH766     = dashboards.Text{Vi: "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", En: "Service index for citizens and businesses (Decision 766)"}
	txtHRanks   = dashboards.Text{Vi: "Xếp hạng PAR Index và DTI", En: "PAR Index and DTI ranks"}
	txtHRating  = dashboards.Text{Vi: "Đánh giá người đứng đầu", En: "Head-of-agency ratings"}

	txtNoData     = dashboards.Text{Vi: "chưa có số liệu", En: "no data"}
	txtActivation = dashboards.Text{Vi: "Tỷ lệ kích hoạt (đã kích hoạt / đã cấp)", En: "Activation rate (activated / issued)"}
	txtCoverage   = dashboards.Text{Vi: "Tỷ lệ bao phủ dân số từ 14 tuổi", En: "Coverage of the population aged 14+"}
	txtMaxScore   = dashboards.Text{Vi: "Điểm tối đa", En: "Maximum"}
	txtScore      = dashboards.Text{Vi: "Điểm đạt được", En: "Score"}
	txtPoints     = dashboards.Text{Vi: "Điểm", En: "Points"}
	txtRank       = dashboards.Text{Vi: "Xếp hạng", En: "Rank"}
	txtAgencies   = dashboards.Text{Vi: "Số cơ quan, đơn vị", En: "Agencies"}
	txtMonth      = dashboards.Text{Vi: "Tháng", En: "Month"}
	txtResolved   = dashboards.Text{Vi: "Hồ sơ đã giải quyết", En: "Dossiers resolved"}
	txtAgency     = dashboards.Text{Vi: "Cơ quan, đơn vị", En: "Agency"}
	txtNo         = dashboards.Text{Vi: "TT", En: "No."}
	txtYear       = dashboards.Text{Vi: "Năm", En: "Year"}
	txtTarget     = dashboards.Text{Vi: "Mục tiêu", En: "Target"}
	txtGroup      = dashboards.Text{Vi: "Nhóm chỉ số", En: "Group"}
	txtTotal      = dashboards.Text{Vi: "Tổng", En: "Total"}
	txtRating     = dashboards.Text{Vi: "Xếp loại", En: "Rating"}
	txtIssued     = dashboards.Text{Vi: "Tài khoản đã cấp", En: "Accounts issued"}
	txtActivated  = dashboards.Text{Vi: "Tài khoản đã kích hoạt", En: "Accounts activated"}
	txtPopulation = dashboards.Text{Vi: "Dân số từ 14 tuổi", En: "Population aged 14+"}
	txtAsOf       = dashboards.Text{Vi: "Số liệu đến", En: "Figures as of"}
	txtProvince   = dashboards.Text{Vi: "Tỉnh, thành phố", En: "Province"}
	txtCapped     = dashboards.Text{Vi: "Đủ điểm xếp loại cao hơn nhưng tỷ lệ " + catalog.Late.Vi + " từ ngưỡng trở lên", En: "Score enough for a better rating, held back by the late rate"}
	txtNotDone    = dashboards.Text{Vi: "Không hoàn thành nhiệm vụ", En: "Not completed"}
	txtNone       = dashboards.Text{Vi: "Không có", En: "None"}
	txtSource     = dashboards.Text{Vi: "Nguồn: govpulse, đọc từ kho số liệu", En: "Source: govpulse, read from the store"}
)

func txtThreshold(th float64, l dashboards.Lang) string {
	return dashboards.Text{Vi: "Ngưỡng ", En: "Threshold "}.In(l) + dashboards.Percent(th, l)
}

func txtTargetOf(v float64, l dashboards.Lang) string {
	return dashboards.Text{Vi: "Mục tiêu ", En: "Target "}.In(l) + dashboards.Percent(v, l)
}

func txtTargetRank(ir IndexRanks, l dashboards.Lang) string {
	return dashboards.Text{Vi: "Mục tiêu: top ", En: "Target: top "}.In(l) + strconv.Itoa(ir.Target) +
		dashboards.Text{Vi: " đến năm ", En: " by "}.In(l) + strconv.Itoa(ir.TargetYear)
}

func txtTopMonth(m time.Time, l dashboards.Lang) string {
	return dashboards.Text{Vi: "Tháng " + monthLabel(m, l) + "; chỉ tính cơ quan, đơn vị đã giải quyết từ ", En: monthLabel(m, l) + "; agencies with at least "}.In(l)
}

func txtTopMonthEnd(min int, l dashboards.Lang) string {
	return strconv.Itoa(min) + dashboards.Text{Vi: " hồ sơ trong tháng.", En: " dossiers resolved in the month."}.In(l)
}

// monthLabel is "3/2026" in Vietnamese, "Mar 2026" in English.
func monthLabel(m time.Time, l dashboards.Lang) string {
	if l == dashboards.En {
		return m.Format("Jan 2006")
	}
	return strconv.Itoa(int(m.Month())) + "/" + strconv.Itoa(m.Year())
}

// dateTime is "10:00 ngày 18/03/2026" or "18 March 2026, 10:00".
func dateTime(t time.Time, l dashboards.Lang) string {
	if l == dashboards.En {
		return t.Format("2 January 2006, 15:04")
	}
	return t.Format("15:04") + " ngày " + t.Format("02/01/2006")
}

func date(t time.Time, l dashboards.Lang) string {
	if l == dashboards.En {
		return t.Format("2 January 2006")
	}
	return t.Format("02/01/2006")
}

// count writes a whole number with thousands separators: 1.234.567 in
// Vietnamese, 1,234,567 in English.
func count(v float64, l dashboards.Lang) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if l == dashboards.En {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// points writes a score with at most one decimal: 17,5 or 17.5.
func points(v float64, l dashboards.Lang) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if l == dashboards.Vi {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func groupName(g catalog.QD766Group, l dashboards.Lang) string {
	return catalog.Name{Vi: g.Vi, En: g.En}.In(string(l))
}

func ratingName(t catalog.RatingTier, l dashboards.Lang) string {
	n, _ := catalog.ValueName(catalog.LabelRating, t.Code)
	return n.In(string(l))
}

func indexName(d catalog.IndexDef, l dashboards.Lang) string {
	return catalog.Name{Vi: d.Name, En: d.En}.In(string(l))
}
