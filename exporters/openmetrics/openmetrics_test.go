package openmetrics

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

func TestWrite(t *testing.T) {
	t1 := time.Unix(1788195599, 0)
	t2 := time.Unix(1790787599, 0)
	s := func(m *catalog.Metric, v float64, l ...string) source.Sample {
		return source.Sample{Metric: m, Labels: l, Value: v}
	}
	// Points given newest first: the writer orders each series by time.
	points := []Point{
		{At: t2, Samples: []source.Sample{s(catalog.DossiersCarriedOver, 5, "000.00.31.H47", "DD", "month"), s(catalog.AgencyInfo, 1, "000.00.31.H47", `UBND "Tam Kỳ"`, "huyen", "", "")}},
		{At: t1, Samples: []source.Sample{s(catalog.DossiersCarriedOver, 3, "000.00.31.H47", "DD", "month")}},
	}
	cases := map[Format]string{
		OpenMetrics: `tthc_agency_info{agency="000.00.31.H47",name="UBND \"Tam Kỳ\"",level="huyen",parent="",unit_code=""} 1 1790787599
# HELP tthc_dossiers_carried_over`,
		PrometheusText: `tthc_dossiers_carried_over{agency="000.00.31.H47",field="DD",period="month"} 3 1788195599000
tthc_dossiers_carried_over{agency="000.00.31.H47",field="DD",period="month"} 5 1790787599000
`,
	}
	for f, want := range cases {
		var b bytes.Buffer
		if err := Write(&b, f, points); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, want) {
			t.Errorf("format %d:\n%s\nlacks\n%s", f, out, want)
		}
		if f == OpenMetrics && !strings.HasSuffix(out, "# EOF\n") {
			t.Error("OpenMetrics output does not end with # EOF")
		}
		if f == PrometheusText && strings.Contains(out, "# EOF") {
			t.Error("Prometheus text carries # EOF")
		}
		// Families are contiguous: each TYPE line appears once.
		if n := strings.Count(out, "# TYPE tthc_dossiers_carried_over"); n != 1 {
			t.Errorf("format %d: %d TYPE lines for one family", f, n)
		}
	}
	if err := Write(&bytes.Buffer{}, OpenMetrics, []Point{{At: t1, Samples: []source.Sample{s(catalog.SourceErrors, 1, "onestop", catalog.ReasonDecode)}}}); err == nil {
		t.Error("a counter was backfilled as OpenMetrics")
	}
}
