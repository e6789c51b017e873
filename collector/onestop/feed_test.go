package onestop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/simulate/feedgen"
	"github.com/govpulse/govpulse/collector/source"
)

var feedNow = time.Date(2026, 11, 22, 9, 0, 0, 0, ict) // a Sunday

// feedEnv whitelists the sample's codes and the generator's defaults.
func feedEnv(stateDir string) source.Env {
	env := testEnv()
	for _, c := range []string{"000.00.31.H47", "000.01.31.H47", "000.00.32.H47", "000.00.12.H47", "000.00.13.H47"} {
		env.Agencies[c] = source.Agency{Code: c}
	}
	for _, c := range []string{"DD", "HT", "CT", "XD", "DKKD", "LDTBXH"} {
		env.Fields[c] = source.Field{Code: c}
	}
	env.Now = func() time.Time { return feedNow }
	env.StateDir = stateDir
	return env
}

func feedCfg(t testing.TB, limit int, mod func(*FeedConfig)) Config {
	t.Helper()
	zero := time.Duration(0)
	c := Config{Format: FormatFeed, Feed: &FeedConfig{Limit: limit, CheckpointInterval: &zero}}
	if mod != nil {
		mod(c.Feed)
	}
	c.SetDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	return c
}

// httpStreamer is a plain HTTP client with Stream, so tests exercise the
// streaming path the daemon uses through httpc.
type httpStreamer struct{ base string }

func (g httpStreamer) Stream(ctx context.Context, p string, q url.Values, fn func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+p+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return source.Errorf(catalog.ReasonTransport, "get: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return source.Errorf(catalog.ReasonHTTP5xx, "status %d", resp.StatusCode)
	}
	return fn(resp.Body)
}

func (g httpStreamer) Get(ctx context.Context, p string, q url.Values) ([]byte, error) {
	var b []byte
	err := g.Stream(ctx, p, q, func(r io.Reader) error {
		var err error
		b, err = io.ReadAll(r)
		return err
	})
	return b, err
}

