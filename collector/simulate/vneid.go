package simulate

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// VNeIDPath serves the level-2 e-ID counts in the vneid source's JSON shape:
// GET /vneid/v1/level2[?as_of=2026-11-20].
const VNeIDPath = "/vneid/v1/level2"

// VNeIDSchema names the JSON shape (the vneid package's Schema).
const VNeIDSchema = "govpulse.vneid/v1"

// vneidStart is when level-2 accounts began to be issued at scale (Đề án 06,
// mid-2022): the growth curves start here and earlier dates are refused.
var vneidStart = time.Date(2022, 7, 1, 0, 0, 0, 0, ICT)

// VNeIDUnit is one commune-level unit's cumulative counts.
type VNeIDUnit struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Applications int    `json:"applications"`
	Issued       int    `json:"issued"`
	Activated    int    `json:"activated"`
}

// VNeIDReport is the body of VNeIDPath.
type VNeIDReport struct {
	Schema string      `json:"schema"`
	AsOf   string      `json:"as_of"`
	Units  []VNeIDUnit `json:"units"`
}

// vneidCommune holds one old commune's seeded parameters: the new units'
// figures are the sums of their old communes' parts.
type vneidCommune struct {
	population int     // aged 14+
	apply      float64 // factor on the province's application share
	issue      float64 // share of applications issued
	activate   float64 // factor on the province's activation rate
}

// vneidPopulationBase is an old commune's population aged 14+ before its
// district's size and the seeded spread. MADE UP so that the new city's
// total is about 2.36 million: 77% (an assumed share aged 14+) of the
// 3,065,628 people of Resolution 202/2025/QH15 as reported.
var vneidPopulationBase = map[string]float64{provinceDaNang: 15700, provinceQuangNam: 5750}

// vneidRoutes mounts the VNeID endpoint behind the fault knobs.
func (s *Sim) vneidRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+VNeIDPath, s.data(s.serveVNeID))
}

// buildVNeID draws every old commune's parameters; they depend on the seed only.
func (s *Sim) buildVNeID() {
	size := map[string]float64{}
	for _, d := range oldDistricts {
		size[d.code] = math.Pow((d.size[0]+d.size[1])/2, 0.8)
	}
	s.vneid = map[*unit]vneidCommune{}
	for _, u := range s.world.units {
		if u.Level != catalog.LevelCommune || u.own == nil {
			continue
		}
		d := &draw{s: s.seed ^ strHash("vneid|"+u.Code)}
		// Communes of the busy cities are bigger than the mountain ones.
		s.vneid[u] = vneidCommune{
			population: int(math.Round(vneidPopulationBase[u.province] * size[u.Parent] * d.f(0.55, 1.45))),
			apply:      d.f(0.88, 1.08),
			issue:      d.f(0.88, 0.96),
			activate:   d.f(0.85, 1.1),
		}
	}
}

// part is the share [lo, hi) of a count, so that the parts of a split
// commune add up to the count exactly.
func part(n int, lo, hi float64) int {
	return int(math.Floor(float64(n)*hi+1e-9)) - int(math.Floor(float64(n)*lo+1e-9))
}

// vneidUnits are the commune-level units in force on day that have
// residents (Đặc khu Hoàng Sa has none), sorted by code.
func (s *Sim) vneidUnits(day int64) []*unit {
	var out []*unit
	for _, u := range s.world.unitsAt(day) {
		if u.Level == catalog.LevelCommune && len(u.pop) > 0 {
			out = append(out, u)
		}
	}
	return out
}

// VNeIDPopulation14Plus returns the simulated population aged 14+ by unit
// code of the commune-level units in force on the clock's day, for the vneid
// source's population_file and population_14plus (their sum) in the demo
// config. A new unit's population is the sum of its old communes' (a fifth
// of Xã Hòa Liên's went to Phường Hải Vân).
func (s *Sim) VNeIDPopulation14Plus() map[string]int {
	out := map[string]int{}
	for _, u := range s.vneidUnits(s.clockDay()) {
		out[u.Code] = s.population(u)
	}
	return out
}

func (s *Sim) population(u *unit) int {
	n := 0
	for _, p := range u.pop {
		n += part(s.vneid[p.commune].population, p.lo, p.hi)
	}
	return n
}

