package indices

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
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

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
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
	return source.Env{
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		Now:      func() time.Time { return testNow },
		Location: ict,
	}
}

func newSource(t *testing.T, cfg Config, logs io.Writer) *Source {
	t.Helper()
	cfg.SetDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	s, err := New("indices", cfg, testEnv(logs))
	if err != nil {
		t.Fatal(err)
	}
	return s
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

func collect(t *testing.T, s *Source) (map[string]float64, map[string]int) {
	t.Helper()
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return values(t, res), res.Rejected
}

// want checks a subset of the samples.
func want(t *testing.T, got map[string]float64, w map[string]float64) {
	t.Helper()
	var keys []string
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if g, ok := got[k]; !ok || g != w[k] {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, w[k])
		}
	}
}

// TestDeployFile reads the shipped demo file and checks the city's
// published figures (old Đà Nẵng first in DTI 2020–2023, domain.md §6) and
// the simulated ones come out in base units.
func TestDeployFile(t *testing.T) {
	s := newSource(t, Config{
		Files:   []string{"../../deploy/indices/*.yml"},
		Targets: []Target{{Index: "dti", RankMax: 10, ByYear: 2025}, {Index: "par", RankMax: 20, ByYear: 2025}},
	}, nil)
	v, rej := collect(t, s)
	if len(rej) != 0 {
		t.Errorf("rejected %v", rej)
	}
	want(t, v, map[string]float64{
		"index_rank{dti,total,2020}":                   1,
		"index_rank{dti,total,2021}":                   1,
		"index_rank{dti,total,2022}":                   1,
		"index_rank{dti,total,2023}":                   1,
		"index_ranked_provinces{dti,total,2023}":       63,
		"index_score_ratio{par,total,2023}":            0.901,
		"index_score_ratio{sipas,total,2023}":          0.849,
		"index_rank{sipas,total,2023}":                 18,
		"index_ranked_provinces{sipas,total,2023}":     63,
		"index_score_ratio{par,cai_cach_tthc,2024}":    0.904,
		"index_score_ratio{dti,kinh_te_so,2022}":       0.593,
		"index_score_points{pci,total,2023}":           68.2,
		"index_score_points{papi,total,2023}":          44.6,
		"index_target_rank{dti,2025}":                  10,
		"index_target_rank{par,2025}":                  20,
		"index_latest_year{par,2024}":                  2024,
		"index_latest_year{dti,2024}":                  2024,
		"index_latest_year{pci,2024}":                  2024,
		"index_component_info{par,tac_dong," + tacDong: 1,
	})
	if _, ok := v["index_rank{par,total,2020}"]; ok {
		t.Error("PAR 2020 is not in the file")
	}
	for k := range v {
		if strings.HasPrefix(k, "index_score_ratio") && v[k] > 1 {
			t.Errorf("%s = %v is not a ratio", k, v[k])
		}
	}
}

var tacDong = "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội}"

