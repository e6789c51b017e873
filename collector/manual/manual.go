package manual

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// Source is the manual-KPI source.
type Source struct {
	cfg Config
	env source.Env
	log *slog.Logger
	chk checker

	mu sync.Mutex
	// files holds each file's last good KPIs, so a file is parsed only when
	// it changes, and a bad version is logged and counted once while the
	// previous good one keeps being served.
	files sheet.Watched[[]kpi]
}

// New builds the source. cfg must have passed SetDefaults and Validate.
func New(name string, cfg Config, env source.Env) (*Source, error) {
	province, err := source.ProvinceCode(cfg.ProvinceAgency, env.Agencies)
	if err != nil {
		return nil, err
	}
	loc := env.Location
	if loc == nil {
		loc = time.UTC
	}
	s := &Source{cfg: cfg, env: env, log: env.Logger,
		chk: checker{agencies: env.Agencies, province: province, loc: loc}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	_ = name
	return s, nil
}

// CheckFiles reads every file of the directory once and returns their
// problems: `govpulse check` reports a typo before the daemon starts.
func (s *Source) CheckFiles() error {
	paths, err := s.list()
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range paths {
		if _, err := s.chk.readFile(p, s.cfg.MaxFileBytes); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// list returns the KPI files of the directory, sorted. Hidden files, Excel's
// lock files (~$x.xlsx) and partial copies are not read.
func (s *Source) list() ([]string, error) {
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return nil, source.Errorf(catalog.ReasonOther, "cannot list the manual KPI directory: %v", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || !supported(name) {
			continue
		}
		p := filepath.Join(s.cfg.Dir, name)
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// Collect reads the files that changed since the last run and exports every
// KPI of every file's last good version.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	paths, err := s.list()
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, source.Errorf(catalog.ReasonInvalid, "no .yml, .yaml, .csv or .xlsx KPI file in %s", s.cfg.Dir)
	}
	res := &source.Result{}
	s.mu.Lock()
	defer s.mu.Unlock()
	use, err := s.files.Refresh(ctx, paths, func(p string) ([]kpi, error) {
		return s.chk.readFile(p, s.cfg.MaxFileBytes)
	}, func(p string, kpis []kpi, err error) {
		res.Read++ // files are accepted or rejected whole: a file is the record
		if err != nil {
			res.Reject(sheet.ReasonOf(err), 1)
			s.log.Warn("manual KPI file rejected; its previous version, if any, is still used", sheet.RejectAttrs(p, err)...)
			return
		}
		s.log.Info("manual KPI file read", "file", p, "kpis", len(kpis))
	})
	if err != nil {
		return nil, err
	}
	if len(use) == 0 {
		return nil, source.CountedErrorf(res.Counts(), catalog.ReasonInvalid, "none of the %d manual KPI files in %s is valid (see the warnings logged when each was rejected)", len(paths), s.cfg.Dir)
	}
	// Oldest first (Refresh's order), so a newer file's KPI replaces an older one's of the same code.
	merged := map[string]kpi{}
	for _, v := range use {
		for _, k := range v.Data {
			if _, dup := merged[k.code]; dup {
				s.log.Warn("manual KPI defined in two files; the newer file's is used", "kpi", k.code, "file", v.Path)
			}
			merged[k.code] = k
		}
	}
	if len(merged) > catalog.ManualMaxKPIs {
		return nil, source.CountedErrorf(res.Counts(), catalog.ReasonInvalid, "%d KPIs in %s, more than the %d a source may export", len(merged), s.cfg.Dir, catalog.ManualMaxKPIs)
	}
	emit(res, merged, s.env.Now(), s.chk.loc)
	return res, nil
}

// emit writes each KPI's info, target, deadline and target path today, and
// its latest value (dated on or before today) per agency.
func emit(res *source.Result, kpis map[string]kpi, now time.Time, loc *time.Location) {
	codes := make([]string, 0, len(kpis))
	for c := range kpis {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	today := dayOf(now, loc)
	for _, c := range codes {
		k := kpis[c]
		res.Add(catalog.ManualKPIInfo, 1, k.code, k.name, k.nameEn, k.unit, k.direction, k.valueType)
		if k.hasTarget {
			res.Add(catalog.ManualKPITarget, k.target, k.code)
		}
		if !k.deadline.IsZero() {
			res.Add(catalog.ManualKPIDeadline, float64(k.deadline.Unix()), k.code)
			res.Add(catalog.ManualKPITargetPath, k.pathAt(today), k.code)
		}
		for _, v := range latest(k.values, today) {
			res.Add(catalog.ManualKPI, v.v, k.code, v.agency)
			res.Add(catalog.ManualKPIAsOf, float64(v.date.Unix()), k.code, v.agency)
		}
	}
}

// pathAt is the expected value on day on the KPI's linear target path.
func (k kpi) pathAt(day time.Time) float64 {
	return catalog.ManualTargetPath(k.baseline, k.target, days(k.start, day), days(k.start, k.deadline))
}

// dayOf is the calendar day of t in loc, at midnight.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// days counts the calendar days from a to b (negative when b is before a),
// whatever the zone's clock changes.
func days(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// latest returns, per agency, the value of the latest date on or before
// today, sorted by agency. Values dated later are kept for when their day
// comes.
func latest(values []value, today time.Time) []value {
	best := map[string]value{}
	for _, v := range values {
		if v.date.After(today) {
			continue
		}
		if b, ok := best[v.agency]; !ok || v.date.After(b.date) {
			best[v.agency] = v
		}
	}
	out := make([]value, 0, len(best))
	for _, v := range best {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].agency < out[j].agency })
	return out
}
