// Package leader builds the leader's report (báo cáo cho lãnh đạo): one
// self-contained HTML file in Vietnamese (or English) with charts drawn by
// gonum.org/v1/plot and embedded as PNG data: URIs, and its PDF printed by
// headless Chromium. Fetch reads the figures from a Prometheus-compatible
// query API; Render writes the HTML; PDF prints it.
//
// Every metric name, label, threshold and name of a code comes from
// collector/catalog, and the late rates use the recorded series' formulas
// on the raw counts (rules.ScopeLateRatio), which also read history
// backfilled before the recording rules ran (docs/leader-report.md).
package leader

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards/rules"
	"github.com/govpulse/govpulse/exporters/report/promapi"
)

// Months is how many complete months the late-rate history shows.
const Months = 12

// TopAgencies is how many agencies the late-rate ranking shows.
const TopAgencies = 10

// monthWindow is how far back before a month's end a count's last value
// is read: a scrape gap near midnight still reads the month's last figure.
const monthWindow = 24 * time.Hour

// Options say which report to build.
type Options struct {
	// AsOf is the report's instant: the history is the Months complete months
	// before AsOf's month, current figures are read at AsOf. Required.
	AsOf time.Time
	// Location is the province's time zone, in which months start (default
	// Asia/Ho_Chi_Minh).
	Location *time.Location
	// Province is the province code (the province label); empty reads the
	// single province the data holds and fails if it holds several.
	Province string
	// Thresholds are the province's late-rate rules (zero fields: defaults).
	Thresholds catalog.Thresholds
}

// Report is everything the leader's report shows. Names are what people
// read (agency names from tthc_agency_info); codes are kept for joins only.
type Report struct {
	// ProvinceName is the name of the province's root unit (its agency of
	// level tinh), ProvinceCode its province label ("" when the data has none).
	ProvinceName, ProvinceCode string
	AsOf                       time.Time
	// Threshold is the warning late rate (the 5% rule), Definition the
	// late-rate definition the rates use, MinVolume the fewest resolved
	// dossiers for an agency's rate to be ranked.
	Threshold  float64
	Definition string
	MinVolume  int
	// Months are the Months complete months before AsOf's month, oldest first.
	Months []MonthRate
	// Top are the agencies with the highest late rate in the last of Months,
	// highest first (at most TopAgencies, each with ≥ MinVolume resolved).
	Top    []AgencyRate
	VNeID  VNeID
	QD766  []GroupScore
	Ranks  []IndexRanks
	Rating []RatingCount
	// Capped are the agencies whose score reached a better rating that their
	// late rate kept them out of, by name.
	Capped []string
	// NotCompleted are the agencies rated "không hoàn thành nhiệm vụ", by name.
	NotCompleted []string
}

// MonthRate is the province's late rate in one month.
type MonthRate struct {
	// Month is the month's first instant in the province's time zone.
	Month time.Time
	// Rate is the late rate; OK is false when the month has no resolved dossier.
	Rate     float64
	Resolved float64
	OK       bool
}

// AgencyRate is one agency's late rate in a month.
type AgencyRate struct {
	Code, Name     string
	Rate, Resolved float64
}

// VNeID are the province's level-2 e-ID counts (communes summed) and the
// activation target.
type VNeID struct {
	Issued, Activated, Population, Target float64
	// AsOf is the police report's date (zero if unknown).
	AsOf time.Time
}

// Rate is the activation rate: activated / issued.
func (v VNeID) Rate() float64 { return catalog.VNeIDActivationRate(v.Activated, v.Issued) }

// Coverage is activated / population aged 14+.
func (v VNeID) Coverage() float64 { return catalog.VNeIDCoverage(v.Activated, v.Population) }

// GroupScore is the province's official Decision 766 score of one group.
type GroupScore struct {
	Group catalog.QD766Group
	Score float64
	// OK is false when the portal published no score for the group.
	OK bool
}

// IndexRanks are the province's ranks in a yearly index by assessed year,
// and its target rank.
type IndexRanks struct {
	Index catalog.IndexDef
	Years []YearRank
	// Target is the target rank (0: none) by TargetYear.
	Target, TargetYear int
}

// YearRank is a rank in one assessed year among Ranked provinces.
type YearRank struct {
	Year, Rank, Ranked int
}

