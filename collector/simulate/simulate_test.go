package simulate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// testNow is a Sunday-free weekday morning late in a month, so the month,
// quarter and year to date all have substance.
var testNow = time.Date(2026, 11, 20, 10, 30, 0, 0, ICT)

func newSim(t testing.TB, seed int64, now time.Time) *Sim {
	t.Helper()
	return New(Options{Seed: seed, Now: func() time.Time { return now }})
}

// newServer serves s on a loopback httptest server.
func newServer(t testing.TB, s *Sim) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(s.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func get(t testing.TB, srv *httptest.Server, path string, q url.Values) (*http.Response, []byte) {
	t.Helper()
	u := srv.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	resp, err := srv.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func post(t testing.TB, srv *httptest.Server, path, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func periods(now time.Time) map[string]source.Period {
	out := map[string]source.Period{}
	for _, p := range source.CurrentPeriods(now, ICT) {
		out[p.Name] = p
	}
	return out
}

func standardQuery(p source.Period, page, size int) url.Values {
	return url.Values{
		"period": {p.Name}, "from": {p.From.Format(time.DateOnly)}, "to": {p.To.Format(time.DateOnly)},
		"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)},
	}
}

func igateQuery(p source.Period, page, size int) url.Values {
	return url.Values{
		"from-date": {p.From.Format("2006-01-02T15:04:05")},
		"to-date":   {p.To.Add(24*time.Hour - time.Second).Format("2006-01-02T15:04:05")},
		"page":      {strconv.Itoa(page)}, "size": {strconv.Itoa(size)},
	}
}

// pinned2024 is a clock in the old two provinces.
var pinned2024 = time.Date(2024, 11, 20, 10, 30, 0, 0, ICT)

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		now     time.Time
		byLevel map[string]int
	}{
		// 21 + 20 departments and boards, 8 + 17 districts (Huyện Hoàng Sa
		// included), 47 + 233 communes.
		{"old Đà Nẵng and Quảng Nam", pinned2024, map[string]int{catalog.LevelProvince: 2, catalog.LevelDept: 41, catalog.LevelDistrict: 25, catalog.LevelCommune: 280}},
		{"after the department mergers", time.Date(2025, 4, 20, 10, 0, 0, 0, ICT), map[string]int{catalog.LevelProvince: 2, catalog.LevelDept: 30, catalog.LevelDistrict: 25, catalog.LevelCommune: 280}},
		{"the new city", testNow, map[string]int{catalog.LevelProvince: 1, catalog.LevelDept: 17, catalog.LevelCommune: 94}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ag := newSim(t, 47, tc.now).Agencies()
			byLevel := map[string]int{}
			byCode := map[string]source.Agency{}
			for i, a := range ag {
				byLevel[a.Level]++
				if _, dup := byCode[a.Code]; dup {
					t.Errorf("%s twice", a.Code)
				}
				byCode[a.Code] = a
				if i > 0 && ag[i-1].Code >= a.Code {
					t.Errorf("not sorted at %s", a.Code)
				}
				if !catalog.AgencyCodePattern.MatchString(a.Code) || a.Name == "" || !catalog.LabelValues[catalog.LabelUnitCode].Allows(a.UnitCode) {
					t.Errorf("bad agency %+v", a)
				}
			}
			if fmt.Sprint(byLevel) != fmt.Sprint(tc.byLevel) {
				t.Errorf("units by level %v, want %v", byLevel, tc.byLevel)
			}
			wantParent := map[string]string{catalog.LevelDept: catalog.LevelProvince, catalog.LevelDistrict: catalog.LevelProvince, catalog.LevelCommune: catalog.LevelDistrict}
			if tc.byLevel[catalog.LevelDistrict] == 0 {
				wantParent[catalog.LevelCommune] = catalog.LevelProvince
			}
			for _, a := range ag {
				if a.Level == catalog.LevelProvince {
					if a.Parent != "" {
						t.Errorf("%s: PPC has parent %s", a.Code, a.Parent)
					}
					continue
				}
				p, ok := byCode[a.Parent]
				if !ok || p.Level != wantParent[a.Level] || a.Code[10:] != p.Code[10:] {
					t.Errorf("%s (%s): parent %q missing, of the wrong level or of another province", a.Code, a.Level, a.Parent)
				}
				if a.Level == catalog.LevelCommune && a.Code[7:9] != p.Code[7:9] {
					t.Errorf("%s: commune code does not carry its district's group (%s)", a.Code, a.Parent)
				}
			}
		})
	}
	// Examples of each scheme: old communes number in the merges file's
	// order within their district; new units in the order of their codes.
	old := map[string]source.Agency{}
	for _, a := range newSim(t, 47, pinned2024).Agencies() {
		old[a.Code] = a
	}
	cur := map[string]source.Agency{}
	for _, a := range newSim(t, 47, testNow).Agencies() {
		cur[a.Code] = a
	}
	for _, tc := range []struct {
		got  source.Agency
		want source.Agency
	}{
		{old["000.00.00.H15"], source.Agency{Code: "000.00.00.H15", Name: "UBND thành phố Đà Nẵng", Level: catalog.LevelProvince}},
		{old["000.00.00.H47"], source.Agency{Code: "000.00.00.H47", Name: "UBND tỉnh Quảng Nam", Level: catalog.LevelProvince}},
		{old["000.00.37.H15"], source.Agency{Code: "000.00.37.H15", Name: "Huyện Hòa Vang", Level: catalog.LevelDistrict, Parent: "000.00.00.H15"}},
		{old["000.02.37.H15"], source.Agency{Code: "000.02.37.H15", Name: "Xã Hòa Liên", Level: catalog.LevelCommune, Parent: "000.00.37.H15"}},
		{old["000.00.36.H47"], source.Agency{Code: "000.00.36.H47", Name: "Huyện Quế Sơn", Level: catalog.LevelDistrict, Parent: "000.00.00.H47"}},
		{old["000.00.04.H47"], source.Agency{Code: "000.00.04.H47", Name: "Sở Kế hoạch và Đầu tư", Level: catalog.LevelDept, Parent: "000.00.00.H47"}},
		{cur["000.00.00.H15"], source.Agency{Code: "000.00.00.H15", Name: "UBND thành phố Đà Nẵng", Level: catalog.LevelProvince}},
		{cur["000.01.00.H15"], source.Agency{Code: "000.01.00.H15", Name: "Phường Hải Vân", Level: catalog.LevelCommune, Parent: "000.00.00.H15", UnitCode: "20194"}},
		{cur["000.94.00.H15"], source.Agency{Code: "000.94.00.H15", Name: "Xã Tam Mỹ", Level: catalog.LevelCommune, Parent: "000.00.00.H15", UnitCode: "21004"}},
		{cur["000.00.25.H15"], source.Agency{Code: "000.00.25.H15", Name: "Ban Quản lý Khu kinh tế mở Chu Lai", Level: catalog.LevelDept, Parent: "000.00.00.H15"}},
	} {
		if tc.got != tc.want {
			t.Errorf("got %+v, want %+v", tc.got, tc.want)
		}
	}
	// No new code is an old one.
	for c := range cur {
		if a, ok := old[c]; ok && a.Level != catalog.LevelProvince && a.Level != catalog.LevelDept {
			t.Errorf("new unit %s reuses the code of old %s", c, a.Name)
		}
	}
}

var shortFieldCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,15}$`)

func TestFields(t *testing.T) {
	s := newSim(t, 47, testNow)
	fs := s.Fields()
	if len(fs) < 35 || len(fs) > 50 {
		t.Errorf("%d fields, want about 40", len(fs))
	}
	ours := map[string]bool{}
	names := map[string]bool{}
	for i, f := range fs {
		if !shortFieldCode.MatchString(f.Code) || !catalog.FieldCodePattern.MatchString(f.Code) {
			t.Errorf("field code %q is not a short code", f.Code)
		}
		if i > 0 && fs[i-1].Code >= f.Code {
			t.Errorf("fields not sorted at %s", f.Code)
		}
		if f.Name == "" || names[f.Name] {
			t.Errorf("field %s: empty or duplicate name %q", f.Code, f.Name)
		}
		ours[f.Code], names[f.Name] = true, true
	}
	vm := s.VendorSectorCodes()
	if len(vm) != len(fs) {
		t.Errorf("%d vendor codes for %d fields", len(vm), len(fs))
	}
	mapped := map[string]bool{}
	for v, c := range vm {
		if ours[v] {
			t.Errorf("vendor code %s equals one of ours: the value map would be a no-op", v)
		}
		if !ours[c] || mapped[c] {
			t.Errorf("vendor code %s maps to unknown or already mapped field %s", v, c)
		}
		mapped[c] = true
	}
	used := map[string]bool{}
	for _, p := range s.world.pairs {
		used[p.field] = true
	}
	for c := range ours {
		if !used[c] {
			t.Errorf("field %s is handled by no agency", c)
		}
	}
	// Fields per agency by level: old communes ~7, districts ~15,
	// departments their sector's 1–5, the PPC a few; the new city's units
	// handle what their predecessors did: a commune that took a district's
	// seat the district's fields too, a merged department several sectors.
	for _, tc := range []struct {
		now  time.Time
		want map[string][2]int
	}{
		{pinned2024, map[string][2]int{catalog.LevelProvince: {2, 5}, catalog.LevelDept: {1, 5}, catalog.LevelDistrict: {12, 18}, catalog.LevelCommune: {6, 8}}},
		{testNow, map[string][2]int{catalog.LevelProvince: {2, 5}, catalog.LevelDept: {1, 9}, catalog.LevelCommune: {6, 18}}},
	} {
		sim := newSim(t, 47, tc.now)
		agencyFields := map[string]int{}
		for _, r := range sim.Report(tc.now, tc.now) {
			agencyFields[r.Agency]++
		}
		for _, a := range sim.Agencies() {
			n, w := agencyFields[a.Code], tc.want[a.Level]
			if strings.Contains(a.Name, "Hoàng Sa") {
				w = [2]int{0, 0} // no residents, no dossiers
			}
			if n < w[0] || n > w[1] {
				t.Errorf("%s: %s (%s) handles %d fields, want %d..%d", tc.now.Format(time.DateOnly), a.Code, a.Level, n, w[0], w[1])
			}
		}
	}
}

// TestSeriesBudget keeps the demo province under the docs/design.md §3 budget: 11
// series per pair (3 received, carried, 3 resolved, 2 in progress, withdrawn,
// awaiting) times 3 periods.
// The old two provinces, with 280 communes, are the larger map.
func TestSeriesBudget(t *testing.T) {
	for _, now := range []time.Time{testNow, pinned2024} {
		s := newSim(t, 47, now)
		pairs := len(s.Report(periods(now)["year"].From, now))
		series := pairs * 3 * 11
		t.Logf("%s: %d pairs, %d series", now.Format(time.DateOnly), pairs, series)
		if pairs > 2500 || series >= 100000 {
			t.Errorf("%s: %d pairs give %d series, over the budget", now.Format(time.DateOnly), pairs, series)
		}
	}
}

func TestRowJSONKeys(t *testing.T) {
	b, err := json.Marshal(Row{})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]int{}
	for _, k := range []string{"received", "resolved", "in_progress"} {
		var x map[string]int
		if err := json.Unmarshal(doc[k], &x); err != nil {
			t.Fatal(err)
		}
		m[k] = x
	}
	for k, want := range map[string][]string{
		"received":    {catalog.ChannelInPerson, catalog.ChannelOnline, catalog.ChannelPostal},
		"resolved":    catalog.ResolvedTimeliness,
		"in_progress": catalog.InProgressTimeliness,
	} {
		var got []string
		for x := range m[k] {
			got = append(got, x)
		}
		sort.Strings(got)
		w := append([]string(nil), want...)
		sort.Strings(w)
		if strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("%s keys %v, want the catalog's %v", k, got, w)
		}
	}
}

func TestDeterminism(t *testing.T) {
	p := periods(testNow)["month"]
	body := func(seed int64, path string, q url.Values) []byte {
		srv := newServer(t, newSim(t, seed, testNow))
		resp, b := get(t, srv, path, q)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, b)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		path string
		q    url.Values
	}{
		{"standard", StandardPath, standardQuery(p, 1, 1000)},
		{"igate", IGatePath, igateQuery(p, 0, 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := body(47, tc.path, tc.q), body(47, tc.path, tc.q)
			if !bytes.Equal(a, b) {
				t.Error("same seed and clock gave different bytes")
			}
			if bytes.Equal(a, body(48, tc.path, tc.q)) {
				t.Error("another seed gave the same bytes")
			}
		})
	}
}

// counts flattens a row's counts in a fixed order.
func counts(r Row) []int {
	return []int{r.CarriedOver, r.Received.InPerson, r.Received.Online, r.Received.Postal,
		r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late, r.InProgress.NotDue, r.InProgress.Overdue,
		r.Withdrawn, r.AwaitingSupplement}
}

func TestInvariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
	}{
		{"mid-month weekday", testNow},
		{"new year before the desks open", time.Date(2027, 1, 1, 6, 0, 0, 0, ICT)},
		{"quarter start afternoon", time.Date(2026, 4, 1, 16, 0, 0, 0, ICT)},
		{"year end last minute", time.Date(2026, 12, 31, 23, 59, 0, 0, ICT)},
		{"sunday", time.Date(2026, 11, 22, 12, 0, 0, 0, ICT)},
		{"leap day", time.Date(2028, 2, 29, 9, 0, 0, 0, ICT)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, 47, tc.now)
			ps := periods(tc.now)
			byPeriod := map[string]map[[2]string]Row{}
			for _, name := range catalog.Periods {
				rows := s.Report(ps[name].From, ps[name].To)
				if len(rows) == 0 {
					t.Fatalf("%s: no rows", name)
				}
				m := map[[2]string]Row{}
				for i, r := range rows {
					if i > 0 && (rows[i-1].Agency > r.Agency || rows[i-1].Agency == r.Agency && rows[i-1].Field >= r.Field) {
						t.Errorf("%s: rows not sorted at %s/%s", name, r.Agency, r.Field)
					}
					for _, c := range counts(r) {
						if c < 0 {
							t.Errorf("%s %s/%s: negative count %v", name, r.Agency, r.Field, r)
						}
					}
					if r.Resolved.Total() > r.CarriedOver+r.Received.Total() {
						t.Errorf("%s %s/%s: resolved %d > carried %d + received %d", name, r.Agency, r.Field, r.Resolved.Total(), r.CarriedOver, r.Received.Total())
					}
					m[[2]string{r.Agency, r.Field}] = r
				}
				byPeriod[name] = m
			}
			for _, pair := range [][2]string{{"month", "quarter"}, {"quarter", "year"}} {
				short, long := byPeriod[pair[0]], byPeriod[pair[1]]
				for k, r := range short {
					l, ok := long[k]
					if !ok {
						t.Errorf("%v in the %s but not in the %s", k, pair[0], pair[1])
						continue
					}
					cs, cl := counts(r), counts(l)
					for i := range cs {
						if cl[i] < cs[i] {
							t.Errorf("%v: %s count #%d %d < %s %d", k, pair[1], i, cl[i], pair[0], cs[i])
						}
					}
				}
			}
		})
	}
}

// TestSlowlyMoving: the month to date grows a little through the day and from
// one day to the next, never jumps, never shrinks.
func TestSlowlyMoving(t *testing.T) {
	total := func(now time.Time) int {
		s := newSim(t, 47, now)
		n := 0
		for _, r := range s.Report(time.Date(2026, 11, 1, 0, 0, 0, 0, ICT), now) {
			n += r.Received.Total()
		}
		return n
	}
	base := total(testNow)
	for _, tc := range []struct {
		name     string
		later    time.Time
		min, max float64 // growth as a share of base
	}{
		{"an hour later", testNow.Add(time.Hour), 0.001, 0.03},
		{"next day", testNow.Add(24 * time.Hour), 0.01, 0.1},
	} {
		g := float64(total(tc.later)-base) / float64(base)
		if g < tc.min || g > tc.max {
			t.Errorf("%s: month to date grew by %.2f%%, want %.1f%%..%.1f%%", tc.name, 100*g, 100*tc.min, 100*tc.max)
		}
	}
}

func lateShare(rows []Row, keep func(Row) bool) float64 {
	late, all := 0, 0
	for _, r := range rows {
		if keep(r) {
			late += r.Resolved.Late
			all += r.Resolved.Total()
		}
	}
	if all == 0 {
		return 0
	}
	return float64(late) / float64(all)
}

func TestRealism(t *testing.T) {
	s := newSim(t, 47, testNow)
	rows := s.Report(periods(testNow)["month"].From, testNow)
	level := map[string]string{}
	for _, a := range s.Agencies() {
		level[a.Code] = a.Level
	}

	// Late shares per agency (resolved-only definition).
	type acc struct{ late, all, received int }
	per := map[string]*acc{}
	for _, r := range rows {
		a := per[r.Agency]
		if a == nil {
			a = &acc{}
			per[r.Agency] = a
		}
		a.late += r.Resolved.Late
		a.all += r.Resolved.Total()
		a.received += r.Received.Total()
	}
	under5, judged, over10 := 0, 0, 0
	var communeVolumes []int
	maxVolume := 0
	for c, a := range per {
		if a.all == 0 {
			continue
		}
		judged++
		share := float64(a.late) / float64(a.all)
		if share < 0.05 {
			under5++
		}
		if share > 0.10 && a.all >= catalog.DefaultThresholds.LateMinVolume {
			over10++
		}
		if level[c] == catalog.LevelCommune {
			communeVolumes = append(communeVolumes, a.received)
		}
		maxVolume = max(maxVolume, a.received)
	}
	sort.Ints(communeVolumes)
	medianCommune := communeVolumes[len(communeVolumes)/2]
	ddLocal := lateShare(rows, func(r Row) bool {
		return r.Field == "DD" && (level[r.Agency] == catalog.LevelDistrict || level[r.Agency] == catalog.LevelCommune)
	})
	province := lateShare(rows, func(Row) bool { return true })
	t.Logf("under 5%%: %d/%d; over 10%%: %d; DD at huyen/xa: %.1f%%; province: %.1f%%; busiest agency %d, median commune %d dossiers this month",
		under5, judged, over10, 100*ddLocal, 100*province, maxVolume, medianCommune)

	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"more than 70% of agencies under 5% late", float64(under5)/float64(judged) > 0.7},
		{"land at district and commune level above 5% late", ddLocal > 0.05},
		{"at least 2 agencies above 10% late", over10 >= 2},
		{"the province as a whole under 5% late", province < 0.05},
		{"busy agencies see thousands of dossiers a month", maxVolume >= 2000},
		{"communes see tens to hundreds", medianCommune >= 10 && medianCommune < 1000},
	} {
		if !tc.ok {
			t.Errorf("not realistic: %s", tc.name)
		}
	}

	over5, o10 := s.LateAgencies()
	for _, c := range s.ChronicallyLate() {
		if !contains(o10, c) || !contains(over5, c) {
			t.Errorf("chronically late %s not reported by LateAgencies (over5 %v, over10 %v)", c, over5, o10)
		}
	}
	if len(o10) < 2 {
		t.Errorf("LateAgencies over10 = %v, want at least 2", o10)
	}

	// Channel mix: online between 20% and 70% of new dossiers, postal small.
	for _, r := range rows {
		n := r.Received.Total()
		if n < 200 {
			continue // small pairs are noisy
		}
		on, po := float64(r.Received.Online)/float64(n), float64(r.Received.Postal)/float64(n)
		if on < 0.15 || on > 0.75 || po > 0.06 {
			t.Errorf("%s/%s: online %.0f%%, postal %.0f%%", r.Agency, r.Field, 100*on, 100*po)
		}
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

type stdPage struct {
	Schema      string `json:"schema"`
	Period      string `json:"period"`
	From, To    string
	GeneratedAt string `json:"generated_at"`
	Page        int    `json:"page"`
	Pages       int    `json:"pages"`
	Rows        []Row  `json:"rows"`
}

type igPage struct {
	Content []struct {
		Agency         struct{ ID, Code, Name string } `json:"agency"`
		Sector         struct{ ID, Code, Name string } `json:"sector"`
		PreviousPeriod int                             `json:"previousPeriod"`
		Received       struct{ Direct, Online, Postal int }
		Resolved       struct{ Early, OnTime, Overdue int }
		Unresolved     struct{ OnTime, Overdue int }
		Cancelled      int `json:"cancelled"`
		AddReq         int `json:"additionalRequirement"`
	} `json:"content"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
}

