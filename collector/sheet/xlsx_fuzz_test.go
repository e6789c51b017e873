package sheet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// xlsxSeed builds a workbook in memory: rows on the first sheet, the
// numbers of the percentCol column (0-based, -1 for none) formatted 0.00%,
// and with extra a second sheet and a merged title.
func xlsxSeed(tb testing.TB, rows [][]any, percentCol int, extra bool) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := f.GetSheetName(0)
	style, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		tb.Fatal(err)
	}
	for i, row := range rows {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &row); err != nil {
			tb.Fatal(err)
		}
		if i > 0 && percentCol >= 0 {
			cell, _ := excelize.CoordinatesToCellName(percentCol+1, i+1)
			if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if extra {
		if err := f.MergeCell(sh, "A1", "D1"); err != nil {
			tb.Fatal(err)
		}
		if _, err := f.NewSheet("Ghi chú"); err != nil {
			tb.Fatal(err)
		}
		if err := f.SetCellValue("Ghi chú", "A1", "không đọc"); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadXLSX feeds arbitrary workbooks through the XLSX path a dropped
// report takes, with the checks of FuzzReadCSV; every error is an *Error
// naming the file. Seeds are workbooks built here from the CSV seeds in
// testdata/ and a few by hand (formatted percentages, a merged title, a
// second sheet, an empty workbook).
func FuzzReadXLSX(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, name := range append(files, "") {
		data := []byte(reportCSV)
		if name != "" {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			data = b
		}
		tab, err := ReadCSV(name, data)
		if err != nil {
			f.Fatal(err)
		}
		rows := make([][]any, len(tab.Rows))
		for i, r := range tab.Rows {
			for _, c := range r.Cells {
				rows[i] = append(rows[i], c)
			}
		}
		f.Add(xlsxSeed(f, rows, -1, name == ""))
	}
	f.Add(xlsxSeed(f, [][]any{
		{"Mã đơn vị", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt", "Tỷ lệ"},
		{"000.01.31.H47", 12345, 6789, 0.55},
		{"000.02.31.H47", 1e300, -1, "12a"},
	}, 3, true))
	f.Add(xlsxSeed(f, nil, -1, false))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadXLSX("f.xlsx", data)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Reason == "" || e.File != "f.xlsx" {
				t.Fatalf("error %v is not a located *Error", err)
			}
			if strings.HasPrefix(e.Msg, "cannot read the workbook:") {
				t.Logf("excelize panicked (recovered): %s", e.Msg)
			}
			return
		}
		checkTable(t, tab)
	})
}
