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
	"strings"
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

// otherProvinces are the 63 provinces of 2024 in the national ranking
// before the 2025 merger, Đà Nẵng's and Quảng Nam's rows being the
// simulated ones (the codes are illustrative like the units'; Đà Nẵng's is
// H15, as the simulated old Đà Nẵng's).
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

// provinces2025 are the national ranking's 34 provinces and cities from 1
// July 2025 (Resolution 202/2025/QH15, names as the press lists them, not
// checked against the text here) but the simulated city: each keeps the
// code of the 2024 province whose name it took (Huế: Thừa Thiên Huế's).
var provinces2025 = []struct{ name, old string }{
	{"UBND thành phố Hà Nội", "Hà Nội"}, {"UBND thành phố Huế", "Thừa Thiên Huế"},
	{"UBND thành phố Hải Phòng", "Hải Phòng"}, {"UBND Thành phố Hồ Chí Minh", "TP Hồ Chí Minh"},
	{"UBND thành phố Cần Thơ", "Cần Thơ"}, {"UBND tỉnh Tuyên Quang", "Tuyên Quang"},
	{"UBND tỉnh Cao Bằng", "Cao Bằng"}, {"UBND tỉnh Lai Châu", "Lai Châu"}, {"UBND tỉnh Lào Cai", "Lào Cai"},
	{"UBND tỉnh Thái Nguyên", "Thái Nguyên"}, {"UBND tỉnh Điện Biên", "Điện Biên"}, {"UBND tỉnh Lạng Sơn", "Lạng Sơn"},
	{"UBND tỉnh Sơn La", "Sơn La"}, {"UBND tỉnh Phú Thọ", "Phú Thọ"}, {"UBND tỉnh Bắc Ninh", "Bắc Ninh"},
	{"UBND tỉnh Quảng Ninh", "Quảng Ninh"}, {"UBND tỉnh Hưng Yên", "Hưng Yên"}, {"UBND tỉnh Ninh Bình", "Ninh Bình"},
	{"UBND tỉnh Thanh Hóa", "Thanh Hóa"}, {"UBND tỉnh Nghệ An", "Nghệ An"}, {"UBND tỉnh Hà Tĩnh", "Hà Tĩnh"},
	{"UBND tỉnh Quảng Trị", "Quảng Trị"}, {"UBND tỉnh Quảng Ngãi", "Quảng Ngãi"}, {"UBND tỉnh Gia Lai", "Gia Lai"},
	{"UBND tỉnh Khánh Hòa", "Khánh Hòa"}, {"UBND tỉnh Lâm Đồng", "Lâm Đồng"}, {"UBND tỉnh Đắk Lắk", "Đắk Lắk"},
	{"UBND tỉnh Đồng Nai", "Đồng Nai"}, {"UBND tỉnh Tây Ninh", "Tây Ninh"}, {"UBND tỉnh Vĩnh Long", "Vĩnh Long"},
	{"UBND tỉnh Đồng Tháp", "Đồng Tháp"}, {"UBND tỉnh Cà Mau", "Cà Mau"}, {"UBND tỉnh An Giang", "An Giang"},
}

// rankedProvince is another province's row in the national ranking.
type rankedProvince struct{ code, name string }

// othersAt returns the provinces ranked beside the simulated ones on day.
func othersAt(day int64) []rankedProvince {
	code := map[string]string{}
	for i, name := range otherProvinces {
		n := i + 1
		if n >= 47 {
			n++ // H47 is old Quảng Nam, simulated
		}
		code[name] = fmt.Sprintf("000.00.00.H%02d", n)
	}
	var out []rankedProvince
	if day >= civilDay(MergerDate) {
		for _, p := range provinces2025 {
			out = append(out, rankedProvince{code[p.old], p.name})
		}
		return out
	}
	for _, name := range otherProvinces {
		if name != "Đà Nẵng" {
			out = append(out, rankedProvince{code[name], "UBND tỉnh " + name})
		}
	}
	return out
}

