package simulate

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// The map's calendar. Before DepartmentMergerDate the simulated province is
// old Đà Nẵng and old Quảng Nam as they stood on 1 January 2025 (every
// earlier day uses that structure too); from MergerDate it is the new Thành
// phố Đà Nẵng.
var (
	// DepartmentMergerDate is the first day of the merged provincial
	// departments (1 March 2025, as the press reported it).
	DepartmentMergerDate = time.Date(2025, time.March, 1, 0, 0, 0, 0, ICT)
	// MergerDate is the first day of the new city's units: Resolution
	// 1659/NQ-UBTVQH15 took effect on 16 June 2025 and the units started work
	// on 1 July 2025.
	MergerDate = time.Date(2025, time.July, 1, 0, 0, 0, 0, ICT)
)

// The checked facts of the new city (shared README-2025.md), copied byte for
// byte, and the departments of the four eras (data/departments.csv says what
// is made up), embedded so the build depends on nothing outside the module.
var (
	//go:embed data/danang-2025-units.csv
	newUnitsCSV []byte
	//go:embed data/danang-2025-merges.csv
	mergesCSV []byte
	//go:embed data/departments.csv
	departmentsCSV []byte
)

// Province codes of the statistics office: the new city keeps old Đà Nẵng's.
const (
	provinceDaNang   = "48"
	provinceQuangNam = "49"
)

// e-ID suffixes of the two old provinces (made up, see data/departments.csv).
var suffixProvince = map[string]string{"H15": provinceDaNang, "H47": provinceQuangNam}

// cityPPC is the new city's People's Committee: old Đà Nẵng's code, kept.
const cityPPC = "000.00.00.H15"

// Open ends of a unit's days in force.
const (
	dayMin = math.MinInt64 / 4
	dayMax = math.MaxInt64 / 4
)

// fieldDef is one field (lĩnh vực TTHC) of the simulated province.
type fieldDef struct {
	Code string
	// Vendor is the iGate-like sector code; it differs from Code on purpose so
	// the vendor layout needs a value map, as real vendors do.
	Vendor string
	Name   string
	// Online is the range of the online share of new dossiers.
	Online [2]float64
}