func writeXLSX(t *testing.T, path string, rows [][]any, percentCol int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	for i, row := range rows {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
		if i > 0 && percentCol >= 0 {
			cell, _ := excelize.CoordinatesToCellName(percentCol+1, i+1)
			f.SetCellStyle(sh, cell, cell, style)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, text string, ago time.Duration) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	touch(t, path, ago)
}

func touch(t *testing.T, path string, ago time.Duration) {
	t.Helper()
	when := testNow.Add(-ago)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

func TestSheetsAndMerge(t *testing.T) {
	dir := t.TempDir()
	// A CSV as a department would type it: Vietnamese names, no diacritics in
	// places, decimal commas, rank as 56/63, a blank component for the total.
	writeFile(t, filepath.Join(dir, "par.csv"), "BẢNG CHỈ SỐ CCHC CỦA TỈNH\n"+
		"Chỉ số;Lĩnh vực;Năm;Điểm;Xếp hạng\n"+
		"Chỉ số CCHC;;2022;82,90;50/63\n"+
		"PAR Index;Cai cach thu tuc hanh chinh;2022;85,5;\n"+
		"par;Tác động;2022;79,25%;\n"+
		"Chỉ số hài lòng;;2022;80,9;55/63\n", 2*time.Hour)
	// An XLSX from the DTI report: scores formatted as percentages, pillars by
	// English name; it is newer and restates PAR 2022's rank.
	writeXLSX(t, filepath.Join(dir, "dti.xlsx"), [][]any{
		{"Chỉ số", "Trụ cột", "Năm", "Điểm số", "Thứ hạng", "Tổng số tỉnh"},
		{"DTI", "", 2022, 0.518, 31, 63},
		{"Chỉ số chuyển đổi số", "digital economy", 2022, 0.441, 35, 63},
		{"PAR", "", 2022, 0.829, 48, 63},
	}, 3)
	touch(t, filepath.Join(dir, "dti.xlsx"), time.Hour)
	s := newSource(t, Config{Files: []string{filepath.Join(dir, "*")}}, nil)
	v, rej := collect(t, s)
	if len(rej) != 0 {
		t.Errorf("rejected %v", rej)
	}
	want(t, v, map[string]float64{
		"index_score_ratio{par,total,2022}":             0.829,
		"index_rank{par,total,2022}":                    48, // the newer file wins
		"index_ranked_provinces{par,total,2022}":        63,
		"index_score_ratio{par,cai_cach_tthc,2022}":     0.855,
		"index_score_ratio{par,tac_dong,2022}":          0.7925,
		"index_score_ratio{sipas,total,2022}":           0.809,
		"index_rank{sipas,total,2022}":                  55,
		"index_score_ratio{dti,total,2022}":             0.518,
		"index_score_ratio{dti,kinh_te_so,2022}":        0.441,
		"index_rank{dti,kinh_te_so,2022}":               35,
		"index_component_info{dti,xa_hoi_so,Xã hội số}": 1,
	})
}

func TestBadFilesKeepPreviousVersion(t *testing.T) {
	dir := t.TempDir()
	good := "records:\n  - {index: par, year: 2023, score: 84.6, rank: 56, ranked: 63}\n"
	p := filepath.Join(dir, "q.yml")
	csvPath := filepath.Join(dir, "q.csv")
	writeFile(t, p, good, 3*time.Hour)
	writeFile(t, csvPath, "Chỉ số,Năm,Điểm,Xếp hạng\npci,2023,65.38,30\n", 3*time.Hour)
	var logs syncBuf
	s := newSource(t, Config{Files: []string{filepath.Join(dir, "q.*")}}, &logs)
	wantGood := map[string]float64{"index_score_ratio{par,total,2023}": 0.846, "index_score_points{pci,total,2023}": 65.38}
	v, _ := collect(t, s)
	want(t, v, wantGood)
	logs.take()

	cases := []struct {
		file, text, reason string
		where              []string
	}{
		{p, "records:\n  - {index: par, year: 2023, score: 84.6, rank: 56, ranked: 63}\n  - {index: par, year: 2022, score: abc}\n",
			catalog.RejectMalformed, []string{"line=3", "field=records[1].score", `\"abc\" is not a number`}},
		{p, "records:\n  - {index: par, year: 2023, score: 0.846}\n",
			catalog.RejectMalformed, []string{"line=2", "looks like a ratio"}},
		{p, "records:\n  - {index: dti, year: 2023, score: 543.2}\n",
			catalog.RejectMalformed, []string{"is above 1"}},
		{p, "records:\n  - {index: par, year: 2023, rank: 64, ranked: 63}\n",
			catalog.RejectInconsistent, []string{"field=records[0].rank", "rank 64 of only 63"}},
		{p, "records:\n  - {index: pari, year: 2023, rank: 4}\n",
			catalog.RejectUnknownCode, []string{"field=records[0].index", `unknown index \"pari\"`}},
		{p, "records:\n  - {index: par, component: y_te, year: 2023, rank: 4}\n",
			catalog.RejectUnknownCode, []string{"field=records[0].component"}},
		{p, "records:\n  - {index: par, year: 2023, rank: 4}\n  - {index: PAR Index, component: total, year: 2023, rank: 5}\n",
			catalog.RejectDuplicate, []string{"line=3", "listed twice"}},
		{p, "records:\n  - {index: par, year: 2027, rank: 4}\n",
			catalog.RejectInconsistent, []string{"not been assessed yet"}},
		{p, "records:\n  - {index: par, yaer: 2023, rank: 4}\n",
			catalog.RejectMalformed, []string{"line=2", "field yaer not found"}},
		{p, "records:\n  - {index: par, year: 2023}\n",
			catalog.RejectMalformed, []string{"neither a score nor a rank"}},
		{p, "records: [\n", catalog.RejectMalformed, []string{"file=" + p}},
		{csvPath, "Chỉ số,Năm,Điểm,Xếp hạng\npci,2023,65.38,30\npapi,2023,42%,38\n",
			catalog.RejectMalformed, []string{"row=3", `column="C \"Điểm\""`, "points, not as a percentage"}},
		{csvPath, "Chỉ số,Nam danh gia,Điểm,Xếp hạng\npci,2023,65.38,ba mươi\n",
			catalog.RejectMalformed, []string{"row=2", `column="D \"Xếp hạng\""`, `\"ba mươi\" is not a rank`}},
		{csvPath, "Chi so,Diem,Xep hang\npci,65.38,30\n",
			catalog.RejectMalformed, []string{"row=1", `column="\"Năm\""`}},
	}
	for i, c := range cases {
		writeFile(t, c.file, c.text, time.Duration(2*len(cases)-i)*time.Minute)
		v, rej := collect(t, s)
		want(t, v, wantGood)
		if !reflect.DeepEqual(rej, map[string]int{c.reason: 1}) {
			t.Errorf("case %d: rejected %v, want %s once", i, rej, c.reason)
		}
		l := logs.take()
		for _, w := range append([]string{"level=WARN", "file=" + c.file, "reason=" + c.reason}, c.where...) {
			if !strings.Contains(l, w) {
				t.Errorf("case %d: log lacks %s:\n%s", i, w, l)
			}
		}
		// Unchanged: neither logged nor counted again.
		if _, rej := collect(t, s); len(rej) != 0 {
			t.Errorf("case %d: counted again %v", i, rej)
		}
		if l := logs.take(); l != "" {
			t.Errorf("case %d: logged again:\n%s", i, l)
		}
	}
	// A fixed file is used again.
	writeFile(t, p, "records:\n  - {index: par, year: 2023, score: 85, rank: 50, ranked: 63}\n", 0)
	v, _ = collect(t, s)
	if v["index_rank{par,total,2023}"] != 50 {
		t.Errorf("fixed file not used: %v", v)
	}
}

func TestNothingValid(t *testing.T) {
	dir := t.TempDir()
	s := newSource(t, Config{Files: []string{filepath.Join(dir, "*.yml")}}, nil)
	if _, err := s.Collect(context.Background()); err == nil || source.Reason(err) != catalog.ReasonInvalid || !strings.Contains(err.Error(), "no index file matches") {
		t.Errorf("no file: %v", err)
	}
	writeFile(t, filepath.Join(dir, "a.yml"), "records: []\n", 0)
	_, err := s.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "none of the 1 index files is valid") {
		t.Errorf("only a bad file: %v", err)
	}
	// The rejected file is counted although the run failed: a file is a record.
	if c := source.CountsOf(err); c == nil || c.Read != 1 || c.RejectedRecords() != 1 || c.Share != 1 {
		t.Errorf("counts %+v, want the file read and rejected", c)
	}
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("records:\n  - {index: par, year: 23, rank: 4}\n"), 0o644)
	f := func(yml string, wantErrs ...string) {
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
		if strings.Join(got, "\n") != strings.Join(wantErrs, "\n") {
			t.Errorf("%s\ngot  %q\nwant %q", yml, got, wantErrs)
		}
	}
	f("files: [../../deploy/indices/danang.yml]\ntargets: [{index: dti, rank_max: 10, by_year: 2025}]")
	f("files: ['" + dir + "/*.csv']") // a pattern may match nothing yet
	f("targets: []", "files: at least one file or pattern is required")
	f("files: ['[']", `files[0]: "[" is not a file path or glob pattern`)
	f("files: [a.txt]", `files[0]: "a.txt": want a .yml, .yaml, .csv or .xlsx file`)
	f("files: ["+dir+"/none.yml]", fmt.Sprintf("files[0]: cannot use %q: no such file or directory", dir+"/none.yml"))
	f("files: ["+bad+"]", "files[0]: "+bad+`:2: records[0].year: "23" is not a year between 2000 and 2099`)
	f("files: [../../deploy/indices/danang.yml]\ntargets: [{index: dti, rank_max: 0, by_year: 1999}, {index: xyz, rank_max: 10, by_year: 2025}, {index: dti, rank_max: 5, by_year: 1999}]",
		"targets[0].rank_max: must be a rank between 1 and 100, got 0",
		"targets[0].by_year: must be a year between 2000 and 2099, got 1999",
		"targets[1].index: unknown index \"xyz\"; known: par, sipas, papi, pci, dti",
		"targets[2].by_year: must be a year between 2000 and 2099, got 1999",
		"targets[2]: targets[0] already sets dti for 1999")

	c := Config{Files: []string{"indices/*.yml", "/abs.csv"}}
	c.ResolvePaths("/etc/govpulse")
	if !reflect.DeepEqual(c.Files, []string{"/etc/govpulse/indices/*.yml", "/abs.csv"}) {
		t.Errorf("ResolvePaths: %v", c.Files)
	}
}

func TestPercentToRatio(t *testing.T) {
	for in, out := range map[float64]float64{84.6: 0.846, 78.44: 0.7844, 7: 0.07, 86.1: 0.861, 100: 1, 0: 0} {
		if got := percentToRatio(in); got != out {
			t.Errorf("percentToRatio(%v) = %v, want %v", in, got, out)
		}
	}
}
