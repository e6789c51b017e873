package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/vneid"
)

func getVNeID(t *testing.T, srv interface {
	Client() *http.Client
}, base string, q url.Values) (int, VNeIDReport, []byte) {
	t.Helper()
	u := base + VNeIDPath
	if q != nil {
		u += "?" + q.Encode()
	}
	resp, err := srv.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var rep VNeIDReport
	if resp.StatusCode == 200 && json.Valid(b) {
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("body: %v", err)
		}
	}
	return resp.StatusCode, rep, b
}

// TestVNeIDEveryCommune: the endpoint lists every commune-level unit with
// residents (all of the new city's but Đặc khu Hoàng Sa) once, in code
// order, with consistent counts near the province's ~35%.
func TestVNeIDEveryCommune(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	status, rep, _ := getVNeID(t, srv, srv.URL, nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	var communes []string
	for _, a := range s.Agencies() {
		if a.Level == catalog.LevelCommune && a.Name != "Đặc khu Hoàng Sa" {
			communes = append(communes, a.Code)
		}
	}
	if len(communes) != 93 || len(rep.Units) != len(communes) {
		t.Fatalf("%d units for %d communes", len(rep.Units), len(communes))
	}
	if rep.Schema != vneid.Schema || rep.AsOf != "2026-11-20" {
		t.Errorf("schema %q, as_of %q", rep.Schema, rep.AsOf)
	}
	pop := s.VNeIDPopulation14Plus()
	var popSum, act, iss int
	for i, u := range rep.Units {
		if u.Code != communes[i] {
			t.Fatalf("unit %d is %s, want %s", i, u.Code, communes[i])
		}
		p := pop[u.Code]
		if u.Activated <= 0 || u.Activated > u.Issued || u.Issued > u.Applications || u.Applications > p {
			t.Errorf("%s: population %d, applications %d, issued %d, activated %d", u.Code, p, u.Applications, u.Issued, u.Activated)
		}
		popSum += p
		act += u.Activated
		iss += u.Issued
	}
	coverage := float64(act) / float64(popSum)
	t.Logf("population 14+ %d, issued %d, activated %d: activation %.1f%%, coverage %.1f%%", popSum, iss, act, 100*float64(act)/float64(iss), 100*coverage)
	// About 77% of the new city's 3,065,628 people.
	if popSum < 2_200_000 || popSum > 2_550_000 {
		t.Errorf("population aged 14+ %d is not the new Đà Nẵng's", popSum)
	}
	if coverage < 0.32 || coverage > 0.38 {
		t.Errorf("coverage %.3f, want about 35%%", coverage)
	}
}

// TestVNeIDSlowlyRising: counts never decrease from one day to the next and
// move by little; over months they grow.
func TestVNeIDSlowlyRising(t *testing.T) {
	s := newSim(t, 47, testNow)
	total := func(d time.Time) (sum [3]int) {
		for _, u := range s.VNeID(d) {
			sum[0] += u.Applications
			sum[1] += u.Issued
			sum[2] += u.Activated
		}
		return sum
	}
	prev := s.VNeID(testNow.AddDate(0, 0, -1))
	for i, u := range s.VNeID(testNow) {
		p := prev[i]
		if u.Applications < p.Applications || u.Issued < p.Issued || u.Activated < p.Activated {
			t.Errorf("%s decreased: %+v -> %+v", u.Code, p, u)
		}
	}
	a, b := total(testNow.AddDate(0, 0, -1)), total(testNow)
	if grow := float64(b[2]-a[2]) / float64(a[2]); grow <= 0 || grow > 0.005 {
		t.Errorf("activated grew %.4f%% in a day", 100*grow)
	}
	if y := total(testNow.AddDate(-1, 0, 0)); y[2] >= b[2] || float64(b[2])/float64(y[2]) > 1.3 {
		t.Errorf("activated a year ago %d, now %d", y[2], b[2])
	}
	if d := total(testNow); d != b {
		t.Error("not deterministic")
	}
	if other := New(Options{Seed: 48, Now: func() time.Time { return testNow }}).VNeID(testNow); other[0] == s.VNeID(testNow)[0] {
		t.Error("the seed does not matter")
	}
}

func TestVNeIDRequests(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	f := func(q url.Values, want int, msg string) {
		t.Helper()
		status, rep, body := getVNeID(t, srv, srv.URL, q)
		if status != want || !strings.Contains(string(body), msg) {
			t.Errorf("%v: status %d body %s", q, status, body)
		}
		if status == 200 && rep.AsOf != q.Get("as_of") {
			t.Errorf("as_of %s echoed as %s", q.Get("as_of"), rep.AsOf)
		}
	}
	f(url.Values{"as_of": {"2026-06-30"}}, 200, `"as_of":"2026-06-30"`)
	f(url.Values{"as_of": {"2026-11-21"}}, 400, "after today")
	f(url.Values{"as_of": {"2022-06-30"}}, 400, "before 2022-07-01")
	f(url.Values{"as_of": {"20/11/2026"}}, 400, "not a date")
	f(url.Values{"province": {"47"}}, 400, "unknown query parameter")

	// The fault knobs apply.
	if err := s.SetFaults(Faults{Mode: FaultMalformed}); err != nil {
		t.Fatal(err)
	}
	if _, _, body := getVNeID(t, srv, srv.URL, url.Values{"as_of": {"2026-11-01"}}); json.Valid(body) {
		t.Error("malformed fault served valid JSON")
	}
	s.SetFaults(Faults{Mode: FaultError500})
	if status, _, _ := getVNeID(t, srv, srv.URL, nil); status != 500 {
		t.Errorf("error500 fault: status %d", status)
	}
	s.SetFaults(Faults{})
}

// getter is the smallest HTTP client for the vneid source.
type getter struct {
	c    *http.Client
	base string
}

func (g getter) Get(ctx context.Context, p string, q url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+p+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := g.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// TestVNeIDSourceReadsSimulator runs the real vneid source against the
// endpoint with the simulated province's units: every commune is accepted.
func TestVNeIDSourceReadsSimulator(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	env := source.Env{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return testNow },
		Location: ICT,
		Agencies: map[string]source.Agency{},
	}
	for _, a := range s.Agencies() {
		env.Agencies[a.Code] = a
	}
	pop := 0
	for _, n := range s.VNeIDPopulation14Plus() {
		pop += n
	}
	cfg := vneid.Config{Population14Plus: int64(pop)}
	cfg.SetDefaults()
	src, err := vneid.New("vneid", cfg, getter{srv.Client(), srv.URL}, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 0 {
		t.Errorf("rejected %v", res.Rejected)
	}
	var communes int
	var act, popProv float64
	for _, smp := range res.Samples {
		if err := smp.Metric.ValidateLabels(smp.Labels); err != nil {
			t.Error(err)
		}
		switch {
		case smp.Metric == catalog.VNeIDActivated && smp.Labels[1] == catalog.LevelCommune:
			communes++
		case smp.Metric == catalog.VNeIDActivated && smp.Labels[1] == catalog.LevelProvince:
			act = smp.Value
		case smp.Metric == catalog.VNeIDPopulation:
			popProv = smp.Value
		}
	}
	if communes != 93 || act == 0 || popProv != float64(pop) {
		t.Errorf("%d communes, province activated %v, population %v", communes, act, popProv)
	}
	if c := catalog.VNeIDCoverage(act, popProv); c < 0.32 || c > 0.38 {
		t.Errorf("coverage %.3f", c)
	}
}

var updateVNeID = flag.Bool("vneid.update", false, "rewrite deploy/vneid from the simulated province")

// vneidDeploy is where the demo's VNeID files live: the population file, and
// the drop directory of the dir mode with one police-style report.
const (
	vneidDeployPopulation = "../../deploy/vneid/population.csv"
	vneidDeployReports    = "../../deploy/vneid/reports"
	vneidDeployReport     = vneidDeployReports + "/bao-cao-vneid-2026-11-20.csv"
)

// deployClock is the clock deploy/'s files are written at (as deploy/agencies.csv).
var deployClock = time.Date(2026, 12, 1, 12, 0, 0, 0, ICT)

// TestVNeIDDeployFiles keeps deploy/vneid equal to the demo province (seed
// 47 at deployClock, as deploy/agencies.csv) and checks the vneid source
// reads it whole: go test ./collector/simulate -run TestVNeIDDeployFiles
// -args -vneid.update rewrites the files.
func TestVNeIDDeployFiles(t *testing.T) {
	s := New(Options{Seed: 47, Now: func() time.Time { return deployClock }})
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, ICT)
	for file, write := range map[string]func(io.Writer) error{
		vneidDeployPopulation: s.WriteVNeIDPopulationCSV,
		vneidDeployReport:     func(w io.Writer) error { return s.WriteVNeIDReportCSV(w, asOf) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if *updateVNeID {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s differs from the simulated province (%v): go test ./collector/simulate -run TestVNeIDDeployFiles -args -vneid.update", file, err)
		}
	}

	env := source.Env{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return testNow },
		Location: ICT,
		Agencies: map[string]source.Agency{},
	}
	for _, a := range s.Agencies() {
		env.Agencies[a.Code] = a
	}
	total := 0
	for _, n := range s.VNeIDPopulation14Plus() {
		total += n
	}
	cfg := vneid.Config{Mode: vneid.ModeDir, Dir: vneidDeployReports, PopulationFile: vneidDeployPopulation, Population14Plus: int64(total)}
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	src, err := vneid.New("vneid", cfg, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 0 {
		t.Errorf("rejected %v", res.Rejected)
	}
	counts := map[string]int{}
	for _, smp := range res.Samples {
		if smp.Metric == catalog.VNeIDAsOf {
			if smp.Value != float64(asOf.Unix()) {
				t.Errorf("as of %v, want the report's 20/11/2026", smp.Value)
			}
			continue
		}
		counts[smp.Metric.Name+"/"+smp.Labels[1]]++
	}
	for k, n := range map[string]int{"vneid_accounts_activated/xa": 93, "vneid_accounts_activated/tinh": 1, "vneid_population_14plus/xa": 93, "vneid_population_14plus/tinh": 1} {
		if counts[k] != n {
			t.Errorf("%s: %d samples, want %d", k, counts[k], n)
		}
	}
}
