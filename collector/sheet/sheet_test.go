package sheet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
)

func TestFold(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	f("Số tài khoản đã kích hoạt", "so tai khoan da kich hoat")
	f("SỐ TÀI KHOẢN ĐÃ KÍCH HOẠT", "so tai khoan da kich hoat")
	f("  Số tài khoản\nđã  cấp (1) ", "so tai khoan da cap 1")
	f("Mã đơn vị", "ma don vi")
	f("Dân số 14+", "dan so 14")
	// NFD input: base letters followed by combining marks (U+0302, U+0301).
	f("Ke\u0302\u0301 hoa\u0323ch", "ke hoach")
	f("Đường bộ; Ưu tiên", "duong bo uu tien")
	f("", "")
	f("--", "")
	// Every precomposed Vietnamese letter folds to ASCII.
	all := "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
	for _, r := range all + strings.ToUpper(all) {
		if got := Fold(string(r)); len(got) != 1 || got[0] > 'z' || got[0] < 'a' {
			t.Errorf("Fold(%q) = %q", r, got)
		}
	}
}

func TestIsTotalLabel(t *testing.T) {
	for _, s := range []string{"Tổng cộng", "TỔNG", "Cộng", "Toàn tỉnh", "Tổng số"} {
		if !IsTotalLabel(s) {
			t.Errorf("%q is a total label", s)
		}
	}
	for _, s := range []string{"Phường An Mỹ", "Xã Tam Thăng", "", "Công an xã"} {
		if IsTotalLabel(s) {
			t.Errorf("%q is not a total label", s)
		}
	}
}

func TestParseInt(t *testing.T) {
	ok := func(in string, want int64) {
		t.Helper()
		got, err := ParseInt(in)
		if err != nil || got != want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := func(in string) {
		t.Helper()
		if got, err := ParseInt(in); err == nil {
			t.Errorf("ParseInt(%q) = %d, want an error", in, got)
		}
	}
	ok("354938", 354938)
	ok("354.938", 354938)
	ok("354,938", 354938)
	ok("654 392", 654392)
	ok("654\u00a0392", 654392)
	ok("654\u202f392", 654392)
	ok("1.234.567", 1234567)
	ok("1,234,567", 1234567)
	ok(" 42 ", 42)
	ok("+7", 7)
	ok("-5", -5)
	ok("−5", -5)
	ok("12,0", 12)
	ok("12.00", 12)
	ok("007", 7)
	ok("0", 0)
	ok("-", 0)
	ok("—", 0)
	bad("")
	bad("12a")
	bad("n/a")
	bad("#N/A")
	bad("1.5")
	bad("84,6%")
	bad("1,23,456")
	bad("1.234,567.8")
	bad("1..2")
	bad("12.")
	bad(".5")
	bad("0.500")
	bad("1e5")
	bad("99999999999999999999")
	if _, err := ParseInt("  "); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank: %v, want ErrEmpty", err)
	}
}

func TestParseNumber(t *testing.T) {
	ok := func(in string, want float64, wantPct bool) {
		t.Helper()
		got, pct, err := ParseNumber(in)
		if err != nil || got != want || pct != wantPct {
			t.Errorf("ParseNumber(%q) = %v, %v, %v; want %v, %v", in, got, pct, err, want, wantPct)
		}
	}
	bad := func(in string) {
		t.Helper()
		if got, _, err := ParseNumber(in); err == nil {
			t.Errorf("ParseNumber(%q) = %v, want an error", in, got)
		}
	}
	ok("84,60", 84.6, false)
	ok("84.6", 84.6, false)
	ok("84,6%", 84.6, true)
	ok("84.6 %", 84.6, true)
	ok("78,44%", 78.44, true)
	ok("0,6423", 0.6423, false)
	ok("1.234,5", 1234.5, false)
	ok("1,234.5", 1234.5, false)
	ok("1.234.567", 1234567, false)
	ok("1 234,5", 1234.5, false)
	ok("-0,5", -0.5, false)
	ok("65", 65, false)
	bad("")
	bad("abc")
	bad("84,6,1")
	bad("1.234,5,6")
	bad("%")
	bad("84%%")
	bad("1,2.3,4")
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 3: "D", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := ColumnLetter(i); got != want {
			t.Errorf("ColumnLetter(%d) = %s, want %s", i, got, want)
		}
	}
}

