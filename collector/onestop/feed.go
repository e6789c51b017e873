package onestop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/workday"
)

// Feed mode (format: feed) reads the one-stop system's dossier records in the
// portal sync format (domain.md §3) incrementally and computes the period
// report itself, plus what only per-dossier data can give: dossiers due
// within a working day, processing time against the legal maximum, digitised
// and paid-online receipts and, when enabled, late handling by official.
//
// Wire format (the whole contract, for IT staff and vendors: docs/feed.md).
// govpulse sends
//
//	GET <http.url><feed.path>?updated_since=<cursor>&limit=<N>[&<feed.query>]
//
// (parameter names configurable) and expects the sync envelope
//
//	{"service":"DongBoHoSoMC","isUpdating":"False","next_cursor":"2026-03-02T10:15:00+07:00",
//	 "data":[{record}, ...]}
//
// with the records updated since the cursor, oldest first. The first cursor
// is feed.initial_since as RFC 3339 in the province's zone (+07:00);
// afterwards govpulse sends back next_cursor verbatim (it may be opaque), or,
// when the server sends none, the greatest NgayCapNhat of the page (read as
// province time) as RFC 3339 in that zone. Paging stops at an empty page
// (keeping a next_cursor it carries), when the next cursor is the same string
// as the one sent, or after feed.max_pages pages (the next run continues); a
// short page does not stop it, since servers cap page sizes. A record seen
// twice (at a page boundary, or after an update) is never counted twice, so a
// server may answer "at or after" the cursor; one that answers "strictly
// after" a time must not end a page inside a group of records sharing one
// update time, or the rest of the group is never sent. The one hazard of "at
// or after": more records sharing one update time than a page holds stall the
// cursor there; the run ends, warns (when the page was full) "raise
// feed.limit", and every later run reads the same page until it is raised.
// A record without NgayCapNhat is dated by the latest of its NgayTra,
// NgayKetThucXuLy, NgayTiepNhan and NgayNopHoSo (feeddecode.go check).
//
// A few rejected records move the cursor with the rest of their page. A page
// that rejects more than half its records (feed.max_rejected_share) fails the
// run with reason rejected and is dropped: the cursor stays before it, so the
// records are read again, and counted, once the upstream or the
// configuration is fixed. Since every accepted page is at most half
// rejected, so is every successful run.
//
// Record fields read (everything else is skipped unread; see
// testdata/feed-sample.json):
//
//	MaHoSo            dossier code: only its 64-bit FNV-1a hash is kept
//	DonViXuLy         agency e-ID code (whitelisted)
//	MaLinhVuc         field code (whitelisted; ignored with detail: agency)
//	KenhThucHien      1 in person, 2 online, 3 postal; null = in person
//	TrangThaiHoSo     1..10 (domain.md §3)
//	NgayTiepNhan, NgayHenTra, NgayTra, NgayKetThucXuLy, NgayCapNhat
//	                  yyyyMMddHHmmss in the province's time zone
//	ThoiGianQuyDinh   the procedure's legal duration in working days [assumed
//	                  name: the sync format has no standard field for it]
//	HoSoCoThanhPhanSoHoa, DuocThanhToanTrucTuyen   flags
//	QuaTrinhXuLy[]    process log {NguoiXuLy, NgayKetThuc, HanXuLy}, read only
//	                  with official_late
//
// Counting rules: received = first seen with a status other than 1
// (registered) or 3 (not accepted), in the month of NgayTiepNhan, by channel;
// resolved = status 9 or 10, in the month of NgayTra (else NgayKetThucXuLy),
// late after NgayHenTra, early on an earlier day, on time otherwise;
// withdrawn = status 7 or 8; in progress = statuses 2, 4, 5, 6, overdue once
// NgayHenTra has passed, except that status 5 (awaiting a supplement) is never
// overdue: the applicant holds the clock.
//
// Privacy: applicant data is skipped at decode and never stored (see
// feeddecode.go); the state file holds hashes and codes only. Late handling
// by official (official_late: true) is off by default: it exports the account
// code (NguoiXuLy, never the name TenNguoiXuLy) of each official with late
// steps this month, which identifies a person at work. The province publishes
// these names monthly already (domain.md §1), but exporting them to a
// monitoring system with its own retention and audience is the province's
// decision to take, and to write down, before turning it on.

// Streamer reads a body as a stream; *httpc.Client implements it. With a
// Getter that is not a Streamer, feed pages are read whole (tests only).
type Streamer interface {
	Stream(ctx context.Context, path string, query url.Values, fn func(io.Reader) error) error
}

// feedSource is the one-stop source in feed mode.
type feedSource struct {
	name   string
	cfg    FeedConfig
	detail string
	get    Getter
	stream Streamer
	env    source.Env
	log    *slog.Logger
	cal    *workday.Calendar
	codes  *feedCodes

	statePath string
	config    string // fingerprint of what the state depends on

	mu       sync.Mutex // one run at a time
	agg      *feedAgg   // nil: load from the state file at the next run
	dec      *feedDecoder
	warnedYr int
	swept    bool // leftover temporary state files removed (sweepTemps)
}

