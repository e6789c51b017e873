package table

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
)

// text is one phrase in Vietnamese and English.
type text struct{ vi, en string }

func (t text) in(lang string) string {
	if lang == "en" {
		return t.en
	}
	return t.vi
}

// column is one figure column under its group heading.
type column struct {
	group, name text
	value       func(Counts) float64
}

func chName(ch string) text {
	n, _ := catalog.ValueName(catalog.LabelChannel, ch)
	return text{n.Vi, n.En}
}

func tlName(tl string) text {
	n, _ := catalog.ValueName(catalog.LabelTimeliness, tl)
	return text{n.Vi, n.En}
}

var (
	grpReceived   = text{"Số hồ sơ nhận giải quyết", "Dossiers to be resolved"}
	grpResolved   = text{"Số hồ sơ đã giải quyết", "Dossiers resolved"}
	grpInProgress = text{"Số hồ sơ đang giải quyết", "Dossiers in progress"}
	total         = text{"Tổng số", "Total"}
)

// columns are the standard table's figure columns, in order.
var columns = []column{
	{grpReceived, total, Counts.Received},
	{grpReceived, text{"Kỳ trước chuyển qua", "Carried over"}, func(c Counts) float64 { return c.CarriedOver }},
	{grpReceived, chName(catalog.ChannelOnline), func(c Counts) float64 { return c.Online }},
	{grpReceived, chName(catalog.ChannelInPerson), func(c Counts) float64 { return c.InPerson }},
	{grpReceived, chName(catalog.ChannelPostal), func(c Counts) float64 { return c.Postal }},
	{grpResolved, total, Counts.Resolved},
	{grpResolved, tlName(catalog.ResolvedEarly), func(c Counts) float64 { return c.Early }},
	{grpResolved, tlName(catalog.ResolvedOnTime), func(c Counts) float64 { return c.OnTime }},
	{grpResolved, tlName(catalog.ResolvedLate), func(c Counts) float64 { return c.Late }},
	{grpInProgress, total, Counts.InProgress},
	{grpInProgress, tlName(catalog.InProgressNotDue), func(c Counts) float64 { return c.NotDue }},
	{grpInProgress, tlName(catalog.InProgressOverdue), func(c Counts) float64 { return c.Overdue }},
}

var (
	hdrNo     = text{"STT", "No."}
	hdrAgency = text{"Cơ quan, đơn vị", "Agency"}
	hdrRate   = text{"Tỷ lệ hồ sơ giải quyết quá hạn", "Late rate"}
	rowTotal  = text{"Tổng cộng toàn tỉnh/thành phố", "Province total"}
	rowGroup  = text{"Cộng", "Subtotal"}
	titleText = text{"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "ADMINISTRATIVE PROCEDURES: DOSSIERS RECEIVED AND RESOLVED"}
)

// line is one printed row: a heading, an agency or a total.
type line struct {
	kind   int // lineTotal, lineGroup (a level's heading with its subtotal), lineAgency
	no     string
	name   string
	counts Counts
}

const (
	lineTotal = iota
	lineGroup
	lineAgency
)

// lines lays the table out: the province total first, then each level's
// subtotal row followed by its agencies.
func (t *Table) lines(lang string) []line {
	out := []line{{kind: lineTotal, name: rowTotal.in(lang), counts: t.Total}}
	for gi, g := range t.Groups {
		out = append(out, line{kind: lineGroup, no: romanNumeral(gi + 1), name: LevelName(g.Level, lang) + " (" + rowGroup.in(lang) + ")", counts: g.Total})
		for i, r := range g.Rows {
			out = append(out, line{kind: lineAgency, no: strconv.Itoa(i + 1), name: r.Name, counts: r.Counts})
		}
	}
	return out
}

func romanNumeral(n int) string {
	return [...]string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}[min(n, 10)]
}

// rateTitle is the rate column's heading with its definition.
func (t *Table) rateTitle(lang string) string {
	for _, d := range catalog.LateRateDefinitions {
		if d.Name == t.Definition {
			if lang == "en" {
				return hdrRate.en + " (" + d.En + ")"
			}
			return hdrRate.vi + " (" + d.Vi + ")"
		}
	}
	return hdrRate.in(lang)
}