var testCols = []Column{
	{Key: "code", Name: "Mã đơn vị", Aliases: []string{"Mã"}, Required: true},
	{Key: "name", Name: "Tên đơn vị"},
	{Key: "issued", Name: "Số tài khoản đã cấp", Aliases: []string{"Đã cấp"}, Required: true},
	{Key: "activated", Name: "Số tài khoản đã kích hoạt", Required: true},
}

// A police report as it arrives: title rows, header with line breaks and
// capitals, numbering row, a blank row, a quoted multi-line cell, a total row.
const reportCSV = "BÁO CÁO KẾT QUẢ CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2;;;\n" +
	"Tính đến ngày 20/11/2026;;;\n" +
	"\n" +
	"MÃ ĐƠN VỊ;Tên đơn vị;\"Số tài khoản\nđã cấp\";so tai khoan da kich hoat\n" +
	"(1);(2);(3);(4)\n" +
	"000.01.31.H47;Phường An Mỹ;12.345;6.789\n" +
	"\n" +
	"000.02.31.H47;\"Phường\nAn Sơn\";1.000;400\n" +
	"000.03.31.H47;Xã Tam Thăng;800;12a\n" +
	";Tổng cộng;14.145;7.189\n"

func TestReadCSVReport(t *testing.T) {
	tab, err := ReadCSV("bc.csv", []byte("\xEF\xBB\xBF"+reportCSV))
	if err != nil {
		t.Fatal(err)
	}
	l, err := tab.Locate(testCols)
	if err != nil {
		t.Fatal(err)
	}
	if l.HeaderRow != 4 {
		t.Errorf("header row %d, want 4", l.HeaderRow)
	}
	var nums []int
	for _, r := range l.Records {
		nums = append(nums, r.Num)
	}
	// Row 4 spans two lines, row 8 too: Excel counts each once.
	if got := fmt.Sprint(nums); got != "[6 8 9 10]" {
		t.Errorf("record rows %s, want [6 8 9 10]", got)
	}
	r := l.Records[0]
	if v, err := r.Int("issued"); err != nil || v != 12345 {
		t.Errorf("issued = %d, %v", v, err)
	}
	if r.Text("name") != "Phường An Mỹ" {
		t.Errorf("name = %q", r.Text("name"))
	}
	_, err = l.Records[2].Int("activated")
	want := `bc.csv: row 9, column D "so tai khoan da kich hoat": "12a" is not a number`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	var se *Error
	if !errors.As(err, &se) || se.Reason != catalog.RejectMalformed || se.Row != 9 || se.Col != 3 {
		t.Errorf("error %#v", se)
	}
	_, err = l.Records[1].Int("issued")
	if err != nil {
		t.Error(err)
	}
	if e := l.Records[1].Errorf("issued", catalog.RejectNegative, "negative"); e.Error() != `bc.csv: row 8, column C "Số tài khoản đã cấp": negative` {
		t.Errorf("Errorf = %v", e)
	}
}