var hex24 = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestPaging(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	vm := s.VendorSectorCodes()
	for _, name := range catalog.Periods {
		p := periods(testNow)[name]
		want := s.Report(p.From, p.To)
		wantSum := make([]int, 11)
		for _, r := range want {
			for i, c := range counts(r) {
				wantSum[i] += c
			}
		}
		t.Run(name+"/standard", func(t *testing.T) {
			seen := map[[2]string]int{}
			sum := make([]int, 11)
			pages := 1
			for page := 1; page <= pages; page++ {
				resp, b := get(t, srv, StandardPath, standardQuery(p, page, 700))
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("page %d: %d %s", page, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				var pg stdPage
				if err := json.Unmarshal(b, &pg); err != nil {
					t.Fatal(err)
				}
				if pg.Schema != Schema || pg.Period != name || pg.Page != page || pg.GeneratedAt != "2026-11-20T10:30:00+07:00" {
					t.Fatalf("page %d envelope %+v", page, pg)
				}
				pages = pg.Pages
				for _, r := range pg.Rows {
					seen[[2]string{r.Agency, r.Field}]++
					for i, c := range counts(r) {
						sum[i] += c
					}
				}
			}
			if pages != (len(want)+699)/700 {
				t.Errorf("pages = %d for %d rows", pages, len(want))
			}
			checkCoverage(t, want, seen, sum, wantSum)
		})
		t.Run(name+"/igate", func(t *testing.T) {
			seen := map[[2]string]int{}
			sum := make([]int, 11)
			pages := 1
			for page := 0; page < pages; page++ {
				resp, b := get(t, srv, IGatePath, igateQuery(p, page, 200))
				if resp.StatusCode != 200 {
					t.Fatalf("page %d: %d %s", page, resp.StatusCode, b)
				}
				var pg igPage
				if err := json.Unmarshal(b, &pg); err != nil {
					t.Fatal(err)
				}
				if pg.Number != page || pg.Size != 200 || pg.TotalElements != len(want) {
					t.Fatalf("page %d envelope number=%d size=%d total=%d", page, pg.Number, pg.Size, pg.TotalElements)
				}
				pages = pg.TotalPages
				for _, it := range pg.Content {
					f, ok := vm[it.Sector.Code]
					if !ok || !hex24.MatchString(it.Agency.ID) || !hex24.MatchString(it.Sector.ID) || it.Agency.Name == "" || it.Sector.Name == "" {
						t.Fatalf("bad item %+v", it)
					}
					seen[[2]string{it.Agency.Code, f}]++
					for i, c := range []int{it.PreviousPeriod, it.Received.Direct, it.Received.Online, it.Received.Postal,
						it.Resolved.Early, it.Resolved.OnTime, it.Resolved.Overdue, it.Unresolved.OnTime, it.Unresolved.Overdue,
						it.Cancelled, it.AddReq} {
						sum[i] += c
					}
				}
			}
			checkCoverage(t, want, seen, sum, wantSum)
		})
	}
	// A page past the end is empty, not an error.
	resp, b := get(t, srv, StandardPath, standardQuery(periods(testNow)["month"], 99, 1000))
	var pg stdPage
	if resp.StatusCode != 200 || json.Unmarshal(b, &pg) != nil || pg.Rows == nil || len(pg.Rows) != 0 {
		t.Errorf("page past the end: %d %.100s", resp.StatusCode, b)
	}
}

func checkCoverage(t *testing.T, want []Row, seen map[[2]string]int, sum, wantSum []int) {
	t.Helper()
	if len(seen) != len(want) {
		t.Errorf("pages hold %d distinct pairs, the report %d", len(seen), len(want))
	}
	for _, r := range want {
		if n := seen[[2]string{r.Agency, r.Field}]; n != 1 {
			t.Errorf("%s/%s seen %d times", r.Agency, r.Field, n)
		}
	}
	for i := range sum {
		if sum[i] != wantSum[i] {
			t.Errorf("count #%d: pages sum to %d, the report to %d", i, sum[i], wantSum[i])
		}
	}
}

func TestBadRequests(t *testing.T) {
	srv := newServer(t, newSim(t, 47, testNow))
	ok := "period=month&from=2026-11-01&to=2026-11-20"
	okIG := "from-date=2026-11-01T00:00:00&to-date=2026-11-20T23:59:59"
	for _, tc := range []struct {
		name, path, query string
		status            int
	}{
		{"standard ok", StandardPath, ok, 200},
		{"standard unknown param", StandardPath, ok + "&agency=000.00.31.H47", 400},
		{"standard unknown period", StandardPath, "period=week&from=2026-11-01&to=2026-11-20", 400},
		{"standard no period", StandardPath, "from=2026-11-01&to=2026-11-20", 400},
		{"standard no from", StandardPath, "period=month&to=2026-11-20", 400},
		{"standard bad date", StandardPath, "period=month&from=01/11/2026&to=2026-11-20", 400},
		{"standard from after to", StandardPath, "period=month&from=2026-11-21&to=2026-11-20", 400},
		{"standard range too long", StandardPath, "period=year&from=2024-01-01&to=2026-11-20", 400},
		{"standard page 0", StandardPath, ok + "&page=0", 400},
		{"standard page not a number", StandardPath, ok + "&page=one", 400},
		{"standard page size too big", StandardPath, ok + "&page_size=5001", 400},
		{"standard repeated param", StandardPath, ok + "&page=1&page=2", 400},
		{"igate ok", IGatePath, okIG, 200},
		{"igate date only", IGatePath, "from-date=2026-11-01&to-date=2026-11-20", 200},
		{"igate unknown param", IGatePath, okIG + "&period=month", 400},
		{"igate bad date", IGatePath, "from-date=2026-13-01T00:00:00&to-date=2026-11-20T23:59:59", 400},
		{"igate page -1", IGatePath, okIG + "&page=-1", 400},
		{"igate size 0", IGatePath, okIG + "&size=0", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tc.path + "?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.status == 400 {
				var e struct{ Error string }
				if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
					t.Errorf("400 without a JSON error: %s", b)
				}
			}
		})
	}
	for _, tc := range []struct{ name, path, body string }{
		{"faults unknown mode", "/-/faults", `{"mode":"explode"}`},
		{"faults unknown key", "/-/faults", `{"mode":"none","latencyy":"1s"}`},
		{"faults bad rate", "/-/faults", `{"mode":"none","error_rate":1.5}`},
		{"faults bad duration", "/-/faults", `{"mode":"none","latency":"soon"}`},
		{"late unknown agency", "/-/late", `{"agency":"000.00.99.H15","late_share":0.2}`},
		{"late agency no longer in force", "/-/late", `{"agency":"000.00.31.H47","late_share":0.2}`},
		{"late share above 1", "/-/late", `{"agency":"000.01.00.H15","late_share":2}`},
		{"late share missing", "/-/late", `{"agency":"000.01.00.H15"}`},
		{"late not JSON", "/-/late", `late`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, b := post(t, srv, tc.path, tc.body); resp.StatusCode != 400 {
				t.Errorf("status %d, want 400: %s", resp.StatusCode, b)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	q := standardQuery(periods(testNow)["month"], 1, 1000)
	setFaults := func(t *testing.T, body string) {
		t.Helper()
		if resp, b := post(t, srv, "/-/faults", body); resp.StatusCode != 200 {
			t.Fatalf("POST /-/faults %s: %d %s", body, resp.StatusCode, b)
		}
	}
	for _, tc := range []struct {
		name  string
		body  string
		check func(t *testing.T)
	}{
		{"error500", `{"mode":"error500"}`, func(t *testing.T) {
			for _, path := range []string{StandardPath, IGatePath} {
				qq := q
				if path == IGatePath {
					qq = igateQuery(periods(testNow)["month"], 0, 200)
				}
				if resp, _ := get(t, srv, path, qq); resp.StatusCode != 500 {
					t.Errorf("%s: status %d", path, resp.StatusCode)
				}
			}
			if resp, _ := get(t, srv, "/-/healthy", nil); resp.StatusCode != 200 {
				t.Errorf("/-/healthy: status %d under a data fault", resp.StatusCode)
			}
		}},
		{"error429 default Retry-After", `{"mode":"error429"}`, func(t *testing.T) {
			resp, _ := get(t, srv, StandardPath, q)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
				t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}},
		{"error429 Retry-After rounded up", `{"mode":"error429","retry_after":"1500ms"}`, func(t *testing.T) {
			resp, _ := get(t, srv, StandardPath, q)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
				t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}},
		{"malformed", `{"mode":"malformed"}`, func(t *testing.T) {
			resp, b := get(t, srv, StandardPath, q)
			var v any
			if resp.StatusCode != 200 || json.Unmarshal(b, &v) == nil {
				t.Errorf("status %d, body decodes: %.80s", resp.StatusCode, b)
			}
		}},
		{"huge", `{"mode":"huge"}`, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + IGatePath + "?" + igateQuery(periods(testNow)["month"], 0, 200).Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close() // goes away mid-body: the server must stop
			n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 65<<20))
			if err != nil || resp.StatusCode != 200 || n <= 64<<20 {
				t.Errorf("status %d, read %d bytes, err %v", resp.StatusCode, n, err)
			}
		}},
		{"error rate", `{"mode":"none","error_rate":0.5}`, func(t *testing.T) {
			fails := 0
			for range 40 {
				if resp, _ := get(t, srv, StandardPath, url.Values{"period": {"month"}, "from": {"2026-11-20"}, "to": {"2026-11-20"}}); resp.StatusCode == 500 {
					fails++
				}
			}
			if fails < 8 || fails > 32 {
				t.Errorf("%d of 40 requests failed at error_rate 0.5", fails)
			}
		}},
		{"latency", `{"mode":"none","latency":"150ms"}`, func(t *testing.T) {
			start := time.Now()
			if resp, _ := get(t, srv, StandardPath, q); resp.StatusCode != 200 || time.Since(start) < 150*time.Millisecond {
				t.Errorf("status %d after %v", resp.StatusCode, time.Since(start))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+StandardPath+"?"+q.Encode(), nil)
			if resp, err := srv.Client().Do(req); err == nil {
				resp.Body.Close()
				t.Error("a client that gives up got an answer")
			}
		}},
		{"none", `{"mode":"none"}`, func(t *testing.T) {
			if resp, _ := get(t, srv, StandardPath, q); resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setFaults(t, tc.body)
			tc.check(t)
		})
	}

	// GET shows the current faults in the POST shape; the Go method agrees.
	setFaults(t, `{"mode":"error429","latency":"250ms","error_rate":0.1,"retry_after":"1s"}`)
	_, b := get(t, srv, "/-/faults", nil)
	var f Faults
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	want := Faults{Mode: FaultError429, Latency: 250 * time.Millisecond, ErrorRate: 0.1, RetryAfter: time.Second}
	if f != want || s.CurrentFaults() != want {
		t.Errorf("GET /-/faults = %s (%+v), want %+v", b, f, want)
	}
	if err := s.SetFaults(Faults{}); err != nil || s.CurrentFaults().Mode != FaultNone {
		t.Errorf("SetFaults(zero) = %v, mode %q", err, s.CurrentFaults().Mode)
	}
	if err := s.SetFaults(Faults{Mode: "explode"}); err == nil {
		t.Error("SetFaults accepted an unknown mode")
	}
}

