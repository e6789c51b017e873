package vneid

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

var ict = time.FixedZone("ICT", 7*3600)

var testNow = time.Date(2026, 11, 22, 9, 0, 0, 0, ict)

// plainGetter is the smallest real HTTP client: these tests are about
// decoding; retries and limits are httpc's and tested there.
type plainGetter struct{ base string }

func (g plainGetter) Get(ctx context.Context, p string, q url.Values) ([]byte, error) {
	u := g.base + p
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
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

// syncBuf is a log sink safe for the handler's concurrent writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// take returns what was logged since the last take.
func (s *syncBuf) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	s.b.Reset()
	return out
}

func testEnv(logs io.Writer) source.Env {
	if logs == nil {
		logs = io.Discard
	}
	ag := map[string]source.Agency{
		"000.00.00.H47": {Code: "000.00.00.H47", Level: catalog.LevelProvince},
		"000.00.31.H47": {Code: "000.00.31.H47", Level: catalog.LevelDistrict, Parent: "000.00.00.H47"},
		"000.00.32.H47": {Code: "000.00.32.H47", Level: catalog.LevelDistrict, Parent: "000.00.00.H47"},
		"000.00.10.H47": {Code: "000.00.10.H47", Level: catalog.LevelDept, Parent: "000.00.00.H47"},
		"000.01.32.H47": {Code: "000.01.32.H47", Level: catalog.LevelCommune, Parent: "000.00.32.H47"},
	}
	for i := 1; i <= 6; i++ {
		c := fmt.Sprintf("000.%02d.31.H47", i)
		ag[c] = source.Agency{Code: c, Level: catalog.LevelCommune, Parent: "000.00.31.H47"}
	}
	return source.Env{
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:      func() time.Time { return testNow },
		Location: ict,
		Agencies: ag,
	}
}

func mustConfig(t testing.TB, c Config) Config {
	t.Helper()
	c.SetDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	return c
}

// values indexes a result as "metric{l1,l2,...}" -> value, checking every
// sample against the catalog as the store would.
func values(t *testing.T, res *source.Result) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, s := range res.Samples {
		if err := s.Metric.ValidateLabels(s.Labels); err != nil {
			t.Error(err)
		}
		k := s.Metric.Name + "{" + strings.Join(s.Labels, ",") + "}"
		if _, dup := out[k]; dup {
			t.Errorf("sample %s twice", k)
		}
		out[k] = s.Value
	}
	return out
}

func diff(t *testing.T, got, want map[string]float64) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, gok := got[k]
		w, wok := want[k]
		if g != w || gok != wok {
			t.Errorf("%s = %v (present %v), want %v (present %v)", k, g, gok, w, wok)
		}
	}
}

func asOf(y int, m time.Month, d int) float64 {
	return float64(time.Date(y, m, d, 0, 0, 0, 0, ict).Unix())
}

// serveTestdata serves testdata/<file> for the report path and records the
// requests' URLs.
func serveTestdata(t *testing.T, file string) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var urls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		urls = append(urls, r.URL.String())
		mu.Unlock()
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &urls
}

