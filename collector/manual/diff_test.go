package manual

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// refKPI is a generated KPI as the reference sees it.
type refKPI struct {
	code                      string
	ratio, perAgency, hasPath bool
	lower                     bool
	target, baseline          float64 // in exported units
	start, deadline           time.Time
	values                    []value
}

// refSamples is a deliberately simple reference: for each agency, scan every
// value for the greatest date not after today; the path by plain arithmetic
// on midnights (ICT keeps no daylight saving time).
func refSamples(ks []refKPI, now time.Time) []string {
	y, m, d := now.In(ict).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, ict)
	var out []string
	for _, k := range ks {
		vt := catalog.ValueCount
		if k.ratio {
			vt = catalog.ValueRatio
		}
		dir := catalog.DirectionHigher
		if k.lower {
			dir = catalog.DirectionLower
		}
		out = append(out, fmt.Sprintf("govpulse_manual_kpi_info{%s,Tên %s,Name %s,u,%s,%s} 1", k.code, k.code, k.code, dir, vt))
		out = append(out, fmt.Sprintf("govpulse_manual_kpi_target{%s} %s", k.code, f(k.target)))
		if k.hasPath {
			out = append(out, fmt.Sprintf("govpulse_manual_kpi_deadline_timestamp_seconds{%s} %s", k.code, f(float64(k.deadline.Unix()))))
			total := k.deadline.Sub(k.start).Hours() / 24
			el := today.Sub(k.start).Hours() / 24
			p := k.baseline + (k.target-k.baseline)*el/total
			if el <= 0 {
				p = k.baseline
			}
			if el >= total {
				p = k.target
			}
			out = append(out, fmt.Sprintf("govpulse_manual_kpi_target_path{%s} %s", k.code, f(p)))
		}
		agencies := map[string]bool{}
		for _, v := range k.values {
			agencies[v.agency] = true
		}
		for a := range agencies {
			var best *value
			for i := range k.values {
				v := &k.values[i]
				if v.agency == a && !v.date.After(today) && (best == nil || v.date.After(best.date)) {
					best = v
				}
			}
			if best != nil {
				out = append(out, fmt.Sprintf("govpulse_manual_kpi{%s,%s} %s", k.code, a, f(best.v)))
				out = append(out, fmt.Sprintf("govpulse_manual_kpi_as_of_timestamp_seconds{%s,%s} %s", k.code, a, f(float64(best.date.Unix()))))
			}
		}
	}
	sort.Strings(out)
	return out
}

func f(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TestDifferential generates KPI files (CSV and YAML, with dates and
// numbers written the several accepted ways), decodes them and compares
// the samples with the reference at random instants, 1 January, the 1st of
// a month and the deadline day among them.
func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	agencies := []string{noiVu, tuPhap}
	for iter := range 300 {
		var ks []refKPI
		n := 1 + rng.IntN(4)
		for i := range n {
			k := refKPI{code: fmt.Sprintf("k%d_%d", iter, i), ratio: rng.IntN(2) == 0, perAgency: rng.IntN(2) == 0, hasPath: rng.IntN(3) > 0, lower: rng.IntN(2) == 0}
			k.target = float64(rng.IntN(1000))
			if k.ratio {
				k.target = float64(rng.IntN(101)) / 100
			}
			if k.hasPath {
				k.baseline = float64(rng.IntN(1000))
				if k.ratio {
					k.baseline = float64(rng.IntN(101)) / 100
				}
				k.start = time.Date(2025+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, ict)
				k.deadline = k.start.AddDate(0, 0, 1+rng.IntN(500))
			}
			seen := map[string]bool{}
			for range rng.IntN(8) {
				a := province
				if k.perAgency {
					a = agencies[rng.IntN(len(agencies))]
				}
				d := time.Date(2025, 1, 1, 0, 0, 0, 0, ict).AddDate(0, 0, rng.IntN(900))
				if seen[a+d.String()] {
					continue
				}
				seen[a+d.String()] = true
				v := float64(rng.IntN(100000)) / 10
				if k.ratio {
					v = float64(rng.IntN(1001)) / 1000
				}
				k.values = append(k.values, value{date: d, agency: a, v: v})
			}
			ks = append(ks, k)
		}
		for _, format := range []string{"csv", "yml"} {
			name, data := writeGenerated(rng, format, ks)
			c := testChecker()
			kpis, err := c.decode(name, []byte(data))
			if err != nil {
				t.Fatalf("iteration %d: %v\n%s", iter, err, data)
			}
			m := map[string]kpi{}
			for _, k := range kpis {
				m[k.code] = k
			}
			instants := []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, ict), time.Date(2026, 3, 1, 0, 0, 0, 0, ict),
				time.Date(2025, 1, 1, 0, 0, 0, 0, ict).Add(time.Duration(rng.Int64N(int64(1000 * 24 * time.Hour))))}
			for _, k := range ks {
				if k.hasPath {
					instants = append(instants, k.deadline, k.deadline.Add(-time.Second), k.start)
				}
			}
			for _, now := range instants {
				res := &source.Result{}
				emit(res, m, now, ict)
				got, want := strings.Join(samples(res), "\n"), strings.Join(refSamples(ks, now), "\n")
				if got != want {
					t.Fatalf("iteration %d %s at %v:\n got %s\nwant %s\nfile:\n%s", iter, format, now, got, want, data)
				}
			}
		}
	}
}

