package portal

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
)

var ict = time.FixedZone("ICT", 7*3600)

// aug2024 is a clock inside the month of the published figures.
func aug2024() time.Time { return time.Date(2024, 8, 31, 10, 0, 0, 0, ict) }

func testEnv() source.Env {
	agencies := map[string]source.Agency{}
	add := func(code, level, parent string) {
		agencies[code] = source.Agency{Code: code, Name: "x", Level: level, Parent: parent}
	}
	add("000.00.00.H47", catalog.LevelProvince, "")
	for i := 1; i <= 5; i++ {
		add(fmt.Sprintf("000.00.%02d.H47", i), catalog.LevelDept, "000.00.00.H47")
	}
	add("000.00.31.H47", catalog.LevelDistrict, "000.00.00.H47")
	add("000.00.32.H47", catalog.LevelDistrict, "000.00.00.H47")
	add("000.01.31.H47", catalog.LevelCommune, "000.00.31.H47")
	add("000.02.31.H47", catalog.LevelCommune, "000.00.31.H47")
	return source.Env{
		Logger:   slog.New(slog.DiscardHandler),
		Now:      aug2024,
		Location: ict,
		Agencies: agencies,
	}
}

// portalServer answers the reporting endpoints from testdata files, chosen
// by route(path, request); it records every request body.
type portalServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Request
}

