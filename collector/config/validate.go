package config

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/lineage"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/source"
)

// problems collects Problems at YAML paths; the caller resolves lines.
type problems []Problem

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// block adds a source block's problems under prefix.
func (p *problems) block(prefix string, errs source.Problems) {
	for _, e := range errs {
		*p = append(*p, Problem{Path: prefix + e.Path, Msg: e.Msg, Warning: e.Warning})
	}
}

// validate checks everything and loads the unit files; paths in problems are
// YAML paths, resolved to lines by the caller.
func (c *Config) validate(dir string) []Problem {
	var probs problems
	if _, err := time.LoadLocation(c.Province.Timezone); err != nil {
		probs.add("province.timezone", "unknown time zone %q", c.Province.Timezone)
	}
	c.validateThresholds(&probs)
	c.validateNotifications(&probs)
	if c.MaxSeriesPerMetric < 0 {
		probs.add("max_series_per_metric", "must not be negative")
	}
	probs = append(probs, c.loadUnits(dir)...)
	if len(c.Sources) == 0 {
		probs.add("sources", "no sources: a config collects from at least one (see deploy/govpulse.example.yml)")
	}
	seenName := map[string]int{}
	seenType := map[string]int{}
	for i := range c.Sources {
		c.validateSource(i, dir, seenName, seenType, &probs)
	}
	return probs
}

func (c *Config) validateThresholds(probs *problems) {
	t := c.Thresholds
	if !(t.LateRateWarning > 0 && t.LateRateWarning < 1) {
		probs.add("thresholds.late_rate_warning", "must be a ratio between 0 and 1 (0.05 means 5%%), got %v", t.LateRateWarning)
	}
	if !(t.LateRateCritical > t.LateRateWarning && t.LateRateCritical <= 1) {
		probs.add("thresholds.late_rate_critical", "must be above late_rate_warning (%v) and at most 1, got %v", t.LateRateWarning, t.LateRateCritical)
	}
	if t.LateMinVolume < 1 {
		probs.add("thresholds.late_min_volume", "must be at least 1, got %d", t.LateMinVolume)
	}
	switch {
	case !catalog.LabelValues[catalog.LabelDefinition].Allows(t.LateRateDefinition):
		probs.add("thresholds.late_rate_definition", "unknown definition %q; known: %s", t.LateRateDefinition, strings.Join(catalog.LateRateDefinitionNames(), ", "))
	case t.LateRateDefinition == catalog.LateDueBased:
		// The period report does not count the dossiers that fell due: no
		// rule, board or rating could compute it.
		probs.add("thresholds.late_rate_definition", "%s cannot be computed from the one-stop period report (it does not count the dossiers that fell due); use %s, %s or %s",
			catalog.LateDueBased, catalog.LateResolvedOnly, catalog.LateBacklog, catalog.LateQD766)
	}
	if t.DueSoonSurgeFactor <= 1 {
		probs.add("thresholds.due_soon_surge_factor", "must be above 1 (2 means twice the past week's average), got %v", t.DueSoonSurgeFactor)
	}
	if t.DueSoonMinCount < 1 {
		probs.add("thresholds.due_soon_min_count", "must be at least 1, got %d", t.DueSoonMinCount)
	}
}

func (c *Config) validateNotifications(probs *problems) {
	g := c.Notifications.GrafanaURL
	u, err := url.Parse(g)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		probs.add("notifications.grafana_url", "must be Grafana's address such as https://grafana.example.org (http or https, no query, no credentials), got %q", g)
	default:
		c.Notifications.GrafanaURL = strings.TrimRight(g, "/")
	}
}

// loadUnits appends the unit files' rows to the inline lists and checks them.
func (c *Config) loadUnits(dir string) []Problem {
	var probs problems
	var agencyRefs, fieldRefs []unitRef
	for i := range c.Agencies {
		agencyRefs = append(agencyRefs, unitRef{path: fmt.Sprintf("agencies[%d]", i)})
	}
	for i := range c.Fields {
		fieldRefs = append(fieldRefs, unitRef{path: fmt.Sprintf("fields[%d]", i)})
	}
	if c.AgenciesFile != "" {
		rows, lines, err := readCSV(resolve(dir, c.AgenciesFile), []string{"code", "name", "level", "parent"}, AgencyEmailColumn, AgencyUnitCodeColumn)
		if err != nil {
			probs.add("agencies_file", "%v", err)
		}
		for i, r := range rows {
			c.Agencies = append(c.Agencies, source.Agency{Code: r[0], Name: r[1], Level: r[2], Parent: r[3], Email: r[4], UnitCode: r[5]})
			agencyRefs = append(agencyRefs, unitRef{"agencies_file", fmt.Sprintf("%s:%d: ", c.AgenciesFile, lines[i])})
		}
	}
	if c.FieldsFile != "" {
		rows, lines, err := readCSV(resolve(dir, c.FieldsFile), []string{"code", "name"})
		if err != nil {
			probs.add("fields_file", "%v", err)
		}
		for i, r := range rows {
			c.Fields = append(c.Fields, source.Field{Code: r[0], Name: r[1]})
			fieldRefs = append(fieldRefs, unitRef{"fields_file", fmt.Sprintf("%s:%d: ", c.FieldsFile, lines[i])})
		}
	}
	probs = append(probs, c.validateUnits(agencyRefs, fieldRefs)...)
	if c.LineageFile != "" {
		probs = append(probs, c.loadLineage(dir)...)
	}
	return probs
}