func TestHTTP(t *testing.T) {
	srv, urls := serveTestdata(t, "level2.json")
	var logs syncBuf
	// The fixture rejects most of its units, one of each reason: allowed here.
	all := 1.0
	cfg := mustConfig(t, Config{Population14Plus: 1180000, PopulationFile: "testdata/population.csv", Query: map[string]string{"tenant": "h47"}, MaxRejectedShare: &all})
	s, err := New("vneid", cfg, plainGetter{srv.URL}, testEnv(&logs))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := *urls; len(got) != 1 || got[0] != "/vneid/v1/level2?tenant=h47" {
		t.Errorf("requests %v", got)
	}
	diff(t, values(t, res), map[string]float64{
		"vneid_applications{000.01.31.H47,xa}":         9120,
		"vneid_accounts_issued{000.01.31.H47,xa}":      8450,
		"vneid_accounts_activated{000.01.31.H47,xa}":   4630,
		"vneid_applications{000.02.31.H47,xa}":         7310,
		"vneid_accounts_issued{000.02.31.H47,xa}":      6902,
		"vneid_accounts_activated{000.02.31.H47,xa}":   3555,
		"vneid_applications{000.01.32.H47,xa}":         5004,
		"vneid_accounts_issued{000.01.32.H47,xa}":      4611,
		"vneid_accounts_activated{000.01.32.H47,xa}":   2390,
		"vneid_applications{000.00.00.H47,tinh}":       9120 + 7310 + 5004,
		"vneid_accounts_issued{000.00.00.H47,tinh}":    8450 + 6902 + 4611,
		"vneid_accounts_activated{000.00.00.H47,tinh}": 4630 + 3555 + 2390,
		"vneid_population_14plus{000.00.00.H47,tinh}":  1180000,
		"vneid_population_14plus{000.01.31.H47,xa}":    14210,
		"vneid_population_14plus{000.02.31.H47,xa}":    11875,
		"vneid_population_14plus{000.01.32.H47,xa}":    8904,
		"vneid_data_as_of_timestamp_seconds{}":         asOf(2026, 11, 20),
	})
	want := map[string]int{
		catalog.RejectUnknownCode: 1, catalog.RejectBadCode: 1, catalog.RejectDuplicate: 1,
		catalog.RejectInconsistent: 1, catalog.RejectNegative: 1, catalog.RejectMalformed: 4, catalog.RejectAbsurd: 1,
	}
	if !reflect.DeepEqual(res.Rejected, want) {
		t.Errorf("rejected %v, want %v", res.Rejected, want)
	}
	if res.Read != 13 { // every unit listed, rejected ones included
		t.Errorf("read %d, want 13", res.Read)
	}
	// The summary is a warning once, then only at debug level while unchanged.
	first := logs.take()
	if !strings.Contains(first, "level=WARN") || !strings.Contains(first, "units rejected") {
		t.Errorf("no warning about rejected units:\n%s", first)
	}
	if strings.Contains(first, "Tân Thạnh") {
		t.Errorf("a rejected code cell's text was logged:\n%s", first)
	}
	if _, err := s.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if second := logs.take(); strings.Contains(second, "level=WARN") {
		t.Errorf("the same rejections warned again:\n%s", second)
	}
}

func TestHTTPFailures(t *testing.T) {
	cases := map[string]struct{ file, reason, msg string }{
		"other schema":   {"level2-schema.json", catalog.ReasonDecode, `schema "someone.else/v9"`},
		"truncated":      {"level2-truncated.json", catalog.ReasonDecode, "malformed VNeID report JSON"},
		"no date":        {"level2-nodate.json", catalog.ReasonDecode, "as_of"},
		"future date":    {"level2-future.json", catalog.ReasonInvalid, "after today"},
		"no valid unit":  {"level2-allbad.json", catalog.ReasonInvalid, "no valid unit among 1"},
		"404 (no file)":  {"missing.json", catalog.ReasonOther, "status 404"},
		"json not shape": {"population.csv", catalog.ReasonDecode, "malformed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv, _ := serveTestdata(t, c.file)
			s, err := New("vneid", mustConfig(t, Config{}), plainGetter{srv.URL}, testEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Collect(context.Background())
			if err == nil || source.Reason(err) != c.reason || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %v (reason %s), want reason %s and %q", err, source.Reason(err), c.reason, c.msg)
			}
			// A report whose every unit is rejected still counts them.
			if c.file == "level2-allbad.json" {
				if n := source.CountsOf(err); n == nil || n.Read != 1 || n.Rejected[catalog.RejectUnknownCode] != 1 || n.Share != 1 {
					t.Errorf("counts %+v, want 1 read and 1 unknown_code rejected", n)
				}
			}
		})
	}
}