// fieldDefs are the fields, with real Vietnamese names from the national
// procedure database's list of fields.
var fieldDefs = []fieldDef{
	{"ATTP", "AN_TOAN_THUC_PHAM", "An toàn thực phẩm", [2]float64{0.2, 0.5}},
	{"BCVT", "BUU_CHINH", "Bưu chính", [2]float64{0.3, 0.7}},
	{"CC", "CONG_CHUNG", "Công chứng", [2]float64{0.2, 0.4}},
	{"CCVC", "CONG_CHUC_VIEN_CHUC", "Công chức, viên chức", [2]float64{0.2, 0.5}},
	{"CT", "CHUNG_THUC", "Chứng thực", [2]float64{0.2, 0.3}},
	{"DD", "DAT_DAI", "Đất đai", [2]float64{0.2, 0.4}},
	{"DIEN", "DIEN_LUC", "Điện", [2]float64{0.4, 0.7}},
	{"DL", "DU_LICH", "Du lịch", [2]float64{0.4, 0.7}},
	{"DT", "DAU_TU", "Đầu tư tại Việt Nam", [2]float64{0.3, 0.6}},
	{"DTOC", "DAN_TOC", "Công tác dân tộc", [2]float64{0.2, 0.4}},
	{"DUOC", "DUOC_PHAM", "Dược phẩm", [2]float64{0.4, 0.7}},
	{"GD", "GIAO_DUC_DAO_TAO", "Giáo dục và Đào tạo", [2]float64{0.3, 0.6}},
	{"GT", "DUONG_BO", "Đường bộ", [2]float64{0.3, 0.6}},
	{"HKD", "HO_KINH_DOANH", "Hộ kinh doanh", [2]float64{0.4, 0.7}},
	{"HNQT", "HOI_NGHI_HOI_THAO", "Hội nghị, hội thảo quốc tế", [2]float64{0.4, 0.7}},
	{"HT", "HO_TICH", "Hộ tịch", [2]float64{0.3, 0.6}},
	{"HTX", "HOP_TAC_XA", "Thành lập và hoạt động của hợp tác xã", [2]float64{0.3, 0.6}},
	{"KD", "DOANH_NGHIEP", "Thành lập và hoạt động doanh nghiệp", [2]float64{0.5, 0.7}},
	{"KHCN", "KHOA_HOC_CONG_NGHE", "Hoạt động khoa học và công nghệ", [2]float64{0.3, 0.6}},
	{"KNTC", "KHIEU_NAI", "Giải quyết khiếu nại", [2]float64{0.2, 0.3}},
	{"KS", "KHOANG_SAN", "Địa chất và khoáng sản", [2]float64{0.2, 0.5}},
	{"LDTBXH", "BAO_TRO_XA_HOI", "Bảo trợ xã hội", [2]float64{0.2, 0.5}},
	{"LLTP", "LY_LICH_TU_PHAP", "Lý lịch tư pháp", [2]float64{0.45, 0.7}},
	{"LS", "LUAT_SU", "Luật sư", [2]float64{0.3, 0.6}},
	{"LTHH", "LUU_THONG_HANG_HOA", "Lưu thông hàng hóa trong nước", [2]float64{0.3, 0.6}},
	{"MT", "MOI_TRUONG", "Môi trường", [2]float64{0.2, 0.5}},
	{"NCC", "NGUOI_CO_CONG", "Người có công", [2]float64{0.2, 0.4}},
	{"NCN", "NUOI_CON_NUOI", "Nuôi con nuôi", [2]float64{0.2, 0.4}},
	{"NO", "NHA_O", "Nhà ở", [2]float64{0.2, 0.5}},
	{"QLCS", "CONG_SAN", "Quản lý công sản", [2]float64{0.3, 0.6}},
	{"QT", "QUOC_TICH", "Quốc tịch", [2]float64{0.2, 0.4}},
	{"TCD", "TIEP_CONG_DAN", "Tiếp công dân", [2]float64{0.2, 0.3}},
	{"TDKT", "THI_DUA_KHEN_THUONG", "Thi đua, khen thưởng", [2]float64{0.3, 0.6}},
	{"TG", "TON_GIAO", "Tín ngưỡng, tôn giáo", [2]float64{0.2, 0.5}},
	{"TL", "THUY_LOI", "Thủy lợi", [2]float64{0.2, 0.5}},
	{"TN", "TAI_NGUYEN_NUOC", "Tài nguyên nước", [2]float64{0.2, 0.5}},
	{"TT", "TRONG_TROT", "Trồng trọt", [2]float64{0.2, 0.4}},
	{"TY", "THU_Y", "Thú y", [2]float64{0.3, 0.6}},
	{"VH", "VAN_HOA", "Văn hóa", [2]float64{0.2, 0.5}},
	{"VL", "VIEC_LAM", "Việc làm", [2]float64{0.3, 0.6}},
	{"XD", "XAY_DUNG", "Xây dựng", [2]float64{0.2, 0.5}},
	{"YT", "KHAM_CHUA_BENH", "Khám bệnh, chữa bệnh", [2]float64{0.3, 0.6}},
	{"GDNN", "GIAO_DUC_NGHE_NGHIEP", "Giáo dục nghề nghiệp", [2]float64{0.3, 0.6}},
}

// vol is the range of a pair's base monthly volume (dossiers a month) before
// the agency's size factor.
type vol [2]float64

// Fields of the old districts and communes and their monthly volumes (the
// departments' are in data/departments.csv). The new units handle what
// their predecessors handled.
var (
	districtFields = map[string]vol{
		"DD": {700, 1100}, "CT": {200, 500}, "HT": {20, 60}, "HKD": {60, 150}, "HTX": {2, 8},
		"XD": {40, 120}, "LDTBXH": {30, 100}, "NCC": {10, 40}, "GD": {10, 40}, "MT": {3, 15},
		"VH": {3, 15}, "TT": {3, 15}, "TDKT": {5, 30}, "LTHH": {5, 20}, "ATTP": {10, 30},
	}
	communeFields = map[string]vol{
		"HT": {40, 120}, "CT": {60, 200}, "DD": {15, 50}, "LDTBXH": {10, 40},
		"NCC": {3, 15}, "TDKT": {2, 10}, "TT": {3, 10},
	}
)

// districtDef is one old district as it stood on 1 January 2025. size
// scales its volumes (and, damped, its communes'); the codes are made up.
type districtDef struct {
	name, code string
	size       [2]float64
}

