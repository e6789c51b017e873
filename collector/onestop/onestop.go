package onestop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// Getter fetches a JSON body; *httpc.Client implements it with retries, rate
// limits and a size cap, and Streamer too: reports are then read as they
// arrive, never held whole.
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
	successPath       path
	errMsgPath        path
	periodPath        path
	maxCount          float64
	tree              *pathNode // the paths wanted in a body (stream.go)

	mu sync.Mutex
	// prev holds the number of rows of the last good report of each period
	// (by name and first day), for the empty-report check.
	prev map[string]prevReport

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
	s.maxCount = m.MaxCount
	if s.maxCount == 0 {
		s.maxCount = DefaultMaxCount
	}
	s.successPath = parse(m.SuccessPath)
	s.errMsgPath = parse(m.ErrorMessagePath)
	s.periodPath = parse(m.PeriodPath)
	var slots [nSlots]path
	slots[slotSuccess], slots[slotErrMsg], slots[slotPeriod], slots[slotPages] = s.successPath, s.errMsgPath, s.periodPath, s.totalPages
	if err == nil {
		s.tree, err = buildTree(s.items, slots)
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

type prevReport struct {
	from time.Time
	rows int
}

// Collect fetches the month, quarter and year to date and normalises them.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	if s.feed != nil {
		return s.feed.collect(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := &source.Result{}
	seen := make(map[string]prevReport)
	total := 0
	for _, p := range source.CurrentPeriods(s.env.Now(), s.env.Location) {
		agg, rows, err := s.fetchPeriod(ctx, p, res)
		if err != nil {
			return nil, fmt.Errorf("cannot fetch the %s report: %w", p.Name, err)
		}
		if prev, ok := s.prev[p.Name]; ok && rows == 0 && prev.rows > 0 && prev.from.Equal(p.From) && !s.cfg.Mapping.AllowEmpty {
			return nil, source.Errorf(catalog.ReasonEmpty, "the %s report is empty, the last good one had %d rows (allow_empty: true accepts this)", p.Name, prev.rows)
		}
		seen[p.Name] = prevReport{from: p.From, rows: rows}
		total += rows
		emit(res, p.Name, agg)
	}
	res.Read = total
	if err := s.checkRejected(res); err != nil {
		return nil, err
	}
	s.prev = seen
	return res, nil
}

// checkRejected fails a run that rejected more than its allowed share of
// the rows it read (res.Read). Inconsistent rows are kept, so they are not
// rejected here. The error carries the run's counts: they are counted
// although the run is not published.
func (s *Source) checkRejected(res *source.Result) error {
	limit := s.MaxRejectedShare()
	c := res.Counts()
	if res.Read == 0 || c.Share <= limit {
		return nil
	}
	return source.CountedErrorf(c, catalog.ReasonRejected, "%d of %d rows rejected, above the allowed share of %g (max_rejected_share)", c.RejectedRecords(), res.Read, limit)
}

// fetchPeriod reads every page of one period and aggregates it per key
// (agency and field, or agency only).
func (s *Source) fetchPeriod(ctx context.Context, p source.Period, res *source.Result) (map[[2]string]*[nCounts]float64, int, error) {
	m := s.cfg.Mapping
	q := url.Values{}
	for k, v := range m.Query {
		q.Set(k, v)
	}
	if m.PeriodParam != "" {
		q.Set(m.PeriodParam, p.Name)
	}
	from := p.From.Format(m.FromLayout)
	// The end is the last second of the last day, so layouts with a time of
	// day read naturally (2006-01-02T15:04:05 gives ...T23:59:59).
	to := p.To.Add(24*time.Hour - time.Second).Format(m.ToLayout)
	q.Set(m.FromParam, from)
	q.Set(m.ToParam, to)
	tag := periodTag(m.PeriodTag, p, from, to)

	agg := make(map[[2]string]*[nCounts]float64)
	seen := make(map[[2]string]struct{})
	rows := 0
	pg := m.Pagination
	for page := 0; ; page++ {
		if pg != nil {
			if page >= pg.MaxPages {
				return nil, 0, source.Errorf(catalog.ReasonDecode, "more than %d pages: refusing to read further", pg.MaxPages)
			}
			q.Set(pg.PageParam, strconv.Itoa(pg.First+page))
			if pg.SizeParam != "" {
				q.Set(pg.SizeParam, strconv.Itoa(pg.Size))
			}
		}
		var n, total int
		err := s.get(ctx, m.Path, q, func(r io.Reader) error {
			var err error
			n, total, err = s.decodeTagged(r, tag, agg, seen, res)
			return err
		})
		if err != nil {
			return nil, 0, fmt.Errorf("page %d: %w", page+1, err)
		}
		rows += n
		switch {
		case pg == nil:
			return agg, rows, nil
		case s.totalPages != nil:
			if page+1 >= total {
				return agg, rows, nil
			}
		case n < pg.Size:
			return agg, rows, nil
		}
	}
}

// get streams one body to fn: straight from the connection when the client
// can stream (httpc does), so a large report is never held whole.
func (s *Source) get(ctx context.Context, p string, q url.Values, fn func(io.Reader) error) error {
	if st, ok := s.client.(Streamer); ok {
		return st.Stream(ctx, p, q, fn)
	}
	body, err := s.client.Get(ctx, p, q)
	if err != nil {
		return err
	}
	return fn(bytes.NewReader(body))
}

// periodTag expands the period_tag template for p.
func periodTag(tmpl string, p source.Period, from, to string) string {
	if tmpl == "" {
		return ""
	}
	return strings.NewReplacer(
		"{period}", p.Name, "{from}", from, "{to}", to,
		"{year}", strconv.Itoa(p.From.Year()),
		"{month}", fmt.Sprintf("%02d", int(p.From.Month())),
		"{quarter}", strconv.Itoa((int(p.From.Month())-1)/3+1),
	).Replace(tmpl)
}

// maxQuoted is the most characters of upstream text an error message quotes.
const maxQuoted = 200

// quote makes upstream text safe for an error message: valid UTF-8, no
// control characters, at most maxQuoted characters.
func quote(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(v))
	if utf8.RuneCountInString(v) > maxQuoted {
		r := []rune(v)
		v = string(r[:maxQuoted]) + "…"
	}
	return strconv.Quote(v)
}