// VNeID returns the cumulative counts of every commune-level unit in force
// on the calendar date of asOf (in ICT). The counts grow slowly along
// saturating curves: by late 2026 about 77% of the population aged 14+ has
// applied, 92% of applications are issued and half the issued accounts are
// activated: about 35% of the population holds an activated account
// (domain.md §1). Counts never decrease from one day to the next and
// activated never exceeds issued; a new unit's counts are the sums of its
// old communes' parts, so the province's totals run on through the merger.
func (s *Sim) VNeID(asOf time.Time) []VNeIDUnit {
	days := float64(civilDay(asOf) - civilDay(vneidStart))
	days = math.Max(0, days)
	applyShare := 0.82 - 0.47*math.Exp(-days/700)
	activation := 0.58 - 0.28*math.Exp(-days/1100)
	units := s.vneidUnits(civilDay(asOf))
	out := make([]VNeIDUnit, len(units))
	for i, u := range units {
		v := VNeIDUnit{Code: u.Code, Name: u.Name}
		for _, p := range u.pop {
			c := s.vneid[p.commune]
			apps := int(math.Floor(float64(c.population) * math.Min(0.97, applyShare*c.apply)))
			issued := int(math.Floor(float64(apps) * c.issue))
			act := int(math.Floor(float64(issued) * math.Min(0.98, activation*c.activate)))
			v.Applications += part(apps, p.lo, p.hi)
			v.Issued += part(issued, p.lo, p.hi)
			v.Activated += part(act, p.lo, p.hi)
		}
		out[i] = v
	}
	return out
}

// serveVNeID answers the report as of the as_of date (default: today by the
// simulator's clock); dates before mid-2022 or after today are refused.
func (s *Sim) serveVNeID(r *http.Request) (*page, error) {
	q, err := query(r, "as_of")
	if err != nil {
		return nil, err
	}
	now := s.now().In(ICT)
	asOf := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ICT)
	if _, ok := q["as_of"]; ok {
		if asOf, err = dateParam(q, "as_of", time.DateOnly); err != nil {
			return nil, err
		}
	}
	switch {
	case civilDay(asOf) > civilDay(now):
		return nil, fmt.Errorf("as_of %s is after today", asOf.Format(time.DateOnly))
	case asOf.Before(vneidStart):
		return nil, errors.New("as_of is before " + vneidStart.Format(time.DateOnly) + ", when level-2 accounts began")
	}
	rep := VNeIDReport{Schema: VNeIDSchema, AsOf: asOf.Format(time.DateOnly), Units: s.VNeID(asOf)}
	return &page{
		render:     func([]Row, int) any { return rep },
		hugePrefix: `{"schema":"` + VNeIDSchema + `","as_of":"` + rep.AsOf + `","units":[],"padding":"`,
	}, nil
}

// WriteVNeIDReportCSV writes the counts as of asOf the way a provincial police
// report arrives as CSV: UTF-8 with a BOM (Excel's "CSV UTF-8"), a title
// block with the "tính đến ngày" date, the Vietnamese header, a numbering row,
// Vietnamese thousands separators and a total row.
func (s *Sim) WriteVNeIDReportCSV(w io.Writer, asOf time.Time) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	title := "CÔNG AN THÀNH PHỐ ĐÀ NẴNG (dữ liệu mô phỏng)"
	if civilDay(asOf) < civilDay(MergerDate) {
		title = "CÔNG AN THÀNH PHỐ ĐÀ NẴNG, CÔNG AN TỈNH QUẢNG NAM (dữ liệu mô phỏng)"
	}
	_ = cw.Write([]string{title, "", "", "", "", ""})
	_ = cw.Write([]string{"BÁO CÁO KẾT QUẢ THU NHẬN HỒ SƠ, CẤP VÀ KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2", "", "", "", "", ""})
	_ = cw.Write([]string{"Tính đến ngày " + asOf.In(ICT).Format("02/01/2006"), "", "", "", "", ""})
	_ = cw.Write([]string{"STT", "Mã đơn vị", "Tên đơn vị", "Số hồ sơ thu nhận", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt"})
	_ = cw.Write([]string{"(1)", "(2)", "(3)", "(4)", "(5)", "(6)"})
	var total [3]int
	for i, u := range s.VNeID(asOf) {
		_ = cw.Write([]string{strconv.Itoa(i + 1), u.Code, u.Name, thousands(u.Applications), thousands(u.Issued), thousands(u.Activated)})
		total[0] += u.Applications
		total[1] += u.Issued
		total[2] += u.Activated
	}
	_ = cw.Write([]string{"", "", "Tổng cộng", thousands(total[0]), thousands(total[1]), thousands(total[2])})
	cw.Flush()
	return cw.Error()
}

// WriteVNeIDPopulationCSV writes the population aged 14+ per commune-level
// unit in force on the clock's day in the vneid source's population_file
// format.
func (s *Sim) WriteVNeIDPopulationCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Mã đơn vị", "Tên đơn vị", "Dân số từ 14 tuổi trở lên"})
	for _, u := range s.vneidUnits(s.clockDay()) {
		_ = cw.Write([]string{u.Code, u.Name, strconv.Itoa(s.population(u))})
	}
	cw.Flush()
	return cw.Error()
}

// thousands writes n with Vietnamese thousands separators: 354.938.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