var oldDistricts = []districtDef{
	// Old Đà Nẵng: H15 codes numbered from 31 like Quảng Nam's. The urban
	// districts are the busiest units of the two provinces.
	{"Quận Hải Châu", "000.00.31.H15", [2]float64{1.7, 2.3}},
	{"Quận Thanh Khê", "000.00.32.H15", [2]float64{1.5, 2.0}},
	{"Quận Sơn Trà", "000.00.33.H15", [2]float64{1.3, 1.8}},
	{"Quận Ngũ Hành Sơn", "000.00.34.H15", [2]float64{1.0, 1.4}},
	{"Quận Liên Chiểu", "000.00.35.H15", [2]float64{1.4, 1.9}},
	{"Quận Cẩm Lệ", "000.00.36.H15", [2]float64{1.2, 1.6}},
	{"Huyện Hòa Vang", "000.00.37.H15", [2]float64{1.0, 1.4}},
	// Huyện Hoàng Sa has no communes and no residents: it handles no dossiers.
	{"Huyện Hoàng Sa", "000.00.38.H15", [2]float64{0, 0}},
	// Old Quảng Nam: the codes of the shared quangnam-units.csv. Its
	// 000.00.37.H47, Huyện Nông Sơn, had already gone into Quế Sơn.
	{"Thành phố Tam Kỳ", "000.00.31.H47", [2]float64{1.6, 2.2}},
	{"Thành phố Hội An", "000.00.32.H47", [2]float64{1.4, 1.8}},
	{"Thị xã Điện Bàn", "000.00.33.H47", [2]float64{1.7, 2.3}},
	{"Huyện Duy Xuyên", "000.00.34.H47", [2]float64{1.1, 1.4}},
	{"Huyện Đại Lộc", "000.00.35.H47", [2]float64{1.2, 1.6}},
	{"Huyện Quế Sơn", "000.00.36.H47", [2]float64{0.9, 1.2}},
	{"Huyện Thăng Bình", "000.00.38.H47", [2]float64{1.2, 1.6}},
	{"Huyện Hiệp Đức", "000.00.39.H47", [2]float64{0.4, 0.6}},
	{"Huyện Tiên Phước", "000.00.40.H47", [2]float64{0.6, 0.9}},
	{"Huyện Phú Ninh", "000.00.41.H47", [2]float64{0.7, 1.0}},
	{"Huyện Núi Thành", "000.00.42.H47", [2]float64{1.3, 1.7}},
	{"Huyện Bắc Trà My", "000.00.43.H47", [2]float64{0.4, 0.6}},
	{"Huyện Nam Trà My", "000.00.44.H47", [2]float64{0.3, 0.5}},
	{"Huyện Phước Sơn", "000.00.45.H47", [2]float64{0.35, 0.55}},
	{"Huyện Nam Giang", "000.00.46.H47", [2]float64{0.35, 0.55}},
	{"Huyện Đông Giang", "000.00.47.H47", [2]float64{0.35, 0.55}},
	{"Huyện Tây Giang", "000.00.48.H47", [2]float64{0.3, 0.45}},
}

// communeScale multiplies the communes' sizes by province: old Đà Nẵng's 47
// wards and communes (after the 2024 ward mergers) are several times as
// populous as old Quảng Nam's 233 (made-up factor).
var communeScale = map[string]float64{provinceDaNang: 2.0, provinceQuangNam: 1.0}

// splitShares are the shares of Xã Hòa Liên, split between two new wards
// (part=yes in the merges file). The resolution gives no figures; the press
// reported 1,342 people and 8.40 km² for the part that went to Phường Hải
// Vân. The shares are MADE UP: a fifth of the commune's dossiers and
// population to Hải Vân, the rest to Liên Chiểu.
var splitShares = map[[2]string]float64{
	{"Xã Hòa Liên", "Phường Hải Vân"}:    0.2,
	{"Xã Hòa Liên", "Phường Liên Chiểu"}: 0.8,
}

// oldUnitCodes are the old 5-digit unit codes the shared data gives: README-2025
// names 20242 (old Phường Phước Ninh) and 20669 (old Xã Phước Ninh) as codes
// the new units reused; Tam Hải and Tân Hiệp were left as they were, so their
// codes are their old ones. The files give no other old code.
var oldUnitCodes = map[[2]string]string{
	{"Quận Hải Châu", "Phường Phước Ninh"}: "20242",
	{"Huyện Quế Sơn", "Xã Phước Ninh"}:     "20669",
	{"Huyện Núi Thành", "Xã Tam Hải"}:      "20992",
	{"Thành phố Hội An", "Xã Tân Hiệp"}:    "20434",
}

