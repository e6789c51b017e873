package onestop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Getter fetches a JSON body; *httpc.Client implements it with retries, rate
// limits and a size cap.
type Getter interface {
	Get(ctx context.Context, path string, query url.Values) ([]byte, error)
}

// Source is the one-stop source.
type Source struct {
	name   string
	cfg    Config
	client Getter
	env    source.Env

	items, totalPages path
	cols              [nCounts]path
	agencyPath        path
	fieldPath         path
	hasReceived       bool

	feed *feedSource // format feed
}

// New builds the source. cfg must have passed SetDefaults and Validate.
func New(name string, cfg Config, client Getter, env source.Env) (*Source, error) {
	s := &Source{name: name, cfg: cfg, client: client, env: env}
	if cfg.Format == FormatFeed {
		f, err := newFeed(name, cfg, client, env)
		if err != nil {
			return nil, err
		}
		s.feed = f
		return s, nil
	}
	m := cfg.Mapping
	if m == nil {
		return nil, fmt.Errorf("source %q: no mapping", name)
	}
	var err error
	parse := func(p string) path {
		if err != nil {
			return nil
		}
		var pp path
		pp, err = parsePath(p)
		return pp
	}
	s.items = parse(m.ItemsPath)
	if m.Pagination != nil {
		s.totalPages = parse(m.Pagination.TotalPagesPath)
	}
	s.agencyPath = parse(m.Columns[ColAgency])
	s.fieldPath = parse(m.Columns[ColField])
	for i, c := range countColumns {
		if p, ok := m.Columns[c.name]; ok {
			s.cols[i] = parse(p)
			if i >= iReceivedLo && i <= iReceivedHi {
				s.hasReceived = true
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	return s, nil
}

// Collect fetches the month, quarter and year to date and normalises them.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	if s.feed != nil {
		return s.feed.collect(ctx)
	}
	res := &source.Result{}
	for _, p := range source.CurrentPeriods(s.env.Now(), s.env.Location) {
		rows, err := s.fetchPeriod(ctx, p, res)
		if err != nil {
			return nil, fmt.Errorf("cannot fetch the %s report: %w", p, err)
		}
		emit(res, p.Name, rows)
	}
	return res, nil
}

// fetchPeriod reads every page of one period and aggregates it per key
// (agency and field, or agency only).
func (s *Source) fetchPeriod(ctx context.Context, p source.Period, res *source.Result) (map[[2]string]*[nCounts]float64, error) {
	m := s.cfg.Mapping
	q := url.Values{}
	for k, v := range m.Query {
		q.Set(k, v)
	}
	if m.PeriodParam != "" {
		q.Set(m.PeriodParam, p.Name)
	}
	q.Set(m.FromParam, p.From.Format(m.FromLayout))
	// The end is the last second of the last day, so layouts with a time of
	// day read naturally (2006-01-02T15:04:05 gives ...T23:59:59).
	q.Set(m.ToParam, p.To.Add(24*time.Hour-time.Second).Format(m.ToLayout))

	agg := make(map[[2]string]*[nCounts]float64)
	pg := m.Pagination
	for page := 0; ; page++ {
		if pg != nil {
			if page >= pg.MaxPages {
				return nil, source.Errorf(catalog.ReasonDecode, "more than %d pages: refusing to read further", pg.MaxPages)
			}
			q.Set(pg.PageParam, strconv.Itoa(pg.First+page))
			if pg.SizeParam != "" {
				q.Set(pg.SizeParam, strconv.Itoa(pg.Size))
			}
		}
		body, err := s.client.Get(ctx, m.Path, q)
		if err != nil {
			return nil, err
		}
		n, total, err := s.decodePage(body, agg, res)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page+1, err)
		}
		switch {
		case pg == nil:
			return agg, nil
		case s.totalPages != nil:
			if page+1 >= total {
				return agg, nil
			}
		case n < pg.Size:
			return agg, nil
		}
	}
}

