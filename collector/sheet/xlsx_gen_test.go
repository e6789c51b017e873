package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"
)

// Hand-written workbooks, for shapes excelize would never write: the parts
// are streamed into the zip so that a 20 MB worksheet costs the test no
// 20 MB buffer.

// xlsxPart is one part of a generated package; write streams its body.
type xlsxPart struct {
	name  string
	write func(w io.Writer)
}

// text is a part with a fixed body.
func text(name, body string) xlsxPart {
	return xlsxPart{name, func(w io.Writer) { _, _ = io.WriteString(w, body) }}
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
)

// genXLSX builds a workbook whose first sheet's <sheetData> children are
// written by rows; sst, when not nil, writes the <sst> children; styles,
// when not empty, is the whole xl/styles.xml. extra parts are added as is.
func genXLSX(tb testing.TB, rows, sst func(w io.Writer), styles string, extra ...xlsxPart) []byte {
	return genXLSXHead(tb, "", rows, sst, styles, extra...)
}

// genXLSXHead is genXLSX with head (a <dimension>, say) written before
// <sheetData>.
func genXLSXHead(tb testing.TB, head string, rows, sst func(w io.Writer), styles string, extra ...xlsxPart) []byte {
	tb.Helper()
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/>`
	}
	if styles != "" {
		types += `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`
		rels += `<Relationship Id="rId3" Type="` + nsRel + `/styles" Target="styles.xml"/>`
	}
	parts := []xlsxPart{
		text("[Content_Types].xml", types+`</Types>`),
		text("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="`+nsRel+`/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		text("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook `+nsMain+` xmlns:r="`+nsRel+`"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		text("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`),
		{"xl/worksheets/sheet1.xml", func(w io.Writer) {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet `+nsMain+`>`+head+`<sheetData>`)
			rows(w)
			_, _ = io.WriteString(w, `</sheetData></worksheet>`)
		}},
	}
	if sst != nil {
		parts = append(parts, xlsxPart{"xl/sharedStrings.xml", func(w io.Writer) {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst `+nsMain+`>`)
			sst(w)
			_, _ = io.WriteString(w, `</sst>`)
		}})
	}
	if styles != "" {
		parts = append(parts, text("xl/styles.xml", styles))
	}
	return zipParts(tb, append(parts, extra...))
}

// zipParts deflates the parts into a package, each at the best compression.
func zipParts(tb testing.TB, parts []xlsxPart) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			tb.Fatal(err)
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		p.write(bw)
		if err := bw.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	chunk := strings.Repeat(s, max(1, min(n, (64<<10)/max(1, len(s)))))
	per := len(chunk) / len(s)
	for ; n >= per; n -= per {
		_, _ = io.WriteString(w, chunk)
	}
	_, _ = io.WriteString(w, strings.Repeat(s, n))
}