// unit is one unit of the map in one span of days. A code may stand for
// several units one after another (the new city's departments reuse old Đà
// Nẵng's codes), never for two on the same day.
type unit struct {
	source.Agency
	// province is the statistics office's code of the province the unit
	// belonged to: "48" for old Đà Nẵng and the new city, "49" for old Quảng Nam.
	province string
	// start and end bound the civil days in force: start <= day < end.
	start, end int64
	// own are the fields and volumes of the oldest units (nil for later ones).
	own map[string]vol
	// next are the units that took this one over on its end day.
	next []successor
	// seatOf is set on a new unit that took an old district's seat.
	seatOf bool
	// pop are the old communes whose population this unit holds (VNeID).
	pop []popPart
}

type successor struct {
	unit  *unit
	share float64
}

// popPart is the part [lo, hi) of an old commune's population (cumulative
// shares over its successors), so the parts of a split commune add up to
// the whole commune exactly.
type popPart struct {
	commune *unit
	lo, hi  float64
}

func (u *unit) inForce(day int64) bool { return u.start <= day && day < u.end }

// comp is one of a row's components: a pair of an oldest unit whose flows,
// times share, the row's unit holds from day from on. A row of an oldest
// unit has one component, itself; a new unit's rows are the share-weighted
// sums of its predecessors', so its figures continue theirs.
type comp struct {
	pair  int
	share float64
	from  int64
}

// rowDef is one (unit, field) line of the reports.
type rowDef struct {
	unit  *unit
	field string
	comps []comp
}

// pairDef is a field of an oldest unit: the seeded parameters hang on it.
type pairDef struct {
	unit   *unit
	field  string
	volume vol
}

// world is the seed-independent map: units of every era, their fields, and
// which oldest pairs each (unit, field) holds.
type world struct {
	units   []*unit // sorted by code, then start
	fields  []source.Field
	byField map[string]fieldDef
	pairs   []pairDef
	rows    []rowDef // sorted by code, start, field
	// highLatePools are the candidates for the chronically late units: one
	// pick from each pool.
	highLatePools [][]*unit
}

var loadWorld = sync.OnceValue(func() *world {
	w, err := parseWorld(departmentsCSV, newUnitsCSV, mergesCSV)
	if err != nil {
		panic("simulate: embedded unit data: " + err.Error())
	}
	return w
})

// civilDate is the civil day number of a date written 2006-01-02 ("" is open).
func civilDate(s string, open int64) (int64, error) {
	if s == "" {
		return open, nil
	}
	t, err := time.ParseInLocation(catalog.DateLayout, s, ICT)
	if err != nil {
		return 0, fmt.Errorf("date %q: %w", s, err)
	}
	return civilDay(t), nil
}

func readCSV(name string, data []byte, header string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != header {
		return nil, fmt.Errorf("%s: want header %s", name, header)
	}
	return recs[1:], nil
}

// parseVolumes reads "LLTP 1500-2500; QT 10-25".
func parseVolumes(s string) (map[string]vol, error) {
	out := map[string]vol{}
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var f string
		var v vol
		if _, err := fmt.Sscanf(part, "%s %g-%g", &f, &v[0], &v[1]); err != nil || v[0] <= 0 || v[1] < v[0] {
			return nil, fmt.Errorf("field volume %q is not like LLTP 1500-2500", part)
		}
		out[f] = v
	}
	return out, nil
}

func parseWorld(departments, newUnits, merges []byte) (*world, error) {
	w := &world{byField: map[string]fieldDef{}}
	for _, f := range fieldDefs {
		w.byField[f.Code] = f
		w.fields = append(w.fields, source.Field{Code: f.Code, Name: f.Name})
	}
	sort.Slice(w.fields, func(i, j int) bool { return w.fields[i].Code < w.fields[j].Code })
	succs, err := w.parseDepartments(departments)
	if err != nil {
		return nil, err
	}
	districts := w.addDistricts()
	newByCode, err := w.parseNewUnits(newUnits)
	if err != nil {
		return nil, err
	}
	if err := w.parseMerges(merges, districts, newByCode); err != nil {
		return nil, err
	}
	if err := w.sortAndLink(succs); err != nil {
		return nil, err
	}
	if err := w.build(); err != nil {
		return nil, err
	}
	w.buildPopulation()
	if err := w.buildPools(); err != nil {
		return nil, err
	}
	return w, nil
}