func TestLocateErrors(t *testing.T) {
	f := func(csv, want string) {
		t.Helper()
		tab, err := ReadCSV("x.csv", []byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		_, err = tab.Locate(testCols)
		if err == nil || err.Error() != want {
			t.Errorf("err = %v\nwant  %s", err, want)
		}
	}
	f("Báo cáo\nMã đơn vị,Tên đơn vị,Số tài khoản đã cấp,Số TK kích hoạt x\n1,2,3,4\n",
		`x.csv: row 2, column "Số tài khoản đã kích hoạt": no column "Số tài khoản đã kích hoạt" in the header (accepted: "Số tài khoản đã kích hoạt"); unrecognised headers: D "Số TK kích hoạt x"`)
	f("a,b,c\n1,2,3\n", `x.csv: no header row in the first 30 rows: want columns "Mã đơn vị", "Số tài khoản đã cấp", "Số tài khoản đã kích hoạt"`)
	f("Mã,Đã cấp,Số tài khoản đã cấp,Số tài khoản đã kích hoạt\n", `x.csv: row 1, column C "Số tài khoản đã cấp": a second column for issued (the first is column B)`)
}

func TestReadCSVEncodings(t *testing.T) {
	const text = "Mã,Đã cấp,Số tài khoản đã kích hoạt\r\n000.01.31.H47,\"1,234\",5\r\n"
	u := utf16.Encode([]rune(text))
	le := []byte{0xFF, 0xFE}
	be := []byte{0xFE, 0xFF}
	for _, x := range u {
		le = append(le, byte(x), byte(x>>8))
		be = append(be, byte(x>>8), byte(x))
	}
	for name, data := range map[string][]byte{
		"utf8":      []byte(text),
		"bom":       append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"utf16le":   le,
		"utf16be":   be,
		"semicolon": []byte("Mã;Đã cấp;Số tài khoản đã kích hoạt\n000.01.31.H47;1.234;5\n"),
		"tab":       []byte("Mã\tĐã cấp\tSố tài khoản đã kích hoạt\n000.01.31.H47\t1234\t5\n"),
	} {
		tab, err := ReadCSV(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		l, err := tab.Locate(testCols)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(l.Records) != 1 {
			t.Errorf("%s: %d records", name, len(l.Records))
			continue
		}
		r := l.Records[0]
		if v, err := r.Int("issued"); err != nil || v != 1234 || r.Text("code") != "000.01.31.H47" || r.Num != 2 {
			t.Errorf("%s: issued %d %v, code %q, row %d", name, v, err, r.Text("code"), r.Num)
		}
	}
	if _, err := ReadCSV("cp1258.csv", []byte("M\xe3 \xf0\xe1n v\xf2\n")); err == nil || !strings.Contains(err.Error(), "CSV UTF-8") {
		t.Errorf("Windows-1258 text: %v", err)
	}
}

// writeXLSX writes rows into the first sheet of a new workbook; a cell value
// may be a number, which is then stored as a number with format fmt[col] if any.
func writeXLSX(t *testing.T, path string, rows [][]any, numFmt map[int]int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	styles := map[int]int{}
	for col, nf := range numFmt {
		id, err := f.NewStyle(&excelize.Style{NumFmt: nf})
		if err != nil {
			t.Fatal(err)
		}
		styles[col] = id
	}
	for i, row := range rows {
		for j, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sh, cell, v); err != nil {
				t.Fatal(err)
			}
			if id, ok := styles[j]; ok {
				if _, num := v.(string); !num {
					f.SetCellStyle(sh, cell, cell, id)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestReadXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BaoCao.XLSX")
	writeXLSX(t, path, [][]any{
		{"BÁO CÁO VNeID"},
		{},
		{"STT", "Mã đơn vị", "Tên đơn vị", "Số tài khoản\nđã cấp", "Số tài khoản đã kích hoạt", "Tỷ lệ"},
		{"1", "2", "3", "4", "5", "6=5/4"},
		{1, "000.01.31.H47", "Phường An Mỹ", 654392, 354938, 0.5424},
		{},
		{2, "000.02.31.H47", "Phường An Sơn", "1.000", "-12", 0.4},
	}, map[int]int{3: 3 /* #,##0 */, 5: 10 /* 0.00% */})
	tab, err := ReadFile(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tab.Locate(append(testCols, Column{Key: "rate", Name: "Tỷ lệ"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.HeaderRow != 3 || len(l.Records) != 2 || l.Records[0].Num != 5 || l.Records[1].Num != 7 {
		t.Fatalf("header %d, records %+v", l.HeaderRow, l.Records)
	}
	r := l.Records[0]
	if r.Text("issued") != "654,392" {
		t.Errorf("formatted cell = %q", r.Text("issued"))
	}
	if v, err := r.Int("issued"); err != nil || v != 654392 {
		t.Errorf("issued = %d, %v", v, err)
	}
	if v, pct, err := r.Number("rate"); err != nil || !pct || v != 54.24 {
		t.Errorf("rate = %v %v %v", v, pct, err)
	}
	v, _ := l.Records[1].Int("activated")
	if v != -12 {
		t.Errorf("activated = %d", v)
	}
}

func TestReadFileRefusals(t *testing.T) {
	dir := t.TempDir()
	f := func(name string, data []byte, max int64, want string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(p, max)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
		if ReasonOf(err) != catalog.RejectMalformed {
			t.Errorf("%s: reason %s", name, ReasonOf(err))
		}
	}
	f("old.xls", []byte{0xD0, 0xCF}, 1<<20, "legacy .xls")
	f("notes.txt", []byte("x"), 1<<20, "unsupported file type")
	f("big.csv", []byte(strings.Repeat("a,b\n", 100)), 100, "larger than 100 bytes")
	f("half.xlsx", []byte("PK\x03\x04 truncated"), 1<<20, "not a readable XLSX")
	if _, err := ReadFile(filepath.Join(dir, "missing.csv"), 10); err == nil {
		t.Error("missing file read")
	}
}

func TestSupported(t *testing.T) {
	for name, want := range map[string]bool{"a.csv": true, "B.XLSX": true, "c.xls": true, "d.txt": false, "e": false} {
		if Supported(name) != want {
			t.Errorf("Supported(%q) = %v", name, !want)
		}
	}
}