func newFeedSource(t testing.TB, cfg Config, base string, env source.Env) *Source {
	t.Helper()
	s, err := New("feed", cfg, httpStreamer{base}, env)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serveFile answers the first page with a file and later pages empty.
func serveFile(t testing.TB, name string) *httptest.Server {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Write(b)
			return
		}
		io.WriteString(w, `{"service":"DongBoHoSoMC","data":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The sample feed, counted by hand (see the comments).
func TestFeedSampleReport(t *testing.T) {
	srv := serveFile(t, "feed-sample.json")
	cfg := feedCfg(t, 1000, func(f *FeedConfig) { f.OfficialLate = true })
	res, err := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir())).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := values(res)
	const a, b = "000.00.31.H47", "000.01.31.H47"
	want := map[string]float64{
		// A/DD: online 3/11 resolved early; in person 20/10 resolved late on
		// 2/11; postal 16/11 overdue; in person (null channel) 20/11 due
		// Monday 10:00, within a working day of Sunday 09:00; online 1/7
		// resolved on time.
		"tthc_dossiers_received{" + a + ",DD,month,truc_tiep}":       1,
		"tthc_dossiers_received{" + a + ",DD,month,truc_tuyen}":      1,
		"tthc_dossiers_received{" + a + ",DD,month,buu_chinh}":       1,
		"tthc_dossiers_carried_over{" + a + ",DD,month}":             1,
		"tthc_dossiers_resolved{" + a + ",DD,month,truoc_han}":       1,
		"tthc_dossiers_resolved{" + a + ",DD,month,dung_han}":        0,
		"tthc_dossiers_resolved{" + a + ",DD,month,tre_han}":         1,
		"tthc_dossiers_in_progress{" + a + ",DD,month,qua_han}":      1,
		"tthc_dossiers_in_progress{" + a + ",DD,month,chua_den_han}": 1,
		"tthc_dossiers_withdrawn{" + a + ",DD,month}":                0,
		"tthc_dossiers_awaiting_supplement{" + a + ",DD,month}":      0,
		"tthc_dossiers_received{" + a + ",DD,quarter,truc_tiep}":     2,
		"tthc_dossiers_carried_over{" + a + ",DD,quarter}":           0,
		"tthc_dossiers_received{" + a + ",DD,year,truc_tuyen}":       2,
		"tthc_dossiers_resolved{" + a + ",DD,year,dung_han}":         1,
		"tthc_dossiers_in_progress{" + a + ",DD,year,qua_han}":       1,
		"tthc_dossiers_due_soon{" + a + ",DD}":                       1,
		"tthc_dossiers_digitised{" + a + ",DD,month}":                2,
		"tthc_dossiers_paid_online{" + a + ",DD,month}":              1,
		// 3/11 08:00 → 5/11 10:00 is 7h+8h+3h; 20/10 09:00 → 2/11 09:00 is 6h+3×8h+5×8h+2h.
		"tthc_dossiers_timed{" + a + ",DD,month}":                      2,
		"tthc_dossiers_processing_working_seconds{" + a + ",DD,month}": (18 + 72) * 3600,
		"tthc_dossiers_legal_working_seconds{" + a + ",DD,month}":      2 * 5 * 8 * 3600,
		// + 1/7 08:00 → 3/7 15:00: 7h+8h+6h, legal "2" days.
		"tthc_dossiers_processing_working_seconds{" + a + ",DD,year}": (18 + 72 + 21) * 3600,
		"tthc_dossiers_legal_working_seconds{" + a + ",DD,year}":      (2*5 + 2) * 8 * 3600,
		"tthc_dossiers_timed{" + a + ",DD,year}":                      3,
		// A/HT: online 2/11 awaiting a supplement (never overdue), online
		// 4/11 withdrawn 6/11.
		"tthc_dossiers_received{" + a + ",HT,month,truc_tuyen}":      2,
		"tthc_dossiers_in_progress{" + a + ",HT,month,chua_den_han}": 1,
		"tthc_dossiers_in_progress{" + a + ",HT,month,qua_han}":      0,
		"tthc_dossiers_awaiting_supplement{" + a + ",HT,month}":      1,
		"tthc_dossiers_withdrawn{" + a + ",HT,month}":                1,
		"tthc_dossiers_due_soon{" + a + ",HT}":                       0,
		// B/HT: received 15/12/2025 and overdue (carried into the year);
		// received 10/8 and processed on the appointment day (status 9).
		"tthc_dossiers_carried_over{" + b + ",HT,month}":        1,
		"tthc_dossiers_carried_over{" + b + ",HT,year}":         1,
		"tthc_dossiers_received{" + b + ",HT,year,truc_tiep}":   1,
		"tthc_dossiers_resolved{" + b + ",HT,year,dung_han}":    1,
		"tthc_dossiers_in_progress{" + b + ",HT,month,qua_han}": 1,
		"tthc_dossiers_due_soon{" + b + ",HT}":                  0,
		// Officials: tamky.cb2 late twice on one dossier this month (one
		// dossier), late in July (not this month); tamky.cb3 late on a
		// dossier sent twice (once); a phone number as account code refused.
		"tthc_official_late_dossiers{" + a + ",tamky.cb2}": 1,
		"tthc_official_late_dossiers{" + a + ",tamky.cb3}": 1,
	}
	var problems []string
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			problems = append(problems, fmt.Sprintf("%s = %v (present %v), want %v", k, gv, ok, v))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	for k := range got {
		if strings.HasPrefix(k, "tthc_official_late_dossiers") && want[k] == 0 {
			t.Errorf("unexpected %s", k)
		}
		if strings.Contains(k, "000.00.99.H47") {
			t.Errorf("unknown agency exported: %s", k)
		}
	}
	// B/HT has no timed dossier (no legal duration): no processing series.
	if _, ok := got["tthc_dossiers_timed{"+b+",HT,year}"]; ok {
		t.Error("timed series without a legal duration")
	}
	wantRej := map[string]int{catalog.RejectUnknownCode: 2, catalog.RejectBadCode: 1, catalog.RejectNegative: 1, catalog.RejectMalformed: 1, catalog.RejectInconsistent: 1}
	if fmt.Sprint(res.Rejected) != fmt.Sprint(wantRej) {
		t.Errorf("rejected %v, want %v", res.Rejected, wantRej)
	}
	checkInvariant(t, res)
	for _, smp := range res.Samples {
		if err := smp.Metric.ValidateLabels(smp.Labels); err != nil {
			t.Error(err)
		}
	}
}

// checkInvariant: per key and period, carried + received − resolved −
// withdrawn = in progress.
func checkInvariant(t *testing.T, res *source.Result) {
	t.Helper()
	bal := map[string]float64{}
	for _, s := range res.Samples {
		switch s.Metric {
		case catalog.DossiersCarriedOver, catalog.DossiersReceived:
			bal[strings.Join(s.Labels[:3], ",")] += s.Value
		case catalog.DossiersResolved, catalog.DossiersWithdrawn, catalog.DossiersInProgress:
			bal[strings.Join(s.Labels[:3], ",")] -= s.Value
		}
	}
	for k, v := range bal {
		if v != 0 {
			t.Errorf("%s: carried + received − resolved − withdrawn − in progress = %v", k, v)
		}
	}
}

// feedServer serves a generated feed by cursor; cut, when set, may break a
// response off after some records (a crash of the link mid-stream).
type feedServer struct {
	g        *feedgen.Generator
	requests atomic.Int32
	cut      func(req int) (afterBytes int, ok bool)
	upTo     int // serve only the first upTo records (0: all)
}

func (fs *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(fs.requests.Add(1))
	if fs.cut != nil {
		if after, ok := fs.cut(n); ok {
			var buf bytes.Buffer
			since, _ := time.Parse(time.RFC3339, r.URL.Query().Get("updated_since"))
			fs.g.WritePage(&buf, since, 100000)
			w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
			w.Write(buf.Bytes()[:min(after, buf.Len()-1)])
			panic(http.ErrAbortHandler) // drops the connection mid-body
		}
	}
	if fs.upTo > 0 {
		since, _ := time.Parse(time.RFC3339, r.URL.Query().Get("updated_since"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		fs.g.WritePageUpTo(w, since, limit, fs.upTo)
		return
	}
	fs.g.Handler().ServeHTTP(w, r)
}

func genFor(t testing.TB, n int, seed uint64, o feedgen.Options) *feedgen.Generator {
	t.Helper()
	if o.To.IsZero() {
		o.To = feedNow
	}
	g, err := feedgen.New(n, seed, o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// runUntilDone collects until a run succeeds, with a fresh Source per
// attempt (a restarted daemon), and returns the last result.
func runFresh(t *testing.T, cfg Config, base, dir string) *source.Result {
	t.Helper()
	res, err := newFeedSource(t, cfg, base, feedEnv(dir)).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameResults(t *testing.T, got, want *source.Result) {
	t.Helper()
	g, w := values(got), values(want)
	for k, v := range w {
		if g[k] != v {
			t.Errorf("%s = %v, uninterrupted run %v", k, g[k], v)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("%s = %v: not in the uninterrupted run", k, g[k])
		}
	}
	if len(got.Samples) != len(want.Samples) {
		t.Errorf("%d samples, uninterrupted run %d", len(got.Samples), len(want.Samples))
	}
}

// Stop mid-stream (the link breaks inside a page, or the context is
// cancelled), restart with a new Source on the same state directory: the
// final figures equal an uninterrupted run's.
func TestFeedRestartMidStream(t *testing.T) {
	g := genFor(t, 4000, 7, feedgen.Options{})
	cfg := feedCfg(t, 250, func(f *FeedConfig) { f.OfficialLate = true })
	ref := &feedServer{g: g}
	refSrv := httptest.NewServer(ref)
	defer refSrv.Close()
	want := runFresh(t, cfg, refSrv.URL, t.TempDir())
	if len(want.Samples) < 100 {
		t.Fatalf("only %d samples: the generated feed is too small", len(want.Samples))
	}
	checkInvariant(t, want)

	cases := map[string]struct {
		checkpoint time.Duration
		cut        func(req int) (int, bool)
		failures   int
	}{
		"cut in page 5, checkpoint every page":  {0, func(req int) (int, bool) { return 120000, req == 5 }, 1},
		"cut in page 1":                         {0, func(req int) (int, bool) { return 5000, req == 1 }, 1},
		"cut twice, checkpoint at the end only": {time.Hour, func(req int) (int, bool) { return 300000, req == 7 || req == 9 }, 2},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fs := &feedServer{g: genFor(t, 4000, 7, feedgen.Options{}), cut: c.cut}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			cfg := feedCfg(t, 250, func(f *FeedConfig) { f.OfficialLate = true; f.CheckpointInterval = &c.checkpoint })
			var res *source.Result
			failures := 0
			for attempt := 0; attempt < 5; attempt++ {
				var err error
				res, err = newFeedSource(t, cfg, srv.URL, feedEnv(dir)).Collect(context.Background())
				if err == nil {
					break
				}
				failures++
				if r := source.Reason(err); r != catalog.ReasonTransport && r != catalog.ReasonDecode {
					t.Fatalf("attempt %d: reason %q: %v", attempt, r, err)
				}
				res = nil
			}
			if res == nil {
				t.Fatal("never succeeded")
			}
			if failures != c.failures {
				t.Errorf("%d failed runs, want %d", failures, c.failures)
			}
			sameResults(t, res, want)
		})
	}

	t.Run("context cancelled mid-page, same Source", func(t *testing.T) {
		dir := t.TempDir()
		srv := httptest.NewServer(&feedServer{g: genFor(t, 4000, 7, feedgen.Options{})})
		defer srv.Close()
		s := newFeedSource(t, cfg, srv.URL, feedEnv(dir))
		ctx, cancel := context.WithCancel(context.Background())
		s.feed.stream = cancelAfter{httpStreamer{srv.URL}, cancel, 3, new(atomic.Int32)}
		if _, err := s.Collect(ctx); err == nil {
			t.Fatal("no error after cancel")
		}
		s.feed.stream = httpStreamer{srv.URL}
		res, err := s.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sameResults(t, res, want)
	})

	t.Run("feed grows between runs", func(t *testing.T) {
		dir := t.TempDir()
		// The first run sees the feed as it was earlier: its first 2600 records.
		srv1 := httptest.NewServer(&feedServer{g: genFor(t, 4000, 7, feedgen.Options{}), upTo: 2600})
		first, err := newFeedSource(t, cfg, srv1.URL, feedEnv(dir)).Collect(context.Background())
		srv1.Close()
		if err != nil {
			t.Fatal(err)
		}
		_ = first
		res := runFresh(t, cfg, refSrv.URL, dir)
		sameResults(t, res, want)
	})
}

// cancelAfter cancels the context while the n-th page is being read.
type cancelAfter struct {
	s      Streamer
	cancel context.CancelFunc
	n      int
	pages  *atomic.Int32
}

func (c cancelAfter) Stream(ctx context.Context, p string, q url.Values, fn func(io.Reader) error) error {
	return c.s.Stream(ctx, p, q, func(r io.Reader) error {
		if int(c.pages.Add(1)) == c.n {
			return fn(&cancelReader{r: r, cancel: c.cancel, after: 20000, ctx: ctx})
		}
		return fn(r)
	})
}

type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
	after  int
	ctx    context.Context
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if c.after <= 0 {
		c.cancel()
		<-c.ctx.Done()
		return 0, c.ctx.Err()
	}
	if len(p) > c.after {
		p = p[:c.after]
	}
	n, err := c.r.Read(p)
	c.after -= n
	return n, err
}

// The streamed and the whole-body paths give the same result, and both match
// a reference count made with encoding/json (feed_ref_test.go).
func TestFeedMatchesReference(t *testing.T) {
	g := genFor(t, 6000, 11, feedgen.Options{BadShare: 0.02})
	srv := httptest.NewServer(&feedServer{g: g})
	defer srv.Close()
	cfg := feedCfg(t, 400, func(f *FeedConfig) { f.OfficialLate = true })
	res := runFresh(t, cfg, srv.URL, t.TempDir())
	checkInvariant(t, res)

	var body bytes.Buffer
	if _, err := genFor(t, 6000, 11, feedgen.Options{BadShare: 0.02}).WriteTo(&body); err != nil {
		t.Fatal(err)
	}
	want, wantRej := referenceReport(t, body.Bytes(), feedEnv(""), feedNow)
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
	if fmt.Sprint(res.Rejected) != fmt.Sprint(wantRej) {
		t.Errorf("rejected %v, reference %v", res.Rejected, wantRej)
	}

	// Whole bodies (a Getter without Stream) give the same figures.
	s, err := New("feed", cfg, plainGetter{srv.URL}, feedEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	res2, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, res2, res)
}

func TestFeedDetailAgency(t *testing.T) {
	srv := serveFile(t, "feed-sample.json")
	cfg := feedCfg(t, 1000, nil)
	cfg.Detail = DetailAgency
	res, err := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir())).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := values(res)
	// DD and HT of agency A summed under an empty field.
	if v := got["tthc_dossiers_received{000.00.31.H47,,month,truc_tuyen}"]; v != 3 {
		t.Errorf("per-agency received online = %v, want 3", v)
	}
	if v := got["tthc_dossiers_in_progress{000.00.31.H47,,month,chua_den_han}"]; v != 2 {
		t.Errorf("per-agency not due = %v, want 2", v)
	}
	checkInvariant(t, res)
}

// A second run with nothing new answers the same figures from the state file
// alone, and the state survives a restart.
func TestFeedIdleRunAndReload(t *testing.T) {
	srv := serveFile(t, "feed-sample.json")
	dir := t.TempDir()
	cfg := feedCfg(t, 1000, nil)
	s := newFeedSource(t, cfg, srv.URL, feedEnv(dir))
	first, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, second, first)
	third, err := newFeedSource(t, cfg, srv.URL, feedEnv(dir)).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, third, first)
	if len(third.Rejected) != 0 {
		t.Errorf("an idle run rejected %v", third.Rejected)
	}
}

func TestFeedBadPages(t *testing.T) {
	cases := map[string]struct {
		body   string
		reason string
	}{
		"html":            {`<html>maintenance</html>`, catalog.ReasonDecode},
		"truncated":       {`{"data":[{"MaHoSo":"a","TrangThaiHoSo":2`, catalog.ReasonDecode},
		"bad separator":   {`{"data":[{"MaHoSo":"a"};]}`, catalog.ReasonDecode},
		"trailing":        {`{"data":[]} {"data":[]}`, catalog.ReasonDecode},
		"deep":            {`{"data":[{"x":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}]}`, catalog.ReasonDecode},
		"cursor not text": {`{"next_cursor":12,"data":[]}`, catalog.ReasonDecode},
		"cursor binary":   {"{\"next_cursor\":\"a\\u0001b\",\"data\":[]}", catalog.ReasonDecode},
		"error code":      {`{"error_code":"E42","data":[]}`, catalog.ReasonInvalid},
		"bad escape":      {`{"data":[{"MaHoSo":"\q"}]}`, catalog.ReasonDecode},
		// Most of the page rejected: the run fails, the cursor stays.
		"not objects": {`{"data":[1,"x",null]}`, catalog.ReasonRejected},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, c.body) }))
			defer srv.Close()
			res, err := newFeedSource(t, feedCfg(t, 10, nil), srv.URL, feedEnv(t.TempDir())).Collect(context.Background())
			if err == nil || res != nil {
				t.Fatalf("Collect = %v, %v; want an error", res, err)
			}
			if r := source.Reason(err); r != c.reason {
				t.Fatalf("reason %q, want %q (err %v)", r, c.reason, err)
			}
		})
	}
	// Odd but valid pages are fine.
	for name, body := range map[string]string{
		"null data": `{"data":null}`,
		"empty":     `{}`,
		"code 0":    `{"error_code":0,"data":[]}`,
		"not object": `{"data":[1,"x",null,{"MaHoSo":"a-1","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":1,"NgayCapNhat":"20250101000001"},` +
			`{"MaHoSo":"a-2","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":1,"NgayCapNhat":"20250101000001"},` +
			`{"MaHoSo":"a-3","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":1,"NgayCapNhat":"20250101000001"}]}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) }))
		res, err := newFeedSource(t, feedCfg(t, 10, nil), srv.URL, feedEnv(t.TempDir())).Collect(context.Background())
		srv.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if name == "not object" && res.Rejected[catalog.RejectMalformed] != 6 {
			// Served twice (the cursor moves once, to the records' NgayCapNhat),
			// 3 of 6 rejected each time: not above the page's allowed share.
			t.Errorf("%s: rejected %v", name, res.Rejected)
		}
	}
}