// sortAndLink sorts the units by code and start, checks that no code stands
// for two units on one day, and links the departments.
func (w *world) sortAndLink(succs []pendingSuccessor) error {
	sort.SliceStable(w.units, func(i, j int) bool {
		a, b := w.units[i], w.units[j]
		return a.Code < b.Code || a.Code == b.Code && a.start < b.start
	})
	for i := 1; i < len(w.units); i++ {
		if a, b := w.units[i-1], w.units[i]; a.Code == b.Code && a.end > b.start {
			return fmt.Errorf("code %s stands for two units on one day", a.Code)
		}
	}
	return w.linkDepartments(succs)
}

// linkDepartments finds each department's successor: the unit of its code in
// force on the department's end day.
func (w *world) linkDepartments(succs []pendingSuccessor) error {
	for _, p := range succs {
		var to *unit
		for _, v := range w.units {
			if v.Code == p.code && v.inForce(p.u.end) {
				to = v
			}
		}
		if to == nil {
			return fmt.Errorf("data/departments.csv: %s: successor %s is not in force on its end day", p.u.Code, p.code)
		}
		if to.Code == p.u.Code && to.start != p.u.end {
			return fmt.Errorf("data/departments.csv: %s: a reused code must start on the day the old unit ends", p.u.Code)
		}
		p.u.next = []successor{{to, 1}}
	}
	return nil
}

// pendingSuccessor is a department's successor by code, found once every
// unit is known.
type pendingSuccessor struct {
	u    *unit
	code string
}

// parseDepartments reads the People's Committees, departments and boards.
func (w *world) parseDepartments(departments []byte) ([]pendingSuccessor, error) {
	recs, err := readCSV("data/departments.csv", departments, "code,name,level,start,end,successor,fields")
	if err != nil {
		return nil, err
	}
	mergerDay, deptDay := civilDay(MergerDate), civilDay(DepartmentMergerDate)
	var succs []pendingSuccessor
	for _, rec := range recs {
		u := &unit{Agency: source.Agency{Code: rec[0], Name: rec[1], Level: rec[2]}}
		suffix := u.Code[len(u.Code)-3:]
		u.province = suffixProvince[suffix]
		switch {
		case !catalog.AgencyCodePattern.MatchString(u.Code) || u.province == "":
			return nil, fmt.Errorf("data/departments.csv: code %q is not an e-ID code of H15 or H47", u.Code)
		case u.Level == catalog.LevelDept:
			u.Parent = "000.00.00." + suffix
		case u.Level != catalog.LevelProvince:
			return nil, fmt.Errorf("data/departments.csv: %s: level %q is not tinh or so", u.Code, u.Level)
		}
		if u.start, err = civilDate(rec[3], dayMin); err != nil {
			return nil, fmt.Errorf("data/departments.csv: %s: %w", u.Code, err)
		}
		if u.end, err = civilDate(rec[4], dayMax); err != nil {
			return nil, fmt.Errorf("data/departments.csv: %s: %w", u.Code, err)
		}
		if u.start != dayMin && u.start != deptDay && u.start != mergerDay || u.end != dayMax && u.end != deptDay && u.end != mergerDay {
			return nil, fmt.Errorf("data/departments.csv: %s: a unit starts and ends on %s or %s", u.Code, DepartmentMergerDate.Format(catalog.DateLayout), MergerDate.Format(catalog.DateLayout))
		}
		if (u.end == dayMax) != (rec[5] == "") {
			return nil, fmt.Errorf("data/departments.csv: %s: a unit that ends needs a successor, and only one that ends", u.Code)
		}
		if rec[5] != "" {
			succs = append(succs, pendingSuccessor{u, rec[5]})
		}
		if rec[6] != "" {
			if u.start != dayMin {
				return nil, fmt.Errorf("data/departments.csv: %s: only the oldest units list fields", u.Code)
			}
			if u.own, err = parseVolumes(rec[6]); err != nil {
				return nil, fmt.Errorf("data/departments.csv: %s: %w", u.Code, err)
			}
		}
		w.units = append(w.units, u)
	}
	return succs, nil
}

// addDistricts adds the old districts, by name.
func (w *world) addDistricts() map[string]*unit {
	mergerDay := civilDay(MergerDate)
	districts := map[string]*unit{}
	for _, d := range oldDistricts {
		suffix := d.code[len(d.code)-3:]
		u := &unit{
			Agency:   source.Agency{Code: d.code, Name: d.name, Level: catalog.LevelDistrict, Parent: "000.00.00." + suffix},
			province: suffixProvince[suffix], start: dayMin, end: mergerDay,
		}
		if d.size[1] > 0 {
			u.own = districtFields
		}
		districts[d.name] = u
		w.units = append(w.units, u)
	}
	return districts
}

