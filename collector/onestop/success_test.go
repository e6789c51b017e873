package onestop

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// vendorCfg is a report-mode mapping whose bodies say whether they succeeded
// and which period they are of.
func vendorCfg(t testing.TB, mod func(*Mapping)) Config {
	t.Helper()
	c := Config{Format: FormatMapping, Mapping: &Mapping{
		Path: "/baocao", FromParam: "tu", ToParam: "den", PeriodParam: "ky",
		ItemsPath: "data",
		Columns: map[string]string{
			ColAgency: "maDonVi", ColField: "linhVuc", "received_truc_tuyen": "nhan",
			ColCarriedOver: "tonKyTruoc", "resolved_dung_han": "dungHan",
		},
		SuccessPath: "ketQua", SuccessValue: "THANH_CONG", ErrorMessagePath: "thongBao",
		PeriodPath: "ky", PeriodTag: "{period}:{from}",
	}}
	if mod != nil {
		mod(c.Mapping)
	}
	c.SetDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

// vendor serves body(query); body may use {tag} for the period tag the
// query asks for.
type vendor struct {
	mu   sync.Mutex
	body string
}

func (v *vendor) set(b string) { v.mu.Lock(); v.body = b; v.mu.Unlock() }

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	b := v.body
	v.mu.Unlock()
	q := r.URL.Query()
	io.WriteString(w, strings.ReplaceAll(b, "{tag}", q.Get("ky")+":"+q.Get("tu")))
}

const goodVendorBody = `{"ketQua":"THANH_CONG","thongBao":"","data":[
 {"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"{tag}","nhan":5,"tonKyTruoc":1,"dungHan":4}]}`

func newVendor(t *testing.T, cfg Config) (*Source, *vendor) {
	t.Helper()
	v := &vendor{body: goodVendorBody}
	srv := httptest.NewServer(v)
	t.Cleanup(srv.Close)
	s, err := New("os", cfg, plainGetter{srv.URL}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func wantFail(t *testing.T, s *Source, reason string, in ...string) {
	t.Helper()
	res, err := s.Collect(context.Background())
	if err == nil || res != nil {
		t.Fatalf("Collect = %v, %v; want an error", res, err)
	}
	if r := source.Reason(err); r != reason {
		t.Fatalf("reason %q, want %q (err %v)", r, reason, err)
	}
	for _, w := range in {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not contain %q", err, w)
		}
	}
}

func wantOK(t *testing.T, s *Source) *source.Result {
	t.Helper()
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// An HTTP 200 whose body says it failed is a failed run (the scheduler then
// keeps the last good data); the next good body is read as usual.
func TestSuccessFieldHoldout(t *testing.T) {
	s, v := newVendor(t, vendorCfg(t, nil))
	if got := values(wantOK(t, s))["tthc_dossiers_received{000.00.31.H47,DD,month,truc_tuyen}"]; got != 5 {
		t.Fatalf("received = %v, want 5", got)
	}
	v.set(`{"ketQua":"LOI","thongBao":"Hệ thống bận","data":[]}`)
	wantFail(t, s, catalog.ReasonUpstream, `"LOI"`, "Hệ thống bận")
	v.set(goodVendorBody)
	if got := values(wantOK(t, s))["tthc_dossiers_received{000.00.31.H47,DD,year,truc_tuyen}"]; got != 5 {
		t.Fatalf("after recovery received = %v, want 5", got)
	}

	v.set(`{"thongBao":"no status","data":[]}`)
	wantFail(t, s, catalog.ReasonUpstream, "no success field", "no status")
	v.set(`{"ketQua":{"x":1},"data":[]}`)
	wantFail(t, s, catalog.ReasonUpstream, "not a value")

	long := strings.Repeat("lỗi ", 300)
	v.set(`{"ketQua":"LOI","thongBao":"` + long + "\\n\\u0007" + `","data":[]}`)
	_, err := s.Collect(context.Background())
	if source.Reason(err) != catalog.ReasonUpstream {
		t.Fatalf("err = %v", err)
	}
	if n := utf8.RuneCountInString(err.Error()); n > 400 || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), long) {
		t.Fatalf("vendor text not truncated (%d characters): %q", n, err)
	}
}

