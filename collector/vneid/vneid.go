package vneid

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// Getter fetches a JSON body; *httpc.Client implements it with retries, rate
// limits and a size cap.
type Getter interface {
	Get(ctx context.Context, path string, query url.Values) ([]byte, error)
}

// Source is the VNeID source.
type Source struct {
	name   string
	cfg    Config
	client Getter
	env    source.Env
	log    *slog.Logger

	// province is the agency the province's totals are exported under.
	province string
	// population is the configured population aged 14+ by agency code.
	population map[string]int64

	mu sync.Mutex
	// dir mode: the current winner and the file versions already rejected,
	// so a bad file is logged and counted once, not on every run.
	winner   fileKey
	current  *report
	rejected map[fileKey]bool
	// http mode: the last rejection summary logged at warning level.
	lastRejects string
}

// Counts of one unit in report order: applications, issued, activated.
type counts [3]int64

// unitRow is one unit of a report before validation.
type unitRow struct {
	code   string
	counts counts
	// where locates the row: "units[3]" in JSON; rec is set for files.
	where string
	rec   *sheet.Record
}

// report is a decoded report: its date and its units.
type report struct {
	asOf time.Time
	rows []unitRow
	// total counts the units listed, decodable or not.
	total int
	// from describes the origin for logs (URL path or file).
	from string
}

// New builds the source. cfg must have passed SetDefaults and Validate;
// client is used in http mode and may be nil in dir mode.
func New(name string, cfg Config, client Getter, env source.Env) (*Source, error) {
	s := &Source{name: name, cfg: cfg, client: client, env: env, log: env.Logger, rejected: map[fileKey]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Mode == ModeHTTP && client == nil {
		return nil, fmt.Errorf("source %q: http mode needs an HTTP client", name)
	}
	prov, err := source.ProvinceCode(cfg.ProvinceAgency, env.Agencies)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w (vneid.province_agency)", name, err)
	}
	s.province = prov
	s.population = map[string]int64{}
	if cfg.PopulationFile != "" {
		pop, err := readPopulation(cfg.PopulationFile, cfg.MaxFileBytes, cfg.CodeMap)
		if err != nil {
			return nil, fmt.Errorf("source %q: population_file: %w", name, err)
		}
		var unknown []string
		for code, n := range pop {
			if _, ok := env.Agencies[code]; !ok {
				unknown = append(unknown, code)
				continue
			}
			s.population[code] = n
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return nil, fmt.Errorf("source %q: population_file %s: codes that are not configured agencies: %s", name, cfg.PopulationFile, strings.Join(unknown, ", "))
		}
	}
	if cfg.Population14Plus > 0 {
		s.population[s.province] = cfg.Population14Plus
	}
	return s, nil
}

// Collect reads the current report and normalises it.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	res := &source.Result{}
	var (
		units map[string]counts
		rep   *report
		err   error
	)
	if s.cfg.Mode == ModeDir {
		rep, units, err = s.collectDir(ctx, res)
	} else {
		rep, units, err = s.collectHTTP(ctx, res)
	}
	if err != nil {
		return nil, err
	}
	s.emit(res, rep.asOf, units)
	return res, nil
}

// collectHTTP fetches and decodes the JSON report. Bad units are dropped and
// counted on every run (the upstream answers afresh each time); the warning
// summarising them is logged only when it changes.
func (s *Source) collectHTTP(ctx context.Context, res *source.Result) (*report, map[string]counts, error) {
	q := url.Values{}
	for k, v := range s.cfg.Query {
		q.Set(k, v)
	}
	body, err := s.client.Get(ctx, s.cfg.Path, q)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot fetch the VNeID report: %w", err)
	}
	var rejects []rejection
	rep, err := decodeJSON(body, s.env.Location, &rejects)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkDate(rep); err != nil {
		return nil, nil, err
	}
	units := s.validate(rep.rows, &rejects)
	res.Read = rep.total
	for _, r := range rejects {
		res.Reject(r.reason, 1)
	}
	s.logRejectsHTTP(rejects)
	if len(units) == 0 {
		return nil, nil, source.CountedErrorf(res.Counts(), catalog.ReasonInvalid, "the VNeID report has no valid unit among %d", rep.total)
	}
	if sh := res.RejectedShare(); sh > s.MaxRejectedShare() {
		return nil, nil, source.CountedErrorf(res.Counts(), catalog.ReasonRejected, "%d of the report's %d units rejected, above the allowed share of %g (max_rejected_share)", rep.total-len(units), rep.total, s.MaxRejectedShare())
	}
	return rep, units, nil
}

var _ source.RejectLimiter = (*Source)(nil)

// MaxRejectedShare is the share of a report's units above which it is
// refused: max_rejected_share, or catalog.DefaultMaxRejectedShare.
func (s *Source) MaxRejectedShare() float64 {
	if p := s.cfg.MaxRejectedShare; p != nil {
		return *p
	}
	return catalog.DefaultMaxRejectedShare
}

func (s *Source) known(code string) bool {
	_, ok := s.env.Agencies[code]
	return ok
}

// rejection is one unit dropped at decode or validation.
type rejection struct {
	reason, where, msg string
	rec                *sheet.Record
	col                string
}

