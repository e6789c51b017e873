package onestop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/simulate/feedgen"
	"github.com/govpulse/govpulse/collector/source"
)

// The paging contract of docs/feed.md, tested against real HTTP servers that
// page one generated dossier set in every way the contract allows. Every
// server must give exactly the figures of the reference count
// (feed_ref_test.go) over the whole set read at once.

// pagingRec is one record of the set, as the servers send it.
type pagingRec struct {
	raw []byte    // the record, NgayCapNhat included
	upd time.Time // its NgayCapNhat, in the province's zone
}

// pagingSet generates n records in update order. With groups set, runs of
// consecutive records (run k has groups(k) records) share the update time of
// their run's last record, so several records have one NgayCapNhat, as on
// systems that stamp by minute or update in batches; without it every record
// has its own update time, as the generator makes them.
func pagingSet(t *testing.T, n int, seed uint64, groups func(k int) int) []pagingRec {
	t.Helper()
	var body bytes.Buffer
	if _, err := genFor(t, n, seed, feedgen.Options{}).WriteTo(&body); err != nil {
		t.Fatal(err)
	}
	var env struct{ Data []json.RawMessage }
	if err := json.Unmarshal(body.Bytes(), &env); err != nil {
		t.Fatal(err)
	}
	const key = `"NgayCapNhat":"`
	recs := make([]pagingRec, len(env.Data))
	for i, raw := range env.Data {
		j := bytes.LastIndex(raw, []byte(key)) + len(key)
		upd, err := time.ParseInLocation("20060102150405", string(raw[j:j+14]), ict)
		if err != nil {
			t.Fatalf("record %d: NgayCapNhat: %v", i, err)
		}
		recs[i] = pagingRec{raw: bytes.Clone(raw), upd: upd}
	}
	if groups == nil {
		return recs
	}
	for i, k := 0, 0; i < len(recs); k++ {
		end := min(i+groups(k), len(recs))
		last := recs[end-1].upd
		for ; i < end; i++ {
			r := &recs[i]
			j := bytes.LastIndex(r.raw, []byte(key)) + len(key)
			copy(r.raw[j:j+14], last.Format("20060102150405"))
			r.upd = last
		}
	}
	return recs
}

// smallGroups: runs of 1 to 6 records, smaller than every page below.
func smallGroups(seed uint64) func(int) int {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(int) int { return 1 + r.IntN(6) }
}

