package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Bounds on a workbook's parts, checked before excelize opens it: excelize
// decodes some parts whole (a 5-byte <xf/> costs it ~400 bytes) and copies a
// shared string for every cell that refers to it, so bytes alone do not bound
// its memory.
const (
	// MaxInMemoryBytes caps the parts excelize holds in memory as they are
	// (all but worksheets and shared strings above xmlInMemory, which it
	// streams from temporary files): pictures and metadata of a report.
	MaxInMemoryBytes = 16 << 20
	// MaxPartElements caps the elements of the parts excelize decodes whole
	// (workbook, relationships, content types, styles, theme, calcChain),
	// all together: ~400 bytes each once decoded, so ~26 MB at most.
	MaxPartElements = 1 << 16
	// MaxSharedStrings caps the shared strings table: excelize keeps ~100
	// bytes per string (its index in a temporary file). 262144 is far more
	// distinct texts than MaxRows rows of a report hold.
	MaxSharedStrings = 1 << 18
	// MaxCellBytes caps one shared string or cell text as stored (Excel
	// itself holds 32767 characters, ~96 KiB of Vietnamese at worst, but not
	// in a report): excelize copies a shared string for each cell using it.
	MaxCellBytes = 64 << 10
)

// xmlInMemory is excelize's UnzipXMLSizeLimit: a worksheet or the shared
// strings table above it is unzipped to a temporary file and streamed.
// Decoded in memory, shared strings cost excelize ~40 times their bytes.
const xmlInMemory = 256 << 10

// maxFormatCode caps a number format code as written in styles.xml (Excel
// allows 255 characters): excelize renders a cell's text from it.
const maxFormatCode = 1 << 10

// checkPackage measures a workbook before excelize opens it: sizes, no
// overlapping zip entries (a bomb that reuses one compressed stream), every
// part unzipping cleanly, and the elements, shared strings, cells and rows
// excelize would build from the parts it reads.
func checkPackage(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fileError(name, "not a readable XLSX workbook: %v", err)
	}
	if err := checkSizes(name, zr); err != nil {
		return err
	}
	meta := map[string]bool{
		"_rels/.rels": true, "xl/workbook.xml": true, "xl/_rels/workbook.xml.rels": true,
		"xl/styles.xml": true, "xl/theme/theme1.xml": true, "xl/calcChain.xml": true,
	}
	c := &partChecker{file: name, budget: MaxPartElements}
	for _, f := range zr.File {
		if partName(f.Name) != "_rels/.rels" {
			continue
		}
		if err := c.read(f, c.rootRels); err != nil {
			return err
		}
	}
	relsOf := map[string]string{} // workbook rels part → workbook part
	for _, wb := range c.workbooks {
		meta[wb] = true
		dir, base := path.Split(wb)
		rels := strings.TrimPrefix(dir+"_rels/"+base+".rels", "/")
		meta[rels] = true
		relsOf[rels] = wb
	}
	isWorkbook := map[string]bool{}
	for _, wb := range c.workbooks {
		isWorkbook[wb] = true
	}
	c.rels = map[string][]string{}
	for _, f := range zr.File {
		part := partName(f.Name)
		if part == "_rels/.rels" || !meta[part] && !strings.EqualFold(part, "[Content_Types].xml") {
			continue
		}
		scan := c.metadata
		switch {
		case isWorkbook[part]:
			scan = c.workbook
		case relsOf[part] != "":
			wbDir := path.Dir(relsOf[part])
			scan = func(s *tagScanner) error { return c.workbookRels(s, wbDir) }
		}
		if err := c.read(f, scan); err != nil {
			return err
		}
	}
	sheets := c.firstSheetParts()
	for _, f := range zr.File {
		part := partName(f.Name)
		var scan func(*tagScanner) error
		switch {
		case sheets[part] || sheets == nil && strings.HasSuffix(strings.ToLower(part), ".xml") && !meta[part]:
			scan = c.sheet
		case isSharedStrings(part):
			scan = c.sharedStrings
		case meta[part] || strings.EqualFold(part, "[Content_Types].xml"):
			continue // read above
		}
		if err := c.read(f, scan); err != nil {
			return err
		}
		if isSharedStrings(part) && sheets[part] {
			if err := c.read(f, c.sharedStrings); err != nil {
				return err
			}
		}
	}
	return nil
}