// text is a scalar JSON value as text: strings trimmed, numbers as written,
// booleans as true or false.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// checkSuccess fails a body that does not say it succeeded: v is the value
// at success_path (ok: found), msg the one at error_message_path.
func (s *Source) checkSuccess(v any, ok bool, msg any, msgOK bool) error {
	if s.successPath == nil {
		return nil
	}
	m := s.cfg.Mapping
	got, isText := text(v)
	if ok && isText && got == m.SuccessValue {
		return nil
	}
	note := ""
	if s.errMsgPath != nil && msgOK {
		if t, ok := text(msg); ok && t != "" {
			note = ": " + quote(t)
		}
	}
	switch {
	case !ok:
		return source.Errorf(catalog.ReasonUpstream, "the body has no success field %q%s", m.SuccessPath, note)
	case !isText:
		return source.Errorf(catalog.ReasonUpstream, "the success field %q is not a value%s", m.SuccessPath, note)
	}
	return source.Errorf(catalog.ReasonUpstream, "the upstream says it failed: %s = %s, not %q%s", m.SuccessPath, quote(got), m.SuccessValue, note)
}

// checkPeriod fails a tag that is not the period asked for.
func (s *Source) checkPeriod(v any, want, where string) error {
	got, ok := text(v)
	if ok && got == want {
		return nil
	}
	if !ok {
		return source.Errorf(catalog.ReasonInvalid, "%s period tag %q is not a value", where, s.cfg.Mapping.PeriodPath)
	}
	return source.Errorf(catalog.ReasonInvalid, "%s is of period %s, not %q: not the report asked for", where, quote(got), want)
}

// decodePage decodes one body of a mapping without a period tag.
func (s *Source) decodePage(body []byte, agg map[[2]string]*[nCounts]float64, res *source.Result) (int, int, error) {
	return s.decodeTagged(bytes.NewReader(body), "", agg, make(map[[2]string]struct{}), res)
}

