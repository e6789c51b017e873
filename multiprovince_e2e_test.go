package main

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards/boards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// Many provinces and HA pairs in one VictoriaMetrics, on the real binaries:
// govpulse demos feed a victoria-metrics (scraped by vmagent, or pushing),
// vmalert evaluates the committed recording rules against it and writes
// the results back, and the recorded figures are compared with what a
// single instance gives (README, "Many provinces and HA pairs").

// vmStack is a victoria-metrics with a vmalert evaluating the generated
// recording rules on it.
type vmStack struct{ url string }

// startVMStack starts victoria-metrics (with extra flags) and vmalert
// evaluating deploy/'s recording rules every 5 s.
func startVMStack(t *testing.T, deadline time.Time, vmFlags ...string) vmStack {
	t.Helper()
	vm, vmalert := needBinary(t, "victoria-metrics"), needBinary(t, "vmalert")
	dir := t.TempDir()
	addr := freeAddr(t)
	startBinary(t, vm, append([]string{"-storageDataPath=" + filepath.Join(dir, "vm"), "-httpListenAddr=" + addr,
		"-retentionPeriod=100y", "-loggerLevel=ERROR", "-search.latencyOffset=0s", "-search.disableCache"}, vmFlags...)...)
	s := vmStack{url: "http://" + addr}
	pollUntil(t, deadline, "VictoriaMetrics healthy", func() bool { return httpOK(s.url + "/health") })
	ruleFile, err := filepath.Abs(filepath.Join("deploy", filepath.FromSlash(rules.RecordingFile)))
	if err != nil {
		t.Fatal(err)
	}
	alertAddr := freeAddr(t)
	startBinary(t, vmalert, "-rule="+ruleFile, "-datasource.url="+s.url, "-remoteWrite.url="+s.url,
		"-evaluationInterval=5s", "-remoteWrite.flushInterval=1s", "-httpListenAddr="+alertAddr, "-loggerLevel=ERROR")
	pollUntil(t, deadline, "vmalert healthy", func() bool { return httpOK("http://" + alertAddr + "/health") })
	return s
}

// flush makes what was just written searchable.
func (s vmStack) flush() {
	if resp, err := http.Get(s.url + "/internal/force_flush"); err == nil {
		_ = resp.Body.Close()
	}
}

// query runs an instant query.
func (s vmStack) query(t *testing.T, q string) []promSample {
	t.Helper()
	return promQuery(t, s.url, q)
}

// figures are the series of one name by their labels, province, instance
// and replica left out ("agency=…,period=…" → value).
type figures map[string]float64

