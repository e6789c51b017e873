package catalog

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

func TestNamesUniqueAndLintClean(t *testing.T) {
	seen := map[string]bool{}
	var fams []*dto.MetricFamily
	for _, m := range All() {
		if seen[m.Name] {
			t.Errorf("%s declared twice", m.Name)
		}
		seen[m.Name] = true
		if ByName(m.Name) != m {
			t.Errorf("ByName(%s) does not find it", m.Name)
		}
		if len(m.Help) < 20 {
			t.Errorf("%s: help %q is too short to say where the value comes from", m.Name, m.Help)
		}
		if m.Source == "" {
			t.Errorf("%s: no source", m.Name)
		}
		switch {
		case m.Kind == Counter && !strings.HasSuffix(m.Name, "_total"):
			t.Errorf("%s: a counter must end in _total", m.Name)
		case m.Kind != Counter && strings.HasSuffix(m.Name, "_total"):
			t.Errorf("%s: only counters end in _total", m.Name)
		case m.Unit != "" && !strings.Contains(m.Name, "_"+m.Unit):
			t.Errorf("%s: unit %s not in the name", m.Name, m.Unit)
		}
		for _, l := range m.Labels {
			if _, ok := LabelValues[l]; !ok && l != LabelName {
				t.Errorf("%s: label %s has no allowed values", m.Name, l)
			}
		}
		typ := dto.MetricType_GAUGE
		metric := &dto.Metric{Gauge: &dto.Gauge{Value: proto.Float64(1)}}
		if m.Kind == Counter {
			typ = dto.MetricType_COUNTER
			metric = &dto.Metric{Counter: &dto.Counter{Value: proto.Float64(1)}}
		}
		fams = append(fams, &dto.MetricFamily{Name: proto.String(m.Name), Help: proto.String(m.Help), Type: &typ, Metric: []*dto.Metric{metric}})
	}
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

func TestValidateLabels(t *testing.T) {
	f := func(m *Metric, values []string, ok bool) {
		t.Helper()
		if err := m.ValidateLabels(values); (err == nil) != ok {
			t.Errorf("%s %v: err = %v, want ok=%v", m.Name, values, err, ok)
		}
	}
	f(DossiersReceived, []string{"000.00.31.H47", "DD", PeriodMonth, ChannelOnline}, true)
	f(DossiersReceived, []string{"000.00.31.H47", "", PeriodYear, ChannelPostal}, true)
	f(DossiersReceived, []string{"000.00.31.H47", "DD", PeriodMonth}, false)
	f(DossiersReceived, []string{"Nguyễn Văn A", "DD", PeriodMonth, ChannelOnline}, false)
	f(DossiersReceived, []string{"000.00.31.H47", "Đất đai", PeriodMonth, ChannelOnline}, false)
	f(DossiersReceived, []string{"000.00.31.H47", "DD", "week", ChannelOnline}, false)
	f(DossiersResolved, []string{"000.00.31.H47", "DD", PeriodMonth, ResolvedLate}, true)
	f(DossiersResolved, []string{"000.00.31.H47", "DD", PeriodMonth, "late"}, false)
	f(AgencyInfo, []string{"000.00.31.H47", "UBND thành phố Tam Kỳ", LevelDistrict, "000.00.00.H47", ""}, true)
	f(AgencyInfo, []string{"000.00.00.H47", "UBND tỉnh", LevelProvince, "", ""}, true)
	f(AgencyInfo, []string{"000.01.60.H17", "Phường Hải Châu", LevelCommune, "000.00.00.H17", "20194"}, true)
	f(AgencyInfo, []string{"000.01.60.H17", "Phường Hải Châu", LevelCommune, "000.00.00.H17", "Hải Châu"}, false)
	f(AgencyLineageShare, []string{"000.05.31.H17", "000.01.60.H17", "1"}, true)
	f(AgencyLineageShare, []string{"000.05.31.H17", "000.01.60.H17", "5"}, false)
	f(AgencyInfo, []string{"000.00.31.H47", "x", "district", "", ""}, false)
	f(SourceErrors, []string{"onestop", ReasonHTTP429}, true)
	f(SourceErrors, []string{"onestop", "exploded"}, false)
}

func TestThresholdDefaults(t *testing.T) {
	d := DefaultThresholds
	if d.LateRateWarning != 0.05 || d.LateRateCritical != 0.10 || d.LateRateDefinition != LateResolvedOnly {
		t.Fatalf("the province's rules changed: %+v", d)
	}
	if LateRateDefinitions[0].Name != d.LateRateDefinition {
		t.Fatal("the default definition must be listed first")
	}
}