func (s *Source) logRejectsHTTP(rs []rejection) {
	by := map[string]int{}
	for _, r := range rs {
		by[r.reason]++
		s.log.Debug("rejected VNeID unit", "unit", r.where, "reason", r.reason, "err", r.msg)
	}
	var parts []string
	for reason, n := range by {
		parts = append(parts, fmt.Sprintf("%s=%d", reason, n))
	}
	sort.Strings(parts)
	summary := strings.Join(parts, " ")
	s.mu.Lock()
	changed := summary != s.lastRejects
	s.lastRejects = summary
	s.mu.Unlock()
	if changed && summary != "" {
		s.log.Warn("VNeID report: units rejected (logged again only when this changes; details at debug level)", "rejected", summary)
	}
}

// checkDate refuses a report dated after today: its figures cannot be right.
func (s *Source) checkDate(rep *report) error {
	now := s.env.Now().In(s.env.Location)
	y, m, d := now.Date()
	if rep.asOf.After(time.Date(y, m, d, 0, 0, 0, 0, s.env.Location)) {
		return source.Errorf(catalog.ReasonInvalid, "the VNeID report from %s is dated %s, after today", rep.from, rep.asOf.Format(time.DateOnly))
	}
	return nil
}

// validate maps codes, and keeps the rows whose code is a known agency, that
// appear once, and whose counts are consistent (activated ≤ issued). The
// others are appended to rejects.
func (s *Source) validate(rows []unitRow, rejects *[]rejection) map[string]counts {
	out := make(map[string]counts, len(rows))
	reject := func(r unitRow, reason, format string, args ...any) {
		*rejects = append(*rejects, rejection{reason: reason, where: r.where, rec: r.rec, col: colCode, msg: fmt.Sprintf(format, args...)})
	}
	for _, r := range rows {
		code := r.code
		if mapped, ok := s.cfg.CodeMap[code]; ok {
			code = mapped
		}
		switch {
		case !catalog.AgencyCodePattern.MatchString(code):
			// The value is not repeated: a code cell holding free text may be anything.
			reject(r, catalog.RejectBadCode, "not an agency e-ID code (like 000.01.31.H47) nor a code_map key")
			continue
		case !s.known(code):
			reject(r, catalog.RejectUnknownCode, "code %s is not a configured agency", code)
			continue
		}
		if _, dup := out[code]; dup {
			reject(r, catalog.RejectDuplicate, "code %s appears again; the first row is kept", code)
			continue
		}
		if r.counts[2] > r.counts[1] {
			*rejects = append(*rejects, rejection{reason: catalog.RejectInconsistent, where: r.where, rec: r.rec, col: colActivated,
				msg: fmt.Sprintf("%d accounts activated but only %d issued", r.counts[2], r.counts[1])})
			continue
		}
		out[code] = r.counts
	}
	return out
}

// emit writes the samples: each unit at its level, the province's total, the
// configured population and the report's date.
func (s *Source) emit(res *source.Result, asOf time.Time, units map[string]counts) {
	metrics := [3]*catalog.Metric{catalog.VNeIDApplications, catalog.VNeIDIssued, catalog.VNeIDActivated}
	all := make(map[string]counts, len(units)+1)
	for c, n := range units {
		all[c] = n
	}
	if _, ok := all[s.province]; !ok {
		if total, ok := s.provinceTotal(units); ok {
			all[s.province] = total
		}
	}
	codes := make([]string, 0, len(all))
	for c := range all {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		level := s.env.Agencies[c].Level
		for i, m := range metrics {
			res.Add(m, float64(all[c][i]), c, level)
		}
	}
	pop := make([]string, 0, len(s.population))
	for c := range s.population {
		pop = append(pop, c)
	}
	sort.Strings(pop)
	for _, c := range pop {
		res.Add(catalog.VNeIDPopulation, float64(s.population[c]), c, s.env.Agencies[c].Level)
	}
	res.Add(catalog.VNeIDAsOf, float64(asOf.Unix()))
}

// provinceTotal sums the finest level the report has — communes (xa) if any,
// else districts — so that a report listing districts and their communes is
// not counted twice. A report that has the province's own row keeps it.
func (s *Source) provinceTotal(units map[string]counts) (counts, bool) {
	for _, level := range []string{catalog.LevelCommune, catalog.LevelDistrict} {
		var sum counts
		found := false
		for c, n := range units {
			if s.env.Agencies[c].Level != level {
				continue
			}
			found = true
			for i := range sum {
				sum[i] += n[i]
			}
		}
		if found {
			return sum, true
		}
	}
	return counts{}, false
}

// logRejectedRows logs the rows a newly read file drops, with file, row and
// column, at most maxLoggedRows of them.
func (s *Source) logRejectedRows(rs []rejection) {
	for i, r := range rs {
		if i == maxLoggedRows {
			s.log.Warn("more rows rejected in the same file", "more", len(rs)-i)
			return
		}
		attrs := []any{"unit", r.where, "reason", r.reason, "err", r.msg}
		if r.rec != nil {
			var e *sheet.Error
			if errors.As(r.rec.Errorf(r.col, r.reason, "%s", r.msg), &e) {
				attrs = e.LogAttrs()
			}
		}
		s.log.Warn("VNeID report row rejected", attrs...)
	}
}

const maxLoggedRows = 20
