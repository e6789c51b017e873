package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"

	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/boards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// boardFiles are the committed dashboards.
func boardFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("deploy/" + boards.DashboardDir + "/*.json")
	if len(files) < 5 {
		t.Fatalf("found %d dashboards under deploy/", len(files))
	}
	return files
}

// TestDashboardsDecode: every committed dashboard is a classic dashboard the
// SDK (and so Grafana's file provisioning) reads, with a datasource variable.
func TestDashboardsDecode(t *testing.T) {
	uids := map[string]bool{}
	for _, f := range boardFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard.Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s does not decode into dashboard.Dashboard: %v", f, err)
		}
		if d.Uid == nil || *d.Uid == "" || uids[*d.Uid] || d.Title == nil || len(d.Panels) < 3 {
			t.Errorf("%s: uid %v title %v panels %d", f, d.Uid, d.Title, len(d.Panels))
			continue
		}
		uids[*d.Uid] = true
		var hasDS bool
		for _, v := range d.Templating.List {
			hasDS = hasDS || v.Name == boards.DatasourceVar
		}
		if !hasDS {
			t.Errorf("%s has no $%s variable", f, boards.DatasourceVar)
		}
	}
}

// TestDashboardLanguages: Vietnamese titles carry Vietnamese letters, English
// ones none.
func TestDashboardLanguages(t *testing.T) {
	cfg, err := generatedDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	vi := regexp.MustCompile(`[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]`)
	for _, c := range []struct {
		lang dashboards.Lang
		viOK bool
	}{{dashboards.Vi, true}, {dashboards.En, false}} {
		bs, err := boards.Boards(dashboards.Input{Config: cfg, Lang: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			titles := []string{b.Title.In(c.lang)}
			for _, r := range b.Rows {
				titles = append(titles, r.Title.In(c.lang))
				for _, p := range r.Panels {
					titles = append(titles, p.Title.In(c.lang))
				}
			}
			for _, title := range titles {
				if has := vi.MatchString(strings.ToLower(title)); has != c.viOK && (!c.viOK || !isCode(title)) {
					t.Errorf("%s: %q in %s: Vietnamese letters %v", b.UID, title, c.lang, has)
				}
			}
		}
	}
}

// isCode allows a Vietnamese title made only of names (PAR Index, DTI, …).
func isCode(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// panelQueries walks a dashboard's JSON for every target expression.
func panelQueries(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range d.Panels {
		for i, tg := range p.Targets {
			if tg.Expr != "" {
				out[filepath.Base(file)+": "+p.Title+" #"+string(rune('A'+i))] = tg.Expr
			}
		}
	}
	return out
}

// TestDashboardQueriesReturnData runs every panel query of every committed
// dashboard against a real Prometheus scraping `serve --demo` with the
// generated rules: no board shows "No data" on the demo.
func TestDashboardQueriesReturnData(t *testing.T) {
	promBin := needBinary(t, "prometheus")
	deadline := time.Now().Add(90 * time.Second)
	// Month-to-date panels need a month with volume behind it.
	srv := startServe(t, io.Discard, "--demo", "--demo.time="+busyTime)
	defer srv.stop(t)
	addr := srv.addr

	dir := t.TempDir()
	cfg, err := generatedDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	ruleFiles, err := rules.RuleFiles(rules.Options{Thresholds: cfg.Thresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	var rulePaths []string
	for _, f := range ruleFiles {
		rulePaths = append(rulePaths, filepath.Join(dir, filepath.FromSlash(f.Path)))
	}
	promAddr := freeAddr(t)
	promCfg, err := rules.PrometheusConfig(rules.PrometheusOptions{
		ScrapeInterval: time.Second, EvaluationInterval: time.Second, Targets: []string{addr}, RuleFiles: rulePaths,
		// No Alertmanager listens there: this test reads queries only.
		Alertmanagers: []string{freeAddr(t)},
		// The target labelled with the province's code, as generate writes it.
		Province: cfg.Province.Code,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := dashboards.Write(dir, append(ruleFiles, promCfg)); err != nil {
		t.Fatal(err)
	}
	startBinary(t, promBin, "--config.file="+filepath.Join(dir, filepath.FromSlash(promCfg.Path)),
		"--storage.tsdb.path="+filepath.Join(dir, "prom"), "--web.listen-address="+promAddr, "--log.level=warn")
	promURL := "http://" + promAddr
	pollUntil(t, deadline, "Prometheus ready", func() bool { return httpOK(promURL + "/-/ready") })

	// The variables as a person would pick them: the province (the only
	// option), a commune-level unit (Phường Tam Kỳ, which took Thành phố Tam
	// Kỳ's seat) and its land field.
	vars := strings.NewReplacer("$"+boards.ProvinceVar, cfg.Province.Code, "$level", "xa", "$agency", tamKy, "$field", "DD")
	queries := map[string]string{}
	for _, f := range boardFiles(t) {
		for k, q := range panelQueries(t, f) {
			// The history board's trends read the end of past days: a demo
			// scraped for a minute has none. TestLineageHistoryInPrometheus
			// runs them, as Grafana does, over backfilled history.
			if f == historyBoardFile && strings.Contains(q, "last_over_time(") {
				continue
			}
			queries[k] = vars.Replace(q)
		}
	}
	if len(queries) < 30 {
		t.Fatalf("only %d panel queries", len(queries))
	}
	var empty []string
	pollUntil(t, deadline, "every panel query to return data", func() bool {
		empty = empty[:0]
		for k, q := range queries {
			if len(promQuery(t, promURL, q)) == 0 {
				empty = append(empty, k+": "+q)
			}
		}
		if len(empty) > 0 && time.Now().After(deadline.Add(-time.Second)) {
			var b bytes.Buffer
			for _, e := range empty {
				b.WriteString("\n  " + e)
			}
			t.Logf("panels with no data:%s", b.String())
		}
		return len(empty) == 0
	})
	t.Logf("%d panel queries return data", len(queries))

	// The pickers as Grafana fills them: each series of a query_result(…)
	// variable, written as Grafana writes it (metric{label="value",…} value
	// time, labels in Prometheus' sorted order), through the variable's
	// regex. Every option must show a name and keep a code.
	n, options := 0, 0
	for _, f := range boardFiles(t) {
		for _, v := range queryResultVariables(t, f) {
			n++
			options += len(series(t, promURL, vars, v))
			rx := regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(v.Regex, "/"), "/"))
			ss := series(t, promURL, vars, v)
			if len(ss) == 0 {
				t.Errorf("%s: $%s: %s returns nothing", f, v.Name, v.Query)
			}
			for _, s := range ss {
				m := rx.FindStringSubmatch(grafanaQueryResult(s))
				if m == nil {
					t.Errorf("%s: $%s: regex %s does not match %s", f, v.Name, v.Regex, grafanaQueryResult(s))
					continue
				}
				text, value := m[rx.SubexpIndex("text")], m[rx.SubexpIndex("value")]
				if text != s.Metric[catalog.LabelName] || value != s.Metric[v.Name] || text == value {
					t.Errorf("%s: $%s shows %q for %q, want the name %q for the code %q", f, v.Name, text, value, s.Metric[catalog.LabelName], s.Metric[v.Name])
				}
			}
		}
	}
	if n < 2 {
		t.Errorf("only %d query_result variables", n)
	}
	t.Logf("%d pickers show names for %d codes", n, options)
}

// series runs a query_result variable's query.
func series(t *testing.T, promURL string, vars *strings.Replacer, v boardVariable) []promSample {
	t.Helper()
	return promQuery(t, promURL, vars.Replace(strings.TrimSuffix(strings.TrimPrefix(v.Query, "query_result("), ")")))
}

type boardVariable struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Query string `json:"query"`
	Regex string `json:"regex"`
}

// queryResultVariables are a board's query_result(…) variables.
func queryResultVariables(t *testing.T, file string) []boardVariable {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []boardVariable `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []boardVariable
	for _, v := range d.Templating.List {
		if v.Type == "query" && strings.HasPrefix(v.Query, "query_result(") {
			out = append(out, v)
		}
	}
	return out
}

// grafanaQueryResult is the text Grafana's Prometheus datasource makes of a
// query_result series for the variable's regex.
func grafanaQueryResult(s promSample) string {
	var labels []string
	for k := range s.Metric {
		if k != "__name__" {
			labels = append(labels, k)
		}
	}
	sort.Strings(labels)
	var parts []string
	for _, k := range labels {
		parts = append(parts, k+`="`+s.Metric[k]+`"`)
	}
	ts, _ := s.Value[0].(float64)
	val, _ := s.Value[1].(string)
	return s.Metric["__name__"] + "{" + strings.Join(parts, ",") + "} " + val + " " + strconv.FormatInt(int64(ts*1000), 10)
}

// TestGrafanaAlertingMatchesPrometheusRules: the Grafana-managed rules are the
// Prometheus alerts — same names, expressions, `for`, labels — with the value
// taken from the V query in their text, and a contact point each rule names;
// no notification policy (provisioning one replaces the organisation's tree).
func TestGrafanaAlertingMatchesPrometheusRules(t *testing.T) {
	var g struct {
		Groups []struct {
			Rules []struct {
				Title     string `yaml:"title"`
				Condition string `yaml:"condition"`
				For       string `yaml:"for"`
				Data      []struct {
					RefID string         `yaml:"refId"`
					Model map[string]any `yaml:"model"`
				} `yaml:"data"`
				Labels       map[string]string `yaml:"labels"`
				Annotations  map[string]string `yaml:"annotations"`
				Notification struct {
					Receiver string `yaml:"receiver"`
				} `yaml:"notification_settings"`
			} `yaml:"rules"`
		} `yaml:"groups"`
		ContactPoints []map[string]any `yaml:"contactPoints"`
		Policies      []map[string]any `yaml:"policies"`
	}
	b, err := os.ReadFile("deploy/" + boards.AlertingFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	cfg, err := generatedDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	prom, err := rules.Rules(rules.Options{Thresholds: cfg.Thresholds, Lang: dashboards.Vi})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]rules.Rule{}
	for _, r := range prom {
		if r.Alert != "" {
			byName[r.Alert] = r
		}
	}
	if len(g.Groups) != 1 || len(g.Groups[0].Rules) != len(byName) || len(g.ContactPoints) != 1 || len(g.Policies) != 0 {
		t.Fatalf("groups %d, rules %d (want %d), contact points %d, policies %d", len(g.Groups), len(g.Groups[0].Rules), len(byName), len(g.ContactPoints), len(g.Policies))
	}
	for _, r := range g.Groups[0].Rules {
		p, ok := byName[r.Title]
		if !ok {
			t.Errorf("Grafana rule %s is no Prometheus alert", r.Title)
			continue
		}
		var expr string
		for _, d := range r.Data {
			if d.RefID == "V" {
				expr, _ = d.Model["expr"].(string)
			}
		}
		if expr != p.Expr || r.Condition != "C" || r.Labels[catalog.AlertLabelSeverity] != p.Labels[catalog.AlertLabelSeverity] {
			t.Errorf("%s: expr/condition/severity differ from the Prometheus rule", r.Title)
		}
		if r.Notification.Receiver != g.ContactPoints[0]["name"] {
			t.Errorf("%s: notification_settings.receiver %q, want the contact point %v", r.Title, r.Notification.Receiver, g.ContactPoints[0]["name"])
		}
		if strings.Contains(r.Annotations["summary"], "$value ") || (strings.Contains(p.Annotations["summary"], "$value") && !strings.Contains(r.Annotations["summary"], "$values.V.Value")) {
			t.Errorf("%s: summary %q not in Grafana's template language", r.Title, r.Annotations["summary"])
		}
	}
}
