package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Bounds on what ReadXLSX reads; past any of them the file is refused with
// an *Error, never cut short.
const (
	// MaxUnzipBytes caps what an XLSX may unzip to, against zip bombs
	// (excelize's own default is 16 GB); worksheets above 256 KiB unzip to
	// temporary files, not to memory.
	MaxUnzipBytes = 64 << 20
	// MaxRows caps the non-blank rows kept: a report has a row per unit,
	// thousands at most.
	MaxRows = 100_000
	// MaxCols caps the columns read (A to IV): a report has tens. A value
	// further right is refused rather than dropped, as a shifted table would
	// be read wrong.
	MaxCols = 256
	// MaxCells caps the cells kept, blanks between values counted: 16 bytes
	// each before their text.
	MaxCells = 1 << 20
	// MaxTextBytes caps the text of the cells kept.
	MaxTextBytes = 16 << 20
)

// Extensions ReadFile knows (lower case). Legacy .xls is known only to be
// refused with a useful message.
const (
	ExtCSV  = ".csv"
	ExtXLSX = ".xlsx"
	ExtXLS  = ".xls"
)

// Supported reports whether ReadFile reads or explains files named like name:
// .csv, .xlsx and .xls, in any case.
func Supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ExtCSV, ExtXLSX, ExtXLS:
		return true
	}
	return false
}

// ReadFile reads a .csv or .xlsx file (by extension, in any case) of at most
// maxBytes. Problems with the content are *Error; a file that cannot be
// opened is a plain error.
func ReadFile(path string, maxBytes int64) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ExtCSV, ExtXLSX:
	case ExtXLS:
		return nil, fileError(path, "legacy .xls workbooks are not supported: save it as .xlsx or as CSV UTF-8")
	default:
		return nil, fileError(path, "unsupported file type %q: want .csv or .xlsx", ext)
	}
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the file to read
	if err != nil {
		return nil, fmt.Errorf("cannot open %q: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose on close
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fileError(path, "larger than %d bytes", maxBytes)
	}
	if ext == ExtCSV {
		return ReadCSV(path, data)
	}
	return ReadXLSX(path, data)
}

func fileError(file, format string, args ...any) *Error {
	return &Error{File: file, Col: -1, Reason: catalog.RejectMalformed, Msg: fmt.Sprintf(format, args...)}
}

// ReadCSV reads CSV data as Excel writes it: UTF-8 with or without BOM, or
// UTF-16 with BOM; separated by ',', ';' or tab, whichever the first lines use
// most. Quotes are lenient (a stray quote inside a field is kept). name is used
// in errors.
func ReadCSV(name string, data []byte) (*Table, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, fileError(name, "%v", err)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{File: name}
	// extra counts the lines swallowed by line breaks inside quoted fields:
	// Excel shows such a record as one row.
	extra := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{File: name, Row: pe.StartLine - extra, Col: -1, Reason: catalog.RejectMalformed, Msg: pe.Err.Error()}
			}
			return nil, fileError(name, "%v", err)
		}
		start, _ := r.FieldPos(0)
		last, _ := r.FieldPos(len(rec) - 1)
		num := start - extra
		extra += last + strings.Count(rec[len(rec)-1], "\n") - start
		t.add(num, rec)
	}
}

func (t *Table) add(num int, cells []string) {
	blank := true
	for i, c := range cells {
		cells[i] = strings.TrimFunc(c, isSpace)
		if cells[i] != "" {
			blank = false
		}
	}
	if !blank {
		t.Rows = append(t.Rows, Row{Num: num, Cells: cells})
	}
}

// decodeText returns data as UTF-8 without BOM.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		be := data[0] == 0xFE
		data = data[2:]
		if len(data)%2 != 0 {
			return "", errors.New("UTF-16 text with an odd number of bytes")
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if be {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u)), nil
	}
	if !utf8.Valid(data) {
		return "", errors.New(`not UTF-8 text (a Windows-1258 or TCVN3 file?): save it from Excel as "CSV UTF-8"`)
	}
	return string(data), nil
}

// sniffDelimiter picks ',', ';' or tab by counting them (outside quotes) in
// the first lines. Excel in a Vietnamese locale, whose decimal separator is the
// comma, writes ';'.
func sniffDelimiter(text string) rune {
	counts := map[rune]int{}
	lines, quoted := 0, false
	for _, r := range text {
		if lines >= 20 {
			break
		}
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\n':
			lines++
		case r == ',' || r == ';' || r == '\t':
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// ReadXLSX reads the first sheet of an XLSX workbook, with cell values as
// Excel displays them (so a cell formatted 0.0% reads "84.6%"). name is used
// in errors. Rows are streamed, blank ones not kept, and a workbook past the
// bounds above (or those of checkPackage) is refused.
func ReadXLSX(name string, data []byte) (t *Table, err error) {
	defer func() {
		// excelize has panicked on corrupt input before; a bad file must not
		// take the source down.
		if p := recover(); p != nil {
			t, err = nil, fileError(name, "cannot read the workbook: %v", p)
		}
	}()
	if err := checkPackage(name, data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: xmlInMemory})
	if f != nil {
		// Close removes excelize's temporary files; it returns a File with
		// them on some errors too.
		defer func() { _ = f.Close() }()
	}
	if err != nil {
		return nil, fileError(name, "not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileError(name, "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileError(name, "cannot read sheet %q: %v", sheets[0], err)
	}
	defer func() { _ = rows.Close() }() // it closes the sheet's temporary file, read-only
	return readRows(name, rows)
}

// readRows keeps the non-blank rows of a sheet, numbered as Excel shows them.
func readRows(name string, rows *excelize.Rows) (*Table, error) {
	t := &Table{File: name}
	cells, text := 0, 0
	at := func(num, col int, format string, args ...any) error {
		return &Error{File: name, Row: num, Col: col, Reason: catalog.RejectMalformed, Msg: fmt.Sprintf(format, args...)}
	}
	for num := 1; rows.Next(); num++ {
		if num > excelize.TotalRows {
			return nil, at(0, -1, "rows past Excel's last row %d", excelize.TotalRows)
		}
		row, err := rows.Columns()
		if err != nil {
			return nil, at(num, -1, "cannot read the row: %v", err)
		}
		last, n := -1, 0
		for i, c := range row {
			if c = strings.TrimFunc(c, isSpace); c != "" {
				last = i
				n += len(c)
			}
			row[i] = c
		}
		switch {
		case last < 0:
			continue
		case last >= MaxCols:
			return nil, at(num, last, "a value past the %d columns read (A to %s)", MaxCols, ColumnLetter(MaxCols-1))
		case len(t.Rows) == MaxRows:
			return nil, at(num, -1, "more than %d non-blank rows", MaxRows)
		}
		if cells += last + 1; cells > MaxCells {
			return nil, at(num, -1, "more than %d cells", MaxCells)
		}
		if text += n; text > MaxTextBytes {
			return nil, at(num, -1, "more than %d MiB of text", MaxTextBytes>>20)
		}
		// A copy, so that a row excelize grew wide is not kept whole.
		t.Rows = append(t.Rows, Row{Num: num, Cells: append([]string(nil), row[:last+1]...)})
	}
	if err := rows.Error(); err != nil {
		return nil, fileError(name, "cannot read the sheet: %v", err)
	}
	return t, nil
}
