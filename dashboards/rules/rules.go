package rules

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// Paths of the generated rule files, relative to the output directory.
const (
	RecordingFile = "prometheus/rules/govpulse.recording" + ruleFileSuffix
	AlertsFile    = "prometheus/rules/govpulse.alerts" + ruleFileSuffix
)

// ruleFileSuffix ends every rule file's name; the Prometheus example loads
// rules/*.rules.yml, relative to itself.
const ruleFileSuffix = ".rules.yml"

// Options select the thresholds and language of the rules.
type Options struct {
	// Thresholds are the deployment's (config.Config.Thresholds, defaults from
	// catalog.DefaultThresholds).
	Thresholds catalog.Thresholds
	Lang       dashboards.Lang
	// For, when positive, replaces every alert's catalog `for`: end-to-end
	// tests use seconds where production waits minutes.
	For time.Duration
	// Links are the alerts' runbook_url and dashboard targets (zero: the defaults).
	Links dashboards.Links
}

// Rule is one generated rule: a recording rule (Record set) or an alert
// (Alert set).
type Rule struct {
	Record string
	Alert  string
	Expr   string
	// Probe is, for an alert, its expression with every comparison made a bool
	// comparison: it returns every series the condition is judged on, firing
	// or not, so a test can prove the selectors and joins match real data.
	Probe       string
	For         time.Duration
	Labels      map[string]string
	Annotations map[string]string
}

// Group is a rule group. Prometheus evaluates a group's rules in order, so a
// rule reads the series recorded before it in the same evaluation.
type Group struct {
	Name  string
	Rules []Rule
}

// domain is one upstream domain's rules. Adding a domain is one line in
// domains and one file with its two functions.
type domain struct {
	name      string
	recording func(g *gen) ([]Rule, error)
	alerts    func(g *gen) ([]Rule, error)
}

var domains = []domain{
	{name: "onestop", recording: onestopRecording, alerts: onestopAlerts},
	{name: "feed", recording: feedRecording, alerts: feedAlerts},
	{name: "portal", recording: portalRecording, alerts: portalAlerts},
	{name: "manual", alerts: manualAlerts},
	{name: "health", alerts: healthAlerts},
	{name: "meta", alerts: metaAlerts},
}

// gen carries the options through the domain functions, and the problems
// they found (an alert without an audience).
type gen struct {
	Options
	errs []error
}

// text picks the language.
func (g *gen) text(vi, en string) string { return dashboards.Text{Vi: vi, En: en}.In(g.Lang) }

// Annotations every generated alert may carry. summary and description are
// Prometheus' usual pair; the others feed the notification templates
// (alertmanager_tmpl.go), which print what an alert has and skip what it
// has not.
const (
	AnnSummary     = "summary"
	AnnDescription = "description"
	// AnnTitle names the kind of alert, the same for every agency it fires
	// for: the heading of a notification that groups them.
	AnnTitle = "title"
	// AnnValue is the alert's figure written for people, with its unit
	// (7,26%, 1.234 hồ sơ); AnnThreshold the rule it breaks (5%); AnnPeriod
	// the period the figure covers.
	AnnValue     = "value"
	AnnThreshold = "threshold"
	AnnPeriod    = "period"
	// AnnAction says what to do.
	AnnAction = "action"
	// AnnLastSuccess, on IT alerts with a source label: when the source last
	// collected successfully, in words ("chưa có lần nào" if never).
	AnnLastSuccess = "last_success"
)

// alert builds an alert rule from its catalog identity; expr renders the
// expression, as written (probe false) or as a probe. Its labels are the
// severity and the audience Alertmanager routes on; an alert without an
// audience is an error of the whole generation.
func (g *gen) alert(a catalog.AlertRule, expr func(probe bool) string, summary, description string) Rule {
	if !slices.Contains(catalog.Audiences, a.Audience) {
		g.errs = append(g.errs, fmt.Errorf("alert %s has audience %q: set catalog.AlertRule.Audience to one of %s (alerts about govpulse and its sources are %q)",
			a.Name, a.Audience, strings.Join(catalog.Audiences, ", "), catalog.AudienceIT))
	}
	labels := map[string]string{catalog.AlertLabelSeverity: a.Severity, catalog.AlertLabelAudience: a.Audience}
	ann := map[string]string{AnnSummary: g.words(summary), AnnDescription: g.words(description)}
	if a.Audience == catalog.AudienceIT && !slices.Contains(catalog.MetaAlerts, a) {
		ann[AnnLastSuccess] = g.lastSuccess()
	}
	return Rule{
		Alert:       a.Name,
		Expr:        expr(false),
		Probe:       expr(true),
		For:         g.forOf(a),
		Labels:      labels,
		Annotations: ann,
	}
}

