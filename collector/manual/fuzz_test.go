package manual

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// checkDecoded holds what any accepted file must satisfy: codes and agencies
// that are labels, ratios within 0–1, and samples the catalogue accepts.
func checkDecoded(t *testing.T, c *checker, kpis []kpi) {
	t.Helper()
	m := map[string]kpi{}
	for _, k := range kpis {
		if !catalog.KPICodePattern.MatchString(k.code) {
			t.Fatalf("accepted code %q", k.code)
		}
		if _, dup := m[k.code]; dup {
			t.Fatalf("accepted %s twice", k.code)
		}
		m[k.code] = k
		for _, v := range k.values {
			if _, ok := c.agencies[v.agency]; !ok {
				t.Fatalf("accepted agency %q", v.agency)
			}
			if math.IsNaN(v.v) || v.v < 0 || (k.valueType == catalog.ValueRatio && v.v > 1) {
				t.Fatalf("accepted value %v of %s (%s)", v.v, k.code, k.valueType)
			}
		}
		if !k.deadline.IsZero() && !k.start.Before(k.deadline) {
			t.Fatalf("accepted a path from %v to %v", k.start, k.deadline)
		}
	}
	res := &source.Result{}
	emit(res, m, time.Date(2026, 3, 18, 10, 0, 0, 0, ict), ict)
	for _, s := range res.Samples {
		if err := s.Metric.ValidateLabels(s.Labels); err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			t.Fatalf("%s %v = %v", s.Metric.Name, s.Labels, s.Value)
		}
	}
}

func fuzzDecode(t *testing.T, name string, data []byte) {
	c := testChecker()
	kpis, err := c.decode(name, data)
	if err != nil {
		if !strings.HasPrefix(err.Error(), name) {
			t.Fatalf("error does not name the file: %v", err)
		}
		return
	}
	checkDecoded(t, c, kpis)
}

func FuzzDecodeYAML(f *testing.F) {
	f.Add([]byte(goodYAML))
	f.Add([]byte("kpis:\n  - code: k\n    name: T\n    name_en: N\n    unit: \"%\"\n    direction: giảm\n    target: 5%\n    baseline: 20%\n    deadline: 01/01/2027\n    values: [{date: 2026-12-31, value: 1%}]\n"))
	f.Add([]byte("kpis: [{code: [1]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "f.yml", data) })
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("Mã chỉ tiêu;Ngày số liệu;Giá trị\nk;2026-01-01;1\n"))
	f.Add([]byte("Mã KPI,Tên,English name,ĐVT,Chiều,Mục tiêu,Đầu kỳ,Từ ngày,Hạn,Ngày,Đơn vị,Kết quả\nk,T,N,%,tăng,90%,10,2026-01-01,2026-12-31,46100,tinh,\"1.234,5\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "f.csv", data) })
}

func FuzzDecodeXLSX(f *testing.F) {
	f.Add(xlsxOf(f, goodCSV))
	f.Add(xlsxOf(f, "Mã chỉ tiêu,Tên chỉ tiêu,Tên tiếng Anh,Đơn vị tính,Chiều đánh giá,Ngày số liệu,Mã cơ quan,Giá trị\nk,T,N,tổ,higher,2026-01-31,000.00.99.H15,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "f.xlsx", data) })
}