// parseNewUnits reads the new city's commune-level units, by 5-digit code.
// Their e-ID codes are 000.KK.00.H15, KK numbering them in the order of
// their 5-digit codes: group 00 (no district) appears in no old code, so no
// new code is an old one.
func (w *world) parseNewUnits(newUnits []byte) (map[string]*unit, error) {
	mergerDay := civilDay(MergerDate)
	recs, err := readCSV("data/danang-2025-units.csv", newUnits, "code,name,kind")
	if err != nil {
		return nil, err
	}
	newByCode := map[string]*unit{}
	for i, rec := range recs {
		if !catalog.LabelValues[catalog.LabelUnitCode].Allows(rec[0]) || len(rec[0]) != 5 || i > 0 && recs[i-1][0] >= rec[0] {
			return nil, fmt.Errorf("data/danang-2025-units.csv: code %q is not a 5-digit code in order", rec[0])
		}
		u := &unit{
			Agency:   source.Agency{Code: fmt.Sprintf("000.%02d.00.H15", i+1), Name: rec[1], Level: catalog.LevelCommune, Parent: cityPPC, UnitCode: rec[0]},
			province: provinceDaNang, start: mergerDay, end: dayMax,
		}
		newByCode[rec[0]] = u
		w.units = append(w.units, u)
	}
	if len(newByCode) > 99 {
		return nil, fmt.Errorf("data/danang-2025-units.csv: %d units do not fit the two digits of the e-ID code", len(newByCode))
	}
	return newByCode, nil
}

// parseMerges reads the old communes and links them, and every old district,
// to the new units.
func (w *world) parseMerges(merges []byte, districts, newByCode map[string]*unit) error {
	mergerDay := civilDay(MergerDate)
	recs, err := readCSV("data/danang-2025-merges.csv", merges, "new_code,new_name,old_province,old_district,old_unit_name,part")
	if err != nil {
		return err
	}
	into := map[string]*districtInto{}
	communes := map[[2]string]*unit{}
	perDistrict := map[string]int{}
	for _, rec := range recs {
		nu := newByCode[rec[0]]
		d := districts[rec[3]]
		switch {
		case nu == nil || nu.Name != rec[1]:
			return fmt.Errorf("data/danang-2025-merges.csv: new unit %s %q is not in the units file", rec[0], rec[1])
		case d == nil:
			return fmt.Errorf("data/danang-2025-merges.csv: old district %q is not one of oldDistricts", rec[3])
		case d.province != map[string]string{"Đà Nẵng": provinceDaNang, "Quảng Nam": provinceQuangNam}[rec[2]]:
			return fmt.Errorf("data/danang-2025-merges.csv: %s is not in %s", rec[3], rec[2])
		case rec[5] != "yes" && rec[5] != "no":
			return fmt.Errorf("data/danang-2025-merges.csv: part %q is not yes or no", rec[5])
		}
		if rec[4] == rec[3] {
			// A district without communes (Huyện Hoàng Sa) went whole.
			d.next = append(d.next, successor{nu, 1})
			continue
		}
		key := [2]string{rec[3], rec[4]}
		c := communes[key]
		if c == nil {
			perDistrict[d.Code]++
			g := strings.Split(d.Code, ".")
			c = &unit{
				Agency:   source.Agency{Code: fmt.Sprintf("%s.%02d.%s.%s", g[0], perDistrict[d.Code], g[2], g[3]), Name: rec[4], Level: catalog.LevelCommune, Parent: d.Code, UnitCode: oldUnitCodes[key]},
				province: d.province, start: dayMin, end: mergerDay, own: communeFields,
			}
			communes[key] = c
			w.units = append(w.units, c)
		}
		share := 1.0
		if rec[5] == "yes" {
			var ok bool
			if share, ok = splitShares[[2]string{rec[4], rec[1]}]; !ok {
				return fmt.Errorf("data/danang-2025-merges.csv: %s is split into %s but splitShares has no share for it", rec[4], rec[1])
			}
		}
		c.next = append(c.next, successor{nu, share})
		di := into[rec[3]]
		if di == nil {
			di = &districtInto{}
			into[rec[3]] = di
		}
		di.into = append(di.into, nu)
		if strings.HasPrefix(rec[4], "Thị trấn ") && di.township == nil {
			di.township = nu
		}
	}
	for _, d := range oldDistricts {
		u := districts[d.name]
		if len(u.next) > 0 {
			continue
		}
		seat, err := districtSeat(u, into[d.name])
		if err != nil {
			return err
		}
		seat.seatOf = true
		u.next = []successor{{seat, 1}}
	}

	return nil
}

