// Package config reads govpulse's YAML configuration: strictly (unknown keys
// are errors), with every default written once in SetDefaults, and a Validate
// that reports every problem with its file, line and path.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/indices"
	"github.com/govpulse/govpulse/collector/lineage"
	"github.com/govpulse/govpulse/collector/manual"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/portal"
	"github.com/govpulse/govpulse/collector/rating"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/vneid"
)

// Config is the whole configuration file.
type Config struct {
	Province   Province           `yaml:"province"`
	Thresholds catalog.Thresholds `yaml:"thresholds"`
	// StateDir holds cursors and buffers that must survive a restart.
	StateDir string `yaml:"state_dir"`
	// MaxSeriesPerMetric caps one metric's series per source; the excess is
	// dropped and counted (govpulse_source_records_rejected_total{reason="cardinality_cap"}).
	MaxSeriesPerMetric int `yaml:"max_series_per_metric"`
	// Agencies and Fields are the code whitelists, inline or from CSV files
	// (relative paths are relative to the config file).
	AgenciesFile string          `yaml:"agencies_file"`
	Agencies     []source.Agency `yaml:"agencies"`
	FieldsFile   string          `yaml:"fields_file"`
	Fields       []source.Field  `yaml:"fields"`
	// LineageFile lists the former units (merged, split, abolished) and the
	// units that took them over (docs/lineage.md); optional.
	LineageFile string `yaml:"lineage_file"`
	// Formers is the lineage file resolved to today's agencies.
	Formers []lineage.Former `yaml:"-"`
	Sources []Source         `yaml:"sources"`
	// Notifications shape what `govpulse generate` writes for Alertmanager.
	Notifications Notifications `yaml:"notifications"`

	// Warnings are what Load found worth telling but not wrong, as
	// "file:line: path: message" (a secret not readable here).
	Warnings []string `yaml:"-"`
}

// Province identifies the deployment.
type Province struct {
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	Timezone string `yaml:"timezone"`
}

// Notifications are what the generated Alertmanager notifications need to
// know about the deployment.
type Notifications struct {
	// GrafanaURL is the address of the province's Grafana as its readers
	// open it (https://grafana.tinh.gov.vn): notifications link to the
	// boards under it.
	GrafanaURL string `yaml:"grafana_url"`
}

// Source is one upstream to collect on a schedule.
type Source struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
	// Schedule is a 5-field cron expression or a descriptor (@every 5m),
	// optionally prefixed by CRON_TZ=Asia/Ho_Chi_Minh.
	Schedule string `yaml:"schedule"`
	// Timeout bounds one whole run (all pages, all retries).
	Timeout time.Duration   `yaml:"timeout"`
	HTTP    httpc.Config    `yaml:"http"`
	Onestop *onestop.Config `yaml:"onestop"`
	Portal  *portal.Config  `yaml:"portal"`
	Rating  *rating.Config  `yaml:"rating"`
	VNeID   *vneid.Config   `yaml:"vneid"`
	Indices *indices.Config `yaml:"indices"`
	Manual  *manual.Config  `yaml:"manual"`
}

// usesHTTP reports whether a source reads an HTTP upstream (derived and file
// sources have no http block). Call after SetDefaults.
func (s *Source) usesHTTP() bool {
	switch s.Type {
	case catalog.SourceRating, catalog.SourceIndices, catalog.SourceManual:
		return false
	case catalog.SourceVNeID:
		return s.VNeID == nil || s.VNeID.Mode == vneid.ModeHTTP
	}
	return true
}

// Defaults, written once.
const (
	DefaultTimezone           = "Asia/Ho_Chi_Minh"
	DefaultStateDir           = "data"
	DefaultMaxSeriesPerMetric = 200000
	DefaultSourceTimeout      = 2 * time.Minute
	DefaultSchedule           = "CRON_TZ=Asia/Ho_Chi_Minh */5 * * * *"
	// DefaultGrafanaURL is Grafana as the compose stack publishes it on the
	// host. Leaders' computers cannot open it: a province sets its own.
	DefaultGrafanaURL = "http://localhost:3000"
)

// SourceTypes lists the source types this build knows. The registry in
// package collector must have one factory per entry.
var SourceTypes = []string{catalog.SourceOnestop, catalog.SourcePortal, catalog.SourceVNeID, catalog.SourceIndices, catalog.SourceRating, catalog.SourceManual}

// CronParser is the schedule syntax: 5 fields or a descriptor, with CRON_TZ.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// SetDefaults fills every unset field.
func (c *Config) SetDefaults() {
	if c.Province.Timezone == "" {
		c.Province.Timezone = DefaultTimezone
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	if c.MaxSeriesPerMetric == 0 {
		c.MaxSeriesPerMetric = DefaultMaxSeriesPerMetric
	}
	if c.Notifications.GrafanaURL == "" {
		c.Notifications.GrafanaURL = DefaultGrafanaURL
	}
	c.Thresholds.SetDefaults()
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Schedule == "" {
			s.Schedule = DefaultSchedule
		}
		if s.Timeout == 0 {
			s.Timeout = DefaultSourceTimeout
		}
		// A type's block may be omitted: all its defaults.
		switch {
		case s.Type == catalog.SourceVNeID && s.VNeID == nil:
			s.VNeID = &vneid.Config{}
		case s.Type == catalog.SourceIndices && s.Indices == nil:
			s.Indices = &indices.Config{}
		case s.Type == catalog.SourceManual && s.Manual == nil:
			s.Manual = &manual.Config{}
		case s.Type == catalog.SourceOnestop && s.Onestop == nil:
			s.Onestop = &onestop.Config{}
		case s.Type == catalog.SourcePortal && s.Portal == nil:
			s.Portal = &portal.Config{}
		case s.Type == catalog.SourceRating && s.Rating == nil:
			s.Rating = &rating.Config{}
		}
		if s.Onestop != nil {
			s.Onestop.SetDefaults()
		}
		if s.Portal != nil {
			s.Portal.SetDefaults()
		}
		if s.Rating != nil {
			s.Rating.Thresholds = c.Thresholds
			s.Rating.SetDefaults()
		}
		if s.VNeID != nil {
			s.VNeID.SetDefaults()
		}
		if s.Indices != nil {
			s.Indices.SetDefaults()
		}
		if s.Manual != nil {
			s.Manual.SetDefaults()
		}
		if s.usesHTTP() {
			s.HTTP.SetDefaults()
		}
	}
}