// portalID derives a stable UUID-shaped department id, as the portal's look.
func portalID(code string) string {
	h := sha256.Sum256([]byte("dvcqg:" + code))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// provincesAt returns the People's Committees in force on day: old Đà
// Nẵng's and old Quảng Nam's before the merger, the new city's after.
func (s *Sim) provincesAt(day int64) []*unit {
	var out []*unit
	for _, u := range s.world.unitsAt(day) {
		if u.Level == catalog.LevelProvince {
			out = append(out, u)
		}
	}
	return out
}

// provinceUnits returns the units of root's province in force on day.
func (s *Sim) provinceUnits(root *unit, day int64) []*unit {
	var out []*unit
	for _, u := range s.world.unitsAt(day) {
		if u.province == root.province {
			out = append(out, u)
		}
	}
	return out
}

// portalQuery is a parsed portal request: the period's dates clamped to
// today (zero without a period), the day whose units answer, and the root
// unit (nil for the national ranking).
type portalQuery struct {
	req      portalRequest
	from, to time.Time
	day      int64
	root     *unit
}

// parsePortal reads a portal request strictly. A period report needs a
// period (needPeriod); root must be "" or a People's Committee in force on
// the period's last day (allowNational allows "").
func (s *Sim) parsePortal(r *http.Request, needPeriod, allowNational bool) (portalQuery, error) {
	q, err := s.parsePortalBody(r, needPeriod)
	if err != nil {
		return q, err
	}
	q.day = s.clockDay()
	if needPeriod {
		q.day = civilDay(q.to)
	}
	var codes []string
	for _, p := range s.provincesAt(q.day) {
		codes = append(codes, p.Code)
		if p.Code == q.req.RootDepartmentCode {
			q.root = p
		}
	}
	switch {
	case q.req.RootDepartmentCode == "" && !allowNational:
		return q, errors.New("rootDepartmentCode is required")
	case q.req.RootDepartmentCode != "" && q.root == nil:
		return q, fmt.Errorf("rootDepartmentCode %q is not a province served here on %s (%s)", q.req.RootDepartmentCode, dayTime(q.day).Format(catalog.DateLayout), strings.Join(codes, ", "))
	}
	return q, nil
}

func (s *Sim) parsePortalBody(r *http.Request, needPeriod bool) (portalQuery, error) {
	var req portalRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return portalQuery{}, fmt.Errorf("bad JSON body: %w", err)
	}
	q := portalQuery{req: req}
	if req.CurrentPage == 0 {
		req.CurrentPage = 1
	}
	if req.PageSize == 0 {
		req.PageSize = DefaultPortalPageSize
	}
	if req.CurrentPage < 1 || req.PageSize < 1 || req.PageSize > MaxPageSize {
		return q, fmt.Errorf("currentPage %d or pageSize %d out of range (pageSize 1..%d)", req.CurrentPage, req.PageSize, MaxPageSize)
	}
	if !needPeriod {
		if req.TimeType != "" || req.Year != 0 || req.Quarter != 0 || req.Month != 0 {
			return q, errors.New("this report takes no period")
		}
		q.req = req
		return q, nil
	}
	if req.Year < 2000 || req.Year > 2100 {
		return q, fmt.Errorf("year %d is not in 2000..2100", req.Year)
	}
	var from, to time.Time
	switch req.TimeType {
	case "month":
		if req.Month < 1 || req.Month > 12 || req.Quarter != 0 {
			return q, fmt.Errorf("timeType month needs month 1..12 and no quarter")
		}
		from = time.Date(req.Year, time.Month(req.Month), 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(0, 1, -1)
	case "quarter":
		if req.Quarter < 1 || req.Quarter > 4 || req.Month != 0 {
			return q, fmt.Errorf("timeType quarter needs quarter 1..4 and no month")
		}
		from = time.Date(req.Year, time.Month(3*req.Quarter-2), 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(0, 3, -1)
	case "year":
		if req.Quarter != 0 || req.Month != 0 {
			return q, fmt.Errorf("timeType year takes no month or quarter")
		}
		from = time.Date(req.Year, 1, 1, 0, 0, 0, 0, ICT)
		to = from.AddDate(1, 0, -1)
	default:
		return q, fmt.Errorf("timeType %q is not month, quarter or year", req.TimeType)
	}
	now := s.now().In(ICT)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ICT)
	if to.After(today) {
		to = today // shares the report cache with the one-stop layouts' "to today"
	}
	q.from, q.to = from, to
	q.req = req
	return q, nil
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

// agencyStats sums the report rows of [from, to] per unit of units and adds
// the sync and service models. Every one of units is in the map.
func (s *Sim) agencyStats(from, to time.Time, units []*unit) map[string]*unitStats {
	out := make(map[string]*unitStats, len(units))
	for _, u := range units {
		st := &unitStats{}
		sv := s.services(u)
		st.procedures, st.full, st.partial = float64(sv.AuthorityCount), float64(sv.FullCount), float64(sv.PartialCount)
		st.fullInt, st.partialInt = float64(sv.FullIntegratedCount), float64(sv.PartialIntegratedCount)
		out[u.Code] = st
	}
	if from.IsZero() {
		return out
	}
	for _, r := range s.report(from, to) {
		st := out[r.Agency]
		if st == nil {
			continue // the other province's, before the merger
		}
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

// services is a unit's catalogue of procedures and online services. The
// integrated share is drawn around 86.9% (old Quảng Nam's published figure).
func (s *Sim) services(u *unit) PortalServices {
	code := u.Code
	d := &draw{s: s.seed ^ strHash("services|"+code)}
	var lo, hi float64
	switch {
	case u.Level == catalog.LevelProvince:
		lo, hi = 15, 40
	case u.Level == catalog.LevelDept:
		lo, hi = 30, 150
	case u.Level == catalog.LevelDistrict || u.Parent == cityPPC:
		// The new city's communes took over the districts' procedures.
		lo, hi = 250, 350
	default:
		lo, hi = 90, 130
	}
	n := math.Round(d.f(lo, hi))
	full := math.Round(n * d.f(0.35, 0.5))
	partial := math.Round(n * d.f(0.3, 0.45))
	return PortalServices{
		DepartmentCode:         code,
		DepartmentName:         u.Name,
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
	drift := func() float64 { return 0.03 * (2*frac(mix(d.next()^month*0x9e3779b97f4a7c15)) - 1) }
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

// servePortalScores answers the national ranking (no root) or the units of
// a province (root = its People's Committee).
func (s *Sim) servePortalScores(r *http.Request) (*page, error) {
	q, err := s.parsePortal(r, true, true)
	if err != nil {
		return nil, err
	}
	req, from, to := q.req, q.from, q.to
	now := s.now().In(ICT)
	month := monthKey(from)
	if from.After(now) {
		// Not scored yet.
		return portalPage(req, "overview", nil, "evaluation", []PortalScore{}), nil
	}
	provRow := func(root *unit) (PortalScore, []*unit, map[string]*unitStats) {
		units := s.provinceUnits(root, q.day)
		stats := s.agencyStats(from, to, units)
		var all unitStats
		for _, st := range stats {
			all.add(*st)
		}
		return scoreRow(root.Code, root.Name, s.scores(root.Code, all, month, true)), units, stats
	}
	if q.root == nil {
		var rows []PortalScore
		for _, p := range s.provincesAt(q.day) {
			row, _, _ := provRow(p)
			rows = append(rows, row)
		}
		for _, o := range othersAt(q.day) {
			rows = append(rows, s.otherProvince(o.code, o.name, month))
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].DepartmentName < rows[j].DepartmentName })
		return portalPage(req, "overview", map[string]any{"departmentName": "Cả nước", "totalScore": nil, "groupScores": nil}, "evaluation", rows), nil
	}
	head, units, stats := provRow(q.root)
	rows := make([]PortalScore, 0, len(units))
	for _, u := range units {
		if u != q.root {
			rows = append(rows, scoreRow(u.Code, u.Name, s.scores(u.Code, *stats[u.Code], month, false)))
		}
	}
	return portalPage(req, "overview", head, "evaluation", rows), nil
}

// otherProvince is a seeded row of another province: a total between 62 and
// 92 that drifts a little each month, split over the groups.
func (s *Sim) otherProvince(code, name string, month uint64) PortalScore {
	d := &draw{s: s.seed ^ strHash("province|"+code)}
	share := clamp(d.f(0.62, 0.92)+0.02*(2*frac(mix(d.next()^month))-1), 0, 1)
	g := map[string]float64{}
	for _, grp := range catalog.QD766Groups {
		g[grp.Code] = round2(grp.Max * clamp(share*d.f(0.9, 1.1), 0, 1))
	}
	return scoreRow(code, name, g)
}

// servePortalSync answers the dossier-sync report of a province's units.
func (s *Sim) servePortalSync(r *http.Request) (*page, error) {
	q, err := s.parsePortal(r, true, false)
	if err != nil {
		return nil, err
	}
	units := s.provinceUnits(q.root, q.day)
	stats := s.agencyStats(q.from, q.to, units)
	syncIn, _ := catalog.QD766IndicatorByCode(catalog.IndicatorSync)
	row := func(u *unit, st unitStats) PortalSync {
		out := PortalSync{
			DepartmentCode: u.Code, DepartmentName: u.Name,
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
	rows := make([]PortalSync, 0, len(units))
	for _, u := range units {
		st := *stats[u.Code]
		all.add(st)
		rows = append(rows, row(u, st))
	}
	return portalPage(q.req, "parent", row(q.root, all), "children", rows), nil
}

// servePortalServices answers the online-service catalogue of a province's
// units in force today.
func (s *Sim) servePortalServices(r *http.Request) (*page, error) {
	q, err := s.parsePortal(r, false, false)
	if err != nil {
		return nil, err
	}
	units := s.provinceUnits(q.root, q.day)
	rows := make([]PortalServices, 0, len(units))
	var parent PortalServices
	for _, u := range units {
		sv := s.services(u)
		rows = append(rows, sv)
		parent.AuthorityCount += sv.AuthorityCount
		parent.FullCount += sv.FullCount
		parent.PartialCount += sv.PartialCount
		parent.FullIntegratedCount += sv.FullIntegratedCount
		parent.PartialIntegratedCount += sv.PartialIntegratedCount
	}
	parent.DepartmentCode = q.root.Code
	parent.DepartmentName = q.root.Name
	return portalPage(q.req, "parent", parent, "children", rows), nil
}