// districtInto is where an old district's communes went.
type districtInto struct {
	into     []*unit // new units holding the district's communes, in file order
	township *unit   // the one holding its "Thị trấn …" (the district seat), if any
}

// namePrefixes are stripped to compare a district's name with a new unit's.
var namePrefixes = []string{"Quận ", "Huyện ", "Thành phố ", "Thị xã ", "Phường ", "Xã ", "Đặc khu "}

func bareName(s string) string {
	for _, p := range namePrefixes {
		if r, ok := strings.CutPrefix(s, p); ok {
			return r
		}
	}
	return s
}

// districtSeat picks the one new unit an old district goes into: among the
// units holding its communes, the one named like the district (Quận Hải Châu
// → Phường Hải Châu, Huyện Quế Sơn → Xã Quế Sơn), else the one holding its
// township, the old district seat (Huyện Bắc Trà My → Xã Trà My, Huyện
// Phước Sơn → Xã Khâm Đức), else the first listed. Whole, so no district
// needs more than catalog.LineageMaxParts parts.
func districtSeat(d *unit, di *districtInto) (*unit, error) {
	if di == nil || len(di.into) == 0 {
		return nil, fmt.Errorf("data/danang-2025-merges.csv: old district %s has no communes", d.Name)
	}
	for _, u := range di.into {
		if bareName(u.Name) == bareName(d.Name) {
			return u, nil
		}
	}
	if di.township != nil {
		return di.township, nil
	}
	return di.into[0], nil
}