// header is the police's header row as the issue quotes it.
var header = []any{"Mã đơn vị", "Tên đơn vị", "Số hồ sơ thu nhận", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt"}

func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	for i, row := range rows {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func writeCSV(t *testing.T, path string, rows [][]any) {
	t.Helper()
	var b strings.Builder
	for _, row := range rows {
		for j, v := range row {
			if j > 0 {
				b.WriteByte(';')
			}
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// touch sets a file's modification time to testNow minus ago.
func touch(t *testing.T, path string, ago time.Duration) {
	t.Helper()
	when := testNow.Add(-ago)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

// TestSocTrang checks the catalog's formula and the whole file path on the
// published figures: Sóc Trăng 2023, 354,938 activated of 654,392 issued = 54.2%.
func TestSocTrang(t *testing.T) {
	if got := fmt.Sprintf("%.1f%%", 100*catalog.VNeIDActivationRate(354938, 654392)); got != "54.2%" {
		t.Errorf("activation rate = %s, want 54.2%%", got)
	}
	if catalog.VNeIDActivationRate(5, 0) != 0 || catalog.VNeIDCoverage(5, 0) != 0 {
		t.Error("a rate without a denominator must be 0")
	}
	if got := catalog.VNeIDCoverage(350, 1000); got != 0.35 {
		t.Errorf("coverage = %v", got)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "soctrang-2023-12-31.xlsx")
	writeXLSX(t, p, [][]any{
		{"BÁO CÁO KẾT QUẢ CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2"},
		header,
		{"000.01.31.H47", "Phường 1", "400.000", "354.392", "200.938"},
		{"000.02.31.H47", "Phường 2", 320000, 300000, 154000},
		{"", "Tổng cộng", 720000, 654392, 354938},
	})
	s, err := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := values(t, res)
	act, iss := v["vneid_accounts_activated{000.00.00.H47,tinh}"], v["vneid_accounts_issued{000.00.00.H47,tinh}"]
	if act != 354938 || iss != 654392 {
		t.Fatalf("province activated %v issued %v", act, iss)
	}
	if got := fmt.Sprintf("%.1f%%", 100*catalog.VNeIDActivationRate(act, iss)); got != "54.2%" {
		t.Errorf("province activation rate = %s", got)
	}
	if v["vneid_data_as_of_timestamp_seconds{}"] != asOf(2023, 12, 31) {
		t.Errorf("as of %v: the date in the file name was not used", v["vneid_data_as_of_timestamp_seconds{}"])
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	var logs syncBuf
	s, err := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir, Population14Plus: 50000}), nil, testEnv(&logs))
	if err != nil {
		t.Fatal(err)
	}
	lastRead := 0
	collect := func() (map[string]float64, map[string]int, error) {
		t.Helper()
		res, err := s.Collect(context.Background())
		if err != nil {
			return nil, nil, err
		}
		lastRead = res.Read
		return values(t, res), res.Rejected, nil
	}

	// Empty directory: an error, so the store keeps whatever it had.
	if _, _, err := collect(); err == nil || source.Reason(err) != catalog.ReasonInvalid || !strings.Contains(err.Error(), "no CSV or XLSX report") {
		t.Fatalf("empty dir: %v", err)
	}

	// A first, valid CSV report with a title block and a numbering row.
	good := filepath.Join(dir, "bao-cao-vneid.csv")
	writeCSV(t, good, [][]any{
		{"CÔNG AN TỈNH QUẢNG NAM", "", "", "", ""},
		{"Tính đến ngày 19/11/2026", "", "", "", ""},
		header,
		{"(1)", "(2)", "(3)", "(4)", "(5)"},
		{"000.01.31.H47", "Phường An Mỹ", "9.120", "8.450", "4.630"},
		{"000.02.31.H47", "Phường An Sơn", "7.310", "6.902", "3.555"},
		{"000.09.31.H47", "Xã lạ", "1", "1", "1"},
		{"", "Tổng cộng", "16.431", "15.353", "8.186"},
		{"", "Người lập biểu", "", "", ""},
	})
	touch(t, good, 3*time.Hour)
	wantGood := map[string]float64{
		"vneid_applications{000.01.31.H47,xa}":         9120,
		"vneid_accounts_issued{000.01.31.H47,xa}":      8450,
		"vneid_accounts_activated{000.01.31.H47,xa}":   4630,
		"vneid_applications{000.02.31.H47,xa}":         7310,
		"vneid_accounts_issued{000.02.31.H47,xa}":      6902,
		"vneid_accounts_activated{000.02.31.H47,xa}":   3555,
		"vneid_applications{000.00.00.H47,tinh}":       16430,
		"vneid_accounts_issued{000.00.00.H47,tinh}":    15352,
		"vneid_accounts_activated{000.00.00.H47,tinh}": 8185,
		"vneid_population_14plus{000.00.00.H47,tinh}":  50000,
		"vneid_data_as_of_timestamp_seconds{}":         asOf(2026, 11, 19),
	}
	v, rej, err := collect()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, v, wantGood)
	if !reflect.DeepEqual(rej, map[string]int{catalog.RejectUnknownCode: 1}) || lastRead != 3 {
		t.Errorf("rejected %v of %d rows read, want unknown_code of 3", rej, lastRead)
	}
	if l := logs.take(); !strings.Contains(l, "row=7") || !strings.Contains(l, `column="A \"Mã đơn vị\""`) || !strings.Contains(l, "reason=unknown_code") {
		t.Errorf("the unknown code's row was not logged with its row and column:\n%s", l)
	}

	// Newer files that are wrong, each in one way: every one is rejected with
	// its file, row and column, counted once, and the good file's data stays.
	bad := []struct {
		name   string
		rows   [][]any
		reason string
		where  []string
	}{
		{"wrong-header.xlsx", [][]any{
			{"Mã đơn vị", "Tên đơn vị", "Số hồ sơ thu nhận", "Số tài khoản đã cấp", "Số TK kich hoat (x)"},
			{"000.01.31.H47", "Phường An Mỹ", 1, 1, 1},
		}, catalog.RejectMalformed, []string{"row=1", `column="\"Số tài khoản đã kích hoạt\""`, "unrecognised headers: E"}},
		{"text-in-number.xlsx", [][]any{
			header,
			{"000.01.31.H47", "Phường An Mỹ", 9200, 8500, 4700},
			{"000.02.31.H47", "Phường An Sơn", 7400, "khoảng 7000", 3600},
		}, catalog.RejectMalformed, []string{"row=3", `column="D \"Số tài khoản đã cấp\""`, "is not a number"}},
		{"negative.csv", [][]any{
			header,
			{"000.01.31.H47", "Phường An Mỹ", "9200", "8500", "-4700"},
		}, catalog.RejectNegative, []string{"row=2", `column="E \"Số tài khoản đã kích hoạt\""`, "negative count -4700"}},
	}
	for i, b := range bad {
		p := filepath.Join(dir, b.name)
		if strings.HasSuffix(b.name, ".xlsx") {
			writeXLSX(t, p, b.rows)
		} else {
			writeCSV(t, p, b.rows)
		}
		touch(t, p, time.Duration(2-i)*time.Hour/2)
		v, rej, err := collect()
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		diff(t, v, wantGood)
		if !reflect.DeepEqual(rej, map[string]int{b.reason: 1}) {
			t.Errorf("%s: rejected %v, want %s once", b.name, rej, b.reason)
		}
		l := logs.take()
		for _, w := range append([]string{"file=" + p, "level=WARN", "reason=" + b.reason}, b.where...) {
			if !strings.Contains(l, w) {
				t.Errorf("%s: log lacks %s:\n%s", b.name, w, l)
			}
		}
	}
	// Run again: the bad files are not logged or counted again.
	v, rej, err = collect()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, v, wantGood)
	if len(rej) != 0 {
		t.Errorf("rejections counted again: %v", rej)
	}
	if l := logs.take(); strings.Contains(l, "level=WARN") {
		t.Errorf("warned again:\n%s", l)
	}

	// A newer valid XLSX wins.
	newer := filepath.Join(dir, "vneid-20261121.xlsx")
	writeXLSX(t, newer, [][]any{
		header,
		{"000.01.31.H47", "Phường An Mỹ", 9300, 8600, 4800},
	})
	touch(t, newer, time.Minute)
	v, _, err = collect()
	if err != nil {
		t.Fatal(err)
	}
	if v["vneid_accounts_activated{000.01.31.H47,xa}"] != 4800 || v["vneid_accounts_activated{000.00.00.H47,tinh}"] != 4800 ||
		v["vneid_data_as_of_timestamp_seconds{}"] != asOf(2026, 11, 21) {
		t.Errorf("the newer file did not win: %v", v)
	}
	if _, ok := v["vneid_accounts_activated{000.02.31.H47,xa}"]; ok {
		t.Error("a unit of the older file is still exported")
	}
	if l := logs.take(); !strings.Contains(l, "using VNeID report file") || !strings.Contains(l, newer) {
		t.Errorf("the switch was not logged:\n%s", l)
	}

	// Once no file is valid, the run fails and the store keeps the last data.
	for _, p := range []string{good, newer} {
		os.Remove(p)
	}
	if _, _, err := collect(); err == nil || !strings.Contains(err.Error(), "none of the 3 report files") {
		t.Errorf("only bad files: %v", err)
	}
}

func TestDirOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, activated int, ago time.Duration) {
		p := filepath.Join(dir, name)
		writeCSV(t, p, [][]any{header, {"000.01.31.H47", "x", 10, 10, activated}})
		touch(t, p, ago)
	}
	write("a-2026-11-18.csv", 1, time.Hour)
	write("b-2026-11-19.csv", 2, time.Hour) // same time: the greater name wins
	write("c.csv", 3, 2*time.Hour)
	write(".hidden.csv", 4, 0)
	write("~$open.csv", 5, 0)
	write("partial.csv.part", 6, 0)
	write("notes.txt", 7, 0)
	s, err := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, res)["vneid_accounts_activated{000.01.31.H47,xa}"]; v != 2 {
		t.Errorf("activated %v: want the file b-2026-11-19.csv", v)
	}
}