func TestPeriodTag(t *testing.T) {
	s, v := newVendor(t, vendorCfg(t, nil))
	v.set(`{"ketQua":"THANH_CONG","data":[{"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"month:2026-10-01","nhan":5}]}`)
	wantFail(t, s, catalog.ReasonInvalid, "row 1", `"month:2026-10-01"`)
	v.set(`{"ketQua":"THANH_CONG","data":[{"maDonVi":"000.00.31.H47","linhVuc":"DD","nhan":5}]}`)
	wantFail(t, s, catalog.ReasonInvalid, "no period tag")
	// The tag may be the body's rather than each row's.
	v.set(`{"ketQua":"THANH_CONG","ky":"{tag}","data":[{"maDonVi":"000.00.31.H47","linhVuc":"DD","nhan":5}]}`)
	wantOK(t, s)
	v.set(`{"ketQua":"THANH_CONG","ky":"year:2025-01-01","data":[]}`)
	wantFail(t, s, catalog.ReasonInvalid, "the body")

	p := source.CurrentPeriods(testEnv().Now(), ict)[1]
	if got := periodTag("Q{quarter}/{year} {month} {period} {from}-{to}", p, "a", "b"); got != "Q4/2026 10 quarter a-b" {
		t.Fatalf("periodTag = %q", got)
	}
}

func TestEmptyAfterRows(t *testing.T) {
	s, v := newVendor(t, vendorCfg(t, nil))
	empty := `{"ketQua":"THANH_CONG","data":[]}`
	v.set(empty)
	wantOK(t, s) // no previous report: an empty one may be true
	v.set(goodVendorBody)
	wantOK(t, s)
	v.set(empty)
	wantFail(t, s, catalog.ReasonEmpty, "had 1 rows")
	v.set(`{"ketQua":"THANH_CONG","data":null}`)
	wantFail(t, s, catalog.ReasonEmpty)

	s, v = newVendor(t, vendorCfg(t, func(m *Mapping) { m.AllowEmpty = true }))
	wantOK(t, s)
	v.set(empty)
	if res := wantOK(t, s); len(res.Samples) != 0 {
		t.Fatalf("got %d samples", len(res.Samples))
	}
}

func TestValidateSuccessAndPeriod(t *testing.T) {
	c := Config{Format: FormatMapping, Mapping: &Mapping{Path: "/x", FromParam: "f", ToParam: "t",
		Columns:     map[string]string{ColAgency: "a", ColField: "b"},
		SuccessPath: "ok", ErrorMessagePath: "a..b", PeriodTag: "{period}"}}
	c.SetDefaults()
	var got []string
	for _, e := range c.Validate() {
		got = append(got, e.Path+": "+e.Msg)
	}
	want := []string{
		"mapping.success_path: success_path and success_value go together",
		"mapping.period_path: period_path and period_tag go together",
		`mapping.error_message_path: empty segment in path "a..b"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Counts above max_count and a second row of a key are rejected per row; the
// rest of the report stays.
func TestAbsurdAndDuplicateRows(t *testing.T) {
	body := `{"ketQua":"THANH_CONG","data":[
 {"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"{tag}","nhan":5},
 {"maDonVi":"000.00.31.H47","linhVuc":"HT","ky":"{tag}","nhan":7},
 {"maDonVi":"000.00.31.H47","linhVuc":"CT","ky":"{tag}","nhan":7},
 {"maDonVi":"000.01.31.H47","linhVuc":"DD","ky":"{tag}","nhan":2000000000},
 {"maDonVi":"000.00.31.H47","linhVuc":"DD","ky":"{tag}","nhan":6}]}`
	s, v := newVendor(t, vendorCfg(t, nil))
	v.set(body)
	res := wantOK(t, s)
	got := values(res)
	if got["tthc_dossiers_received{000.00.31.H47,DD,month,truc_tuyen}"] != 5 || got["tthc_dossiers_received{000.00.31.H47,HT,month,truc_tuyen}"] != 7 {
		t.Fatalf("values %v", got)
	}
	if _, ok := got["tthc_dossiers_received{000.01.31.H47,DD,month,truc_tuyen}"]; ok {
		t.Fatal("the absurd row was exported")
	}
	if res.Rejected[catalog.RejectAbsurd] != 3 || res.Rejected[catalog.RejectDuplicate] != 3 || len(res.Rejected) != 2 {
		t.Fatalf("rejected %v", res.Rejected)
	}

	// A larger bound admits it; with detail agency, rows of different
	// fields are summed, and only a repeated field is a duplicate.
	cfg := vendorCfg(t, func(m *Mapping) { m.MaxCount = 3e9 })
	cfg.Detail = DetailAgency
	s, v = newVendor(t, cfg)
	v.set(body)
	res = wantOK(t, s)
	got = values(res)
	if got["tthc_dossiers_received{000.00.31.H47,,month,truc_tuyen}"] != 19 || got["tthc_dossiers_received{000.01.31.H47,,month,truc_tuyen}"] != 2e9 {
		t.Fatalf("values %v", got)
	}
	if res.Rejected[catalog.RejectDuplicate] != 3 || len(res.Rejected) != 1 {
		t.Fatalf("rejected %v", res.Rejected)
	}
}