// build checks the successors and derives every row's components: each
// unit's rows pass, times the share, to its successors from the day it ends.
func (w *world) build() error {
	order := slices.Clone(w.units)
	// A predecessor ends before its successor does, so by end day every unit
	// has all its components before it hands them on.
	sort.SliceStable(order, func(i, j int) bool { return order[i].end < order[j].end })
	comps := map[*unit]map[string][]comp{}
	for _, u := range order {
		if u.own != nil {
			m := comps[u]
			if m == nil {
				m = map[string][]comp{}
				comps[u] = m
			}
			for _, f := range slices.Sorted(maps.Keys(u.own)) {
				if _, ok := w.byField[f]; !ok {
					return fmt.Errorf("%s: unknown field %s", u.Code, f)
				}
				m[f] = append(m[f], comp{pair: len(w.pairs), share: 1, from: u.start})
				w.pairs = append(w.pairs, pairDef{unit: u, field: f, volume: u.own[f]})
			}
		}
		if u.end == dayMax {
			continue
		}
		sum := 0.0
		if len(u.next) == 0 || len(u.next) > catalog.LineageMaxParts {
			return fmt.Errorf("%s ends but has %d successors", u.Code, len(u.next))
		}
		for _, s := range u.next {
			sum += s.share
			if !s.unit.inForce(u.end) || s.unit.end <= u.end {
				return fmt.Errorf("%s: successor %s is not in force on %s", u.Code, s.unit.Code, dayTime(u.end).Format(catalog.DateLayout))
			}
			m := comps[s.unit]
			if m == nil {
				m = map[string][]comp{}
				comps[s.unit] = m
			}
			for f, cs := range comps[u] {
				for _, c := range cs {
					m[f] = append(m[f], comp{pair: c.pair, share: c.share * s.share, from: max(c.from, u.end)})
				}
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			return fmt.Errorf("%s: successor shares sum to %v, not 1", u.Code, sum)
		}
	}
	for _, u := range w.units {
		for _, f := range slices.Sorted(maps.Keys(comps[u])) {
			w.rows = append(w.rows, rowDef{unit: u, field: f, comps: comps[u][f]})
		}
	}

	return nil
}

// buildPopulation gives the VNeID population parts: an old commune holds
// its own, a new unit the parts of the old communes that went into it.
func (w *world) buildPopulation() {
	for _, u := range w.units {
		if u.Level != catalog.LevelCommune || u.own == nil {
			continue
		}
		u.pop = []popPart{{u, 0, 1}}
		lo := 0.0
		for i, s := range u.next {
			hi := lo + s.share
			if i == len(u.next)-1 {
				hi = 1
			}
			s.unit.pop = append(s.unit.pop, popPart{u, lo, hi})
			lo = hi
		}
	}

}

// buildPools lists the chronically late candidates: busy units in force
// over a whole span of the map, so a pick stays late as long as it exists.
func (w *world) buildPools() error {
	var districtPool, oldDepts, newSeats, newDepts []*unit
	busyOld := map[string]bool{"Sở Tư pháp": true, "Sở Y tế": true}
	busyNew := map[string]bool{"Sở Tư pháp": true, "Sở Y tế": true, "Sở Nông nghiệp và Môi trường": true, "Sở Nội vụ": true}
	mergerDay := civilDay(MergerDate)
	for _, u := range w.units {
		switch {
		case u.Level == catalog.LevelDistrict && u.own != nil:
			districtPool = append(districtPool, u)
		case u.Level == catalog.LevelDept && u.start == dayMin && u.end == mergerDay && busyOld[u.Name]:
			oldDepts = append(oldDepts, u)
		case u.seatOf:
			newSeats = append(newSeats, u)
		case u.Level == catalog.LevelDept && u.start == mergerDay && busyNew[u.Name]:
			newDepts = append(newDepts, u)
		}
	}
	w.highLatePools = [][]*unit{districtPool, oldDepts, newSeats, newDepts}
	for _, p := range w.highLatePools {
		if len(p) == 0 {
			return fmt.Errorf("BUG: an empty pool of chronically late candidates")
		}
	}
	return nil
}

// unitsAt returns the units in force on day, sorted by code.
func (w *world) unitsAt(day int64) []*unit {
	var out []*unit
	for _, u := range w.units {
		if u.inForce(day) {
			out = append(out, u)
		}
	}
	return out
}

// unitAt returns the unit of code in force on day, or nil.
func (w *world) unitAt(code string, day int64) *unit {
	i := sort.Search(len(w.units), func(i int) bool { return w.units[i].Code >= code })
	for ; i < len(w.units) && w.units[i].Code == code; i++ {
		if w.units[i].inForce(day) {
			return w.units[i]
		}
	}
	return nil
}

// clockDay is the civil day of the simulator's clock.
func (s *Sim) clockDay() int64 { return civilDay(s.now()) }

// Agencies returns the units in force on the clock's day, sorted by code:
// from 1 July 2025 the new city's People's Committee, departments and boards
// and its 94 commune-level units; before, old Đà Nẵng's and old Quảng Nam's
// People's Committees, departments, districts and communes. The slice is a
// copy.
func (s *Sim) Agencies() []source.Agency { return s.agenciesAt(s.clockDay()) }

func (s *Sim) agenciesAt(day int64) []source.Agency {
	us := s.world.unitsAt(day)
	out := make([]source.Agency, len(us))
	for i, u := range us {
		out[i] = u.Agency
	}
	return out
}

// Fields returns the fields (lĩnh vực TTHC) sorted by code. The slice is a copy.
func (s *Sim) Fields() []source.Field {
	return slices.Clone(s.world.fields)
}

// VendorSectorCodes maps the iGate-like layout's sector codes to govpulse field
// codes: the value map a deployment reading the vendor layout configures.
func (s *Sim) VendorSectorCodes() map[string]string {
	m := make(map[string]string, len(fieldDefs))
	for _, f := range fieldDefs {
		m[f.Vendor] = f.Code
	}
	return m
}

// ProvinceAgency is the new city's People's Committee, the root unit the
// demo's sources name: old Đà Nẵng's code, kept, so it is in force every day.
func (s *Sim) ProvinceAgency() string { return cityPPC }

// WriteAgenciesCSV writes agencies in the agencies_file format of the config
// (header code,name,level,parent,unit_code).
func WriteAgenciesCSV(w io.Writer, a []source.Agency) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"code", "name", "level", "parent", "unit_code"})
	for _, x := range a {
		_ = cw.Write([]string{x.Code, x.Name, x.Level, x.Parent, x.UnitCode})
	}
	cw.Flush()
	return cw.Error()
}

// WriteFieldsCSV writes fields in the fields_file format of the config
// (header code,name).
func WriteFieldsCSV(w io.Writer, f []source.Field) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"code", "name"})
	for _, x := range f {
		_ = cw.Write([]string{x.Code, x.Name})
	}
	cw.Flush()
	return cw.Error()
}