// A broken state file is kept aside and the feed is read again from the
// start: slower, still exact.
func TestFeedCorruptState(t *testing.T) {
	g := genFor(t, 1500, 3, feedgen.Options{})
	srv := httptest.NewServer(&feedServer{g: g})
	defer srv.Close()
	cfg := feedCfg(t, 200, nil)
	dir := t.TempDir()
	want := runFresh(t, cfg, srv.URL, dir)
	path := filepath.Join(dir, "feed.feed.state")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func([]byte) []byte{
		"flipped byte": func(b []byte) []byte { c := bytes.Clone(b); c[len(c)/2] ^= 0x55; return c },
		"truncated":    func(b []byte) []byte { return b[:len(b)/3] },
		"empty":        func([]byte) []byte { return nil },
		"huge sizes":   func(b []byte) []byte { return bytes.Replace(b, []byte(`"set":`), []byte(`"set":9`), 1) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			res := runFresh(t, cfg, srv.URL, dir)
			sameResults(t, res, want)
			if _, err := os.Stat(path + ".bad"); err != nil {
				t.Errorf("damaged state not kept aside: %v", err)
			}
		})
	}
	// A configuration change (here official_late) starts over too.
	cfg2 := feedCfg(t, 200, func(f *FeedConfig) { f.OfficialLate = true })
	res := runFresh(t, cfg2, srv.URL, dir)
	w := values(want)
	for k, v := range values(res) {
		if !strings.HasPrefix(k, "tthc_official") && w[k] != v {
			t.Errorf("after a config change %s = %v, want %v", k, v, w[k])
		}
	}
}