func newPortalServer(t *testing.T, route func(path string, r Request) string) *portalServer {
	t.Helper()
	s := &portalServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		var req Request
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		name := route(r.URL.Path, req)
		if name == "" {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			// Not a file: the body itself.
			b = []byte(name)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *portalServer) requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// recorded routes to the recorded August 2024 payloads.
func recorded(path string, r Request) string {
	switch {
	case path == DefaultScoresPath && r.RootDepartmentCode == "":
		return "national-2024-08.json"
	case path == DefaultScoresPath:
		return "units-2024-08.json"
	case path == DefaultSyncPath:
		return "sync-2024-08.json"
	case path == DefaultServicesPath:
		return "services.json"
	}
	return ""
}

func newSource(t *testing.T, url string, cfg Config, env source.Env) *Source {
	t.Helper()
	cl, err := httpc.New(httpc.Config{URL: url, RateLimit: 1000, Burst: 100, Retries: httpc.Int(1), RetryWait: time.Millisecond, RetryMaxWait: 2 * time.Millisecond}, env.Logger)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	s, err := New("portal", cfg, cl, env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// samples indexes a result as name{label,label} → value, checking every
// sample against the catalog on the way.
func samples(t *testing.T, res *source.Result) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, s := range res.Samples {
		if err := s.Metric.ValidateLabels(s.Labels); err != nil {
			t.Errorf("invalid sample: %v", err)
		}
		if s.Metric.Source != catalog.SourcePortal {
			t.Errorf("%s belongs to source %s", s.Metric.Name, s.Metric.Source)
		}
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) || s.Value < 0 {
			t.Errorf("%s%v = %v", s.Metric.Name, s.Labels, s.Value)
		}
		k := s.Metric.Name + "{" + strings.Join(s.Labels, ",") + "}"
		if _, dup := out[k]; dup {
			t.Errorf("duplicate series %s", k)
		}
		out[k] = s.Value
	}
	return out
}

func collect(t *testing.T, s *Source) *source.Result {
	t.Helper()
	res, err := s.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return res
}

func TestQuangNamAugust2024(t *testing.T) {
	srv := newPortalServer(t, recorded)
	s := newSource(t, srv.URL, Config{Periods: []string{catalog.PeriodMonth}, Collect: []string{ReportScores}}, testEnv())
	got := samples(t, collect(t, s))

	// Published: 13.2, 18.4, 7.7, 7.6, 17.6, 15.6 = 80.1, rank 21 of 63.
	want := map[string]float64{
		"cong_khai": 13.2, "tien_do": 18.4, "dvctt": 7.7, "thanh_toan": 7.6, "hai_long": 17.6, "so_hoa": 15.6,
	}
	sum := 0.0
	for g, v := range want {
		k := "qd766_group_score{000.00.00.H47," + g + ",month}"
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
		sum += got[k]
	}
	if math.Abs(sum-80.1) > 1e-9 {
		t.Errorf("groups add up to %v, want 80.1", sum)
	}
	for k, v := range map[string]float64{
		"qd766_total_score{000.00.00.H47,month}":  80.1,
		"qd766_rank{000.00.00.H47,month}":         21,
		"qd766_units_ranked{000.00.00.H47,month}": 63,
		"qd766_group_max_score{cong_khai}":        18,
		"qd766_group_max_score{tien_do}":          20,
		"qd766_group_max_score{dvctt}":            12,
		"qd766_group_max_score{thanh_toan}":       10,
		"qd766_group_max_score{hai_long}":         18,
		"qd766_group_max_score{so_hoa}":           22,
	} {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	// No other province leaks into the export.
	for k := range got {
		if strings.Contains(k, ".H") && !strings.Contains(k, ".H47") {
			t.Errorf("exported another province: %s", k)
		}
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	wantNational := Request{TimeType: "month", Year: 2024, Month: 8, CurrentPage: 1, PageSize: DefaultPageSize}
	if reqs[0] != wantNational {
		t.Errorf("national request = %+v, want %+v", reqs[0], wantNational)
	}
	wantUnits := wantNational
	wantUnits.RootDepartmentCode = "000.00.00.H47"
	if reqs[1] != wantUnits {
		t.Errorf("units request = %+v, want %+v", reqs[1], wantUnits)
	}
}

func TestUnitScores(t *testing.T) {
	srv := newPortalServer(t, recorded)
	cfg := Config{
		Periods: []string{catalog.PeriodMonth}, Collect: []string{ReportScores},
		DepartmentCodes: map[string]string{"0c1e5a7e-2f1d-4f4e-9b59-5a1f7d1f0004": "000.00.04.H47"},
	}
	res := collect(t, newSource(t, srv.URL, cfg, testEnv()))
	got := samples(t, res)
	want := map[string]float64{
		// Departments: 91.2 first, two tied at 86.35 second, 70.0 fourth.
		"qd766_total_score{000.00.03.H47,month}":  91.2,
		"qd766_rank{000.00.03.H47,month}":         1,
		"qd766_rank{000.00.02.H47,month}":         2,
		"qd766_rank{000.00.04.H47,month}":         2, // mapped from its departmentId
		"qd766_rank{000.00.05.H47,month}":         4,
		"qd766_units_ranked{000.00.05.H47,month}": 4,
		// Districts rank among districts, communes among communes.
		"qd766_rank{000.00.32.H47,month}":                 1,
		"qd766_rank{000.00.31.H47,month}":                 2,
		"qd766_units_ranked{000.00.31.H47,month}":         2,
		"qd766_total_score{000.01.31.H47,month}":          74, // a quoted number
		"qd766_rank{000.01.31.H47,month}":                 1,
		"qd766_units_ranked{000.01.31.H47,month}":         1,
		"qd766_group_score{000.00.02.H47,dvctt,month}":    9.25,
		"qd766_group_score{000.00.05.H47,hai_long,month}": 16,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	// A null group has no figure: not exported, not 0.
	if _, ok := got["qd766_group_score{000.00.05.H47,thanh_toan,month}"]; ok {
		t.Error("a null group score was exported")
	}
	// The province's own row in its unit list does not override the national figures.
	if got["qd766_rank{000.00.00.H47,month}"] != 21 {
		t.Errorf("province rank = %v, want 21", got["qd766_rank{000.00.00.H47,month}"])
	}
	wantRej := map[string]int{
		catalog.RejectUnknownCode:  1, // 000.00.99.H47
		catalog.RejectBadCode:      1, // a name where the code should be
		catalog.RejectMalformed:    4, // no code, no total, "n/a", a string row
		catalog.RejectNegative:     1,
		catalog.RejectInconsistent: 3, // above the group max, groups ≠ total, total > 100
		catalog.RejectDuplicate:    1,
	}
	if !maps.Equal(res.Rejected, wantRej) {
		t.Errorf("rejected = %v, want %v", res.Rejected, wantRej)
	}
}

func TestSync(t *testing.T) {
	srv := newPortalServer(t, recorded)
	res := collect(t, newSource(t, srv.URL, Config{Periods: []string{catalog.PeriodMonth}, Collect: []string{ReportSync}}, testEnv()))
	got := samples(t, res)
	want := map[string]float64{
		"dvcqg_dossiers_received_local{000.00.00.H47,month}":    57,
		"dvcqg_dossiers_received_local{000.00.02.H47,month}":    812,
		"dvcqg_dossiers_received_national{000.00.02.H47,month}": 805,
		"dvcqg_dossiers_synced{000.00.02.H47,month}":            801,
		"dvcqg_dossiers_received_national{000.00.03.H47,month}": 1452,
		"dvcqg_dossiers_received_local{000.00.31.H47,month}":    400,
		"dvcqg_dossiers_synced{000.00.31.H47,month}":            383,
	}
	if len(got) != 12 {
		t.Errorf("got %d samples, want 12 (4 agencies × 3): %v", len(got), got)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got["dvcqg_dossiers_synced{000.00.32.H47,month}"]; ok {
		t.Error("an agency without dossiers costs series")
	}
	wantRej := map[string]int{
		catalog.RejectInconsistent: 1, // synced > national
		catalog.RejectNegative:     1,
		catalog.RejectMalformed:    2, // 12.5 dossiers, no code
		catalog.RejectUnknownCode:  1,
		catalog.RejectDuplicate:    1,
	}
	if !maps.Equal(res.Rejected, wantRej) {
		t.Errorf("rejected = %v, want %v", res.Rejected, wantRej)
	}
	if res.Read != 11 { // the children rows, rejected ones included
		t.Errorf("read %d, want 11", res.Read)
	}
	r := srv.requests()[0]
	if r.RootDepartmentCode != "000.00.00.H47" || r.TimeType != "month" || r.Month != 8 {
		t.Errorf("sync request = %+v", r)
	}
}

func TestServices(t *testing.T) {
	srv := newPortalServer(t, recorded)
	res := collect(t, newSource(t, srv.URL, Config{Collect: []string{ReportServices}}, testEnv()))
	got := samples(t, res)
	want := map[string]float64{
		"dvcqg_procedures{000.00.02.H47}":                     96,
		"dvcqg_services_online{000.00.02.H47,toan_trinh}":     41,
		"dvcqg_services_online{000.00.02.H47,mot_phan}":       38,
		"dvcqg_services_integrated{000.00.02.H47,toan_trinh}": 36,
		"dvcqg_services_integrated{000.00.02.H47,mot_phan}":   33,
		"dvcqg_services_integrated{000.00.03.H47,toan_trinh}": 52,
		"dvcqg_procedures{000.00.31.H47}":                     0,
		"dvcqg_services_online{000.00.00.H47,toan_trinh}":     3,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got["dvcqg_procedures{000.00.03.H47}"]; ok {
		t.Error("a null authorityCount was exported")
	}
	wantRej := map[string]int{catalog.RejectInconsistent: 2, catalog.RejectNegative: 1, catalog.RejectUnknownCode: 1}
	if !maps.Equal(res.Rejected, wantRej) {
		t.Errorf("rejected = %v, want %v", res.Rejected, wantRej)
	}
	if r := srv.requests()[0]; r != (Request{RootDepartmentCode: "000.00.00.H47", CurrentPage: 1, PageSize: DefaultPageSize}) {
		t.Errorf("services request = %+v", r)
	}
}

func TestRequestsPerPeriod(t *testing.T) {
	env := testEnv()
	env.Now = func() time.Time { return time.Date(2026, 5, 14, 9, 0, 0, 0, ict) }
	srv := newPortalServer(t, func(string, Request) string { return `{"code":"OK","data":{"evaluation":[],"children":null}}` })
	res := collect(t, newSource(t, srv.URL, Config{}, env))
	// Nothing scored yet: only the catalog's maxima.
	if n := len(res.Samples); n != len(catalog.QD766Groups) {
		t.Errorf("samples = %d, want %d", n, len(catalog.QD766Groups))
	}
	var got []string
	for _, r := range srv.requests() {
		got = append(got, fmt.Sprintf("%s y%d q%d m%d root=%s", r.TimeType, r.Year, r.Quarter, r.Month, r.RootDepartmentCode))
	}
	want := []string{
		"month y2026 q0 m5 root=", "month y2026 q0 m5 root=000.00.00.H47",
		"quarter y2026 q2 m0 root=", "quarter y2026 q2 m0 root=000.00.00.H47",
		"year y2026 q0 m0 root=", "year y2026 q0 m0 root=000.00.00.H47",
		"month y2026 q0 m5 root=000.00.00.H47", "quarter y2026 q2 m0 root=000.00.00.H47", "year y2026 q0 m0 root=000.00.00.H47",
		" y0 q0 m0 root=000.00.00.H47",
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPagination(t *testing.T) {
	page := func(n, total int, code string) string {
		return fmt.Sprintf(`{"code":"OK","data":{"children":[{"departmentCode":%q,"totalReceived":%d,"totalNationalReceived":%d,"totalSynced":%d}],"totalPages":%d}}`, code, n, n, n, total)
	}
	srv := newPortalServer(t, func(_ string, r Request) string {
		return page(r.CurrentPage, 3, fmt.Sprintf("000.00.%02d.H47", r.CurrentPage))
	})
	got := samples(t, collect(t, newSource(t, srv.URL, Config{Periods: []string{catalog.PeriodYear}, Collect: []string{ReportSync}}, testEnv())))
	for i := 1; i <= 3; i++ {
		if k := fmt.Sprintf("dvcqg_dossiers_synced{000.00.%02d.H47,year}", i); got[k] != float64(i) {
			t.Errorf("%s = %v, want %d", k, got[k], i)
		}
	}
	if n := len(srv.requests()); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}

	// A portal that always announces one more page is cut off.
	endless := newPortalServer(t, func(_ string, r Request) string { return page(1, r.CurrentPage+1, "000.00.01.H47") })
	s := newSource(t, endless.URL, Config{Periods: []string{catalog.PeriodYear}, Collect: []string{ReportSync}, MaxPages: 4}, testEnv())
	_, err := s.Collect(t.Context())
	if source.Reason(err) != catalog.ReasonDecode || !strings.Contains(err.Error(), "more than 4 pages") {
		t.Errorf("err = %v", err)
	}
}

func TestBadBodies(t *testing.T) {
	cases := map[string]struct {
		body string
		msg  string // part of the error
	}{
		"truncated JSON":     {`{"code":"OK","data":{"evaluation":[{"departmentCode":"000.00.00.H47","tot`, "malformed JSON"},
		"HTML error page":    {"<html><body>Request Rejected</body></html>", "malformed JSON"},
		"error envelope":     {`{"code":"ERR_RATE","message":"Quá nhiều yêu cầu"}`, `code "ERR_RATE"`},
		"rows not an array":  {`{"code":"OK","data":{"evaluation":{"a":1}}}`, "data.evaluation is not an array"},
		"data not an object": {`{"code":"OK","data":[1,2]}`, "data is not an object"},
		"bad page count":     {`{"code":"OK","data":{"evaluation":[],"totalPages":-1}}`, "not a page count"},
		"province not listed": {`{"code":"OK","data":{"evaluation":[{"departmentCode":"000.00.00.H56","totalScore":70,"groupScores":{}}]}}`,
			"none valid for province 000.00.00.H47"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newPortalServer(t, func(string, Request) string { return c.body })
			s := newSource(t, srv.URL, Config{Periods: []string{catalog.PeriodMonth}, Collect: []string{ReportScores}}, testEnv())
			res, err := s.Collect(t.Context())
			if err == nil {
				t.Fatalf("Collect succeeded with %d samples", len(res.Samples))
			}
			if source.Reason(err) != catalog.ReasonDecode {
				t.Errorf("reason = %q, want decode (err %v)", source.Reason(err), err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v, want it to mention %q", err, c.msg)
			}
		})
	}
}

func TestHTTPFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, err := newSource(t, srv.URL, Config{}, testEnv()).Collect(t.Context())
	if source.Reason(err) != catalog.ReasonHTTP5xx {
		t.Errorf("reason = %q (err %v)", source.Reason(err), err)
	}
}

func TestNew(t *testing.T) {
	env := testEnv()
	if _, err := New("p", Config{Province: "000.00.01.H56"}, nil, env); err == nil || !strings.Contains(err.Error(), "not in the agency list") {
		t.Errorf("unknown province: err = %v", err)
	}
	s, err := New("p", Config{}, nil, env)
	if err != nil || s.province != "000.00.00.H47" {
		t.Errorf("default province: %v, %v", s, err)
	}
	env.Agencies["000.00.00.H49"] = source.Agency{Code: "000.00.00.H49", Level: catalog.LevelProvince}
	if _, err := New("p", Config{}, nil, env); err == nil || !strings.Contains(err.Error(), "2 agencies of level tinh") {
		t.Errorf("two provinces: err = %v", err)
	}
	if _, err := New("p", Config{Province: "000.00.00.H49"}, nil, env); err != nil {
		t.Errorf("explicit province: %v", err)
	}
}

func TestValidate(t *testing.T) {
	f := func(c Config, want ...string) {
		t.Helper()
		var got []string
		for _, e := range c.Validate() {
			got = append(got, e.Error())
		}
		if !slices.Equal(got, want) {
			t.Errorf("Validate(%+v):\n got %q\nwant %q", c, got, want)
		}
	}
	f(Config{})
	f(Config{Province: "000.00.00.H47", Periods: []string{"month", "year"}, Collect: []string{"sync"}, PageSize: 100, MaxPages: 3,
		Paths: Paths{Scores: "/a", Sync: "/b", Services: "/c"}, DepartmentCodes: map[string]string{"uuid": "000.00.00.H47"}})
	f(Config{Province: "Quảng Nam"}, `province: "Quảng Nam" is not an agency e-ID code like 000.00.00.H47`)
	f(Config{Periods: []string{"week", "month", "month"}},
		`periods[0]: must be one of month, quarter, year, not "week"`, `periods[2]: "month" listed twice`)
	f(Config{Collect: []string{"ranks"}}, `collect[0]: must be one of scores, sync, services, not "ranks"`)
	f(Config{PageSize: -1, MaxPages: -2}, "page_size: must be between 1 and 10000, got -1", "max_pages: must be positive, got -2")
	f(Config{Paths: Paths{Sync: "api/sync"}}, `paths.sync: must start with /, got "api/sync"`)
	f(Config{DepartmentCodes: map[string]string{"abc": "H47"}}, `department_codes.abc: "H47" is not an agency e-ID code like 000.00.00.H47`)
}

func TestSetDefaults(t *testing.T) {
	var c Config
	c.SetDefaults()
	if !slices.Equal(c.Periods, catalog.Periods) || !slices.Equal(c.Collect, Reports) || c.PageSize != DefaultPageSize ||
		c.MaxPages != DefaultMaxPages || c.Paths != (Paths{DefaultScoresPath, DefaultSyncPath, DefaultServicesPath}) {
		t.Errorf("defaults: %+v", c)
	}
	// SetDefaults must not share the catalog's slice.
	c.Periods[0] = "x"
	if catalog.Periods[0] != catalog.PeriodMonth {
		t.Fatal("SetDefaults aliased catalog.Periods")
	}
}

// The recorded payloads must stay readable: a test that reads them through
// the source would hide a typo as a rejection.
func TestTestdataIsJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Errorf("%s is not valid JSON", f)
		}
	}
}

// The simulated province serves the same shapes: every agency comes through
// and nothing is rejected.
func TestAgainstSimulator(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 30, 0, 0, ict)
	sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	env := testEnv()
	env.Now = func() time.Time { return now }
	env.Agencies = map[string]source.Agency{}
	for _, a := range sim.Agencies() {
		env.Agencies[a.Code] = a
	}
	res := collect(t, newSource(t, srv.URL, Config{}, env))
	if len(res.Rejected) > 0 {
		t.Errorf("rejected %v", res.Rejected)
	}
	got := samples(t, res)
	const city = "000.00.00.H15" // the new Thành phố Đà Nẵng, among the 34 provinces of 2025
	for _, p := range catalog.Periods {
		if r := got["qd766_units_ranked{"+city+","+p+"}"]; r != 34 {
			t.Errorf("%s: province ranked among %v, want 34", p, r)
		}
		if v := got["qd766_total_score{"+city+","+p+"}"]; v < 80 || v > 83 {
			t.Errorf("%s: province total %v, want 80–83", p, v)
		}
	}
	// Đặc khu Hoàng Sa has no residents and no dossiers: no sync counts.
	handles := map[string]bool{}
	for _, r := range sim.Report(time.Date(2026, 1, 1, 0, 0, 0, 0, ict), now) {
		handles[r.Agency] = true
	}
	for code, a := range env.Agencies {
		if _, ok := got["dvcqg_services_online{"+code+",toan_trinh}"]; !ok {
			t.Errorf("no services for %s", code)
		}
		if _, ok := got["dvcqg_dossiers_received_local{"+code+",year}"]; !ok && (handles[code] || a.Level == catalog.LevelProvince) {
			t.Errorf("no year sync counts for %s", code)
		}
		if code == city {
			continue
		}
		if r, ok := got["qd766_rank{"+code+",month}"]; !ok || r < 1 {
			t.Errorf("no month rank for %s (%s)", code, a.Level)
		}
	}
}
