package onestop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

var ict = time.FixedZone("ICT", 7*3600)

// plainGetter is the smallest real HTTP client: these tests are about
// decoding; retries and limits are httpc's and tested there.
type plainGetter struct{ base string }

func (g plainGetter) Get(ctx context.Context, p string, q url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+p+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

func testEnv() source.Env {
	ag := map[string]source.Agency{}
	for _, c := range []string{"000.00.31.H47", "000.01.31.H47"} {
		ag[c] = source.Agency{Code: c}
	}
	fl := map[string]source.Field{}
	for _, c := range []string{"DD", "HT", "CT", "XD"} {
		fl[c] = source.Field{Code: c}
	}
	return source.Env{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, ict) },
		Location: ict,
		Agencies: ag,
		Fields:   fl,
	}
}

// recorded serves testdata files by a key computed from the request, and
// records every request's query.
type recorded struct {
	mu      sync.Mutex
	queries []url.Values
	file    func(r *http.Request) string
}

func (rec *recorded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.queries = append(rec.queries, r.URL.Query())
	rec.mu.Unlock()
	b, err := os.ReadFile(filepath.Join("testdata", rec.file(r)))
	if err != nil {
		http.Error(w, err.Error(), 404)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func loadConfig(t testing.TB, file string) Config {
	t.Helper()
	var c Config
	if file != "" {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
	}
	c.SetDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("config %s: %v", file, errs)
	}
	return c
}

func collect(t *testing.T, cfg Config, h http.Handler) *source.Result {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	s, err := New("os", cfg, plainGetter{srv.URL}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// values indexes a result as "metric{l1,l2,...}" -> value.
func values(res *source.Result) map[string]float64 {
	out := map[string]float64{}
	for _, s := range res.Samples {
		out[s.Metric.Name+"{"+strings.Join(s.Labels, ",")+"}"] = s.Value
	}
	return out
}

// The same three good records, whichever layout carries them.
var wantCommon = map[string]float64{
	"tthc_dossiers_carried_over{000.00.31.H47,DD,month}":             40,
	"tthc_dossiers_received{000.00.31.H47,DD,month,truc_tiep}":       300,
	"tthc_dossiers_received{000.00.31.H47,DD,year,truc_tuyen}":       150,
	"tthc_dossiers_received{000.00.31.H47,DD,quarter,buu_chinh}":     5,
	"tthc_dossiers_resolved{000.00.31.H47,DD,month,tre_han}":         30,
	"tthc_dossiers_resolved{000.00.31.H47,HT,month,truoc_han}":       150,
	"tthc_dossiers_in_progress{000.00.31.H47,DD,month,qua_han}":      8,
	"tthc_dossiers_in_progress{000.00.31.H47,HT,month,chua_den_han}": 12,
	"tthc_dossiers_withdrawn{000.00.31.H47,DD,month}":                2,
	"tthc_dossiers_awaiting_supplement{000.00.31.H47,DD,month}":      6,
	"tthc_dossiers_resolved{000.01.31.H47,HT,month,dung_han}":        8,
	"tthc_dossiers_in_progress{000.01.31.H47,HT,year,chua_den_han}":  6,
	"tthc_dossiers_received{000.01.31.H47,HT,month,truc_tuyen}":      5,
}

func TestLayouts(t *testing.T) {
	cases := map[string]struct {
		config     string
		file       func(r *http.Request) string
		wantReject map[string]int
		wantQuery  map[string]string
		// extra is the number of good pairs besides the three common ones.
		extra int
	}{
		"standard": {
			file: func(r *http.Request) string { return "standard-page" + r.URL.Query().Get("page") + ".json" },
			// per period: 1 unknown agency, 1 negative, 1 free-text agency, 1 non-number
			// rejected; 1 inconsistent kept as reported and flagged
			wantReject: map[string]int{catalog.RejectUnknownCode: 3, catalog.RejectNegative: 3, catalog.InconsistentKept: 3, catalog.RejectBadCode: 3, catalog.RejectMalformed: 3},
			extra:      1,
			wantQuery:  map[string]string{"period": "month", "from": "2026-11-01", "to": "2026-11-22", "page": "1", "page_size": "1000"},
		},
		"igate-like mapping": {
			config:     "igate.yml",
			file:       func(r *http.Request) string { return "igate-page" + r.URL.Query().Get("page") + ".json" },
			wantReject: map[string]int{catalog.RejectUnknownCode: 3},
			wantQuery:  map[string]string{"from-date": "2026-11-01T00:00:00", "to-date": "2026-11-22T23:59:59", "page": "0", "size": "2"},
		},
		"third vendor, config only": {
			config:    "thirdvendor.yml",
			file:      func(*http.Request) string { return "thirdvendor.json" },
			wantQuery: map[string]string{"tungay": "01/11/2026", "denngay": "22/11/2026", "donvi_cha": "tinh"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &recorded{file: c.file}
			res := collect(t, loadConfig(t, c.config), rec)
			got := values(res)
			for k, v := range wantCommon {
				if gv, ok := got[k]; !ok || gv != v {
					t.Errorf("%s = %v (present %v), want %v", k, gv, ok, v)
				}
			}
			// good pairs × 11 counts × 3 periods, nothing else.
			if want := (3 + c.extra) * 11 * 3; len(res.Samples) != want {
				t.Errorf("got %d samples, want %d", len(res.Samples), want)
			}
			if c.extra > 0 {
				// The inconsistent row (9 resolved of 2 received) is exported as reported.
				if v := got["tthc_dossiers_resolved{000.01.31.H47,CT,month,truoc_han}"]; v != 9 {
					t.Errorf("inconsistent row: resolved = %v, want 9", v)
				}
			}
			for r, n := range c.wantReject {
				if res.Rejected[r] != n {
					t.Errorf("rejected[%s] = %d, want %d (all: %v)", r, res.Rejected[r], n, res.Rejected)
				}
			}
			if len(res.Rejected) != len(c.wantReject) {
				t.Errorf("rejected = %v, want %v", res.Rejected, c.wantReject)
			}
			q := rec.queries[0]
			for k, v := range c.wantQuery {
				if q.Get(k) != v {
					t.Errorf("first request %s=%q, want %q (query %v)", k, q.Get(k), v, q)
				}
			}
		})
	}
}

func TestDetailAgency(t *testing.T) {
	cfg := loadConfig(t, "igate.yml")
	cfg.Detail = DetailAgency
	rec := &recorded{file: func(r *http.Request) string { return "igate-page" + r.URL.Query().Get("page") + ".json" }}
	got := values(collect(t, cfg, rec))
	// DD and HT summed into one series per agency with an empty field.
	if v := got["tthc_dossiers_received{000.00.31.H47,,month,truc_tuyen}"]; v != 270 {
		t.Fatalf("per-agency received online = %v, want 270", v)
	}
	// With detail agency the field is not read, so the unknown sector counts too.
	if v := got["tthc_dossiers_received{000.01.31.H47,,month,truc_tiep}"]; v != 21 {
		t.Fatalf("per-agency received in person = %v, want 21", v)
	}
}

func TestBadBodies(t *testing.T) {
	cases := map[string]struct {
		body   string
		reason string
	}{
		"malformed":       {`{"rows":[{"agency":`, catalog.ReasonDecode},
		"no items":        {`{"pages":1}`, catalog.ReasonDecode},
		"items not array": {`{"pages":1,"rows":{}}`, catalog.ReasonDecode},
		"no page count":   {`{"rows":[]}`, catalog.ReasonDecode},
		"html":            {`<html>maintenance</html>`, catalog.ReasonDecode},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, c.body) }))
			defer srv.Close()
			s, err := New("os", loadConfig(t, ""), plainGetter{srv.URL}, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Collect(context.Background())
			if err == nil || res != nil {
				t.Fatalf("Collect = %v, %v; want an error", res, err)
			}
			if r := source.Reason(err); r != c.reason {
				t.Fatalf("reason %q, want %q (err %v)", r, c.reason, err)
			}
		})
	}
}

func TestNullItemsIsEmptyPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"pages":1,"rows":null}`) }))
	defer srv.Close()
	s, _ := New("os", loadConfig(t, ""), plainGetter{srv.URL}, testEnv())
	res, err := s.Collect(context.Background())
	if err != nil || len(res.Samples) != 0 {
		t.Fatalf("Collect = %v, %v", res, err)
	}
}

func TestPageLimit(t *testing.T) {
	cfg := loadConfig(t, "")
	cfg.Mapping.Pagination.MaxPages = 3
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n++
		io.WriteString(w, `{"pages":1000000,"rows":[]}`)
	}))
	defer srv.Close()
	s, _ := New("os", cfg, plainGetter{srv.URL}, testEnv())
	if _, err := s.Collect(context.Background()); err == nil || !strings.Contains(err.Error(), "more than 3 pages") {
		t.Fatalf("err = %v", err)
	}
	if n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		cfg  Config
		want []string
	}{
		"bad format":      {Config{Format: "xml"}, []string{`format: must be "standard", "mapping" or "feed", not "xml"`}},
		"mapping missing": {Config{Format: FormatMapping}, []string{"mapping: required with format mapping"}},
		"bad detail":      {Config{Detail: "procedure"}, []string{`detail: must be "field" or "agency", not "procedure"`}},
		"bad columns": {Config{Format: FormatMapping, Mapping: &Mapping{Path: "x", FromParam: "f", ToParam: "t",
			Columns: map[string]string{"received_fax": "a"}, ValueMaps: map[string]map[string]string{"period": {}},
			Pagination: &Pagination{First: 2}}},
			[]string{
				`mapping.path: must start with /, got "x"`,
				"mapping.columns.received_fax: unknown column; known: agency, awaiting_supplement, carried_over, field, in_progress_chua_den_han, in_progress_qua_han, received_buu_chinh, received_truc_tiep, received_truc_tuyen, resolved_dung_han, resolved_tre_han, resolved_truoc_han, withdrawn",
				"mapping.columns.agency: required",
				"mapping.columns.field: required with detail field",
				"mapping.value_maps.period: only agency and field codes can be mapped",
				"mapping.pagination.page_param: required",
				"mapping.pagination.size: must be positive, got 0",
				"mapping.pagination.first: must be 0 or 1, got 2",
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
}

func TestParsePath(t *testing.T) {
	doc := map[string]any{"a": []any{map[string]any{"b": "x"}, []any{"y", "z"}}}
	f := func(p, want string, ok bool) {
		t.Helper()
		pp, err := parsePath(p)
		if err != nil {
			if ok {
				t.Fatalf("parsePath(%q): %v", p, err)
			}
			return
		}
		v, got := pp.get(doc)
		if got != ok || (ok && v != want) {
			t.Fatalf("get(%q) = %v, %v; want %q, %v", p, v, got, want, ok)
		}
	}
	f("a[0].b", "x", true)
	f("a[1][1]", "z", true)
	f("a[2].b", "", false)
	f("a.b", "", false)
	f("a[x]", "", false)
	f("a..b", "", false)
}