// annotate adds annotations (key, value pairs) to an alert.
func (r Rule) annotate(kv ...string) Rule {
	for i := 0; i+1 < len(kv); i += 2 {
		r.Annotations[kv[i]] = kv[i+1]
	}
	return r
}

// words writes durations in an annotation in the text's language: every
// `humanizeDuration }}` pipeline ("1d 2h 3m 4s") goes on into the two
// largest units in words ("1 ngày 2 giờ", "20 phút").
func (g *gen) words(s string) string {
	return strings.ReplaceAll(s, "| humanizeDuration }}", "| humanizeDuration"+g.durationWords()+" }}")
}

// durationWords is a template pipeline tail that turns humanizeDuration's
// output into words.
func (g *gen) durationWords() string {
	steps := [][2]string{
		{`^(.*[dhm]) [0-9]+s$`, "${1}"},         // seconds go behind a larger unit
		{`^([0-9]+d [0-9]+h) [0-9]+m$`, "${1}"}, // and minutes behind days
		{` 0[hm]$`, ""},                         // a zero second unit says nothing
		{`^([0-9.]+)ms$`, "${1}" + g.text(" mili giây", " ms")},
		{`^([0-9.]+)[unpfazy]s$`, g.text("dưới 1 mili giây", "under 1 ms")},
		{`([0-9]+)d`, "${1}" + g.text(" ngày", " days")},
		{`([0-9]+)h`, "${1}" + g.text(" giờ", " hours")},
		{`([0-9]+)m`, "${1}" + g.text(" phút", " minutes")},
		{`([0-9.]+)s$`, "${1}" + g.text(" giây", " seconds")},
	}
	if g.Lang == dashboards.Vi {
		steps = append(steps, [2]string{`([0-9])[.]([0-9])`, "${1},${2}"})
	} else {
		steps = append(steps, [2]string{`\b1 (day|hour|minute|second)s`, "1 ${1}"})
	}
	var b strings.Builder
	for _, st := range steps {
		fmt.Fprintf(&b, " | reReplaceAll %s %s", strconv.Quote(st[0]), strconv.Quote(st[1]))
	}
	return b.String()
}

// lastSuccess renders, for an alert on a source, when the source last
// succeeded: a duration in words, or never (a last success at time 0 would
// otherwise read as 20423 days ago). It reads the alert's own govpulse: the
// source of its province and instance (absent labels match as empty, e.g.
// pushed series without instance).
func (g *gen) lastSuccess() string {
	last := "min(" + catalog.SourceLastSuccess.Name + "{" + catalog.LabelSource + "=%q," + catalog.LabelProvince + "=%q," + catalog.LabelInstance + "=%q})"
	args := " $labels." + catalog.LabelSource + " $labels." + catalog.LabelProvince + " $labels." + catalog.LabelInstance
	return `{{ if $labels.source }}{{ with query (printf ` + strconv.Quote(last) + args + `) }}` +
		`{{ if eq (. | first | value) 0.0 }}` + g.text("chưa có lần nào", "never") + `{{ else }}` +
		`{{ with query (printf ` + strconv.Quote("time() - "+last) + args + `) }}{{ . | first | value | humanizeDuration` + g.durationWords() + ` }}` +
		g.text(" trước", " ago") + `{{ end }}{{ end }}{{ end }}{{ end }}`
}

func (g *gen) forOf(a catalog.AlertRule) time.Duration {
	if g.For > 0 {
		return g.For
	}
	return a.For
}

// duration renders a `for` for people: "15 phút", "15 minutes".
func (g *gen) duration(d time.Duration) string {
	n, vi, en := int64(d/time.Second), "giây", "second"
	switch {
	case d%time.Hour == 0:
		n, vi, en = int64(d/time.Hour), "giờ", "hour"
	case d%time.Minute == 0:
		n, vi, en = int64(d/time.Minute), "phút", "minute"
	}
	if n != 1 {
		en += "s"
	}
	return strconv.FormatInt(n, 10) + " " + g.text(vi, en)
}

// Groups returns the recording and alert groups, in file order.
func Groups(o Options) (recording, alerts []Group, err error) {
	if err := check(o); err != nil {
		return nil, nil, err
	}
	g := &gen{Options: o}
	for _, d := range domains {
		if d.recording != nil {
			rs, err := d.recording(g)
			if err != nil {
				return nil, nil, fmt.Errorf("%s recording rules: %w", d.name, err)
			}
			recording = append(recording, Group{Name: "govpulse." + d.name + ".recording", Rules: rs})
		}
		if d.alerts != nil {
			rs, err := d.alerts(g)
			if err != nil {
				return nil, nil, fmt.Errorf("%s alerts: %w", d.name, err)
			}
			if err := g.link(rs); err != nil {
				return nil, nil, fmt.Errorf("%s alerts: %w", d.name, err)
			}
			alerts = append(alerts, Group{Name: "govpulse." + d.name + ".alerts", Rules: rs})
		}
	}
	if len(g.errs) > 0 {
		return nil, nil, errors.Join(g.errs...)
	}
	return recording, alerts, nil
}

