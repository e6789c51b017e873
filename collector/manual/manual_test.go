package manual

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

var ict = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return l
}()

const (
	province = "000.00.00.H15"
	noiVu    = "000.00.02.H15"
	tuPhap   = "000.00.03.H15"
)

func testEnv(now time.Time) source.Env {
	return source.Env{
		Now:      func() time.Time { return now },
		Location: ict,
		Agencies: map[string]source.Agency{
			province: {Code: province, Name: "UBND thành phố Đà Nẵng", Level: catalog.LevelProvince},
			noiVu:    {Code: noiVu, Name: "Sở Nội vụ", Level: catalog.LevelDept, Parent: province},
			tuPhap:   {Code: tuPhap, Name: "Sở Tư pháp", Level: catalog.LevelDept, Parent: province},
		},
	}
}

func testChecker() *checker {
	e := testEnv(time.Time{})
	return &checker{agencies: e.Agencies, province: province, loc: ict}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// samples renders a result as sorted "metric{labels} value" lines.
func samples(res *source.Result) []string {
	var out []string
	for _, s := range res.Samples {
		out = append(out, fmt.Sprintf("%s{%s} %s", s.Metric.Name, strings.Join(s.Labels, ","), strconv.FormatFloat(s.Value, 'f', -1, 64)))
	}
	sort.Strings(out)
	return out
}

func collect(t *testing.T, dir string, now time.Time) (*source.Result, error) {
	t.Helper()
	cfg := Config{Dir: dir}
	cfg.SetDefaults()
	if errs := cfg.Validate(); errs.Err() != nil {
		t.Fatal(errs.Err())
	}
	s, err := New("manual", cfg, testEnv(now))
	if err != nil {
		t.Fatal(err)
	}
	return s.Collect(context.Background())
}

// TestDeployExample reads deploy/manual/kpi.yml at the busy instant the
// end-to-end tests pin (2026-03-18 10:00 ICT).
func TestDeployExample(t *testing.T) {
	data, err := os.ReadFile("../../deploy/manual/kpi.yml")
	if err != nil {
		t.Fatal(err)
	}
	c := testChecker()
	c.agencies = map[string]source.Agency{province: {}, noiVu: {}, tuPhap: {}, "000.00.05.H15": {}, "000.00.09.H15": {}}
	kpis, err := c.decode("kpi.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(kpis) != 3 {
		t.Fatalf("%d KPIs, want 3", len(kpis))
	}
	res := &source.Result{}
	m := map[string]kpi{}
	for _, k := range kpis {
		m[k.code] = k
	}
	emit(res, m, at("2026-03-18T10:00:00+07:00"), ict)
	got := strings.Join(samples(res), "\n")
	for _, want := range []string{
		"govpulse_manual_kpi{to_cong_nghe_so,000.00.00.H15} 88",
		"govpulse_manual_kpi{ty_le_so_hoa_ho_so,000.00.03.H15} 0.79",
		"govpulse_manual_kpi{ty_le_so_hoa_ho_so,000.00.05.H15} 0.775",
		"govpulse_manual_kpi_target{ty_le_so_hoa_ho_so} 1",
		"govpulse_manual_kpi_info{ty_le_so_hoa_ho_so,Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính,Share of dossiers and procedure results digitised,%,higher_is_better,ratio} 1",
		"govpulse_manual_kpi_info{chu_ky_so_ca_nhan,Số chữ ký số cá nhân cấp cho cán bộ, công chức, viên chức,Personal digital signatures issued to officials,chữ ký số,higher_is_better,count} 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	// The demo's KPIs are all on their paths at the pinned instant: no
	// alert of the end-to-end tests' counts is added by them.
	today := dayOf(at("2026-03-18T10:00:00+07:00"), ict)
	for _, k := range kpis {
		for _, v := range latest(k.values, today) {
			if p := k.pathAt(today); v.v < p {
				t.Errorf("%s %s: %v behind the path's %v on 2026-03-18", k.code, v.agency, v.v, p)
			}
		}
	}
	if a := ReferencedAgencies("kpi.yml", data); len(a) != 4 {
		t.Errorf("ReferencedAgencies = %v", a)
	}
}

// TestTargetPathInstants pins the clock to the hard instants of a path from
// 1 January (baseline 10) to 31 December 2026 (target 374, 364 days on): a day is 1.
func TestTargetPathInstants(t *testing.T) {
	k := kpi{baseline: 10, target: 374, start: time.Date(2026, 1, 1, 0, 0, 0, 0, ict), deadline: time.Date(2026, 12, 31, 0, 0, 0, 0, ict)}
	for _, tc := range []struct {
		now  string
		want float64
	}{
		{"2025-12-31T23:59:59+07:00", 10},  // the day before the start
		{"2025-12-31T17:00:00Z", 10},       // 00:00 on 1 January in ICT: the start
		{"2026-01-01T00:00:00+07:00", 10},  // 1 January
		{"2026-01-01T23:59:59+07:00", 10},  // still 1 January
		{"2026-01-02T00:00:00+07:00", 11},  // a day in
		{"2026-02-01T00:00:00+07:00", 41},  // the 1st of a month: 31 days
		{"2026-03-01T00:00:00+07:00", 69},  // 59 days (2026 is no leap year)
		{"2026-12-30T12:00:00+07:00", 373}, // the day before the deadline
		{"2026-12-31T00:00:00+07:00", 374}, // the deadline day: the target
		{"2026-12-31T16:59:59Z", 374},      // its last second in ICT
		{"2027-01-01T00:00:00+07:00", 374}, // after: the target
	} {
		now := at(tc.now)
		if got := k.pathAt(dayOf(now, ict)); got != tc.want {
			t.Errorf("%s: path %v, want %v", tc.now, got, tc.want)
		}
	}
}

// TestLatestValueByDate: the value shown is the latest dated on or before
// today in the province's time zone; a later-dated one waits for its day.
func TestLatestValueByDate(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.ParseInLocation(time.DateOnly, s, ict); return t }
	vs := []value{{d("2026-01-31"), province, 1}, {d("2026-03-01"), province, 2}, {d("2026-02-28"), province, 3}}
	for _, tc := range []struct {
		now  string
		want float64
		none bool
	}{
		{now: "2026-01-30T23:59:59+07:00", none: true},
		{now: "2026-01-31T00:00:00+07:00", want: 1},
		{now: "2026-02-28T16:59:59Z", want: 3},
		{now: "2026-02-28T17:00:00Z", want: 2}, // 1 March 00:00 ICT
		{now: "2027-01-01T00:00:00+07:00", want: 2},
	} {
		got := latest(vs, dayOf(at(tc.now), ict))
		switch {
		case tc.none && len(got) != 0:
			t.Errorf("%s: %v, want none", tc.now, got)
		case !tc.none && (len(got) != 1 || got[0].v != tc.want):
			t.Errorf("%s: %v, want %v", tc.now, got, tc.want)
		}
	}
}

const goodYAML = `kpis:
  - code: to_cong_nghe_so
    name: Tổ công nghệ số cộng đồng
    name_en: Community digital technology teams
    unit: tổ
    direction: higher_is_better
    target: 94
    baseline: 80
    deadline: 2026-06-30
    values:
      - {date: 2026-01-31, value: 84}
      - {date: 2026-02-28, agency: tinh, value: 88}
  - code: so_hoa
    name: Tỷ lệ số hóa
    name_en: Digitised share
    unit: "%"
    direction: càng cao càng tốt
    target: 100%
    values:
      - {date: 31/01/2026, agency: 000.00.02.H15, value: "75,5%"}
      - {date: 2026-01-31, agency: 000.00.03.H15, value: 80}
`

const goodCSV = `Mã chỉ tiêu,Tên chỉ tiêu,Tên tiếng Anh,Đơn vị tính,Chiều đánh giá,Mục tiêu,Giá trị đầu kỳ,Hạn hoàn thành,Ngày số liệu,Mã cơ quan,Giá trị
to_cong_nghe_so,Tổ công nghệ số cộng đồng,Community digital technology teams,tổ,higher_is_better,94,80,2026-06-30,2026-01-31,,84
to_cong_nghe_so,,,,,,,,2026-02-28,tinh,88
so_hoa,Tỷ lệ số hóa,Digitised share,%,Càng cao càng tốt,100%,,,31/01/2026,000.00.02.H15,"75,5%"
so_hoa,,,,,,,,2026-01-31,000.00.03.H15,80
`

func xlsxOf(t testing.TB, csvText string) []byte {
	t.Helper()
	tab, err := sheet.ReadCSV("x.csv", []byte(csvText))
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	for _, r := range tab.Rows {
		row := make([]any, len(r.Cells))
		for i, c := range r.Cells {
			row[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, r.Num)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFormatsAgree: the same KPIs written as YAML, CSV and XLSX decode alike.
func TestFormatsAgree(t *testing.T) {
	c := testChecker()
	var got [][]string
	for _, f := range []struct {
		name string
		data []byte
	}{{"k.yml", []byte(goodYAML)}, {"k.csv", []byte(goodCSV)}, {"k.xlsx", xlsxOf(t, goodCSV)}} {
		kpis, err := c.decode(f.name, f.data)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		m := map[string]kpi{}
		for _, k := range kpis {
			m[k.code] = k
		}
		res := &source.Result{}
		emit(res, m, at("2026-03-18T10:00:00+07:00"), ict)
		got = append(got, samples(res))
	}
	want := []string{
		"govpulse_manual_kpi_deadline_timestamp_seconds{to_cong_nghe_so} 1782752400",
		"govpulse_manual_kpi_info{so_hoa,Tỷ lệ số hóa,Digitised share,%,higher_is_better,ratio} 1",
		"govpulse_manual_kpi_info{to_cong_nghe_so,Tổ công nghệ số cộng đồng,Community digital technology teams,tổ,higher_is_better,count} 1",
		"govpulse_manual_kpi_target_path{to_cong_nghe_so} 85.91111111111111",
		"govpulse_manual_kpi{so_hoa,000.00.02.H15} 0.755",
		"govpulse_manual_kpi{so_hoa,000.00.03.H15} 0.8",
		"govpulse_manual_kpi{to_cong_nghe_so,000.00.00.H15} 88",
	}
	for i, g := range got {
		all := strings.Join(g, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("format %d lacks %s:\n%s", i, w, all)
			}
		}
		if strings.Join(g, "\n") != strings.Join(got[0], "\n") {
			t.Errorf("format %d differs from YAML:\n%s\nvs\n%s", i, strings.Join(g, "\n"), strings.Join(got[0], "\n"))
		}
	}
}

// TestErrorPositions: every problem names its file, row (line) and column
// (field).
func TestErrorPositions(t *testing.T) {
	hdr := "Mã chỉ tiêu,Tên chỉ tiêu,Tên tiếng Anh,Đơn vị tính,Chiều đánh giá,Mục tiêu,Giá trị đầu kỳ,Hạn hoàn thành,Ngày số liệu,Mã cơ quan,Giá trị\n"
	def := "k,Tên,Name,tổ,higher_is_better,10,0,2026-12-31,"
	for _, tc := range []struct {
		name, data, want, reason string
	}{
		{"a.csv", hdr + def + "2026-01-31,000.00.99.H15,3\n", `a.csv: row 2, column J "Mã cơ quan": agency 000.00.99.H15 is not in the agency list`, catalog.RejectUnknownCode},
		{"a.csv", hdr + def + "2026-01-31,,3\nk,,,,,,,,2026-02-30,,4\n", `a.csv: row 3, column I "Ngày số liệu": "2026-02-30" is not a date`, catalog.RejectMalformed},
		{"a.csv", hdr + def + "2026-01-31,,-3\n", `a.csv: row 2, column K "Giá trị": negative value -3`, catalog.RejectNegative},
		{"a.csv", hdr + def + "2026-01-31,,3\nk,,,,,,,,2026-01-31,tinh,4\n", `a.csv: row 3, column I "Ngày số liệu": KPI k already has a value`, catalog.RejectDuplicate},
		{"a.csv", hdr + def + "2026-01-31,,3\nk,,,,,,,,2026-02-28," + noiVu + ",4\n", `a.csv: row 3, column J "Mã cơ quan": KPI k mixes province-wide values and per-agency values`, catalog.RejectInconsistent},
		{"a.csv", hdr + def + "2026-01-31,,3\nk,,,,,20,,,2026-02-28,,4\n", `a.csv: row 3, column F "Mục tiêu": says "20", but row 2 defines "10"`, catalog.RejectInconsistent},
		{"a.csv", hdr + "K-1,Tên,Name,tổ,higher_is_better,,,,,,\n", `a.csv: row 2, column A "Mã chỉ tiêu": "K-1" is not a KPI code`, catalog.RejectBadCode},
		{"a.csv", hdr + "k,Tên,Name,tổ,sideways,,,,,,\n", `a.csv: row 2, column E "Chiều đánh giá": "sideways" is not a direction`, catalog.RejectMalformed},
		{"a.csv", hdr + "k,Tên,Name,%,higher_is_better,100,0.7,2026-12-31,,,\n", `a.csv: row 2, column G "Giá trị đầu kỳ": 0.7 looks like a ratio`, catalog.RejectMalformed},
		{"a.csv", hdr + "k,Tên,Name,tổ,higher_is_better,10,,2026-12-31,,,\n", `a.csv: row 2, column G "Giá trị đầu kỳ": a deadline needs the baseline`, catalog.RejectMalformed},
		{"a.csv", hdr + "k,Tên,,tổ,higher_is_better,10,,,,,\n", `a.csv: row 2, column C "Tên tiếng Anh": the English name is missing`, catalog.RejectMalformed},
		{"a.csv", hdr + "x,,,,,,,,2026-01-31,,3\n", `a.csv: row 2, column A "Mã chỉ tiêu": value for KPI "x", which the file does not define`, catalog.RejectUnknownCode},
		{"a.csv", "Tên chỉ tiêu,Giá trị\n1,2\n", `a.csv: row 1, column "Mã chỉ tiêu": no column "Mã chỉ tiêu" in the header`, catalog.RejectMalformed},
		{"b.yml", "kpis:\n  - code: k\n    name: T\n    name_en: N\n    unit: tổ\n    direction: higher_is_better\n    values:\n      - {date: 2026-01-31, agency: 000.00.99.H15, value: 1}\n",
			"b.yml:8: kpis[0].values[0].agency: agency 000.00.99.H15 is not in the agency list", catalog.RejectUnknownCode},
		{"b.yml", "kpis:\n  - code: k\n    name: T\n    name_en: N\n    unit: tổ\n    direction: higher_is_better\n    values:\n      - date: 2026-01-31\n        value: abc\n",
			`b.yml:9: kpis[0].values[0].value: "abc" is not a number`, catalog.RejectMalformed},
		{"b.yml", "kpis:\n  - code: k\n    nam: T\n", "b.yml:3: field nam not found", catalog.RejectMalformed},
		{"b.yml", "kpis:\n  - code: k\n    name: T\n    name_en: N\n    unit: tổ\n    direction: lower_is_better\n    target: 5\n    deadline: 2026-01-01\n    baseline: 9\n    start: 2026-02-01\n",
			"b.yml:10: kpis[0].start: the path starts on 2026-02-01, not before its deadline 2026-01-01", catalog.RejectInconsistent},
	} {
		_, err := testChecker().decode(tc.name, []byte(tc.data))
		if err == nil {
			t.Errorf("%s: no error, want %s", tc.want, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error\n  %v\nwant prefix\n  %s", err, tc.want)
		}
		if r := sheet.ReasonOf(err); r != tc.reason {
			t.Errorf("%s: reason %s, want %s", tc.want, r, tc.reason)
		}
	}
}

// TestXLSXErrorPosition: an XLSX error names the sheet's row and column letter.
func TestXLSXErrorPosition(t *testing.T) {
	csvText := strings.Replace(goodCSV, "2026-02-28,tinh,88", "2026-02-28,000.00.77.H15,88", 1)
	_, err := testChecker().decode("k.xlsx", xlsxOf(t, csvText))
	want := `k.xlsx: row 3, column J "Mã cơ quan": agency 000.00.77.H15 is not in the agency list`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// TestPreviousGoodDataStays: a bad version of a file keeps the file's last
// good KPIs, is counted once as a rejected record, and a fixed version is
// read again.
func TestPreviousGoodDataStays(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kpi.yml")
	other := filepath.Join(dir, "other.csv")
	write := func(path, s string, mod time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	write(p, goodYAML, base)
	write(other, "Mã chỉ tiêu,Tên chỉ tiêu,Tên tiếng Anh,Đơn vị tính,Chiều đánh giá,Ngày số liệu,Giá trị\nthoi_gian,Thời gian,Time,ngày,lower_is_better,2026-01-31,4\n", base)
	cfg := Config{Dir: dir}
	cfg.SetDefaults()
	now := at("2026-03-18T10:00:00+07:00")
	s, err := New("manual", cfg, testEnv(now))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := s.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.Read != 2 || len(first.Rejected) != 0 {
		t.Fatalf("read %d, rejected %v", first.Read, first.Rejected)
	}
	write(p, strings.Replace(goodYAML, "value: 88", "value: 88 tổ", 1), base.Add(time.Minute))
	second, err := s.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(samples(second), "\n") != strings.Join(samples(first), "\n") {
		t.Errorf("a bad version changed the data:\n%s\nvs\n%s", samples(second), samples(first))
	}
	if second.Read != 1 || second.Rejected[catalog.RejectMalformed] != 1 {
		t.Errorf("bad version: read %d, rejected %v; want 1 and malformed 1", second.Read, second.Rejected)
	}
	third, err := s.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if third.Read != 0 || len(third.Rejected) != 0 {
		t.Errorf("an unchanged bad version is counted again: read %d, rejected %v", third.Read, third.Rejected)
	}
	write(p, strings.Replace(goodYAML, "value: 88", "value: 89", 1), base.Add(2*time.Minute))
	fourth, err := s.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(samples(fourth), "\n"), "govpulse_manual_kpi{to_cong_nghe_so,000.00.00.H15} 89") {
		t.Errorf("the fixed version is not used:\n%s", samples(fourth))
	}
	// Every file bad from the start: the run fails with the counts.
	dir2 := t.TempDir()
	write(filepath.Join(dir2, "bad.csv"), "x\n", base)
	if _, err := collect(t, dir2, now); err == nil || source.Reason(err) != catalog.ReasonInvalid || source.CountsOf(err) == nil {
		t.Errorf("all files bad: err = %v (reason %s)", err, source.Reason(err))
	}
	// An empty directory fails the run.
	if _, err := collect(t, t.TempDir(), now); err == nil {
		t.Error("an empty directory succeeded")
	}
}

// TestFileLimit: a file above max_file_bytes is refused with its name.
func TestFileLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(p, bytes.Repeat([]byte("# x\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := testChecker().readFile(p, 64)
	if err == nil || !strings.Contains(err.Error(), "big.yml: larger than 64 bytes") {
		t.Fatalf("err = %v", err)
	}
}

// TestConfigValidate: the block's problems name their keys.
func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "dir: required"},
		{Config{Dir: "/nonexistent/manual"}, "dir: cannot use"},
		{Config{Dir: t.TempDir(), MaxFileBytes: -1}, "max_file_bytes: must not be negative"},
		{Config{Dir: t.TempDir(), ProvinceAgency: "tinh"}, "province_agency:"},
	} {
		err := tc.cfg.Validate().Err()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s", tc.cfg, err, tc.want)
		}
	}
	if err := (&Config{Dir: t.TempDir()}).Validate().Err(); err != nil {
		t.Error(err)
	}
}