func TestFileDate(t *testing.T) {
	dir := t.TempDir()
	f := func(name string, title []any, mtimeAgo time.Duration, want time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		rows := [][]any{header, {"000.01.31.H47", "x", 10, 10, 5}}
		if title != nil {
			rows = append([][]any{title}, rows...)
		}
		writeCSV(t, p, rows)
		touch(t, p, mtimeAgo)
		s, _ := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(nil))
		res, err := s.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := values(t, res)["vneid_data_as_of_timestamp_seconds{}"]; got != float64(want.Unix()) {
			t.Errorf("%s: as of %s, want %s", name, time.Unix(int64(got), 0).In(ict), want)
		}
		os.Remove(p)
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, ict) }
	f("bc-2026-11-20.csv", []any{"Số liệu tính đến ngày 15/11/2026", "", "", "", ""}, time.Hour, day(11, 15))
	f("bc-2026-11-20.csv", []any{"BÁO CÁO", "", "", "", ""}, time.Hour, day(11, 20))
	f("bc_20261117.csv", nil, time.Hour, day(11, 17))
	f("bc.csv", nil, 50*time.Hour, day(11, 20))
	f("bc-2026-02-30.csv", nil, 10*time.Hour, day(11, 21)) // no such date: the file's time
	f("bc.csv", nil, -72*time.Hour, day(11, 22))           // a clock ahead: today
}