// Year rollover: dossiers in progress on 1 January become carried over, and
// a dossier processed in December and returned in January is not counted
// again.
func TestFeedYearRollover(t *testing.T) {
	rec := func(id, recv, due, ret, fin, upd string, status int) string {
		q := func(s string) string {
			if s == "" {
				return "null"
			}
			return `"` + s + `"`
		}
		return fmt.Sprintf(`{"MaHoSo":%q,"MaLinhVuc":"DD","KenhThucHien":1,"DonViXuLy":"000.00.31.H47","TrangThaiHoSo":%d,"NgayTiepNhan":%s,"NgayHenTra":%s,"NgayTra":%s,"NgayKetThucXuLy":%s,"NgayCapNhat":%s}`,
			id, status, q(recv), q(due), q(ret), q(fin), q(upd))
	}
	dec := []string{
		rec("D1", "20251210080000", "20251230170000", "", "", "20251210080000", 4),                // in progress at new year
		rec("D2", "20251211080000", "20251220170000", "", "20251219100000", "20251219100000", 9),  // processed in December
		rec("D3", "20251212080000", "20251215170000", "20251215100000", "", "20251215100000", 10), // done in December
		rec("D4", "20251212080000", "20260105170000", "", "", "20251212080000", 4),                // in progress, ends in January
	}
	jan := []string{
		rec("D2", "20251211080000", "20251220170000", "20260105090000", "20251219100000", "20260105090000", 10), // returned in January
		rec("D4", "20251212080000", "20260105170000", "20260106090000", "", "20260106090000", 10),               // resolved late in January
		rec("D5", "20260107080000", "20260114170000", "", "", "20260107080000", 2),
	}
	var page atomic.Value
	page.Store(dec)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recs := page.Load().([]string)
		since := r.URL.Query().Get("updated_since")
		var out []string
		for _, x := range recs {
			i := strings.Index(x, `"NgayCapNhat":"`) + len(`"NgayCapNhat":"`)
			st, _ := time.ParseInLocation("20060102150405", x[i:i+14], ict)
			if s, err := time.Parse(time.RFC3339, since); err != nil || st.After(s) {
				out = append(out, x)
			}
		}
		fmt.Fprintf(w, `{"data":[%s]}`, strings.Join(out, ","))
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := feedCfg(t, 100, nil)
	env := feedEnv(dir)
	env.Now = func() time.Time { return time.Date(2025, 12, 28, 9, 0, 0, 0, ict) }
	res, err := newFeedSource(t, cfg, srv.URL, env).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := values(res)
	if got["tthc_dossiers_received{000.00.31.H47,DD,month,truc_tiep}"] != 4 || got["tthc_dossiers_resolved{000.00.31.H47,DD,month,dung_han}"] != 1 {
		t.Fatalf("December: %v", got)
	}
	page.Store(append(dec, jan...))
	env.Now = func() time.Time { return time.Date(2026, 1, 8, 9, 0, 0, 0, ict) }
	res, err = newFeedSource(t, cfg, srv.URL, env).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got = values(res)
	want := map[string]float64{
		// D1 and D4 were in progress on 1 January.
		"tthc_dossiers_carried_over{000.00.31.H47,DD,year}":             2,
		"tthc_dossiers_received{000.00.31.H47,DD,year,truc_tiep}":       1, // D5
		"tthc_dossiers_resolved{000.00.31.H47,DD,year,tre_han}":         1, // D4
		"tthc_dossiers_resolved{000.00.31.H47,DD,year,dung_han}":        0, // D2 was counted in December
		"tthc_dossiers_in_progress{000.00.31.H47,DD,year,qua_han}":      1, // D1
		"tthc_dossiers_in_progress{000.00.31.H47,DD,year,chua_den_han}": 1, // D5
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	checkInvariant(t, res)
}

func TestFeedConfig(t *testing.T) {
	neg := -time.Second
	cases := map[string]struct {
		cfg  Config
		want []string
	}{
		"defaults": {Config{Format: FormatFeed}, nil},
		"mapping with feed": {Config{Format: FormatFeed, Mapping: &Mapping{Path: "/x", FromParam: "f", ToParam: "t", Columns: map[string]string{"agency": "a", "field": "f"}}},
			[]string{"mapping: must not be set with format feed"}},
		"feed without format": {Config{Feed: &FeedConfig{}}, []string{"feed: only with format feed"}},
		"bad feed": {Config{Format: FormatFeed, Feed: &FeedConfig{Path: "x", SinceParam: "s", LimitParam: "s", Limit: -1, MaxPages: -2,
			CheckpointInterval: &neg, Query: map[string]string{"s": "1"}, Holidays: []string{" "}}},
			[]string{
				`feed.path: must start with /, got "x"`,
				`feed.limit_param: must differ from since_param "s"`,
				"feed.query.s: is set by govpulse (since_param or limit_param)",
				"feed.limit: must be between 1 and 100000, got -1",
				"feed.max_pages: must be positive, got -2",
				"feed.checkpoint_interval: must not be negative",
				"feed.holidays[0]: empty path",
			}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.cfg.SetDefaults()
			var got []string
			for _, e := range c.cfg.Validate() {
				got = append(got, e.Path+": "+e.Msg)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
	c := Config{Format: FormatFeed}
	c.SetDefaults()
	if f := c.Feed; f.Path != DefaultFeedPath || f.Limit != DefaultFeedLimit || *f.CheckpointInterval != DefaultCheckpointInterval || f.OfficialLate {
		t.Fatalf("defaults: %+v", f)
	}
	// Holiday files are loaded at New: a bad one fails early.
	cfg := feedCfg(t, 10, func(f *FeedConfig) { f.Holidays = []string{"testdata/nope.yml"} })
	if _, err := New("feed", cfg, plainGetter{}, feedEnv("")); err == nil {
		t.Fatal("missing holiday file accepted")
	}
	cfg = feedCfg(t, 10, func(f *FeedConfig) { f.Holidays = []string{"../../deploy/holidays/2026.yml"} })
	if _, err := New("feed", cfg, plainGetter{}, feedEnv("")); err != nil {
		t.Fatal(err)
	}
}

// The first request starts at initial_since (default 1 January of last
// year), later ones at the saved cursor, with the configured names.
func TestFeedQuery(t *testing.T) {
	var queries []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Query())
		if len(queries) == 1 {
			io.WriteString(w, `{"next_cursor":"opaque-1","data":[`+strings.Repeat(`{"MaHoSo":"q","DonViXuLy":"000.00.31.H47","MaLinhVuc":"DD","TrangThaiHoSo":1,"NgayCapNhat":"20250101000001"},`, 4)+`1]}`)
			return
		}
		io.WriteString(w, `{"next_cursor":"opaque-1","data":[]}`)
	}))
	defer srv.Close()
	cfg := feedCfg(t, 5, func(f *FeedConfig) {
		f.SinceParam, f.LimitParam, f.Query = "tu", "so_luong", map[string]string{"ma_tinh": "48"}
	})
	if _, err := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir())).Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(queries) != 2 {
		t.Fatalf("%d requests, want 2", len(queries))
	}
	if q := queries[0]; q.Get("tu") != "2025-01-01T00:00:00+07:00" || q.Get("so_luong") != "5" || q.Get("ma_tinh") != "48" {
		t.Errorf("first query %v", q)
	}
	if q := queries[1]; q.Get("tu") != "opaque-1" {
		t.Errorf("second query %v", q)
	}
}

