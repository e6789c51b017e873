package simulate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Paths of the national portal's reporting endpoints (all POST, JSON bodies;
// see the portal package for the shapes).
const (
	PortalScoresPath   = "/api/v1/reporting/evaluation/service-results"
	PortalSyncPath     = "/api/v1/reporting/evaluation/dossier-sync"
	PortalServicesPath = "/api/v1/reporting/evaluation/provide-online-tree"
)

// DefaultPortalPageSize is the page size when a portal request names none.
const DefaultPortalPageSize = 500

// portalRoutes mounts the national portal's endpoints, behind the same fault
// knobs as the one-stop layouts.
func (s *Sim) portalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PortalScoresPath, s.data(s.servePortalScores))
	mux.HandleFunc("POST "+PortalSyncPath, s.data(s.servePortalSync))
	mux.HandleFunc("POST "+PortalServicesPath, s.data(s.servePortalServices))
}

// portalRequest is the body every portal endpoint takes.
type portalRequest struct {
	TimeType           string `json:"timeType"`
	Year               int    `json:"year"`
	Quarter            int    `json:"quarter"`
	Month              int    `json:"month"`
	RootDepartmentCode string `json:"rootDepartmentCode"`
	CurrentPage        int    `json:"currentPage"`
	PageSize           int    `json:"pageSize"`
}

type portalEnvelope struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// PortalScore is one unit's row of the service-results report.
type PortalScore struct {
	DepartmentID   string              `json:"departmentId"`
	DepartmentCode string              `json:"departmentCode,omitempty"`
	DepartmentName string              `json:"departmentName"`
	TotalScore     float64             `json:"totalScore"`
	GroupScores    map[string]*float64 `json:"groupScores"`
}

// PortalSync is one unit's row of the dossier-sync report.
type PortalSync struct {
	DepartmentCode        string   `json:"departmentCode"`
	DepartmentName        string   `json:"departmentName"`
	TotalReceived         int      `json:"totalReceived"`
	TotalNationalReceived int      `json:"totalNationalReceived"`
	TotalSynced           int      `json:"totalSynced"`
	Ratio                 *float64 `json:"ratio"`
	Score                 *float64 `json:"score"`
	MaxScore              float64  `json:"maxScore"`
}

// PortalServices is one unit's row of the online-service report.
type PortalServices struct {
	DepartmentCode         string `json:"departmentCode"`
	DepartmentName         string `json:"departmentName"`
	AuthorityCount         int    `json:"authorityCount"`
	FullCount              int    `json:"fullCount"`
	PartialCount           int    `json:"partialCount"`
	FullIntegratedCount    int    `json:"fullIntegratedCount"`
	PartialIntegratedCount int    `json:"partialIntegratedCount"`
}

// portalGroupCodes are the portal's codes of the catalog's groups.
var portalGroupCodes = map[string]string{
	catalog.GroupCongKhai: "CKMB", catalog.GroupTienDo: "TDGQ", catalog.GroupDVCTT: "CLGQ",
	catalog.GroupThanhToan: "TTTT", catalog.GroupHaiLong: "MDHL", catalog.GroupSoHoa: "MDSH",
}

// otherProvinces are the other 62 provinces of the national ranking (the 63
// of 2024; the sim's codes are illustrative like its units').
var otherProvinces = []string{
	"An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
	"Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
	"Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
	"Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
	"Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
	"Phú Yên", "Quảng Bình", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
	"Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh",
	"Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
}