// firstSheetParts are the parts excelize may read as the first sheet: the
// targets of the first sheet's relationship (and of any sheet whose name it
// may confuse with it), resolved as excelize does. nil stands for "any XML
// part", when the workbook names no sheet this reading understands.
func (c *partChecker) firstSheetParts() map[string]bool {
	if len(c.sheets) == 0 {
		return nil
	}
	parts := map[string]bool{}
	first := c.sheets[0].name
	for _, sh := range c.sheets {
		if !strings.EqualFold(sh.name, first) && !strings.Contains(sh.name+first, "&") {
			continue
		}
		for _, t := range c.rels[sh.id] {
			parts[t] = true
		}
	}
	return parts
}

// checkSizes bounds what the entries unzip to, in all and in memory, and
// refuses entries that share compressed data.
func checkSizes(name string, zr *zip.Reader) error {
	type span struct{ from, to int64 }
	var spans []span
	var total, inMemory uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		total += size
		if total > MaxUnzipBytes {
			return fileError(name, "the workbook unzips to more than %d MiB", MaxUnzipBytes>>20)
		}
		part := partName(f.Name)
		streamed := size > xmlInMemory && !f.FileInfo().IsDir() && (isSheetPart(part) || isSharedStrings(part))
		if !streamed {
			inMemory += size
			if inMemory > MaxInMemoryBytes {
				return fileError(name, "the workbook's parts other than worksheets unzip to more than %d MiB", MaxInMemoryBytes>>20)
			}
		}
		off, err := f.DataOffset()
		if err != nil {
			return fileError(name, "not a readable XLSX workbook: %s: %v", f.Name, err)
		}
		if f.CompressedSize64 > 0 {
			spans = append(spans, span{off, off + int64(f.CompressedSize64)}) //nolint:gosec // G115: bounded by len(data) or the read fails
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	for i := 1; i < len(spans); i++ {
		if spans[i].from < spans[i-1].to {
			return fileError(name, "not a readable XLSX workbook: zip entries overlap")
		}
	}
	return nil
}

// partName is an entry's name as excelize keys it.
func partName(name string) string { return strings.ReplaceAll(name, "\\", "/") }

// isSheetPart is excelize's test for a worksheet it may stream.
func isSheetPart(part string) bool {
	return strings.HasPrefix(strings.ToLower(part), "xl/worksheets/sheet")
}

func isSharedStrings(part string) bool { return strings.EqualFold(part, "xl/sharedStrings.xml") }

type partChecker struct {
	file string
	// part is the entry being read, for messages.
	part string
	// budget is what is left of MaxPartElements.
	budget int
	// workbooks are the officeDocument targets of _rels/.rels.
	workbooks []string
	// sheets are the workbook's <sheet> elements, in order.
	sheets []struct{ name, id string }
	// rels are the part names a workbook relationship id resolves to.
	rels map[string][]string
}

// count takes a start tag off the element budget.
func (c *partChecker) count(s *tagScanner) error {
	if s.end {
		return nil
	}
	if c.budget--; c.budget < 0 {
		return c.tooMany("the workbook's metadata has more than %d elements", MaxPartElements)
	}
	return nil
}

// workbook is metadata that also collects the sheets: <sheet> elements in
// <sheets> under the root, as excelize decodes them.
func (c *partChecker) workbook(s *tagScanner) error {
	var stack []string
	for {
		ok, err := s.next()
		if !ok || err != nil {
			return err
		}
		if err := c.count(s); err != nil {
			return err
		}
		switch {
		case s.end:
			stack = stack[:max(len(stack)-1, 0)]
			continue
		case len(stack) == 2 && stack[1] == "sheets" && s.is("sheet"):
			name, _ := s.attr("name")
			id, _ := s.attr("id")
			c.sheets = append(c.sheets, struct{ name, id string }{string(name), string(id)})
		}
		if !s.empty && len(stack) < 3 {
			stack = append(stack, string(s.local))
		} else if !s.empty {
			stack = append(stack, "")
		}
	}
}

// workbookRels is metadata that also collects where relationship ids point,
// resolved against the workbook's folder as excelize's getWorksheetPath does.
func (c *partChecker) workbookRels(s *tagScanner, wbDir string) error {
	for {
		ok, err := s.next()
		if !ok || err != nil {
			return err
		}
		if err := c.count(s); err != nil {
			return err
		}
		if !s.is("Relationship") {
			continue
		}
		id, _ := s.attr("Id")
		target, _ := s.attr("Target")
		t := strings.ReplaceAll(string(target), "\\", "/")
		p := strings.TrimPrefix(path.Clean(wbDir+"/"+t), "/")
		if strings.HasPrefix(t, "/") {
			p = strings.TrimPrefix(path.Clean(t), "/")
		}
		c.rels[string(id)] = append(c.rels[string(id)], p)
	}
}

// read unzips f to its end, through scan when not nil, so that a corrupt
// entry is refused here and not half-way through excelize's unzipping (which
// then leaves its temporary files behind).
func (c *partChecker) read(f *zip.File, scan func(*tagScanner) error) error {
	rc, err := f.Open()
	if err != nil {
		return fileError(c.file, "not a readable XLSX workbook: %s: %v", f.Name, err)
	}
	defer func() { _ = rc.Close() }() // read-only
	c.part = f.Name
	if scan == nil {
		_, err = io.Copy(io.Discard, rc) //nolint:gosec // G110: archive/zip stops at the entry's size, and the sizes are bounded above
	} else {
		err = scan(newTagScanner(rc))
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, errTagTooLong):
		return fileError(c.file, "%s: %v", f.Name, err)
	case err != nil:
		return fileError(c.file, "not a readable XLSX workbook: %s: %v", f.Name, err)
	}
	return nil
}

