package simulate

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// unitsCSV is the checked list of Quảng Nam's pre-2025 departments and
// districts (real names; the statistics office's unit list), embedded so the
// build does not depend on anything outside the module.
//
//go:embed data/units.csv
var unitsCSV []byte

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

// Fields each level handles and their monthly volumes. Communes and districts
// share one list per level; departments map to the fields of their sector.
var (
	provinceFields = map[string]vol{"DD": {30, 80}, "DT": {10, 30}, "TDKT": {20, 50}}
	districtFields = map[string]vol{
		"DD": {700, 1100}, "CT": {200, 500}, "HT": {20, 60}, "HKD": {60, 150}, "HTX": {2, 8},
		"XD": {40, 120}, "LDTBXH": {30, 100}, "NCC": {10, 40}, "GD": {10, 40}, "MT": {3, 15},
		"VH": {3, 15}, "TT": {3, 15}, "TDKT": {5, 30}, "LTHH": {5, 20}, "ATTP": {10, 30},
	}
	communeFields = map[string]vol{
		"HT": {40, 120}, "CT": {60, 200}, "DD": {15, 50}, "LDTBXH": {10, 40},
		"NCC": {3, 15}, "TDKT": {2, 10}, "TT": {3, 10},
	}
	// deptFields is keyed by the department codes of data/units.csv. The big
	// numbers are the provincial public administration centre's desks: land
	// registration, driving licences, criminal records, business registration.
	deptFields = map[string]map[string]vol{
		"000.00.01.H47": {"TCD": {20, 60}}, // Ban Tiếp công dân belongs to the PPC's office
		"000.00.02.H47": {"TDKT": {50, 150}, "TG": {10, 30}, "CCVC": {10, 40}},
		"000.00.03.H47": {"LLTP": {1200, 2000}, "QT": {5, 15}, "CC": {10, 40}, "LS": {3, 10}, "NCN": {3, 8}},
		"000.00.04.H47": {"KD": {700, 1100}, "DT": {20, 50}, "HTX": {5, 15}},
		"000.00.05.H47": {"QLCS": {10, 30}},
		"000.00.06.H47": {"LTHH": {30, 80}, "DIEN": {20, 60}},
		"000.00.07.H47": {"TT": {20, 60}, "TY": {40, 100}, "TL": {5, 20}},
		"000.00.08.H47": {"GT": {2500, 4000}},
		"000.00.09.H47": {"XD": {60, 150}, "NO": {10, 40}},
		"000.00.10.H47": {"DD": {1500, 2500}, "MT": {20, 60}, "TN": {10, 30}, "KS": {5, 15}},
		"000.00.11.H47": {"BCVT": {5, 20}},
		"000.00.12.H47": {"LDTBXH": {40, 120}, "NCC": {80, 200}, "VL": {300, 600}, "GDNN": {10, 30}},
		"000.00.13.H47": {"VH": {20, 60}, "DL": {30, 80}},
		"000.00.14.H47": {"KHCN": {10, 30}},
		"000.00.15.H47": {"GD": {150, 400}},
		"000.00.16.H47": {"YT": {80, 200}, "DUOC": {100, 250}, "ATTP": {30, 80}},
		"000.00.17.H47": {"HNQT": {5, 15}},
		"000.00.18.H47": {"KNTC": {10, 30}},
		"000.00.19.H47": {"DTOC": {3, 10}},
		"000.00.20.H47": {"DT": {10, 30}, "XD": {10, 30}, "MT": {5, 15}, "VL": {30, 80}},
	}
	// districtSize scales a district's volumes (and, damped, its communes'):
	// the coastal cities and plains are busy, the mountain districts quiet.
	districtSize = map[string][2]float64{
		"31": {1.6, 2.2}, "32": {1.4, 1.8}, "33": {1.7, 2.3}, "34": {1.1, 1.4}, "35": {1.2, 1.6},
		"36": {0.8, 1.1}, "37": {0.35, 0.5}, "38": {1.2, 1.6}, "39": {0.4, 0.6}, "40": {0.6, 0.9},
		"41": {0.7, 1.0}, "42": {1.3, 1.7}, "43": {0.4, 0.6}, "44": {0.3, 0.5}, "45": {0.35, 0.55},
		"46": {0.35, 0.55}, "47": {0.35, 0.55}, "48": {0.3, 0.45},
	}
	// highLatePool are the departments that may be picked as chronically late:
	// busy ones, whose late share is judged on enough dossiers.
	highLatePool = []string{"000.00.03.H47", "000.00.10.H47", "000.00.12.H47", "000.00.16.H47"}
)