func newFeed(name string, cfg Config, client Getter, env source.Env) (*feedSource, error) {
	fc := cfg.Feed
	if fc == nil {
		return nil, fmt.Errorf("source %q: format feed without a feed block", name)
	}
	var cal *workday.Calendar
	var err error
	if len(fc.Holidays) > 0 {
		cal, err = workday.Load(fc.Holidays...)
	} else {
		cal, err = workday.Default()
	}
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	if env.Location != nil {
		cal = cal.WithLocation(env.Location)
	}
	if len(env.Agencies) > 0xffff || len(env.Fields) >= 0xffff {
		return nil, fmt.Errorf("source %q: feed mode handles at most 65535 agencies and fields", name)
	}
	logger := env.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &feedSource{
		name: name, cfg: *fc, detail: cfg.Detail, get: client, env: env, log: logger, cal: cal,
		codes:  newFeedCodes(env, cfg.Detail == DetailAgency),
		config: fmt.Sprintf("detail=%s path=%s official_late=%t", cfg.Detail, fc.Path, fc.OfficialLate),
	}
	if fc.OfficialPattern != "" {
		re, err := regexp.Compile(fc.OfficialPattern)
		if err != nil {
			return nil, fmt.Errorf("source %q: official_pattern: %w", name, err)
		}
		f.codes.officialRe = re
	}
	f.stream, _ = client.(Streamer)
	if env.StateDir != "" {
		f.statePath = filepath.Join(env.StateDir, name+".feed.state")
	}
	f.dec = newFeedDecoder(f.codes, fc.OfficialLate, int64(cal.DayLength()/time.Second))
	return f, nil
}

func (f *feedSource) fresh() *feedAgg { return newFeedAgg(f.codes, f.cal, f.cfg.OfficialLate) }

// load returns the saved state, or a fresh one when there is none or it
// cannot be used (a fresh state re-reads the feed from initial_since, which
// is slow but exact).
func (f *feedSource) load(now time.Time) *feedAgg {
	if f.statePath == "" {
		return f.fresh()
	}
	if !f.swept {
		f.swept = true
		f.sweepTemps(os.Remove)
	}
	a, dropped, err := loadState(f.statePath, f.config, f.codes, f.fresh)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.log.Info("no feed state yet: reading the feed from the start", "state_file", f.statePath)
		return f.fresh()
	case errors.Is(err, errStateMismatch):
		f.log.Warn("feed state was written for another configuration: reading the feed from the start", "state_file", f.statePath)
		return f.fresh()
	case err != nil:
		bad := f.statePath + ".bad"
		_ = os.Rename(f.statePath, bad)
		f.log.Error("feed state unreadable: kept aside, reading the feed from the start", "state_file", f.statePath, "kept_as", bad, "err", err)
		return f.fresh()
	}
	if dropped > 0 {
		f.log.Warn("feed state had agencies or fields no longer configured: their counts were dropped", "keys", dropped)
	}
	if yr, _, _ := f.cal.Wall(now).Date(); a.year > yr {
		f.log.Warn("feed state is from a later year than the clock: reading the feed from the start", "state_year", a.year)
		return f.fresh()
	}
	return a
}

// nextCursor is the cursor after a page read from cursor: the server's
// next_cursor verbatim, or else the page's latest update time. A cursor of
// our own making never goes back: fallback dates (records without
// NgayCapNhat) may all be older than the cursor sent.
func (f *feedSource) nextCursor(info pageInfo, cursor string) string {
	if info.cursor != "" || !info.maxUpdated.ok() {
		return info.cursor
	}
	t := f.cal.Time(info.maxUpdated.w)
	if prev, err := time.Parse(time.RFC3339, cursor); err == nil && t.Before(prev) {
		return cursor
	}
	return t.Format(time.RFC3339)
}

// initialCursor is where a source without state starts.
func (f *feedSource) initialCursor(now time.Time) string {
	t := f.cfg.InitialSince
	if t.IsZero() {
		y, _, _ := f.cal.Wall(now).Date()
		t = time.Date(y-1, 1, 1, 0, 0, 0, 0, f.cal.Location())
	}
	return t.In(f.cal.Location()).Format(time.RFC3339)
}

