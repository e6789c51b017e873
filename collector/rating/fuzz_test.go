package rating

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
)

// FuzzReadScores feeds arbitrary scores files to readScores: no panic, every
// score read is a ratio in 0–1 under an agency code, every rejected row is
// counted under a catalog reason, and the scores read, written back as a
// CSV, read again the same with nothing rejected.
func FuzzReadScores(f *testing.F) {
	for _, name := range []string{"testdata/scores.csv", "../../deploy/cchc-scores.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("agency,score\n000.00.01.H47,1e-400\n000.00.02.H47,NaN\n000.00.03.H47,-0\n000.00.04.H47,100%\n"))
	f.Add([]byte("agency;score\n\"000.00.01.H47,0.5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, rejected, err := readScores(bytes.NewReader(b))
		if err != nil {
			return
		}
		for reason, n := range rejected {
			if n <= 0 || !catalog.LabelValues[catalog.LabelReason].Allows(reason) {
				t.Fatalf("%d rows rejected as %q", n, reason)
			}
		}
		codes := make([]string, 0, len(m))
		for code, v := range m {
			if !catalog.AgencyCodePattern.MatchString(code) {
				t.Fatalf("score under %q", code)
			}
			if math.IsNaN(v) || v < 0 || v > 1 {
				t.Fatalf("score %v read", v)
			}
			codes = append(codes, code)
		}
		sort.Strings(codes)
		var out bytes.Buffer
		out.WriteString("agency,score\n")
		for _, code := range codes {
			fmt.Fprintf(&out, "%s,%s\n", code, strconv.FormatFloat(m[code], 'g', -1, 64))
		}
		m2, rejected2, err := readScores(&out)
		if err != nil || len(rejected2) != 0 || len(m2) != len(m) {
			t.Fatalf("written back: %d scores, rejected %v, err %v; want %d", len(m2), rejected2, err, len(m))
		}
		for code, v := range m {
			if m2[code] != v {
				t.Fatalf("%s: %v written back reads %v", code, v, m2[code])
			}
		}
	})
}