// Columns of the lineage file.
var (
	lineageColumns  = []string{"old_code", "old_name", "old_level", "new_code", "date"}
	lineageOptional = []string{"share", "old_unit_code"}
)

// loadLineage reads the lineage file and resolves it to today's agencies.
func (c *Config) loadLineage(dir string) []Problem {
	var probs problems
	rows, lines, err := readCSV(resolve(dir, c.LineageFile), lineageColumns, lineageOptional...)
	if err != nil {
		probs.add("lineage_file", "%v", err)
		return probs
	}
	loc, err := time.LoadLocation(c.Province.Timezone)
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600) // the zone's own problem is reported once, above
	}
	at := func(i int) string { return fmt.Sprintf("%s:%d: ", c.LineageFile, lines[i]) }
	links := make([]lineage.Link, 0, len(rows))
	idx := make([]int, 0, len(rows)) // row of each link
	for i, r := range rows {
		d, err := time.ParseInLocation(catalog.DateLayout, r[4], loc)
		if err != nil {
			probs.add("lineage_file", "%sformer unit %s: date %q is not a day such as 2025-07-01", at(i), r[0], r[4])
			continue
		}
		share := 1.0
		if r[5] != "" {
			if share, err = strconv.ParseFloat(r[5], 64); err != nil {
				probs.add("lineage_file", "%sformer unit %s: share %q is not a number such as 0.25", at(i), r[0], r[5])
				continue
			}
		}
		links = append(links, lineage.Link{
			Old:  source.Agency{Code: r[0], Name: r[1], Level: r[2], UnitCode: r[6]},
			New:  r[3],
			Date: d, Share: share,
		})
		idx = append(idx, i)
	}
	current := make(map[string]source.Agency, len(c.Agencies))
	for _, a := range c.Agencies {
		current[a.Code] = a
	}
	formers, lp := lineage.Resolve(links, current)
	for _, p := range lp {
		probs.add("lineage_file", "%s%s", at(idx[p.Link]), p.Msg)
	}
	if len(probs) == 0 {
		c.Formers = formers
	}
	return probs
}

func (c *Config) validateSource(i int, dir string, seenName, seenType map[string]int, probs *problems) {
	s := &c.Sources[i]
	p := fmt.Sprintf("sources[%d]", i)
	switch j, dup := seenName[s.Name]; {
	case !catalog.SourceNamePattern.MatchString(s.Name):
		probs.add(p+".name", "must match %s, got %q", catalog.SourceNamePattern, s.Name)
	case s.Name == "units":
		probs.add(p+".name", "%q is reserved for the unit lists", s.Name)
	case dup:
		probs.add(p+".name", "%q is already the name of sources[%d]", s.Name, j)
	}
	seenName[s.Name] = i
	switch j, dup := seenType[s.Type]; {
	case !known(s.Type):
		probs.add(p+".type", "unknown source type %q; known: %s", s.Type, strings.Join(SourceTypes, ", "))
	case dup && s.exportsShared():
		// Two sources exporting one type's metrics would export the same series.
		probs.add(p+".type", "only one source of type %s may export its metrics; sources[%d] does already%s", s.Type, j, s.sharedHint())
	case s.exportsShared():
		seenType[s.Type] = i
	}
	if key, msg := checkSchedule(s.Schedule, s.Timeout); msg != "" {
		probs.add(p+"."+key, "%s", msg)
	}
	if s.Timeout < 0 {
		probs.add(p+".timeout", "must be positive")
	}
	if s.usesHTTP() {
		probs.block(p+".http.", s.HTTP.Validate())
	} else if s.HTTP.URL != "" {
		probs.add(p+".http", "a %s source reads no upstream: remove the http block", s.Type)
	}
	for _, b := range s.blocks(dir) {
		if !b.set {
			continue
		}
		if s.Type != b.typ {
			probs.add(p+"."+b.name, "only valid for type %s", b.typ)
			continue
		}
		probs.block(p+"."+b.name+".", b.errs())
	}
	if s.Onestop != nil && s.Onestop.Feed != nil {
		for i, h := range s.Onestop.Feed.Holidays {
			s.Onestop.Feed.Holidays[i] = resolve(dir, h)
		}
	}
}

