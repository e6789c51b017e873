package simulate

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
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

// VNeIDUnit is one commune's cumulative counts.
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

// vneidCommune holds one commune's seeded parameters.
type vneidCommune struct {
	code, name string
	population int     // aged 14+
	apply      float64 // factor on the province's application share
	issue      float64 // share of applications issued
	activate   float64 // factor on the province's activation rate
}

// vneidRoutes mounts the VNeID endpoint behind the fault knobs.
func (s *Sim) vneidRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+VNeIDPath, s.data(s.serveVNeID))
}

// vneidCommunes returns every commune's parameters, sorted by code. They
// depend on the seed only.
func (s *Sim) vneidCommunes() []vneidCommune {
	var out []vneidCommune
	for _, a := range s.prov.agencies {
		if a.Level != catalog.LevelCommune {
			continue
		}
		d := &draw{s: s.seed ^ strHash("vneid|"+a.Code)}
		// Communes of the busy cities are bigger than the mountain ones.
		r := districtSize[groupOf(a.Code)]
		size := math.Pow((r[0]+r[1])/2, 0.8)
		out = append(out, vneidCommune{
			code:       a.Code,
			name:       a.Name,
			population: int(math.Round(4900 * size * d.f(0.55, 1.45))),
			apply:      d.f(0.88, 1.08),
			issue:      d.f(0.88, 0.96),
			activate:   d.f(0.85, 1.1),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// VNeIDPopulation14Plus returns the simulated population aged 14+ by commune
// code, for the vneid source's population_file and population_14plus (their
// sum) in the demo config.
func (s *Sim) VNeIDPopulation14Plus() map[string]int {
	out := map[string]int{}
	for _, c := range s.vneidCommunes() {
		out[c.code] = c.population
	}
	return out
}

// VNeID returns the cumulative counts of every commune as of the calendar
// date of asOf (in ICT). The counts grow slowly along saturating curves: by
// late 2026 about 77% of the population aged 14+ has applied, 92% of
// applications are issued and half the issued accounts are activated: about
// 35% of the population holds an activated account (domain.md §1). Counts never
// decrease from one day to the next and activated never exceeds issued.
func (s *Sim) VNeID(asOf time.Time) []VNeIDUnit {
	days := float64(civilDay(asOf) - civilDay(vneidStart))
	days = math.Max(0, days)
	applyShare := 0.82 - 0.47*math.Exp(-days/700)
	activation := 0.58 - 0.28*math.Exp(-days/1100)
	communes := s.vneidCommunes()
	out := make([]VNeIDUnit, len(communes))
	for i, c := range communes {
		apps := math.Floor(float64(c.population) * math.Min(0.97, applyShare*c.apply))
		issued := math.Floor(apps * c.issue)
		act := math.Floor(issued * math.Min(0.98, activation*c.activate))
		out[i] = VNeIDUnit{Code: c.code, Name: c.name, Applications: int(apps), Issued: int(issued), Activated: int(act)}
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
	_ = cw.Write([]string{"CÔNG AN TỈNH QUẢNG NAM (dữ liệu mô phỏng)", "", "", "", "", ""})
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

// WriteVNeIDPopulationCSV writes the population aged 14+ per commune in the
// vneid source's population_file format.
func (s *Sim) WriteVNeIDPopulationCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Mã đơn vị", "Tên đơn vị", "Dân số từ 14 tuổi trở lên"})
	for _, c := range s.vneidCommunes() {
		_ = cw.Write([]string{c.code, c.name, strconv.Itoa(c.population)})
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
