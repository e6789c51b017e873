package rules

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/dashboards"
)

// needBinary returns the path of a real binary. Outside CI a missing binary
// skips; in CI (CI=true) it fails, so CI can never pass by skipping.
func needBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found in CI: .ci/run must install it", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// runTool runs a binary with a bounded time and returns its combined output.
func runTool(t *testing.T, dir, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// testThresholds are the thresholds testdata/*.test.yml are written for.
var testThresholds = catalog.Thresholds{LateRateWarning: 0.05, LateRateCritical: 0.10, LateMinVolume: 20, LateRateDefinition: catalog.LateResolvedOnly, DueSoonSurgeFactor: 2, DueSoonMinCount: 10}

func defaultInput(t *testing.T, lang dashboards.Lang) dashboards.Input {
	t.Helper()
	cfg := &config.Config{} // no units, no sources: only the defaults matter here
	cfg.SetDefaults()
	return dashboards.Input{Config: cfg, Lang: lang}
}

// writeFiles writes files under dir and returns their paths by file path.
func writeFiles(t *testing.T, dir string, files []dashboards.File) map[string]string {
	t.Helper()
	if err := dashboards.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		out[f.Path] = filepath.Join(dir, filepath.FromSlash(f.Path))
	}
	return out
}

func TestEveryLateDefinitionHandled(t *testing.T) {
	for _, d := range catalog.LateRateDefinitions {
		ld, ok := lateDefinitions[d.Name]
		switch {
		case !ok:
			t.Errorf("late-rate definition %s has neither a formula nor a reason to skip it", d.Name)
		case ld.skip == "" && (ld.num == nil || ld.den == nil):
			t.Errorf("late-rate definition %s: formula incomplete", d.Name)
		}
	}
	for name := range lateDefinitions {
		if !slices.Contains(catalog.LateRateDefinitionNames(), name) {
			t.Errorf("lateDefinitions has %s, which the catalog does not define", name)
		}
	}
	for _, p := range catalog.Periods {
		if _, ok := periodText[p]; !ok {
			t.Errorf("period %s has no alert text", p)
		}
	}
}

// TestNamesFromCatalog: the generator records exactly the catalog's recorded
// series and writes exactly its alerts, each once.
func TestNamesFromCatalog(t *testing.T) {
	rs, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	var recorded, alerts []string
	for _, r := range rs {
		if r.Record != "" {
			recorded = append(recorded, r.Record)
		} else {
			alerts = append(alerts, r.Alert)
		}
	}
	var want []string
	for _, s := range catalog.RecordedSeries() {
		want = append(want, s.Name)
	}
	if got := names(rs[:len(recorded)]); !slices.Equal(got, want) {
		t.Errorf("recorded series:\n got %v\nwant %v", got, want)
	}
	var wantAlerts []string
	for _, a := range catalog.AlertRules {
		wantAlerts = append(wantAlerts, a.Name)
	}
	slices.Sort(alerts)
	slices.Sort(wantAlerts)
	if !slices.Equal(alerts, wantAlerts) {
		t.Errorf("alerts: got %v, want %v", alerts, wantAlerts)
	}
	for _, r := range rs {
		if r.Alert != "" && (r.Labels[catalog.AlertLabelSeverity] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" || r.Probe == r.Expr) {
			t.Errorf("alert %s: severity, summary, description and a distinct probe are required: %+v", r.Alert, r)
		}
	}
}

// TestThresholdsFromConfig: every threshold in the alerts is the config's;
// odd values show up in expressions and text, the defaults do not.
func TestThresholdsFromConfig(t *testing.T) {
	th := catalog.Thresholds{LateRateWarning: 0.0371, LateRateCritical: 0.0913, LateMinVolume: 37, LateRateDefinition: catalog.LateQD766, DueSoonSurgeFactor: 3.7, DueSoonMinCount: 17}
	rs, err := Rules(Options{Thresholds: th, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	check := func(alert catalog.AlertRule, want ...string) {
		t.Helper()
		for _, r := range rs {
			if r.Alert != alert.Name {
				continue
			}
			text := r.Expr + r.Annotations["summary"] + r.Annotations["description"]
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s does not contain %q:\n%s", alert.Name, w, text)
				}
			}
			for _, d := range []string{"0.05", "0.1 ", "5%", "10%", " 20"} {
				if strings.Contains(text, d) {
					t.Errorf("%s contains the default %q:\n%s", alert.Name, d, text)
				}
			}
			return
		}
		t.Errorf("no alert %s", alert.Name)
	}
	check(catalog.AlertLateRateWarning, ">= 0.0371", ">= 37", `definition="qd766"`, "dưới 3,71%", "từ 37 hồ sơ")
	check(catalog.AlertLateRateCritical, ">= 0.0913", ">= 37", `definition="qd766"`, "từ 9,13% trở lên")
	check(catalog.AlertDueSoonSurge, "> 3.7 * (avg_over_time", ">= 17", "nhiều hơn 3,7 lần", "từ 17 hồ sơ")
	check(catalog.AlertSyncRateLow, ">= 37", catalog.TargetSync.Name)

	th.LateRateDefinition = catalog.LateDueBased
	if _, err := Rules(Options{Thresholds: th, Lang: dashboards.Vi}); err == nil || !strings.Contains(err.Error(), "due_based") {
		t.Errorf("alerts on a definition without recording rules: err = %v", err)
	}
}