// typeBlock is one type-specific block of a source and its validation.
type typeBlock struct {
	name, typ string
	set       bool
	errs      func() source.Problems
}

func (s *Source) blocks(dir string) []typeBlock {
	return []typeBlock{
		{"onestop", catalog.SourceOnestop, s.Onestop != nil, func() source.Problems { return s.Onestop.Validate() }},
		{"portal", catalog.SourcePortal, s.Portal != nil, func() source.Problems { return s.Portal.Validate() }},
		{"rating", catalog.SourceRating, s.Rating != nil, func() source.Problems {
			if s.Rating.ScoresFile != "" {
				s.Rating.ScoresFile = resolve(dir, s.Rating.ScoresFile)
			}
			return s.Rating.Validate()
		}},
		{"vneid", catalog.SourceVNeID, s.VNeID != nil, func() source.Problems { s.VNeID.ResolvePaths(dir); return s.VNeID.Validate() }},
		{"indices", catalog.SourceIndices, s.Indices != nil, func() source.Problems { s.Indices.ResolvePaths(dir); return s.Indices.Validate() }},
		{"manual", catalog.SourceManual, s.Manual != nil, func() source.Problems { s.Manual.ResolvePaths(dir); return s.Manual.Validate() }},
	}
}

// checkSchedule returns why spec is not a usable schedule for runs of
// timeout, and the key at fault (schedule or timeout), or "". It never
// panics: robfig/cron v3.0.1 panics on a spec that is only a time zone.
func checkSchedule(spec string, timeout time.Duration) (key, msg string) {
	key = "schedule"
	rest := spec
	for _, tz := range []string{"CRON_TZ=", "TZ="} {
		if strings.HasPrefix(rest, tz) {
			zone, after, _ := strings.Cut(strings.TrimPrefix(rest, tz), " ")
			if _, err := time.LoadLocation(zone); err != nil {
				return key, fmt.Sprintf("unknown time zone %q in %q", zone, spec)
			}
			rest = strings.TrimSpace(after)
		}
	}
	if rest == "" {
		return key, fmt.Sprintf("%q is only a time zone: add the schedule, e.g. %q", spec, DefaultSchedule)
	}
	defer func() {
		if r := recover(); r != nil {
			key, msg = "schedule", fmt.Sprintf("cannot parse %q: %v", spec, r)
		}
	}()
	sched, err := CronParser.Parse(spec)
	if err != nil {
		return key, fmt.Sprintf("cannot parse %q: %v", spec, err)
	}
	if iv := Interval(sched); timeout >= iv {
		return "timeout", fmt.Sprintf("%s must be shorter than the schedule's interval %s, or runs would pile up", timeout, iv)
	}
	return "", ""
}

// exportsShared reports whether the source exports its type's main metrics;
// only a onestop feed with period_report: false does not (it adds feed-only
// metrics beside a report-mode source).
func (s *Source) exportsShared() bool {
	return s.Type != catalog.SourceOnestop || s.Onestop == nil || s.Onestop.EmitsPeriodReport()
}

func (s *Source) sharedHint() string {
	if s.Type == catalog.SourceOnestop && s.Onestop != nil && s.Onestop.Format == onestop.FormatFeed {
		return " (a feed beside a report source needs feed.period_report: false)"
	}
	return ""
}