func TestLateOverride(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	month := periods(testNow)["month"]
	share := func(code string) float64 {
		return lateShare(s.Report(month.From, month.To), func(r Row) bool { return r.Agency == code })
	}
	// Pick a busy agency that keeps the rule.
	const code = "000.00.05.H15" // Sở Tài chính, with business registration
	base := share(code)
	if base >= 0.05 {
		t.Fatalf("%s starts at %.1f%% late; pick another agency", code, 100*base)
	}
	for _, tc := range []struct {
		name     string
		body     string
		min, max float64
	}{
		{"pushed over", `{"agency":"` + code + `","late_share":0.2}`, 0.15, 0.25},
		{"cleared", `{"agency":"` + code + `","late_share":-1}`, base, base},
		{"zero", `{"agency":"` + code + `","late_share":0}`, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, b := post(t, srv, "/-/late", tc.body); resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			if got := share(code); got < tc.min || got > tc.max {
				t.Errorf("late share %.3f, want %.3f..%.3f", got, tc.min, tc.max)
			}
		})
	}
	_, b := get(t, srv, "/-/late", nil)
	if !strings.Contains(string(b), code) {
		t.Errorf("GET /-/late = %s", b)
	}
	s.ClearLateShare(code)
	if got := share(code); got != base || len(s.LateShareOverrides()) != 0 {
		t.Errorf("after ClearLateShare: %.3f, overrides %v", got, s.LateShareOverrides())
	}
}

