package rating

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Source computes the derived rules. It reads other sources' current samples
// through env.Lookup (nil: no data yet) and never talks to an upstream.
type Source struct {
	name     string
	cfg      Config
	env      source.Env
	province string
}

// New builds the source. cfg must have passed Validate; SetDefaults is
// applied here so the thresholds the daemon copied in are completed.
func New(name string, cfg Config, env source.Env) (*Source, error) {
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("source %q: invalid rating config: %w", name, errs[0])
	}
	if _, ok := catalog.LateRateOf(cfg.Thresholds.LateRateDefinition, catalog.DossierCounts{Late: 1, Early: 1, Received: 1, Overdue: 1}); !ok {
		return nil, fmt.Errorf("source %q: the late-rate definition %q cannot be computed from the one-stop period report", name, cfg.Thresholds.LateRateDefinition)
	}
	prov, err := source.ProvinceCode(cfg.Province, env.Agencies)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	return &Source{name: name, cfg: cfg, env: env, province: prov}, nil
}

// inputs are one unit's inputs for the period: one-stop counts plus what the
// portal and the feed say. The has* flags tell an absent input from a zero.
type inputs struct {
	c                       catalog.DossierCounts
	synced, local, national float64
	procedures, servicesOnl float64
	paidOnline, digitised   float64
	hasSync, hasProcedures  bool
	hasPaid, hasDigitised   bool
	hasOnestop              bool
}

func (in *inputs) add(o *inputs) {
	in.c = in.c.Add(o.c)
	in.synced += o.synced
	in.local += o.local
	in.national += o.national
	in.procedures += o.procedures
	in.servicesOnl += o.servicesOnl
	in.paidOnline += o.paidOnline
	in.digitised += o.digitised
	in.hasSync = in.hasSync || o.hasSync
	in.hasProcedures = in.hasProcedures || o.hasProcedures
	in.hasPaid = in.hasPaid || o.hasPaid
	in.hasDigitised = in.hasDigitised || o.hasDigitised
	in.hasOnestop = in.hasOnestop || o.hasOnestop
}

// Collect computes ratings, flags, the estimate and targets from the latest
// snapshot. It fails only when the scores file cannot be read.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &source.Result{}
	scores, err := s.scores(res)
	if err != nil {
		return nil, err
	}
	units, onestop := s.gather()
	th := s.cfg.Thresholds

	// Ratings: only once one-stop data exists, since a missing late rate
	// would otherwise pass as "not judged" and rate everybody on the score.
	for _, code := range sortedKeys(scores) {
		score := scores[code]
		res.Add(catalog.AgencyCCHCScore, score, code)
		if !onestop {
			continue
		}
		var c catalog.DossierCounts
		if in := units[code]; in != nil {
			c = in.c
		}
		rate, judged := s.lateRate(c)
		rating, capped := catalog.AgencyRating(score, rate, judged, th)
		for _, r := range catalog.Ratings {
			res.Add(catalog.AgencyRatingState, b2f(r == rating), code, r)
		}
		res.Add(catalog.AgencyRatingLateCapped, b2f(capped), code)
	}

	// The staff flag, for every agency with one-stop data in the period.
	for _, code := range sortedKeys(units) {
		in := units[code]
		if !in.hasOnestop {
			continue
		}
		rate, judged := s.lateRate(in.c)
		res.Add(catalog.AgencyLateCritical, b2f(judged && rate >= th.LateRateCritical), code, th.LateRateDefinition)
	}

	if s.cfg.Estimate != EstimateNone {
		s.estimate(res, units)
	}
	for _, in := range catalog.QD766Indicators {
		res.Add(catalog.QD766IndicatorMaxScore, in.Max, in.Code)
	}
	res.Add(catalog.TargetProcessingTimeCut, s.cfg.Targets.ProcessingTimeCut)
	res.Add(catalog.TargetIntegration, s.cfg.Targets.Integration)
	res.Add(catalog.TargetSync, s.cfg.Targets.Sync)
	res.Add(catalog.TargetVNeIDActivation, s.cfg.Targets.VNeIDActivation)
	return res, nil
}

