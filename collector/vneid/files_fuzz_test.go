package vneid

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
)

// xlsxBytes is a workbook of rows, built in memory as a fuzz seed.
func xlsxBytes(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := f.GetSheetName(0)
	for i, row := range rows {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &row); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// fileExts are the report file kinds; the fuzz input's first argument picks one.
var fileExts = []string{".csv", ".xlsx"}

// addFileSeeds adds every file matching the patterns, as CSV.
func addFileSeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		m, _ := filepath.Glob(pattern)
		if len(m) == 0 {
			f.Fatalf("no seed file %s", pattern)
		}
		for _, name := range m {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(0), b)
		}
	}
}

// checkFileError: a rejected file is a *sheet.Error with a catalog reason.
func checkFileError(t *testing.T, err error) {
	t.Helper()
	var se *sheet.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v is not a *sheet.Error", err, err)
	}
	if !catalog.LabelValues[catalog.LabelReason].Allows(se.Reason) {
		t.Fatalf("reject reason %q is not in the catalog", se.Reason)
	}
}

// FuzzReadReport feeds arbitrary CSV and XLSX police reports to readReport
// and the validation behind it: no panic, a rejected file is a classified
// *sheet.Error, and an accepted one has at least one unit, every unit
// whitelisted with plausible, consistent, non-negative counts, and no more
// units and row rejects than rows.
func FuzzReadReport(f *testing.F) {
	addFileSeeds(f, "../../deploy/vneid/reports/*.csv")
	header := []any{"STT", "Mã đơn vị", "Tên đơn vị", "Số hồ sơ thu nhận", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt"}
	f.Add(uint8(1), xlsxBytes(f, [][]any{
		{"Tính đến ngày 20/11/2026"}, header,
		{1, "000.01.31.H47", "Phường An Mỹ", 1200, 1100, 900},
		{2, "000.02.31.H47", "Phường An Sơn", "1.234", "1.000", "-"},
		{"", "", "Tổng cộng", 2434, 2100, 900},
	}))
	f.Add(uint8(0), []byte("Mã đơn vị;Số hồ sơ thu nhận;Số tài khoản đã cấp;Số tài khoản đã kích hoạt\n000.01.31.H47;10;20;30\n000.01.31.H47;1e9;-1;0\n;5;;\n"))
	env := testEnv(nil)
	dir := f.TempDir()
	s, err := New("vneid", mustConfig(f, Config{Mode: ModeDir, Dir: dir}), nil, env)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		path := filepath.Join(dir, "bao-cao-2026-11-20"+fileExts[int(kind)%len(fileExts)])
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, units, rejects, err := s.readReport(fileKey{path: path, size: int64(len(b)), mod: testNow})
		if err != nil {
			checkFileError(t, err)
			return
		}
		if rep.total != len(rep.rows) || rep.total == 0 || len(units) == 0 {
			t.Fatalf("accepted with %d units listed, %d rows, %d valid", rep.total, len(rep.rows), len(units))
		}
		if len(units)+len(rejects) > rep.total {
			t.Fatalf("%d units and %d rejects of %d rows", len(units), len(rejects), rep.total)
		}
		if rep.asOf.IsZero() || rep.asOf.After(testNow) {
			t.Fatalf("report as of %v", rep.asOf)
		}
		checkAccepted(t, env, units, rejects)
	})
}

// FuzzReadPopulation feeds arbitrary CSV and XLSX population files to
// readPopulation: no panic, a rejected file is a classified *sheet.Error, and
// every population read is under an agency code (after code_map) and
// positive and plausible.
func FuzzReadPopulation(f *testing.F) {
	addFileSeeds(f, "testdata/population.csv", "../../deploy/vneid/population.csv")
	f.Add(uint8(1), xlsxBytes(f, [][]any{
		{"Mã đơn vị", "Tên đơn vị", "Dân số từ 14 tuổi trở lên"},
		{"000.01.31.H47", "Phường An Mỹ", 14210},
		{"AM", "Phường An Mỹ (mã cũ)", "11.875"},
		{"", "Tổng cộng", 26085},
	}))
	f.Add(uint8(0), []byte("Mã đơn vị;Dân số 14+\nAM;1\nAM;2\n000.01.31.H47;0\n"))
	codeMap := map[string]string{"AM": "000.02.31.H47"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		path := filepath.Join(dir, "population"+fileExts[int(kind)%len(fileExts)])
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		pop, err := readPopulation(path, DefaultMaxFileBytes, codeMap)
		if err != nil {
			checkFileError(t, err)
			return
		}
		for code, n := range pop {
			if !catalog.AgencyCodePattern.MatchString(code) {
				t.Fatalf("population under %q", code)
			}
			if n <= 0 || n > maxCount {
				t.Fatalf("population %d read", n)
			}
		}
	})
}