// RatingCount is how many heads of agency have one rating.
type RatingCount struct {
	Tier  catalog.RatingTier
	Count int
}

// RankedIndices are the indices whose ranks the report shows.
var RankedIndices = []string{catalog.IndexPAR, catalog.IndexDTI}

// Fetch reads the report's figures from c.
func Fetch(ctx context.Context, c *promapi.Client, o Options) (Report, error) {
	if o.AsOf.IsZero() {
		return Report{}, errors.New("the report needs its as-of time")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			loc = time.FixedZone("ICT", 7*3600)
		}
		o.Location = loc
	}
	th := o.Thresholds
	th.SetDefaults()
	f := fetcher{ctx: ctx, c: c}
	r := Report{AsOf: o.AsOf.In(o.Location), Threshold: th.LateRateWarning, Definition: th.LateRateDefinition, MinVolume: th.LateMinVolume}
	root, err := f.province(o.Province, r.AsOf)
	if err != nil {
		return Report{}, err
	}
	r.ProvinceCode, r.ProvinceName = root.province, root.name
	prov := eq(catalog.LabelProvince, root.province)

	first := time.Date(r.AsOf.Year(), r.AsOf.Month(), 1, 0, 0, 0, 0, o.Location)
	rate, err := rules.ScopeLateRatio(th.LateRateDefinition, catalog.PeriodMonth, catalog.ScopeProvince, monthWindow, prov)
	if err != nil {
		return Report{}, err
	}
	resolved := rules.ScopeResolved(catalog.PeriodMonth, catalog.ScopeProvince, monthWindow, prov)
	for i := Months; i >= 1; i-- {
		m := MonthRate{Month: first.AddDate(0, -i, 0)}
		at := monthEnd(m.Month)
		if m.Rate, m.OK, err = f.one(rate, at); err != nil {
			return Report{}, err
		}
		if m.Resolved, _, err = f.one(resolved, at); err != nil {
			return Report{}, err
		}
		r.Months = append(r.Months, m)
	}
	if r.Top, err = f.top(th, prov, monthEnd(first.AddDate(0, -1, 0))); err != nil {
		return Report{}, err
	}
	if r.VNeID, err = f.vneid(prov, r.AsOf); err != nil {
		return Report{}, err
	}
	if r.QD766, err = f.qd766(prov, root.agency, r.AsOf); err != nil {
		return Report{}, err
	}
	if r.Ranks, err = f.ranks(prov, r.AsOf); err != nil {
		return Report{}, err
	}
	if err := f.ratings(&r, prov, r.AsOf); err != nil {
		return Report{}, err
	}
	return r, nil
}

// monthEnd is the instant a month's figures are read at: its last
// millisecond, before the month-to-date counts restart.
func monthEnd(first time.Time) time.Time { return first.AddDate(0, 1, 0).Add(-time.Millisecond) }

func sel(name string, matchers ...string) string {
	return name + "{" + strings.Join(matchers, ",") + "}"
}

func eq(label, value string) string { return label + "=" + strconv.Quote(value) }

type fetcher struct {
	ctx context.Context
	c   *promapi.Client
}

func (f fetcher) query(expr string, at time.Time) ([]promapi.Sample, error) {
	return f.c.Instant(f.ctx, expr, at)
}

// one is the value of a query answering at most one series.
func (f fetcher) one(expr string, at time.Time) (float64, bool, error) {
	ss, err := f.query(expr, at)
	if err != nil {
		return 0, false, err
	}
	switch len(ss) {
	case 0:
		return 0, false, nil
	case 1:
		return ss[0].Value, !math.IsNaN(ss[0].Value), nil
	}
	return 0, false, fmt.Errorf("query %q at %s: %d series, want one", expr, at.Format(time.RFC3339), len(ss))
}

// rootUnit is the province's agency of level tinh.
type rootUnit struct{ province, agency, name string }