// portalID derives a stable UUID-shaped department id, as the portal's look.
func portalID(code string) string {
	h := sha256.Sum256([]byte("dvcqg:" + code))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// provinceCode is the code of the province's root unit (its People's Committee).
func (s *Sim) provinceCode() string {
	for _, a := range s.prov.agencies {
		if a.Level == catalog.LevelProvince {
			return a.Code
		}
	}
	return ""
}

// parsePortal reads a portal request strictly. A period report needs a
// period (needPeriod); root must be "" or the province code (allowNational
// allows ""). It returns the request and the period's dates clamped to today.
func (s *Sim) parsePortal(r *http.Request, needPeriod, allowNational bool) (portalRequest, time.Time, time.Time, error) {
	var req portalRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, time.Time{}, time.Time{}, fmt.Errorf("bad JSON body: %w", err)
	}
	switch {
	case req.RootDepartmentCode == "" && !allowNational:
		return req, time.Time{}, time.Time{}, errors.New("rootDepartmentCode is required")
	case req.RootDepartmentCode != "" && req.RootDepartmentCode != s.provinceCode():
		return req, time.Time{}, time.Time{}, fmt.Errorf("rootDepartmentCode %q is not a province served here (%s)", req.RootDepartmentCode, s.provinceCode())
	}
	if req.CurrentPage == 0 {
		req.CurrentPage = 1
	}
	if req.PageSize == 0 {
		req.PageSize = DefaultPortalPageSize
	}
	if req.CurrentPage < 1 || req.PageSize < 1 || req.PageSize > MaxPageSize {
		return req, time.Time{}, time.Time{}, fmt.Errorf("currentPage %d or pageSize %d out of range (pageSize 1..%d)", req.CurrentPage, req.PageSize, MaxPageSize)
	}
	if !needPeriod {
		if req.TimeType != "" || req.Year != 0 || req.Quarter != 0 || req.Month != 0 {
			return req, time.Time{}, time.Time{}, errors.New("this report takes no period")
		}
		return req, time.Time{}, time.Time{}, nil
	}
	if req.Year < 2000 || req.Year > 2100 {
		return req, time.Time{}, time.Time{}, fmt.Errorf("year %d is not in 2000..2100", req.Year)
	}
	var from, to time.Time
	switch req.TimeType {
	case "month":
		if req.Month < 1 || req.Month > 12 || req.Quarter != 0 {
			return req, from, to, fmt.Errorf("timeType month needs month 1..12 and no quarter")
		}
		from = time.Date(req.Year, time.Month(req.Month), 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(0, 1, -1)
	case "quarter":
		if req.Quarter < 1 || req.Quarter > 4 || req.Month != 0 {
			return req, from, to, fmt.Errorf("timeType quarter needs quarter 1..4 and no month")
		}
		from = time.Date(req.Year, time.Month(3*req.Quarter-2), 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(0, 3, -1)
	case "year":
		if req.Quarter != 0 || req.Month != 0 {
			return req, from, to, fmt.Errorf("timeType year takes no month or quarter")
		}
		from = time.Date(req.Year, 1, 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(1, 0, -1)
	default:
		return req, from, to, fmt.Errorf("timeType %q is not month, quarter or year", req.TimeType)
	}
	now := s.now().In(ICT)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ICT)
	if to.After(today) {
		to = today // shares the report cache with the one-stop layouts' "to today"
	}
	return req, from, to, nil
}

// portalPage renders one page of rows under key (evaluation or children)
// next to the head row (overview or parent).
func portalPage[T any](req portalRequest, headKey string, head any, key string, rows []T) *page {
	size := req.PageSize
	lo := min(len(rows), (req.CurrentPage-1)*size)
	hi := min(len(rows), lo+size)
	part := rows[lo:hi]
	if part == nil {
		part = []T{}
	}
	pages := max(1, (len(rows)+size-1)/size)
	return &page{
		render: func([]Row, int) any {
			return portalEnvelope{Code: "OK", Message: "Thành công", Data: map[string]any{headKey: head, key: part, "totalPages": pages}}
		},
		hugePrefix: `{"code":"OK","message":"Thành công","data":{"` + key + `":[],"padding":"`,
	}
}

// unitStats are one unit's (or the province's) inputs to its portal figures.
type unitStats struct {
	early, onTime, late, notDue, overdue float64
	received, online                     float64
	local, national, synced              float64
	procedures, full, partial            float64
	fullInt, partialInt                  float64
}

func (u *unitStats) add(v unitStats) {
	u.early += v.early
	u.onTime += v.onTime
	u.late += v.late
	u.notDue += v.notDue
	u.overdue += v.overdue
	u.received += v.received
	u.online += v.online
	u.local += v.local
	u.national += v.national
	u.synced += v.synced
	u.procedures += v.procedures
	u.full += v.full
	u.partial += v.partial
	u.fullInt += v.fullInt
	u.partialInt += v.partialInt
}

// agencyStats sums the report rows of [from, to] per agency and adds the
// sync and service models. Every agency of the province is in the map.
func (s *Sim) agencyStats(from, to time.Time) map[string]*unitStats {
	out := make(map[string]*unitStats, len(s.prov.agencies))
	for _, a := range s.prov.agencies {
		st := &unitStats{}
		sv := s.services(a.Code, a.Level)
		st.procedures, st.full, st.partial = float64(sv.AuthorityCount), float64(sv.FullCount), float64(sv.PartialCount)
		st.fullInt, st.partialInt = float64(sv.FullIntegratedCount), float64(sv.PartialIntegratedCount)
		out[a.Code] = st
	}
	if from.IsZero() {
		return out
	}
	for _, r := range s.report(from, to) {
		st := out[r.Agency]
		st.early += float64(r.Resolved.Early)
		st.onTime += float64(r.Resolved.OnTime)
		st.late += float64(r.Resolved.Late)
		st.notDue += float64(r.InProgress.NotDue)
		st.overdue += float64(r.InProgress.Overdue)
		st.received += float64(r.Received.Total())
		st.online += float64(r.Received.Online)
	}
	for code, st := range out {
		st.local, st.national, st.synced = s.sync(code, st.received)
	}
	return out
}

// sync splits an agency's locally received dossiers into what reached the
// portal and what was synced: a seeded share goes missing on the way (up to
// 3%) and a smaller one is still waiting (up to 1%), so synced sits slightly
// below local received and never above national received.
func (s *Sim) sync(code string, received float64) (local, national, synced float64) {
	d := &draw{s: s.seed ^ strHash("sync|"+code)}
	miss, lag := d.f(0, 0.03), d.f(0, 0.01)
	national = math.Floor(received * (1 - miss))
	synced = math.Floor(national * (1 - lag))
	return received, national, synced
}

// services is an agency's catalogue of procedures and online services. The
// integrated share is drawn around 86.9% (the province's published figure).
func (s *Sim) services(code, level string) PortalServices {
	d := &draw{s: s.seed ^ strHash("services|"+code)}
	var lo, hi float64
	switch level {
	case catalog.LevelProvince:
		lo, hi = 15, 40
	case catalog.LevelDept:
		lo, hi = 30, 150
	case catalog.LevelDistrict:
		lo, hi = 250, 350
	default:
		lo, hi = 90, 130
	}
	n := math.Round(d.f(lo, hi))
	full := math.Round(n * d.f(0.35, 0.5))
	partial := math.Round(n * d.f(0.3, 0.45))
	return PortalServices{
		DepartmentCode:         code,
		DepartmentName:         s.prov.byAgency[code].Name,
		AuthorityCount:         int(n),
		FullCount:              int(full),
		PartialCount:           int(partial),
		FullIntegratedCount:    int(math.Round(full * math.Min(1, 0.869+d.f(-0.07, 0.07)))),
		PartialIntegratedCount: int(math.Round(partial * math.Min(1, 0.869+d.f(-0.07, 0.07)))),
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// indicatorScore scores ratio with the catalog's rule for indicator code, so
// the simulated official figures and govpulse's estimate agree where they can.
func indicatorScore(code string, num, den float64) float64 {
	in, _ := catalog.QD766IndicatorByCode(code)
	if !(den > 0) {
		return in.Max // nothing to judge: nothing went wrong
	}
	return catalog.QD766Score(in.Max, num/den, in.Threshold)
}

// scores computes a unit's six group scores. The data-driven parts follow the
// unit's counts; the rest is a seeded ratio that drifts a little each month.
// For the province (calibrate) the seeded groups are set so the total lands
// on a seeded target between 80.5 and 82.5.
func (s *Sim) scores(code string, st unitStats, month uint64, calibrate bool) map[string]float64 {
	g := map[string]float64{}
	handled := st.early + st.onTime + st.late + st.notDue + st.overdue
	g[catalog.GroupTienDo] = indicatorScore(catalog.IndicatorOnTime, st.early+st.onTime+st.notDue, handled)
	g[catalog.GroupDVCTT] = indicatorScore(catalog.IndicatorOnlineDossiers, st.online, st.received) +
		indicatorScore(catalog.IndicatorOnlineServices, st.full+st.partial, st.procedures)
	syncIn, _ := catalog.QD766IndicatorByCode(catalog.IndicatorSync)
	ck, _ := catalog.QD766GroupByCode(catalog.GroupCongKhai)
	d := &draw{s: s.seed ^ strHash("qd766|"+code)}
	drift := func() float64 { return 0.03 * (2*unit(mix(d.next()^month*0x9e3779b97f4a7c15)) - 1) }
	g[catalog.GroupCongKhai] = (ck.Max-syncIn.Max)*clamp(d.f(0.65, 0.95)+drift(), 0, 1) +
		indicatorScore(catalog.IndicatorSync, st.synced, math.Max(st.local, st.national))
	rest := []string{catalog.GroupThanhToan, catalog.GroupHaiLong, catalog.GroupSoHoa}
	if !calibrate {
		for _, c := range rest {
			def, _ := catalog.QD766GroupByCode(c)
			g[c] = def.Max * clamp(d.f(0.55, 0.95)+drift(), 0, 1)
		}
	} else {
		target := d.f(80.5, 82.5) + drift()*10
		left := target - g[catalog.GroupTienDo] - g[catalog.GroupDVCTT] - g[catalog.GroupCongKhai]
		share := clamp(left/50, 0, 1) // 50 = 10 + 18 + 22
		for _, c := range rest {
			def, _ := catalog.QD766GroupByCode(c)
			g[c] = def.Max * share
		}
	}
	for k, v := range g {
		g[k] = round2(v)
	}
	return g
}

func scoreRow(code, name string, g map[string]float64) PortalScore {
	row := PortalScore{DepartmentID: portalID(code), DepartmentCode: code, DepartmentName: name, GroupScores: map[string]*float64{}}
	total := 0.0
	for c, v := range g {
		row.GroupScores[portalGroupCodes[c]] = &v
		total += v
	}
	row.TotalScore = round2(total)
	return row
}

// servePortalScores answers the national ranking (no root) or the
// province's units (root = the province).
func (s *Sim) servePortalScores(r *http.Request) (*page, error) {
	req, from, to, err := s.parsePortal(r, true, true)
	if err != nil {
		return nil, err
	}
	now := s.now().In(ICT)
	month := monthKey(from)
	if from.After(now) {
		// Not scored yet.
		return portalPage(req, "overview", nil, "evaluation", []PortalScore{}), nil
	}
	stats := s.agencyStats(from, to)
	prov := s.provinceCode()
	var all unitStats
	for _, st := range stats {
		all.add(*st)
	}
	provRow := scoreRow(prov, s.prov.byAgency[prov].Name, s.scores(prov, all, month, true))
	if req.RootDepartmentCode == "" {
		rows := []PortalScore{provRow}
		for i, name := range otherProvinces {
			n := i + 1
			if n >= 47 {
				n++ // H47 is the simulated province
			}
			code := fmt.Sprintf("000.00.00.H%02d", n)
			rows = append(rows, s.otherProvince(code, name, month))
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].DepartmentName < rows[j].DepartmentName })
		return portalPage(req, "overview", map[string]any{"departmentName": "Cả nước", "totalScore": nil, "groupScores": nil}, "evaluation", rows), nil
	}
	rows := make([]PortalScore, 0, len(s.prov.agencies))
	for _, a := range s.prov.agencies {
		if a.Code == prov {
			continue
		}
		rows = append(rows, scoreRow(a.Code, a.Name, s.scores(a.Code, *stats[a.Code], month, false)))
	}
	return portalPage(req, "overview", provRow, "evaluation", rows), nil
}

// otherProvince is a seeded row of another province: a total between 62 and
// 92 that drifts a little each month, split over the groups.
func (s *Sim) otherProvince(code, name string, month uint64) PortalScore {
	d := &draw{s: s.seed ^ strHash("province|"+code)}
	share := clamp(d.f(0.62, 0.92)+0.02*(2*unit(mix(d.next()^month))-1), 0, 1)
	g := map[string]float64{}
	for _, grp := range catalog.QD766Groups {
		g[grp.Code] = round2(grp.Max * clamp(share*d.f(0.9, 1.1), 0, 1))
	}
	return scoreRow(code, "UBND tỉnh "+name, g)
}

// servePortalSync answers the dossier-sync report of the province's units.
func (s *Sim) servePortalSync(r *http.Request) (*page, error) {
	req, from, to, err := s.parsePortal(r, true, false)
	if err != nil {
		return nil, err
	}
	stats := s.agencyStats(from, to)
	syncIn, _ := catalog.QD766IndicatorByCode(catalog.IndicatorSync)
	row := func(code string, st unitStats) PortalSync {
		out := PortalSync{
			DepartmentCode: code, DepartmentName: s.prov.byAgency[code].Name,
			TotalReceived: int(st.local), TotalNationalReceived: int(st.national), TotalSynced: int(st.synced),
			MaxScore: syncIn.Max,
		}
		if den := math.Max(st.local, st.national); den > 0 {
			ratio := math.Round(st.synced/den*10000) / 10000
			score := round2(catalog.QD766Score(syncIn.Max, ratio, syncIn.Threshold))
			out.Ratio, out.Score = &ratio, &score
		}
		return out
	}
	var all unitStats
	rows := make([]PortalSync, 0, len(s.prov.agencies))
	for _, a := range s.prov.agencies {
		st := *stats[a.Code]
		all.add(st)
		rows = append(rows, row(a.Code, st))
	}
	return portalPage(req, "parent", row(s.provinceCode(), all), "children", rows), nil
}

// servePortalServices answers the online-service catalogue of the
// province's units.
func (s *Sim) servePortalServices(r *http.Request) (*page, error) {
	req, _, _, err := s.parsePortal(r, false, false)
	if err != nil {
		return nil, err
	}
	rows := make([]PortalServices, 0, len(s.prov.agencies))
	var parent PortalServices
	for _, a := range s.prov.agencies {
		sv := s.services(a.Code, a.Level)
		rows = append(rows, sv)
		parent.AuthorityCount += sv.AuthorityCount
		parent.FullCount += sv.FullCount
		parent.PartialCount += sv.PartialCount
		parent.FullIntegratedCount += sv.FullIntegratedCount
		parent.PartialIntegratedCount += sv.PartialIntegratedCount
	}
	parent.DepartmentCode = s.provinceCode()
	parent.DepartmentName = s.prov.byAgency[parent.DepartmentCode].Name
	return portalPage(req, "parent", parent, "children", rows), nil
}