// collect reads the feed from the saved cursor until it is caught up (or
// max_pages), saving the state at checkpoints and at the end.
func (f *feedSource) collect(ctx context.Context) (*source.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.env.Now()
	if f.agg == nil {
		f.agg = f.load(now)
	}
	a := f.agg
	a.begin(now)
	if y, _, _ := a.now.Date(); !f.cal.Covers(y) && f.warnedYr != y {
		f.warnedYr = y
		f.log.Warn("no holiday file for this year: only weekends count as days off in deadlines", "year", y)
	}
	res := &source.Result{}
	pageRejected := make(map[string]int)
	apply := func(r *feedRecord) {
		if reason := a.apply(r); reason != "" {
			res.Reject(reason, 1)
			pageRejected[reason]++
		}
	}
	lastSave := time.Now()
	dirty, caughtUp := false, false
	pages, records := 0, 0
	for ; pages < f.cfg.MaxPages && !caughtUp; pages++ {
		if err := ctx.Err(); err != nil {
			f.checkpoint(a, dirty, now)
			return nil, source.Errorf(ctxReason(err), "feed stopped after %d pages: %w", pages, err)
		}
		cursor := a.cursor
		if cursor == "" {
			cursor = f.initialCursor(now)
		}
		q := url.Values{}
		for k, v := range f.cfg.Query {
			q.Set(k, v)
		}
		q.Set(f.cfg.SinceParam, cursor)
		q.Set(f.cfg.LimitParam, strconv.Itoa(f.cfg.Limit))
		clear(pageRejected)
		info, err := f.page(ctx, q, apply)
		if err == nil && info.errorCode != "" {
			err = source.Errorf(catalog.ReasonInvalid, "the feed answered error_code %q", info.errorCode)
		}
		if n := total(pageRejected); err == nil && info.records > 0 && float64(n) > f.cfg.maxRejectedShare()*float64(info.records) {
			// The cursor must not pass records that were not accepted when
			// most of them were not: that is a format change or a broken
			// upstream, not a few bad records. The page is dropped as below.
			err = source.CountedErrorf(source.Counts{Read: records + info.records, Rejected: res.Rejected, Share: float64(n) / float64(info.records)}, catalog.ReasonRejected, "%d of its %d records rejected (%s), above the share of %g a page may reject: the cursor stays before it",
				n, info.records, rejectSummary(pageRejected), f.cfg.maxRejectedShare())
		}
		if err != nil {
			// Part of the page is in the state: it no longer matches the
			// saved cursor, so it is dropped and the next run reloads the
			// last saved state and reads from there.
			f.agg = nil
			return nil, fmt.Errorf("cannot read feed page %d: %w", pages+1, err)
		}
		records += info.records
		next := f.nextCursor(info, cursor)
		advanced := next != "" && next != cursor
		if advanced {
			a.cursor = next
		}
		dirty = dirty || advanced || info.records > 0
		f.log.Debug("feed page read", "page", pages+1, "records", info.records, "cursor", a.cursor)
		if dirty && time.Since(lastSave) >= *f.cfg.CheckpointInterval {
			if err := f.save(a, now); err != nil {
				f.log.Error("cannot checkpoint the feed state", "err", err)
			} else {
				dirty = false
				lastSave = time.Now()
			}
		}
		// A short page does not end the run: servers cap page sizes below
		// what was asked. An empty page or a cursor that stays put does.
		caughtUp = info.records == 0 || !advanced
		// A full page that does not move the cursor is the hazard of "at or
		// after" paging (docs/feed.md §8). A server that pages below the
		// limit hides it: its full page looks like the last one.
		if !advanced && info.records >= f.cfg.Limit {
			f.log.Warn("feed cursor does not advance over a full page (too many records share one update time?): raise feed.limit", "cursor", a.cursor, "records", info.records)
		}
	}
	if !caughtUp {
		f.log.Info("feed not caught up: continuing at the next run", "pages", pages, "cursor", a.cursor)
	}
	f.checkpoint(a, dirty, now)
	res.Read = records
	a.emit(res, f.cfg.PeriodReport == nil || *f.cfg.PeriodReport)
	f.log.Debug("feed run done", "pages", pages, "records", records, "dossiers", a.set.n, "in_progress", len(a.inprog))
	return res, nil
}

// checkpoint saves a consistent state that has unsaved pages. A failed save
// is logged, not returned: the data is good, and the next save retries.
func (f *feedSource) checkpoint(a *feedAgg, dirty bool, now time.Time) {
	if !dirty {
		return
	}
	if err := f.save(a, now); err != nil {
		f.log.Error("cannot save the feed state: a restart will read the unsaved pages again", "err", err)
	}
}

func (f *feedSource) save(a *feedAgg, now time.Time) error {
	if f.statePath == "" {
		return nil
	}
	return a.save(f.statePath, f.name, f.config, now)
}

// page fetches and decodes one page, streaming when the client can.
func (f *feedSource) page(ctx context.Context, q url.Values, apply func(*feedRecord)) (pageInfo, error) {
	var info pageInfo
	read := func(r io.Reader) error {
		var err error
		info, err = f.dec.decode(r, apply)
		return err
	}
	if f.stream != nil {
		return info, f.stream.Stream(ctx, f.cfg.Path, q, read)
	}
	body, err := f.get.Get(ctx, f.cfg.Path, q)
	if err != nil {
		return info, err
	}
	return info, read(bytes.NewReader(body))
}

func total(rej map[string]int) int {
	n := 0
	for _, v := range rej {
		n += v
	}
	return n
}

// rejectSummary lists rejection counts by reason, in a stable order.
func rejectSummary(rej map[string]int) string {
	var b []byte
	for _, r := range catalog.RejectReasons {
		if n := rej[r]; n > 0 {
			if len(b) > 0 {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, "%s %d", r, n)
		}
	}
	return string(b)
}

func ctxReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return catalog.ReasonTimeout
	}
	return catalog.ReasonOther
}