func (c *partChecker) tooMany(format string, args ...any) error {
	return fileError(c.file, "%s: %s", c.part, fmt.Sprintf(format, args...))
}

// metadata counts the elements of a part excelize decodes whole, and checks
// number format codes.
func (c *partChecker) metadata(s *tagScanner) error {
	for {
		ok, err := s.next()
		if !ok || err != nil {
			return err
		}
		if err := c.count(s); err != nil {
			return err
		}
		if s.is("numFmt") {
			for _, a := range []string{"formatCode", "formatCode16"} {
				if v, _ := s.attr(a); len(v) > maxFormatCode {
					return c.tooMany("a number format code longer than %d bytes", maxFormatCode)
				}
			}
		}
	}
}

// rootRels is metadata that also collects the workbook's part name.
func (c *partChecker) rootRels(s *tagScanner) error {
	for {
		ok, err := s.next()
		if !ok || err != nil {
			return err
		}
		if err := c.count(s); err != nil {
			return err
		}
		if typ, _ := s.attr("Type"); s.is("Relationship") && bytes.HasSuffix(typ, []byte("/officeDocument")) {
			if t, ok := s.attr("Target"); ok {
				c.workbooks = append(c.workbooks, strings.TrimPrefix(string(t), "/"))
			}
		}
	}
}