func check(o Options) error {
	t := o.Thresholds
	switch {
	case !(t.LateRateWarning > 0 && t.LateRateWarning < t.LateRateCritical && t.LateRateCritical <= 1):
		return fmt.Errorf("thresholds: want 0 < late_rate_warning < late_rate_critical <= 1, got %v and %v", t.LateRateWarning, t.LateRateCritical)
	case t.LateMinVolume < 1:
		return fmt.Errorf("thresholds: late_min_volume must be at least 1, got %d", t.LateMinVolume)
	case t.DueSoonSurgeFactor <= 1 || t.DueSoonMinCount < 1:
		return fmt.Errorf("thresholds: want due_soon_surge_factor > 1 and due_soon_min_count >= 1, got %v and %d", t.DueSoonSurgeFactor, t.DueSoonMinCount)
	}
	if _, err := dashboards.ParseLang(string(o.Lang)); err != nil {
		return err
	}
	return nil
}

// Rules returns every generated rule, recording rules first.
func Rules(o Options) ([]Rule, error) {
	rec, al, err := Groups(o)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, g := range append(rec, al...) {
		out = append(out, g.Rules...)
	}
	return out, nil
}

// RuleFiles renders the recording and alert rule files.
func RuleFiles(o Options) ([]dashboards.File, error) {
	rec, al, err := Groups(o)
	if err != nil {
		return nil, err
	}
	t := o.Thresholds
	recData, err := dashboards.YAML(ruleFileOf(rec),
		"Prometheus recording rules: ratios of sums derived from govpulse's counts, per agency, administrative level and province.",
		"Series names are declared in collector/catalog/rules.go; regenerate with: govpulse generate --out deploy",
	)
	if err != nil {
		return nil, err
	}
	alData, err := dashboards.YAML(ruleFileOf(al),
		"Prometheus alerts on govpulse's recorded series and source health. Needs "+path.Base(RecordingFile)+" loaded too.",
		fmt.Sprintf("Thresholds: late rate warning %s, critical %s, minimum %d resolved dossiers, definition %s (config thresholds.*).",
			dashboards.Number(t.LateRateWarning), dashboards.Number(t.LateRateCritical), t.LateMinVolume, t.LateRateDefinition),
		"Language of summaries and descriptions: "+string(o.Lang)+"; regenerate with: govpulse generate --out deploy --lang vi|en",
	)
	if err != nil {
		return nil, err
	}
	return []dashboards.File{{Path: RecordingFile, Data: recData}, {Path: AlertsFile, Data: alData}}, nil
}

// The rule file's YAML shape (Prometheus' rulefmt). yaml.v3 keeps struct
// field order and sorts map keys, so the output is stable.
type yamlRuleFile struct {
	Groups []yamlGroup `yaml:"groups"`
}

type yamlGroup struct {
	Name  string     `yaml:"name"`
	Rules []yamlRule `yaml:"rules"`
}

type yamlRule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

func ruleFileOf(groups []Group) yamlRuleFile {
	var f yamlRuleFile
	for _, g := range groups {
		yg := yamlGroup{Name: g.Name}
		for _, r := range g.Rules {
			yr := yamlRule{Record: r.Record, Alert: r.Alert, Expr: r.Expr, Labels: r.Labels, Annotations: r.Annotations}
			if r.For > 0 {
				yr.For = model.Duration(r.For).String()
			}
			yg.Rules = append(yg.Rules, yr)
		}
		f.Groups = append(f.Groups, yg)
	}
	return f
}

// Generate writes everything this package owns for a deployment: the rule
// files, the Prometheus configuration example, and the Alertmanager
// configuration with its notification templates, which link to boards.
func Generate(in dashboards.Input, boards Boards) ([]dashboards.File, error) {
	if in.Config == nil {
		return nil, fmt.Errorf("no config")
	}
	files, err := RuleFiles(Options{Thresholds: in.Config.Thresholds, Lang: in.Lang, Links: in.Links})
	if err != nil {
		return nil, err
	}
	po := DefaultPrometheusOptions()
	po.Province = in.Config.Province.Code
	p, err := PrometheusConfig(po)
	if err != nil {
		return nil, err
	}
	ao, err := DefaultAlertmanagerOptions(in, boards)
	if err != nil {
		return nil, err
	}
	am, err := AlertmanagerFiles(ao)
	if err != nil {
		return nil, err
	}
	files = append(append(files, p), am...)
	dashboards.Sort(files)
	return files, nil
}
