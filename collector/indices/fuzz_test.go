package indices

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
)

// fuzzExts are the file kinds readFile tells apart by extension; the fuzz
// input's first argument picks one.
var fuzzExts = []string{".yml", ".csv", ".xlsx"}

// indicesXLSX builds a small workbook as the DTI report would be typed.
func indicesXLSX(f *testing.F) []byte {
	x := excelize.NewFile()
	defer func() { _ = x.Close() }()
	sh := x.GetSheetName(0)
	for i, row := range [][]any{
		{"Chỉ số", "Trụ cột", "Năm", "Điểm số", "Thứ hạng", "Tổng số tỉnh"},
		{"DTI", "", 2022, 0.518, 31, 63},
		{"Chỉ số chuyển đổi số", "digital economy", 2022, 0.441, 35, 63},
		{"PAR", "", 2022, "84,6%", "56/63", ""},
	} {
		if err := x.SetSheetRow(sh, "A"+string(rune('1'+i)), &row); err != nil {
			f.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadFile feeds arbitrary YAML, CSV and XLSX index files to readFile:
// no panic, every error is a *sheet.Error with a catalog reject reason, and
// every record read is a known index and component in the allowed years,
// with a finite score in its unit, a rank within the provinces, and no key
// twice.
func FuzzReadFile(f *testing.F) {
	for i, pattern := range []string{"../../deploy/indices/*.yml", "testdata/*.csv"} {
		m, _ := filepath.Glob(pattern)
		if len(m) == 0 {
			f.Fatalf("no seed file %s", pattern)
		}
		for _, name := range m {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), b)
		}
	}
	f.Add(uint8(2), indicesXLSX(f))
	f.Add(uint8(0), []byte("records: [{index: par, year: 2022, score: [1]}, {index: dti, year: 2099, rank: 1/1}]\n"))
	f.Add(uint8(0), []byte("records:\n  - {index: pci, year: '2023', score: 1e308, rank: 0/0}\n"))
	f.Add(uint8(1), []byte("Chỉ số,Năm,Xếp hạng\nPAR,2022,-1/63\nPAR,2022,99999999999999999999/1\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		path := filepath.Join(dir, "fuzz"+fuzzExts[int(kind)%len(fuzzExts)])
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		recs, err := readFile(path, DefaultMaxFileBytes, 2026)
		if err != nil {
			var se *sheet.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *sheet.Error", err, err)
			}
			if !catalog.LabelValues[catalog.LabelReason].Allows(se.Reason) {
				t.Fatalf("reject reason %q is not in the catalog", se.Reason)
			}
			return
		}
		if len(recs) == 0 {
			t.Fatal("no records and no error")
		}
		seen := map[recordKey]bool{}
		for _, r := range recs {
			def, ok := catalog.IndexByCode(r.index)
			if !ok {
				t.Fatalf("unknown index %q read", r.index)
			}
			if r.component != catalog.ComponentTotal {
				if _, ok := def.Component(r.component); !ok {
					t.Fatalf("unknown component %q of %s read", r.component, r.index)
				}
			}
			if r.year < minYear || r.year > 2026 {
				t.Fatalf("year %d read", r.year)
			}
			if math.IsNaN(r.score) || math.IsInf(r.score, 0) || r.score < 0 {
				t.Fatalf("score %v read", r.score)
			}
			top := def.Max
			if def.Scale != catalog.IndexScalePoints {
				top = 1
			}
			if r.score > top {
				t.Fatalf("score %v of %s is above %v", r.score, r.index, top)
			}
			if !r.hasScore && r.rank == 0 {
				t.Fatalf("record %+v has neither score nor rank", r)
			}
			if r.rank < 0 || r.ranked < 0 || r.ranked > maxProvinces || (r.ranked > 0 && r.rank > r.ranked) {
				t.Fatalf("rank %d of %d read", r.rank, r.ranked)
			}
			if seen[r.key()] {
				t.Fatalf("%v read twice", r.key())
			}
			seen[r.key()] = true
		}
	})
}
