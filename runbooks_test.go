package main

import (
	"context"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/boards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// runbookSections are the headings every runbook has, in this order.
var runbookSections = []string{"## Ý nghĩa", "## Cách kiểm tra", "## Xử lý", "## Liên hệ"}

// TestRunbooks: every alert has its runbook in docs/runbooks, which names
// the alert and the board its dashboard link opens, has the four sections
// in order, says quá hạn (never trễ hạn), and names only metrics and
// recorded series that exist; links between runbooks resolve; the index
// and the README's alert table list every alert; no runbook is left for an
// alert that is gone.
func TestRunbooks(t *testing.T) {
	in, err := generateInput("", string(dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	bs, err := boards.Boards(in)
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, b := range bs {
		titles[b.UID] = b.Title.Vi
	}
	known := map[string]bool{}
	for _, m := range catalog.All() {
		known[m.Name] = true
	}
	for _, r := range catalog.RecordedSeries() {
		known[r.Name] = true
	}
	// Prometheus' own series the runbooks query, and client_golang's.
	for _, n := range []string{catalog.PromUp, catalog.PromScrapeDuration, "scrape_samples_scraped", "process_cpu_seconds_total", "promhttp_metric_handler_requests_in_flight"} {
		known[n] = true
	}
	// Keys of prometheus.yml the runbooks name, which look like series.
	for _, n := range []string{"scrape_configs", "scrape_interval", "scrape_timeout"} {
		known[n] = true
	}
	metricish := regexp.MustCompile(`\b(?:(?:agency|level|province):[a-z0-9_]+:[a-z]+|(?:tthc|dvcqg|qd766|vneid|index|govpulse)_[a-z0-9_]+|up|scrape_[a-z_]+|process_[a-z_]+|promhttp_[a-z_]+)\b`)
	link := regexp.MustCompile(`\]\(([^)#]+\.md)(#[^)]*)?\)`)
	index, err := os.ReadFile(filepath.Join(catalog.RunbookDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{"README.md": true}
	for _, a := range catalog.AlertRules {
		file := a.Name + ".md"
		want[file] = true
		b, err := os.ReadFile(filepath.Join(catalog.RunbookDir, file))
		if err != nil {
			t.Errorf("%s has no runbook: %v", a.Name, err)
			continue
		}
		text := string(b)
		if !strings.HasPrefix(text, "# "+a.Name+":") || !strings.Contains(text, "`"+a.Name+"`") {
			t.Errorf("%s: the runbook must start with \"# %s:\" and name the alert in code", file, a.Name)
		}
		at := 0
		for _, s := range runbookSections {
			i := strings.Index(text, "\n"+s+"\n")
			if i < at {
				t.Errorf("%s: no section %q after the previous ones", file, s)
				continue
			}
			at = i
		}
		if strings.Contains(strings.ToLower(text), "trễ hạn") {
			t.Errorf("%s says trễ hạn: the official term is %s", file, catalog.Late.Vi)
		}
		uid, _, ok := rules.AlertBoard(a.Name)
		if title := titles[uid]; !ok || title == "" || !strings.Contains(strings.Join(strings.Fields(text), " "), "*"+title+"*") {
			t.Errorf("%s does not name the board its dashboard link opens, *%s* (%s)", file, title, uid)
		}
		for _, tok := range metricish.FindAllString(text, -1) {
			if !known[tok] {
				t.Errorf("%s names %s, which is neither a catalog metric, a recorded series nor a Prometheus series", file, tok)
			}
		}
		if !strings.Contains(string(index), "]("+file+")") {
			t.Errorf("%s/README.md does not list %s", catalog.RunbookDir, a.Name)
		}
		if !strings.Contains(string(readme), "\n| `"+a.Name+"` | ") {
			t.Errorf("README.md's alert table has no row for %s", a.Name)
		}
	}
	files, err := os.ReadDir(catalog.RunbookDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[f.Name()] {
			t.Errorf("%s/%s is no alert's runbook: delete or rename it", catalog.RunbookDir, f.Name())
			continue
		}
		b, _ := os.ReadFile(filepath.Join(catalog.RunbookDir, f.Name()))
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			if _, err := os.Stat(filepath.Join(catalog.RunbookDir, m[1])); err != nil {
				t.Errorf("%s links to %s: %v", f.Name(), m[1], err)
			}
		}
	}
}

// TestAlertLinks: every alert of both rule sets (the committed Prometheus
// rules, the committed Grafana-managed rules, and both generated in
// English) has a runbook_url at an existing runbook and a dashboard
// annotation at a generated board.
func TestAlertLinks(t *testing.T) {
	if !strings.HasSuffix(dashboards.DefaultRunbooks, "/"+catalog.RunbookDir) {
		t.Fatalf("the default runbook URL %s is not the repository's %s", dashboards.DefaultRunbooks, catalog.RunbookDir)
	}
	in, err := generateInput("", string(dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	bs, err := boards.Boards(in)
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, b := range bs {
		uids = append(uids, b.UID)
	}

	sets := map[string][]byte{}
	for _, p := range []string{rules.AlertsFile, boards.AlertingFile} {
		b, err := os.ReadFile(filepath.Join("deploy", filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		sets["deploy/"+p] = b
	}
	in.Lang = dashboards.En
	files, err := generateFiles(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == rules.AlertsFile || f.Path == boards.AlertingFile {
			sets["en "+f.Path] = f.Data
		}
	}
	if len(sets) != 4 {
		t.Fatalf("rule sets: %d, want 4", len(sets))
	}
	for name, data := range sets {
		got := alertAnnotations(t, data)
		var alerts []string
		for alert, ann := range got {
			alerts = append(alerts, alert)
			rb, err := url.Parse(ann[rules.AnnRunbookURL])
			if err != nil || !strings.HasPrefix(ann[rules.AnnRunbookURL], dashboards.DefaultRunbooks+"/") {
				t.Errorf("%s %s: runbook_url %q is not under %s", name, alert, ann[rules.AnnRunbookURL], dashboards.DefaultRunbooks)
			} else if file := filepath.Join(catalog.RunbookDir, path.Base(rb.Path)); path.Base(rb.Path) != alert+".md" {
				t.Errorf("%s %s: runbook_url %q is another alert's", name, alert, rb)
			} else if _, err := os.Stat(file); err != nil {
				t.Errorf("%s %s: runbook %s: %v", name, alert, file, err)
			}
			d, err := url.Parse(strings.NewReplacer("{{ ", "", " }}", "").Replace(ann[rules.AnnDashboard]))
			uid := strings.TrimPrefix(d.EscapedPath(), "/d/")
			if err != nil || !strings.HasPrefix(ann[rules.AnnDashboard], dashboards.DefaultGrafana+"/d/") || !slices.Contains(uids, uid) {
				t.Errorf("%s %s: dashboard %q is no generated board (%v)", name, alert, ann[rules.AnnDashboard], uids)
			}
		}
		var want []string
		for _, a := range catalog.AlertRules {
			want = append(want, a.Name)
		}
		slices.Sort(alerts)
		slices.Sort(want)
		if !slices.Equal(alerts, want) {
			t.Errorf("%s has alerts %v, the catalog %v", name, alerts, want)
		}
	}
}

// alertAnnotations reads a Prometheus rule file or a Grafana alerting
// provisioning file: each alert's annotations by its name.
func alertAnnotations(t *testing.T, data []byte) map[string]map[string]string {
	t.Helper()
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"` // Prometheus
				Title       string            `yaml:"title"` // Grafana
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			if n := r.Alert + r.Title; n != "" {
				out[n] = r.Annotations
			}
		}
	}
	return out
}

// TestGenerateLinkFlags: generate's --runbook.url reaches both rule sets; a
// relative URL is refused before anything is written.
func TestGenerateLinkFlags(t *testing.T) {
	dir := t.TempDir()
	args := []string{"generate", "--out", dir, "--runbook.url", "https://wiki.example.org/cchc/runbooks/"}
	if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{rules.AlertsFile, boards.AlertingFile} {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		for alert, ann := range alertAnnotations(t, b) {
			if ann[rules.AnnRunbookURL] != "https://wiki.example.org/cchc/runbooks/"+alert+".md" || !strings.HasPrefix(ann[rules.AnnDashboard], dashboards.DefaultGrafana+"/d/") {
				t.Errorf("%s %s: links %q and %q", p, alert, ann[rules.AnnRunbookURL], ann[rules.AnnDashboard])
			}
		}
	}
	empty := t.TempDir()
	err := run(context.Background(), []string{"generate", "--out", empty, "--runbook.url", "wiki/runbooks"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--runbook.url") {
		t.Errorf("generate --runbook.url wiki/runbooks: err = %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused generate wrote %d files", len(entries))
	}
}