func TestServeListener(t *testing.T) {
	s := newSim(t, 47, testNow)
	ln, err := s.Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeListener(ctx, ln, nil) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/-/healthy")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthy: %d", resp.StatusCode)
	}
	// A slow fault response must not hold shutdown up.
	if err := s.SetFaults(Faults{Latency: time.Minute}); err != nil {
		t.Fatal(err)
	}
	go func() {
		if r, err := http.Get("http://" + ln.Addr().String() + StandardPath + "?period=month&from=2026-11-01&to=2026-11-20"); err == nil {
			r.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeListener: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("ServeListener did not return after cancel")
	}
	if err := s.Serve(context.Background(), "256.0.0.1:1", nil); err == nil {
		t.Error("Serve on a bad address did not fail")
	}
}

func TestWriteCSV(t *testing.T) {
	s := newSim(t, 47, testNow)
	for _, tc := range []struct {
		name   string
		write  func(io.Writer) error
		header string
		rows   int
	}{
		{"agencies", func(w io.Writer) error { return WriteAgenciesCSV(w, s.Agencies()) }, "code,name,level,parent,unit_code", len(s.Agencies())},
		{"lineage", func(w io.Writer) error { return WriteLineageCSV(w, s.Lineage()) }, "old_code,old_name,old_level,new_code,date,share,old_unit_code", len(s.Lineage())},
		{"fields", func(w io.Writer) error { return WriteFieldsCSV(w, s.Fields()) }, "code,name", len(s.Fields())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(recs[0], ",") != tc.header || len(recs)-1 != tc.rows {
				t.Errorf("header %v, %d rows; want %s, %d", recs[0], len(recs)-1, tc.header, tc.rows)
			}
		})
	}
	var buf bytes.Buffer
	_ = WriteAgenciesCSV(&buf, s.Agencies())
	for _, want := range []string{`000.00.23.H15,"Sở Văn hóa, Thể thao và Du lịch",so,000.00.00.H15,` + "\n", "000.01.00.H15,Phường Hải Vân,xa,000.00.00.H15,20194\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("agencies file has no line %q (a name with a comma is quoted, the unit code last)", want)
		}
	}
	buf.Reset()
	_ = WriteLineageCSV(&buf, s.Lineage())
	for _, want := range []string{
		"000.02.37.H15,Xã Hòa Liên,xa,000.01.00.H15,2025-07-01,0.2,\n",
		"000.00.04.H47,Sở Kế hoạch và Đầu tư,so,000.00.05.H47,2025-03-01,1,\n",
		"000.00.05.H47,Sở Tài chính,so,000.00.05.H15,2025-07-01,1,\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("lineage file has no line %q", want)
		}
	}
}

func BenchmarkReportMonth(b *testing.B) {
	s := newSim(b, 47, testNow)
	from, today := civilDay(time.Date(2026, 11, 1, 0, 0, 0, 0, ICT)), civilDay(testNow)
	b.ReportAllocs()
	for b.Loop() {
		// compute, not Report: the cache would answer every call but the first.
		if rows := s.compute(from, today, today, 630, nil); len(rows) == 0 {
			b.Fatal("no rows")
		}
	}
}

func ExampleSim_Report() {
	now := time.Date(2026, 11, 20, 10, 30, 0, 0, ICT)
	s := New(Options{Seed: 47, Now: func() time.Time { return now }})
	rows := s.Report(time.Date(2026, 11, 1, 0, 0, 0, 0, ICT), now)
	fmt.Println(len(rows) > 800, rows[0].Agency)
	// Output: true 000.00.00.H15
}