func TestDirFutureTitleDate(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "bc.csv"), [][]any{{"Tính đến ngày 30/12/2026"}, header, {"000.01.31.H47", "x", 10, 10, 5}})
	var logs syncBuf
	s, _ := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(&logs))
	if _, err := s.Collect(context.Background()); err == nil {
		t.Fatal("a report dated after today was used")
	}
	if l := logs.String(); !strings.Contains(l, "reason=inconsistent") || !strings.Contains(l, "after today") {
		t.Errorf("log:\n%s", l)
	}
}

func TestDistrictRowsNotDoubleCounted(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "bc.csv"), [][]any{
		header,
		{"000.00.31.H47", "TP Tam Kỳ", 30, 20, 10},
		{"000.01.31.H47", "Phường An Mỹ", 20, 15, 8},
		{"000.02.31.H47", "Phường An Sơn", 10, 5, 2},
	})
	s, _ := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(nil))
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := values(t, res)
	if v["vneid_accounts_issued{000.00.00.H47,tinh}"] != 20 || v["vneid_accounts_issued{000.00.31.H47,huyen}"] != 20 {
		t.Errorf("province total from communes only: %v", v)
	}
	// The report's own province row is kept as it is.
	writeCSV(t, filepath.Join(dir, "bc.csv"), [][]any{header, {"000.00.00.H47", "Toàn tỉnh", 300, 200, 100}, {"000.01.31.H47", "x", 20, 15, 8}})
	touch(t, filepath.Join(dir, "bc.csv"), -time.Second)
	res, err = s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, res); v["vneid_accounts_issued{000.00.00.H47,tinh}"] != 200 {
		t.Errorf("reported province row not kept: %v", v)
	}
}