// decodeTagged decodes one body (walked as a stream, stream.go), checks that
// it says it succeeded and is of the period tagged tag, validates each item
// and adds it to agg. seen holds the keys of the period's rows so far: a
// second row of a key is rejected as a duplicate (the first stays: it cannot
// be told which is right, and it may be on an earlier page). Nothing of a
// body that fails reaches agg, seen or res. It returns the number of items
// and the total page count (if the mapping has one).
func (s *Source) decodeTagged(r io.Reader, tag string, agg map[[2]string]*[nCounts]float64, seen map[[2]string]struct{}, res *source.Result) (int, int, error) {
	// The body's tags may follow its rows, so the rows are staged and every
	// check is made at the end, in the order of the reference decoder.
	var pg pageStage
	pg.reset()
	w := &bodyWalk{reset: pg.reset}
	w.item = func(i int, it any) {
		pg.items++
		if pg.err != nil {
			return
		}
		if s.periodPath != nil {
			if v, ok := s.periodPath.get(it); ok {
				if err := s.checkPeriod(v, tag, fmt.Sprintf("row %d", i+1)); err != nil {
					pg.err, pg.errAt = err, i
					return
				}
			} else if pg.untagged < 0 {
				pg.untagged = i
			}
		}
		s.stage(&pg, it, seen)
	}
	if err := walkBody(r, s.tree, w); err != nil {
		return 0, 0, err
	}
	if err := s.checkSuccess(w.vals[slotSuccess], w.found[slotSuccess], w.vals[slotErrMsg], w.found[slotErrMsg]); err != nil {
		return 0, 0, err
	}
	pageTagged := w.found[slotPeriod]
	if pageTagged {
		if err := s.checkPeriod(w.vals[slotPeriod], tag, "the body"); err != nil {
			return 0, 0, err
		}
	}
	total := 0
	if s.totalPages != nil {
		f, okNum := number(w.vals[slotPages])
		if !w.found[slotPages] || !okNum || f < 0 || f > math.MaxInt32 {
			return 0, 0, source.Errorf(catalog.ReasonDecode, "page count %q missing or not a count", s.cfg.Mapping.Pagination.TotalPagesPath)
		}
		total = int(f)
	}
	switch w.itemsKind {
	case 0:
		return 0, 0, source.Errorf(catalog.ReasonDecode, "no items at %q", s.cfg.Mapping.ItemsPath)
	case 2: // JSON null: an empty page
		return 0, total, nil
	case 3:
		return 0, 0, source.Errorf(catalog.ReasonDecode, "items at %q are not an array", s.cfg.Mapping.ItemsPath)
	}
	if pg.untagged >= 0 && !pageTagged && (pg.err == nil || pg.untagged < pg.errAt) {
		return 0, 0, source.Errorf(catalog.ReasonInvalid, "row %d has no period tag %q, nor has the body", pg.untagged+1, s.cfg.Mapping.PeriodPath)
	}
	if pg.err != nil {
		return 0, 0, pg.err
	}
	pg.commit(agg, seen, res)
	return pg.items, total, nil
}

// pageStage holds one body's rows until the body has passed its checks.
type pageStage struct {
	agg      map[[2]string]*[nCounts]float64
	seen     map[[2]string]struct{}
	rejected map[string]int
	items    int
	untagged int   // index of the first row without a period tag, or -1
	err      error // the first row's error
	errAt    int
}

func (pg *pageStage) reset() {
	*pg = pageStage{
		agg:      make(map[[2]string]*[nCounts]float64),
		seen:     make(map[[2]string]struct{}),
		rejected: make(map[string]int),
		untagged: -1,
	}
}

func (pg *pageStage) commit(agg map[[2]string]*[nCounts]float64, seen map[[2]string]struct{}, res *source.Result) {
	for k, c := range pg.agg {
		acc := agg[k]
		if acc == nil {
			acc = new([nCounts]float64)
			agg[k] = acc
		}
		for i := range c {
			acc[i] += c[i]
		}
	}
	for k := range pg.seen {
		seen[k] = struct{}{}
	}
	for _, r := range sortedKeys(pg.rejected) {
		res.Reject(r, pg.rejected[r])
	}
}

// stage validates one item and adds it to the page. prior holds the keys of
// the period's earlier pages.
func (s *Source) stage(pg *pageStage, it any, prior map[[2]string]struct{}) {
	row, reason, inconsistent := s.row(it)
	if reason != "" {
		pg.rejected[reason]++
		return
	}
	key := [2]string{row.Agency, row.Field}
	dup := key
	if s.cfg.Detail == DetailAgency && s.fieldPath != nil {
		// Rows per field are summed per agency: only a repeated
		// (agency, vendor field) pair is a duplicate.
		v, _ := s.fieldPath.get(it)
		dup[1], _ = text(v)
	}
	_, before := prior[dup]
	if _, now := pg.seen[dup]; before || now {
		pg.rejected[catalog.RejectDuplicate]++
		return
	}
	pg.seen[dup] = struct{}{}
	if inconsistent {
		pg.rejected[catalog.InconsistentKept]++
	}
	acc := pg.agg[key]
	if acc == nil {
		acc = new([nCounts]float64)
		pg.agg[key] = acc
	}
	for i, c := range row.Counts {
		acc[i] += c
	}
}

// row normalises one item, or returns the reason it is rejected. A row that
// breaks the accounting identity resolved <= carried over + received is kept
// as reported and flagged inconsistent: the report is the province's record,
// and dropping the row would under-count every other figure of it. Rejected
// values are never logged: a code column holding free text may be personal data.
func (s *Source) row(it any) (r Row, reason string, inconsistent bool) {
	if r.Agency, reason = s.code(it, s.agencyPath, ColAgency, catalog.AgencyCodePattern, s.env.Known); reason != "" {
		return r, reason, false
	}
	if s.cfg.Detail == DetailField {
		if r.Field, reason = s.code(it, s.fieldPath, ColField, catalog.FieldCodePattern, func(c string) bool { _, ok := s.env.Fields[c]; return ok }); reason != "" {
			return r, reason, false
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
			return r, catalog.RejectMalformed, false
		}
		if f < 0 {
			return r, catalog.RejectNegative, false
		}
		if f > s.maxCount {
			return r, catalog.RejectAbsurd, false
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
		inconsistent = out > in
	}
	return r, "", inconsistent
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
