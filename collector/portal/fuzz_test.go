package portal

import (
	"context"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
)

// fixed answers every request with the same body.
type fixed []byte

func (f fixed) Post(context.Context, string, url.Values, []byte) ([]byte, error) { return f, nil }

// FuzzDecode feeds arbitrary bodies to every report: the source must never
// panic, and whatever it exports must be valid catalog samples with counts
// and scores that can be right.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"code":"OK","data":null}`))
	f.Add([]byte(`{"code":"OK","data":{"evaluation":[{"departmentCode":"000.00.02.H47","totalScore":1e308,"groupScores":{"TDGQ":"NaN"}}],"children":[{"departmentCode":"000.00.02.H47","totalSynced":1e400}],"totalPages":1}}`))
	f.Add([]byte(`{"code":"OK","data":{"evaluation":[{"departmentCode":"000.00.00.H47","totalScore":10,"groupScores":{"TDGQ":10,"tien_do":10}}]}}`))
	env := testEnv()
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := New("portal", Config{Periods: []string{catalog.PeriodMonth}, MaxPages: 2}, fixed(body), env)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Collect(context.Background())
		if err != nil {
			return
		}
		for _, smp := range res.Samples {
			if err := smp.Metric.ValidateLabels(smp.Labels); err != nil {
				t.Fatalf("invalid sample: %v", err)
			}
			v := smp.Value
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s%v = %v", smp.Metric.Name, smp.Labels, v)
			}
			switch smp.Metric {
			case catalog.QD766GroupScore:
				g, _ := catalog.QD766GroupByCode(smp.Labels[1])
				if v > g.Max+scoreSlack {
					t.Fatalf("%s%v = %v above the group's %v", smp.Metric.Name, smp.Labels, v, g.Max)
				}
			case catalog.QD766TotalScore:
				if v > catalog.QD766MaxTotal+scoreSlack {
					t.Fatalf("total %v above 100", v)
				}
			case catalog.QD766Rank, catalog.PortalDossiersSynced, catalog.PortalServicesOnline:
				if v != math.Trunc(v) {
					t.Fatalf("%s%v = %v is not whole", smp.Metric.Name, smp.Labels, v)
				}
			}
		}
	})
}