// WriteCSV writes the table as CSV: UTF-8 with a byte-order mark (Excel then
// reads the diacritics), one header row, the rate as a ratio (0.0525), an
// empty rate where it has no denominator.
func (t *Table) WriteCSV(w io.Writer, lang string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	hdr := []string{hdrNo.in(lang), hdrAgency.in(lang)}
	for _, c := range columns {
		hdr = append(hdr, c.group.in(lang)+" – "+c.name.in(lang))
	}
	hdr = append(hdr, t.rateTitle(lang))
	if err := cw.Write(hdr); err != nil {
		return err
	}
	for _, l := range t.lines(lang) {
		rec := []string{l.no, l.name}
		for _, c := range columns {
			rec = append(rec, strconv.FormatFloat(c.value(l.counts), 'f', -1, 64))
		}
		rate := ""
		if r, ok := l.counts.LateRate(t.Definition); ok {
			rate = strconv.FormatFloat(r, 'f', 6, 64)
		}
		if err := cw.Write(append(rec, rate)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Layout of the sheet: two title rows, a blank, two header rows.
const (
	headerRow  = 4 // the group headings; the column names are on the next row
	firstData  = headerRow + 2
	firstFig   = 3 // column C: the first figure
	sheetTitle = "Biểu TTHC"
)

// WriteXLSX writes the table as one printable sheet: merged headings,
// number formats, the panes frozen under the headings and right of the
// names, A4 landscape fitted to the page width, the headings repeated on
// every printed page.
func (t *Table) WriteXLSX(w io.Writer, lang string) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := sheetTitle
	if lang == "en" {
		sh = "Procedures"
	}
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	if err := t.fillSheet(f, sh, lang); err != nil {
		return fmt.Errorf("cannot lay out the sheet: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("cannot write the workbook: %w", err)
	}
	return nil
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func (t *Table) fillSheet(f *excelize.File, sh, lang string) error {
	lastCol := firstFig + len(columns) // the rate column
	font := &excelize.Font{Family: "Times New Roman", Size: 11}
	bold := &excelize.Font{Family: "Times New Roman", Size: 11, Bold: true}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil {
			panic("BUG: a fixed style is refused: " + err.Error())
		}
		return id
	}
	sTitle := style(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 13, Bold: true}, Alignment: center})
	sSub := style(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 11, Italic: true}, Alignment: center})
	sHead := style(&excelize.Style{Font: bold, Alignment: center, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	sName := style(&excelize.Style{Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	sNameB := style(&excelize.Style{Font: bold, Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	sNo := style(&excelize.Style{Font: font, Border: border, Alignment: center})
	sNum := style(&excelize.Style{Font: font, Border: border, NumFmt: 3})   // #,##0
	sNumB := style(&excelize.Style{Font: bold, Border: border, NumFmt: 3})  // #,##0
	sRate := style(&excelize.Style{Font: font, Border: border, NumFmt: 10}) // 0.00%
	sRateB := style(&excelize.Style{Font: bold, Border: border, NumFmt: 10})

	set := func(c string, v any) error { return f.SetCellValue(sh, c, v) }
	// Titles.
	if err := set("A1", titleText.in(lang)+" – "+t.Province); err != nil {
		return err
	}
	sub := t.Period.Title(lang)
	if lang == "en" {
		sub += fmt.Sprintf(" (figures as of %s)", t.AsOf.Format("02/01/2006 15:04"))
	} else {
		sub = "Kỳ báo cáo: " + sub + fmt.Sprintf(" (số liệu đến %s)", t.AsOf.Format("15:04 ngày 02/01/2006"))
	}
	if err := set("A2", sub); err != nil {
		return err
	}
	for _, r := range []int{1, 2} {
		if err := f.MergeCell(sh, cell(1, r), cell(lastCol, r)); err != nil {
			return err
		}
	}
	_ = f.SetCellStyle(sh, "A1", "A1", sTitle)
	_ = f.SetCellStyle(sh, "A2", "A2", sSub)
	_ = f.SetRowHeight(sh, 1, 22)

	// Headings: STT, agency and rate span both heading rows; each group
	// spans its columns.
	h1, h2 := headerRow, headerRow+1
	for _, c := range []struct {
		col int
		t   string
	}{{1, hdrNo.in(lang)}, {2, hdrAgency.in(lang)}, {lastCol, t.rateTitle(lang)}} {
		if err := set(cell(c.col, h1), c.t); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell(c.col, h1), cell(c.col, h2)); err != nil {
			return err
		}
	}
	for i := 0; i < len(columns); {
		j := i
		for j < len(columns) && columns[j].group == columns[i].group {
			j++
		}
		if err := set(cell(firstFig+i, h1), columns[i].group.in(lang)); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell(firstFig+i, h1), cell(firstFig+j-1, h1)); err != nil {
			return err
		}
		i = j
	}
	for i, c := range columns {
		if err := set(cell(firstFig+i, h2), c.name.in(lang)); err != nil {
			return err
		}
	}
	_ = f.SetCellStyle(sh, cell(1, h1), cell(lastCol, h2), sHead)
	_ = f.SetRowHeight(sh, h1, 30)
	_ = f.SetRowHeight(sh, h2, 45)

	// Rows.
	for i, l := range t.lines(lang) {
		r := firstData + i
		if err := set(cell(1, r), l.no); err != nil {
			return err
		}
		if err := set(cell(2, r), l.name); err != nil {
			return err
		}
		for ci, c := range columns {
			if err := set(cell(firstFig+ci, r), c.value(l.counts)); err != nil {
				return err
			}
		}
		if rate, ok := l.counts.LateRate(t.Definition); ok {
			if err := set(cell(lastCol, r), rate); err != nil {
				return err
			}
		}
		name, num, rate := sName, sNum, sRate
		if l.kind != lineAgency {
			name, num, rate = sNameB, sNumB, sRateB
		}
		_ = f.SetCellStyle(sh, cell(1, r), cell(1, r), sNo)
		_ = f.SetCellStyle(sh, cell(2, r), cell(2, r), name)
		_ = f.SetCellStyle(sh, cell(firstFig, r), cell(lastCol-1, r), num)
		_ = f.SetCellStyle(sh, cell(lastCol, r), cell(lastCol, r), rate)
	}

	// Widths, panes, printing.
	_ = f.SetColWidth(sh, "A", "A", 5)
	_ = f.SetColWidth(sh, "B", "B", 38)
	_ = f.SetColWidth(sh, cell(firstFig, 1)[:1], cell(lastCol, 1)[:1], 11)
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: h2, TopLeftCell: cell(3, firstData), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	orient, a4, fit, one, zero := "landscape", 9, true, 1, 0
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &orient, Size: &a4, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, h1, h2), Scope: sh}); err != nil {
		return err
	}
	return nil
}