// lateRate is the configured definition's late rate, and whether it is
// judged: enough resolved dossiers (LateMinVolume) and a defined rate.
func (s *Source) lateRate(c catalog.DossierCounts) (float64, bool) {
	rate, ok := catalog.LateRateOf(s.cfg.Thresholds.LateRateDefinition, c)
	return rate, ok && c.Resolved() >= float64(s.cfg.Thresholds.LateMinVolume)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// gather sums the period's inputs per known agency. onestop reports whether
// the snapshot has any one-stop report data for the period at all.
func (s *Source) gather() (map[string]*inputs, bool) {
	units := map[string]*inputs{}
	unit := func(code string) *inputs {
		if _, ok := s.env.Agencies[code]; !ok {
			return nil
		}
		in := units[code]
		if in == nil {
			in = &inputs{}
			units[code] = in
		}
		return in
	}
	period := s.cfg.Period
	// each visits the samples of m for the period; the period label is at
	// index pi, the agency first.
	each := func(m *catalog.Metric, fn func(in *inputs, smp source.Sample)) {
		if m == nil || s.env.Lookup == nil {
			return
		}
		pi := -1
		for i, l := range m.Labels {
			if l == catalog.LabelPeriod {
				pi = i
			}
		}
		for _, smp := range s.env.Lookup(m) {
			if len(smp.Labels) != len(m.Labels) || (pi >= 0 && smp.Labels[pi] != period) {
				continue
			}
			if math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0) || smp.Value < 0 {
				continue
			}
			if in := unit(smp.Labels[0]); in != nil {
				fn(in, smp)
			}
		}
	}
	onestop := false
	each(catalog.DossiersReceived, func(in *inputs, smp source.Sample) {
		in.hasOnestop = true
		in.c.Received += smp.Value
		if smp.Labels[3] == catalog.ChannelOnline {
			in.c.Online += smp.Value
		}
	})
	each(catalog.DossiersCarriedOver, func(in *inputs, smp source.Sample) {
		in.hasOnestop = true
		in.c.CarriedOver += smp.Value
	})
	each(catalog.DossiersResolved, func(in *inputs, smp source.Sample) {
		in.hasOnestop, onestop = true, true
		switch smp.Labels[3] {
		case catalog.ResolvedEarly:
			in.c.Early += smp.Value
		case catalog.ResolvedOnTime:
			in.c.OnTime += smp.Value
		case catalog.ResolvedLate:
			in.c.Late += smp.Value
		}
	})
	each(catalog.DossiersInProgress, func(in *inputs, smp source.Sample) {
		in.hasOnestop = true
		switch smp.Labels[3] {
		case catalog.InProgressNotDue:
			in.c.NotDue += smp.Value
		case catalog.InProgressOverdue:
			in.c.Overdue += smp.Value
		}
	})
	each(catalog.PortalDossiersSynced, func(in *inputs, smp source.Sample) { in.hasSync = true; in.synced += smp.Value })
	each(catalog.PortalDossiersLocal, func(in *inputs, smp source.Sample) { in.hasSync = true; in.local += smp.Value })
	each(catalog.PortalDossiersNational, func(in *inputs, smp source.Sample) { in.hasSync = true; in.national += smp.Value })
	each(catalog.PortalProcedures, func(in *inputs, smp source.Sample) { in.hasProcedures = true; in.procedures += smp.Value })
	each(catalog.PortalServicesOnline, func(in *inputs, smp source.Sample) { in.servicesOnl += smp.Value })
	each(catalog.DossiersPaidOnline, func(in *inputs, smp source.Sample) { in.hasPaid = true; in.paidOnline += smp.Value })
	each(catalog.DossiersDigitised, func(in *inputs, smp source.Sample) { in.hasDigitised = true; in.digitised += smp.Value })
	return units, onestop
}

// estimate exports the local Decision 766 estimate for the province (every
// agency summed, the People's Committee's own dossiers included) and, with
// estimate: agencies, for each other agency. An indicator
// is estimated when its inputs exist and its denominator is positive; a
// group only when the estimated indicators cover its whole maximum, since a
// partial group would not compare with the official figure.
func (s *Source) estimate(res *source.Result, units map[string]*inputs) {
	all := &inputs{}
	for _, in := range units {
		all.add(in)
	}
	s.estimateUnit(res, s.province, all)
	if s.cfg.Estimate != EstimateAgencies {
		return
	}
	for _, code := range sortedKeys(units) {
		// The province code is the whole province here, not the People's
		// Committee's own desk (the portal's root unit means the same).
		if code != s.province {
			s.estimateUnit(res, code, units[code])
		}
	}
}

