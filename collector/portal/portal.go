package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Client posts a JSON body and returns the answer; *httpc.Client implements
// it with retries, rate limits and a size cap.
type Client interface {
	Post(ctx context.Context, path string, query url.Values, body []byte) ([]byte, error)
}

// Source is the national portal source.
type Source struct {
	name     string
	cfg      Config
	client   Client
	env      source.Env
	province string
}

// New builds the source. cfg must have passed SetDefaults and Validate. The
// province (cfg.Province, or the one agency of level tinh) must be a known
// agency.
func New(name string, cfg Config, client Client, env source.Env) (*Source, error) {
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("source %q: invalid portal config: %w", name, errs[0])
	}
	prov, err := source.ProvinceCode(cfg.Province, env.Agencies)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Location == nil {
		env.Location = time.Local
	}
	return &Source{name: name, cfg: cfg, client: client, env: env, province: prov}, nil
}

// Collect reads the configured reports for every configured period.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	res := &source.Result{}
	periods := s.periods()
	if s.cfg.collects(ReportScores) {
		for _, g := range catalog.QD766Groups {
			res.Add(catalog.QD766GroupMaxScore, g.Max, g.Code)
		}
		for _, p := range periods {
			if err := s.collectScores(ctx, p, res); err != nil {
				return nil, fmt.Errorf("cannot read the Decision 766 scores (%s): %w", p, err)
			}
		}
	}
	if s.cfg.collects(ReportSync) {
		for _, p := range periods {
			if err := s.collectSync(ctx, p, res); err != nil {
				return nil, fmt.Errorf("cannot read the dossier sync report (%s): %w", p, err)
			}
		}
	}
	if s.cfg.collects(ReportServices) {
		if err := s.collectServices(ctx, res); err != nil {
			return nil, fmt.Errorf("cannot read the online service report: %w", err)
		}
	}
	return res, nil
}

func (s *Source) periods() []source.Period {
	var out []source.Period
	for _, p := range source.CurrentPeriods(s.env.Now(), s.env.Location) {
		for _, want := range s.cfg.Periods {
			if p.Name == want {
				out = append(out, p)
			}
		}
	}
	return out
}

// request is the body for period p under root ("" for the national ranking).
func request(p source.Period, root string) Request {
	r := Request{TimeType: p.Name, Year: p.From.Year(), RootDepartmentCode: root}
	switch p.Name {
	case catalog.PeriodMonth:
		r.Month = int(p.From.Month())
	case catalog.PeriodQuarter:
		r.Quarter = (int(p.From.Month())-1)/3 + 1
	}
	return r
}

// fetch posts req page after page and returns every row under key.
func (s *Source) fetch(ctx context.Context, path string, req Request, key string) ([]json.RawMessage, error) {
	var all []json.RawMessage
	for n := 1; ; n++ {
		if n > s.cfg.MaxPages {
			return nil, source.Errorf(catalog.ReasonDecode, "more than %d pages: refusing to read further", s.cfg.MaxPages)
		}
		req.CurrentPage, req.PageSize = n, s.cfg.PageSize
		body, err := json.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("BUG: cannot encode the request: %w", err)
		}
		answer, err := s.client.Post(ctx, path, nil, body)
		if err != nil {
			return nil, err
		}
		pg, err := decodePage(answer, key)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", n, err)
		}
		all = append(all, pg.rows...)
		if n >= pg.totalPages {
			return all, nil
		}
	}
}

// code resolves a row's unit code: its departmentCode, else the configured
// code of its departmentId. reason is bad_code for something that is not an
// e-ID code (the value is never logged: it may be free text), malformed for
// no code at all. known tells whether the agency list has it.
func (s *Source) code(u unitRef) (code, reason string, known bool) {
	code = strings.TrimSpace(u.DepartmentCode)
	if code == "" {
		code = s.cfg.DepartmentCodes[strings.TrimSpace(u.DepartmentID)]
	}
	switch {
	case code == "":
		return "", catalog.RejectMalformed, false
	case !catalog.AgencyCodePattern.MatchString(code):
		return "", catalog.RejectBadCode, false
	}
	_, known = s.env.Agencies[code]
	return code, "", known
}

// collectScores reads the national ranking (the province's scores and rank)
// and the province's own list (its agencies' scores and ranks by level).
func (s *Source) collectScores(ctx context.Context, p source.Period, res *source.Result) error {
	national, err := s.fetch(ctx, s.cfg.Paths.Scores, request(p, ""), rowsScores)
	if err != nil {
		return fmt.Errorf("national ranking: %w", err)
	}
	if err := s.provinceScores(national, p.Name, res); err != nil {
		return err
	}
	units, err := s.fetch(ctx, s.cfg.Paths.Scores, request(p, s.province), rowsScores)
	if err != nil {
		return fmt.Errorf("units of %s: %w", s.province, err)
	}
	s.unitScores(units, p.Name, res)
	return nil
}

// provinceScores exports the province's row of the national ranking and its
// rank among every valid row. Other provinces' codes are not in the agency
// list: their rows only count for the rank. An empty ranking (the portal has
// not scored the period yet) exports nothing; a ranking without the province
// is an error, most likely a wrong province code or department_codes entry.
func (s *Source) provinceScores(rows []json.RawMessage, period string, res *source.Result) error {
	var totals []float64
	var mine *scores
	res.Read += len(rows)
	for _, raw := range rows {
		r, sc, reason := decodeScores(raw)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		code, _, _ := s.code(r.unitRef)
		if code == s.province {
			if mine != nil {
				res.Reject(catalog.RejectDuplicate, 1)
				continue
			}
			mine = &sc
		}
		totals = append(totals, sc.total)
	}
	if mine == nil {
		if len(rows) == 0 {
			return nil
		}
		return source.Errorf(catalog.ReasonDecode, "the national ranking has %d rows but none valid for province %s (check province and department_codes)", len(rows), s.province)
	}
	emitScores(res, s.province, period, *mine, rank(mine.total, totals), len(totals))
	return nil
}