// Problem is one invalid setting (or, with Warning, one to hear of).
type Problem struct {
	Line    int
	Path    string
	Msg     string
	Warning bool
}

func (p Problem) format(file string) string {
	s := fmt.Sprintf("%s:%d: ", file, p.Line)
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.Msg
}

// Error lists every problem of one file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.format(e.File)
	}
	return strings.Join(lines, "\n")
}

// Load reads, defaults and validates a config file. The error, if any, is an
// *Error naming file, line and field of every problem.
func Load(file string) (*Config, error) {
	b, err := os.ReadFile(file) //nolint:gosec // the operator names the config file
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %w", err)
	}
	return Parse(file, b)
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// Parse is Load on bytes; file names the source in errors and anchors
// relative paths. Every problem of the file is reported at once: keys and
// values of the wrong kind (schemaProblems) and invalid settings (validate).
// It never panics: a panic in parsing is reported as an error.
func Parse(file string, b []byte) (cfg *Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			cfg, err = nil, &Error{File: file, Problems: []Problem{{Line: 1, Msg: fmt.Sprintf("BUG: reading the config panicked: %v", r)}}}
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, yamlError(file, err)
	}
	schema := schemaProblems(&root)
	probs := slices.Clone(schema)
	var c Config
	if len(root.Content) > 0 {
		// Values of the wrong kind are reported above in the user's words;
		// what decoded is still validated, so one run reports everything.
		_ = root.Decode(&c)
	}
	c.SetDefaults()
	sem := c.validate(filepath.Dir(file))
	for i := range sem {
		sem[i].Line = max(1, lineOf(&root, sem[i].Path))
		if !coveredBy(sem[i].Path, schema) {
			probs = append(probs, sem[i])
		}
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	var errs []Problem
	for _, p := range probs {
		if p.Warning {
			c.Warnings = append(c.Warnings, p.format(file))
		} else {
			errs = append(errs, p)
		}
	}
	if len(errs) > 0 {
		return nil, &Error{File: file, Problems: errs}
	}
	return &c, nil
}

// coveredBy reports whether a schema problem is at path or above it: a value
// that did not decode makes any judgement of its decoded zero noise.
func coveredBy(path string, schema []Problem) bool {
	for _, s := range schema {
		if path == s.Path || strings.HasPrefix(path, s.Path+".") || strings.HasPrefix(path, s.Path+"[") {
			return true
		}
	}
	return false
}

// yamlError turns yaml.v3's "line N: msg" lines into file:line: msg.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		e := &Error{File: file}
		for _, m := range te.Errors {
			p := Problem{Msg: m}
			if sub := yamlLine.FindStringSubmatch(m); sub != nil {
				p.Line, _ = strconv.Atoi(sub[1])
				p.Msg = sub[2]
			}
			e.Problems = append(e.Problems, p)
		}
		return e
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{Msg: msg}
	if sub := yamlLine.FindStringSubmatch(msg); sub != nil {
		p.Line, _ = strconv.Atoi(sub[1])
		p.Msg = sub[2]
	}
	return &Error{File: file, Problems: []Problem{p}}
}

// lineOf finds the line of a path such as "sources[1].http.url" in the YAML
// tree, falling back to the nearest ancestor that exists (a missing field is
// reported where its parent is).
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, seg := range splitPath(path) {
		next := child(n, seg)
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return line
}

func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			out = append(out, key)
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			out = append(out, "["+idx+"]")
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

func child(n *yaml.Node, seg string) *yaml.Node {
	if strings.HasPrefix(seg, "[") {
		i, err := strconv.Atoi(strings.Trim(seg, "[]"))
		if n.Kind != yaml.SequenceNode || err != nil || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			v := n.Content[i+1]
			if v.Kind == yaml.ScalarNode {
				return v
			}
			// A block's own line is its key's: that is where a reader looks.
			k := *v
			k.Line = n.Content[i].Line
			return &k
		}
	}
	return nil
}

// Interval is the nominal time between two runs of a schedule.
func Interval(s cron.Schedule) time.Duration {
	t0 := s.Next(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	return s.Next(t0).Sub(t0)
}

// Check defaults and validates a config built in code (the demo); problems
// carry paths but no lines.
func (c *Config) Check() error {
	c.SetDefaults()
	var errs []Problem
	for _, p := range c.validate(".") {
		if !p.Warning {
			errs = append(errs, p)
		}
	}
	if len(errs) > 0 {
		return &Error{File: "(built-in)", Problems: errs}
	}
	return nil
}