// writeGenerated writes ks as a hand-filled file would be: numbers with a
// decimal comma or point, ratios in percent, dates ISO or day first.
func writeGenerated(rng *rand.Rand, format string, ks []refKPI) (string, string) {
	num := func(v float64, ratio bool) string {
		if ratio {
			p, _ := strconv.ParseFloat(f(v)+"e2", 64) // decimal, exactly
			s := f(p) + "%"
			if rng.IntN(2) == 0 {
				s = strings.Replace(s, ".", ",", 1)
			}
			return s
		}
		s := f(v)
		if rng.IntN(2) == 0 {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	date := func(d time.Time) string {
		if rng.IntN(2) == 0 {
			return d.Format("02/01/2006")
		}
		return d.Format(time.DateOnly)
	}
	agency := func(a string) string {
		if a == province {
			return []string{"", "tinh", "Toàn tỉnh", province}[rng.IntN(4)]
		}
		return a
	}
	dirOf := func(k refKPI) string {
		if k.lower {
			return []string{catalog.DirectionLower, "Càng thấp càng tốt"}[rng.IntN(2)]
		}
		return []string{catalog.DirectionHigher, "càng cao càng tốt"}[rng.IntN(2)]
	}
	unit := func(k refKPI) (string, string) {
		if k.ratio {
			return "u", "ratio"
		}
		return "u", []string{"", "count", "Số lượng"}[rng.IntN(3)]
	}
	q := func(s string) string { return strconv.Quote(s) }
	var b strings.Builder
	if format == "yml" {
		b.WriteString("kpis:\n")
		for _, k := range ks {
			u, vt := unit(k)
			fmt.Fprintf(&b, "  - code: %s\n    name: Tên %s\n    name_en: Name %s\n    unit: %s\n    direction: %s\n    target: %s\n", k.code, k.code, k.code, u, dirOf(k), q(num(k.target, k.ratio)))
			if vt != "" {
				fmt.Fprintf(&b, "    value_type: %s\n", vt)
			}
			if k.hasPath {
				fmt.Fprintf(&b, "    baseline: %s\n    start: %s\n    deadline: %s\n", q(num(k.baseline, k.ratio)), q(date(k.start)), q(date(k.deadline)))
			}
			b.WriteString("    values:\n")
			for _, v := range k.values {
				fmt.Fprintf(&b, "      - {date: %s, agency: %s, value: %s}\n", q(date(v.date)), q(agency(v.agency)), q(num(v.v, k.ratio)))
			}
		}
		return "g.yml", b.String()
	}
	b.WriteString("Mã chỉ tiêu,Tên chỉ tiêu,Tên tiếng Anh,Đơn vị tính,Loại giá trị,Chiều đánh giá,Mục tiêu,Giá trị đầu kỳ,Ngày bắt đầu,Hạn hoàn thành,Ngày số liệu,Mã cơ quan,Giá trị\n")
	for _, k := range ks {
		u, vt := unit(k)
		def := []string{k.code, "Tên " + k.code, "Name " + k.code, u, vt, dirOf(k), num(k.target, k.ratio), "", "", ""}
		if k.hasPath {
			def[7], def[8], def[9] = num(k.baseline, k.ratio), date(k.start), date(k.deadline)
		}
		rows := [][]string{}
		if len(k.values) == 0 || rng.IntN(2) == 0 {
			rows = append(rows, append(def, "", "", ""))
		}
		for _, v := range k.values {
			cells := make([]string, 10)
			cells[0] = k.code
			if len(rows) == 0 {
				cells = append([]string{}, def...)
			}
			rows = append(rows, append(cells, date(v.date), agency(v.agency), num(v.v, k.ratio)))
		}
		for _, r := range rows {
			for i, c := range r {
				r[i] = q(c)
			}
			b.WriteString(strings.Join(r, ",") + "\n")
		}
	}
	return "g.csv", b.String()
}