func TestCodeMap(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "bc.csv"), [][]any{
		{"Mã ĐVHC", "Xã, phường, thị trấn", "Thu nhận", "Đã cấp", "Đã kích hoạt"},
		{"20335", "Phường An Mỹ", 20, 15, 8},
	})
	s, _ := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir, CodeMap: map[string]string{"20335": "000.01.31.H47"}}), nil, testEnv(nil))
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, res); v["vneid_accounts_activated{000.01.31.H47,xa}"] != 8 {
		t.Errorf("code map not applied: %v", v)
	}
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.csv")
	os.WriteFile(file, []byte("x"), 0o644)
	badPop := filepath.Join(dir, "pop.csv")
	os.WriteFile(badPop, []byte("Mã đơn vị,Dân số từ 14 tuổi trở lên\n000.01.31.H47,abc\n"), 0o644)
	f := func(yml string, want ...string) {
		t.Helper()
		var c Config
		dec := yaml.NewDecoder(strings.NewReader(yml))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		c.SetDefaults()
		var got []string
		for _, e := range c.Validate() {
			got = append(got, e.Error())
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s\ngot  %q\nwant %q", yml, got, want)
		}
	}
	f("mode: http")
	f("mode: dir\ndir: " + dir + "\npopulation_14plus: 1180000\npopulation_file: testdata/population.csv\ncode_map: {'20335': 000.01.31.H47}")
	f("mode: ftp", `mode: must be "http" or "dir", not "ftp"`)
	f("mode: dir", "dir: required with mode dir")
	f("mode: dir\ndir: "+file, fmt.Sprintf("dir: %q is not a directory", file))
	f("mode: dir\ndir: "+dir+"/nope", fmt.Sprintf("dir: cannot use %q: no such file or directory", dir+"/nope"))
	f("mode: dir\ndir: "+dir+"\npath: /x\nquery: {a: b}", "path: only valid with mode http", "query: only valid with mode http")
	f("mode: http\npath: x\ndir: /tmp", `path: must start with /, got "x"`, "dir: only valid with mode dir")
	f("population_14plus: -1\nmax_file_bytes: -1\nprovince_agency: H47", "max_file_bytes: must not be negative", "population_14plus: must not be negative",
		`province_agency: "H47" is not an agency e-ID code like 000.00.00.H47`)
	f("code_map: {'20335': Tam Ky}", `code_map.20335: "Tam Ky" is not an agency e-ID code like 000.01.31.H47`)
	f("population_file: "+badPop, "population_file: "+badPop+`: row 2, column B "Dân số từ 14 tuổi trở lên": "abc" is not a number`)

	c := Config{Dir: "drop", PopulationFile: "/etc/pop.csv"}
	c.ResolvePaths("/etc/govpulse")
	if c.Dir != "/etc/govpulse/drop" || c.PopulationFile != "/etc/pop.csv" {
		t.Errorf("ResolvePaths: %+v", c)
	}
}