func key(m map[string]string) string {
	var ks []string
	for k, v := range m {
		if k != "__name__" && k != catalog.LabelProvince && k != catalog.LabelInstance && k != catalog.LabelReplica && k != catalog.LabelJob {
			ks = append(ks, k+"="+v)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// recorded reads the recorded series name of one province.
func (s vmStack) recorded(t *testing.T, name, province string) figures {
	t.Helper()
	out := figures{}
	for _, x := range s.query(t, name+"{"+catalog.LabelProvince+"="+fmt.Sprintf("%q", province)+"}") {
		out[key(x.Metric)] = x.float()
	}
	return out
}

// diff says how got differs from want (empty: they are the same figures).
func (got figures) diff(want figures) string {
	var d []string
	for k, w := range want {
		g, ok := got[k]
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			d = append(d, fmt.Sprintf("%s: got %v (present %v), want %v", k, g, ok, w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, k+": not wanted")
		}
	}
	sort.Strings(d)
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("… %d differences", len(d)))
	}
	return strings.Join(d, "; ")
}

// TestHAPairCountsOnce: two replicas of one province (same seed, same
// frozen clock, replica a and b) scraped by vmagent into one
// victoria-metrics with deduplication. Their series reach the store twice:
// as the replicas' own (instance and replica kept: the rules' max over
// them counts the pair once) and with instance and replica dropped by
// vmagent's relabelling (identical series, deduplicated by
// -dedup.minScrapeInterval). Beside them replica a alone, a single
// instance. Every recorded series of every recording rule is the same in
// all three.
func TestHAPairCountsOnce(t *testing.T) {
	vmagent := needBinary(t, "vmagent")
	deadline := time.Now().Add(100 * time.Second)
	s := startVMStack(t, deadline, "-dedup.minScrapeInterval=5s")
	// Frozen clocks: started a moment apart, running clocks would collect
	// slightly different figures, and the pair's max would be neither's.
	a := startServe(t, io.Discard, "--demo", "--demo.seed=47", "--demo.time="+busyTime, "--demo.frozen")
	defer a.stop(t)
	b := startServe(t, io.Discard, "--demo", "--demo.seed=47", "--demo.time="+busyTime, "--demo.frozen")
	defer b.stop(t)

	const pair, deduped, single = "48", "48d", "ref"
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 5s
  scrape_timeout: 5s
scrape_configs:
  - job_name: govpulse
    static_configs:
      - targets: [%[1]q]
        labels: {province: %[3]q, replica: "a"}
      - targets: [%[2]q]
        labels: {province: %[3]q, replica: "b"}
  - job_name: govpulse-deduplicated
    static_configs:
      - targets: [%[1]q]
        labels: {province: %[4]q, replica: "a"}
      - targets: [%[2]q]
        labels: {province: %[4]q, replica: "b"}
    # Identical series from both replicas: VictoriaMetrics keeps one sample per interval.
    metric_relabel_configs:
      - action: labeldrop
        regex: instance|replica
  - job_name: govpulse-single
    static_configs:
      - targets: [%[1]q]
        labels: {province: %[5]q}
`, a.addr, b.addr, pair, deduped, single)
	cfgFile := filepath.Join(dir, "scrape.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	startBinary(t, vmagent, "-promscrape.config="+cfgFile, "-remoteWrite.url="+s.url+"/api/v1/write",
		"-remoteWrite.tmpDataPath="+filepath.Join(dir, "queue"), "-httpListenAddr="+freeAddr(t), "-loggerLevel=ERROR")

	names := catalog.RecordedSeries()
	var last string
	defer func() {
		if t.Failed() {
			t.Log("last difference: " + last)
		}
	}()
	pollUntil(t, deadline, "the pair's recorded figures to be a single instance's", func() bool {
		s.flush()
		for _, r := range names {
			ref := s.recorded(t, r.Name, single)
			if len(ref) == 0 {
				last = r.Name + ": nothing recorded for the single instance yet"
				return false
			}
			for _, p := range []string{pair, deduped} {
				if d := s.recorded(t, r.Name, p).diff(ref); d != "" {
					last = r.Name + " of " + p + ": " + d
					return false
				}
			}
		}
		return true
	})
	// The pair's raw series are there twice, so the rules had something to count once.
	s.flush()
	if n := s.query(t, `count(`+catalog.AgencyInfo.Name+`{province="`+pair+`"})`); len(n) != 1 || n[0].float() < 200 {
		t.Fatalf("the pair's agency info series: %v", n)
	}
	t.Logf("%d recorded series names: the HA pair, as replicas or deduplicated, gives a single instance's figures", len(names))
}

// provinceRef is a deliberately simple reference: one province's one-stop
// figures summed by hand from its own /metrics.
type provinceRef struct {
	resolved, late, overdue map[string]float64 // by scope key
}

// scrapeRef sums the instance's exposition at url into the agency, level
// and province figures of the recorded sums and the resolved_only late rate.
func scrapeRef(t *testing.T, url string) provinceRef {
	t.Helper()
	fams, _ := scrape(t, url)
	if fams == nil {
		t.Fatalf("cannot scrape %s", url)
	}
	level := map[string]string{}
	for _, m := range fams[catalog.AgencyInfo.Name].GetMetric() {
		level[label(m, catalog.LabelAgency)] = label(m, catalog.LabelLevel)
	}
	r := provinceRef{resolved: map[string]float64{}, late: map[string]float64{}, overdue: map[string]float64{}}
	add := func(to map[string]float64, m *dto.Metric) {
		ag, period := label(m, catalog.LabelAgency), label(m, catalog.LabelPeriod)
		v := m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
		to[catalog.LabelAgency+"="+ag+","+catalog.LabelPeriod+"="+period] += v
		to[catalog.LabelLevel+"="+level[ag]+","+catalog.LabelPeriod+"="+period] += v
		to[catalog.LabelPeriod+"="+period] += v
	}
	for _, m := range fams[catalog.DossiersResolved.Name].GetMetric() {
		add(r.resolved, m)
		if label(m, catalog.LabelTimeliness) == catalog.ResolvedLate {
			add(r.late, m)
		}
	}
	for _, m := range fams[catalog.DossiersInProgress.Name].GetMetric() {
		if label(m, catalog.LabelTimeliness) == catalog.InProgressOverdue {
			add(r.overdue, m)
		}
	}
	return r
}

// of picks the reference figures of a scope (by the labels its keys carry).
func of(all map[string]float64, sc catalog.Scope) figures {
	out := figures{}
	for k, v := range all {
		var ls []string
		for _, kv := range strings.Split(k, ",") {
			ls = append(ls, strings.SplitN(kv, "=", 2)[0])
		}
		want := []string{}
		for _, l := range sc.Labels {
			if l != catalog.LabelProvince {
				want = append(want, l)
			}
		}
		want = append(want, catalog.LabelPeriod)
		if strings.Join(ls, ",") == strings.Join(want, ",") {
			out[k] = v
		}
	}
	return out
}

// TestManyProvincesInOneStore: three demos as three provinces (codes 01,
// 48, 79, seeds 1, 47, 79, the same agency codes) push into one
// victoria-metrics, labelled by --demo.province. Each province's recorded
// sums and late rates are what its own instance exposes, summed by hand,
// and each of the national board's queries (read from the committed
// board) returns one row per province, named.
func TestManyProvincesInOneStore(t *testing.T) {
	deadline := time.Now().Add(100 * time.Second)
	s := startVMStack(t, deadline)
	provinces := map[string]string{"01": "1", "48": "47", "79": "79"}
	addrs := map[string]string{}
	for code, seed := range provinces {
		srv := startServe(t, io.Discard, "--demo", "--demo.province="+code, "--demo.seed="+seed, "--demo.time="+busyTime,
			"--vm.push-url", s.url+"/api/v1/import/prometheus", "--vm.push-interval", "5s")
		defer srv.stop(t)
		addrs[code] = srv.addr
	}

	late := func(r catalog.Recorded) string {
		return r.Name + `{` + catalog.LabelDefinition + `="` + catalog.LateResolvedOnly + `"}`
	}
	var last string
	defer func() {
		if t.Failed() {
			t.Log("last difference: " + last)
		}
	}()
	pollUntil(t, deadline, "each province's recorded figures to be its own instance's", func() bool {
		s.flush()
		for code, addr := range addrs {
			ref := scrapeRef(t, "http://"+addr+"/metrics")
			for _, sc := range catalog.Scopes {
				checks := []struct {
					series string
					want   figures
				}{
					{catalog.ResolvedSum.At(sc).Name, of(ref.resolved, sc)},
					{catalog.OverdueSum.At(sc).Name, of(ref.overdue, sc)},
					{late(catalog.LateRate.Numerator(sc)), of(ref.late, sc)},
					{late(catalog.LateRate.Denominator(sc)), of(ref.resolved, sc)},
				}
				ratio := figures{}
				for k, den := range of(ref.resolved, sc) {
					if den > 0 {
						ratio[k+","+catalog.LabelDefinition+"="+catalog.LateResolvedOnly] = of(ref.late, sc)[k] / den
					}
				}
				for _, c := range checks {
					want := c.want
					if strings.Contains(c.series, catalog.LabelDefinition) {
						want = figures{}
						for k, v := range c.want {
							want[k+","+catalog.LabelDefinition+"="+catalog.LateResolvedOnly] = v
						}
					}
					if d := s.recordedSel(t, c.series, code).diff(sortKeys(want)); d != "" {
						last = code + " " + c.series + ": " + d
						return false
					}
				}
				if d := s.recordedSel(t, late(catalog.LateRate.Ratio(sc)), code).diff(sortKeys(ratio)); d != "" {
					last = code + " " + sc.Prefix + " late rate: " + d
					return false
				}
			}
		}
		return true
	})

	// The national board: one named row per province, as Grafana runs it.
	queries := panelQueries(t, filepath.Join("deploy", boards.DashboardDir, "toan-quoc.json"))
	if len(queries) < 4 {
		t.Fatalf("the national board has %d queries", len(queries))
	}
	for title, q := range queries {
		if strings.Contains(q, "$") && !strings.Contains(q, `"$1"`) {
			t.Errorf("%s: %q reads a variable", title, q)
		}
		var got []promSample
		pollUntil(t, deadline, title+": one row per province", func() bool {
			s.flush()
			got = s.query(t, q)
			return len(got) == len(provinces)
		})
		names := map[string]bool{}
		for _, x := range got {
			if _, ok := provinces[x.Metric[catalog.LabelProvince]]; !ok || x.Metric[catalog.LabelName] == "" || names[x.Metric[catalog.LabelName]] {
				t.Errorf("%s: row %v is not one named province", title, x.Metric)
			}
			names[x.Metric[catalog.LabelName]] = true
		}
	}
	t.Logf("%d provinces, each its own figures; the national board's %d queries one row each", len(provinces), len(queries))
}

// recordedSel reads a recorded series selector (name{…}) of one province.
func (s vmStack) recordedSel(t *testing.T, selector, province string) figures {
	t.Helper()
	m := `{` + catalog.LabelProvince + `="` + province + `"}`
	if strings.HasSuffix(selector, "}") {
		m = `,` + catalog.LabelProvince + `="` + province + `"}`
		selector = strings.TrimSuffix(selector, "}")
	}
	out := figures{}
	for _, x := range s.query(t, selector+m) {
		out[key(x.Metric)] = x.float()
	}
	return out
}

// sortKeys writes each key's labels in sorted order, as key does.
func sortKeys(f figures) figures {
	out := figures{}
	for k, v := range f {
		parts := strings.Split(k, ",")
		sort.Strings(parts)
		out[strings.Join(parts, ",")] = v
	}
	return out
}

// TestDemoProvince: --demo.province names the config's province and its
// province-level agency after the code, keeps every agency code, and
// refuses a code that is not two digits.
func TestDemoProvince(t *testing.T) {
	cfg, err := generatedDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, a := range cfg.Agencies {
		codes[a.Code] = a.Name
	}
	if err := setDemoProvince(cfg, "01"); err != nil {
		t.Fatal(err)
	}
	if cfg.Province.Code != "01" {
		t.Errorf("province code %q", cfg.Province.Code)
	}
	renamed := 0
	for _, a := range cfg.Agencies {
		old, ok := codes[a.Code]
		switch {
		case !ok:
			t.Errorf("agency %s is new", a.Code)
		case a.Level == catalog.LevelProvince && strings.HasSuffix(a.Name, "01)") && strings.HasPrefix(a.Name, old):
			renamed++
		case a.Name != old:
			t.Errorf("agency %s renamed %q → %q", a.Code, old, a.Name)
		}
	}
	if renamed != 1 {
		t.Errorf("%d province-level agencies named after the code, want 1", renamed)
	}
	agencies := map[string]source.Agency{}
	for _, a := range cfg.Agencies {
		agencies[a.Code] = a
	}
	if _, err := source.ProvinceCode("", agencies); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"1", "001", "4a"} {
		if err := setDemoProvince(&config.Config{}, bad); err == nil {
			t.Errorf("--demo.province %q: no error", bad)
		}
	}
}