// province is the seed-independent structure: units, fields and which agency
// handles which field.
type province struct {
	agencies []source.Agency
	fields   []source.Field
	byAgency map[string]source.Agency
	byField  map[string]fieldDef
	// pairs are (agency, field) sorted by agency then field code, with the
	// range of the base monthly volume.
	pairs []pairDef
}

type pairDef struct {
	agency, field string
	level         string
	// district is the group of the agency's district ("31") for districts and
	// communes, "" otherwise.
	district string
	volume   vol
}

var loadProvince = sync.OnceValue(func() *province {
	p, err := parseProvince(unitsCSV)
	if err != nil {
		panic("simulate: embedded data/units.csv: " + err.Error())
	}
	return p
})

// districtPrefixes are stripped from a district's name to name its communes.
var districtPrefixes = []string{"UBND thành phố ", "UBND thị xã ", "UBND huyện "}

func parseProvince(data []byte) (*province, error) {
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "code,name,level,parent,communes" {
		return nil, fmt.Errorf("want header code,name,level,parent,communes")
	}
	p := &province{byAgency: map[string]source.Agency{}, byField: map[string]fieldDef{}}
	add := func(a source.Agency) error {
		if !catalog.AgencyCodePattern.MatchString(a.Code) {
			return fmt.Errorf("bad agency code %q", a.Code)
		}
		if _, dup := p.byAgency[a.Code]; dup {
			return fmt.Errorf("agency %s twice", a.Code)
		}
		p.byAgency[a.Code] = a
		p.agencies = append(p.agencies, a)
		return nil
	}
	for _, rec := range recs[1:] {
		a := source.Agency{Code: rec[0], Name: rec[1], Level: rec[2], Parent: rec[3]}
		if err := add(a); err != nil {
			return nil, err
		}
		if a.Level != catalog.LevelDistrict {
			continue
		}
		n, err := strconv.Atoi(rec[4])
		if err != nil || n < 0 || n > 99 {
			return nil, fmt.Errorf("district %s: bad commune count %q", a.Code, rec[4])
		}
		short := a.Name
		for _, pre := range districtPrefixes {
			short = strings.TrimPrefix(short, pre)
		}
		g := strings.Split(a.Code, ".")
		for i := 1; i <= n; i++ {
			c := source.Agency{
				Code:   fmt.Sprintf("%s.%02d.%s.%s", g[0], i, g[2], g[3]),
				Name:   fmt.Sprintf("UBND xã %02d (%s)", i, short),
				Level:  catalog.LevelCommune,
				Parent: a.Code,
			}
			if err := add(c); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(p.agencies, func(i, j int) bool { return p.agencies[i].Code < p.agencies[j].Code })

	for _, f := range fieldDefs {
		p.byField[f.Code] = f
		p.fields = append(p.fields, source.Field{Code: f.Code, Name: f.Name})
	}
	sort.Slice(p.fields, func(i, j int) bool { return p.fields[i].Code < p.fields[j].Code })

	for _, a := range p.agencies {
		var fs map[string]vol
		district := ""
		switch a.Level {
		case catalog.LevelProvince:
			fs = provinceFields
		case catalog.LevelDept:
			fs = deptFields[a.Code]
		case catalog.LevelDistrict:
			fs, district = districtFields, strings.Split(a.Code, ".")[2]
		case catalog.LevelCommune:
			fs, district = communeFields, strings.Split(a.Code, ".")[2]
		}
		codes := make([]string, 0, len(fs))
		for c := range fs {
			if _, ok := p.byField[c]; !ok {
				return nil, fmt.Errorf("agency %s: unknown field %s", a.Code, c)
			}
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			p.pairs = append(p.pairs, pairDef{agency: a.Code, field: c, level: a.Level, district: district, volume: fs[c]})
		}
	}
	return p, nil
}

// Agencies returns the province's units — the People's Committee, the
// departments and boards, the districts and the generated communes — sorted
// by code. The slice is a copy.
func (s *Sim) Agencies() []source.Agency {
	return append([]source.Agency(nil), s.prov.agencies...)
}

// Fields returns the fields (lĩnh vực TTHC) sorted by code. The slice is a copy.
func (s *Sim) Fields() []source.Field {
	return append([]source.Field(nil), s.prov.fields...)
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

// WriteAgenciesCSV writes agencies in the agencies_file format of the config
// (header code,name,level,parent).
func WriteAgenciesCSV(w io.Writer, a []source.Agency) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"code", "name", "level", "parent"})
	for _, x := range a {
		_ = cw.Write([]string{x.Code, x.Name, x.Level, x.Parent})
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