func TestNew(t *testing.T) {
	env := testEnv(nil)
	f := func(cfg Config, env source.Env, client Getter, want string) {
		t.Helper()
		_, err := New("vneid", mustConfig(t, cfg), client, env)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	f(Config{}, env, nil, "http mode needs an HTTP client")
	noProvince := testEnv(nil)
	delete(noProvince.Agencies, "000.00.00.H47")
	f(Config{Mode: ModeDir, Dir: t.TempDir()}, noProvince, nil, "0 agencies of level tinh (): set it (vneid.province_agency)")
	f(Config{Mode: ModeDir, Dir: t.TempDir(), ProvinceAgency: "000.00.00.H48"}, env, nil, `province "000.00.00.H48" is not in the agency list (vneid.province_agency)`)
	pop := filepath.Join(t.TempDir(), "pop.csv")
	os.WriteFile(pop, []byte("Mã đơn vị,Dân số từ 14 tuổi trở lên\n000.01.31.H47,10\n000.07.31.H47,20\n"), 0o644)
	f(Config{Mode: ModeDir, Dir: t.TempDir(), PopulationFile: pop}, env, nil, "codes that are not configured agencies: 000.07.31.H47")
	if _, err := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: t.TempDir(), ProvinceAgency: "000.00.31.H47"}), nil, noProvince); err != nil {
		t.Errorf("explicit province agency: %v", err)
	}
}

// TestHTTPMostlyRejectedFails: with the default limit, a report whose units
// are mostly rejected fails the run (reason rejected) and still says what
// it read and rejected, so the counters and the share alert see it.
func TestHTTPMostlyRejectedFails(t *testing.T) {
	srv, _ := serveTestdata(t, "level2.json")
	var logs syncBuf
	cfg := mustConfig(t, Config{Population14Plus: 1180000, PopulationFile: "testdata/population.csv"})
	s, err := New("vneid", cfg, plainGetter{srv.URL}, testEnv(&logs))
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxRejectedShare() != catalog.DefaultMaxRejectedShare {
		t.Fatalf("limit %v", s.MaxRejectedShare())
	}
	res, err := s.Collect(context.Background())
	if err == nil || source.Reason(err) != catalog.ReasonRejected || res != nil {
		t.Fatalf("got %v, %v; want a run refused with reason rejected", res, err)
	}
	c := source.CountsOf(err)
	if c == nil || c.Read != 13 || c.Share <= 0.5 {
		t.Fatalf("counts %+v", c)
	}
}

// TestDirMostlyRejectedFileSkipped: a dropped file whose rows are mostly
// rejected is itself rejected, and the older valid file stays in use.
func TestDirMostlyRejectedFileSkipped(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a-2026-11-18.csv")
	writeCSV(t, good, [][]any{header, {"000.01.31.H47", "x", 10, 10, 4}, {"000.02.31.H47", "x", 10, 10, 5}})
	touch(t, good, 2*time.Hour)
	bad := filepath.Join(dir, "b-2026-11-19.csv")
	writeCSV(t, bad, [][]any{header, {"000.01.31.H47", "x", 10, 10, 9}, {"000.90.31.H47", "x", 1, 1, 1}, {"000.91.31.H47", "x", 1, 1, 1}})
	touch(t, bad, time.Hour)
	s, err := New("vneid", mustConfig(t, Config{Mode: ModeDir, Dir: dir}), nil, testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, res)["vneid_accounts_activated{000.01.31.H47,xa}"]; v != 4 {
		t.Errorf("activated %v: want the older valid file's 4", v)
	}
	if res.Rejected[catalog.RejectUnknownCode] != 1 {
		t.Errorf("rejected %v: the refused file counts once, as its first row's reason", res.Rejected)
	}
}
