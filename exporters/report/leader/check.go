package leader

import (
	"bytes"
	"image"
	"regexp"
	"strconv"
)

// Checks of a rendered report, shared by the package's tests and the
// end-to-end test of the report command.

// Drawn reports whether img has a pixel that differs from its top-left
// corner's (the background): a chart or screenshot with something on it.
func Drawn(img image.Image) bool {
	b := img.Bounds()
	if b.Empty() {
		return false
	}
	r0, g0, b0, a0 := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, a := img.At(x, y).RGBA(); r != r0 || g != g0 || bl != b0 || a != a0 {
				return true
			}
		}
	}
	return false
}

var (
	pdfPage  = regexp.MustCompile(`/Type\s*/Page\b[^s]`)
	pdfCount = regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`)
)

// PDFPages counts the pages of a PDF: its page objects, or its page tree's
// count when the objects are compressed.
func PDFPages(pdf []byte) int {
	n := len(pdfPage.FindAll(pdf, -1))
	for _, m := range pdfCount.FindAllSubmatch(pdf, -1) {
		c, _ := strconv.Atoi(string(bytes.TrimSpace(append(m[1], m[2]...))))
		n = max(n, c)
	}
	return n
}