// decodePage decodes one body, validates each item and adds it to agg. It
// returns the number of items and the total page count (if the mapping has one).
func (s *Source) decodePage(body []byte, agg map[[2]string]*[nCounts]float64, res *source.Result) (int, int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return 0, 0, source.Errorf(catalog.ReasonDecode, "malformed JSON: %w", err)
	}
	total := 0
	if s.totalPages != nil {
		v, ok := s.totalPages.get(doc)
		f, okNum := number(v)
		if !ok || !okNum || f < 0 || f > math.MaxInt32 {
			return 0, 0, source.Errorf(catalog.ReasonDecode, "page count %q missing or not a count", s.cfg.Mapping.Pagination.TotalPagesPath)
		}
		total = int(f)
	}
	v, ok := s.items.get(doc)
	if !ok {
		return 0, 0, source.Errorf(catalog.ReasonDecode, "no items at %q", s.cfg.Mapping.ItemsPath)
	}
	items, ok := v.([]any)
	if !ok {
		if v == nil { // JSON null: an empty page
			return 0, total, nil
		}
		return 0, 0, source.Errorf(catalog.ReasonDecode, "items at %q are not an array", s.cfg.Mapping.ItemsPath)
	}
	for _, it := range items {
		row, reason := s.row(it)
		if reason != "" {
			res.Reject(reason, 1)
			continue
		}
		key := [2]string{row.Agency, row.Field}
		acc := agg[key]
		if acc == nil {
			acc = new([nCounts]float64)
			agg[key] = acc
		}
		for i, c := range row.Counts {
			acc[i] += c
		}
	}
	return len(items), total, nil
}

// row normalises one item, or returns the reason it is rejected. Rejected
// values are never logged: a code column holding free text may be personal data.
func (s *Source) row(it any) (Row, string) {
	var r Row
	var reason string
	if r.Agency, reason = s.code(it, s.agencyPath, ColAgency, catalog.AgencyCodePattern, func(c string) bool { _, ok := s.env.Agencies[c]; return ok }); reason != "" {
		return r, reason
	}
	if s.cfg.Detail == DetailField {
		if r.Field, reason = s.code(it, s.fieldPath, ColField, catalog.FieldCodePattern, func(c string) bool { _, ok := s.env.Fields[c]; return ok }); reason != "" {
			return r, reason
		}
	}
	for i, p := range s.cols {
		if p == nil {
			continue
		}
		v, ok := p.get(it)
		if !ok || v == nil {
			continue // an absent count is zero
		}
		f, ok := number(v)
		if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
			return r, catalog.RejectMalformed
		}
		if f < 0 {
			return r, catalog.RejectNegative
		}
		r.Counts[i] = f
	}
	if s.hasReceived {
		var in, out float64
		in = r.Counts[iCarried]
		for i := iReceivedLo; i <= iReceivedHi; i++ {
			in += r.Counts[i]
		}
		for i := iResolvedLo; i <= iResolvedHi; i++ {
			out += r.Counts[i]
		}
		if out > in {
			return r, catalog.RejectInconsistent
		}
	}
	return r, ""
}

type matcher interface{ MatchString(string) bool }

func (s *Source) code(it any, p path, col string, pattern matcher, known func(string) bool) (string, string) {
	v, ok := p.get(it)
	if !ok {
		return "", catalog.RejectMalformed
	}
	var c string
	switch x := v.(type) {
	case string:
		c = strings.TrimSpace(x)
	case json.Number:
		c = x.String()
	default:
		return "", catalog.RejectMalformed
	}
	if vm, ok := s.cfg.Mapping.ValueMaps[col]; ok {
		mapped, ok := vm[c]
		if !ok {
			return "", catalog.RejectUnknownCode
		}
		c = mapped
	}
	if !pattern.MatchString(c) {
		return "", catalog.RejectBadCode
	}
	if !known(c) {
		return "", catalog.RejectUnknownCode
	}
	return c, ""
}

// number accepts JSON numbers and numeric strings (several vendors quote counts).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// emit turns one period's aggregate into samples, in a stable order. Keys
// whose counts are all zero are skipped: only pairs with dossiers cost series.
func emit(res *source.Result, period string, agg map[[2]string]*[nCounts]float64) {
	keys := make([][2]string, 0, len(agg))
	for k, c := range agg {
		if *c != ([nCounts]float64{}) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		c := agg[k]
		for i, col := range countColumns {
			if col.value == "" {
				res.Add(col.metric, c[i], k[0], k[1], period)
			} else {
				res.Add(col.metric, c[i], k[0], k[1], period, col.value)
			}
		}
	}
}