// body is the whole set as one envelope: what the reference counts.
func pagingBody(recs []pagingRec) []byte {
	var b bytes.Buffer
	b.WriteString(`{"service":"DongBoHoSoMC","isUpdating":"False","data":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r.raw)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// How a paging server writes next_cursor.
type cursorStyle int

const (
	cursorNone   cursorStyle = iota // no next_cursor: govpulse computes it
	cursorLocal                     // RFC 3339 at +07:00, the last record's NgayCapNhat
	cursorUTC                       // the same instant in UTC ("Z")
	cursorOpaque                    // a keyset position, meaningless to govpulse
)

// How an exclusive server answers a cursor past its last record.
type endStyle int

const (
	endEmpty      endStyle = iota // {"data":[]}
	endSameCursor                 // {"data":[],"next_cursor":<the cursor sent>}
	endNull                       // {"data":null,"next_cursor":null}
)

// paging is how a server pages.
type paging struct {
	// inclusive answers records updated at or after the cursor, else
	// strictly after it.
	inclusive bool
	cursor    cursorStyle
	end       endStyle
	// maxPage caps the page size below the limit asked (0: no cap).
	maxPage int
	// wholeGroups ends a page at the end of a run of records sharing one
	// update time, past the limit if need be: how an exclusive server with
	// time cursors stays correct.
	wholeGroups bool
	// disguise sends a record served before under another MaHoSo: a stand-in
	// for a reader that does not recognise a record it has seen.
	disguise bool
}

// pagingServer pages recs by updated_since and limit.
type pagingServer struct {
	paging
	t    *testing.T
	recs []pagingRec

	mu      sync.Mutex
	served  []int    // how many times each record was sent
	sent    int      // records sent in all
	pages   []int    // records in each response
	cursors []string // updated_since of each request
	// nexts is, for each response, the cursor the contract says comes next:
	// its next_cursor, else its greatest NgayCapNhat at +07:00, else ""
	// (an empty page without one: the cursor stays).
	nexts []string
}

func newPagingServer(t *testing.T, recs []pagingRec, p paging) (*pagingServer, *httptest.Server) {
	ps := &pagingServer{paging: p, t: t, recs: recs, served: make([]int, len(recs))}
	srv := httptest.NewServer(ps)
	t.Cleanup(srv.Close)
	return ps, srv
}

func opaqueCursor(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("hoso:" + strconv.Itoa(pos)))
}

// start is the index of the first record the cursor asks for.
func (ps *pagingServer) start(cursor string) (int, error) {
	if tm, err := time.Parse(time.RFC3339, cursor); err == nil {
		return sort.Search(len(ps.recs), func(i int) bool {
			if ps.inclusive {
				return !ps.recs[i].upd.Before(tm)
			}
			return ps.recs[i].upd.After(tm)
		}), nil
	}
	if ps.cursor == cursorOpaque {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if pos, ok := strings.CutPrefix(string(b), "hoso:"); err == nil && ok {
			return strconv.Atoi(pos)
		}
	}
	return 0, fmt.Errorf("bad cursor %q", cursor)
}

func (ps *pagingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	q := r.URL.Query()
	cursor := q.Get("updated_since")
	ps.cursors = append(ps.cursors, cursor)
	from, err := ps.start(cursor)
	limit, lerr := strconv.Atoi(q.Get("limit"))
	if err != nil || lerr != nil || limit <= 0 {
		ps.t.Errorf("bad request %s: %v %v", r.URL.RawQuery, err, lerr)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ps.maxPage > 0 {
		limit = min(limit, ps.maxPage)
	}
	to := min(from+limit, len(ps.recs))
	for ps.wholeGroups && to > from && to < len(ps.recs) && ps.recs[to].upd.Equal(ps.recs[to-1].upd) {
		to++
	}
	var b bytes.Buffer
	b.WriteString(`{"service":"DongBoHoSoMC","isUpdating":"False","data":`)
	if from == to && ps.end == endNull {
		b.WriteString("null")
	} else {
		b.WriteByte('[')
		for i := from; i < to; i++ {
			if i > from {
				b.WriteByte(',')
			}
			raw := ps.recs[i].raw
			if ps.disguise && ps.served[i] > 0 {
				raw = bytes.Replace(raw, []byte(`"MaHoSo":"`), fmt.Appendf(nil, `"MaHoSo":"again-%d-%d-`, i, ps.served[i]), 1)
			}
			b.Write(raw)
			ps.served[i]++
		}
		b.WriteByte(']')
	}
	ps.sent += to - from
	ps.pages = append(ps.pages, to-from)
	next := ""
	switch {
	case from == to && ps.end == endSameCursor:
		next = cursor
	case from == to && ps.end == endNull:
		b.WriteString(`,"next_cursor":null`)
	case from == to:
	case ps.cursor == cursorLocal:
		next = ps.recs[to-1].upd.Format(time.RFC3339)
	case ps.cursor == cursorUTC:
		next = ps.recs[to-1].upd.UTC().Format(time.RFC3339)
	case ps.cursor == cursorOpaque:
		next = opaqueCursor(to)
	}
	if next != "" {
		fmt.Fprintf(&b, `,"next_cursor":%q`, next)
	} else if from < to {
		next = ps.recs[to-1].upd.Format(time.RFC3339) // the page's greatest NgayCapNhat
	}
	ps.nexts = append(ps.nexts, next)
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}

// requests is how many requests the server has answered.
func (ps *pagingServer) requests() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.cursors)
}

// distinct is how many records were sent at least once.
func (ps *pagingServer) distinct() int {
	n := 0
	for _, s := range ps.served {
		if s > 0 {
			n++
		}
	}
	return n
}

// matchReference checks a result against the reference count: every
// reference figure equal, nothing else but zeros (and officials, which the
// reference does not count).
func matchReference(t *testing.T, res *source.Result, want map[string]float64) {
	t.Helper()
	got := values(res)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, reference %v", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 && !strings.HasPrefix(k, "tthc_official_late") {
			t.Errorf("%s = %v, not in the reference", k, v)
		}
	}
}

// differs reports whether two results differ in any figure.
func differs(a, b *source.Result) bool {
	va, vb := values(a), values(b)
	if len(va) != len(vb) {
		return true
	}
	for k, v := range va {
		if w, ok := vb[k]; !ok || w != v {
			return true
		}
	}
	return false
}

func pagingCfg(t *testing.T, limit, maxPages int) Config {
	hour := time.Hour
	return feedCfg(t, limit, func(f *FeedConfig) {
		f.OfficialLate = true
		f.MaxPages = maxPages
		f.CheckpointInterval = &hour // saved at the end of each run
	})
}

func TestFeedPagingContract(t *testing.T) {
	const n, seed = 1500, 21
	grouped := pagingSet(t, n, seed, smallGroups(seed))
	unique := pagingSet(t, n, seed, nil)
	shared := 0
	for i := 1; i < len(grouped); i++ {
		if grouped[i].upd.Equal(grouped[i-1].upd) {
			shared++
		}
	}
	if shared < len(grouped)/2 {
		t.Fatalf("only %d of %d records share an update time with the one before", shared, len(grouped))
	}

	// The ground truth: the reference count of the whole set, which the
	// regrouped update times do not change, and govpulse's reading of it in
	// one page.
	want, wantRej := referenceReport(t, pagingBody(grouped), feedEnv(""), feedNow)
	if w2, _ := referenceReport(t, pagingBody(unique), feedEnv(""), feedNow); fmt.Sprint(w2) != fmt.Sprint(want) {
		t.Fatal("regrouping update times changed the reference")
	}
	if len(wantRej) != 0 {
		t.Fatalf("the set has rejected records %v: they would be counted per record read", wantRej)
	}
	base := runFreshRef(t, grouped)
	matchReference(t, base, want)
	checkInvariant(t, base)
	if len(base.Samples) < 200 {
		t.Fatalf("only %d samples: the set is too small", len(base.Samples))
	}

	cases := map[string]struct {
		recs     []pagingRec
		srv      paging
		limit    int
		maxPages int // default: enough for one run
		// broken, when set, says why this server must NOT give the figures:
		// the test would catch what it describes.
		broken string
	}{
		// Inclusive: records at the cursor's time come again; a page boundary
		// falls inside a run of records sharing it.
		"inclusive, no next_cursor":                 {recs: grouped, srv: paging{inclusive: true}, limit: 7},
		"inclusive, next_cursor +07:00":             {recs: grouped, srv: paging{inclusive: true, cursor: cursorLocal}, limit: 10},
		"inclusive, next_cursor in UTC":             {recs: grouped, srv: paging{inclusive: true, cursor: cursorUTC}, limit: 13},
		"inclusive, server pages of 7 for limit 50": {recs: grouped, srv: paging{inclusive: true, maxPage: 7}, limit: 50},
		"inclusive, 20 pages a run, restarts":       {recs: grouped, srv: paging{inclusive: true, cursor: cursorLocal}, limit: 9, maxPages: 20},
		// Exclusive: each record once, as long as a page never ends inside a
		// run of records sharing the cursor's time.
		"exclusive, unique times, no next_cursor":          {recs: unique, srv: paging{}, limit: 7},
		"exclusive, unique times, next_cursor in UTC":      {recs: unique, srv: paging{cursor: cursorUTC, end: endSameCursor}, limit: 10},
		"exclusive, unique times, server pages of 6":       {recs: unique, srv: paging{cursor: cursorLocal, end: endNull, maxPage: 6}, limit: 40},
		"exclusive, whole groups, no next_cursor":          {recs: grouped, srv: paging{wholeGroups: true}, limit: 7},
		"exclusive, opaque cursor":                         {recs: grouped, srv: paging{cursor: cursorOpaque, end: endSameCursor}, limit: 8},
		"exclusive, opaque cursor, server pages of 5":      {recs: grouped, srv: paging{cursor: cursorOpaque, maxPage: 5}, limit: 30},
		"exclusive, 20 pages a run, restarts, next in UTC": {recs: unique, srv: paging{cursor: cursorUTC}, limit: 9, maxPages: 20},
		// Servers that break the contract, and readers that would: proof that
		// the comparison above catches both.
		"broken: exclusive time cursor inside a group": {recs: grouped, srv: paging{cursor: cursorLocal}, limit: 7,
			broken: "records after a page boundary inside a group are never sent"},
		"broken: repeats not recognised": {recs: grouped, srv: paging{inclusive: true, disguise: true}, limit: 7,
			broken: "the records an inclusive server sends again are counted again"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ps, srv := newPagingServer(t, c.recs, c.srv)
			dir := t.TempDir()
			maxPages := c.maxPages
			if maxPages == 0 {
				maxPages = 10 * n
			}
			cfg := pagingCfg(t, c.limit, maxPages)
			// A restarted daemon for each run, until a run finds nothing new.
			var res *source.Result
			runs := 0
			for {
				before := ps.requests()
				res = runFresh(t, cfg, srv.URL, dir)
				runs++
				if runs > 1 && ps.requests()-before == 1 {
					break // an idle run: one request, caught up
				}
				if runs > n {
					t.Fatal("never caught up")
				}
			}
			if c.maxPages == 0 && runs != 2 {
				t.Errorf("%d runs to catch up, want 1 and an idle one", runs)
			}
			if c.maxPages > 0 && runs < 4 {
				t.Errorf("%d runs: max_pages %d did not split the reading", runs, c.maxPages)
			}
			checkInvariant(t, res)
			t.Logf("%d runs, %d requests, %d records sent, %d of %d distinct", runs, len(ps.cursors), ps.sent, ps.distinct(), len(ps.recs))

			if c.broken != "" {
				if ps.inclusive && ps.sent <= len(ps.recs) || !ps.inclusive && ps.distinct() == len(ps.recs) {
					t.Fatalf("%d records sent, %d distinct, of %d: not what %q needs", ps.sent, ps.distinct(), len(ps.recs), c.broken)
				}
				if !differs(res, base) {
					t.Fatalf("same figures as the reference, yet %s", c.broken)
				}
				return
			}
			matchReference(t, res, want)
			sameResults(t, res, base) // officials too
			if d := ps.distinct(); d != len(ps.recs) {
				t.Errorf("%d of %d records sent", d, len(ps.recs))
			}
			if ps.inclusive && ps.sent <= len(ps.recs) {
				// Else de-duplication was not put to the test.
				t.Errorf("inclusive server sent %d records for %d: no record came twice", ps.sent, len(ps.recs))
			}
			if !ps.inclusive && ps.sent != len(ps.recs) {
				t.Errorf("exclusive server sent %d records for %d", ps.sent, len(ps.recs))
			}
			limit := c.limit
			if ps.maxPage > 0 {
				limit = min(limit, ps.maxPage)
			}
			for i, p := range ps.pages {
				if p > limit && !ps.wholeGroups {
					t.Fatalf("page %d has %d records, more than %d", i+1, p, limit)
				}
			}
			if ps.maxPage > 0 && ps.maxPage < c.limit && len(ps.pages) < len(ps.recs)/ps.maxPage {
				t.Errorf("%d pages of at most %d records for %d records: short pages stopped the reading", len(ps.pages), ps.maxPage, len(ps.recs))
			}
			checkCursors(t, ps)
		})
	}
}

// checkCursors: the first request starts at initial_since; every later one
// sends the cursor that came before it (next_cursor verbatim, else the
// greatest NgayCapNhat at +07:00), or the same cursor again when that page
// named none.
func checkCursors(t *testing.T, ps *pagingServer) {
	t.Helper()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.cursors[0] != "2025-01-01T00:00:00+07:00" {
		t.Errorf("first cursor %q", ps.cursors[0])
	}
	for i := 1; i < len(ps.cursors); i++ {
		want := ps.nexts[i-1]
		if want == "" {
			want = ps.cursors[i-1]
		}
		if ps.cursors[i] != want {
			t.Fatalf("request %d sent cursor %q, want %q", i+1, ps.cursors[i], want)
		}
	}
	switch c := ps.cursors[len(ps.cursors)-1]; {
	case ps.cursor == cursorUTC && !strings.HasSuffix(c, "Z"),
		(ps.cursor == cursorNone || ps.cursor == cursorLocal) && !strings.HasSuffix(c, "+07:00"),
		ps.cursor == cursorOpaque && strings.HasPrefix(c, "20"):
		t.Errorf("last cursor %q", c)
	}
}

// The one hazard of inclusive paging: more records share one update time
// than a page holds. The page that starts at that time is all of that time,
// so the cursor cannot advance: the run ends there (successfully: what was
// read is counted), logs a warning when the page was full, and every later
// run reads the same page again, until feed.limit is raised above the
// number of such records. A server that pages below feed.limit hides the
// full page: nothing warns (docs/feed.md: keep feed.limit within the
// server's page size).
func TestFeedPagingHazard(t *testing.T) {
	const n, seed, big = 1500, 23, 25
	small := smallGroups(seed)
	recs := pagingSet(t, n, seed, func(k int) int {
		if k == 200 {
			return big
		}
		return small(k)
	})
	// The big run's update time and the index of its first record.
	first := -1
	for i := 0; i+big <= len(recs) && first < 0; i++ {
		if recs[i].upd.Equal(recs[i+big-1].upd) {
			first = i
		}
	}
	if first < 100 || first+big+100 > len(recs) {
		t.Fatalf("the run of %d records starts at %d of %d", big, first, len(recs))
	}
	stuckAt := recs[first].upd
	want, _ := referenceReport(t, pagingBody(recs), feedEnv(""), feedNow)

	cases := map[string]struct {
		srv   paging
		limit int
		warns bool
		fixed int // a feed.limit that gets past; 0: raising it does not help
	}{
		"no next_cursor":                  {srv: paging{inclusive: true}, limit: 10, warns: true, fixed: 30},
		"next_cursor in UTC":              {srv: paging{inclusive: true, cursor: cursorUTC}, limit: 10, warns: true, fixed: 30},
		"server pages of 10, limit 10":    {srv: paging{inclusive: true, maxPage: 10}, limit: 10, warns: true},
		"server pages of 10, limit 30":    {srv: paging{inclusive: true, maxPage: 10}, limit: 30},
		"server pages of 30, limit 10→30": {srv: paging{inclusive: true, maxPage: 30}, limit: 10, warns: true, fixed: 30},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ps, srv := newPagingServer(t, recs, c.srv)
			dir := t.TempDir()
			var logs syncBuffer
			env := feedEnv(dir)
			env.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			cfg := pagingCfg(t, c.limit, 10*n)
			run := func(cfg Config) *source.Result {
				t.Helper()
				res, err := newFeedSource(t, cfg, srv.URL, env).Collect(context.Background())
				if err != nil {
					t.Fatalf("the run failed: %v", err)
				}
				return res
			}
			const warning = "feed cursor does not advance over a full page (too many records share one update time?): raise feed.limit"

			stuck := run(cfg)
			last := ps.cursors[len(ps.cursors)-1]
			if lt, err := time.Parse(time.RFC3339, last); err != nil || !lt.Equal(stuckAt) {
				t.Fatalf("the run did not end at %s: cursors end %q", stuckAt, ps.cursors[len(ps.cursors)-2:])
			}
			if got := ps.distinct(); got >= first+big {
				t.Fatalf("%d records sent: the run got past the stuck time (records %d..%d)", got, first, first+big-1)
			}
			if !differs(stuck, runFreshRef(t, recs)) {
				t.Fatal("the stuck feed gives the whole set's figures")
			}
			if got := strings.Count(logs.String(), warning); got != btoi(c.warns) {
				t.Fatalf("warning logged %d times, want %d:\n%s", got, btoi(c.warns), logs.String())
			}

			// The next run asks for the same page once, and stays put.
			before := ps.requests()
			again := run(cfg)
			if ps.requests()-before != 1 || ps.cursors[len(ps.cursors)-1] != last {
				t.Fatalf("the next run sent %d requests, cursors %q", ps.requests()-before, ps.cursors[before:])
			}
			sameResults(t, again, stuck)
			if got := strings.Count(logs.String(), warning); got != 2*btoi(c.warns) {
				t.Fatalf("warning logged %d times after two runs, want %d", got, 2*btoi(c.warns))
			}
			if c.fixed == 0 {
				return
			}

			// Raising feed.limit gets past it; the state is kept (the limit is
			// not part of what the state depends on) and nothing counts twice.
			cfg = pagingCfg(t, c.fixed, 10*n)
			run(cfg)
			before = ps.requests()
			res := run(cfg)
			if ps.requests()-before != 1 {
				t.Fatalf("not caught up after raising feed.limit: %d requests", ps.requests()-before)
			}
			if ps.distinct() != len(recs) {
				t.Fatalf("%d of %d records sent", ps.distinct(), len(recs))
			}
			matchReference(t, res, want)
		})
	}
}

// runFreshRef is govpulse's reading of recs in one page.
func runFreshRef(t *testing.T, recs []pagingRec) *source.Result {
	t.Helper()
	_, srv := newPagingServer(t, recs, paging{})
	return runFresh(t, pagingCfg(t, 100000, 10), srv.URL, t.TempDir())
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// An empty page ends the run even when it carries a new next_cursor: the
// cursor is kept and the next run starts from it. (A server that skips empty
// time windows this way moves one window per run.)
func TestFeedPagingEmptyPageMovesCursor(t *testing.T) {
	start := "2025-01-01T00:00:00+07:00"
	rec := func(id, day string) string {
		return feedRec(id, 2, `,"NgayTiepNhan":"202611`+day+`080000","NgayCapNhat":"202611`+day+`080000"`)
	}
	fp := &feedPages{pages: map[string]string{
		start: `{"next_cursor":"c1","data":[` + rec("a-1", "10") + `]}`,
		"c1":  `{"next_cursor":"c2","data":[]}`,
		"c2":  `{"next_cursor":"c3","data":[` + rec("a-2", "11") + `]}`,
		"c3":  `{"next_cursor":"c3","data":[]}`,
	}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	dir := t.TempDir()
	cfg := feedCfg(t, 10, nil)
	const received = "tthc_dossiers_received{000.00.31.H47,DD,month,truc_tuyen}"
	res := runFresh(t, cfg, srv.URL, dir)
	if got := strings.Join(fp.cursors, " "); got != start+" c1" || values(res)[received] != 1 {
		t.Fatalf("first run: cursors %s, received %v", got, values(res)[received])
	}
	fp.cursors = nil
	res = runFresh(t, cfg, srv.URL, dir)
	if got := strings.Join(fp.cursors, " "); got != "c2 c3" || values(res)[received] != 2 {
		t.Fatalf("second run: cursors %s, received %v", got, values(res)[received])
	}
}

// The first cursor is initial_since in the province's zone, whatever offset
// it was written with.
func TestFeedPagingInitialCursor(t *testing.T) {
	fp := &feedPages{pages: map[string]string{}}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	cfg := feedCfg(t, 10, func(f *FeedConfig) { f.InitialSince = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) })
	runFresh(t, cfg, srv.URL, t.TempDir())
	if len(fp.cursors) != 1 || fp.cursors[0] != "2025-01-01T07:00:00+07:00" {
		t.Fatalf("cursors %q", fp.cursors)
	}
}

// TestFeedComputedCursorNeverGoesBack: a server without next_cursor whose
// records are dated (by the NgayCapNhat fallback) before the cursor sent does
// not drag the cursor back: the cursor stays, and the run ends caught up.
func TestFeedComputedCursorNeverGoesBack(t *testing.T) {
	var sent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = append(sent, r.URL.Query().Get(DefaultFeedSinceParam))
		io.WriteString(w, `{"service":"DongBoHoSoMC","data":[{"MaHoSo":"H1","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":"2","NgayTiepNhan":"20250105080000","NgayHenTra":"20250110170000"}]}`)
	}))
	t.Cleanup(srv.Close)
	cfg := Config{Format: FormatFeed, Feed: &FeedConfig{InitialSince: time.Date(2026, 1, 1, 0, 0, 0, 0, ict)}}
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	s := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir()))
	if _, err := s.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0] != "2026-01-01T00:00:00+07:00" {
		t.Fatalf("cursors sent %q, want one request at the initial cursor", sent)
	}
	if _, err := s.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent[1] != sent[0] {
		t.Fatalf("cursors sent %q: the cursor moved back", sent)
	}
}