func TestEnglish(t *testing.T) {
	rs, err := Rules(Options{Thresholds: testThresholds, Lang: dashboards.En})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Alert == "" {
			continue
		}
		for k, v := range r.Annotations {
			for _, vi := range []string{"hồ sơ", "nguồn", "tỷ lệ"} {
				if strings.Contains(v, vi) {
					t.Errorf("%s %s is not English: %s", r.Alert, k, v)
				}
			}
		}
	}
}

// TestGeneratedFilesValid checks every generated file with the real tools:
// promtool check rules and check config (rule paths must resolve from the
// config's directory), amtool check-config.
func TestGeneratedFilesValid(t *testing.T) {
	promtool := needBinary(t, "promtool")
	amtool := needBinary(t, "amtool")
	for _, lang := range []dashboards.Lang{dashboards.Vi, dashboards.En} {
		files, err := Generate(defaultInput(t, lang), testBoards)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		paths := writeFiles(t, dir, files)
		for _, f := range files {
			first, _, _ := strings.Cut(string(f.Data), "\n")
			header := strings.HasPrefix(string(f.Data), dashboards.YAMLHeader) || (!strings.HasSuffix(f.Path, ".yml") && strings.Contains(first, dashboards.Notice))
			if !header || !strings.HasSuffix(string(f.Data), "\n") {
				t.Errorf("%s: no generated-file header or no trailing newline", f.Path)
			}
		}
		for _, p := range []string{RecordingFile, AlertsFile} {
			if out, err := runTool(t, dir, promtool, "check", "rules", paths[p]); err != nil {
				t.Errorf("%s promtool check rules %s: %v\n%s", lang, p, err, out)
			}
		}
		if out, err := runTool(t, dir, promtool, "check", "config", paths[PrometheusFile]); err != nil || !strings.Contains(out, "2 rule files found") {
			t.Errorf("%s promtool check config: %v\n%s", lang, err, out)
		}
		if out, err := runTool(t, dir, amtool, "check-config", paths[AlertmanagerFile]); err != nil || !strings.Contains(out, "4 inhibit rules") {
			t.Errorf("%s amtool check-config: %v\n%s", lang, err, out)
		}
	}
}

// TestPromtoolTestRules runs testdata/*.test.yml (promtool test rules) in
// place, as the README shows it: they read the committed rules in
// deploy/prometheus/rules, generated (the drift test proves it) with the
// default thresholds, which must be the ones the tests are written for.
func TestPromtoolTestRules(t *testing.T) {
	promtool := needBinary(t, "promtool")
	if testThresholds != catalog.DefaultThresholds {
		t.Fatalf("the tests are written for %+v, the committed rules use the defaults %+v", testThresholds, catalog.DefaultThresholds)
	}
	tests, err := filepath.Glob("testdata/*.test.yml")
	if err != nil || len(tests) < 5 {
		t.Fatalf("test files: %v %v", tests, err)
	}
	// One promtool per file, side by side: the week-long ones (stale,
	// surge) take a minute or more each, together more than runTool's bound.
	for _, f := range tests {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			out, err := runTool(t, ".", promtool, "test", "rules", f)
			if err != nil || strings.Contains(out, "FAILED") {
				t.Fatalf("promtool test rules %s: %v\n%s", f, err, out)
			}
			t.Logf("promtool test rules:\n%s", out)
		})
	}
}

// names returns the sorted names of rules (record or alert names, once each).
func names(rs []Rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		n := r.Record + r.Alert
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func BenchmarkGenerate(b *testing.B) {
	cfg := &config.Config{}
	if err := cfg.Check(); err != nil {
		b.Fatal(err)
	}
	in := dashboards.Input{Config: cfg, Lang: dashboards.Vi}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(in, testBoards); err != nil {
			b.Fatal(err)
		}
	}
}