// province finds the province's root unit at at: the one of code, or the
// single province in the data.
func (f fetcher) province(code string, at time.Time) (rootUnit, error) {
	matchers := []string{eq(catalog.LabelLevel, catalog.LevelProvince)}
	if code != "" {
		matchers = append(matchers, eq(catalog.LabelProvince, code))
	}
	ss, err := f.query(rules.Once(sel(catalog.AgencyInfo.Name, matchers...)), at)
	if err != nil {
		return rootUnit{}, err
	}
	byProvince := map[string]rootUnit{}
	for _, s := range ss {
		p := s.Labels[catalog.LabelProvince]
		if old, ok := byProvince[p]; ok && old.agency < s.Labels[catalog.LabelAgency] {
			continue // two root units (a config names one): the first code
		}
		byProvince[p] = rootUnit{province: p, agency: s.Labels[catalog.LabelAgency], name: s.Labels[catalog.LabelName]}
	}
	switch len(byProvince) {
	case 0:
		if code != "" {
			return rootUnit{}, fmt.Errorf("the store has no province %q at %s (no %s of level %s)", code, at.Format(time.RFC3339), catalog.AgencyInfo.Name, catalog.LevelProvince)
		}
		return rootUnit{}, fmt.Errorf("the store has no province at %s (no %s of level %s): is govpulse scraped, and is the as-of time right?", at.Format(time.RFC3339), catalog.AgencyInfo.Name, catalog.LevelProvince)
	case 1:
		for _, u := range byProvince {
			return u, nil
		}
	}
	codes := make([]string, 0, len(byProvince))
	for p := range byProvince {
		codes = append(codes, strconv.Quote(p))
	}
	sort.Strings(codes)
	return rootUnit{}, fmt.Errorf("the store holds several provinces (%s): pick one with --province", strings.Join(codes, ", "))
}

// names maps agency codes to names at at.
func (f fetcher) names(prov string, at time.Time) (map[string]string, error) {
	ss, err := f.query(rules.Once(sel(catalog.AgencyInfo.Name, prov)), at)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range ss {
		out[s.Labels[catalog.LabelAgency]] = s.Labels[catalog.LabelName]
	}
	return out, nil
}

// byAgency maps agency codes to the values of expr at at.
func (f fetcher) byAgency(expr string, at time.Time) (map[string]float64, error) {
	ss, err := f.query(expr, at)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range ss {
		out[s.Labels[catalog.LabelAgency]] = s.Value
	}
	return out, nil
}