func TestFeedMaxPages(t *testing.T) {
	g := genFor(t, 3000, 5, feedgen.Options{})
	srv := httptest.NewServer(&feedServer{g: g})
	defer srv.Close()
	dir := t.TempDir()
	want := runFresh(t, feedCfg(t, 100, nil), srv.URL, t.TempDir())
	cfg := feedCfg(t, 100, func(f *FeedConfig) { f.MaxPages = 4 })
	var res *source.Result
	for run := 0; run < 20; run++ {
		res = runFresh(t, cfg, srv.URL, dir)
	}
	sameResults(t, res, want)
}

func TestFeedStateHasNoPersonalData(t *testing.T) {
	// Covered with canaries in TestFeedCanary; here: the file is where it is
	// documented and the temporary files are gone.
	srv := serveFile(t, "feed-sample.json")
	dir := t.TempDir()
	runFresh(t, feedCfg(t, 1000, nil), srv.URL, dir)
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "feed.feed.state" {
		t.Fatalf("state dir holds %v", names)
	}
}

// With period_report: false the feed adds only what the feed alone knows, so
// it can run beside a report-mode source without colliding series.
func TestFeedWithoutPeriodReport(t *testing.T) {
	srv := serveFile(t, "feed-sample.json")
	off := false
	cfg := feedCfg(t, 1000, func(f *FeedConfig) { f.PeriodReport = &off })
	if cfg.EmitsPeriodReport() {
		t.Fatal("EmitsPeriodReport with period_report false")
	}
	res, err := newFeedSource(t, cfg, srv.URL, feedEnv(t.TempDir())).Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, s := range res.Samples {
		names[s.Metric.Name]++
	}
	for _, c := range countColumns {
		if names[c.metric.Name] > 0 {
			t.Errorf("%s exported with period_report false", c.metric.Name)
		}
	}
	if names[catalog.DossiersDueSoon.Name] == 0 || names[catalog.DossiersDigitised.Name] == 0 {
		t.Errorf("feed-only metrics missing: %v", names)
	}
}