// ratios returns the measured ratio of every indicator the inputs allow.
func ratios(in *inputs) map[string]float64 {
	out := map[string]float64{}
	set := func(code string, ok bool, num, den float64) {
		if ok && den > 0 {
			out[code] = num / den
		}
	}
	c := in.c
	set(catalog.IndicatorOnTime, in.hasOnestop, c.Early+c.OnTime+c.NotDue, c.Handled())
	set(catalog.IndicatorOnlineDossiers, in.hasOnestop, c.Online, c.Received)
	set(catalog.IndicatorOnlineServices, in.hasProcedures, in.servicesOnl, in.procedures)
	set(catalog.IndicatorSync, in.hasSync, in.synced, math.Max(in.local, in.national))
	// The portal divides payments by dossiers with fees; the feed only knows
	// all received dossiers, so this share is a lower bound.
	set(catalog.IndicatorOnlinePayment, in.hasPaid && in.hasOnestop, in.paidOnline, c.Received)
	set(catalog.IndicatorDigitisedDossier, in.hasDigitised && in.hasOnestop, in.digitised, c.Received)
	return out
}

func (s *Source) estimateUnit(res *source.Result, unit string, in *inputs) {
	r := ratios(in)
	if len(r) == 0 {
		return
	}
	period := s.cfg.Period
	group := map[string]float64{}
	covered := map[string]float64{}
	for _, ind := range catalog.QD766Indicators {
		ratio, ok := r[ind.Code]
		if !ok {
			continue
		}
		score := catalog.QD766Score(ind.Max, ratio, ind.Threshold)
		res.Add(catalog.QD766EstimateIndicatorScore, score, unit, ind.Code, period)
		group[ind.Group] += score
		covered[ind.Group] += ind.Max
	}
	for _, g := range catalog.QD766Groups {
		if c, ok := covered[g.Code]; ok && math.Abs(c-g.Max) < 1e-9 {
			res.Add(catalog.QD766EstimateScore, group[g.Code], unit, g.Code, period)
		}
	}
}

// scores returns the configured CCHC scores of known agencies: the file's,
// overridden by the inline ones. Rows that cannot be right are dropped and
// counted; a file that cannot be read fails the run.
func (s *Source) scores(res *source.Result) (map[string]float64, error) {
	out := map[string]float64{}
	if s.cfg.ScoresFile != "" {
		f, err := os.Open(s.cfg.ScoresFile)
		if err != nil {
			return nil, source.Errorf(catalog.ReasonInvalid, "cannot read the scores file %q: %v", s.cfg.ScoresFile, unwrapPath(err))
		}
		m, rejected, err := readScores(f)
		_ = f.Close() // opened read-only: everything wanted is already read
		if err != nil {
			return nil, source.Errorf(catalog.ReasonInvalid, "cannot read the scores file %q: %v", s.cfg.ScoresFile, err)
		}
		res.Read += len(m)
		for reason, n := range rejected {
			res.Read += n
			res.Reject(reason, n)
		}
		for code, v := range m {
			out[code] = v
		}
	}
	res.Read += len(s.cfg.Scores)
	for code, v := range s.cfg.Scores {
		out[code] = v
	}
	for code := range out {
		if _, ok := s.env.Agencies[code]; !ok {
			res.Reject(catalog.RejectUnknownCode, 1)
			delete(out, code)
		}
	}
	return out, nil
}

// readScores reads a CSV with the header agency,score. A score is a ratio
// (0.92) or a percentage (92%). Row problems are counted by reason: bad_code,
// malformed (not a score in 0–1), duplicate. The error is for the file as a
// whole (no header, broken CSV).
func readScores(r io.Reader) (map[string]float64, map[string]int, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("empty file: want the header agency,score")
	}
	if err != nil {
		return nil, nil, err
	}
	if len(head) != 2 || strings.TrimPrefix(strings.TrimSpace(head[0]), "\ufeff") != "agency" || strings.TrimSpace(head[1]) != "score" {
		return nil, nil, fmt.Errorf("want the header agency,score, got %q", strings.Join(head, ","))
	}
	out := map[string]float64{}
	rejected := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, rejected, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if len(rec) != 2 {
			rejected[catalog.RejectMalformed]++
			continue
		}
		code := strings.TrimSpace(rec[0])
		if !catalog.AgencyCodePattern.MatchString(code) {
			rejected[catalog.RejectBadCode]++
			continue
		}
		v, ok := parseScore(rec[1])
		if !ok {
			rejected[catalog.RejectMalformed]++
			continue
		}
		if _, dup := out[code]; dup {
			rejected[catalog.RejectDuplicate]++
			continue
		}
		out[code] = v
	}
}

// parseScore reads "0.92" or "92%" (also "92,5%", as Vietnamese spreadsheets
// write decimals) into a ratio in 0–1.
func parseScore(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if pct {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	if pct {
		v /= 100
	}
	return v, v >= 0 && v <= 1
}