// top is the agencies with the highest late rate in the month read at at,
// among those with at least MinVolume resolved.
func (f fetcher) top(th catalog.Thresholds, prov string, at time.Time) ([]AgencyRate, error) {
	rate, err := rules.ScopeLateRatio(th.LateRateDefinition, catalog.PeriodMonth, catalog.ScopeAgency, monthWindow, prov)
	if err != nil {
		return nil, err
	}
	rates, err := f.byAgency(rate, at)
	if err != nil {
		return nil, err
	}
	volume, err := f.byAgency(rules.ScopeResolved(catalog.PeriodMonth, catalog.ScopeAgency, monthWindow, prov), at)
	if err != nil {
		return nil, err
	}
	names, err := f.names(prov, at)
	if err != nil {
		return nil, err
	}
	var out []AgencyRate
	for code, v := range rates {
		if volume[code] < float64(th.LateMinVolume) || math.IsNaN(v) {
			continue
		}
		n := names[code]
		if n == "" {
			n = code // a unit no longer listed: its code is all the store has
		}
		out = append(out, AgencyRate{Code: code, Name: n, Rate: v, Resolved: volume[code]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rate != out[j].Rate {
			return out[i].Rate > out[j].Rate
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > TopAgencies {
		out = out[:TopAgencies]
	}
	return out, nil
}

// sumOf is the sum over the province's communes of m.
func sumOf(m *catalog.Metric, prov string) string {
	return "sum(" + rules.Once(sel(m.Name, prov, eq(catalog.LabelLevel, catalog.LevelCommune))) + ")"
}

func (f fetcher) vneid(prov string, at time.Time) (VNeID, error) {
	var v VNeID
	for _, q := range []struct {
		expr string
		to   *float64
	}{
		{sumOf(catalog.VNeIDIssued, prov), &v.Issued},
		{sumOf(catalog.VNeIDActivated, prov), &v.Activated},
		{sumOf(catalog.VNeIDPopulation, prov), &v.Population},
		{"max(" + rules.Once(sel(catalog.TargetVNeIDActivation.Name, prov)) + ")", &v.Target},
	} {
		x, _, err := f.one(q.expr, at)
		if err != nil {
			return VNeID{}, err
		}
		*q.to = x
	}
	asOf, ok, err := f.one("max("+rules.Once(sel(catalog.VNeIDAsOf.Name, prov))+")", at)
	if err != nil {
		return VNeID{}, err
	}
	if ok && asOf > 0 {
		v.AsOf = time.Unix(int64(asOf), 0).In(at.Location())
	}
	return v, nil
}

// qd766 is the province's official group scores this month: the figures of
// its root unit (the portal's unit for the whole province).
func (f fetcher) qd766(prov, root string, at time.Time) ([]GroupScore, error) {
	ss, err := f.query(rules.Once(sel(catalog.QD766GroupScore.Name, prov, eq(catalog.LabelUnit, root), eq(catalog.LabelPeriod, catalog.PeriodMonth))), at)
	if err != nil {
		return nil, err
	}
	score := map[string]float64{}
	for _, s := range ss {
		score[s.Labels[catalog.LabelGroup]] = s.Value
	}
	out := make([]GroupScore, 0, len(catalog.QD766Groups))
	for _, g := range catalog.QD766Groups {
		v, ok := score[g.Code]
		out = append(out, GroupScore{Group: g, Score: v, OK: ok})
	}
	return out, nil
}

func (f fetcher) ranks(prov string, at time.Time) ([]IndexRanks, error) {
	total := eq(catalog.LabelComponent, catalog.ComponentTotal)
	rank, err := f.query(rules.Once(sel(catalog.IndexRank.Name, prov, total)), at)
	if err != nil {
		return nil, err
	}
	ranked, err := f.query(rules.Once(sel(catalog.IndexRankedProvinces.Name, prov, total)), at)
	if err != nil {
		return nil, err
	}
	targets, err := f.query(rules.Once(sel(catalog.IndexTargetRank.Name, prov)), at)
	if err != nil {
		return nil, err
	}
	key := func(s promapi.Sample) string { return s.Labels[catalog.LabelIndex] + "/" + s.Labels[catalog.LabelYear] }
	of := map[string]int{}
	for _, s := range ranked {
		of[key(s)] = int(s.Value)
	}
	var out []IndexRanks
	for _, code := range RankedIndices {
		d, _ := catalog.IndexByCode(code)
		ir := IndexRanks{Index: d}
		for _, s := range rank {
			if s.Labels[catalog.LabelIndex] != code {
				continue
			}
			y, err := strconv.Atoi(s.Labels[catalog.LabelYear])
			if err != nil {
				continue
			}
			ir.Years = append(ir.Years, YearRank{Year: y, Rank: int(s.Value), Ranked: of[key(s)]})
		}
		sort.Slice(ir.Years, func(i, j int) bool { return ir.Years[i].Year < ir.Years[j].Year })
		for _, s := range targets {
			if s.Labels[catalog.LabelIndex] != code {
				continue
			}
			y, _ := strconv.Atoi(s.Labels[catalog.LabelYear])
			if y >= ir.TargetYear { // the latest target
				ir.Target, ir.TargetYear = int(s.Value), y
			}
		}
		out = append(out, ir)
	}
	return out, nil
}

func (f fetcher) ratings(r *Report, prov string, at time.Time) error {
	names, err := f.names(prov, at)
	if err != nil {
		return err
	}
	state, err := f.query(rules.Once(sel(catalog.AgencyRatingState.Name, prov))+" == 1", at)
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, s := range state {
		code := s.Labels[catalog.LabelRating]
		count[code]++
		if code == catalog.RatingNotCompleted {
			r.NotCompleted = append(r.NotCompleted, nameOf(names, s.Labels[catalog.LabelAgency]))
		}
	}
	for _, t := range catalog.RatingTiers {
		r.Rating = append(r.Rating, RatingCount{Tier: t, Count: count[t.Code]})
	}
	capped, err := f.query(rules.Once(sel(catalog.AgencyRatingLateCapped.Name, prov))+" == 1", at)
	if err != nil {
		return err
	}
	for _, s := range capped {
		r.Capped = append(r.Capped, nameOf(names, s.Labels[catalog.LabelAgency]))
	}
	slices.Sort(r.Capped)
	slices.Sort(r.NotCompleted)
	return nil
}

func nameOf(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}
