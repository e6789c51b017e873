package sheet

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzReadCSV feeds arbitrary bytes through the CSV path a dropped report
// takes: decode, read, locate the header, parse every cell. Nothing may
// panic; rows are numbered upwards from 1; every error is an *Error with a
// reason; cells are valid UTF-8.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(reportCSV))
	f.Add([]byte("\xEF\xBB\xBF" + reportCSV))
	f.Add([]byte("\xFF\xFEM\x00\xe3\x00,\x00"))
	f.Add([]byte("Mã;Đã cấp;Số tài khoản đã kích hoạt\n\"a\nb\";\"1.234\";-\n"))
	f.Add([]byte("\"\"\"\n\n\n,,,\r\n\"x"))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV("f.csv", data)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Reason == "" {
				t.Fatalf("error %v is not a located *Error", err)
			}
			return
		}
		checkTable(t, tab)
	})
}

// checkTable checks a table read from fuzzed bytes: rows numbered upwards,
// cells valid UTF-8, numbers that parse finite and round-trip, and header
// location and cell errors located.
func checkTable(t *testing.T, tab *Table) {
	t.Helper()
	prev := 0
	for _, r := range tab.Rows {
		if r.Num <= prev {
			t.Fatalf("row %d after row %d", r.Num, prev)
		}
		prev = r.Num
		for _, c := range r.Cells {
			if !utf8.ValidString(c) {
				t.Fatalf("invalid UTF-8 cell %q", c)
			}
			if v, err := ParseInt(c); err == nil {
				if w, err := ParseInt(strconv.FormatInt(v, 10)); err != nil || w != v {
					t.Fatalf("ParseInt(%q) = %d does not round-trip", c, v)
				}
			}
			if v, _, err := ParseNumber(c); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				t.Fatalf("ParseNumber(%q) = %v", c, v)
			}
		}
	}
	l, err := tab.Locate(testCols)
	if err != nil {
		if e, ok := err.(*Error); !ok || e.Reason == "" {
			t.Fatalf("error %v is not a located *Error", err)
		}
		return
	}
	for _, r := range l.Records {
		if r.Num <= l.HeaderRow {
			t.Fatalf("record row %d above the header row %d", r.Num, l.HeaderRow)
		}
		for _, c := range testCols {
			if _, err := r.Int(c.Key); err != nil {
				if e, ok := err.(*Error); !ok || e.Row != r.Num {
					t.Fatalf("cell error %v not at row %d", err, r.Num)
				}
			}
		}
	}
}

// FuzzParseNumber checks the number parsers on arbitrary text.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"354.938", "354,938", "84,6%", "1.234,5", "-", "−5", "1 234", "0,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseInt(s); err == nil {
			if w, err := ParseInt(strconv.FormatInt(v, 10)); err != nil || w != v {
				t.Fatalf("ParseInt(%q) = %d does not round-trip", s, v)
			}
		}
		if v, _, err := ParseNumber(s); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
	})
}
