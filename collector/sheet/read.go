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

// MaxUnzipBytes caps what an XLSX may unzip to, against zip bombs (excelize's
// own default is 16 GB).
const MaxUnzipBytes = 256 << 20

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
// in errors.
func ReadXLSX(name string, data []byte) (t *Table, err error) {
	defer func() {
		// excelize has panicked on corrupt input before; a bad file must not
		// take the source down.
		if p := recover(); p != nil {
			t, err = nil, fileError(name, "cannot read the workbook: %v", p)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fileError(name, "not a readable XLSX workbook: %v", err)
	}
	defer func() { _ = f.Close() }() // it only drops excelize's temporary files of a workbook read from memory
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileError(name, "the workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, fileError(name, "cannot read sheet %q: %v", sheets[0], err)
	}
	t = &Table{File: name}
	for i, cells := range rows {
		t.add(i+1, cells)
	}
	return t, nil
}
