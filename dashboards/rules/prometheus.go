package rules

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// Paths of the generated configuration examples, relative to the output directory.
const (
	PrometheusFile   = "prometheus/prometheus.yml"
	AlertmanagerFile = "alertmanager/alertmanager.yml"
)

// Job is the scrape job of govpulse in the Prometheus example.
const Job = catalog.ScrapeJob

// PrometheusOptions fill the Prometheus configuration.
type PrometheusOptions struct {
	ScrapeInterval, EvaluationInterval time.Duration
	// ScrapeTimeout is the govpulse job's (0: Prometheus' default, 10s or
	// the interval if shorter); GovpulseScrapeSlow judges against the
	// catalog's, which the default options write.
	ScrapeTimeout time.Duration
	// Targets are govpulse's host:port; Alertmanagers Alertmanager's.
	Targets, Alertmanagers []string
	// RuleFiles are paths relative to the configuration file, or absolute.
	RuleFiles []string
	// Province is the config's province.code, written as the targets'
	// province label (catalog.LabelProvince): the rules and boards tell
	// provinces apart by it, so this Prometheus is ready to share a store
	// with others. Empty: no label (the rules group it as the empty province).
	Province string
}

// DefaultPrometheusOptions are the compose stack's: services govpulse and
// alertmanager. The rules sit in rules/ next to prometheus.yml, in the
// repository (deploy/prometheus) as in the compose stack (/etc/prometheus).
func DefaultPrometheusOptions() PrometheusOptions {
	pattern := path.Join(path.Base(path.Dir(RecordingFile)), "*"+ruleFileSuffix)
	return PrometheusOptions{
		ScrapeInterval:     30 * time.Second,
		EvaluationInterval: 30 * time.Second,
		ScrapeTimeout:      catalog.ScrapeTimeout,
		Targets:            []string{"govpulse:9470"},
		Alertmanagers:      []string{"alertmanager:9093"},
		RuleFiles:          []string{pattern},
	}
}

var prometheusTmpl = template.Must(template.New("prometheus").Funcs(tmplFuncs).Parse(`{{ header }}# Prometheus configuration example for govpulse (checked with promtool check config, Prometheus 2.42).
# In the compose stack the services are called govpulse and alertmanager. Outside compose, point
# the targets at localhost instead: targets: ['localhost:9470'] and ['localhost:9093'].
# Rule files are relative to this file: rules/ next to it, in the repository (deploy/prometheus)
# as in the compose stack (deploy/prometheus mounted at /etc/prometheus).
global:
  # govpulse serves pre-rendered snapshots: scrapes are cheap, and the data changes on the
  # sources' schedules (every 5 minutes by default).
  scrape_interval: {{ dur .ScrapeInterval }}
  evaluation_interval: {{ dur .EvaluationInterval }}

rule_files:
{{- range .RuleFiles }}
  - {{ q . }}
{{- end }}

alerting:
  alertmanagers:
    - static_configs:
        - targets:
{{- range .Alertmanagers }}
            - {{ q . }}
{{- end }}

scrape_configs:
  - job_name: {{ q job }}
{{- if .ScrapeTimeout }}
    # {{ slowAlert }} warns when scrapes take longer than {{ slowShare }} of this.
    scrape_timeout: {{ dur .ScrapeTimeout }}
{{- end }}
    static_configs:
      - targets:
{{- range .Targets }}
          - {{ q . }}
{{- end }}
{{- if .Province }}
        # The province's code (province.code): every rule and board keeps it, so several
        # provinces can share one store. An HA pair of govpulse: list both targets here (or
        # give each a replica label); the rules count them once (max over instance, replica).
        labels:
          {{ provinceLabel }}: {{ q .Province }}
{{- end }}
`))

// PrometheusConfig renders deploy/prometheus/prometheus.yml.
func PrometheusConfig(o PrometheusOptions) (dashboards.File, error) {
	if len(o.Targets) == 0 || len(o.Alertmanagers) == 0 || len(o.RuleFiles) == 0 || o.ScrapeInterval <= 0 || o.EvaluationInterval <= 0 {
		return dashboards.File{}, fmt.Errorf("prometheus options: targets, alertmanagers, rule files and intervals are required")
	}
	if o.ScrapeTimeout < 0 || o.ScrapeTimeout > o.ScrapeInterval {
		return dashboards.File{}, fmt.Errorf("prometheus options: the scrape timeout %v must be between 0 and the interval %v", o.ScrapeTimeout, o.ScrapeInterval)
	}
	return render(PrometheusFile, prometheusTmpl, o)
}

var tmplFuncs = template.FuncMap{
	"header": func() string { return dashboards.YAMLHeader },
	"job":    func() string { return Job },
	// provinceLabel is the target label of the province's code.
	"provinceLabel": func() string { return catalog.LabelProvince },
	// The meta-monitoring alert judging the scrape's duration, and its share.
	"slowAlert": func() string { return catalog.AlertScrapeSlow.Name },
	"slowShare": func() string { return dashboards.Percent(catalog.ScrapeSlowShare, dashboards.En) },
	// q quotes a scalar as YAML would (plain when that is unambiguous).
	"q": func(s string) (string, error) {
		b, err := yaml.Marshal(s)
		return strings.TrimSuffix(string(b), "\n"), err
	},
	"dur": func(d time.Duration) string { return model.Duration(d).String() },
}

func render(p string, t *template.Template, data any) (dashboards.File, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return dashboards.File{}, fmt.Errorf("cannot render %s: %w", p, err)
	}
	return dashboards.File{Path: p, Data: b.Bytes()}, nil
}