func known(typ string) bool {
	for _, t := range SourceTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// unitRef locates a unit for problem reports: a YAML path, and for units read
// from a CSV file the file and line inside it.
type unitRef struct {
	path string
	at   string // "file.csv:12: " or ""
}

func (c *Config) validateUnits(agencyRefs, fieldRefs []unitRef) []Problem {
	var probs []Problem
	add := func(r unitRef, format string, args ...any) {
		probs = append(probs, Problem{Path: r.path, Msg: r.at + fmt.Sprintf(format, args...)})
	}
	codes := map[string]bool{}
	levels := catalog.LabelValues[catalog.LabelLevel]
	for i, a := range c.Agencies {
		r := agencyRefs[i]
		switch {
		case !catalog.AgencyCodePattern.MatchString(a.Code):
			add(r, "agency code %q is not an e-ID code like 000.00.31.H47", a.Code)
		case codes[a.Code]:
			add(r, "agency code %s appears twice", a.Code)
		}
		codes[a.Code] = true
		switch {
		case !levels.Allows(a.Level):
			add(r, "agency %s: level %q is not one of %s", a.Code, a.Level, strings.Join(levels.List, ", "))
		case a.Level == catalog.LevelDistrict:
			// Still valid for a config of before the change; today a district
			// belongs in the lineage file.
			probs = append(probs, Problem{Path: r.path, Warning: true, Msg: r.at + fmt.Sprintf(
				"agency %s: level %s: there are no districts since 1 July 2025; list a former district in lineage_file with the unit that took it over (docs/lineage.md)", a.Code, a.Level)})
		}
		if strings.TrimSpace(a.Name) == "" {
			add(r, "agency %s has no name", a.Code)
		}
		if !catalog.LabelValues[catalog.LabelUnitCode].Allows(a.UnitCode) {
			add(r, "agency %s: %s %q is not the statistics office's code of up to 5 digits such as 20194", a.Code, AgencyUnitCodeColumn, a.UnitCode)
		}
		if a.Email != "" {
			if norm, err := NormalizeEmails(a.Email); err != nil {
				add(r, "agency %s: %s %v", a.Code, AgencyEmailColumn, err)
			} else {
				c.Agencies[i].Email = norm
			}
		}
	}
	for i, a := range c.Agencies {
		if a.Parent != "" && !codes[a.Parent] {
			add(agencyRefs[i], "agency %s: parent %s is not in the list", a.Code, a.Parent)
		}
	}
	fields := map[string]bool{}
	for i, f := range c.Fields {
		r := fieldRefs[i]
		switch {
		case !catalog.FieldCodePattern.MatchString(f.Code):
			add(r, "field code %q is not a short code like DD", f.Code)
		case fields[f.Code]:
			add(r, "field code %s appears twice", f.Code)
		}
		fields[f.Code] = true
		if strings.TrimSpace(f.Name) == "" {
			add(r, "field %s has no name", f.Code)
		}
	}
	if len(c.Sources) > 0 && len(c.Agencies) == 0 && c.AgenciesFile == "" {
		probs = append(probs, Problem{Path: "agencies", Msg: "no agencies: set agencies or agencies_file; only listed codes are exported"})
	}
	return probs
}

func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// AgencyUnitCodeColumn is the optional column of the agencies file holding
// a commune-level unit's 5-digit code from the statistics office.
const AgencyUnitCodeColumn = "unit_code"

// AgencyEmailColumn is the optional column of the agencies file after
// code,name,level,parent: the agency's contact for its own alerts.
const AgencyEmailColumn = "email"

// NormalizeEmails checks a contact cell, one or more e-mail addresses
// separated by commas or semicolons, and returns it as Alertmanager's to:
// field reads it (bare addresses, ", " between them).
func NormalizeEmails(s string) (string, error) {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, err := mail.ParseAddress(part)
		if err != nil || a.Name != "" || a.Address != part {
			return "", fmt.Errorf("%q is not an e-mail address such as vanphong@sotuphap.danang.gov.vn", part)
		}
		out = append(out, a.Address)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%q holds no e-mail address", s)
	}
	return strings.Join(out, ", "), nil
}

// readCSV reads a CSV whose header starts with want; it returns each row's
// first len(want) cells and the row's line, and names the line of a bad row.
// Optional columns may follow want in the header, in any order and by name:
// each row then has len(want)+len(optional) cells, the optional ones in the
// order given (empty where the header or the row leaves them out).
func readCSV(file string, want []string, optional ...string) ([][]string, []int, error) {
	f, err := os.Open(file) //nolint:gosec // the operator's config names the unit files
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %q: %w", file, errors.Unwrap(err))
	}
	defer func() { _ = f.Close() }() // read only: a close error loses nothing
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cannot read header: %w", file, err)
	}
	for i, h := range want {
		if i >= len(header) || strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")) != h {
			return nil, nil, fmt.Errorf("%s:1: header must start with %s", file, strings.Join(want, ","))
		}
	}
	// col[k] is the column of optional[k], or -1.
	col := make([]int, len(optional))
	for k, name := range optional {
		col[k] = -1
		for i := len(want); i < len(header); i++ {
			if strings.TrimSpace(header[i]) == name {
				col[k] = i
			}
		}
	}
	var rows [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, lines, nil
		}
		if err != nil {
			return rows, lines, fmt.Errorf("%s: %w", file, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) < len(want) {
			return rows, lines, fmt.Errorf("%s:%d: want %d columns, got %d", file, line, len(want), len(rec))
		}
		row := make([]string, len(want), len(want)+len(optional))
		for i := range want {
			row[i] = strings.TrimSpace(rec[i])
		}
		for _, c := range col {
			cell := ""
			if c >= 0 && c < len(rec) {
				cell = strings.TrimSpace(rec[c])
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
		lines = append(lines, line)
	}
}
