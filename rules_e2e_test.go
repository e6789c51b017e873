package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
	"github.com/govpulse/govpulse/exporters/prom"
)

// TestGeneratedFilesUpToDate runs `govpulse generate` into a temporary
// directory and compares every file with the committed one under deploy/, and
// looks for generated files under deploy/ that no generator writes any more.
func TestGeneratedFilesUpToDate(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"generate", "--out", dir}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	in, err := generateInput("", string(dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	files, err := generateFiles(in)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "\n"); n != len(files) || len(files) == 0 {
		t.Errorf("generate listed %d files, the generators make %d:\n%s", n, len(files), stdout.String())
	}
	const fix = "run: go run . generate --out deploy"
	generated := map[string]bool{}
	for _, f := range files {
		generated[f.Path] = true
		written, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(written, f.Data) {
			t.Errorf("generate wrote %s differently from the generator (%v)", f.Path, err)
		}
		committed, err := os.ReadFile(filepath.Join("deploy", filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			t.Errorf("deploy/%s: %v; %s", f.Path, err, fix)
		case !bytes.Equal(committed, f.Data):
			t.Errorf("deploy/%s is out of date; %s", f.Path, fix)
		}
	}
	_ = filepath.WalkDir("deploy", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, "deploy"+string(filepath.Separator)))
		if bytes.Contains(b[:min(len(b), 512)], []byte(dashboards.Notice)) && !generated[rel] {
			t.Errorf("%s says it is generated, but no generator writes it: delete it", p)
		}
		return nil
	})

	if err := run(context.Background(), []string{"generate", "--out", dir, "--lang", "fr"}, io.Discard, io.Discard); err == nil {
		t.Error("generate --lang fr: no error")
	}
}

// alertWebhook records Alertmanager's webhook notifications.
type alertWebhook struct {
	mu     sync.Mutex
	posts  int
	alerts []webhookAlert
}

type webhookAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func (h *alertWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p struct {
		Alerts []webhookAlert `json:"alerts"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.posts++
	h.alerts = append(h.alerts, p.Alerts...)
	h.mu.Unlock()
}

func (h *alertWebhook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts
}

// find returns the first notified alert with status and the agency whose
// alertname is one of names.
func (h *alertWebhook) find(status, agency string, names ...string) (webhookAlert, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range h.alerts {
		if a.Status == status && a.Labels[catalog.LabelAgency] == agency && slices.Contains(names, a.Labels["alertname"]) {
			return a, true
		}
	}
	return webhookAlert{}, false
}

// startBinary starts a real binary with its output in a buffer shown on
// failure; cleanup kills it by PID and waits for it.
func startBinary(t *testing.T, bin string, args ...string) {
	t.Helper()
	logs := &syncWriter{w: &bytes.Buffer{}}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("%s output:\n%s", filepath.Base(bin), logs.w)
			logs.mu.Unlock()
		}
	})
}

// pollUntil calls f every 200 ms until it returns true or the deadline passes.
func pollUntil(t *testing.T, deadline time.Time, what string, f func() bool) {
	t.Helper()
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func httpOK(u string) bool {
	resp, err := http.Get(u)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// promSample is one element of an instant query's vector result.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s promSample) float() float64 {
	str, _ := s.Value[1].(string)
	f, _ := strconv.ParseFloat(str, 64)
	return f
}

// promQuery runs an instant query; an error answer fails the test.
func promQuery(t *testing.T, promURL, q string) []promSample {
	t.Helper()
	resp, err := http.Get(promURL + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("query %s: %v %s", q, err, body.Error)
	}
	return body.Data.Result
}

// monthToDate is one agency's month-to-date resolved counts as govpulse
// collects them from sim.
type monthToDate struct {
	code      string
	late, all int
}

func (m monthToDate) rate() float64 { return float64(m.late) / float64(m.all) }

func monthCounts(sim *simulate.Sim, now time.Time) map[string]*monthToDate {
	p := source.CurrentPeriods(now, simulate.ICT)[0]
	out := map[string]*monthToDate{}
	for _, r := range sim.Report(p.From, p.To) {
		m := out[r.Agency]
		if m == nil {
			m = &monthToDate{code: r.Agency}
			out[r.Agency] = m
		}
		m.late += r.Resolved.Late
		m.all += r.Resolved.Total()
	}
	return out
}

// judged returns the agencies at or above threshold with enough volume, sorted.
func judged(counts map[string]*monthToDate, th catalog.Thresholds, threshold float64) []string {
	var out []string
	for c, m := range counts {
		if m.all >= th.LateMinVolume && m.rate() >= threshold {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func agenciesOf(ss []promSample) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Metric[catalog.LabelAgency])
	}
	sort.Strings(out)
	return out
}

// TestAlertsEndToEnd runs the generated rules on real binaries: the simulated
// province → govpulse (in-process, collecting every 3 s) → Prometheus (scrape
// and rules every 1 s, `for` shortened to 2 s) → Alertmanager (generated
// config, webhook to this test). Every generated expression must return data;
// the late-rate alerts must fire for exactly the agencies the simulator has
// over the thresholds; and an agency pushed to a 30% late share must be
// notified, with a Vietnamese summary naming it, and resolved when it recovers.
func TestAlertsEndToEnd(t *testing.T) {
	promBin := needBinary(t, "prometheus")
	amBin := needBinary(t, "prometheus-alertmanager")
	start := time.Now()
	deadline := start.Add(150 * time.Second) // generous: CI machines are shared

	// A busy day in mid-month: every agency has a month to date to judge
	// (early on the 1st there are no resolved dossiers yet).
	clock := testClock(t, busyTime)
	sim := simulate.New(simulate.Options{Seed: 47, Now: clock})
	upstream := httptest.NewServer(sim.Handler())
	defer upstream.Close()

	// The demo's sources (every rule must find data), on fast schedules.
	files := t.TempDir()
	if err := writeDemoFiles(files); err != nil {
		t.Fatal(err)
	}
	cfg, err := demoConfig(sim, upstream.URL, files)
	if err != nil {
		t.Fatal(err)
	}
	// VNeID is left out: no rule reads it.
	srcs := cfg.Sources[:0]
	for _, s := range cfg.Sources {
		if s.Type == catalog.SourceVNeID {
			continue
		}
		s.Schedule, s.Timeout = "@every 3s", 2500*time.Millisecond // slack for a loaded machine
		s.HTTP.RateLimit, s.HTTP.Burst = 500, 100
		srcs = append(srcs, s)
	}
	cfg.Sources = srcs
	cfg.StateDir = files
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	th := cfg.Thresholds
	names := map[string]string{}
	for _, a := range cfg.Agencies {
		names[a.Code] = a.Name
	}

	// The agency to push over the thresholds: the busiest one under the
	// warning threshold less the hysteresis margin (so that its alerts resolve
	// when it recovers), which a 30% late share (checked on a twin simulator)
	// takes over the critical threshold.
	now := clock()
	counts := monthCounts(sim, now)
	var pick *monthToDate
	for _, m := range counts {
		if m.all >= th.LateMinVolume && m.rate() < th.LateRateWarning-catalog.LateRateHysteresis && (pick == nil || m.all > pick.all) {
			pick = m
		}
	}
	if pick == nil {
		t.Fatal("no agency under the warning threshold with enough volume")
	}
	twin := simulate.New(simulate.Options{Seed: 47, Now: clock})
	if err := twin.SetLateShare(pick.code, 0.3); err != nil {
		t.Fatal(err)
	}
	pushed := monthCounts(twin, now)[pick.code]
	if pushed.all < th.LateMinVolume || pushed.rate() < th.LateRateCritical {
		t.Fatalf("a 30%% late share gives %s only %d / %d late this month: not enough to test", pick.code, pushed.late, pushed.all)
	}
	t.Logf("agency %s (%s): %d / %d late this month, %d / %d with the override", pick.code, names[pick.code], pick.late, pick.all, pushed.late, pushed.all)
	wantWarning, wantCritical := judged(counts, th, th.LateRateWarning), judged(counts, th, th.LateRateCritical)
	if len(wantCritical) == 0 {
		t.Fatal("the simulator has no agency over the critical threshold: the alerts cannot be shown to fire")
	}

	logs := &syncWriter{w: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := newDaemon(cfg, clock, logger, false)
	if err != nil {
		t.Fatal(err)
	}
	metrics := httptest.NewServer(prom.NewMux(d.exposition, prometheus.Gatherers{d.live, d.perScrape}, prom.ServerConfig{Version: Version, Ready: readyFunc(d.store)}, logger))
	defer metrics.Close()
	d.sched.Start()
	defer d.sched.Stop(2 * time.Second)

	hook := &alertWebhook{}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()

	// The generated files, in their test variant.
	dir := t.TempDir()
	ruleFiles, err := rules.RuleFiles(rules.Options{Thresholds: th, Lang: dashboards.Vi, For: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	amAddr, promAddr := freeAddr(t), freeAddr(t)
	var rulePaths []string
	for _, f := range ruleFiles {
		rulePaths = append(rulePaths, filepath.Join(dir, filepath.FromSlash(f.Path)))
	}
	promCfg, err := rules.PrometheusConfig(rules.PrometheusOptions{
		ScrapeInterval: time.Second, EvaluationInterval: time.Second,
		Targets: []string{strings.TrimPrefix(metrics.URL, "http://")}, Alertmanagers: []string{amAddr}, RuleFiles: rulePaths,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The generated Alertmanager configuration, its routing tree as
	// generated; the leaders' late-rate notifications also reach a JSON
	// webhook here, and no window is closed (the wall clock may be at night).
	amFiles := testAlertmanagerFiles(t, cfg, amSinks{http: hookSrv.URL, smtp: "127.0.0.1:1", leadersWebhook: true}, rules.Timing{GroupWait: time.Second, GroupInterval: time.Second, RepeatInterval: 4 * time.Hour})
	if err := dashboards.Write(dir, append(append(ruleFiles, promCfg), amFiles...)); err != nil {
		t.Fatal(err)
	}
	startBinary(t, amBin, "--config.file="+filepath.Join(dir, filepath.FromSlash(rules.AlertmanagerFile)), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=", "--log.level=warn")
	startBinary(t, promBin, "--config.file="+filepath.Join(dir, filepath.FromSlash(promCfg.Path)), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	promURL := "http://" + promAddr
	pollUntil(t, deadline, "Alertmanager ready", func() bool { return httpOK("http://" + amAddr + "/-/ready") })
	pollUntil(t, deadline, "Prometheus ready", func() bool { return httpOK(promURL + "/-/ready") })

	// Every generated expression returns data once the rules have run: recording
	// rules as written; alerts through their probe (the same expression with
	// bool comparisons, so it returns what the condition is judged on; for
	// absent(), the selector it judges: the job name must match the scrape).
	all, err := rules.Rules(rules.Options{Thresholds: th, Lang: dashboards.Vi, For: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var empty []string
	for {
		empty = empty[:0]
		for _, r := range all {
			q := r.Expr
			if r.Alert != "" {
				q = r.Probe
			}
			if len(promQuery(t, promURL, q)) == 0 {
				empty = append(empty, r.Record+r.Alert)
			}
		}
		if len(empty) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for every rule expression to return data; still empty: %v; govpulse logs:\n%s", empty, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("every expression returns data after %s", time.Since(start).Round(100*time.Millisecond))

	// The late-rate alerts as written select exactly the agencies the
	// simulator has over each threshold with enough volume; overdue dossiers
	// are everywhere in the simulated province.
	exprOf := func(a catalog.AlertRule) string {
		for _, r := range all {
			if r.Alert == a.Name {
				return r.Expr
			}
		}
		t.Fatalf("no alert %s", a.Name)
		return ""
	}
	if got := agenciesOf(promQuery(t, promURL, exprOf(catalog.AlertLateRateWarning))); !slices.Equal(got, wantWarning) {
		t.Errorf("warning selects %v\nthe simulator has %v", got, wantWarning)
	}
	if got := agenciesOf(promQuery(t, promURL, exprOf(catalog.AlertLateRateCritical))); !slices.Equal(got, wantCritical) {
		t.Errorf("critical selects %v\nthe simulator has %v", got, wantCritical)
	}
	if len(promQuery(t, promURL, exprOf(catalog.AlertDossiersOverdue))) == 0 {
		t.Error("no agency with overdue dossiers")
	}
	if got := promQuery(t, promURL, exprOf(catalog.AlertSourceDown)); len(got) != 0 {
		t.Errorf("source down while it is up: %v", got)
	}
	// The simulator's records are good: no rejected-share alert, and the
	// sources that read records count them (the share's denominator).
	for _, a := range []catalog.AlertRule{catalog.AlertSourceRejectedLimit, catalog.AlertSourceRejectedHigh} {
		if got := promQuery(t, promURL, exprOf(a)); len(got) != 0 {
			t.Errorf("%s selects %v with the simulator's good records", a.Name, got)
		}
	}
	// The meta-monitoring alerts as written are knowingly empty in a healthy
	// pipeline; their probes returned data above.
	for a, why := range map[catalog.AlertRule]string{
		catalog.AlertGovpulseDown:       "every scrape of govpulse succeeds",
		catalog.AlertGovpulseAbsent:     "absent() returns a series only while Prometheus scrapes no govpulse target, and it scrapes one",
		catalog.AlertScrapeSlow:         "a scrape copies pre-rendered bytes, in milliseconds, far below the threshold",
		catalog.AlertConfigReloadFailed: "no reload was tried, and the start counts as a successful load",
	} {
		if got := promQuery(t, promURL, exprOf(a)); len(got) != 0 {
			t.Errorf("%s selects %v, though %s", a.Name, got, why)
		}
	}
	var reading []string
	for _, s := range promQuery(t, promURL, catalog.SourceRead.Name+" > 0") {
		reading = append(reading, s.Metric[catalog.LabelSource])
	}
	sort.Strings(reading)
	if want := []string{catalog.SourceOnestop, "onestop_feed", catalog.SourcePortal}; !isSubset(want, reading) {
		t.Errorf("sources with records read: %v, want at least %v", reading, want)
	}
	late := lateSeries(catalog.LateRate.Ratio(catalog.ScopeAgency).Name, pick.code, th.LateRateDefinition)
	if got := promQuery(t, promURL, late); len(got) != 1 || got[0].float() >= th.LateRateWarning {
		t.Fatalf("%s = %v before the override, want one value under %v", late, got, th.LateRateWarning)
	}
	// The pipeline delivers: a chronically late agency is notified.
	pollUntil(t, deadline, "a critical notification for "+wantCritical[0], func() bool {
		_, ok := hook.find("firing", wantCritical[0], catalog.AlertLateRateCritical.Name)
		return ok
	})

	lateNames := []string{catalog.AlertLateRateWarning.Name, catalog.AlertLateRateCritical.Name}
	if a, ok := hook.find("firing", pick.code, lateNames...); ok {
		t.Fatalf("%s notified before the override: %+v", pick.code, a)
	}
	overrideAt := time.Now()
	if err := sim.SetLateShare(pick.code, 0.3); err != nil {
		t.Fatal(err)
	}
	var fired webhookAlert
	pollUntil(t, deadline, "a firing late-rate notification for "+pick.code, func() bool {
		var ok bool
		fired, ok = hook.find("firing", pick.code, lateNames...)
		return ok
	})
	t.Logf("%s notified %s after the override: %s", fired.Labels["alertname"], time.Since(overrideAt).Round(100*time.Millisecond), fired.Annotations["summary"])
	summary := fired.Annotations["summary"]
	for _, want := range []string{names[pick.code], "tỷ lệ hồ sơ " + catalog.Late.Vi, "từ đầu tháng đến nay", dashboards.Percent(th.LateRateCritical, dashboards.Vi)} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q does not contain %q", summary, want)
		}
	}
	// The notification links to the runbook and to the agency's own drill-down.
	if got, want := fired.Annotations[rules.AnnRunbookURL], (dashboards.Links{}).Runbook(fired.Labels["alertname"]); got != want {
		t.Errorf("runbook_url %q, want %q", got, want)
	}
	if got := fired.Annotations[rules.AnnDashboard]; !strings.HasPrefix(got, (dashboards.Links{}).Board(dashboards.BoardAgency)+"?") || !strings.HasSuffix(got, "="+pick.code) {
		t.Errorf("dashboard %q does not open the agency board on %s", got, pick.code)
	}
	if fired.Labels["name"] != names[pick.code] || fired.Labels[catalog.AlertLabelSeverity] == "" {
		t.Errorf("labels %v: want name %q and a severity", fired.Labels, names[pick.code])
	}

	recoverAt := time.Now()
	if err := sim.SetLateShare(pick.code, -1); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, deadline, "the resolved notification for "+pick.code, func() bool {
		_, ok := hook.find("resolved", pick.code, fired.Labels["alertname"])
		return ok
	})
	t.Logf("resolved notification %s after recovery; %d webhook posts; whole test %s",
		time.Since(recoverAt).Round(100*time.Millisecond), hook.count(), time.Since(start).Round(100*time.Millisecond))
	if t.Failed() {
		logs.mu.Lock()
		t.Logf("govpulse logs:\n%s", logs.w)
		logs.mu.Unlock()
	}
}

// isSubset reports whether every element of a is in b.
func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// lateSeries selects one agency's month-to-date series of a late-rate definition.
func lateSeries(name, agency, definition string) string {
	return fmt.Sprintf(`%s{%s=%q,%s=%q,%s=%q}`, name, catalog.LabelAgency, agency, catalog.LabelDefinition, definition, catalog.LabelPeriod, catalog.AlertPeriod)
}