// sharedStrings counts the strings and measures the longest, nested ones
// included in their outermost.
func (c *partChecker) sharedStrings(s *tagScanner) error {
	n, depth, from := 0, 0, int64(0)
	for {
		ok, err := s.next()
		if err != nil {
			return err
		}
		if !ok {
			if depth > 0 && s.pos-from > MaxCellBytes {
				return c.tooMany("a shared string longer than %d KiB", MaxCellBytes>>10)
			}
			return nil
		}
		if string(s.local) != "si" {
			continue
		}
		switch {
		case s.end:
			depth--
			if depth == 0 && s.pos-from > MaxCellBytes {
				return c.tooMany("a shared string longer than %d KiB", MaxCellBytes>>10)
			}
			depth = max(depth, 0)
		default:
			if n++; n > MaxSharedStrings {
				return c.tooMany("more than %d shared strings", MaxSharedStrings)
			}
			if s.empty {
				continue
			}
			if depth == 0 {
				from = s.start
			}
			depth++
		}
	}
}

// maxStyledPastCols caps the formatted blank cells right of MaxCols in a
// sheet: excelize widens a row to such a cell when its number format renders
// text for a blank, 16384 cells at worst, so their number bounds its work.
const maxStyledPastCols = 1 << 10

// sheet numbers rows as excelize's row iterator does and bounds the cells it
// would build: a value, formula or inline string right of MaxCols is refused
// here (even spaces: excelize would build the row out to it), a row holds at
// most MaxCols of them (each may be a copied shared string) and
// excelize.MaxColumns cells in all, and no text is longer than MaxCellBytes.
func (c *partChecker) sheet(s *tagScanner) error {
	num, elem := 0, 0
	cells, col, values, valued, styledPast := 0, 0, 0, true, 0
	for {
		ok, err := s.next()
		if !ok || err != nil {
			return err
		}
		if cells > 0 && s.text > MaxCellBytes {
			return c.rowError(num, -1, "a cell longer than %d KiB", MaxCellBytes>>10)
		}
		if s.end {
			continue
		}
		switch string(s.local) {
		case "row":
			r, _ := s.attr("r")
			if n, err := strconv.Atoi(string(r)); err == nil && n > 0 {
				elem = n
			} else {
				elem++
			}
			num = max(num+1, elem)
			if num > excelize.TotalRows {
				return c.rowError(0, -1, "rows past Excel's last row %d", excelize.TotalRows)
			}
			cells, col, values, valued = 0, 0, 0, true
		case "c":
			if cells++; cells > excelize.MaxColumns {
				return c.rowError(num, -1, "more than %d cells in a row", excelize.MaxColumns)
			}
			col++
			if r, ok := s.attr("r"); ok {
				if n := columnOf(r); n > 0 {
					col = n
				}
			}
			if st, ok := s.attr("s"); ok && string(st) != "0" && col > MaxCols {
				if styledPast++; styledPast > maxStyledPastCols {
					return c.rowError(num, col-1, "more than %d formatted cells right of column %s", maxStyledPastCols, ColumnLetter(MaxCols-1))
				}
			}
			valued = false
		case "v", "f", "is":
			if valued {
				continue
			}
			valued = true
			if col > MaxCols {
				return c.rowError(num, col-1, "a cell right of the %d columns read (A to %s): clear it or move the table", MaxCols, ColumnLetter(MaxCols-1))
			}
			if values++; values > MaxCols {
				return c.rowError(num, -1, "more than %d cells with values in a row", MaxCols)
			}
		}
	}
}

// columnOf is the 1-based column of a cell reference such as "XFD12", 0 when
// it has no letters or too many.
func columnOf(ref []byte) int {
	n := 0
	for i, b := range ref {
		switch {
		case 'A' <= b && b <= 'Z':
			n = n*26 + int(b-'A') + 1
		case 'a' <= b && b <= 'z':
			n = n*26 + int(b-'a') + 1
		default:
			return n
		}
		if i >= 3 {
			return 0
		}
	}
	return n
}

func (c *partChecker) rowError(row, col int, format string, args ...any) error {
	return &Error{File: c.file, Row: row, Col: col, Reason: catalog.RejectMalformed, Msg: c.part + ": " + fmt.Sprintf(format, args...)}
}
