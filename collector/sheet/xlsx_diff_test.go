package sheet

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/internal/peakheap"
)

// refReadXLSX is the reader ReadXLSX replaced, kept as the reference for
// small workbooks: excelize's GetRows, cells trimmed, blank rows skipped and
// trailing blank cells dropped.
func refReadXLSX(tb testing.TB, data []byte) []Row {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		tb.Fatal(err)
	}
	var out []Row
	for i, cells := range rows {
		last := -1
		for j, c := range cells {
			if cells[j] = strings.TrimFunc(c, isSpace); cells[j] != "" {
				last = j
			}
		}
		if last >= 0 {
			out = append(out, Row{Num: i + 1, Cells: cells[:last+1]})
		}
	}
	return out
}

var words = []string{"Phường An Mỹ", "Xã Đắk Nuê", "Thị trấn", "Số tài khoản\nđã cấp", "Hà Nội", "  khoảng trắng  ", " ", "",
	"\u00a0không ngắt\u00a0", "000.01.31.H47", "1.234,5", "84,6%", "-", "a & b < c", "_x000D_"}

// randomValue is a cell value for excelize's SetCellValue.
func randomValue(r *rand.Rand) any {
	switch r.IntN(6) {
	case 0, 1:
		return words[r.IntN(len(words))]
	case 2:
		return r.IntN(2_000_000) - 1000
	case 3:
		return r.Float64() * 1000
	case 4:
		return r.Float64()
	}
	return nil
}

// randomExcelize is a workbook written by excelize (shared strings, number
// formats): blank rows and columns, Vietnamese text, numbers.
func randomExcelize(tb testing.TB, r *rand.Rand) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := f.GetSheetName(0)
	var styles []int
	for _, nf := range []int{0, 3, 4, 9, 10, 14} {
		id, err := f.NewStyle(&excelize.Style{NumFmt: nf})
		if err != nil {
			tb.Fatal(err)
		}
		styles = append(styles, id)
	}
	rows, cols := 1+r.IntN(60), 1+r.IntN(20)
	for i := 1; i <= rows; i++ {
		if r.IntN(5) == 0 {
			continue // a blank row
		}
		for j := 1; j <= cols; j++ {
			v := randomValue(r)
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j, i)
			if err := f.SetCellValue(sh, cell, v); err != nil {
				tb.Fatal(err)
			}
			if err := f.SetCellStyle(sh, cell, cell, styles[r.IntN(len(styles))]); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// randomHand is a hand-written workbook: shared and inline strings, cells
// with and without references, rows with and without numbers, formulas.
func randomHand(tb testing.TB, r *rand.Rand) []byte {
	tb.Helper()
	var sst []string
	var sheet strings.Builder
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	num := 0
	for range 1 + r.IntN(40) {
		if r.IntN(2) == 0 {
			num += 1 + r.IntN(3)
			fmt.Fprintf(&sheet, `<row r="%d">`, num)
		} else {
			num++
			sheet.WriteString(`<row>`)
		}
		col := 0
		for range r.IntN(12) {
			ref := ""
			if r.IntN(3) > 0 {
				col += 1 + r.IntN(2)
				ref = fmt.Sprintf(` r="%s%d"`, ColumnLetter(col-1), num)
			} else {
				col++ // a cell without a reference follows the previous one
			}
			w := words[r.IntN(len(words))]
			switch r.IntN(5) {
			case 0:
				fmt.Fprintf(&sheet, `<c%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, esc(w))
			case 1:
				sst = append(sst, w)
				fmt.Fprintf(&sheet, `<c%s t="s"><v>%d</v></c>`, ref, len(sst)-1)
			case 2:
				fmt.Fprintf(&sheet, `<c%s><v>%d</v></c>`, ref, r.IntN(100000))
			case 3:
				fmt.Fprintf(&sheet, `<c%s><f>1+1</f><v>2</v></c>`, ref)
			default:
				fmt.Fprintf(&sheet, `<c%s/>`, ref)
			}
		}
		sheet.WriteString(`</row>`)
	}
	return genXLSX(tb, write(sheet.String()), func(w io.Writer) {
		for _, s := range sst {
			_, _ = io.WriteString(w, `<si><t xml:space="preserve">`+esc(s)+`</t></si>`)
		}
	}, "")
}

// TestReadXLSXMatchesGetRows: on generated normal workbooks the streaming
// reader gives what the old GetRows reader gave.
func TestReadXLSXMatchesGetRows(t *testing.T) {
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 1))
		for kind, data := range map[string][]byte{"excelize": randomExcelize(t, r), "hand": randomHand(t, r)} {
			tab, err := ReadXLSX("f.xlsx", data)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, kind, err)
			}
			if want := refReadXLSX(t, data); !reflect.DeepEqual(tab.Rows, want) {
				t.Fatalf("seed %d %s:\n got %+v\nwant %+v", seed, kind, tab.Rows, want)
			}
		}
	}
}

// reportXLSX is a realistic VNeID report: a title block, a header, a
// numbering row and n units, counts formatted #,##0 and rates 0.00%.
func reportXLSX(tb testing.TB, n int) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := f.GetSheetName(0)
	count, _ := f.NewStyle(&excelize.Style{NumFmt: 3})
	rate, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	set := func(row int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sh, cell, &vals); err != nil {
			tb.Fatal(err)
		}
	}
	set(1, "BÁO CÁO KẾT QUẢ CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ")
	set(2, "Tính đến ngày 30/11/2026")
	set(4, "STT", "Mã đơn vị", "Tên đơn vị", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt", "Tỷ lệ", "Ghi chú")
	set(5, "(1)", "(2)", "(3)", "(4)", "(5)", "(6)=(5)/(4)", "(7)")
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		issued := 1000 + r.IntN(500000)
		active := r.IntN(issued)
		set(6+i, i+1, fmt.Sprintf("000.%02d.%02d.H%02d", i%100, i/100%100, i%64), fmt.Sprintf("Phường %s %d", words[r.IntN(3)], i),
			issued, active, float64(active)/float64(issued), words[r.IntN(len(words))])
	}
	if err := f.SetCellStyle(sh, "D6", fmt.Sprintf("E%d", 5+n), count); err != nil {
		tb.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "F6", fmt.Sprintf("F%d", 5+n), rate); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReadXLSXNormal reads a 5,000-unit report.
func BenchmarkReadXLSXNormal(b *testing.B) {
	b.Setenv("TMPDIR", b.TempDir())
	data := reportXLSX(b, 5000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakheap.Measure(func() {
			tab, err := ReadXLSX("report.xlsx", data)
			if err != nil || len(tab.Rows) != 5004 {
				b.Fatalf("%v", err)
			}
		}))
	}
	b.ReportMetric(peakheap.MB(peak), "peak-heap-MB")
}

// TestReadXLSXReport: the streaming reader gives the reference's table for
// the benchmark's report too, and in little heap.
func TestReadXLSXReport(t *testing.T) {
	data := reportXLSX(t, 5000)
	var tab *Table
	var err error
	peak := peakheap.Measure(func() { tab, err = ReadXLSX("report.xlsx", data) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes, peak heap %.1f MB", len(data), peakheap.MB(peak))
	if want := refReadXLSX(t, data); !reflect.DeepEqual(tab.Rows, want) {
		t.Fatal("the report reads differently from GetRows")
	}
	if peakheap.MB(peak) > maxPeakMB {
		t.Errorf("peak heap %.1f MB", peakheap.MB(peak))
	}
}
