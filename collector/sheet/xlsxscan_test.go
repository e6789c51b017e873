package sheet

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestTagScanner: tags are found where encoding/xml finds them, and text
// inside CDATA is counted while markup-like text inside it, in comments and
// in quoted attributes is not taken for tags.
func TestTagScanner(t *testing.T) {
	in := `<?xml version="1.0"?><!-- <row> --><x:row r="1" a='>'><c r="A1"><v>12</v></c>` +
		`<c><is><t><![CDATA[<c>]]]></t></is></c><!DOCTYPE y></x:row><e/>`
	s := newTagScanner(strings.NewReader(in))
	var got []string
	for {
		ok, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		kind := "<"
		switch {
		case s.end:
			kind = "</"
		case s.empty:
			kind = "<>"
		}
		got = append(got, fmt.Sprintf("%s%s:%d", kind, s.local, s.text))
	}
	want := "<row:0 <c:0 <v:0 </v:2 </c:0 <c:0 <is:0 <t:0 </t:4 </is:0 </c:0 </row:0 <>e:0"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	s = newTagScanner(strings.NewReader(`<row r="7" spans="1:2"><c r="B7" s="0">`))
	for range 2 {
		if _, err := s.next(); err != nil {
			t.Fatal(err)
		}
	}
	if r, _ := s.attr("r"); string(r) != "B7" {
		t.Errorf("r = %q", r)
	}
	if _, ok := s.attr("t"); ok {
		t.Error("an attribute t found")
	}
}

// TestCheckPackageNotFooled: a shared string hidden from a naive count by
// CDATA or nesting is still measured whole.
func TestCheckPackageNotFooled(t *testing.T) {
	long := strings.Repeat("A", MaxCellBytes)
	for name, si := range map[string]string{
		"cdata":  `<si><t><![CDATA[</si>` + long + `]]></t></si>`,
		"nested": `<si><r><t>` + long[:MaxCellBytes/2] + `</t></r><si/><r><t>` + long[:MaxCellBytes/2] + `</t></r></si>`,
	} {
		data := genXLSX(t, write(`<row><c t="s"><v>0</v></c></row>`), func(w io.Writer) { _, _ = io.WriteString(w, si) }, "")
		if _, err := ReadXLSX(name, data); err == nil || !strings.Contains(err.Error(), "shared string longer") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