// unitScores exports every known agency's row, ranked among the valid rows
// of its administrative level. The province's own row, if listed, is skipped:
// its figures come from the national ranking.
func (s *Source) unitScores(rows []json.RawMessage, period string, res *source.Result) {
	type unit struct {
		code, level string
		sc          scores
	}
	var units []unit
	seen := map[string]bool{}
	res.Read += len(rows)
	for _, raw := range rows {
		r, sc, reason := decodeScores(raw)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		code, reason, known := s.code(r.unitRef)
		switch {
		case reason != "":
			res.Reject(reason, 1)
			continue
		case code == s.province:
			continue
		case !known:
			res.Reject(catalog.RejectUnknownCode, 1)
			continue
		case seen[code]:
			res.Reject(catalog.RejectDuplicate, 1)
			continue
		}
		seen[code] = true
		units = append(units, unit{code, s.env.Agencies[code].Level, sc})
	}
	byLevel := map[string][]float64{}
	for _, u := range units {
		byLevel[u.level] = append(byLevel[u.level], u.sc.total)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].code < units[j].code })
	for _, u := range units {
		peers := byLevel[u.level]
		emitScores(res, u.code, period, u.sc, rank(u.sc.total, peers), len(peers))
	}
}

// rank is the competition rank of total among totals (1 = best; ties share
// the better rank, as the portal's table shows them).
func rank(total float64, totals []float64) int {
	r := 1
	for _, t := range totals {
		if t > total {
			r++
		}
	}
	return r
}

func emitScores(res *source.Result, unit, period string, sc scores, rank, ranked int) {
	for _, g := range catalog.QD766Groups {
		if v, ok := sc.groups[g.Code]; ok {
			res.Add(catalog.QD766GroupScore, v, unit, g.Code, period)
		}
	}
	res.Add(catalog.QD766TotalScore, sc.total, unit, period)
	res.Add(catalog.QD766Rank, float64(rank), unit, period)
	res.Add(catalog.QD766UnitsRanked, float64(ranked), unit, period)
}

// knownCode resolves and checks a row's unit, counting a rejection.
func (s *Source) knownCode(u unitRef, seen map[string]bool, res *source.Result) (string, bool) {
	code, reason, known := s.code(u)
	switch {
	case reason != "":
	case !known:
		reason = catalog.RejectUnknownCode
	case seen[code]:
		reason = catalog.RejectDuplicate
	}
	if reason != "" {
		res.Reject(reason, 1)
		return "", false
	}
	seen[code] = true
	return code, true
}

// collectSync exports each agency's synced, local and national counts. The
// parent row (the province's total) is not exported: it is the sum of the
// children, and exporting both would double every sum.
func (s *Source) collectSync(ctx context.Context, p source.Period, res *source.Result) error {
	rows, err := s.fetch(ctx, s.cfg.Paths.Sync, request(p, s.province), rowsTree)
	if err != nil {
		return err
	}
	type row struct {
		code string
		c    syncCounts
	}
	var out []row
	seen := map[string]bool{}
	res.Read += len(rows)
	for _, raw := range rows {
		r, c, reason := decodeSync(raw)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		code, ok := s.knownCode(r.unitRef, seen, res)
		if !ok || c == (syncCounts{}) {
			continue // only agencies with dossiers cost series
		}
		out = append(out, row{code, c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	for _, r := range out {
		res.Add(catalog.PortalDossiersLocal, r.c.local, r.code, p.Name)
		res.Add(catalog.PortalDossiersNational, r.c.national, r.code, p.Name)
		res.Add(catalog.PortalDossiersSynced, r.c.synced, r.code, p.Name)
	}
	return nil
}

// collectServices exports each agency's procedures, online services and
// integrated services. The report is a catalogue, not a period report.
func (s *Source) collectServices(ctx context.Context, res *source.Result) error {
	rows, err := s.fetch(ctx, s.cfg.Paths.Services, Request{RootDepartmentCode: s.province}, rowsTree)
	if err != nil {
		return err
	}
	type row struct {
		code string
		c    serviceCounts
	}
	var out []row
	seen := map[string]bool{}
	res.Read += len(rows)
	for _, raw := range rows {
		r, c, reason := decodeServices(raw)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		code, ok := s.knownCode(r.unitRef, seen, res)
		if !ok || c == (serviceCounts{procedures: -1}) {
			continue
		}
		out = append(out, row{code, c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	for _, r := range out {
		if r.c.procedures >= 0 {
			res.Add(catalog.PortalProcedures, r.c.procedures, r.code)
		}
		res.Add(catalog.PortalServicesOnline, r.c.full, r.code, catalog.ServiceFullOnline)
		res.Add(catalog.PortalServicesOnline, r.c.partial, r.code, catalog.ServicePartialOnline)
		res.Add(catalog.PortalServicesIntegrated, r.c.fullInt, r.code, catalog.ServiceFullOnline)
		res.Add(catalog.PortalServicesIntegrated, r.c.partialInt, r.code, catalog.ServicePartialOnline)
	}
	return nil
}
